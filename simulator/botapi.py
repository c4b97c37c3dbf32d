"""The Bot API methods the simulator implements, acting on SimState like Telegram would."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from simulator import events as ev
from simulator.errors import MESSAGE_NOT_MODIFIED, QUERY_TOO_OLD, ApiError, bad_request
from simulator.events import EventBus
from simulator.files import MAX_DOWNLOAD_BYTES, StoredFile, image_size
from simulator.formatting import (
    EntityParseError,
    FormattedText,
    UnsupportedParseModeError,
    format_text,
    utf16_len,
)
from simulator.limits import FloodControl
from simulator.markup import check_reply_markup
from simulator.payload import UploadedFile
from simulator.state import ChatState, Message, SimState, WebhookState
from simulator.updates import UpdateQueue

Handler = Callable[[dict[str, Any]], Awaitable[Any]]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_ANSWER_LENGTH = 200
CHAT_ACTIONS = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
     "upload_document", "choose_sticker", "find_location", "record_video_note",
     "upload_video_note"}
)  # fmt: skip
COMMAND_SCOPES = frozenset(
    {"default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat",
     "chat_administrators", "chat_member"}
)  # fmt: skip
MENU_BUTTONS = frozenset({"default", "commands", "web_app"})
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_CONTENT_KEYS = ("text", "entities", "caption", "caption_entities", "reply_markup")
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
    "delete the webhook first"
)


def _now() -> int:
    return int(time.time())


class BotApi:
    """Dispatch implemented methods by lower-case name; parameters arrive already checked."""

    def __init__(
        self,
        state: SimState,
        updates: UpdateQueue,
        events: EventBus,
        flood: FloodControl,
        clock: Callable[[], float],
        callback_query_ttl: float,
    ) -> None:
        self.state = state
        self.updates = updates
        self.events = events
        self.flood = flood
        self.clock = clock
        self.callback_query_ttl = callback_query_ttl
        self._handlers: dict[str, Handler] = {
            "getme": self.get_me,
            "logout": self.log_out,
            "close": self.log_out,
            "getupdates": self.get_updates,
            "setwebhook": self.set_webhook,
            "deletewebhook": self.delete_webhook,
            "getwebhookinfo": self.get_webhook_info,
            "sendmessage": self.send_message,
            "senddocument": self.send_document,
            "sendphoto": self.send_photo,
            "sendchataction": self.send_chat_action,
            "editmessagetext": self.edit_message_text,
            "editmessagecaption": self.edit_message_caption,
            "editmessagereplymarkup": self.edit_message_reply_markup,
            "deletemessage": self.delete_message,
            "deletemessages": self.delete_messages,
            "answercallbackquery": self.answer_callback_query,
            "getfile": self.get_file,
            "setmycommands": self.set_my_commands,
            "getmycommands": self.get_my_commands,
            "deletemycommands": self.delete_my_commands,
            "setchatmenubutton": self.set_chat_menu_button,
            "getchatmenubutton": self.get_chat_menu_button,
            "getchat": self.get_chat,
            "setmyname": self._profile_setter("name"),
            "getmyname": self._profile_getter("name"),
            "setmydescription": self._profile_setter("description"),
            "getmydescription": self._profile_getter("description"),
            "setmyshortdescription": self._profile_setter("short_description"),
            "getmyshortdescription": self._profile_getter("short_description"),
        }

    @property
    def implemented(self) -> frozenset[str]:
        """Lower-case names of the implemented methods."""
        return frozenset(self._handlers)

    def supports(self, method: str) -> bool:
        """Tell whether `method` is implemented (any case)."""
        return method.lower() in self._handlers

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        """Run an implemented method and return its result object."""
        return await self._handlers[method.lower()](params)

    # --- account and updates ------------------------------------------------------------------

    async def get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        """Return the bot's User with its capability flags."""
        return self.state.bot.get_me()

    async def log_out(self, params: dict[str, Any]) -> bool:
        """Accept logOut and close; the simulator has no cloud session to end."""
        return True

    async def get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Long-poll for updates; refuse while a webhook is set, like Telegram."""
        if self.state.webhook.url:
            raise ApiError(409, WEBHOOK_CONFLICT)
        return await self.updates.get(
            params.get("offset"),
            params.get("limit"),
            params.get("timeout"),
            params.get("allowed_updates"),
        )

    async def set_webhook(self, params: dict[str, Any]) -> bool:
        """Store webhook settings (HTTPS only); updates stay queued, not pushed."""
        url = params["url"]
        if not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.state.webhook = WebhookState(
            url=url,
            max_connections=params.get("max_connections", 40),
            allowed_updates=params.get("allowed_updates"),
            secret_token=params.get("secret_token"),
            ip_address=params.get("ip_address"),
        )
        if params.get("allowed_updates") is not None:
            self.updates.allowed_updates = list(params["allowed_updates"])
        if params.get("drop_pending_updates"):
            self.updates.drop_pending()
        return True

    async def delete_webhook(self, params: dict[str, Any]) -> bool:
        """Forget the webhook, optionally dropping pending updates."""
        self.state.webhook = WebhookState()
        if params.get("drop_pending_updates"):
            self.updates.drop_pending()
        return True

    async def get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        """Report the webhook and the number of pending updates."""
        hook = self.state.webhook
        info: dict[str, Any] = {
            "url": hook.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates.pending),
        }
        if hook.url:
            info["max_connections"] = hook.max_connections
            if hook.allowed_updates is not None:
                info["allowed_updates"] = hook.allowed_updates
            if hook.ip_address:
                info["ip_address"] = hook.ip_address
        return info

    # --- sending --------------------------------------------------------------------------------

    async def send_message(self, params: dict[str, Any]) -> Message:
        """Send a text message after parsing, length and keyboard checks."""
        formatted = _format(params["text"], params.get("parse_mode"), params.get("entities"))
        markup = check_reply_markup(params.get("reply_markup"))
        chat = self.state.writable_chat(params["chat_id"])
        _check_text(formatted)
        return self._send(chat, params, markup, _text_content(formatted))

    async def send_document(self, params: dict[str, Any]) -> Message:
        """Send an uploaded or known file as a document."""
        return await self._send_media(params, "document", "documents")

    async def send_photo(self, params: dict[str, Any]) -> Message:
        """Send an uploaded or known PNG/GIF/JPEG as a photo."""
        return await self._send_media(params, "photo", "photos")

    async def _send_media(self, params: dict[str, Any], kind: str, folder: str) -> Message:
        caption = _caption(params)
        markup = check_reply_markup(params.get("reply_markup"))
        chat = self.state.writable_chat(params["chat_id"])
        source = self._file_source(params[kind])
        if kind == "photo" and image_size(source.content) is None:
            raise bad_request("IMAGE_PROCESS_FAILED")

        def build() -> dict[str, Any]:
            stored = self._store(source, folder)
            media: Any = [photo_size(stored)] if kind == "photo" else stored.document()
            return {kind: media, **caption}

        return self._send(chat, params, markup, build)

    def _file_source(self, value: UploadedFile | str) -> UploadedFile | StoredFile:
        """Resolve an InputFile|String parameter: an upload or a known file_id."""
        if isinstance(value, UploadedFile):
            return value
        stored = self.state.files.get(value)
        if stored is not None:
            return stored
        if value.startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _store(self, source: UploadedFile | StoredFile, folder: str) -> StoredFile:
        if isinstance(source, StoredFile):
            return source
        mime = source.content_type
        if mime == "application/octet-stream":
            mime = None
        return self.state.files.add(source.content, source.filename, mime, folder)

    def _send(
        self,
        chat: ChatState,
        params: dict[str, Any],
        markup: dict[str, Any] | None,
        content: dict[str, Any] | Callable[[], dict[str, Any]],
    ) -> Message:
        """Create a bot message after the flood check; `content` may be built lazily."""
        reply_to = _reply_target(chat, params.get("reply_parameters"))
        self.flood.acquire(chat.id)
        body = content() if callable(content) else content
        message: Message = {"message_id": chat.new_message_id()}
        if chat.group is not None and chat.group.type == "channel":
            message["sender_chat"] = chat.chat_object()  # posted as the channel, no `from`
        else:
            message["from"] = self.state.bot.to_api()
        message.update(chat=chat.chat_object(), date=_now(), **body)
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        if params.get("protect_content"):
            message["has_protected_content"] = True
        if markup is not None and "keyboard" in markup:
            chat.reply_keyboard = markup
        elif markup is not None and markup.get("remove_keyboard"):
            chat.reply_keyboard = None
        chat.messages[message["message_id"]] = message
        chat.bot_message_ids.add(message["message_id"])
        chat.last_action = None
        self.events.publish(ev.MESSAGE, chat.id, message)
        return message

    async def send_chat_action(self, params: dict[str, Any]) -> bool:
        """Show a chat action (typing...) until the bot's next message."""
        chat = self.state.writable_chat(params["chat_id"])
        if params["action"] not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        chat.last_action = params["action"]
        self.events.publish(ev.CHAT_ACTION, chat.id, {"action": params["action"]})
        return True

    # --- editing and deleting -------------------------------------------------------------------

    def _editable(self, params: dict[str, Any]) -> tuple[ChatState, Message]:
        """Find the bot's own message to edit, or fail like Telegram."""
        if "chat_id" not in params:
            if "inline_message_id" in params:
                raise bad_request("inline messages are not supported by the local simulator")
            raise bad_request("message identifier is not specified")
        chat = self.state.writable_chat(params["chat_id"])
        message = chat.messages.get(params.get("message_id", 0))
        if message is None:
            raise bad_request("message to edit not found")
        if not chat.sent_by_bot(message):
            raise bad_request("message can't be edited")
        return chat, message

    def _replace(self, chat: ChatState, old: Message, new: Message) -> Message:
        """Store an edit unless it changes nothing (Telegram's MESSAGE_NOT_MODIFIED)."""
        if all(old.get(key) == new.get(key) for key in _CONTENT_KEYS):
            raise bad_request(MESSAGE_NOT_MODIFIED)
        new = {**{k: v for k, v in new.items() if v is not None}, "edit_date": _now()}
        chat.messages[new["message_id"]] = new
        self.events.publish(ev.EDITED, chat.id, new)
        return new

    async def edit_message_text(self, params: dict[str, Any]) -> Message:
        """Replace the text of one of the bot's messages."""
        if "text" not in params:
            raise bad_request("message text is empty")
        formatted = _format(params["text"], params.get("parse_mode"), params.get("entities"))
        markup = _inline_only(check_reply_markup(params.get("reply_markup")))
        chat, message = self._editable(params)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        _check_text(formatted)
        # Like Telegram, an edit without reply_markup removes the inline keyboard.
        new = {
            **message,
            "text": formatted.text,
            "entities": formatted.entities or None,
            "reply_markup": markup,
        }
        return self._replace(chat, message, new)

    async def edit_message_caption(self, params: dict[str, Any]) -> Message:
        """Replace the caption of one of the bot's media messages."""
        caption = _caption(params)
        markup = _inline_only(check_reply_markup(params.get("reply_markup")))
        chat, message = self._editable(params)
        if "text" in message:
            raise bad_request("there is no caption in the message to edit")
        new = {**message, "caption": None, "caption_entities": None, **caption}
        new["reply_markup"] = markup
        return self._replace(chat, message, new)

    async def edit_message_reply_markup(self, params: dict[str, Any]) -> Message:
        """Replace or remove the inline keyboard of a bot message."""
        markup = _inline_only(check_reply_markup(params.get("reply_markup")))
        chat, message = self._editable(params)
        return self._replace(chat, message, {**message, "reply_markup": markup})

    async def delete_message(self, params: dict[str, Any]) -> bool:
        """Delete a message from the chat."""
        chat = self.state.known_chat(params["chat_id"])
        if not self._delete(chat, params["message_id"]):
            raise bad_request("message to delete not found")
        return True

    async def delete_messages(self, params: dict[str, Any]) -> bool:
        """Delete several messages, skipping those already gone."""
        chat = self.state.known_chat(params["chat_id"])
        ids = params["message_ids"]
        if not 1 <= len(ids) <= 100 or not all(isinstance(i, int) for i in ids):
            raise bad_request("message identifiers are not specified")
        for message_id in ids:
            self._delete(chat, message_id)
        return True

    def _delete(self, chat: ChatState, message_id: int) -> bool:
        if chat.messages.pop(message_id, None) is None:
            return False
        self.events.publish(ev.DELETED, chat.id, {"message_id": message_id})
        return True

    # --- callback queries and files -------------------------------------------------------------

    async def answer_callback_query(self, params: dict[str, Any]) -> bool:
        """Answer a button press once, before it expires."""
        record = self.state.callback_queries.get(params["callback_query_id"])
        if (
            record is None
            or record.answered
            or self.clock() - record.created > self.callback_query_ttl
        ):
            raise bad_request(QUERY_TOO_OLD)
        text = params.get("text")
        if text is not None and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        record.answered = True
        record.answer = {
            "text": text,
            "show_alert": params.get("show_alert", False),
            "url": params.get("url"),
            "cache_time": params.get("cache_time", 0),
        }
        data = {"callback_query_id": record.id, "message_id": record.message_id, **record.answer}
        self.events.publish(ev.CALLBACK_ANSWER, record.chat_id, data)
        return True

    async def get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        """Describe a stored file with the path to download it from."""
        stored = self.state.files.get(params["file_id"])
        if stored is None:
            raise bad_request("invalid file_id")
        if stored.size > MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        return stored.file()

    # --- commands, menu button, chat, profile ---------------------------------------------------

    def _commands_key(self, params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        if scope.get("type") not in COMMAND_SCOPES:
            raise bad_request("can't parse BotCommandScope: Unsupported type specified")
        return json.dumps(scope, sort_keys=True), params.get("language_code", "")

    async def set_my_commands(self, params: dict[str, Any]) -> bool:
        """Store the command list for a scope and language (empty deletes it)."""
        commands = []
        for command in params["commands"]:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand: expected an Object")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not _COMMAND_RE.fullmatch(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            commands.append({"command": name, "description": description.strip()})
        key = self._commands_key(params)
        if commands:
            self.state.commands[key] = commands
        else:
            self.state.commands.pop(key, None)
        return True

    async def get_my_commands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        """Return the command list for a scope and language."""
        return self.state.commands.get(self._commands_key(params), [])

    async def delete_my_commands(self, params: dict[str, Any]) -> bool:
        """Delete the command list for a scope and language."""
        self.state.commands.pop(self._commands_key(params), None)
        return True

    async def set_chat_menu_button(self, params: dict[str, Any]) -> bool:
        """Store the menu button of a chat, or the default one."""
        button = params.get("menu_button") or {"type": "default"}
        if button.get("type") not in MENU_BUTTONS:
            raise bad_request("can't parse MenuButton: Unsupported type specified")
        if "chat_id" in params:
            self.state.known_chat(params["chat_id"]).menu_button = button
        else:
            self.state.default_menu_button = button
        return True

    async def get_chat_menu_button(self, params: dict[str, Any]) -> dict[str, Any]:
        """Return the menu button of a chat, or the default one."""
        if "chat_id" in params:
            button = self.state.known_chat(params["chat_id"]).menu_button
            return button or self.state.default_menu_button
        return self.state.default_menu_button

    async def get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        """Describe a chat (private, group, supergroup or channel) as ChatFullInfo."""
        chat = self.state.known_chat(params["chat_id"])
        info = {
            **chat.chat_object(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
        username = chat.chat_object().get("username")
        if username:
            info["active_usernames"] = [username]
        return info

    def _profile_setter(self, field: str) -> Handler:
        async def handler(params: dict[str, Any]) -> bool:
            setattr(self.state.bot, field, params.get(field, ""))
            return True

        return handler

    def _profile_getter(self, field: str) -> Handler:
        async def handler(params: dict[str, Any]) -> dict[str, str]:
            return {field: getattr(self.state.bot, field)}

        return handler


def photo_size(stored: StoredFile) -> dict[str, Any]:
    """Render a stored image as the one PhotoSize the simulator offers."""
    width, height = image_size(stored.content) or (1, 1)
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "width": width,
        "height": height,
        "file_size": stored.size,
    }


def _format(text: str, parse_mode: str | None, entities: list[Any] | None) -> FormattedText:
    """Parse text like Telegram, turning parser errors into its 400 texts."""
    try:
        return format_text(text, parse_mode, entities)
    except UnsupportedParseModeError as exc:
        raise bad_request("unsupported parse_mode") from exc
    except EntityParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from exc


def _check_text(formatted: FormattedText) -> None:
    """Apply the 1-4096 characters rule (counted in UTF-16 units) after entity parsing."""
    if not formatted.text:
        raise bad_request("message text is empty")
    if utf16_len(formatted.text) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")


def _text_content(formatted: FormattedText) -> dict[str, Any]:
    content: dict[str, Any] = {"text": formatted.text}
    if formatted.entities:
        content["entities"] = formatted.entities
    return content


def _caption(params: dict[str, Any]) -> dict[str, Any]:
    """Parse an optional caption and apply the 0-1024 characters rule."""
    if "caption" not in params:
        return {}
    formatted = _format(
        params["caption"], params.get("parse_mode"), params.get("caption_entities")
    )
    if utf16_len(formatted.text) > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
    if not formatted.text:
        return {}
    caption: dict[str, Any] = {"caption": formatted.text}
    if formatted.entities:
        caption["caption_entities"] = formatted.entities
    return caption


def _inline_only(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """Edits accept only inline keyboards; anything else means no keyboard."""
    return markup if markup is not None and "inline_keyboard" in markup else None


def _reply_target(chat: ChatState, reply: dict[str, Any] | None) -> Message | None:
    """Resolve reply_parameters to the replied message, as embedded in the new message."""
    if not reply:
        return None
    target = chat.messages.get(reply.get("message_id", 0))
    if target is None:
        if reply.get("allow_sending_without_reply"):
            return None
        raise bad_request("message to be replied not found")
    return {k: v for k, v in target.items() if k != "reply_to_message"}
