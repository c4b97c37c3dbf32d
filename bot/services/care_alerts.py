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
from enum import StrEnum
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
    LinkRole,
    LinkStatus,
    Medication,
    Patient,
    RedFlagEpisode,
)
from bot.domain import redflags
from bot.domain.alert_tiers import ESCALATE_AFTER, Tier, streak_of, tier_of
from bot.domain.catalog import Product, UnknownProduct, get_product
from bot.domain.clinic_agents import overdue_actions
from bot.domain.dose_times import Frequency, local_instant
from bot.domain.errors import NotYourRecord
from bot.domain.text_clean import clean_text
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
            tier=tier_of(episode.flag_code).value,
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
    role: LinkRole = LinkRole.CAREGIVER  # whose wording and buttons
    clinic_label: str | None = None  # the clinician's own label for the patient
    tier: Tier | None = None  # a red flag's
    streak: int = 1  # unconfirmed doses of this medicine in a row, this one included
    daily: bool = True  # the medicine is taken every day (the streak counts days)
    replaces_message_id: int | None = None  # the same run's earlier message, withdrawn once sent
    escalated: bool = False  # an urgent alert passed on because nobody acknowledged it


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
            role=LinkRole(link.role),
            clinic_label=link.clinic_label,
            tier=Tier(alert.tier) if alert.tier else tier_of(alert.flag_code),
            escalated=alert.escalated_at is not None,
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
    if link.missed_muted_until is not None and now < link.missed_muted_until:
        return None  # "Mute this kind for today"
    zone = ZoneInfo(patient.timezone)
    until = quiet_until(now, zone, patient.quiet_hours_start, patient.quiet_hours_end)
    if until is not None:
        return Deferred(until)
    streak, replaces = await _run_of_misses(session, alert, link, event)
    if alert.streak != streak:
        alert.streak = streak
        await session.commit()
    return OutgoingAlert(
        alert.id,
        AlertKind.MISSED_DOSE,
        link.member_chat_id,
        link.patient_name,
        product=get_product(medication.product_key),
        due_local=event.due_at.astimezone(zone),
        role=LinkRole(link.role),
        clinic_label=link.clinic_label,
        streak=streak,
        daily=medication.frequency == Frequency.DAILY,
        replaces_message_id=replaces,
    )


# How far back a run of unconfirmed doses is counted (a longer run says "at least").
STREAK_LOOKBACK = 60


async def _run_of_misses(
    session: AsyncSession, alert: CareAlert, link: CareLink, event: DoseEvent
) -> tuple[int, int | None]:
    """Return how many doses of this medicine in a row are unconfirmed (this one included),
    and the message of this person's alert about the one before, if the run includes it:
    one message stands for the whole run, not a copy a day."""
    recent = list(
        await session.execute(
            select(DoseEvent.id, DoseEvent.status)
            .where(
                DoseEvent.medication_id == event.medication_id,
                DoseEvent.due_at <= event.due_at,
                DoseEvent.makeup_for_event_id.is_(None),
                DoseEvent.id != event.id,
            )
            .order_by(DoseEvent.due_at.desc())
            .limit(STREAK_LOOKBACK)
        )
    )
    answered = (DoseStatus.TAKEN, DoseStatus.SKIPPED)
    streak = streak_of([event.status, *(status for _, status in recent)], answered)
    if streak < 2 or not recent:
        return streak, None
    previous = await session.scalar(
        select(CareAlert.message_id).where(
            CareAlert.link_id == link.id,
            CareAlert.dose_event_id == recent[0][0],
            CareAlert.id != alert.id,
        )
    )
    return streak, previous


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
        role=LinkRole(link.role),
        clinic_label=link.clinic_label,
    )


async def mark_alert_sent(
    session: AsyncSession, alert_id: int, message_id: int | None, now: datetime
) -> None:
    """Record an alert as delivered (or given up on), so no restart sends it again."""
    alert = await session.get(CareAlert, alert_id)
    if alert is not None:
        alert.sent_at, alert.message_id = now, message_id
        await session.commit()


class AlertStep(StrEnum):
    """What a linked person can do with an alert (letters for the buttons: never reuse one)."""

    SEEN = "s"  # a red flag: I've seen this (caregiver or clinician)
    CHECKED = "c"  # a dose alert: I've checked on them (caregiver)
    MUTE = "m"  # a dose alert: mute this kind for today
    CONTACTED = "p"  # a clinician: patient contacted
    RESOLVED = "r"  # a clinician: resolved (optionally with a note)


# Which steps fit which alert kind, and which need the clinician's role.
_STEP_KINDS = {
    AlertStep.SEEN: {AlertKind.RED_FLAG},
    AlertStep.CHECKED: {AlertKind.MISSED_DOSE, AlertKind.OVERDUE_AGENT},
    AlertStep.MUTE: {AlertKind.MISSED_DOSE},
    AlertStep.CONTACTED: {AlertKind.RED_FLAG},
    AlertStep.RESOLVED: {AlertKind.RED_FLAG},
}
CLINICIAN_STEPS = frozenset({AlertStep.CONTACTED, AlertStep.RESOLVED})
NOTE_MAX_LENGTH = 500


@dataclass(frozen=True)
class Acknowledgement:
    """An answered alert: whom to tell, whether this press changed anything, and the state."""

    patient_chat_id: int
    member_name: str
    flag_code: str | None
    first: bool  # this press was the first acknowledgement (the patient hears of it)
    step: AlertStep = AlertStep.SEEN
    changed: bool = True  # False: already done (a second press changes nothing)
    role: LinkRole = LinkRole.CAREGIVER
    kind: AlertKind = AlertKind.RED_FLAG
    seen: bool = False
    contacted: bool = False
    resolved: bool = False
    note: str | None = None
    muted_until: datetime | None = None


async def _members_alert(
    session: AsyncSession, telegram_user_id: int, alert_id: int
) -> tuple[CareAlert, CareLink, Patient]:
    """The alert, only to the person it was sent to, and only while their link is active
    (an old button of someone the patient removed, or who left, changes nothing)."""
    found = (
        await session.execute(
            _ALERTS.where(
                CareAlert.id == alert_id,
                CareLink.member_telegram_user_id == telegram_user_id,
                CareLink.status == LinkStatus.ACTIVE,
            )
        )
    ).first()
    if found is None:
        raise NotYourRecord
    return found[0], found[1], found[2]


def _state(
    alert: CareAlert,
    link: CareLink,
    patient: Patient,
    step: AlertStep,
    *,
    first: bool,
    changed: bool,
) -> Acknowledgement:
    return Acknowledgement(
        patient.chat_id,
        link.member_name,
        alert.flag_code,
        first,
        step=step,
        changed=changed,
        role=LinkRole(link.role),
        kind=AlertKind(alert.kind),
        seen=alert.acknowledged_at is not None,
        contacted=alert.contacted_at is not None,
        resolved=alert.resolved_at is not None,
        note=alert.resolution_note,
        muted_until=link.missed_muted_until,
    )


async def answer_alert(
    session: AsyncSession,
    telegram_user_id: int,
    alert_id: int,
    step: AlertStep,
    now: datetime,
    note: str | None = None,
) -> Acknowledgement:
    """Record what the linked person did about an alert: seen, checked on them, muted for
    the patient's day, patient contacted, resolved (with an optional note). Contacting or
    resolving acknowledges too; each time is kept once (the first), so the figures hold."""
    alert, link, patient = await _members_alert(session, telegram_user_id, alert_id)
    kind = AlertKind(alert.kind)
    if kind not in _STEP_KINDS[step]:
        raise NotYourRecord
    if step in CLINICIAN_STEPS and link.role != LinkRole.CLINICIAN:
        raise NotYourRecord
    first = alert.acknowledged_at is None
    changed = True
    if step is AlertStep.MUTE:
        zone = ZoneInfo(patient.timezone)
        tomorrow = now.astimezone(zone).date() + timedelta(days=1)
        until = local_instant(tomorrow, time(0, 0), zone)
        changed = link.missed_muted_until is None or link.missed_muted_until < until
        link.missed_muted_until = until
        first = False
    elif step is AlertStep.CONTACTED:
        changed = alert.contacted_at is None
        alert.contacted_at = alert.contacted_at or now
    elif step is AlertStep.RESOLVED:
        cleaned = clean_text(note or "", multiline=True).strip()[:NOTE_MAX_LENGTH] or None
        changed = alert.resolved_at is None or (cleaned is not None and not alert.resolution_note)
        alert.resolved_at = alert.resolved_at or now
        if cleaned is not None and not alert.resolution_note:
            alert.resolution_note = cleaned
    else:  # SEEN, CHECKED
        changed = first
    if step is not AlertStep.MUTE and alert.acknowledged_at is None:
        alert.acknowledged_at = now
    else:
        first = False
    await session.commit()
    return _state(alert, link, patient, step, first=first, changed=changed)


async def may_resolve(session: AsyncSession, telegram_user_id: int, alert_id: int) -> bool:
    """Tell whether the acting clinician may still resolve this red-flag alert (False: it is
    resolved already); NotYourRecord when it is not theirs or not a clinician's to resolve."""
    alert, link, _patient = await _members_alert(session, telegram_user_id, alert_id)
    if alert.kind != AlertKind.RED_FLAG or link.role != LinkRole.CLINICIAN:
        raise NotYourRecord
    return alert.resolved_at is None


async def acknowledge(
    session: AsyncSession, telegram_user_id: int, alert_id: int, now: datetime
) -> Acknowledgement:
    """Record that the linked person saw a red-flag alert (the "I've seen this" button)."""
    return await answer_alert(session, telegram_user_id, alert_id, AlertStep.SEEN, now)


# --- Escalation ---------------------------------------------------------------------------------


def plan_escalation(planner: ReminderPlanner, alert: OutgoingAlert, sent_at: datetime) -> None:
    """Plan the check of an urgent alert just sent to a clinician: if nobody on the care team
    has acknowledged it by then, it goes on (`escalate`)."""
    if alert.role is LinkRole.CLINICIAN and alert.tier is Tier.URGENT and not alert.escalated:
        planner.plan(JobKind.ESCALATE, alert.alert_id, sent_at + ESCALATE_AFTER)


@dataclass(frozen=True)
class Escalation:
    """An urgent alert nobody acknowledged in time: the other clinicians' alerts to send
    again (marked as passed on), and the patient, with the names of the clinicians to call."""

    alert_ids: tuple[int, ...]
    patient_chat_id: int
    clinician_names: tuple[str, ...]
    flag_code: str


async def escalate(session: AsyncSession, alert_id: int, now: datetime) -> Escalation | None:
    """Pass on an urgent red flag no clinician acknowledged: once per episode, to every other
    active clinician who gets red flags (their alert of the episode, or a new one), and tell
    the patient whom to call. None when it no longer applies (acknowledged or resolved by
    anyone, already passed on, the link or the permission gone)."""
    found = (await session.execute(_ALERTS.where(CareAlert.id == alert_id))).first()
    if found is None:
        return None
    alert, link, patient = found
    if (
        alert.kind != AlertKind.RED_FLAG
        or alert.episode_id is None
        or alert.flag_code is None
        or link.status != LinkStatus.ACTIVE
        or link.role != LinkRole.CLINICIAN
    ):
        return None
    rows = (
        await session.execute(
            select(CareAlert, CareLink.role)
            .join(CareLink, CareLink.id == CareAlert.link_id)
            .where(CareAlert.episode_id == alert.episode_id)
        )
    ).all()
    episode_alerts = [row[0] for row in rows]
    # A caregiver's "I've seen this" is not the care team's: only a clinician's answer counts.
    answered = any(
        role == LinkRole.CLINICIAN and (a.acknowledged_at is not None or a.resolved_at is not None)
        for a, role in rows
    )
    if answered or any(a.escalated_at is not None for a in episode_alerts):
        return None
    clinicians = [
        other
        for other in await active_links(session, patient.id, "red_flag_alerts")
        if other.role == LinkRole.CLINICIAN
    ]
    by_link = {a.link_id: a for a in episode_alerts}
    passed_on = []
    for other in clinicians:
        if other.id == link.id:
            continue
        existing = by_link.get(other.id)
        if existing is None:
            existing = CareAlert(
                patient_id=patient.id,
                link_id=other.id,
                kind=AlertKind.RED_FLAG,
                flag_code=alert.flag_code,
                episode_id=alert.episode_id,
                tier=alert.tier,
                created_at=now,
            )
            session.add(existing)
        else:
            existing.sent_at = None  # sent again, as passed on
        passed_on.append(existing)
    for each in [*episode_alerts, *passed_on]:
        each.escalated_at = now
    await session.commit()
    log.info("urgent alert %s passed on to %d clinicians", alert.id, len(passed_on))
    return Escalation(
        tuple(a.id for a in passed_on),
        patient.chat_id,
        tuple(c.member_name for c in clinicians),
        alert.flag_code,
    )


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
