"""Last-resort handlers: unknown commands, stray text, stale buttons, and errors."""

from __future__ import annotations

import logging
import traceback

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers.common import App, Context, answer_query
from handlers.private_chats import from_a_private_chat
from handlers.registration import greet_newcomer
from ui import texts

log = logging.getLogger(__name__)


async def cancel_outside(update: Update, context: Context) -> None:
    """/cancel with nothing under way still gets an answer (and drops an alert's note)."""
    message = update.effective_message
    if context.user_data is not None:
        context.user_data.alert_note_input = None
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
    """Log the failure once, by update id and error type with where it happened (never the
    update's content, nor the error's message, which may quote it), and tell the user
    kindly. The update is done with: the next one is handled as usual."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    log.error(
        "error while handling an update: update %s, %s\n%s",
        update_id,
        type(error).__name__,
        _where(error),
        extra={"error_type": type(error).__name__},  # alike when repeated (app.logs)
    )
    log.debug("the error in full (DEBUG may hold health data)", exc_info=error)
    # In a private chat only: the guard keeps every other chat out of the handlers, and
    # out of this reply.
    if isinstance(update, Update) and update.effective_chat and from_a_private_chat(update):
        try:
            await context.bot.send_message(update.effective_chat.id, texts.SOMETHING_WRONG)
        except Exception:  # the reply itself failed (blocked, network): nothing more to do
            log.warning("could not tell the user about the error", exc_info=True)


def _where(error: BaseException | None) -> str:
    """The traceback's frames (files, lines, functions, code) without the error's message."""
    if error is None:
        return ""
    frames = traceback.format_list(traceback.extract_tb(error.__traceback__))
    return "Traceback (most recent call last):\n" + "".join(frames).rstrip()


def register(app: App) -> None:
    """Add the catch-all handlers; call after every other module registered its own."""
    app.add_handler(CommandHandler("cancel", cancel_outside))
    app.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    app.add_handler(MessageHandler(filters.ALL & ~filters.COMMAND, stray_message))
    app.add_handler(CallbackQueryHandler(stale_button))
    app.add_error_handler(on_error)
