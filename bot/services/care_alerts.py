"""Alerts to linked caregivers and clinicians: red flags, unconfirmed doses, acknowledgements.

An alert is an outbox row (`CareAlert`) written in the same transaction as its cause, then
delivered by a job; a row not yet sent is planned again at start, so a crash loses nothing,
and unique constraints keep one alert per person per red-flag episode or dose. Each alert is
checked again when it is about to go out: a link that ended, a permission the patient took
back, or a dose answered meanwhile sends nothing. Unconfirmed-dose alerts wait out the
patient's quiet hours; red flags do not wait.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Exists, and_, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    OPEN_DOSE_STATUSES,
    REGIMEN_ROLES,
    AlertKind,
    CareAlert,
    CareLink,
    ClinicAgentPlan,
    DoseEvent,
    DoseStatus,
    LinkStatus,
    Medication,
    Patient,
    RedFlagEpisode,
)
from bot.domain import redflags
from bot.domain.catalog import Product, UnknownProduct, get_product
from bot.domain.clinic_agents import overdue_actions
from bot.domain.dose_times import local_instant
from bot.domain.errors import NotYourRecord
from bot.ports import JobKind, ReminderPlanner

log = logging.getLogger(__name__)


def quiet_until(
    now: datetime, zone: ZoneInfo, start: time | None, end: time | None
) -> datetime | None:
    """Return when quiet hours end if `now` falls inside them (local wall time), else None.

    Quiet hours may cross midnight (22:00-07:00). The end is taken on the local date it
    falls on, so a DST change inside the night moves it with the clock.
    """
    if start is None or end is None or start == end:
        return None
    local = now.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    if start < end:
        inside = start <= clock < end
        end_day = local.date()
    else:
        inside = clock >= start or clock < end
        end_day = local.date() + timedelta(days=1) if clock >= start else local.date()
    if not inside:
        return None
    return local_instant(end_day, end, zone)


# --- Creating alerts ---------------------------------------------------------------------------


def _receiving(patient_id: Any, permission: str) -> ColumnElement[bool]:
    """The condition for a patient's active links that receive `permission` (a column name)."""
    return and_(
        CareLink.patient_id == patient_id,
        CareLink.status == LinkStatus.ACTIVE,
        getattr(CareLink, permission).is_(True),
    )


def anyone_receives(patient_id: Any, permission: str) -> Exists:
    """EXISTS: someone linked to the patient receives `permission` (usable in any select)."""
    return exists().where(_receiving(patient_id, permission))


async def active_links(session: AsyncSession, patient_id: int, permission: str) -> list[CareLink]:
    """Return the patient's active links that receive `permission`."""
    return list(await session.scalars(select(CareLink).where(_receiving(patient_id, permission))))


def missed_check_time(
    due_at: datetime, delay_minutes: int | None, watched: bool
) -> datetime | None:
    """Return when an unconfirmed dose alerts caregivers (None: delay off, or nobody to alert)."""
    if delay_minutes is None or not watched:
        return None
    return due_at + timedelta(minutes=delay_minutes)


async def add_red_flag_alerts(
    session: AsyncSession, patient_id: int, episodes: list[RedFlagEpisode], now: datetime
) -> list[CareAlert]:
    """Add one alert per new episode for every linked person who gets red flags (no commit).

    The episodes must be flushed (they need ids); the caller commits with its own changes.
    """
    if not episodes:
        return []
    links = await active_links(session, patient_id, "red_flag_alerts")
    alerts = [
        CareAlert(
            patient_id=patient_id,
            link_id=link.id,
            kind=AlertKind.RED_FLAG,
            flag_code=episode.flag_code,
            episode_id=episode.id,
            created_at=now,
        )
        for episode in episodes
        for link in links
    ]
    session.add_all(alerts)
    return alerts


def dispatch(planner: ReminderPlanner, alert_ids: list[int], now: datetime) -> None:
    """Plan the delivery of new alerts at once."""
    for alert_id in alert_ids:
        planner.plan(JobKind.ALERT, alert_id, now)


async def missed_check_at(session: AsyncSession, dose_event_id: int) -> datetime | None:
    """Return when an unconfirmed dose should alert caregivers (None: nobody to alert)."""
    found = (
        await session.execute(
            select(
                DoseEvent.due_at,
                Patient.missed_dose_alert_minutes,
                anyone_receives(Patient.id, "missed_dose_alerts"),
            )
            .join(Patient, Patient.id == DoseEvent.patient_id)
            .where(DoseEvent.id == dose_event_id)
        )
    ).first()
    return None if found is None else missed_check_time(*found)


async def add_missed_dose_alerts(
    session: AsyncSession, dose_event_id: int, now: datetime
) -> list[int]:
    """Create alerts for a dose still unconfirmed now; return their ids (none if answered)."""
    event = await session.get(DoseEvent, dose_event_id)
    if event is None or event.status not in OPEN_DOSE_STATUSES:
        return []
    links = await active_links(session, event.patient_id, "missed_dose_alerts")
    already = set(
        await session.scalars(
            select(CareAlert.link_id).where(CareAlert.dose_event_id == dose_event_id)
        )
    )
    alerts = [
        CareAlert(
            patient_id=event.patient_id,
            link_id=link.id,
            kind=AlertKind.MISSED_DOSE,
            dose_event_id=event.id,
            created_at=now,
        )
        for link in links
        if link.id not in already
    ]
    session.add_all(alerts)
    await session.commit()
    return [alert.id for alert in alerts]


# --- Delivering alerts -------------------------------------------------------------------------


@dataclass(frozen=True)
class OutgoingAlert:
    """An alert ready to send: to whom, about whom, and what."""

    alert_id: int
    kind: AlertKind
    chat_id: int
    patient_name: str
    flag_code: str | None = None
    urgent: bool = False
    product: Product | None = None
    due_local: datetime | None = None
    message: str | None = None  # an overdue clinic dose: the domain's sentence for the circle


@dataclass(frozen=True)
class Deferred:
    """An alert that waits for the end of quiet hours."""

    until: datetime


# An alert with the link it goes out on and its patient: what sending and "seen" read.
_ALERTS = (
    select(CareAlert, CareLink, Patient)
    .join(CareLink, CareLink.id == CareAlert.link_id)
    .join(Patient, Patient.id == CareAlert.patient_id)
)


async def alert_to_send(
    session: AsyncSession, alert_id: int, now: datetime
) -> OutgoingAlert | Deferred | None:
    """Return the alert to send now, when to try again, or None when it no longer applies."""
    found = (await session.execute(_ALERTS.where(CareAlert.id == alert_id))).first()
    if found is None:
        return None
    alert, link, patient = found
    if alert.sent_at is not None or link.status != LinkStatus.ACTIVE:
        return None
    kind = AlertKind(alert.kind)
    if kind is AlertKind.RED_FLAG:
        if not link.red_flag_alerts or alert.flag_code is None:
            return None
        return OutgoingAlert(
            alert.id,
            kind,
            link.member_chat_id,
            link.patient_name,
            flag_code=alert.flag_code,
            urgent=alert.flag_code in redflags.URGENT_CODES,
        )
    if kind is AlertKind.MISSED_DOSE and alert.dose_event_id is not None:
        return await _missed_dose_alert(session, alert, link, patient, now)
    if kind is AlertKind.OVERDUE_AGENT and alert.flag_code is not None:
        return await _overdue_agent_alert(session, alert, link, patient, now)
    if kind is AlertKind.STOPPED_AGENT:
        return await _stopped_agent_alert(alert, link, patient, now)
    return None


async def _missed_dose_alert(
    session: AsyncSession, alert: CareAlert, link: CareLink, patient: Patient, now: datetime
) -> OutgoingAlert | Deferred | None:
    found = (
        await session.execute(
            select(DoseEvent, Medication)
            .join(Medication, Medication.id == DoseEvent.medication_id)
            .where(DoseEvent.id == alert.dose_event_id)
        )
    ).first()
    if found is None or not link.missed_dose_alerts:
        return None
    event, medication = found
    if event.status not in OPEN_DOSE_STATUSES:
        return None  # answered meanwhile: nothing to say
    zone = ZoneInfo(patient.timezone)
    until = quiet_until(now, zone, patient.quiet_hours_start, patient.quiet_hours_end)
    if until is not None:
        return Deferred(until)
    return OutgoingAlert(
        alert.id,
        AlertKind.MISSED_DOSE,
        link.member_chat_id,
        link.patient_name,
        product=get_product(medication.product_key),
        due_local=event.due_at.astimezone(zone),
    )


# --- Overdue clinic-given agents ----------------------------------------------------------------

# Whom an overdue injection or infusion alerts: every active link that still gets dose or
# red-flag alerts (a patient who turned both off for someone chose silence for them).
_OVERDUE_PERMISSIONS = ("missed_dose_alerts", "red_flag_alerts")


async def add_overdue_agent_alerts(
    session: AsyncSession, patient_id: int, due_on: date, now: datetime
) -> list[CareAlert]:
    """Add one alert per linked person about a clinic dose overdue since `due_on` (no commit).

    `flag_code` carries the due date (ISO), which is what the alert is about: one alert per
    person per due date, however often the job runs. The caller commits (and flushes ids).
    """
    code = due_on.isoformat()
    links = list(
        await session.scalars(
            select(CareLink).where(
                CareLink.patient_id == patient_id,
                CareLink.status == LinkStatus.ACTIVE,
                CareLink.missed_dose_alerts.is_(True) | CareLink.red_flag_alerts.is_(True),
            )
        )
    )
    already = set(
        await session.scalars(
            select(CareAlert.link_id).where(
                CareAlert.patient_id == patient_id,
                CareAlert.kind == AlertKind.OVERDUE_AGENT,
                CareAlert.flag_code == code,
            )
        )
    )
    alerts = [
        CareAlert(
            patient_id=patient_id,
            link_id=link.id,
            kind=AlertKind.OVERDUE_AGENT,
            flag_code=code,
            created_at=now,
        )
        for link in links
        if link.id not in already
    ]
    session.add_all(alerts)
    await session.flush()
    return alerts


async def add_stopped_agent_alerts(
    session: AsyncSession, patient_id: int, product_key: str, now: datetime
) -> list[CareAlert]:
    """Add one alert per linked person that a medicine whose label warns about stopping it
    (denosumab) was stopped or switched (no commit; flushes the ids). The same people as an
    overdue injection: every active link that gets dose or red-flag alerts."""
    links = list(
        await session.scalars(
            select(CareLink).where(
                CareLink.patient_id == patient_id,
                CareLink.status == LinkStatus.ACTIVE,
                CareLink.missed_dose_alerts.is_(True) | CareLink.red_flag_alerts.is_(True),
            )
        )
    )
    alerts = [
        CareAlert(
            patient_id=patient_id,
            link_id=link.id,
            kind=AlertKind.STOPPED_AGENT,
            flag_code=product_key,
            created_at=now,
        )
        for link in links
    ]
    session.add_all(alerts)
    await session.flush()
    return alerts


async def _stopped_agent_alert(
    alert: CareAlert, link: CareLink, patient: Patient, now: datetime
) -> OutgoingAlert | Deferred | None:
    """Send while the link still gets dose or red-flag alerts; wait out quiet hours."""
    if not any(getattr(link, permission) for permission in _OVERDUE_PERMISSIONS):
        return None
    try:
        product = get_product(alert.flag_code or "")
    except UnknownProduct:
        return None
    zone = ZoneInfo(patient.timezone)
    until = quiet_until(now, zone, patient.quiet_hours_start, patient.quiet_hours_end)
    if until is not None:
        return Deferred(until)
    return OutgoingAlert(
        alert.id, AlertKind.STOPPED_AGENT, link.member_chat_id, link.patient_name, product=product
    )


async def _overdue_agent_alert(
    session: AsyncSession, alert: CareAlert, link: CareLink, patient: Patient, now: datetime
) -> OutgoingAlert | Deferred | None:
    """Send only while that due date still stands unanswered; wait out quiet hours."""
    if not any(getattr(link, permission) for permission in _OVERDUE_PERMISSIONS):
        return None
    try:
        due_on = date.fromisoformat(alert.flag_code or "")
    except ValueError:
        return None
    found = (
        await session.execute(
            select(Medication)
            .join(ClinicAgentPlan, ClinicAgentPlan.medication_id == Medication.id)
            .where(
                ClinicAgentPlan.patient_id == patient.id,
                ClinicAgentPlan.due_on == due_on,
                Medication.active.is_(True),
            )
        )
    ).first()
    if found is None:
        return None  # recorded as given meanwhile (the due date moved), or the plan changed
    medication = found[0]
    zone = ZoneInfo(patient.timezone)
    until = quiet_until(now, zone, patient.quiet_hours_start, patient.quiet_hours_end)
    if until is not None:
        return Deferred(until)
    state = overdue_actions(medication.product_key, due_on, now.astimezone(zone).date())
    if state.alert_message is None:
        return None
    return OutgoingAlert(
        alert.id,
        AlertKind.OVERDUE_AGENT,
        link.member_chat_id,
        link.patient_name,
        product=get_product(medication.product_key),
        message=state.alert_message,
    )


async def mark_alert_sent(
    session: AsyncSession, alert_id: int, message_id: int | None, now: datetime
) -> None:
    """Record an alert as delivered (or given up on), so no restart sends it again."""
    alert = await session.get(CareAlert, alert_id)
    if alert is not None:
        alert.sent_at, alert.message_id = now, message_id
        await session.commit()


@dataclass(frozen=True)
class Acknowledgement:
    """An acknowledged red-flag alert: whom to tell, and whether this press was the first."""

    patient_chat_id: int
    member_name: str
    flag_code: str | None
    first: bool


async def acknowledge(
    session: AsyncSession, telegram_user_id: int, alert_id: int, now: datetime
) -> Acknowledgement:
    """Record that the linked person saw a red-flag alert: only the person it was sent to,
    and only while their link is active (an old button of someone the patient removed, or
    who left, changes nothing and tells the patient nothing)."""
    found = (
        await session.execute(
            _ALERTS.where(
                CareAlert.id == alert_id,
                CareLink.member_telegram_user_id == telegram_user_id,
                CareLink.status == LinkStatus.ACTIVE,
                CareAlert.kind == AlertKind.RED_FLAG,
            )
        )
    ).first()
    if found is None:
        raise NotYourRecord
    alert, link, patient = found
    first = alert.acknowledged_at is None
    if first:
        alert.acknowledged_at = now
        await session.commit()
    return Acknowledgement(patient.chat_id, link.member_name, alert.flag_code, first)


# --- Start-up ----------------------------------------------------------------------------------


async def reconcile(
    session: AsyncSession, planner: ReminderPlanner, now: datetime, existing: set[str]
) -> int:
    """Re-plan unsent alerts and pending unconfirmed-dose checks (start-up)."""
    planned = 0
    unsent = await session.scalars(
        select(CareAlert.id).where(
            CareAlert.sent_at.is_(None), CareAlert.created_at > now - timedelta(days=2)
        )
    )
    for alert_id in unsent:
        if f"alert:{alert_id}" not in existing:
            planner.plan(JobKind.ALERT, alert_id, now)
            planned += 1
    # One query for every open dose (the check's time with it): these jobs live in memory,
    # so at each start all of them are planned again.
    open_events = await session.execute(
        select(
            DoseEvent.id,
            DoseEvent.due_at,
            Patient.missed_dose_alert_minutes,
            anyone_receives(Patient.id, "missed_dose_alerts"),
        )
        .join(Patient, Patient.id == DoseEvent.patient_id)
        .join(Medication, Medication.id == DoseEvent.medication_id)
        .where(
            DoseEvent.status == DoseStatus.SENT,
            DoseEvent.due_at > now - timedelta(days=1),
            Medication.role.in_(REGIMEN_ROLES),  # supplements alert nobody
            ~exists().where(CareAlert.dose_event_id == DoseEvent.id),
        )
    )
    for event_id, due_at, delay_minutes, watched in open_events.all():
        if f"missed:{event_id}" in existing:
            continue
        run_at = missed_check_time(due_at, delay_minutes, watched)
        if run_at is not None:
            planner.plan(JobKind.MISSED, event_id, max(run_at, now))
            planned += 1
    return planned
