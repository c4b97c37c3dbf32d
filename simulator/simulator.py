"""BotApiSimulator: the local Telegram, its lifecycle, and the Python API tests use."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from simulator.botapi import BotApi
from simulator.control import control_routes
from simulator.errors import SimulatorError, UnknownObjectError
from simulator.events import EDITED, MESSAGE, EventBus, SimEvent, Subscription
from simulator.faults import FaultConfig, FaultInjector
from simulator.limits import FloodControl, RateLimits
from simulator.service import TOKEN_RE, BotApiService
from simulator.spec import ApiSpec
from simulator.state import (
    ApiCall,
    BotProfile,
    CallbackQueryRecord,
    ChatState,
    Message,
    SimGroup,
    SimState,
    SimUser,
)
from simulator.updates import UpdateQueue
from simulator.users import UserActions

T = TypeVar("T")

DEFAULT_TOKEN = "7000000001:AAHsimulatedBotTokenForLocalTests000000"


class BotApiSimulator:
    """A local stand-in for api.telegram.org that real PTB code can talk to over HTTP."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        tokens: Iterable[str] | None = None,
        bot_first_name: str = "BoneBot",
        bot_username: str = "bonebot_sim_bot",
        rate_limits: RateLimits | None = None,
        faults: FaultConfig | None = None,
        spec: ApiSpec | None = None,
        spec_path: Path | str | None = None,
        clock: Callable[[], float] = time.monotonic,
        callback_query_ttl: float = 15.0,
        max_upload_bytes: int = 50 * 1024 * 1024,
    ) -> None:
        match = TOKEN_RE.fullmatch(token)
        if match is None:
            raise ValueError(f"not a Bot API token: {token!r}")
        self.token = token
        self.tokens = frozenset(tokens) if tokens is not None else None
        self.spec = spec or ApiSpec.load(spec_path)
        self.max_upload_bytes = max_upload_bytes
        self.events = EventBus()
        self.state = SimState(
            BotProfile(id=int(match.group(1)), first_name=bot_first_name, username=bot_username)
        )
        self.faults = FaultInjector(faults or FaultConfig())
        self.updates = UpdateQueue(self.spec.update_types, shape=self.faults.shape_update)
        self.flood = FloodControl(rate_limits or RateLimits(), clock)
        self.api = BotApi(
            self.state, self.updates, self.events, self.flood, clock, callback_query_ttl
        )
        self.users = UserActions(self.state, self.updates, self.events, clock)
        self.service = BotApiService(self)
        self.host: str | None = None
        self.port: int | None = None
        self._runner: web.AppRunner | None = None

    # --- addresses and lifecycle ----------------------------------------------------------------

    @property
    def url(self) -> str:
        """Root URL of the running server, e.g. http://127.0.0.1:8081."""
        if self.port is None:
            raise SimulatorError("the simulator is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What to pass to PTB's base_url (PTB appends token and method)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """What to pass to PTB's base_file_url."""
        return f"{self.url}/file/bot"

    @property
    def rate_limits(self) -> RateLimits:
        """Flood limits in force; assign a new RateLimits to change them."""
        return self.flood.limits

    @rate_limits.setter
    def rate_limits(self, limits: RateLimits) -> None:
        self.flood.limits = limits

    def build_app(self) -> web.Application:
        """Build the aiohttp app (Bot API, file downloads, /_sim control) without serving it."""
        app = web.Application(client_max_size=self.max_upload_bytes + 1024 * 1024)
        app[SIMULATOR_KEY] = self
        app.add_routes(self.service.routes())
        app.add_routes(control_routes(self))
        return app

    async def start(
        self, host: str = "127.0.0.1", port: int = 0, *, app: web.Application | None = None
    ) -> None:
        """Serve on host:port (0 picks a free port, see `port`); `app` may carry extra routes."""
        if self._runner is not None:
            raise SimulatorError("the simulator is already started")
        self.updates.reopen()
        self.service.closing.clear()
        runner = web.AppRunner(
            app or self.build_app(),
            handler_cancellation=True,
            shutdown_timeout=1.0,
            access_log=None,
        )
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        self.host = host
        self.port = runner.addresses[0][1]

    async def stop(self) -> None:
        """End pending long polls and delayed replies, then close the server."""
        if self._runner is None:
            return
        self.updates.close()
        self.service.closing.set()
        runner, self._runner = self._runner, None
        await runner.cleanup()
        self.port = None

    async def __aenter__(self) -> BotApiSimulator:
        if self._runner is None:
            await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- playing users --------------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str = "Test",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        started: bool = False,
    ) -> SimUser:
        """Create a user; the bot can write to them after their first message or if started."""
        return self.users.add_user(
            user_id,
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            started=started,
        )

    def add_group(
        self,
        chat_id: int,
        title: str,
        *,
        chat_type: str = "supergroup",
        members: tuple[int, ...] | list[int] = (),
        username: str | None = None,
    ) -> SimGroup:
        """Create a group, supergroup or channel (negative id; -100... for the last two) of
        existing users; the bot is not in it until a member adds it."""
        return self.users.add_group(
            chat_id, title, chat_type=chat_type, members=members, username=username
        )

    def add_bot_to_group(self, chat_id: int, by: int) -> None:
        """A member adds the bot to the group (my_chat_member, and the service message)."""
        self.users.add_bot_to_group(chat_id, by)

    def remove_bot_from_group(self, chat_id: int, by: int) -> None:
        """A member removes the bot from the group (my_chat_member)."""
        self.users.remove_bot_from_group(chat_id, by)

    def post_to_channel(self, chat_id: int, text: str) -> Message:
        """The channel posts a text (a channel_post update for the bot, if it is an admin)."""
        return self.users.post_to_channel(chat_id, text)

    def send_text(
        self, user_id: int, text: str, *, reply_to: int | None = None, chat_id: int | None = None
    ) -> Message:
        """The user sends a text (commands get bot_command entities); returns the Message.

        With `chat_id` naming a group the user is in, it is sent there; the bot sees it as
        privacy mode allows (commands for it, replies to it).
        """
        return self.users.send_text(user_id, text, reply_to=reply_to, chat_id=chat_id)

    def edit_text(
        self, user_id: int, message_id: int, text: str, *, chat_id: int | None = None
    ) -> Message:
        """The user edits their own message; the bot gets an edited_message update."""
        return self.users.edit_text(user_id, message_id, text, chat_id=chat_id)

    def press_button(
        self,
        user_id: int,
        message_id: int,
        callback_data: str | None = None,
        *,
        text: str | None = None,
        forge: bool = False,
        chat_id: int | None = None,
    ) -> str:
        """The user presses an inline button (in a group with `chat_id`); returns the query id."""
        return self.users.press_button(
            user_id, message_id, callback_data, text=text, forge=forge, chat_id=chat_id
        )

    def send_document(
        self,
        user_id: int,
        filename: str,
        content: bytes,
        mime_type: str | None = None,
        *,
        caption: str | None = None,
    ) -> Message:
        """The user uploads a document."""
        return self.users.send_document(user_id, filename, content, mime_type, caption=caption)

    def send_photo(self, user_id: int, content: bytes, *, caption: str | None = None) -> Message:
        """The user sends a photo (PNG, GIF or JPEG bytes)."""
        return self.users.send_photo(user_id, content, caption=caption)

    def block(self, user_id: int) -> None:
        """The user blocks the bot."""
        self.users.block(user_id)

    def unblock(self, user_id: int) -> None:
        """The user unblocks the bot."""
        self.users.unblock(user_id)

    # --- inspecting -----------------------------------------------------------------------------

    def user(self, user_id: int) -> SimUser:
        """A simulated user."""
        return self.users.user(user_id)

    def group(self, chat_id: int) -> SimGroup:
        """A simulated group, supergroup or channel."""
        return self.users.group(chat_id)

    def chat(self, chat_id: int) -> ChatState:
        """A chat's live state (messages, reply keyboard, menu button, last chat action)."""
        chat = self.state.chat(chat_id)
        if chat is None:
            raise UnknownObjectError(f"no chat {chat_id}")
        return chat

    def messages(self, chat_id: int) -> list[Message]:
        """Messages now in the chat, oldest first: edits applied, deleted ones gone."""
        return list(self.chat(chat_id).messages.values())

    def bot_messages(self, chat_id: int) -> list[Message]:
        """The bot's messages now in the chat, oldest first."""
        chat = self.chat(chat_id)
        return [m for m in chat.messages.values() if chat.sent_by_bot(m)]

    def last_bot_message(self, chat_id: int) -> Message | None:
        """The bot's newest message still in the chat."""
        messages = self.bot_messages(chat_id)
        return messages[-1] if messages else None

    def calls(self, method: str | None = None) -> list[ApiCall]:
        """Every Bot API call the bot made (not getUpdates), in order, optionally one method."""
        if method is None:
            return list(self.state.calls)
        return [c for c in self.state.calls if c.method.lower() == method.lower()]

    def callback_query(self, query_id: str) -> CallbackQueryRecord:
        """A button press and whether/how the bot answered it."""
        record = self.state.callback_queries.get(query_id)
        if record is None:
            raise UnknownObjectError(f"no callback query {query_id}")
        return record

    def file_content(self, file_id: str) -> bytes:
        """The bytes behind a file_id (sent by the bot or by a user)."""
        stored = self.state.files.get(file_id)
        if stored is None:
            raise UnknownObjectError(f"no file {file_id}")
        return stored.content

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        """The command list the bot set for a scope and language."""
        key = self.api._commands_key({"scope": scope, "language_code": language_code})
        return list(self.state.commands.get(key, []))

    # --- observing and waiting ------------------------------------------------------------------

    def subscribe(self) -> Subscription:
        """Stream every later SimEvent: `with sim.subscribe() as events: async for e in events`."""
        return self.events.subscribe()

    def add_listener(self, listener: Callable[[SimEvent], None]) -> Callable[[], None]:
        """Call `listener` for every event; returns the function that removes it."""
        return self.events.add_listener(listener)

    async def wait_for(
        self,
        check: Callable[[], T | None],
        timeout: float = 5.0,  # noqa: ASYNC109 - tests want a timeout argument, not a scope
        what: str = "",
    ) -> T:
        """Wait until `check()` returns something truthy, re-checking after every event."""
        return await self.events.wait_until(check, timeout, what)

    async def wait_for_message(
        self,
        chat_id: int,
        predicate: Callable[[Message], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - see wait_for
        *,
        after: int | None = None,
    ) -> Message:
        """Wait for a bot message sent or edited in the chat after the user's last action.

        The message is returned as it was at that send or edit. `after` is an event seq to
        start from instead (0 means from the beginning).
        """
        event = await self.wait_for_message_event(chat_id, predicate, timeout, after=after)
        return event.data

    async def wait_for_message_event(
        self,
        chat_id: int,
        predicate: Callable[[Message], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - see wait_for
        *,
        after: int | None = None,
    ) -> SimEvent:
        """Like wait_for_message, but the event itself: its seq and time tell when the bot's
        message arrived (benchmarks measure replies with it)."""
        chat = self.chat(chat_id)
        start = chat.last_user_seq if after is None else after

        def check() -> SimEvent | None:
            for event in self.events.chat_history(chat_id, start):
                if (
                    event.kind in (MESSAGE, EDITED)
                    and chat.sent_by_bot(event.data)
                    and (predicate is None or predicate(event.data))
                ):
                    return event
            return None

        return await self.events.wait_until(
            check, timeout, f"bot message in chat {chat_id}", chat_id=chat_id
        )

    async def wait_for_callback_answer(
        self,
        query_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109 - see wait_for
    ) -> dict[str, Any]:
        """Wait until the bot answers a callback query; returns the answer's fields."""

        def check() -> dict[str, Any] | None:
            return self.callback_query(query_id).answer

        return await self.wait_for(check, timeout, f"answer to callback query {query_id}")

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - see wait_for
        *,
        after: int = 0,
    ) -> ApiCall:
        """Wait for a Bot API call (with call seq > `after`) matching the method and predicate."""

        def check() -> ApiCall | None:
            for call in self.state.calls[after:]:
                if call.method.lower() == method.lower() and (
                    predicate is None or predicate(call)
                ):
                    return call
            return None

        return await self.wait_for(check, timeout, f"{method} call")

    async def wait_for_polling(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 - see wait_for
    ) -> None:
        """Wait until the bot sits in a getUpdates long poll, i.e. it is up and listening."""
        try:
            await self.updates.wait_for_poll(timeout)
        except TimeoutError:
            raise TimeoutError(f"simulator: no long poll within {timeout}s") from None

    def events_since(self, seq: int = 0) -> list[SimEvent]:
        """Recorded events with seq greater than `seq`."""
        return self.events.history(seq)


SIMULATOR_KEY = web.AppKey("bot_api_simulator", BotApiSimulator)
