"""Last-resort handlers: unknown commands, stray text, stale buttons, and errors."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers.common import App, Context, answer_query
from handlers.private_chats import from_a_private_chat
from handlers.registration import greet_newcomer
from ui import texts

log = logging.getLogger(__name__)


async def cancel_outside(update: Update, context: Context) -> None:
    """/cancel with nothing under way still gets an answer."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(texts.CANCELLED)


async def unknown_command(update: Update, context: Context) -> None:
    """Answer a command the bot does not know."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(texts.UNKNOWN_COMMAND)


async def stray_message(update: Update, context: Context) -> None:
    """Answer text or media sent outside any conversation: someone new gets a Start button."""
    message = update.effective_message
    if message is None:
        return
    if not await greet_newcomer(update, context):
        await message.reply_text(texts.UNKNOWN_TEXT)


async def stale_button(update: Update, context: Context) -> None:
    """Answer a button nobody handles (an old conversation, or forged data)."""
    query = update.callback_query
    if query is not None:
        await answer_query(query, texts.BUTTON_EXPIRED)


async def on_error(update: object, context: Context) -> None:
    """Log the failure (never the message text) and tell the user kindly (in a private chat
    only: the guard keeps every other chat out of the handlers, and out of this reply)."""
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat and from_a_private_chat(update):
        try:
            await context.bot.send_message(update.effective_chat.id, texts.SOMETHING_WRONG)
        except Exception:  # the reply itself failed (blocked, network): nothing more to do
            log.warning("could not tell the user about the error", exc_info=True)


def register(app: App) -> None:
    """Add the catch-all handlers; call after every other module registered its own."""
    app.add_handler(CommandHandler("cancel", cancel_outside))
    app.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    app.add_handler(MessageHandler(filters.ALL & ~filters.COMMAND, stray_message))
    app.add_handler(CallbackQueryHandler(stale_button))
    app.add_error_handler(on_error)
