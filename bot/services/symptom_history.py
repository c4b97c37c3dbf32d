"""The trend of each symptom over recent check-ins, for the chart behind /symptoms history.

Only symptoms reported at least once (a score above 0) get a line, so a well patient's chart
stays readable; questions skipped after a 0 count as 0, as PRO-CTCAE scoring does. The patient
sees their own; a linked person sees it only if the patient allowed the symptom log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Checkin, CheckinAnswer, Patient
from bot.domain.errors import NotYourRecord
from bot.domain.symptoms import ITEMS, Answer, Attribute, branched_scores
from bot.exports.charts import SymptomSeries
from bot.services import care_access, care_links
from bot.services.regimen import require_patient

HISTORY_DAYS = 182  # about six months of weekly check-ins
MAX_LINES = 6

_ATTRIBUTE_WORDS = {
    Attribute.FREQUENCY: "how often",
    Attribute.SEVERITY: "how bad",
    Attribute.INTERFERENCE: "got in the way",
    Attribute.PRESENCE: "yes/no",
}


@dataclass(frozen=True)
class SymptomHistory:
    """The series to draw, how many check-ins they come from, and the zone for dates."""

    series: tuple[SymptomSeries, ...]
    checkins: int
    zone: ZoneInfo
    patient_name: str = ""


async def _history(session: AsyncSession, patient: Patient, now: datetime) -> SymptomHistory:
    rows = await session.execute(
        select(Checkin.id, Checkin.completed_at, CheckinAnswer)
        .join(CheckinAnswer, CheckinAnswer.checkin_id == Checkin.id)
        .where(
            Checkin.patient_id == patient.id,
            Checkin.completed_at.is_not(None),
            Checkin.completed_at > now - timedelta(days=HISTORY_DAYS),
        )
        .order_by(Checkin.completed_at, CheckinAnswer.id)
    )
    by_checkin: dict[int, tuple[datetime, list[Answer]]] = {}
    for checkin_id, completed_at, row in rows:
        assert completed_at is not None  # the query keeps completed check-ins only
        entry = by_checkin.setdefault(checkin_id, (completed_at, []))
        entry[1].append(Answer(row.item_code, Attribute(row.attribute), row.score))
    points: dict[tuple[str, Attribute], list[tuple[datetime, int]]] = {}
    for completed_at, answers in by_checkin.values():
        for key, score in branched_scores(answers).items():
            points.setdefault(key, []).append((completed_at, score))
    reported = [
        (max(score for _, score in values), code, attribute, values)
        for (code, attribute), values in points.items()
        if code in ITEMS and any(score for _, score in values)
    ]
    # The worst first, and few enough lines to read on a phone.
    reported.sort(key=lambda entry: (-entry[0], entry[1], entry[2]))
    series = tuple(
        SymptomSeries(f"{ITEMS[code].label.capitalize()}: {_ATTRIBUTE_WORDS[attribute]}", values)
        for _, code, attribute, values in reported[:MAX_LINES]
    )
    return SymptomHistory(series, len(by_checkin), ZoneInfo(patient.timezone))


async def own_history(
    session: AsyncSession, telegram_user_id: int, now: datetime
) -> SymptomHistory:
    """Return the acting patient's own symptom history."""
    patient = await require_patient(session, telegram_user_id)
    return await _history(session, patient, now)


async def linked_history(
    session: AsyncSession, telegram_user_id: int, link_id: int, now: datetime
) -> SymptomHistory:
    """Return a patient's history to a linked person, only if the patient allowed it."""
    view = await care_links.member_link(session, telegram_user_id, link_id)
    if not view.sees_symptom_log:
        raise NotYourRecord
    patient = await session.get(Patient, view.patient_id)
    if patient is None:
        raise NotYourRecord
    history = await _history(session, patient, now)
    care_access.record_view(
        session,
        patient_id=patient.id,
        telegram_user_id=telegram_user_id,
        role=view.role,
        name=view.member_name,
        what=care_access.View.SYMPTOM_LOG,
        now=now,
    )
    await session.commit()
    return SymptomHistory(history.series, history.checkins, history.zone, view.patient_name)
