"""ORM models: the database is the source of truth for regimens, doses and check-ins."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Store aware datetimes as UTC and hand them back aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite drops the offset; we only ever stored UTC
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with stable constraint names for Alembic."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class MedicationRole(StrEnum):
    """Which slot of the regimen a medication fills."""

    AROMATASE_INHIBITOR = "aromatase_inhibitor"
    BONE_AGENT = "bone_agent"
    # A calcium or vitamin D reminder at a meal time (product_key: a SupplementKind of
    # bot.domain.calcium, not a catalogue product): its doses are dose events like any other.
    SUPPLEMENT = "supplement"


# The roles of the regimen proper: catalogue medicines, shown in /regimen, /today, /history
# and the exports. Supplements have views of their own (/bone, and a line each in both).
REGIMEN_ROLES = (MedicationRole.AROMATASE_INHIBITOR, MedicationRole.BONE_AGENT)


class DoseStatus(StrEnum):
    """Life of one due dose: created, sent, then answered (or missed)."""

    PENDING = "pending"  # due, not yet delivered
    SENT = "sent"  # reminder delivered, no answer yet
    TAKEN = "taken"
    SKIPPED = "skipped"
    MISSED = "missed"


# Sent or about to be, and not answered: what a press, a snooze or a caregiver check acts on.
OPEN_DOSE_STATUSES = (DoseStatus.PENDING, DoseStatus.SENT)


class Patient(Base):
    """A person who registered a regimen (created only after consent and confirmation)."""

    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    timezone: Mapped[str] = mapped_column(String(64))
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    unreachable_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # Caregiver alerts: minutes after a dose's time before an unconfirmed dose alerts
    # (None: off), and the local quiet hours when such alerts wait (None: no quiet hours).
    missed_dose_alert_minutes: Mapped[int | None] = mapped_column(default=60)
    quiet_hours_start: Mapped[time | None] = mapped_column(Time(), default=time(22, 0))
    quiet_hours_end: Mapped[time | None] = mapped_column(Time(), default=time(7, 0))

    medications: Mapped[list[Medication]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", passive_deletes=True
    )


class Medication(Base):
    """One medicine of a patient's regimen; replaced, not edited, when the plan changes."""

    __tablename__ = "medications"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(32))
    product_key: Mapped[str] = mapped_column(String(48))
    # Empty for clinic-given agents, which are recorded here and scheduled elsewhere.
    frequency: Mapped[str | None] = mapped_column(String(24), default=None)
    time_of_day: Mapped[time | None] = mapped_column(Time(), default=None)
    weekday: Mapped[int | None] = mapped_column(default=None)
    day_of_month: Mapped[int | None] = mapped_column(default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # Due time of the last dose recorded (the cursor doses are opened from): kept here so
    # neither a reminder nor a start-up has to aggregate the dose history to find it.
    recorded_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # A supplement's amount per reminder (mg of calcium); None for medicines.
    dose_mg: Mapped[int | None] = mapped_column(default=None)
    # The supplement_prompts row this was before revision 0011: jobs stored by earlier
    # versions name it (`supplement:{prompt id}`).
    legacy_supplement_prompt_id: Mapped[int | None] = mapped_column(default=None)
    # Paused by the patient (a holiday, a hospital stay) through this local day, inclusive:
    # no reminders and no dose records for those days, so they are not counted as missed.
    paused_until: Mapped[date | None] = mapped_column(Date(), default=None)
    # On hold since the bot told the patient to stop it and call their care team (a red
    # flag): reminders ask whether the care team said to go on, not to take it.
    hold_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    hold_reason: Mapped[str | None] = mapped_column(String(32), default=None)

    patient: Mapped[Patient] = relationship(back_populates="medications")

    __table_args__ = (
        Index("ix_medications_patient_active", "patient_id", "active"),
        Index(
            "ix_medications_legacy_supplement_prompt", "legacy_supplement_prompt_id", unique=True
        ),
    )


class DoseEvent(Base):
    """One due dose and what became of it: the adherence record."""

    __tablename__ = "dose_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    medication_id: Mapped[int] = mapped_column(ForeignKey("medications.id", ondelete="CASCADE"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default=DoseStatus.PENDING)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # When the latest reminder went out (the first, or a snoozed one sent again).
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    message_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # How often the patient put it off with Later: their choice, never counted as `late`.
    snoozes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rechecked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    skip_reason: Mapped[str | None] = mapped_column(String(32), default=None)
    # When the patient says it was taken ("earlier, at 07:00"); the window runs from here.
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # A missed dose: when its make-up (the label's "the morning after you remember") is due.
    makeup_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # A make-up dose: the missed dose it makes up for.
    makeup_for_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("dose_events.id", ondelete="SET NULL"), default=None
    )
    window_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    window_notice_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # Why a supplement's reminder came later than asked (clear of a bisphosphonate), if it did.
    moved_reason: Mapped[str | None] = mapped_column(String(400), default=None)
    # The supplement_events row this was before revision 0011: buttons already in chats
    # (`b:t:{event id}`, `b:z:{event id}`) and stored `supsnooze:` jobs carry that id.
    legacy_supplement_event_id: Mapped[int | None] = mapped_column(default=None)

    medication: Mapped[Medication] = relationship()

    __table_args__ = (
        # One event per medicine per local day: a fall-back night cannot double a dose.
        UniqueConstraint("medication_id", "local_date", name="uq_dose_events_medication_day"),
        Index("ix_dose_events_patient_due", "patient_id", "due_at"),
        Index("ix_dose_events_status", "status"),
        Index("ix_dose_events_legacy_supplement_event", "legacy_supplement_event_id", unique=True),
    )


class DoseAnswerChange(Base):
    """One correction of a dose's answer: who changed what, and when (the record keeps both
    the answer given first and every change after it)."""

    __tablename__ = "dose_answer_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    dose_event_id: Mapped[int] = mapped_column(ForeignKey("dose_events.id", ondelete="CASCADE"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    changed_by: Mapped[str] = mapped_column(String(16))  # the role: "patient"
    old_status: Mapped[str] = mapped_column(String(16))
    new_status: Mapped[str] = mapped_column(String(16))
    old_taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    new_taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    __table_args__ = (Index("ix_dose_answer_changes_dose_event", "dose_event_id"),)


class Checkin(Base):
    """One weekly symptom check-in: open until the note step is done, then completed."""

    __tablename__ = "checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # The regimen in force when it started, as sorted catalogue keys joined by commas: it
    # decides the items asked, and stays with the answers if the regimen changes later.
    product_keys: Mapped[str] = mapped_column(String(255))
    # The patient's sex when it started (None: not said), which decides sex-specific items.
    sex: Mapped[str | None] = mapped_column(String(16), default=None)
    # The project's own yes/no question "I want to stop my aromatase inhibitor".
    wants_to_stop: Mapped[bool | None] = mapped_column(Boolean, default=None)
    # The patient's free-text note for the care team: health data, never logged.
    note: Mapped[str | None] = mapped_column(Text(), default=None)

    __table_args__ = (Index("ix_checkins_patient_started", "patient_id", "started_at"),)


class CheckinAnswer(Base):
    """One answer of a check-in: a PRO-CTCAE (or own) item, an attribute and its score."""

    __tablename__ = "checkin_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id", ondelete="CASCADE"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    item_code: Mapped[str] = mapped_column(String(24))
    attribute: Mapped[str] = mapped_column(String(16))
    score: Mapped[int | None] = mapped_column(Integer(), default=None)  # None: not applicable
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        # One answer per question: a double press cannot store two.
        UniqueConstraint(
            "checkin_id", "item_code", "attribute", name="uq_checkin_answers_question"
        ),
        Index("ix_checkin_answers_patient_answered", "patient_id", "answered_at"),
    )


class RedFlagEpisode(Base):
    """A red flag from the answer or check-in that raised it until a completed check-in no
    longer raises it (a warning sign opens at its answer, even in an unfinished check-in)."""

    __tablename__ = "redflag_episodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    checkin_id: Mapped[int | None] = mapped_column(
        ForeignKey("checkins.id", ondelete="SET NULL"), default=None
    )
    flag_code: Mapped[str] = mapped_column(String(40))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # When the episode's advice went to the patient: with the answer that raised a warning
    # sign, or when the check-in ended for the other flags.
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    __table_args__ = (Index("ix_redflag_episodes_patient_closed", "patient_id", "closed_at"),)


class CheckinSchedule(Base):
    """When a patient wants the weekly check-in prompt, in their local wall-clock time."""

    __tablename__ = "checkin_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), unique=True
    )
    weekday: Mapped[int] = mapped_column()  # 0=Monday..6=Sunday
    time_of_day: Mapped[time] = mapped_column(Time())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LinkRole(StrEnum):
    """What a linked person is to the patient; decides the defaults of what they receive."""

    CAREGIVER = "caregiver"
    CLINICIAN = "clinician"


class LinkStatus(StrEnum):
    """A link waits for the patient's confirmation, then is active until someone ends it."""

    PENDING = "pending"
    ACTIVE = "active"
    ENDED = "ended"


class Invite(Base):
    """A single-use, expiring invitation code; only its hash is kept, never the code."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    # The patient's first name as Telegram gave it: the invitation says who sends it.
    inviter_name: Mapped[str] = mapped_column(String(64), default="", server_default="")
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class CareLink(Base):
    """A caregiver or clinician linked to a patient, and what the patient lets them see."""

    __tablename__ = "care_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    member_telegram_user_id: Mapped[int] = mapped_column(BigInteger)
    member_chat_id: Mapped[int] = mapped_column(BigInteger)
    role: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=LinkStatus.PENDING)
    # First names as Telegram gave them, so each side can tell whom a message is about.
    member_name: Mapped[str] = mapped_column(String(64))
    patient_name: Mapped[str] = mapped_column(String(64), default="")
    missed_dose_alerts: Mapped[bool] = mapped_column(Boolean, default=True)
    red_flag_alerts: Mapped[bool] = mapped_column(Boolean, default=True)
    weekly_summary: Mapped[bool] = mapped_column(Boolean, default=False)
    sees_symptom_log: Mapped[bool] = mapped_column(Boolean, default=False)
    # A clinician's own label for the patient (a record number, a ward): theirs alone.
    clinic_label: Mapped[str | None] = mapped_column(String(32), default=None)
    # "Mute this kind for today" on a missed-dose alert: none sent before this instant.
    missed_muted_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    __table_args__ = (
        Index("ix_care_links_patient_status", "patient_id", "status"),
        Index("ix_care_links_member_status", "member_telegram_user_id", "status"),
    )


class CodeAttempt(Base):
    """A failed invitation-code attempt, kept briefly to rate-limit guessing per person.

    Keyed by a keyed hash of the person's Telegram account (`invite_codes.attempt_key`), not
    the account: erasing their data leaves it, so erasure cannot reset the limit.
    """

    __tablename__ = "code_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_key: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_code_attempts_key_at", "user_key", "attempted_at"),)


class AlertKind(StrEnum):
    """Why a linked person is alerted."""

    RED_FLAG = "red_flag"
    MISSED_DOSE = "missed_dose"
    OVERDUE_AGENT = "overdue_agent"
    # The patient stopped (or switched away from) a medicine whose label warns about stopping
    # it (denosumab); `flag_code` holds its product key.
    STOPPED_AGENT = "stopped_agent"


class CareAlert(Base):
    """One alert to one linked person: an outbox row, delivered by a job, then acknowledged."""

    __tablename__ = "care_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    link_id: Mapped[int] = mapped_column(ForeignKey("care_links.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    # What the alert is about: a red-flag code, or a dose event; never free text.
    flag_code: Mapped[str | None] = mapped_column(String(40), default=None)
    episode_id: Mapped[int | None] = mapped_column(
        ForeignKey("redflag_episodes.id", ondelete="CASCADE"), default=None
    )
    dose_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("dose_events.id", ondelete="CASCADE"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    message_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # Unconfirmed doses of one medicine in a row this alert stands for (1: just this one).
    streak: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # A red flag's tier (bot.domain.alert_tiers) and its closure by a clinician.
    tier: Mapped[str | None] = mapped_column(String(16), default=None)
    contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    resolution_note: Mapped[str | None] = mapped_column(String(500), default=None)
    # An urgent alert nobody acknowledged in time went to the other clinicians then.
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    __table_args__ = (
        # One alert per person per episode or dose: a re-run job cannot double it.
        UniqueConstraint("link_id", "episode_id", name="uq_care_alerts_link_episode"),
        UniqueConstraint("link_id", "dose_event_id", name="uq_care_alerts_link_dose"),
        Index("ix_care_alerts_sent", "sent_at"),
    )


class ExportRecord(Base):
    """The audit log of exports: who took whose data, when, which range and format."""

    __tablename__ = "export_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    # None for the command-line export run by a clinic's administrator.
    actor_telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    actor_role: Mapped[str] = mapped_column(String(16))  # patient, clinician, administrator
    actor_name: Mapped[str] = mapped_column(String(64), default="")
    export_format: Mapped[str] = mapped_column(String(8))  # csv, pdf, fhir, all
    range_start: Mapped[datetime] = mapped_column(UTCDateTime())
    range_end: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_export_records_patient_created", "patient_id", "created_at"),)


class AccessRecord(Base):
    """The audit log of views: a caregiver or clinician looked at the patient's data."""

    __tablename__ = "access_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    actor_telegram_user_id: Mapped[int] = mapped_column(BigInteger)
    actor_role: Mapped[str] = mapped_column(String(16))  # caregiver, clinician
    actor_name: Mapped[str] = mapped_column(String(64))
    what: Mapped[str] = mapped_column(String(32))  # bot.services.care_access.View
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_access_records_patient_created", "patient_id", "created_at"),)


class ClinicAgentPlan(Base):
    """When a clinic-given bone agent is next due, counted from the date it was last given."""

    __tablename__ = "clinic_agent_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    medication_id: Mapped[int] = mapped_column(
        ForeignKey("medications.id", ondelete="CASCADE"), unique=True
    )
    last_given_on: Mapped[date | None] = mapped_column(Date(), default=None)
    # None until the patient tells the date of the last dose.
    due_on: Mapped[date | None] = mapped_column(Date(), default=None)
    # The patient's local day the job last sent a reminder about this due date: a re-run
    # the same day sends nothing more.
    reminded_on: Mapped[date | None] = mapped_column(Date(), default=None)
    # The how-are-you check after an infusion, still to send on this local day.
    post_check_on: Mapped[date | None] = mapped_column(Date(), default=None)
    # The due date linked people were alerted about (one alert per due date).
    alerted_due_on: Mapped[date | None] = mapped_column(Date(), default=None)
    # The care team's interval in months (None: the catalogue's), one of its choices.
    interval_months: Mapped[int | None] = mapped_column(default=None)
    # A planned course: its length in years from its start (None: no end set), and the
    # day the "course ends about now" review went out.
    course_years: Mapped[int | None] = mapped_column(default=None)
    course_started_on: Mapped[date | None] = mapped_column(Date(), default=None)
    review_reminded_on: Mapped[date | None] = mapped_column(Date(), default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_clinic_agent_plans_patient", "patient_id"),)


class ClinicAgentDose(Base):
    """One clinic dose the patient recorded as given, on the date it was actually given."""

    __tablename__ = "clinic_agent_doses"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    medication_id: Mapped[int] = mapped_column(ForeignKey("medications.id", ondelete="CASCADE"))
    given_on: Mapped[date] = mapped_column(Date())
    # The due date it answered, when it was given in answer to one (None: the first record).
    due_on: Mapped[date | None] = mapped_column(Date(), default=None)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("medication_id", "given_on", name="uq_clinic_agent_doses_day"),
        Index("ix_clinic_agent_doses_patient_given", "patient_id", "given_on"),
    )


class BoneHealthProfile(Base):
    """A patient's bone-density follow-up and fracture-risk answers (one row per patient)."""

    __tablename__ = "bone_health_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), unique=True
    )
    # The care team's interval between DXA scans; None: the guideline's default.
    dxa_interval_months: Mapped[int | None] = mapped_column(default=None)
    # A scan the patient has booked (their local date); None when none is booked.
    dxa_booked_on: Mapped[date | None] = mapped_column(Date(), default=None)
    # The patient's local day the DXA job last sent a reminder (once a day at most).
    dxa_reminded_on: Mapped[date | None] = mapped_column(Date(), default=None)
    # Fracture risk questionnaire (2017 joint position statement); None: not answered.
    age_years: Mapped[int | None] = mapped_column(default=None)
    family_hip_fracture: Mapped[bool | None] = mapped_column(Boolean, default=None)
    fragility_fracture_after_50: Mapped[bool | None] = mapped_column(Boolean, default=None)
    oral_corticosteroids: Mapped[bool | None] = mapped_column(Boolean, default=None)
    smoking: Mapped[bool | None] = mapped_column(Boolean, default=None)
    # About the patient, all optional (bot.domain.person): which criteria and items apply.
    sex: Mapped[str | None] = mapped_column(String(16), default=None)  # Sex, or "unsaid"
    menopause: Mapped[str | None] = mapped_column(String(16), default=None)  # Menopause
    height_cm: Mapped[float | None] = mapped_column(Float(), default=None)
    weight_kg: Mapped[float | None] = mapped_column(Float(), default=None)
    # Recorded for the care team; not among the 2017 statement's risk factors.
    alcohol_3_units: Mapped[bool | None] = mapped_column(Boolean, default=None)
    fall_last_year: Mapped[bool | None] = mapped_column(Boolean, default=None)
    risk_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DxaScan(Base):
    """One DXA scan's T-scores as the patient typed them from the report (any site optional)."""

    __tablename__ = "dxa_scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    scanned_on: Mapped[date] = mapped_column(Date())
    lumbar_spine: Mapped[float | None] = mapped_column(Float(), default=None)
    total_hip: Mapped[float | None] = mapped_column(Float(), default=None)
    femoral_neck: Mapped[float | None] = mapped_column(Float(), default=None)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        # One scan a day: typing the same report twice replaces it.
        UniqueConstraint("patient_id", "scanned_on", name="uq_dxa_scans_patient_day"),
    )


class BoneRecordKind(StrEnum):
    """Which bone-health record a change is about."""

    DXA = "dxa"  # a dxa_scans row
    CLINIC_AGENT = "clinic_agent"  # a clinic_agent_doses row


class RecordAction(StrEnum):
    """What was done to a bone-health record."""

    CHANGED = "changed"
    DELETED = "deleted"


class BoneRecordChange(Base):
    """One correction or deletion of a DXA scan or a clinic dose: who, when, and the record
    before and after (the record keeps what was typed first and every change after it).

    `record_id` names the scan or dose but is no foreign key: the change outlives a deleted
    record. Ids of deleted rows can come back on SQLite, so a record's history is read up to
    its deletion (`bot.exports.loader`). The patient's erasure removes it (patient_id).
    """

    __tablename__ = "bone_record_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    record: Mapped[str] = mapped_column(String(16))  # BoneRecordKind
    record_id: Mapped[int] = mapped_column()
    # A clinic dose's medicine (None for a scan).
    medication_id: Mapped[int | None] = mapped_column(
        ForeignKey("medications.id", ondelete="CASCADE"), default=None
    )
    action: Mapped[str] = mapped_column(String(16))  # RecordAction
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    changed_by: Mapped[str] = mapped_column(String(16))  # the role: "patient"
    # The record's date (scanned on, given on) before and after; after is None if deleted.
    old_on: Mapped[date] = mapped_column(Date())
    new_on: Mapped[date | None] = mapped_column(Date(), default=None)
    # A scan's T-scores before and after (None: not on the report, or deleted).
    old_lumbar_spine: Mapped[float | None] = mapped_column(Float(), default=None)
    new_lumbar_spine: Mapped[float | None] = mapped_column(Float(), default=None)
    old_total_hip: Mapped[float | None] = mapped_column(Float(), default=None)
    new_total_hip: Mapped[float | None] = mapped_column(Float(), default=None)
    old_femoral_neck: Mapped[float | None] = mapped_column(Float(), default=None)
    new_femoral_neck: Mapped[float | None] = mapped_column(Float(), default=None)

    __table_args__ = (
        Index("ix_bone_record_changes_patient_record", "patient_id", "record", "record_id"),
    )


class BoneMarkerResult(Base):
    """One bone turnover marker or 25-OH vitamin D result, as the patient typed it from the
    lab report, and its value in the test's own unit (`bot.domain.bone_markers`)."""

    __tablename__ = "bone_marker_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    marker: Mapped[str] = mapped_column(String(16))  # Marker
    measured_on: Mapped[date] = mapped_column(Date())  # the sample's date on the report
    value: Mapped[float] = mapped_column(Float())  # in `unit`, the test's own unit
    unit: Mapped[str] = mapped_column(String(32))
    typed_value: Mapped[str] = mapped_column(String(16))  # the number as printed: "350"
    typed_unit: Mapped[str] = mapped_column(String(32))  # the unit as printed: "pg/mL"
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        # One result of a test a day: typing the same report twice replaces it.
        UniqueConstraint(
            "patient_id", "marker", "measured_on", name="uq_bone_marker_results_patient_day"
        ),
    )


class BoneMarkerChange(Base):
    """One correction or deletion of a marker result: who, when, the result before and after.

    `record_id` names the result but is no foreign key: the change outlives a deleted
    result (read as `bone_record_changes` is, up to each deletion). Erased with the patient.
    """

    __tablename__ = "bone_marker_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    record_id: Mapped[int] = mapped_column()
    marker: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(16))  # RecordAction
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    changed_by: Mapped[str] = mapped_column(String(16))  # the role: "patient"
    old_on: Mapped[date] = mapped_column(Date())
    new_on: Mapped[date | None] = mapped_column(Date(), default=None)  # None: deleted
    # The result as printed ("350 pg/mL") and in the test's own unit, before and after.
    old_printed: Mapped[str] = mapped_column(String(48))
    new_printed: Mapped[str | None] = mapped_column(String(48), default=None)
    old_value: Mapped[float] = mapped_column(Float())
    new_value: Mapped[float | None] = mapped_column(Float(), default=None)

    __table_args__ = (Index("ix_bone_marker_changes_patient_record", "patient_id", "record_id"),)


class CarePrompts(Base):
    """Dental check-up reminders and the optional weekly exercise nudge (one row per patient)."""

    __tablename__ = "care_prompts"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), unique=True
    )
    last_dental_check_on: Mapped[date | None] = mapped_column(Date(), default=None)
    # The next check-up's local date; None while no medicine with the jaw warning is taken.
    dental_due_on: Mapped[date | None] = mapped_column(Date(), default=None)
    # The next reminder is the one before starting the medicine (worded for that).
    dental_before_start: Mapped[bool] = mapped_column(Boolean, default=False)
    dental_reminded_on: Mapped[date | None] = mapped_column(Date(), default=None)
    # The weekly exercise nudge, local weekday (0=Monday) and time; None: off.
    exercise_weekday: Mapped[int | None] = mapped_column(default=None)
    exercise_time: Mapped[time | None] = mapped_column(Time(), default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TreatmentReview(Base):
    """When a long treatment is due a review with the care team (bot.domain.reviews): an
    oral bisphosphonate at 3 and 5 years, an aromatase inhibitor at its planned end."""

    __tablename__ = "treatment_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))  # a ReviewKind
    # When the treatment started: the first day the bot knew of it, or as the patient said.
    started_on: Mapped[date] = mapped_column(Date())
    # An aromatase inhibitor's planned length in years (None: not said); unused otherwise.
    planned_years: Mapped[int | None] = mapped_column(default=None)
    # The review day last sent (reminders go out once each).
    sent_on: Mapped[date | None] = mapped_column(Date(), default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("patient_id", "kind"),)


class CalciumPlan(Base):
    """A patient's calcium and vitamin D set-up: targets, calcium form, calcium from food."""

    __tablename__ = "calcium_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), unique=True
    )
    # The care team's daily numbers; None: the 2017 statement's defaults.
    calcium_target_mg: Mapped[int | None] = mapped_column(default=None)
    vitamin_d_target_iu: Mapped[int | None] = mapped_column(default=None)
    calcium_form: Mapped[str | None] = mapped_column(String(16), default=None)
    diet_calcium_mg: Mapped[int | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PillCount(Base):
    """How many tablets of one medicine the patient had when they last counted (optional)."""

    __tablename__ = "pill_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    medication_id: Mapped[int] = mapped_column(
        ForeignKey("medications.id", ondelete="CASCADE"), unique=True
    )
    # Tablets in hand at counted_at; doses confirmed taken since then are subtracted.
    tablets: Mapped[int] = mapped_column()
    tablets_per_dose: Mapped[int] = mapped_column(default=1)
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # When the refill reminder for this count went out (once per count).
    refill_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class LeaderTerm(Base):
    """The one row saying which leader term is current (several processes, one PostgreSQL).

    Each process that takes the leader lock begins a new term (`epoch` + 1); every claim of
    due doses confirms its term in its own transaction, so a leader that lost its lock can
    claim nothing more. The leader renews `lease_until` while it leads; a successor whose
    predecessor may still be alive waits until then, by which time that one has stopped.
    """

    __tablename__ = "leader_term"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    epoch: Mapped[int] = mapped_column(BigInteger, default=0)
    holder: Mapped[str | None] = mapped_column(String(200), default=None)
    # Server time until which the holder may still send without renewing; None: released.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
