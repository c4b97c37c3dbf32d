"""Buttons under dose reminders: Taken, Later, Skip (with a reason), and "I missed it"."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.domain.errors import AlreadyAnswered, NotYourRecord
from bot.services import dose_answers
from bot.services.context import Services
from handlers.common import (
    App,
    Context,
    answer_query,
    edit_query_markup,
    parse_press,
    services,
    settle_query,
    unit_of_work,
)
from ui import texts
from ui.keyboards.doses import (
    DoseAction,
    DoseTap,
    dose_buttons,
    parse_dose_action,
    skip_reason_buttons,
)

Answered = dose_answers.Answer | dose_answers.SupplementAnswer


def _shown(answer: Answered) -> str:
    """The reminder's text once answered: a medicine's outcome, or a supplement's."""
    if isinstance(answer, dose_answers.SupplementAnswer):
        return texts.supplement_answered(answer)
    return texts.answered(answer)


def _again(answer: Answered) -> str:
    """The toast for a second press on an answered reminder."""
    if isinstance(answer, dose_answers.SupplementAnswer):
        return texts.supplement_answered(answer)
    return texts.already_answered(answer)


async def on_dose_button(update: Update, context: Context) -> None:
    """Record the press for the acting user's own dose only; show the outcome in place."""
    pressed = await parse_press(update, parse_dose_action)
    if pressed is None:
        return
    await answer_press(update, context, pressed[2])


async def answer_press(update: Update, context: Context, action: DoseAction) -> None:
    """Carry out a press under a reminder (a medicine's or a supplement's) and show it."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    found = services(context)
    event_id = action.event_id
    try:
        if action.action in (DoseTap.ASK_SKIP_REASON, DoseTap.BACK):  # swap the buttons only
            answered = await unit_of_work(
                context, lambda session: _answered_before(session, user.id, event_id)
            )
        else:
            answered = await unit_of_work(
                context, lambda session: _record(session, found, user.id, action)
            )
    except NotYourRecord:
        await answer_query(query, texts.NOT_YOURS)
        return
    if answered is None:  # still open: swap the buttons
        await answer_query(query)
        markup = (
            skip_reason_buttons(event_id)
            if action.action is DoseTap.ASK_SKIP_REASON
            else dose_buttons(event_id, found.settings.snooze_minutes)
        )
        await edit_query_markup(query, markup)
        return
    answer, before = answered
    notice = _again(answer) if before else None
    await settle_query(query, _shown(answer), notice=notice)


async def _answered_before(
    session: AsyncSession, telegram_user_id: int, event_id: int
) -> tuple[Answered, bool] | None:
    """Return None while the dose is open; once answered, how it stands."""
    try:
        await dose_answers.check_open_dose(session, telegram_user_id, event_id)
    except AlreadyAnswered:
        return await dose_answers.describe_answer(session, telegram_user_id, event_id), True
    return None


async def _record(
    session: AsyncSession, found: Services, telegram_user_id: int, action: DoseAction
) -> tuple[Answered, bool]:
    """Record the press; return the answer and whether it had been given before."""
    now, planner, event_id = found.clock(), found.planner, action.event_id
    try:
        match action.action:
            case DoseTap.TAKEN:
                answer = await dose_answers.take_dose(
                    session, planner, telegram_user_id=telegram_user_id, event_id=event_id, now=now
                )
            case DoseTap.LATER:
                answer = await dose_answers.snooze_dose(
                    session,
                    planner,
                    telegram_user_id=telegram_user_id,
                    event_id=event_id,
                    now=now,
                    minutes=found.settings.snooze_minutes,
                )
            case DoseTap.SKIP:
                answer = await dose_answers.skip_dose(
                    session,
                    planner,
                    telegram_user_id=telegram_user_id,
                    event_id=event_id,
                    reason=action.reason or "",
                    now=now,
                )
            case _:  # MISSED
                answer = await dose_answers.miss_dose(
                    session, planner, telegram_user_id=telegram_user_id, event_id=event_id, now=now
                )
    except AlreadyAnswered:
        return await dose_answers.describe_answer(session, telegram_user_id, event_id), True
    return answer, False


def register(app: App) -> None:
    """Add the dose button handler."""
    app.add_handler(CallbackQueryHandler(on_dose_button, pattern=r"^d:"))
