"""A caregiver's day of each person they help (/caring): doses, next appointment, check-in.

Only what the patient shares: the day's doses and the next appointment when they let this
person get the unconfirmed-dose alerts or the weekly summary (both about their doses); the
latest check-in only when they share their symptom log. Every view is written to the
patient's audit log (`care_access`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Checkin, LinkRole, Patient, RedFlagEpisode
from bot.domain import redflags
from bot.domain.catalog import Product
from bot.services import care_access, care_links
from bot.services.adherence import TodayDose, doses_today
from bot.services.bone.page import bone_day
from bot.services.holds import held_medicines


@dataclass(frozen=True)
class Appointment:
    """The next clinic date: a clinic-given dose or a DXA scan."""

    on: date
    product: Product | None  # the clinic agent; None for a DXA scan
    booked: bool = True  # a scan only "due around" then is not booked


@dataclass(frozen=True)
class LatestCheckin:
    """The latest completed check-in: its local day and the worrying topics it raised."""

    on: date
    topics: tuple[str, ...]


@dataclass(frozen=True)
class CaredDay:
    """One person helped, as /caring shows them."""

    link: care_links.LinkView
    doses: tuple[TodayDose, ...]
    on_hold: tuple[str, ...]
    appointment: Appointment | None
    checkin: LatestCheckin | None  # None when not shared, or none yet
    shares_doses: bool
    shares_checkins: bool


async def _next_appointment(
    session: AsyncSession, patient: Patient, now: datetime
) -> Appointment | None:
    day = await bone_day(session, patient, now)
    found = [
        Appointment(agent.due_on, agent.product)
        for agent in day.agents
        if agent.due_on is not None and agent.due_on >= agent.today
    ]
    if day.dxa is not None and day.dxa.next_on is not None and day.dxa.next_on >= day.dxa.today:
        found.append(Appointment(day.dxa.next_on, None, booked=day.dxa.next_is_booked))
    return min(found, key=lambda a: a.on) if found else None


async def _latest_checkin(session: AsyncSession, patient: Patient) -> LatestCheckin | None:
    checkin = await session.scalar(
        select(Checkin)
        .where(Checkin.patient_id == patient.id, Checkin.completed_at.is_not(None))
        .order_by(Checkin.completed_at.desc(), Checkin.id.desc())
        .limit(1)
    )
    if checkin is None or checkin.completed_at is None:
        return None
    codes = await session.scalars(
        select(RedFlagEpisode.flag_code)
        .where(RedFlagEpisode.checkin_id == checkin.id)
        .order_by(RedFlagEpisode.id)
    )
    zone = ZoneInfo(patient.timezone)
    return LatestCheckin(
        checkin.completed_at.astimezone(zone).date(),
        tuple(redflags.care_team_topic(code) for code in codes),
    )


async def caring_days(
    session: AsyncSession, telegram_user_id: int, now: datetime
) -> list[CaredDay]:
    """Return the day of every person the acting user helps, and log each view."""
    days = []
    views = [
        view
        for view in await care_links.cared_for(session, telegram_user_id)
        if view.role is LinkRole.CAREGIVER  # clinicians have /patients
    ]
    held = await held_medicines(session, [view.patient_id for view in views])
    for view in views:
        patient = await session.get(Patient, view.patient_id)
        if patient is None:
            continue
        shares_doses = view.missed_dose_alerts or view.weekly_summary
        doses = await doses_today(session, patient, now) if shares_doses else []
        coming = await _next_appointment(session, patient, now) if shares_doses else None
        checkin = await _latest_checkin(session, patient) if view.sees_symptom_log else None
        days.append(
            CaredDay(
                view,
                tuple(doses),
                tuple(held.get(view.patient_id, [])),
                coming,
                checkin,
                shares_doses,
                view.sees_symptom_log,
            )
        )
        care_access.record_view(
            session,
            patient_id=patient.id,
            telegram_user_id=telegram_user_id,
            role=view.role,
            name=view.member_name,
            what=care_access.View.CARING,
            now=now,
        )
    await session.commit()
    return days
