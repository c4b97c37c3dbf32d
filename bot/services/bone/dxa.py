"""Bone density (DXA) scans: results, the follow-up interval, reminders, and the risk questions.

The service behind /bone's DXA part and the persistent `dxa:{profile id}` job. Results are
checked by `bot.domain.bone_health.DxaResult` (at least one T-score, each a number a scanner could
report), changes and WHO categories come from `bot.domain.bone_health`, and the 2017 statement's
criteria are checked by `bot.domain.bone_health.assess`, which words a message only when they are
met and no bone agent is on record. The bot informs; the care team decides.

The next scan is the booked date when the patient has one, else the last scan plus the
interval (the care team's, or the guideline's shortest). The job reminds to book ahead
(when nothing is booked) and on the day, at the same local hour as clinic reminders.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.access import owned_by, require_patient
from bot.db.models import (
    BoneHealthProfile,
    BoneRecordChange,
    BoneRecordKind,
    DxaScan,
    Medication,
    MedicationRole,
    Patient,
    RecordAction,
)
from bot.db.record_changes import record_history, scan_change
from bot.domain.bone_health import (
    AGE_MAX,
    AGE_MIN,
    FOLLOW_UP_MONTHS,
    RISK_QUESTIONS,
    T_SCORE_MAX,
    T_SCORE_MIN,
    Assessment,
    DxaResult,
    RiskFactor,
    RiskFactors,
    Site,
    SiteChange,
    add_months,
    assess,
    bmi_from,
    changes_since,
)
from bot.domain.clinic_agents import BOOK_AHEAD_DAYS  # scan slots are booked weeks out, as doses
from bot.domain.dose_times import local_today
from bot.domain.errors import DateTaken, NotYourRecord
from bot.domain.person import Body, CriteriaFit, Menopause, Sex, criteria_fit
from bot.ports import JobKind, ReminderPlanner
from bot.services.bone.clinic_agents import at_reminder_time

INTERVAL_CHOICES = (12, 18, 24)  # months; the care team's interval, by buttons
DEFAULT_INTERVAL_MONTHS = FOLLOW_UP_MONTHS[0]  # the statement's "every 12 to 24 months"
BOOKING_MONTHS_AHEAD = 12  # a booked scan further out than this is a typing error
EARLIEST_SCAN_MONTHS = 240  # older reports are a typing error (and no longer useful)
_SEARCH_DAYS = 800

# The profile's answer columns, in RISK_QUESTIONS order.
RISK_COLUMNS = {
    RiskFactor.FAMILY_HIP_FRACTURE: "family_hip_fracture",
    RiskFactor.FRAGILITY_FRACTURE_AFTER_50: "fragility_fracture_after_50",
    RiskFactor.ORAL_CORTICOSTEROIDS: "oral_corticosteroids",
    RiskFactor.SMOKING: "smoking",
    RiskFactor.ALCOHOL_3_UNITS: "alcohol_3_units",
    RiskFactor.FALL_LAST_YEAR: "fall_last_year",
}


class InvalidNumberText(ValueError):
    """Text that is not the number asked for, or one out of range."""


_NUMBER = re.compile(r"[+-]?(?:\d{1,2}(?:[.,]\d{1,2})?|[.,]\d{1,2})")


def parse_t_score(text: str) -> float:
    """Read a typed T-score like -1.8 (a comma or a typographic minus is fine)."""
    cleaned = text.strip().replace("\u2212", "-").replace("\u2013", "-").replace(" ", "")
    if not _NUMBER.fullmatch(cleaned):
        raise InvalidNumberText(text)
    value = float(cleaned.replace(",", "."))
    if not math.isfinite(value) or not T_SCORE_MIN <= value <= T_SCORE_MAX:
        raise InvalidNumberText(text)
    return value


def parse_age(text: str) -> int:
    """Read a typed age in whole years."""
    cleaned = text.strip().lower().removesuffix("years").removesuffix("yrs").strip()
    if not re.fullmatch(r"\d{1,3}", cleaned) or not AGE_MIN <= int(cleaned) <= AGE_MAX:
        raise InvalidNumberText(text)
    return int(cleaned)


class DxaStep(StrEnum):
    """Which DXA reminder goes out on a day."""

    BOOK_AHEAD = "book_ahead"
    ON_THE_DAY = "on_the_day"
    BASELINE = "baseline"  # no scan on record and none booked: ask the care team about one


# With no scan on record, experts advise one for everyone on an aromatase inhibitor
# (bone_health.SCAN_ADVICE): the first reminder comes this long after registration (project
# choice: after the first fortnight's routine has settled), then again every quarter until
# a scan is recorded or booked.
BASELINE_AFTER_DAYS = 14
BASELINE_EVERY_DAYS = 90


def baseline_step_on(first_on: date, reminded_on: date | None, day: date) -> DxaStep | None:
    """Return the baseline reminder due on a day, or None (see BASELINE_AFTER_DAYS)."""
    if day < first_on:
        return None
    if reminded_on is not None and (day - reminded_on).days < BASELINE_EVERY_DAYS:
        return None
    return DxaStep.BASELINE


def dxa_step_on(
    next_on: date | None, booked: bool, reminded_on: date | None, day: date
) -> DxaStep | None:
    """Return the reminder due on a local day (the newest one not yet sent), or None."""
    if next_on is None or day > next_on:
        return None
    if reminded_on is not None and reminded_on >= day:
        return None
    steps = [] if booked else [(next_on - timedelta(days=BOOK_AHEAD_DAYS), DxaStep.BOOK_AHEAD)]
    steps.append((next_on, DxaStep.ON_THE_DAY))
    pending = [
        step for on, step in steps if on <= day and (reminded_on is None or on > reminded_on)
    ]
    return pending[-1] if pending else None


def _step(view: DxaView, reminded_on: date | None, day: date) -> DxaStep | None:
    """The reminder due on a day: a baseline one while no scan is on record or booked."""
    if view.baseline_from is not None:
        return baseline_step_on(view.baseline_from, reminded_on, day)
    return dxa_step_on(view.next_on, view.next_is_booked, reminded_on, day)


def _next_day(view: DxaView, reminded_on: date | None, after: date) -> date | None:
    for offset in range(1, _SEARCH_DAYS):
        day = after + timedelta(days=offset)
        if _step(view, reminded_on, day) is not None:
            return day
        if view.baseline_from is None and view.next_on is not None and day > view.next_on:
            return None
    return None


# --------------------------------------------------------------------------- views


def _result(scan: DxaScan) -> DxaResult:
    return DxaResult(scan.scanned_on, scan.lumbar_spine, scan.total_hip, scan.femoral_neck)


@dataclass(frozen=True)
class DxaView:
    """The patient's DXA record and follow-up as /bone shows it; carries no ORM state."""

    profile_id: int
    today: date
    scans: tuple[DxaResult, ...]  # oldest first
    interval_months: int
    interval_from_care_team: bool
    next_on: date | None
    next_is_booked: bool
    assessment: Assessment
    risk_answered: bool
    # No scan on record and none booked: when baseline reminders start (else None).
    baseline_from: date | None = None

    @property
    def latest(self) -> DxaResult | None:
        """Return the newest scan, if any."""
        return self.scans[-1] if self.scans else None

    @property
    def changes(self) -> tuple[SiteChange, ...]:
        """Return the change at each site since the scan before the newest."""
        if len(self.scans) < 2:
            return ()
        return changes_since(self.scans[-2], self.scans[-1])


def _risk_factors(profile: BoneHealthProfile) -> RiskFactors:
    answers = {factor: bool(getattr(profile, column)) for factor, column in RISK_COLUMNS.items()}
    bmi = None
    if profile.height_cm is not None and profile.weight_kg is not None:
        bmi = bmi_from(profile.weight_kg, profile.height_cm)
    return RiskFactors.from_answers(answers, age_years=profile.age_years, bmi=bmi)


def _fit(profile: BoneHealthProfile) -> CriteriaFit:
    """Whether the 2017 statement is written for this patient (from what they said)."""
    sex = Sex(profile.sex) if profile.sex else None
    menopause = Menopause(profile.menopause) if profile.menopause else None
    return criteria_fit(sex, menopause)


def _next_scan(profile: BoneHealthProfile, latest: DxaResult | None) -> tuple[date | None, bool]:
    """Return the next scan date and whether it is booked."""
    booked = profile.dxa_booked_on
    if booked is not None and (latest is None or booked > latest.scanned_on):
        return booked, True
    if latest is None:
        return None, False
    interval = profile.dxa_interval_months or DEFAULT_INTERVAL_MONTHS
    return add_months(latest.scanned_on, interval), False


async def _on_bone_agent(session: AsyncSession, patient_id: int) -> bool:
    found = await session.scalar(
        select(Medication.id).where(
            Medication.patient_id == patient_id,
            Medication.active.is_(True),
            Medication.role == MedicationRole.BONE_AGENT,
        )
    )
    return found is not None


async def _scans(session: AsyncSession, patient_id: int) -> list[DxaScan]:
    rows = await session.scalars(
        select(DxaScan).where(DxaScan.patient_id == patient_id).order_by(DxaScan.scanned_on)
    )
    return list(rows)


async def _profile_of(session: AsyncSession, patient: Patient, now: datetime) -> BoneHealthProfile:
    """Return the patient's profile, creating it the first time it is needed."""
    profile = await session.scalar(
        select(BoneHealthProfile).where(BoneHealthProfile.patient_id == patient.id)
    )
    if profile is None:
        profile = BoneHealthProfile(patient_id=patient.id, updated_at=now)
        session.add(profile)
        await session.commit()
    return profile


async def _view(
    session: AsyncSession, patient: Patient, profile: BoneHealthProfile, now: datetime
) -> DxaView:
    zone = ZoneInfo(patient.timezone)
    today = local_today(zone, now)
    scans = tuple(_result(scan) for scan in await _scans(session, patient.id))
    latest = scans[-1] if scans else None
    next_on, booked = _next_scan(profile, latest)
    return DxaView(
        profile_id=profile.id,
        today=today,
        scans=scans,
        interval_months=profile.dxa_interval_months or DEFAULT_INTERVAL_MONTHS,
        interval_from_care_team=profile.dxa_interval_months is not None,
        next_on=next_on,
        next_is_booked=booked,
        assessment=assess(
            latest,
            _risk_factors(profile),
            on_bone_agent=await _on_bone_agent(session, patient.id),
            fit=_fit(profile),
        ),
        risk_answered=profile.risk_answered_at is not None,
        baseline_from=(
            patient.created_at.astimezone(zone).date() + timedelta(days=BASELINE_AFTER_DAYS)
            if latest is None and not booked
            else None
        ),
    )


async def dxa_view(session: AsyncSession, telegram_user_id: int, now: datetime) -> DxaView:
    """Return the acting patient's DXA record and follow-up (creating their profile)."""
    patient = await require_patient(session, telegram_user_id)
    return await _view(session, patient, await _profile_of(session, patient, now), now)


async def view_of(session: AsyncSession, patient: Patient, now: datetime) -> DxaView:
    """Return a patient's DXA view (for /bone and the calendar)."""
    return await _view(session, patient, await _profile_of(session, patient, now), now)


def scan_date_range(today: date) -> tuple[date, date]:
    """Return the dates a scan result can carry."""
    return add_months(today, -EARLIEST_SCAN_MONTHS), today


def booking_range(today: date) -> tuple[date, date]:
    """Return the dates a booked scan can fall on."""
    return today, add_months(today, BOOKING_MONTHS_AHEAD)


async def _own_profile(
    session: AsyncSession, telegram_user_id: int, profile_id: int
) -> tuple[BoneHealthProfile, Patient]:
    profile = await owned_by(session, BoneHealthProfile, profile_id, telegram_user_id)
    patient = await session.get(Patient, profile.patient_id)
    if patient is None:
        raise NotYourRecord
    return profile, patient


async def _own_profile_on(
    session: AsyncSession,
    telegram_user_id: int,
    profile_id: int,
    day: date,
    allowed: Callable[[date], tuple[date, date]],
    now: datetime,
) -> tuple[BoneHealthProfile, Patient, ZoneInfo]:
    """Return the acting patient's profile, patient and zone for a date in the range
    `allowed` gives from the local today; a date outside it (typed, or a forged button) is
    refused."""
    profile, patient = await _own_profile(session, telegram_user_id, profile_id)
    zone = ZoneInfo(patient.timezone)
    earliest, latest = allowed(local_today(zone, now))
    if not earliest <= day <= latest:
        raise InvalidNumberText(day.isoformat())
    return profile, patient, zone


async def own_view(
    session: AsyncSession, telegram_user_id: int, profile_id: int, now: datetime
) -> DxaView:
    """Return the DXA view of a profile, only for its own patient (before a date picker)."""
    profile, patient = await _own_profile(session, telegram_user_id, profile_id)
    return await _view(session, patient, profile, now)


# --------------------------------------------------------------------------- changes


def _replan(
    planner: ReminderPlanner,
    view: DxaView,
    reminded_on: date | None,
    zone: ZoneInfo,
    now: datetime,
) -> bool:
    """Plan the DXA job at its next reminder (today if 10:00 is still ahead); False: none."""
    today = view.today
    if _step(view, reminded_on, today) is not None and now < at_reminder_time(today, zone):
        planner.plan(JobKind.DXA, view.profile_id, at_reminder_time(today, zone))
        return True
    day = _next_day(view, reminded_on, today)
    if day is None:
        planner.cancel(JobKind.DXA, view.profile_id)
        return False
    planner.plan(JobKind.DXA, view.profile_id, at_reminder_time(day, zone))
    return True


@dataclass(frozen=True)
class SavedScan:
    """A scan saved: the record as it now stands, and the result just saved."""

    view: DxaView
    saved: DxaResult


async def record_scan(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    profile_id: int,
    result: DxaResult,
    now: datetime,
) -> SavedScan:
    """Save a scan's T-scores (replacing one typed for the same day) and plan the next scan."""
    profile, patient, zone = await _own_profile_on(
        session, telegram_user_id, profile_id, result.scanned_on, scan_date_range, now
    )
    scan = await session.scalar(
        select(DxaScan).where(
            DxaScan.patient_id == patient.id, DxaScan.scanned_on == result.scanned_on
        )
    )
    if scan is None:
        scan = DxaScan(patient_id=patient.id, scanned_on=result.scanned_on, recorded_at=now)
        session.add(scan)
    elif _result(scan) != result:  # typed again with other values: a change, kept
        session.add(scan_change(scan, result, now))
    scan.lumbar_spine, scan.total_hip = result.lumbar_spine, result.total_hip
    scan.femoral_neck, scan.recorded_at = result.femoral_neck, now
    if profile.dxa_booked_on is not None and profile.dxa_booked_on <= result.scanned_on:
        profile.dxa_booked_on = None  # the booked scan has happened
    profile.dxa_reminded_on, profile.updated_at = None, now
    await session.commit()
    view = await _view(session, patient, profile, now)
    _replan(planner, view, None, zone, now)
    return SavedScan(view, result)


async def set_booked(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    profile_id: int,
    booked_on: date,
    now: datetime,
) -> DxaView:
    """Record the date the next scan is booked for; reminders follow it."""
    profile, patient, zone = await _own_profile_on(
        session, telegram_user_id, profile_id, booked_on, booking_range, now
    )
    profile.dxa_booked_on, profile.dxa_reminded_on, profile.updated_at = booked_on, None, now
    await session.commit()
    view = await _view(session, patient, profile, now)
    _replan(planner, view, None, zone, now)
    return view


async def set_interval(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    months: int,
    now: datetime,
) -> DxaView:
    """Set the care team's interval between scans (12, 18 or 24 months)."""
    if months not in INTERVAL_CHOICES:
        raise InvalidNumberText(str(months))
    patient = await require_patient(session, telegram_user_id)
    profile = await _profile_of(session, patient, now)
    profile.dxa_interval_months, profile.dxa_reminded_on, profile.updated_at = months, None, now
    await session.commit()
    view = await _view(session, patient, profile, now)
    _replan(planner, view, None, ZoneInfo(patient.timezone), now)
    return view


async def answer_risk(
    session: AsyncSession, *, telegram_user_id: int, index: int, yes: bool, now: datetime
) -> int | None:
    """Store one yes/no risk answer; return the next question's index (None: ask the age)."""
    if not 0 <= index < len(RISK_QUESTIONS):
        raise NotYourRecord  # forged data: like any bad reference
    patient = await require_patient(session, telegram_user_id)
    profile = await _profile_of(session, patient, now)
    setattr(profile, RISK_COLUMNS[RISK_QUESTIONS[index].code], yes)
    profile.updated_at = now
    await session.commit()
    return index + 1 if index + 1 < len(RISK_QUESTIONS) else None


async def set_age(
    session: AsyncSession, *, telegram_user_id: int, age_years: int | None, now: datetime
) -> DxaView:
    """Store the age (None: not given) and finish the questions; return the assessment."""
    if age_years is not None and not AGE_MIN <= age_years <= AGE_MAX:
        raise InvalidNumberText(str(age_years))
    patient = await require_patient(session, telegram_user_id)
    profile = await _profile_of(session, patient, now)
    profile.age_years, profile.risk_answered_at, profile.updated_at = age_years, now, now
    await session.commit()
    return await _view(session, patient, profile, now)


async def set_about(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    sex: str,
    menopause: str | None,
    now: datetime,
) -> None:
    """Store what the patient said about themself (forged codes are refused)."""
    try:
        said = Sex(sex)
        stopped = Menopause(menopause) if menopause is not None else None
    except ValueError as error:
        raise NotYourRecord from error  # forged data: like any bad reference
    if stopped is not None and said is not Sex.FEMALE:
        raise NotYourRecord
    patient = await require_patient(session, telegram_user_id)
    profile = await _profile_of(session, patient, now)
    profile.sex, profile.menopause, profile.updated_at = said, stopped, now
    await session.commit()


async def set_body(
    session: AsyncSession, *, telegram_user_id: int, body: Body | None, now: datetime
) -> DxaView:
    """Store height and weight (None: skipped) and finish the questions: the assessment."""
    patient = await require_patient(session, telegram_user_id)
    profile = await _profile_of(session, patient, now)
    if body is not None:
        profile.height_cm, profile.weight_kg = body.height_cm, body.weight_kg
    profile.risk_answered_at, profile.updated_at = now, now
    await session.commit()
    return await _view(session, patient, profile, now)


# --------------------------------------------------------------------------- corrections


@dataclass(frozen=True)
class ScanChange:
    """One correction (or the deletion) of a scan: when, and the values before and after."""

    changed_at: datetime
    changed_on: date  # the patient's local day of the change
    changed_by: str
    before: DxaResult
    after: DxaResult | None  # None: deleted


@dataclass(frozen=True)
class ScanEntry:
    """One recorded scan, with its id for buttons and its corrections (oldest first)."""

    scan_id: int
    result: DxaResult
    today: date
    changes: tuple[ScanChange, ...] = ()


def _change_view(change: BoneRecordChange, zone: ZoneInfo) -> ScanChange:
    before = DxaResult(
        change.old_on, change.old_lumbar_spine, change.old_total_hip, change.old_femoral_neck
    )
    after = None
    if change.action != RecordAction.DELETED and change.new_on is not None:
        after = DxaResult(
            change.new_on, change.new_lumbar_spine, change.new_total_hip, change.new_femoral_neck
        )
    changed_on = change.changed_at.astimezone(zone).date()
    return ScanChange(change.changed_at, changed_on, change.changed_by, before, after)


async def scan_list(
    session: AsyncSession, telegram_user_id: int, now: datetime
) -> tuple[ScanEntry, ...]:
    """Return the acting patient's scans, newest first (to pick one to correct)."""
    patient = await require_patient(session, telegram_user_id)
    today = local_today(ZoneInfo(patient.timezone), now)
    scans = await _scans(session, patient.id)
    return tuple(ScanEntry(scan.id, _result(scan), today) for scan in reversed(scans))


async def _own_scan(
    session: AsyncSession, telegram_user_id: int, scan_id: int
) -> tuple[DxaScan, Patient]:
    scan = await owned_by(session, DxaScan, scan_id, telegram_user_id)
    patient = await session.get(Patient, scan.patient_id)
    if patient is None:
        raise NotYourRecord
    return scan, patient


async def own_scan(
    session: AsyncSession, telegram_user_id: int, scan_id: int, now: datetime
) -> ScanEntry:
    """Return one of the acting patient's scans with its corrections (forged ids refused)."""
    scan, patient = await _own_scan(session, telegram_user_id, scan_id)
    history = await record_history(session, patient.id, BoneRecordKind.DXA, [scan.id])
    zone = ZoneInfo(patient.timezone)
    changes = tuple(_change_view(change, zone) for change in history.live.get(scan.id, ()))
    today = local_today(zone, now)
    return ScanEntry(scan.id, _result(scan), today, changes)


@dataclass(frozen=True)
class Corrected:
    """A scan corrected or deleted: the record as it now stands, and the scan (None: gone)."""

    view: DxaView
    scan: ScanEntry | None
    changed: bool = True


async def _after_change(
    session: AsyncSession,
    planner: ReminderPlanner,
    patient: Patient,
    profile: BoneHealthProfile,
    before: DxaView,
    now: datetime,
) -> DxaView:
    """Re-plan the next scan from the scans that remain; its reminders start again only when
    the next scan's date moved."""
    view = await _view(session, patient, profile, now)
    if (view.next_on, view.next_is_booked) != (before.next_on, before.next_is_booked):
        profile.dxa_reminded_on, profile.updated_at = None, now
        await session.commit()
    _replan(planner, view, profile.dxa_reminded_on, ZoneInfo(patient.timezone), now)
    return view


async def correct_scan(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    scan_id: int,
    result: DxaResult,
    now: datetime,
) -> Corrected:
    """Replace a recorded scan's date or T-scores, keep the change, re-plan the next scan.

    A date outside the scan range is refused (InvalidNumberText), and so is the day of
    another scan (DateTaken: one scan a day).
    """
    scan, patient = await _own_scan(session, telegram_user_id, scan_id)
    profile = await _profile_of(session, patient, now)
    earliest, latest = scan_date_range(local_today(ZoneInfo(patient.timezone), now))
    if not earliest <= result.scanned_on <= latest:
        raise InvalidNumberText(result.scanned_on.isoformat())
    if _result(scan) == result:
        return Corrected(
            await _view(session, patient, profile, now),
            await own_scan(session, telegram_user_id, scan_id, now),
            changed=False,
        )
    if result.scanned_on != scan.scanned_on:
        other = await session.scalar(
            select(DxaScan.id).where(
                DxaScan.patient_id == patient.id, DxaScan.scanned_on == result.scanned_on
            )
        )
        if other is not None:
            raise DateTaken(result.scanned_on.isoformat())
    before = await _view(session, patient, profile, now)
    session.add(scan_change(scan, result, now))
    scan.scanned_on = result.scanned_on
    scan.lumbar_spine, scan.total_hip = result.lumbar_spine, result.total_hip
    scan.femoral_neck = result.femoral_neck
    if profile.dxa_booked_on is not None and profile.dxa_booked_on <= result.scanned_on:
        profile.dxa_booked_on = None  # the booked scan has happened, as when it is recorded
    profile.updated_at = now
    await session.commit()
    view = await _after_change(session, planner, patient, profile, before, now)
    return Corrected(view, await own_scan(session, telegram_user_id, scan_id, now))


async def correct_site(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    scan_id: int,
    site: Site,
    value: float | None,
    now: datetime,
) -> Corrected:
    """Replace one site's T-score of a recorded scan (None: not on the report), as
    `correct_scan` does; the other sites stay as they are now."""
    scan, _patient = await _own_scan(session, telegram_user_id, scan_id)
    scores = {other.value: getattr(scan, other.value) for other in Site} | {site.value: value}
    result = DxaResult(scan.scanned_on, **scores)  # ValueError: no T-score would be left
    return await correct_scan(
        session,
        planner,
        telegram_user_id=telegram_user_id,
        scan_id=scan_id,
        result=result,
        now=now,
    )


async def delete_scan(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    scan_id: int,
    now: datetime,
) -> Corrected:
    """Delete a recorded scan (the deletion is kept) and re-plan from the scans that remain."""
    scan, patient = await _own_scan(session, telegram_user_id, scan_id)
    profile = await _profile_of(session, patient, now)
    before = await _view(session, patient, profile, now)
    session.add(scan_change(scan, None, now))
    await session.delete(scan)
    profile.updated_at = now
    await session.commit()
    view = await _after_change(session, planner, patient, profile, before, now)
    return Corrected(view, None)


# --------------------------------------------------------------------------- the job


@dataclass(frozen=True)
class DxaRun:
    """What a DXA job found on its day."""

    chat_id: int
    reachable: bool
    day: date
    step: DxaStep | None
    view: DxaView


async def dxa_run(session: AsyncSession, profile_id: int, now: datetime) -> DxaRun | None:
    """Find today's DXA reminder for a profile (None: the patient is gone)."""
    profile = await session.get(BoneHealthProfile, profile_id)
    patient = await session.get(Patient, profile.patient_id) if profile else None
    if profile is None or patient is None:
        return None
    view = await _view(session, patient, profile, now)
    step = _step(view, profile.dxa_reminded_on, view.today)
    return DxaRun(patient.chat_id, patient.unreachable_since is None, view.today, step, view)


async def dxa_reminded(
    session: AsyncSession, profile_id: int, day: date, step: DxaStep | None, now: datetime
) -> datetime | None:
    """Record the day's reminder (after sending) and return when the job runs next."""
    profile = await session.get(BoneHealthProfile, profile_id)
    patient = await session.get(Patient, profile.patient_id) if profile else None
    if profile is None or patient is None:
        return None
    if step is not None:
        profile.dxa_reminded_on = day
        await session.commit()
    view = await _view(session, patient, profile, now)
    following = _next_day(view, profile.dxa_reminded_on, day)
    return at_reminder_time(following, ZoneInfo(patient.timezone)) if following else None


async def replan(
    session: AsyncSession, planner: ReminderPlanner, patient_id: int, now: datetime
) -> None:
    """Re-plan a patient's DXA job (a new time zone moves 10:00 with it). The profile is
    made if there is none yet: with no scan on record, the baseline reminders need it."""
    patient = await session.get(Patient, patient_id)
    if patient is not None:
        profile = await _profile_of(session, patient, now)
        view = await _view(session, patient, profile, now)
        _replan(planner, view, profile.dxa_reminded_on, ZoneInfo(patient.timezone), now)


async def reconcile(
    session: AsyncSession, planner: ReminderPlanner, now: datetime, existing: set[str]
) -> int:
    """Re-create missing DXA jobs from the profiles (start-up)."""
    planned = 0
    # Every profile has something to remind about: a booked scan, the next scan after the
    # one on record, or (none on record) the baseline scan.
    rows = await session.execute(
        select(BoneHealthProfile, Patient).join(
            Patient, Patient.id == BoneHealthProfile.patient_id
        )
    )
    for profile, patient in rows:
        if f"dxa:{profile.id}" in existing:
            continue
        view = await _view(session, patient, profile, now)
        if _replan(planner, view, profile.dxa_reminded_on, ZoneInfo(patient.timezone), now):
            planned += 1
    return planned
