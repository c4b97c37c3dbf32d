"""A clinician's view of the patients who linked them: open red flags and adherence at a glance,
their own label for each patient, and how fast their red-flag alerts were answered.

Every look at a patient's data is written to that patient's audit log (`care_access`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    AlertKind,
    CareAlert,
    CareLink,
    Checkin,
    LinkRole,
    LinkStatus,
    Patient,
    RedFlagEpisode,
)
from bot.domain import redflags
from bot.domain.alert_tiers import AlertTimes, Tier, TierFigures, tier_figures, tier_of
from bot.domain.errors import NotYourRecord
from bot.domain.text_clean import clean_text
from bot.services import care_access, care_links
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
    clinic_label: str | None = None  # the clinician's own label (a record number)
    number: int = 0  # the patient's place in /patients (what /label names)


async def patients_overview(
    session: AsyncSession, telegram_user_id: int, now: datetime
) -> list[PatientGlance]:
    """Return a glance at every patient who linked the acting user as a clinician."""
    glances = []
    labels = await _labels(session, telegram_user_id)
    for number, view in enumerate(await clinician_links(session, telegram_user_id), start=1):
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
                view.link_id,
                view.patient_name,
                flags,
                tuple(rates),
                last_on,
                tuple(held),
                labels.get(view.link_id),
                number,
            )
        )
        care_access.record_view(
            session,
            patient_id=patient.id,
            telegram_user_id=telegram_user_id,
            role=LinkRole.CLINICIAN,
            name=view.member_name,
            what=care_access.View.OVERVIEW,
            now=now,
        )
    await session.commit()
    return glances


async def clinician_links(
    session: AsyncSession, telegram_user_id: int
) -> list[care_links.LinkView]:
    """Return the acting user's active clinician links, in /patients order (oldest first)."""
    return [
        view
        for view in await care_links.cared_for(session, telegram_user_id)
        if view.role is LinkRole.CLINICIAN
    ]


async def _labels(session: AsyncSession, telegram_user_id: int) -> dict[int, str]:
    rows = await session.execute(
        select(CareLink.id, CareLink.clinic_label).where(
            CareLink.member_telegram_user_id == telegram_user_id,
            CareLink.status == LinkStatus.ACTIVE,
            CareLink.clinic_label.is_not(None),
        )
    )
    return {link_id: label for link_id, label in rows.all() if label}


LABEL_MAX_LENGTH = 32


@dataclass(frozen=True)
class Labelled:
    """A patient's new label, as the clinician set it (None: cleared)."""

    patient_name: str
    label: str | None


async def set_label(
    session: AsyncSession, telegram_user_id: int, number: int, label: str | None
) -> Labelled:
    """Set (or clear, with None or blank) the clinician's label for their patient number
    `number` in /patients; NotYourRecord when there is no such patient."""
    links = await clinician_links(session, telegram_user_id)
    if not 1 <= number <= len(links):
        raise NotYourRecord
    view = links[number - 1]
    link = await session.get(CareLink, view.link_id)
    if link is None:
        raise NotYourRecord
    cleaned = clean_text(label or "", multiline=False).strip()[:LABEL_MAX_LENGTH] or None
    link.clinic_label = cleaned
    await session.commit()
    return Labelled(view.patient_name, cleaned)


RESPONSE_DAYS = 90


async def response_figures(
    session: AsyncSession, telegram_user_id: int, now: datetime, days: int = RESPONSE_DAYS
) -> list[TierFigures]:
    """Return, per tier, how fast the acting clinician answered the red-flag alerts sent to
    them in the last `days` (time to acknowledge: seen or patient contacted; to resolve)."""
    rows = (
        await session.execute(
            select(CareAlert, CareLink)
            .join(CareLink, CareLink.id == CareAlert.link_id)
            .where(
                CareLink.member_telegram_user_id == telegram_user_id,
                CareLink.status == LinkStatus.ACTIVE,
                CareLink.role == LinkRole.CLINICIAN,
                CareAlert.kind == AlertKind.RED_FLAG,
                CareAlert.sent_at.is_not(None),
                CareAlert.sent_at > now - timedelta(days=days),
            )
        )
    ).all()
    times = []
    seen_patients: dict[int, str] = {}
    for alert, link in rows:
        assert alert.sent_at is not None
        tier = Tier(alert.tier) if alert.tier else tier_of(alert.flag_code or "")
        times.append(AlertTimes(tier, alert.sent_at, alert.acknowledged_at, alert.resolved_at))
        seen_patients[link.patient_id] = link.member_name
    for patient_id, name in seen_patients.items():
        care_access.record_view(
            session,
            patient_id=patient_id,
            telegram_user_id=telegram_user_id,
            role=LinkRole.CLINICIAN,
            name=name,
            what=care_access.View.RESPONSES,
            now=now,
        )
    await session.commit()
    return tier_figures(times)
