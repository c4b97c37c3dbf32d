"""Health data goes to a person's private chat with the bot, and nowhere else (pure).

In a private chat Telegram gives the chat the person's own id; groups, supergroups and
channels have negative ids of their own. So the one chat the bot may keep for a person is
the one whose id is their Telegram id: the handlers' guard lets no other chat's update in
(`handlers.private_chats`), the services refuse any other, and revision 0015 repaired the
rows that named a group.
"""

from __future__ import annotations

from bot.domain.errors import BonebotError


class NotAPrivateChat(BonebotError):
    """A chat that is not the person's own private chat with the bot."""


def private_chat_of(telegram_user_id: int, chat_id: int) -> int:
    """Return the chat to keep for a person: their private chat, or raise NotAPrivateChat."""
    if chat_id != telegram_user_id or chat_id <= 0:
        raise NotAPrivateChat(f"chat {chat_id} is not the private chat of that person")
    return chat_id
