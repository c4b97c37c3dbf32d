"""Local Telegram Bot API simulator: a fake api.telegram.org for tests and the demo.

An aiohttp server that real python-telegram-bot code talks to, plus a Python and an HTTP API
to play users and inspect what the bot did. Nothing leaves the machine.

Wiring PTB::

    async with BotApiSimulator(rate_limits=RateLimits(enabled=False)) as sim:
        app = (
            ApplicationBuilder().token(sim.token)
            .base_url(sim.base_url).base_file_url(sim.base_file_url).build()
        )
        sim.add_user(1001, "Alice")
        sim.send_text(1001, "/start")
        reply = await sim.wait_for_message(1001)

Bot API (``{base_url}{token}/{method}``, GET or POST; parameters from the query string,
url-encoded or multipart forms, or a JSON body):

- Tokens must look real (``digits:30+ of [A-Za-z0-9_-]``); malformed ones get 404 "Not Found"
  like Telegram, unknown ones 401 "Unauthorized" when a fixed ``tokens`` list is given. One
  simulated bot account serves every accepted token; its id is the token's digits.
- Methods are looked up case-insensitively in the Bot API spec (the ``api.json`` the package
  carries in ``telegram_bot_api_spec/``, or the file ``BONEBOT_API_SPEC`` names).
  Unknown: 404 "Not Found". Parameters are checked against the spec: missing required ones
  and wrong types get 400 "Bad Request: ..." (Telegram's own texts where known, e.g.
  "chat_id is empty", "message text is empty"); unknown parameters are ignored.
- Implemented: getMe, logOut, close, getUpdates (long polling, offsets, limit, timeout,
  allowed_updates, 409 when a second poll starts or a webhook is set), setWebhook /
  deleteWebhook / getWebhookInfo (stored, updates are not pushed), sendMessage, sendDocument,
  sendPhoto, sendChatAction, editMessageText / Caption / ReplyMarkup, deleteMessage(s),
  answerCallbackQuery, getFile (+ downloads under ``/file/bot{token}/{file_path}``),
  set/get/deleteMyCommands, set/getChatMenuButton, getChat, set/getMyName, Description and
  ShortDescription. Any other spec method: 400 "Bad Request: method not supported by the
  local simulator" (and a logged warning).
- Like Telegram: texts are parsed (HTML, MarkdownV2, Markdown) into text + entities, trimmed,
  limited to 4096 UTF-16 units ("message is too long"; captions 1024); commands, @mentions,
  #hashtags and http(s) links get entities; callback_data must be 1-64 bytes
  ("BUTTON_DATA_INVALID"); an identical edit is "message is not modified"; an edit without
  reply_markup drops the inline keyboard; a chat nobody started is "chat not found"; a user
  who blocked the bot gives 403 "Forbidden: bot was blocked by the user"; callback queries
  expire after ``callback_query_ttl`` seconds (default 15) or once answered.
- Flood control (``RateLimits``; see ``limits``) answers 429 with ``retry_after``; faults
  (``FaultConfig``, ``FaultInjector.script``; see ``faults``) inject 500/502 replies, delays,
  dropped connections and lost replies, and ``FaultInjector.malform_updates`` queues the next
  updates with a required field missing or of another type (served by getUpdates like any
  other). All are configurable from Python and HTTP.
- Group chats, true to the Bot API: groups, supergroups and channels (``add_group``; ids
  negative, -100... for supergroups and channels) that the bot joins when a member adds it
  (``my_chat_member`` from "left" to "member", administrator in a channel, and in groups
  the ``new_chat_members`` service message) and leaves when removed (``my_chat_member``
  only). Members write and press buttons there (``chat_id=`` on ``send_text``,
  ``edit_text``, ``press_button``); a channel posts as itself (``post_to_channel``: a
  ``channel_post`` with ``sender_chat`` and no ``from``, as are the bot's own messages
  there). Privacy mode holds (getMe's ``can_read_all_group_messages`` is false): the bot
  gets commands not addressed to another bot, replies to its messages and service
  messages, not other talk. Writing to a group it is not in: "chat not found" if it never
  was, else 403 "bot is not a member of the ... chat" or "bot was kicked from the ... chat".

Approximations: a general command in a group always reaches the bot (Telegram sends it only
if this bot wrote there last); users upload documents and photos in private chats only;
one PhotoSize per photo; photos must be PNG/GIF/JPEG; entity auto-detection covers
commands, mentions, hashtags and http(s) URLs only; parse-mode parsers cover the documented
syntax but not every TDLib corner case; rate limits are token buckets, not Telegram's
undisclosed algorithm.

Python API (``BotApiSimulator``): ``start(host, port=0, app=None)`` / ``stop()`` or
``async with``; ``build_app()`` for mounting extra routes; ``url``, ``base_url``,
``base_file_url``, ``port``, ``token``. Users: ``add_user``, ``send_text``, ``edit_text``,
``press_button`` (``forge=True`` for data not on the message), ``send_document``,
``send_photo``, ``block``, ``unblock``. Groups: ``add_group``, ``add_bot_to_group``,
``remove_bot_from_group``, ``post_to_channel``, ``group``. Inspect: ``messages``,
``bot_messages``, ``last_bot_message``, ``chat``, ``calls``, ``callback_query``,
``file_content``, ``commands``, ``events_since``. Observe: ``subscribe()``,
``add_listener()``, ``wait_for``, ``wait_for_message``, ``wait_for_callback_answer``,
``wait_for_call``, ``wait_for_polling`` (all event-driven, never sleeping). Config:
``rate_limits`` (assignable), ``faults`` (configure/script/clear).

Control API (JSON; for out-of-process bots and the demo page):

- ``GET  /_sim/state`` overview: bot, users, chats, groups, webhook, pending updates, limits,
  faults
- ``GET  /_sim/users``; ``POST /_sim/users`` {id, first_name, username?, last_name?,
  language_code?, started?}
- ``POST /_sim/users/{id}/text`` {text, reply_to?, chat_id?} -> {message, seq, time}
- ``POST /_sim/users/{id}/edit`` {message_id, text, chat_id?} -> {message, seq, time}
- ``POST /_sim/users/{id}/press`` {message_id, callback_data? | button_text?, forge?,
  chat_id?} -> {callback_query_id, seq, time} (time: when the action happened, Unix
  seconds; chat_id: a group the user is in, default their private chat)
- ``POST /_sim/users/{id}/document`` multipart (part "document", fields caption, mime_type)
  or JSON {filename, content_base64, mime_type?, caption?}; ``.../photo`` likewise
- ``POST /_sim/users/{id}/block`` and ``.../unblock``
- ``GET  /_sim/groups``; ``POST /_sim/groups`` {id, title, type? (group, supergroup,
  channel; default supergroup), members?: [user ids], username?}
- ``POST /_sim/groups/{id}/add_bot`` {by} and ``.../remove_bot`` {by}: a member adds or
  removes the bot; ``POST /_sim/groups/{id}/post`` {text}: a channel posts
- ``GET  /_sim/chats/{id}`` chat state; ``GET /_sim/chats/{id}/messages`` current messages
- ``GET  /_sim/chats/{id}/wait?after=&timeout=&contains=&regex=`` next bot message sent or
  edited after the user's last action (or after seq ``after``) -> {message, seq,
  message_seq, time} (time: when the bot's message arrived); 408 on timeout
- ``GET  /_sim/sent?method=&after=`` the bot's calls {calls: [...]} (getUpdates left out)
- ``GET  /_sim/callbacks/{query_id}`` a press and its answer
- ``GET  /_sim/events?after=&timeout=`` long-poll events {events, last_seq}
- ``GET  /_sim/files/{file_id}`` raw bytes; ``GET /_sim/commands``; ``GET /_sim/updates``
- ``GET/POST /_sim/faults`` FaultConfig fields to merge, "clear": true, "script": [{kind,
  method?, count?, status?, delay?}], "malform_updates": {count?, how?: "missing_field" |
  "wrong_type"}
- ``GET/POST /_sim/rate_limits`` RateLimits fields to merge

Run standalone: ``python -m simulator --port 8081 [--user 1001:Alice]``.
"""

from simulator.errors import ApiError, SimulatorError, UnknownObjectError
from simulator.events import SimEvent, Subscription
from simulator.faults import Fault, FaultConfig, FaultInjector, FaultKind, Malformation
from simulator.limits import RateLimits
from simulator.simulator import DEFAULT_TOKEN, SIMULATOR_KEY, BotApiSimulator
from simulator.spec import ApiSpec, SpecNotFoundError, find_spec_path
from simulator.state import ApiCall, CallbackQueryRecord, ChatState, SimUser

__all__ = [
    "DEFAULT_TOKEN",
    "SIMULATOR_KEY",
    "ApiCall",
    "ApiError",
    "ApiSpec",
    "BotApiSimulator",
    "CallbackQueryRecord",
    "ChatState",
    "Fault",
    "FaultConfig",
    "FaultInjector",
    "FaultKind",
    "Malformation",
    "RateLimits",
    "SimEvent",
    "SimUser",
    "SimulatorError",
    "SpecNotFoundError",
    "Subscription",
    "UnknownObjectError",
    "find_spec_path",
]
