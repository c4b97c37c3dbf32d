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
from simulator.state import CallbackQueryRecord, ChatState, Message, SimState, SimUser
from simulator.updates import UpdateQueue


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

    def _active_chat(self, user_id: int) -> ChatState:
        """The chat a user acts in; acting opens it, but a blocked bot must be unblocked first."""
        user = self.user(user_id)
        if user.blocked:
            raise SimulatorError(f"user {user_id} has blocked the bot; call unblock first")
        user.started = True
        return self.state.chats[user_id]

    def _post(self, chat: ChatState, content: dict[str, Any]) -> Message:
        """Store a user's message, show it to listeners and queue it for the bot."""
        message: Message = {
            "message_id": chat.new_message_id(),
            "from": chat.user.to_api(),
            "chat": chat.user.chat(),
            "date": int(time.time()),
            **content,
        }
        chat.messages[message["message_id"]] = message
        chat.last_user_seq = self.events.publish(ev.MESSAGE, chat.id, message).seq
        self.updates.push("message", message)
        return message

    def send_text(self, user_id: int, text: str, *, reply_to: int | None = None) -> Message:
        """Send any text (even over 4096 characters) with commands and links detected."""
        chat = self._active_chat(user_id)
        content: dict[str, Any] = {"text": text}
        entities = detect_entities(text)
        if entities:
            content["entities"] = entities
        if reply_to is not None:
            target = chat.messages.get(reply_to)
            if target is None:
                raise UnknownObjectError(f"no message {reply_to} in chat {user_id} to reply to")
            content["reply_to_message"] = {
                k: v for k, v in target.items() if k != "reply_to_message"
            }
        keyboard = chat.reply_keyboard
        if keyboard and keyboard.get("one_time_keyboard"):
            labels = {button["text"] for row in keyboard["keyboard"] for button in row}
            if text in labels:
                chat.reply_keyboard = None
        return self._post(chat, content)

    def edit_text(self, user_id: int, message_id: int, text: str) -> Message:
        """Edit one of the user's own text messages (the bot gets an edited_message)."""
        chat = self._active_chat(user_id)
        old = chat.messages.get(message_id)
        if old is None or old["from"]["id"] != user_id or "text" not in old:
            raise UnknownObjectError(f"user {user_id} has no text message {message_id} to edit")
        new = {k: v for k, v in old.items() if k != "entities"}
        new.update(text=text, edit_date=int(time.time()))
        entities = detect_entities(text)
        if entities:
            new["entities"] = entities
        chat.messages[message_id] = new
        chat.last_user_seq = self.events.publish(ev.EDITED, chat.id, new).seq
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
        chat = self._active_chat(user_id)
        stored = self.state.files.add(content, filename, mime_type, "documents")
        return self._post(chat, {"document": stored.document(), **_caption(caption)})

    def send_photo(self, user_id: int, content: bytes, *, caption: str | None = None) -> Message:
        """Send a picture (PNG, GIF or JPEG bytes) as a photo."""
        chat = self._active_chat(user_id)
        stored = self.state.files.add(content, None, None, "photos")
        return self._post(chat, {"photo": [photo_size(stored)], **_caption(caption)})

    def press_button(
        self,
        user_id: int,
        message_id: int,
        callback_data: str | None = None,
        *,
        text: str | None = None,
        forge: bool = False,
    ) -> str:
        """Press an inline button (by callback_data or label) and return the query id.

        With `forge=True` the data need not be on the message, and the message need not
        exist, to test how the bot copes with stale or tampered callback data.
        """
        chat = self._active_chat(user_id)
        message = chat.messages.get(message_id)
        if message is not None and not message["from"]["is_bot"]:
            message = None
        if message is None and not forge:
            raise UnknownObjectError(f"no bot message {message_id} in chat {user_id}")
        data = self._button_data(message, callback_data, text, forge)
        if message is None:  # a forged press on a missing message: InaccessibleMessage
            message = {"chat": chat.user.chat(), "message_id": message_id, "date": 0}
        query_id = str(user_id * 1_000_000 + next(self._query_ids))
        query = {
            "id": query_id,
            "from": chat.user.to_api(),
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

    def _member_update(self, user: SimUser, old: str, new: str) -> None:
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
