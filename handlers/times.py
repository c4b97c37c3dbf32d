"""A reminder time changed in two taps from /regimen: the medicine, then its new time."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot.db.models import MedicationRole
from bot.domain.errors import NotRegistered, NotYourRecord
from bot.services import regimen
from bot.services.context import Services
from handlers.common import (
    App,
    Context,
    answer_query,
    parse_press,
    services,
    settle_query,
    unit_of_work,
)
from ui import texts
from ui.keyboards.times import TimePress, parse_time_press, time_choice_buttons


async def on_time_button(update: Update, context: Context) -> None:
    """First tap: the times this medicine can move to. Second: moved, and said so."""
    pressed = await parse_press(update, parse_time_press)
    if pressed is None:
        return
    query, user, press = pressed
    found = services(context)
    try:
        text, markup = await unit_of_work(
            context, lambda session: _carry_out(session, found, user.id, press)
        )
    except (NotYourRecord, NotRegistered):
        await answer_query(query, texts.NOT_YOURS)
        return
    await settle_query(query, text, markup)


async def _carry_out(
    session: AsyncSession, found: Services, user_id: int, press: TimePress
) -> tuple[str, InlineKeyboardMarkup | None]:
    now = found.clock()
    patient = await regimen.require_patient(session, user_id)
    timed = {
        MedicationRole(role): key
        for role, key, _ in await regimen.timed_medicines(session, patient)
    }
    key = timed.get(press.role)
    if key is None:
        raise NotYourRecord
    if press.at is None:
        return texts.ask_new_time(key), time_choice_buttons(press.role, key)
    await regimen.change_time(
        session, found.planner, telegram_user_id=user_id, role=press.role, at=press.at, now=now
    )
    return texts.time_changed(key, press.at), None


def register(app: App) -> None:
    """Add the time-change buttons."""
    app.add_handler(CallbackQueryHandler(on_time_button, pattern=r"^rt:"))
