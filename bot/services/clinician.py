"""A clinician's view of the patients who linked them: open red flags and adherence at a glance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Checkin, LinkRole, Patient, RedFlagEpisode
from bot.domain import redflags
from bot.services import care_links
from bot.services.adherence import Adherence, adherence
from bot.services.dose_timing import as_aware
from bot.services.holds import held_medicines

ADHERENCE_DAYS = 30


@dataclass(frozen=True)
class OpenFlag:
    """A red-flag episode still open: its topic and the local day it opened."""

    topic: str
    opened_on: date


@dataclass(frozen=True)
class PatientGlance:
    """One line of /patients."""

    link_id: int
    name: str
    open_flags: tuple[OpenFlag, ...]
    adherence: tuple[Adherence, ...]
    last_checkin_on: date | None
    on_hold: tuple[str, ...] = ()  # medicines the bot told the patient to stop and call about


async def patients_overview(
    session: AsyncSession, telegram_user_id: int, now: datetime
) -> list[PatientGlance]:
    """Return a glance at every patient who linked the acting user as a clinician."""
    glances = []
    for view in await care_links.cared_for(session, telegram_user_id):
        if view.role is not LinkRole.CLINICIAN:
            continue
        patient = await session.get(Patient, view.patient_id)
        if patient is None:
            continue
        zone = ZoneInfo(patient.timezone)
        episodes = await session.scalars(
            select(RedFlagEpisode)
            .where(RedFlagEpisode.patient_id == patient.id, RedFlagEpisode.closed_at.is_(None))
            .order_by(RedFlagEpisode.opened_at.desc())
        )
        flags = tuple(
            OpenFlag(redflags.care_team_topic(e.flag_code), e.opened_at.astimezone(zone).date())
            for e in episodes
        )
        last = await session.scalar(
            select(func.max(Checkin.completed_at)).where(Checkin.patient_id == patient.id)
        )
        last_on = as_aware(last).astimezone(zone).date() if last is not None else None
        rates = await adherence(session, patient, now, ADHERENCE_DAYS)
        held = (await held_medicines(session, [patient.id])).get(patient.id, [])
        glances.append(
            PatientGlance(
                view.link_id, view.patient_name, flags, tuple(rates), last_on, tuple(held)
            )
        )
    return glances
