"""Health data stays in private chats: one guard stands before every handler.

`handlers.register_all` adds it first, in a handler group of its own that PTB runs before
every other (`GUARD_GROUP`). An update that is not from a person in their own private chat
(a group, a supergroup, a channel, an inline query, a business chat) stops there
(`ApplicationHandlerStop`): no handler runs for it, so nothing is read or stored for it and
no reply, reminder set-up or file can go to such a chat. In a group, supergroup or channel
the bot says once that it works in a private chat, with a button to open it; a press on a
button there gets the same words in a toast.

Which chats were told is kept in memory only (the latest `TOLD_LIMIT`; forgotten when the
bot is removed, so a new arrival is told again): nothing about a group is stored.
"""

from __future__ import annotations

import logging

from telegram import Chat, ChatMember, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, TypeHandler

from handlers.common import App, Context, answer_query
from ui import texts
from ui.keyboards.chats import private_chat_button

log = logging.getLogger(__name__)

# PTB runs handler groups in ascending order; every other handler is in group 0.
GUARD_GROUP = -1
TOLD_LIMIT = 10_000
_GONE = frozenset({ChatMember.LEFT, ChatMember.BANNED})


def from_a_private_chat(update: Update) -> bool:
    """Tell whether an update comes from a person in their private chat with the bot (there,
    and only there, the chat's id is the person's own)."""
    chat, user = update.effective_chat, update.effective_user
    business = (
        update.business_connection,
        update.business_message,
        update.edited_business_message,
        update.deleted_business_messages,
    )
    return (
        chat is not None
        and chat.type == Chat.PRIVATE
        and user is not None
        and chat.id == user.id
        and not user.is_bot
        and all(part is None for part in business)
    )


class PrivateChatsOnly:
    """The guard: let updates from private chats through, stop every other."""

    def __init__(self) -> None:
        self._told: dict[int, None] = {}  # chat ids, oldest first

    async def __call__(self, update: Update, context: Context) -> None:
        """Return for a private chat's update; otherwise point to the private chat (once
        per chat) and stop the update."""
        if from_a_private_chat(update):
            return
        await self._point_to_private_chat(update, context)
        raise ApplicationHandlerStop

    async def _point_to_private_chat(self, update: Update, context: Context) -> None:
        if update.callback_query is not None:
            await answer_query(update.callback_query, texts.PRIVATE_CHAT_ONLY_SHORT)
        chat, joined = update.effective_chat, update.my_chat_member
        if chat is None or chat.type == Chat.PRIVATE:
            return  # an inline query, a business chat: nothing to say, nowhere to say it
        if joined is not None and joined.new_chat_member.status in _GONE:
            self._told.pop(chat.id, None)  # removed: if added again, say it again
            return
        if (joined is None and update.effective_message is None) or chat.id in self._told:
            return
        self._told[chat.id] = None
        if len(self._told) > TOLD_LIMIT:
            del self._told[next(iter(self._told))]
        try:
            await context.bot.send_message(
                chat.id,
                texts.PRIVATE_CHAT_ONLY,
                reply_markup=private_chat_button(context.bot.username),
            )
        except TelegramError as error:  # not allowed to write there: nothing more to do
            log.info("could not point a group to the private chat: %s", type(error).__name__)


def register(app: App) -> None:
    """Put the guard before every other handler (call first)."""
    app.add_handler(TypeHandler(Update, PrivateChatsOnly()), group=GUARD_GROUP)
