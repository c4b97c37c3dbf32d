"""What the simulated Telegram knows: the bot, its users, their chats, files and queries."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from simulator.errors import BOT_BLOCKED, CHAT_NOT_FOUND, bad_request, forbidden
from simulator.files import FileStore

Message = dict[str, Any]

# Chat.type of the chats that are not private (Bot API "Chat").
GROUP_TYPES = ("group", "supergroup", "channel")
# ChatMember statuses in which the bot is in the chat and may write there.
BOT_PRESENT = frozenset({"member", "administrator"})


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
class SimGroup:
    """A group, supergroup or channel: its title, its members, and the bot's place in it.

    Ids are negative as Telegram's are (supergroups and channels start with -100). The bot
    is not in it until a member adds it (`UserActions.add_bot_to_group`).
    """

    id: int
    type: str
    title: str
    username: str | None = None
    members: set[int] = field(default_factory=set)  # simulated users in it
    bot_status: str = "left"  # the bot's ChatMember status: left, member, administrator, kicked
    bot_was_member: bool = False  # Telegram knows a chat the bot was ever in

    def __post_init__(self) -> None:
        if self.type not in GROUP_TYPES:
            raise ValueError(f"a group chat's type is one of {GROUP_TYPES}")
        if self.id >= 0 or (self.type != "group" and not str(self.id).startswith("-100")):
            raise ValueError("group ids are negative; supergroup and channel ids start with -100")

    @property
    def bot_present(self) -> bool:
        """Tell whether the bot is in the chat now."""
        return self.bot_status in BOT_PRESENT

    def chat(self) -> dict[str, Any]:
        """Render as a Chat object."""
        chat: dict[str, Any] = {"id": self.id, "type": self.type, "title": self.title}
        if self.username:
            chat["username"] = self.username
        return chat

    def to_json(self) -> dict[str, Any]:
        """Render with the simulator-only fields, for the control API."""
        return {**asdict(self), "members": sorted(self.members)}


@dataclass
class ChatState:
    """A chat: private with one user, or a group, supergroup or channel; its live messages
    (edits applied, deletions removed) and UI state."""

    user: SimUser | None = None  # the other party of a private chat
    group: SimGroup | None = None  # or the group, supergroup or channel
    messages: dict[int, Message] = field(default_factory=dict)
    reply_keyboard: dict[str, Any] | None = None
    menu_button: dict[str, Any] | None = None
    last_action: str | None = None
    last_user_seq: int = 0  # event seq of the user's latest action here
    # The bot's messages (in a channel they carry no `from`: they are the channel's).
    bot_message_ids: set[int] = field(default_factory=set)
    _next_message_id: int = 1

    def __post_init__(self) -> None:
        if (self.user is None) == (self.group is None):
            raise ValueError("a chat is private with one user, or a group")

    @property
    def id(self) -> int:
        """Private chats share the user's id; groups have their own (negative) one."""
        if self.group is not None:
            return self.group.id
        assert self.user is not None
        return self.user.id

    @property
    def private(self) -> bool:
        """Tell whether this is a private chat with one user."""
        return self.group is None

    def chat_object(self) -> dict[str, Any]:
        """Render the chat as the Chat object in its messages."""
        if self.group is not None:
            return self.group.chat()
        assert self.user is not None
        return self.user.chat()

    def sent_by_bot(self, message: Message) -> bool:
        """Tell whether a message of this chat is one the bot sent."""
        return message.get("message_id") in self.bot_message_ids

    def person(self) -> SimUser:
        """The user of a private chat (a group has no single one)."""
        if self.user is None:
            raise ValueError(f"chat {self.id} is not a private chat")
        return self.user

    def new_message_id(self) -> int:
        """Allocate the next message id; ids are per chat and never reused."""
        message_id = self._next_message_id
        self._next_message_id += 1
        return message_id

    def to_json(self) -> dict[str, Any]:
        """Render for the control API and the demo page."""
        return {
            "id": self.id,
            "type": self.chat_object()["type"],
            "user": self.user.to_json() if self.user is not None else None,
            "group": self.group.to_json() if self.group is not None else None,
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
        self.groups: dict[int, SimGroup] = {}
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

    def add_group(self, group: SimGroup) -> ChatState:
        """Register a group, supergroup or channel and its chat."""
        if group.id in self.chats and self.chats[group.id].group is None:
            raise ValueError(f"chat {group.id} exists and is not a group")
        self.groups[group.id] = group
        chat = self.chats.get(group.id)
        if chat is None:
            chat = self.chats[group.id] = ChatState(group=group)
        chat.group = group
        return chat

    def chat(self, chat_id: int) -> ChatState | None:
        """The chat with this id, if a simulated user or group has one."""
        return self.chats.get(chat_id)

    def writable_chat(self, chat_id: int | str) -> ChatState:
        """The chat the bot may write to, or the 400/403 Telegram gives."""
        chat = self.known_chat(chat_id)
        if chat.user is not None and chat.user.blocked:
            raise forbidden(BOT_BLOCKED)
        return chat

    def known_chat(self, chat_id: int | str) -> ChatState:
        """The chat for edits and deletions (blocking does not matter there; in a group, the
        bot must still be in it)."""
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request(CHAT_NOT_FOUND)
        if chat.group is not None:
            _check_present(chat.group)
        elif not chat.person().started:
            raise bad_request(CHAT_NOT_FOUND)
        return chat


def _check_present(group: SimGroup) -> None:
    """Fail as Telegram does when the bot writes to a group it is not (or no longer) in."""
    if group.bot_present:
        return
    if not group.bot_was_member:
        raise bad_request(CHAT_NOT_FOUND)
    if group.bot_status == "kicked" and group.type != "channel":
        raise forbidden(f"bot was kicked from the {group.type} chat")
    raise forbidden(f"bot is not a member of the {group.type} chat")
