"""Playing users: what a person does in the Telegram app, turned into updates for the bot."""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Callable
from typing import Any

from simulator import events as ev
from simulator.botapi import photo_size
from simulator.errors import SimulatorError, UnknownObjectError
from simulator.events import EventBus
from simulator.formatting import detect_entities
from simulator.markup import inline_buttons
from simulator.state import (
    CallbackQueryRecord,
    ChatState,
    Message,
    SimGroup,
    SimState,
    SimUser,
)
from simulator.updates import UpdateQueue

# What an administrator added by a user may do (ChatMemberAdministrator's required fields,
# and the channel's posting rights): a bot in a channel is always one.
_ADMIN_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_post_messages": True,
    "can_edit_messages": True,
}


class UserActions:
    """Create users and let them write, press buttons, upload files and block the bot."""

    def __init__(
        self,
        state: SimState,
        updates: UpdateQueue,
        events: EventBus,
        clock: Callable[[], float],
    ) -> None:
        self.state = state
        self.updates = updates
        self.events = events
        self.clock = clock
        self._query_ids = itertools.count(1)

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
        """Create (or replace) a user; `started=True` lets the bot write before any /start."""
        user = SimUser(
            id=user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            started=started,
        )
        self.state.add_user(user)
        return user

    def user(self, user_id: int) -> SimUser:
        """Look a user up, failing loudly for a test that forgot to create it."""
        user = self.state.users.get(user_id)
        if user is None:
            raise UnknownObjectError(f"no simulated user {user_id}; call add_user first")
        return user

    def add_group(
        self,
        chat_id: int,
        title: str,
        *,
        chat_type: str = "supergroup",
        members: tuple[int, ...] | list[int] = (),
        username: str | None = None,
    ) -> SimGroup:
        """Create a group, supergroup or channel of existing users; the bot is not in it."""
        for member in members:
            self.user(member)
        group = SimGroup(chat_id, chat_type, title, username, set(members))
        self.state.add_group(group)
        return group

    def group(self, chat_id: int) -> SimGroup:
        """Look a group up, failing loudly for a test that forgot to create it."""
        group = self.state.groups.get(chat_id)
        if group is None:
            raise UnknownObjectError(f"no simulated group {chat_id}; call add_group first")
        return group

    def add_bot_to_group(self, chat_id: int, by: int) -> None:
        """A member adds the bot: it gets my_chat_member and, in a group, the service message
        naming it among the new members (a channel makes it an administrator)."""
        group, user = self._member_of(chat_id, by)
        if group.bot_present:
            return
        old = group.bot_status
        group.bot_status = "administrator" if group.type == "channel" else "member"
        group.bot_was_member = True
        bot = self.state.bot.to_api()
        self._bot_status_update(group, user, old)
        if group.type != "channel":
            chat = self.state.chats[chat_id]
            self._post(chat, user, {"new_chat_members": [bot]})

    def remove_bot_from_group(self, chat_id: int, by: int) -> None:
        """A member removes the bot: left a group, banned from a supergroup or channel (as the
        apps do); the bot hears it by my_chat_member only."""
        group, user = self._member_of(chat_id, by)
        if not group.bot_present:
            return
        old = group.bot_status
        group.bot_status = "left" if group.type == "group" else "kicked"
        self._bot_status_update(group, user, old)

    def _member_of(self, chat_id: int, user_id: int) -> tuple[SimGroup, SimUser]:
        group, user = self.group(chat_id), self.user(user_id)
        if user_id not in group.members:
            raise SimulatorError(f"user {user_id} is not a member of chat {chat_id}")
        return group, user

    def _bot_status_update(self, group: SimGroup, by: SimUser, old: str) -> None:
        bot = self.state.bot.to_api()
        self.updates.push(
            "my_chat_member",
            {
                "chat": group.chat(),
                "from": by.to_api(),
                "date": int(time.time()),
                "old_chat_member": _member(old, bot),
                "new_chat_member": _member(group.bot_status, bot),
            },
        )

    def _active_chat(self, user_id: int, chat_id: int | None = None) -> tuple[ChatState, SimUser]:
        """The chat a user acts in, and the user: their private chat (acting opens it, but a
        blocked bot must be unblocked first), or a group they are a member of."""
        if chat_id is not None and chat_id != user_id:
            group, user = self._member_of(chat_id, user_id)
            if group.type == "channel":
                raise SimulatorError("users post in a channel with post_to_channel")
            return self.state.chats[chat_id], user
        user = self.user(user_id)
        if user.blocked:
            raise SimulatorError(f"user {user_id} has blocked the bot; call unblock first")
        user.started = True
        return self.state.chats[user_id], user

    def _post(
        self,
        chat: ChatState,
        user: SimUser | None,
        content: dict[str, Any],
        kind: str = "message",
    ) -> Message:
        """Store a user's message, show it to listeners and queue it for the bot (in a group,
        only what the bot's privacy mode lets it see)."""
        message: Message = {"message_id": chat.new_message_id()}
        if user is not None:
            message["from"] = user.to_api()
        else:  # a channel's own post
            message["sender_chat"] = chat.chat_object()
        message.update(chat=chat.chat_object(), date=int(time.time()), **content)
        chat.messages[message["message_id"]] = message
        chat.last_user_seq = self.events.publish(ev.MESSAGE, chat.id, message).seq
        if self._bot_sees(chat, message):
            self.updates.push(kind, message)
        return message

    def _bot_sees(self, chat: ChatState, message: Message) -> bool:
        """Privacy mode (getMe's can_read_all_group_messages is false): in a group the bot
        gets commands not meant for another bot, replies to its own messages and service
        messages; in a channel where it is an administrator, every post. (Telegram sends a
        general command only if this bot wrote last; here it always does.)"""
        if chat.group is None:
            return True
        if not chat.group.bot_present:
            return False
        if chat.group.type == "channel" or "new_chat_members" in message:
            return True
        replied = message.get("reply_to_message")
        if replied is not None and chat.sent_by_bot(replied):
            return True
        text = message.get("text") or ""
        command = text.split(maxsplit=1)[0] if text.startswith("/") else ""
        target = command.partition("@")[2]
        return bool(command) and target.lower() in ("", self.state.bot.username.lower())

    def post_to_channel(self, chat_id: int, text: str) -> Message:
        """An administrator posts in a channel (as the channel): a channel_post update."""
        group = self.group(chat_id)
        if group.type != "channel":
            raise SimulatorError(f"chat {chat_id} is not a channel")
        content: dict[str, Any] = {"text": text}
        entities = detect_entities(text)
        if entities:
            content["entities"] = entities
        return self._post(self.state.chats[chat_id], None, content, "channel_post")

    def send_text(
        self, user_id: int, text: str, *, reply_to: int | None = None, chat_id: int | None = None
    ) -> Message:
        """Send any text (even over 4096 characters) with commands and links detected; in a
        group when `chat_id` names one the user is in."""
        chat, user = self._active_chat(user_id, chat_id)
        content: dict[str, Any] = {"text": text}
        entities = detect_entities(text)
        if entities:
            content["entities"] = entities
        if reply_to is not None:
            target = chat.messages.get(reply_to)
            if target is None:
                raise UnknownObjectError(f"no message {reply_to} in chat {chat.id} to reply to")
            content["reply_to_message"] = {
                k: v for k, v in target.items() if k != "reply_to_message"
            }
        keyboard = chat.reply_keyboard
        if keyboard and keyboard.get("one_time_keyboard"):
            labels = {button["text"] for row in keyboard["keyboard"] for button in row}
            if text in labels:
                chat.reply_keyboard = None
        return self._post(chat, user, content)

    def edit_text(
        self, user_id: int, message_id: int, text: str, *, chat_id: int | None = None
    ) -> Message:
        """Edit one of the user's own text messages (the bot gets an edited_message, in a
        group if it saw the message)."""
        chat, _user = self._active_chat(user_id, chat_id)
        old = chat.messages.get(message_id)
        if old is None or old.get("from", {}).get("id") != user_id or "text" not in old:
            raise UnknownObjectError(f"user {user_id} has no text message {message_id} to edit")
        new = {k: v for k, v in old.items() if k != "entities"}
        new.update(text=text, edit_date=int(time.time()))
        entities = detect_entities(text)
        if entities:
            new["entities"] = entities
        chat.messages[message_id] = new
        chat.last_user_seq = self.events.publish(ev.EDITED, chat.id, new).seq
        if self._bot_sees(chat, new):
            self.updates.push("edited_message", new)
        return new

    def send_document(
        self,
        user_id: int,
        filename: str,
        content: bytes,
        mime_type: str | None = None,
        *,
        caption: str | None = None,
    ) -> Message:
        """Upload a file as a document; the bot can getFile and download it."""
        chat, user = self._active_chat(user_id)
        stored = self.state.files.add(content, filename, mime_type, "documents")
        return self._post(chat, user, {"document": stored.document(), **_caption(caption)})

    def send_photo(self, user_id: int, content: bytes, *, caption: str | None = None) -> Message:
        """Send a picture (PNG, GIF or JPEG bytes) as a photo."""
        chat, user = self._active_chat(user_id)
        stored = self.state.files.add(content, None, None, "photos")
        return self._post(chat, user, {"photo": [photo_size(stored)], **_caption(caption)})

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
        """Press an inline button (by callback_data or label) and return the query id; in a
        group when `chat_id` names one the user is in.

        With `forge=True` the data need not be on the message, and the message need not
        exist, to test how the bot copes with stale or tampered callback data.
        """
        chat, user = self._active_chat(user_id, chat_id)
        message = chat.messages.get(message_id)
        if message is not None and not chat.sent_by_bot(message):
            message = None
        if message is None and not forge:
            raise UnknownObjectError(f"no bot message {message_id} in chat {chat.id}")
        data = self._button_data(message, callback_data, text, forge)
        if message is None:  # a forged press on a missing message: InaccessibleMessage
            message = {"chat": chat.chat_object(), "message_id": message_id, "date": 0}
        query_id = str(user_id * 1_000_000 + next(self._query_ids))
        query = {
            "id": query_id,
            "from": user.to_api(),
            "message": message,
            "chat_instance": _chat_instance(self.state.bot.id, chat.id),
            "data": data,
        }
        self.state.callback_queries[query_id] = CallbackQueryRecord(
            id=query_id,
            user_id=user_id,
            chat_id=chat.id,
            message_id=message_id,
            data=data,
            created=self.clock(),
            forged=forge,
        )
        chat.last_user_seq = self.events.publish(ev.CALLBACK_QUERY, chat.id, query).seq
        self.updates.push("callback_query", query)
        return query_id

    @staticmethod
    def _button_data(
        message: Message | None, callback_data: str | None, text: str | None, forge: bool
    ) -> str:
        """Find the pressed button's callback_data, or accept any data when forging."""
        buttons = inline_buttons(message) if message else []
        for button in buttons:
            if "callback_data" not in button:
                continue
            if (callback_data is None or button["callback_data"] == callback_data) and (
                text is None or button["text"] == text
            ):
                data: str = button["callback_data"]
                return data
        if forge and callback_data is not None:
            return callback_data
        wanted = callback_data if text is None else f"labelled {text!r}"
        raise UnknownObjectError(f"no callback button {wanted} on the message")

    def block(self, user_id: int) -> None:
        """The user blocks the bot: sends now fail with 403 and the bot gets my_chat_member."""
        user = self.user(user_id)
        if user.blocked:
            return
        user.blocked = True
        self._member_update(user, "member", "kicked")
        self.events.publish(ev.BLOCKED, user.id, user.to_api())

    def unblock(self, user_id: int) -> None:
        """The user unblocks the bot (the app's "Restart" without sending /start)."""
        user = self.user(user_id)
        if not user.blocked:
            return
        user.blocked = False
        self._member_update(user, "kicked", "member")
        self.events.publish(ev.UNBLOCKED, user.id, user.to_api())

    def _member_update(self, user: SimUser, old: str, new: str) -> None:  # a private chat
        bot = self.state.bot.to_api()
        self.updates.push(
            "my_chat_member",
            {
                "chat": user.chat(),
                "from": user.to_api(),
                "date": int(time.time()),
                "old_chat_member": _member(old, bot),
                "new_chat_member": _member(new, bot),
            },
        )


def _member(status: str, bot: dict[str, Any]) -> dict[str, Any]:
    member: dict[str, Any] = {"status": status, "user": bot}
    if status == "kicked":
        member["until_date"] = 0
    if status == "administrator":
        member.update(_ADMIN_RIGHTS)
    return member


def _caption(caption: str | None) -> dict[str, Any]:
    if not caption:
        return {}
    entities = detect_entities(caption)
    return {"caption": caption, **({"caption_entities": entities} if entities else {})}


def _chat_instance(bot_id: int, chat_id: int) -> str:
    """A stable opaque chat_instance, as Telegram gives per bot and chat."""
    digest = hashlib.sha256(f"{bot_id}:{chat_id}".encode()).digest()
    return str(-int.from_bytes(digest[:7], "big"))
