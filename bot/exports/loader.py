"""Read one patient's records for a period into an ExportSnapshot (read-only, few queries)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.marker_changes import history as marker_history
from bot.db.models import (
    REGIMEN_ROLES,
    BoneHealthProfile,
    BoneMarkerChange,
    BoneMarkerResult,
    BoneRecordChange,
    BoneRecordKind,
    CareAlert,
    CareLink,
    Checkin,
    CheckinAnswer,
    ClinicAgentDose,
    ClinicAgentPlan,
    DoseAnswerChange,
    DoseEvent,
    DxaScan,
    LinkRole,
    Medication,
    Patient,
    RedFlagEpisode,
)
from bot.db.record_changes import record_history
from bot.domain.alert_tiers import tier_of
from bot.domain.bone_markers import RULES, Marker
from bot.domain.errors import NotRegistered
from bot.exports.ics import agent_kind
from bot.exports.labels import medicine_name, product_of
from bot.exports.snapshot import (
    AnswerChangeRow,
    AnswerRow,
    AppointmentRow,
    CheckinRow,
    ClinicAgentRow,
    DoseRow,
    DxaRow,
    ExportSnapshot,
    MarkerChangeRow,
    MarkerRow,
    MedicationRow,
    PatientInfo,
    RecordChangeRow,
    RedFlagRow,
)


async def load_snapshot(
    session: AsyncSession, patient_id: int, start: datetime, end: datetime
) -> ExportSnapshot:
    """Return the patient's records from `start` (included) to `end` (excluded).

    Doses count by when they were due and check-ins by when they started; medications and
    red-flag episodes are included when they overlap the period. Bone-health history (DXA
    scans, clinic-given doses) is included in full up to the end, since a trend needs its
    past; appointments are those due from the start of the period on. Raise NotRegistered
    if the patient does not exist.
    """
    patient = await session.get(Patient, patient_id)
    if patient is None:
        raise NotRegistered
    info = PatientInfo(patient.id, patient.timezone, patient.created_at)
    # Validate the period before querying, with the same rules every snapshot follows.
    ExportSnapshot(info, start, end)

    doses = await _doses(session, patient_id, start, end)
    dxa, deleted_dxa = await _dxa(session, patient_id, info, end)
    clinic, deleted_clinic = await _clinic_agents(session, patient_id, info, end)
    markers, deleted_markers = await _markers(session, patient_id, info, end)
    return ExportSnapshot(
        patient=info,
        start=start,
        end=end,
        medications=await _medications(session, patient_id, start, end, doses),
        doses=doses,
        checkins=await _checkins(session, patient_id, start, end),
        red_flags=await _red_flags(session, patient_id, start, end),
        dxa=dxa,
        clinic_agents=clinic,
        appointments=await _appointments(session, patient_id, info, start),
        deleted_dxa=deleted_dxa,
        deleted_clinic_agents=deleted_clinic,
        markers=markers,
        deleted_markers=deleted_markers,
    )


def _local_date(info: PatientInfo, instant: datetime) -> date:
    return instant.astimezone(ZoneInfo(info.timezone)).date()


def _change_row(change: BoneRecordChange) -> RecordChangeRow:
    return RecordChangeRow(
        changed_at=change.changed_at,
        changed_by=change.changed_by,
        deleted=change.new_on is None,
        old_on=change.old_on,
        new_on=change.new_on,
        old_lumbar_spine=change.old_lumbar_spine,
        new_lumbar_spine=change.new_lumbar_spine,
        old_total_hip=change.old_total_hip,
        new_total_hip=change.new_total_hip,
        old_femoral_neck=change.old_femoral_neck,
        new_femoral_neck=change.new_femoral_neck,
    )


def _changes(piece: list[BoneRecordChange]) -> tuple[RecordChangeRow, ...]:
    return tuple(_change_row(change) for change in piece)


async def _dxa(
    session: AsyncSession, patient_id: int, info: PatientInfo, end: datetime
) -> tuple[tuple[DxaRow, ...], tuple[DxaRow, ...]]:
    """The scans up to the end with their corrections, and the deleted ones dated up to it.

    Corrections are included whenever they were made: the values shown are the corrected
    ones, so the change says why they differ from an earlier export.
    """
    last_day = _local_date(info, end)
    rows = await session.scalars(
        select(DxaScan)
        .where(DxaScan.patient_id == patient_id, DxaScan.scanned_on <= last_day)
        .order_by(DxaScan.scanned_on, DxaScan.id)
    )
    history = await record_history(session, patient_id, BoneRecordKind.DXA)
    scans = tuple(
        DxaRow(
            row.scanned_on,
            row.lumbar_spine,
            row.total_hip,
            row.femoral_neck,
            _changes(history.live.get(row.id, [])),
        )
        for row in rows
    )
    deleted = tuple(
        DxaRow(
            gone.old_on,
            gone.old_lumbar_spine,
            gone.old_total_hip,
            gone.old_femoral_neck,
            _changes(piece),
        )
        for piece in history.deleted
        if (gone := piece[-1]).old_on <= last_day
    )
    return scans, deleted


def _marker_change(change: BoneMarkerChange) -> MarkerChangeRow:
    return MarkerChangeRow(
        changed_at=change.changed_at,
        changed_by=change.changed_by,
        deleted=change.new_on is None,
        old_on=change.old_on,
        new_on=change.new_on,
        old_printed=change.old_printed,
        new_printed=change.new_printed,
        old_value=change.old_value,
        new_value=change.new_value,
    )


def _unit_of(marker: str) -> str:
    return RULES[Marker(marker)].unit.label


async def _markers(
    session: AsyncSession, patient_id: int, info: PatientInfo, end: datetime
) -> tuple[tuple[MarkerRow, ...], tuple[MarkerRow, ...]]:
    """Lab results dated up to the end with their corrections, and the deleted ones, as
    DXA scans are (`_dxa`)."""
    last_day = _local_date(info, end)
    rows = await session.scalars(
        select(BoneMarkerResult)
        .where(BoneMarkerResult.patient_id == patient_id, BoneMarkerResult.measured_on <= last_day)
        .order_by(BoneMarkerResult.measured_on, BoneMarkerResult.marker, BoneMarkerResult.id)
    )
    live, deleted_pieces = await marker_history(session, patient_id)
    results = tuple(
        MarkerRow(
            row.marker,
            row.measured_on,
            row.value,
            row.unit,
            row.typed_value,
            row.typed_unit,
            tuple(_marker_change(change) for change in live.get(row.id, [])),
        )
        for row in rows
    )
    deleted = []
    for piece in deleted_pieces:
        gone = piece[-1]
        if gone.old_on > last_day:
            continue
        number, _, unit = gone.old_printed.partition(" ")
        changes = tuple(_marker_change(change) for change in piece)
        deleted.append(
            MarkerRow(
                gone.marker,
                gone.old_on,
                gone.old_value,
                _unit_of(gone.marker),
                number,
                unit,
                changes,
            )
        )
    return results, tuple(deleted)


async def _clinic_agents(
    session: AsyncSession, patient_id: int, info: PatientInfo, end: datetime
) -> tuple[tuple[ClinicAgentRow, ...], tuple[ClinicAgentRow, ...]]:
    """Clinic doses given up to the end with their corrections, and the deleted ones."""
    last_day = _local_date(info, end)
    rows = await session.execute(
        select(ClinicAgentDose.id, Medication.product_key, ClinicAgentDose.given_on)
        .join(Medication, Medication.id == ClinicAgentDose.medication_id)
        .where(ClinicAgentDose.patient_id == patient_id, ClinicAgentDose.given_on <= last_day)
        .order_by(ClinicAgentDose.given_on, ClinicAgentDose.id)
    )
    history = await record_history(session, patient_id, BoneRecordKind.CLINIC_AGENT)
    given = tuple(
        ClinicAgentRow(key, given_on, _changes(history.live.get(dose_id, [])))
        for dose_id, key, given_on in rows
    )
    medicines = await session.execute(
        select(Medication.id, Medication.product_key).where(Medication.patient_id == patient_id)
    )
    keys = {medication_id: key for medication_id, key in medicines}
    deleted = tuple(
        ClinicAgentRow(keys[gone.medication_id], gone.old_on, _changes(piece))
        for piece in history.deleted
        if (gone := piece[-1]).old_on <= last_day and gone.medication_id in keys
    )
    return given, deleted


def _day_start(info: PatientInfo, day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(info.timezone))


async def _appointments(
    session: AsyncSession, patient_id: int, info: PatientInfo, start: datetime
) -> tuple[AppointmentRow, ...]:
    first = _local_date(info, start)
    found: list[AppointmentRow] = []
    plans = await session.execute(
        select(ClinicAgentPlan.due_on, Medication.product_key)
        .join(Medication, Medication.id == ClinicAgentPlan.medication_id)
        .where(
            ClinicAgentPlan.patient_id == patient_id,
            Medication.active.is_(True),
            ClinicAgentPlan.due_on >= first,
        )
    )
    for due_on, key in plans:
        assert due_on is not None  # the query keeps only plans due on or after `first`
        product = product_of(key)
        # The same rule as /calendar, so both say infusion or injection alike.
        kind = agent_kind(product).value if product is not None else "infusion"
        found.append(AppointmentRow(kind, _day_start(info, due_on), f"{medicine_name(key)} due"))
    booked = await session.scalar(
        select(BoneHealthProfile.dxa_booked_on).where(
            BoneHealthProfile.patient_id == patient_id, BoneHealthProfile.dxa_booked_on >= first
        )
    )
    if booked is not None:
        found.append(AppointmentRow("dxa", _day_start(info, booked), "DXA bone density scan"))
    return tuple(sorted(found, key=lambda row: row.starts_at))


async def _doses(
    session: AsyncSession, patient_id: int, start: datetime, end: datetime
) -> tuple[DoseRow, ...]:
    rows = await session.execute(
        select(DoseEvent, Medication.product_key)
        .join(Medication, Medication.id == DoseEvent.medication_id)
        .where(
            DoseEvent.patient_id == patient_id,
            DoseEvent.due_at >= start,
            DoseEvent.due_at < end,
            Medication.role.in_(REGIMEN_ROLES),  # the exports hold the regimen's doses
        )
        .order_by(DoseEvent.due_at, DoseEvent.id)
    )
    found = list(rows)
    changes = await _answer_changes(session, [event.id for event, _ in found])
    return tuple(
        DoseRow(
            event_id=event.id,
            medication_id=event.medication_id,
            product_key=product_key,
            local_date=event.local_date,
            due_at=event.due_at,
            status=event.status,
            sent_at=event.sent_at,
            answered_at=event.answered_at,
            late=event.late,
            skip_reason=event.skip_reason,
            taken_at=event.taken_at,
            snoozes=event.snoozes,
            makeup_for_event_id=event.makeup_for_event_id,
            changes=tuple(changes.get(event.id, ())),
        )
        for event, product_key in found
    )


async def _answer_changes(
    session: AsyncSession, event_ids: list[int]
) -> dict[int, list[AnswerChangeRow]]:
    """Every correction of these doses' answers, by dose, oldest first (one query)."""
    if not event_ids:
        return {}
    rows = await session.scalars(
        select(DoseAnswerChange)
        .where(DoseAnswerChange.dose_event_id.in_(event_ids))
        .order_by(DoseAnswerChange.changed_at, DoseAnswerChange.id)
    )
    found: dict[int, list[AnswerChangeRow]] = {}
    for change in rows:
        found.setdefault(change.dose_event_id, []).append(
            AnswerChangeRow(
                change.changed_at,
                change.changed_by,
                change.old_status,
                change.new_status,
                change.old_taken_at,
                change.new_taken_at,
            )
        )
    return found


async def _medications(
    session: AsyncSession,
    patient_id: int,
    start: datetime,
    end: datetime,
    doses: tuple[DoseRow, ...],
) -> tuple[MedicationRow, ...]:
    dosed = {dose.medication_id for dose in doses}
    rows = await session.scalars(
        select(Medication)
        .where(Medication.patient_id == patient_id, Medication.role.in_(REGIMEN_ROLES))
        .order_by(Medication.role, Medication.started_at, Medication.id)
    )
    return tuple(
        MedicationRow(
            medication_id=row.id,
            role=row.role,
            product_key=row.product_key,
            frequency=row.frequency,
            time_of_day=row.time_of_day,
            weekday=row.weekday,
            day_of_month=row.day_of_month,
            active=row.active,
            started_at=row.started_at,
            ended_at=row.ended_at,
        )
        for row in rows
        # In force during the period, or the medicine of a dose in it.
        if row.id in dosed
        or (row.started_at < end and (row.ended_at is None or row.ended_at > start))
    )


async def _checkins(
    session: AsyncSession, patient_id: int, start: datetime, end: datetime
) -> tuple[CheckinRow, ...]:
    checkins = list(
        await session.scalars(
            select(Checkin)
            .where(
                Checkin.patient_id == patient_id,
                Checkin.started_at >= start,
                Checkin.started_at < end,
            )
            .order_by(Checkin.started_at, Checkin.id)
        )
    )
    answers: dict[int, list[AnswerRow]] = {checkin.id: [] for checkin in checkins}
    if answers:
        rows = await session.scalars(
            select(CheckinAnswer)
            .where(CheckinAnswer.checkin_id.in_(answers))
            .order_by(CheckinAnswer.answered_at, CheckinAnswer.id)
        )
        for row in rows:
            answers[row.checkin_id].append(
                AnswerRow(row.item_code, row.attribute, row.score, row.answered_at)
            )
    return tuple(
        CheckinRow(
            checkin_id=checkin.id,
            started_at=checkin.started_at,
            completed_at=checkin.completed_at,
            product_keys=tuple(key for key in checkin.product_keys.split(",") if key),
            wants_to_stop=checkin.wants_to_stop,
            note=checkin.note,
            answers=tuple(answers[checkin.id]),
        )
        for checkin in checkins
    )


async def _red_flags(
    session: AsyncSession, patient_id: int, start: datetime, end: datetime
) -> tuple[RedFlagRow, ...]:
    rows = await session.scalars(
        select(RedFlagEpisode)
        .where(
            RedFlagEpisode.patient_id == patient_id,
            RedFlagEpisode.opened_at < end,
            or_(RedFlagEpisode.closed_at.is_(None), RedFlagEpisode.closed_at >= start),
        )
        .order_by(RedFlagEpisode.opened_at, RedFlagEpisode.id)
    )
    episodes = list(rows)
    answers = await _care_team_answers(session, [row.id for row in episodes])
    return tuple(
        RedFlagRow(
            episode_id=row.id,
            flag_code=row.flag_code,
            checkin_id=row.checkin_id,
            opened_at=row.opened_at,
            closed_at=row.closed_at,
            alerted_at=row.alerted_at,
            tier=tier_of(row.flag_code).value,
            **answers.get(row.id, {}),
        )
        for row in episodes
    )


def _first(values: list[datetime | None]) -> datetime | None:
    present = [value for value in values if value is not None]
    return min(present) if present else None


async def _care_team_answers(
    session: AsyncSession, episode_ids: list[int]
) -> dict[int, dict[str, Any]]:
    """For each episode, the clinicians' first alert sent, acknowledgement, contact and
    resolution (with its note): what the response times are measured from and to."""
    if not episode_ids:
        return {}
    found = await session.execute(
        select(CareAlert)
        .join(CareLink, CareLink.id == CareAlert.link_id)
        .where(CareAlert.episode_id.in_(episode_ids), CareLink.role == LinkRole.CLINICIAN)
        .order_by(CareAlert.id)
    )
    by_episode: dict[int, list[CareAlert]] = {}
    for (alert,) in found.all():
        if alert.episode_id is not None:
            by_episode.setdefault(alert.episode_id, []).append(alert)
    answers = {}
    for episode_id, alerts in by_episode.items():
        resolved = [a for a in alerts if a.resolved_at is not None]
        resolved.sort(key=lambda a: a.resolved_at or datetime.max.replace(tzinfo=UTC))
        answers[episode_id] = {
            "care_team_alerted_at": _first([a.sent_at for a in alerts]),
            "acknowledged_at": _first([a.acknowledged_at for a in alerts]),
            "contacted_at": _first([a.contacted_at for a in alerts]),
            "resolved_at": resolved[0].resolved_at if resolved else None,
            "resolution_note": (resolved[0].resolution_note or "") if resolved else "",
        }
    return answers
