"""Small helpers every handler uses: typed context, one database session per piece of work,
the acting person's press or command, edits that tolerate double presses."""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, Message, Update, User
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, BaseHandler, CallbackContext, ConversationHandler, ExtBot
from telegram.warnings import PTBUserWarning

from bot.domain.errors import NotRegistered
from bot.services.context import AppState, Services
from handlers.conversation import Conversation
from ui import texts

log = logging.getLogger(__name__)
T = TypeVar("T")
A = TypeVar("A")

Context = CallbackContext[ExtBot[None], Conversation, dict[Any, Any], AppState]
# The application `app.application.build_application` makes: typed bot_data and user_data,
# no PTB job queue.
App = Application[ExtBot[None], Context, Conversation, dict[Any, Any], AppState, None]


def services(context: Context) -> Services:
    """Return the shared services from the typed bot_data."""
    return context.bot_data.services


async def unit_of_work(context: Context, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` (service calls) in one database session; return its result once closed.

    Reply with the result after this returns, never from inside `work`: a Bot API call made
    while the session is open would hold a pooled connection (on SQLite, the write lock) for
    a whole round trip to Telegram, stalling every other update and job behind it.
    tests/e2e/conftest.py fails any end-to-end test in which that happens.
    """
    async with services(context).sessions() as session:
        return await work(session)


async def for_registered(
    update: Update,
    context: Context,
    work: Callable[[AsyncSession, int, datetime], Awaitable[T]],
    *,
    not_registered: str = texts.NOT_REGISTERED,
) -> tuple[Message, T] | None:
    """Run `work(session, telegram_user_id, now)` for the person who sent the command, in one
    session; return the message to reply to and the result once the session is closed.

    Someone not registered gets `not_registered` (by default, a pointer to /start) and None.
    """
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return None
    now = services(context).clock()
    try:
        result = await unit_of_work(context, lambda session: work(session, user.id, now))
    except NotRegistered:
        await message.reply_text(not_registered)
        return None
    return message, result


async def parse_press(
    update: Update, parse: Callable[[str | None], A | None]
) -> tuple[CallbackQuery, User, A] | None:
    """Return a button press, the person who pressed it and its parsed action.

    Callback data can be forged or left over from an older bot, so it is parsed strictly
    before anything reads it: what does not parse gets a kind refusal and None.
    """
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return None
    action = parse(query.data)
    if action is None:
        await answer_query(query, texts.NOT_YOURS)
        return None
    return query, user, action


def pressed_label(update: Update) -> str:
    """Return the text of the button that was pressed (to echo the answer)."""
    query = update.callback_query
    markup: InlineKeyboardMarkup | None = getattr(
        query.message if query else None, "reply_markup", None
    )
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            if query is not None and button.callback_data == query.data:
                return button.text
    return ""


def buttons_and_text_conversation(
    name: str,
    entry_points: list[BaseHandler[Update, Context, object]],
    states: dict[object, list[BaseHandler[Update, Context, object]]],
    fallbacks: list[BaseHandler[Update, Context, object]],
) -> ConversationHandler[Context]:
    """Build a conversation whose states answer both buttons and typed text, re-entered by
    its entry points at any time."""
    with warnings.catch_warnings():
        # Buttons and text share the states on purpose: PTB warns that its per-chat
        # tracking does not follow individual messages, which is what we want.
        warnings.simplefilter("ignore", PTBUserWarning)
        return ConversationHandler(
            entry_points=entry_points,
            states=states,
            fallbacks=fallbacks,
            allow_reentry=True,
            name=name,
        )


def conversation_of(context: Context) -> Conversation:
    """Return the acting person's typed user_data (PTB gives one to every update from a user;
    every handler that keeps state here is reached only through updates from a user)."""
    data = context.user_data
    if data is None:
        raise RuntimeError("user_data used for an update without a user")
    return data


async def answer_query(query: CallbackQuery, text: str | None = None) -> None:
    """Answer a button press; a query too old to answer (a slow moment) is no failure.

    Telegram expires callback queries after a few seconds; the press itself was already
    handled, so the spinner is all that is lost.
    """
    try:
        await query.answer(text)
    except BadRequest as error:
        log.info("button answer skipped: %s", error.message)


async def edit_query_message(
    query: CallbackQuery,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    parse_mode: str | None = None,
) -> None:
    """Edit the message a button sits on; 'not modified' or a vanished message is fine."""
    try:
        await query.edit_message_text(text, reply_markup=markup, parse_mode=parse_mode)
    except BadRequest as error:
        log.debug("edit skipped: %s", error.message)


async def settle_query(
    query: CallbackQuery,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    notice: str | None = None,
    parse_mode: str | None = None,
) -> None:
    """Stop the button's spinner (with a short `notice`, if given) and show the outcome in
    place, both at once: two Bot API calls in flight together instead of one after the
    other halve the wait after a tap.

    Both calls finish before this returns (the person's next update waits for them), and
    the first failure, if any, is raised then.
    """
    await all_of(
        answer_query(query, notice),
        edit_query_message(query, text, markup, parse_mode=parse_mode),
    )


async def all_of(*calls: Awaitable[Any]) -> list[Any]:
    """Await calls together and return their results; when one fails, still wait for the
    others (none is left running behind the handler), log any further failure, and raise
    the first."""
    results = await asyncio.gather(*calls, return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    for extra in failures[1:]:
        log.warning(
            "a Bot API call made together with another also failed: %s", type(extra).__name__
        )
    if failures:
        raise failures[0]
    return results


async def edit_query_markup(query: CallbackQuery, markup: InlineKeyboardMarkup) -> None:
    """Swap the buttons under the pressed message, with the same tolerance."""
    try:
        await query.edit_message_reply_markup(markup)
    except BadRequest as error:
        log.debug("edit skipped: %s", error.message)


async def edit_message(
    bot: Bot, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Edit an earlier message by id, with the same tolerance."""
    try:
        await bot.edit_message_text(
            text, chat_id=chat_id, message_id=message_id, reply_markup=markup
        )
    except BadRequest as error:
        log.debug("edit skipped: %s", error.message)


async def notify(
    bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Tell another person (a linked caregiver or patient); if they blocked the bot, the
    action that prompted it still stands."""
    try:
        await bot.send_message(chat_id, text, reply_markup=markup)
    except TelegramError as error:
        log.info("could not notify a linked person: %s", type(error).__name__)
