"""The button that leads from a group, supergroup or channel to the bot's private chat."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from ui import texts


def private_chat_link(bot_username: str) -> str:
    """Return the t.me link that opens the private chat with the bot."""
    return f"https://t.me/{bot_username}"


def private_chat_button(bot_username: str) -> InlineKeyboardMarkup:
    """One URL button (no callback data: nothing comes back to the group) to the bot."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.OPEN_PRIVATE_CHAT, url=private_chat_link(bot_username))]]
    )
