"""Everything an export needs, read once: plain frozen rows, no ORM state, no I/O.

Instants are aware datetimes (UTC as stored); exports convert them to the patient's zone only
when they write them. The period is half-open, ``start <= t < end``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class PatientInfo:
    """The patient, pseudonymous: the bot holds no names, only a number and a time zone."""

    patient_id: int
    timezone: str  # IANA name
    registered_at: datetime

    @property
    def display_name(self) -> str:
        """Return how every export names the patient."""
        return f"Patient #{self.patient_id}"


@dataclass(frozen=True)
class MedicationRow:
    """One medicine of the regimen as registered, with when it was in force."""

    medication_id: int
    role: str  # MedicationRole value
    product_key: str  # catalogue key
    frequency: str | None  # None for clinic-given agents
    time_of_day: time | None
    weekday: int | None
    day_of_month: int | None
    active: bool
    started_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True)
class DoseRow:
    """One due dose and what became of it."""

    event_id: int
    medication_id: int
    product_key: str
    local_date: date
    due_at: datetime
    status: str  # DoseStatus value: pending, sent, taken, skipped, missed
    sent_at: datetime | None
    answered_at: datetime | None
    late: bool  # the reminder went out late (downtime, outage)
    skip_reason: str | None
    taken_at: datetime | None = None  # when the patient says it was taken
    snoozes: int = 0  # how often the patient put it off with Later (their choice)
    makeup_for_event_id: int | None = None  # a make-up dose: the missed one it makes up for
    changes: tuple[AnswerChangeRow, ...] = ()  # corrections of the answer, oldest first


@dataclass(frozen=True)
class AnswerChangeRow:
    """One correction of a dose's answer: who, when, from what to what."""

    changed_at: datetime
    changed_by: str  # the role: "patient"
    old_status: str
    new_status: str
    old_taken_at: datetime | None
    new_taken_at: datetime | None


@dataclass(frozen=True)
class AnswerRow:
    """One stored check-in answer; score None means "Not applicable"."""

    item_code: str
    attribute: str
    score: int | None
    answered_at: datetime


@dataclass(frozen=True)
class CheckinRow:
    """One weekly check-in with its answers in the order they were given."""

    checkin_id: int
    started_at: datetime
    completed_at: datetime | None
    product_keys: tuple[str, ...]  # the regimen in force when it started
    wants_to_stop: bool | None
    note: str | None
    answers: tuple[AnswerRow, ...]


@dataclass(frozen=True)
class RedFlagRow:
    """One red-flag episode: open from its first check-in until a check-in no longer raises it."""

    episode_id: int
    flag_code: str
    checkin_id: int | None
    opened_at: datetime
    closed_at: datetime | None
    alerted_at: datetime | None
    # The care team's answer to its alerts (`bot.domain.alert_tiers`): the tier, and the first
    # clinician's acknowledgement, contact and resolution (with their note), if any.
    tier: str = ""
    care_team_alerted_at: datetime | None = None
    acknowledged_at: datetime | None = None
    contacted_at: datetime | None = None
    resolved_at: datetime | None = None
    resolution_note: str = ""


@dataclass(frozen=True)
class RecordChangeRow:
    """One correction or the deletion of a DXA scan or a clinic dose: who, when, the record
    before and after (a clinic dose has dates only; after a deletion, nothing)."""

    changed_at: datetime
    changed_by: str  # the role: "patient"
    deleted: bool
    old_on: date
    new_on: date | None
    old_lumbar_spine: float | None = None
    new_lumbar_spine: float | None = None
    old_total_hip: float | None = None
    new_total_hip: float | None = None
    old_femoral_neck: float | None = None
    new_femoral_neck: float | None = None


@dataclass(frozen=True)
class DxaRow:
    """The T-scores of one DXA scan; a site the report left out is None."""

    scanned_on: date
    lumbar_spine: float | None
    total_hip: float | None
    femoral_neck: float | None
    changes: tuple[RecordChangeRow, ...] = ()  # corrections (and the deletion), oldest first


@dataclass(frozen=True)
class MarkerChangeRow:
    """One correction or the deletion of a lab result: who, when, before and after."""

    changed_at: datetime
    changed_by: str  # the role: "patient"
    deleted: bool
    old_on: date
    new_on: date | None
    old_printed: str  # as the report printed it: "350 pg/mL"
    new_printed: str | None
    old_value: float  # in the test's own unit
    new_value: float | None


@dataclass(frozen=True)
class MarkerRow:
    """One bone marker or 25-OH vitamin D result: as printed, and in the test's own unit."""

    marker: str  # bot.domain.bone_markers.Marker value
    measured_on: date
    value: float
    unit: str
    typed_value: str
    typed_unit: str
    changes: tuple[MarkerChangeRow, ...] = ()  # corrections (and the deletion), oldest first


@dataclass(frozen=True)
class ClinicAgentRow:
    """One dose of a clinic-given bone agent (infusion or injection) as recorded."""

    product_key: str
    given_on: date
    changes: tuple[RecordChangeRow, ...] = ()  # corrections (and the deletion), oldest first


@dataclass(frozen=True)
class AppointmentRow:
    """One upcoming appointment (DXA scan, infusion, injection, dentist)."""

    kind: str  # short code, e.g. "dxa", "infusion", "injection", "dental"
    starts_at: datetime
    description: str


@dataclass(frozen=True)
class ExportSnapshot:
    """One patient's records for one period, as every export format reads them."""

    patient: PatientInfo
    start: datetime
    end: datetime
    medications: tuple[MedicationRow, ...] = ()
    doses: tuple[DoseRow, ...] = ()
    checkins: tuple[CheckinRow, ...] = ()
    red_flags: tuple[RedFlagRow, ...] = ()
    dxa: tuple[DxaRow, ...] = ()
    clinic_agents: tuple[ClinicAgentRow, ...] = ()
    appointments: tuple[AppointmentRow, ...] = ()
    # Records the patient deleted, as they were before (their last change is the deletion).
    deleted_dxa: tuple[DxaRow, ...] = ()
    deleted_clinic_agents: tuple[ClinicAgentRow, ...] = ()
    # Lab results (bone turnover markers, 25-OH vitamin D) up to the end, by date.
    markers: tuple[MarkerRow, ...] = ()
    deleted_markers: tuple[MarkerRow, ...] = ()

    def __post_init__(self) -> None:
        """Refuse naive or reversed periods, whose meaning depends on the server."""
        for name in ("start", "end"):
            value: datetime = getattr(self, name)
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError(f"{name} must be timezone-aware")
        if self.end <= self.start:
            raise ValueError("end must be after start")
        ZoneInfo(self.patient.timezone)  # raise early on an unknown zone

    @property
    def zone(self) -> ZoneInfo:
        """Return the patient's time zone, in which every export shows times."""
        return ZoneInfo(self.patient.timezone)

    def local(self, instant: datetime) -> datetime:
        """Return an instant as the patient's wall-clock time, with its offset."""
        return instant.astimezone(self.zone)

    @property
    def first_day(self) -> date:
        """Return the first local day of the period."""
        return self.local(self.start).date()

    @property
    def last_day(self) -> date:
        """Return the last local day of the period (the end itself is excluded)."""
        return self.local(self.end - _EPSILON).date()


_EPSILON = datetime.resolution
