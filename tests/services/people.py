"""Patients for service tests, registered through the regimen service itself, and the
plain wall-clock arithmetic tests compute their expectations with."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Medication, Patient
from bot.domain.catalog import get_product
from bot.domain.regimen_draft import CLINIC, NONE, RegimenDraft
from bot.services.regimen import active_medications, save_regimen
from tests.fakes.planner import RecordingPlanner

ANASTROZOLE = "anastrozole-1-daily-tablet"
ALENDRONATE_WEEKLY = "alendronate-70-weekly-tablet"
ZOLEDRONIC_ACID = "zoledronic-acid-4-every-6-months-iv"
LONDON = "Europe/London"
# The key failed invitation codes are counted by (the bot derives it from its token).
SECRET = b"a test's code attempt secret"


async def register(
    session: AsyncSession,
    planner: RecordingPlanner,
    telegram_user_id: int,
    *,
    now: datetime,
    zone: str = LONDON,
    ai: str | None = ANASTROZOLE,
    ai_time: time = time(9, 0),
    bone: str | None = None,
    bone_weekday: int | None = None,
    bone_day_of_month: int | None = None,
    bone_time: time | None = None,
) -> Patient:
    """Save a confirmed regimen as registration does (chat id = user id)."""
    draft = RegimenDraft(
        consent=True,
        ai_product=ai or NONE,
        ai_time=ai_time if ai else None,
        bone_family=_family(bone),
        bone_product=bone or NONE,
        bone_weekday=bone_weekday,
        bone_day_of_month=bone_day_of_month,
        bone_time=bone_time,
        timezone=zone,
    )
    return await save_regimen(
        session,
        planner,
        telegram_user_id=telegram_user_id,
        chat_id=telegram_user_id,
        draft=draft,
        now=now,
    )


async def medication(session: AsyncSession, patient: Patient, product_key: str) -> Medication:
    """Return the patient's active medication of one product."""
    found = [
        m for m in await active_medications(session, patient.id) if m.product_key == product_key
    ]
    assert found, f"patient {patient.id} takes no active {product_key}"
    return found[0]


async def patient_of(session: AsyncSession, telegram_user_id: int) -> Patient | None:
    """Return the patient record of a Telegram user, if any."""
    return await session.scalar(
        select(Patient).where(Patient.telegram_user_id == telegram_user_id)
    )


def _family(bone: str | None) -> str:
    if bone is None:
        return NONE
    product = get_product(bone)
    return CLINIC if product.is_clinic_given else product.drug


def next_wall_time(
    after: datetime, zone: str, at: time, *, weekday: int | None = None
) -> datetime:
    """The first `at` on the zone's wall clock strictly after `after` (on `weekday` if
    given), as aware UTC: plain calendar arithmetic, independent of the bot's schedules."""
    tz = ZoneInfo(zone)
    day = after.astimezone(tz).date()
    while True:
        candidate = datetime.combine(day, at, tzinfo=tz)
        if candidate > after and (weekday is None or day.weekday() == weekday):
            return candidate.astimezone(UTC)
        day += timedelta(days=1)


def plus_months(day: date, months: int) -> date:
    """The same day of the month `months` later, or that month's last day when it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
