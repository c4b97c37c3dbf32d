"""/pause: pause reminders until a day (a holiday, a hospital stay), and resume them early.

One service call per press; the linked people who get missed-dose alerts are told after
the session closes (`notify`), so silence does not worry them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.domain.errors import NotRegistered, NotYourRecord
from bot.services import pauses
from bot.services.context import Services
from bot.services.pauses import InvalidPause, PauseView
from handlers.common import (
    App,
    Context,
    answer_query,
    for_registered,
    notify,
    parse_press,
    services,
    settle_query,
    unit_of_work,
)
from ui import texts
from ui.keyboards.pauses import (
    PauseAction,
    PauseTap,
    parse_pause_action,
    paused_buttons,
    until_buttons,
    which_buttons,
)


async def pause_command(update: Update, context: Context) -> None:
    """Show what is paused (with Resume) or ask which reminders to pause."""

    async def load(session: AsyncSession, user_id: int, now: datetime) -> PauseView:
        return await pauses.pause_view(session, user_id, now)

    loaded = await for_registered(update, context, load)
    if loaded is None:
        return
    message, view = loaded
    if not view.medicines:
        await message.reply_text(texts.NOTHING_TO_PAUSE)
    elif view.paused:
        await message.reply_text(texts.pause_state(view), reply_markup=paused_buttons())
    else:
        await message.reply_text(texts.PAUSE_ASK_WHICH, reply_markup=which_buttons(view))


async def on_pause_button(update: Update, context: Context) -> None:
    """Which reminders, until when, resume, or leave it: each press for the acting user."""
    pressed = await parse_press(update, parse_pause_action)
    if pressed is None:
        return
    query, user, action = pressed
    found = services(context)
    now = found.clock()
    if action.action is PauseTap.LEAVE:
        await settle_query(query, texts.LEFT_AS_IT_IS)
        return
    try:
        view = await unit_of_work(
            context, lambda session: _carry_out(session, found, user.id, action, now)
        )
    except (NotYourRecord, NotRegistered):
        await answer_query(query, texts.NOT_YOURS)
        return
    except InvalidPause:
        await answer_query(query, texts.BAD_PAUSE)
        return
    match action.action:
        case PauseTap.WHICH:
            await settle_query(
                query, texts.PAUSE_ASK_UNTIL, until_buttons(action.medication_id, view.today)
            )
            return
        case PauseTap.UNTIL:
            await settle_query(query, texts.pause_state(view), paused_buttons())
        case _:  # RESUME
            await settle_query(query, texts.resumed(view))
    for notice in view.notices:
        await notify(context.bot, notice.chat_id, texts.pause_notice(notice.patient_name, view))


async def _carry_out(
    session: AsyncSession, found: Services, user_id: int, action: PauseAction, now: datetime
) -> PauseView:
    """The one service call of a press."""
    match action.action:
        case PauseTap.UNTIL:
            assert action.until is not None  # the parser sets it for UNTIL
            return await pauses.pause(
                session,
                found.planner,
                telegram_user_id=user_id,
                medication_id=action.medication_id,
                until=action.until,
                now=now,
            )
        case PauseTap.RESUME:
            return await pauses.resume(session, found.planner, telegram_user_id=user_id, now=now)
        case _:  # WHICH: only the view, to check the medicine is the user's own
            view = await pauses.pause_view(session, user_id, now)
            ids = {medicine.medication_id for medicine in view.medicines}
            if action.medication_id is not None and action.medication_id not in ids:
                raise NotYourRecord
            return view


def register(app: App) -> None:
    """Add /pause and its buttons."""
    app.add_handler(CommandHandler("pause", pause_command))
    app.add_handler(CallbackQueryHandler(on_pause_button, pattern=r"^p:"))
