"""Buttons under dose reminders: Taken, Later, Skip (with a reason), and "I missed it"."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.domain.errors import AlreadyAnswered, NotYourRecord
from bot.services import doses
from handlers.common import (
    App,
    Context,
    answer_query,
    edit_query_markup,
    services,
    settle_query,
)
from ui import texts
from ui.keyboards.doses import dose_buttons, parse_dose_action, skip_reason_buttons


async def on_dose_button(update: Update, context: Context) -> None:
    """Record the press for the acting user's own dose only; show the outcome in place."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    action = parse_dose_action(query.data)
    if action is None:
        await answer_query(query, texts.NOT_YOURS)
        return
    found = services(context)
    now, planner, event_id = found.clock(), found.planner, action.event_id
    notice = None
    async with found.sessions() as session:
        try:
            match action.action:
                case "s" | "b":
                    await doses.check_open_dose(session, user.id, event_id)
                    await answer_query(query)
                    markup = (
                        skip_reason_buttons(event_id)
                        if action.action == "s"
                        else dose_buttons(event_id, found.settings.snooze_minutes)
                    )
                    await edit_query_markup(query, markup)
                    return
                case "t":
                    answer = await doses.take_dose(
                        session, planner, telegram_user_id=user.id, event_id=event_id, now=now
                    )
                case "z":
                    minutes = found.settings.snooze_minutes
                    answer = await doses.snooze_dose(
                        session,
                        planner,
                        telegram_user_id=user.id,
                        event_id=event_id,
                        now=now,
                        minutes=minutes,
                    )
                case "r":
                    answer = await doses.skip_dose(
                        session,
                        planner,
                        telegram_user_id=user.id,
                        event_id=event_id,
                        reason=action.reason or "",
                        now=now,
                    )
                case _:
                    answer = await doses.miss_dose(
                        session, planner, telegram_user_id=user.id, event_id=event_id, now=now
                    )
        except NotYourRecord:
            await answer_query(query, texts.NOT_YOURS)
            return
        except AlreadyAnswered:
            answer = await doses.describe_answer(session, user.id, event_id)
            notice = texts.already_answered(answer)
    await settle_query(query, texts.answered(answer), notice=notice)


def register(app: App) -> None:
    """Add the dose button handler."""
    app.add_handler(CallbackQueryHandler(on_dose_button, pattern=r"^d:"))
