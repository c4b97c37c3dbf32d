"""What the simulated Telegram knows: the bot, its users, their chats, files and queries."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from simulator.errors import BOT_BLOCKED, CHAT_NOT_FOUND, bad_request, forbidden
from simulator.files import FileStore

Message = dict[str, Any]


@dataclass
class SimUser:
    """A simulated Telegram user talking to the bot in a private chat."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    blocked: bool = False  # the user blocked the bot
    started: bool = False  # the user has opened the chat, so the bot may write to it

    def to_api(self) -> dict[str, Any]:
        """Render as a User object."""
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key):
                user[key] = getattr(self, key)
        return user

    def chat(self) -> dict[str, Any]:
        """Render the private chat with this user as a Chat object."""
        chat: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            chat["last_name"] = self.last_name
        if self.username:
            chat["username"] = self.username
        return chat

    def to_json(self) -> dict[str, Any]:
        """Render with the simulator-only flags, for the control API."""
        return asdict(self)


@dataclass
class ChatState:
    """A private chat: its live messages (edits applied, deletions removed) and UI state."""

    user: SimUser
    messages: dict[int, Message] = field(default_factory=dict)
    reply_keyboard: dict[str, Any] | None = None
    menu_button: dict[str, Any] | None = None
    last_action: str | None = None
    last_user_seq: int = 0  # event seq of the user's latest action here
    _next_message_id: int = 1

    @property
    def id(self) -> int:
        """Private chats share the user's id."""
        return self.user.id

    def new_message_id(self) -> int:
        """Allocate the next message id; ids are per chat and never reused."""
        message_id = self._next_message_id
        self._next_message_id += 1
        return message_id

    def to_json(self) -> dict[str, Any]:
        """Render for the control API and the demo page."""
        return {
            "id": self.id,
            "user": self.user.to_json(),
            "reply_keyboard": self.reply_keyboard,
            "menu_button": self.menu_button,
            "last_action": self.last_action,
            "message_count": len(self.messages),
        }


@dataclass
class CallbackQueryRecord:
    """A button press and, once the bot answers, its answer."""

    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str | None
    created: float  # simulator clock
    forged: bool = False
    answered: bool = False
    answer: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """Render for the control API."""
        return asdict(self)


@dataclass(frozen=True)
class ApiCall:
    """One Bot API request the bot made, with its outcome."""

    seq: int
    method: str
    params: dict[str, Any]
    ok: bool
    result: Any = None
    error_code: int | None = None
    description: str | None = None
    fault: dict[str, Any] | None = None
    time: float = field(default_factory=time.time)

    def to_json(self) -> dict[str, Any]:
        """Render for the control API."""
        return asdict(self)


@dataclass
class BotProfile:
    """The simulated bot account; its id comes from the token the bot uses."""

    id: int
    first_name: str
    username: str
    name: str = ""
    description: str = ""
    short_description: str = ""

    def to_api(self) -> dict[str, Any]:
        """Render as the User object in the bot's messages."""
        return {
            "id": self.id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def get_me(self) -> dict[str, Any]:
        """Render as getMe returns it, with the bot-only capability flags."""
        return {
            **self.to_api(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }


@dataclass
class WebhookState:
    """The stored webhook settings (updates are not pushed; see the package docs)."""

    url: str = ""
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    secret_token: str | None = None
    ip_address: str | None = None


class SimState:
    """All mutable simulator data; methods here raise the errors Telegram would."""

    def __init__(self, bot: BotProfile) -> None:
        self.bot = bot
        self.users: dict[int, SimUser] = {}
        self.chats: dict[int, ChatState] = {}
        self.files = FileStore()
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.default_menu_button: dict[str, Any] = {"type": "default"}
        self.webhook = WebhookState()
        self.calls: list[ApiCall] = []

    def add_user(self, user: SimUser) -> ChatState:
        """Register a user and the private chat with them."""
        if user.id <= 0:
            raise ValueError("user ids are positive")
        self.users[user.id] = user
        chat = self.chats.get(user.id)
        if chat is None:
            chat = self.chats[user.id] = ChatState(user)
        chat.user = user
        return chat

    def chat(self, chat_id: int) -> ChatState | None:
        """The chat with this id, if a simulated user has one."""
        return self.chats.get(chat_id)

    def writable_chat(self, chat_id: int | str) -> ChatState:
        """The chat the bot may write to, or the 400/403 Telegram gives."""
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None or not chat.user.started:
            raise bad_request(CHAT_NOT_FOUND)
        if chat.user.blocked:
            raise forbidden(BOT_BLOCKED)
        return chat

    def known_chat(self, chat_id: int | str) -> ChatState:
        """The chat for edits and deletions (blocking does not matter there)."""
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None or not chat.user.started:
            raise bad_request(CHAT_NOT_FOUND)
        return chat
