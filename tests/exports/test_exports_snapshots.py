"""Export snapshots for the format tests, and the snapshot's own rules and summaries."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.catalog import DrugClass
from bot.domain.symptoms import Answer, Attribute, Question
from bot.domain.symptoms import Checkin as CheckinFlow
from bot.exports import labels
from bot.exports.snapshot import (
    AnswerRow,
    AppointmentRow,
    CheckinRow,
    ClinicAgentRow,
    DoseRow,
    DxaRow,
    ExportSnapshot,
    MedicationRow,
    PatientInfo,
    RedFlagRow,
)
from bot.exports.summary import adherence_by_medicine, checkin_scores, score_series

ZONE_NAME = "Europe/Berlin"
ZONE = ZoneInfo(ZONE_NAME)
PATIENT_ID = 42
START = datetime(2025, 1, 1, tzinfo=ZONE)
END = datetime(2025, 4, 1, tzinfo=ZONE)  # a quarter, across the March DST change

ANASTROZOLE = "anastrozole-1-daily-tablet"
LETROZOLE = "letrozole-2-5-daily-tablet"
ALENDRONATE = "alendronate-70-weekly-tablet"
SWITCH_DAY = date(2025, 1, 15)  # anastrozole replaced by letrozole

INJECTION_NOTE = '=HYPERLINK("http://evil.example","click")'
UNICODE_NOTE = "Боль в суставах по утрам — 膝が痛い 😣, café"


def local(day: date, at: time) -> datetime:
    """Return a local wall-clock time in the test zone as aware UTC."""
    return datetime.combine(day, at, tzinfo=ZONE).astimezone(UTC)


def _medications() -> tuple[MedicationRow, ...]:
    return (
        MedicationRow(
            1,
            "aromatase_inhibitor",
            ANASTROZOLE,
            "daily",
            time(8),
            None,
            None,
            False,
            local(date(2024, 10, 1), time(12)),
            local(SWITCH_DAY, time(9)),
        ),
        MedicationRow(
            3,
            "aromatase_inhibitor",
            LETROZOLE,
            "daily",
            time(8),
            None,
            None,
            True,
            local(SWITCH_DAY, time(9)),
            None,
        ),
        MedicationRow(
            2,
            "bone_agent",
            ALENDRONATE,
            "weekly",
            time(7),
            0,
            None,
            True,
            local(date(2024, 10, 1), time(12)),
            None,
        ),
    )


def _dose(event_id: int, medication: MedicationRow, day: date, index: int) -> DoseRow:
    """Return a dose whose outcome follows a fixed pattern over the quarter."""
    assert medication.time_of_day is not None
    due = local(day, medication.time_of_day)
    late = index % 29 == 5
    sent = due + (timedelta(minutes=40) if late else timedelta(seconds=2))
    status, reason = "taken", None
    if index % 17 == 3:
        status, reason = "skipped", "side_effects"
    elif index % 23 == 7:
        status = "missed"
    if day >= date(2025, 3, 31):
        status = "sent" if medication.frequency == "daily" else "pending"
    answered = None
    if status in {"taken", "skipped"}:
        answered = sent + timedelta(minutes=12)
    elif status == "missed":
        answered = due + timedelta(hours=20)
    return DoseRow(
        event_id=event_id,
        medication_id=medication.medication_id,
        product_key=medication.product_key,
        local_date=day,
        due_at=due,
        status=status,
        sent_at=None if status == "pending" else sent,
        answered_at=answered,
        late=late,
        skip_reason=reason,
    )


def _doses(medications: tuple[MedicationRow, ...]) -> tuple[DoseRow, ...]:
    anastrozole, letrozole, alendronate = medications
    doses: list[DoseRow] = []
    day = date(2025, 1, 1)
    while day < date(2025, 4, 1):
        ai = anastrozole if day < SWITCH_DAY else letrozole
        doses.append(_dose(len(doses) + 1, ai, day, len(doses)))
        if day.weekday() == 0:
            doses.append(_dose(len(doses) + 1, alendronate, day, len(doses)))
        day += timedelta(days=1)
    return tuple(sorted(doses, key=lambda dose: dose.due_at))


def _score(week: int, item_code: str, attribute: Attribute) -> int | None:
    """Return a plausible answer: joint pain rising then easing, hot flashes steady."""
    if attribute is Attribute.PRESENCE:
        return 1 if (item_code, week) in {("swallow_pain", 10), ("fall", 4)} else 0
    if item_code == "joints":
        return (0, 1, 1, 2, 2, 3, 3, 2, 2, 1, 1, 2, 1)[week]
    if item_code == "hot_flashes":
        return 2 if attribute is Attribute.FREQUENCY else 1
    if item_code == "fatigue":
        return week % 3
    if item_code == "heartburn" and week >= 9:
        return 1
    return 0


def _checkins() -> tuple[CheckinRow, ...]:
    classes = (DrugClass.AROMATASE_INHIBITOR, DrugClass.ORAL_BISPHOSPHONATE)
    rows: list[CheckinRow] = []
    for week in range(13):
        started = local(date(2025, 1, 5) + timedelta(weeks=week), time(18))
        flow = CheckinFlow.start(classes)
        answers: list[AnswerRow] = []
        while isinstance(step := flow.next_step(), Question):
            score = _score(week, step.item_code, step.attribute)
            flow = flow.answer(Answer(step.item_code, step.attribute, score))
            at = started + timedelta(seconds=20 * (len(answers) + 1))
            answers.append(AnswerRow(step.item_code, step.attribute, score, at))
        last_week = week == 12
        if last_week:  # still open: only the first few questions answered
            answers = answers[:3]
        note = {3: INJECTION_NOTE, 5: UNICODE_NOTE, 7: "-2 days of bad knees"}.get(week)
        rows.append(
            CheckinRow(
                checkin_id=100 + week,
                started_at=started,
                completed_at=None if last_week else answers[-1].answered_at + timedelta(1 / 24),
                product_keys=tuple(sorted((LETROZOLE if week > 1 else ANASTROZOLE, ALENDRONATE))),
                wants_to_stop=None if last_week else week == 6,
                note=note,
                answers=tuple(answers),
            )
        )
    return tuple(rows)


def quarter_snapshot() -> ExportSnapshot:
    """Return a typical quarter: two daily AIs in turn, a weekly tablet, 13 check-ins."""
    medications = _medications()
    checkin_day = {
        week: local(date(2025, 1, 5) + timedelta(weeks=week), time(19)) for week in range(13)
    }
    return ExportSnapshot(
        patient=PatientInfo(PATIENT_ID, ZONE_NAME, local(date(2024, 10, 1), time(12))),
        start=START,
        end=END,
        medications=medications,
        doses=_doses(medications),
        checkins=_checkins(),
        red_flags=(
            RedFlagRow(7, "fall", 104, checkin_day[4], checkin_day[5], checkin_day[4]),
            RedFlagRow(8, "adherence", 105, checkin_day[5], checkin_day[8], checkin_day[5]),
            RedFlagRow(9, "upper_gi", 110, checkin_day[10], None, checkin_day[10]),
            RedFlagRow(10, "rise:fatigue", 111, checkin_day[11], None, checkin_day[11]),
        ),
        dxa=(
            DxaRow(date(2023, 6, 12), -1.6, -1.1, -1.9),
            DxaRow(date(2024, 9, 20), -2.1, -1.4, None),
        ),
        clinic_agents=(ClinicAgentRow("zoledronic-acid-5-yearly-iv", date(2023, 7, 3)),),
        appointments=(
            AppointmentRow("dxa", local(date(2025, 9, 22), time(10, 30)), "DXA scan"),
            AppointmentRow("dental", local(date(2025, 4, 14), time(9)), "Dental check-up"),
        ),
    )


def empty_snapshot() -> ExportSnapshot:
    """Return a patient who registered but has recorded nothing yet."""
    start, end = datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC)
    return ExportSnapshot(PatientInfo(7, "UTC", start), start, end)


# --- The snapshot's own rules ------------------------------------------------------------------


def test_period_must_be_aware_and_forward() -> None:
    patient = PatientInfo(1, "UTC", START)
    with pytest.raises(ValueError, match="aware"):
        ExportSnapshot(patient, datetime(2025, 1, 1), END)  # noqa: DTZ001
    with pytest.raises(ValueError, match="after"):
        ExportSnapshot(patient, END, START)


def test_local_days_exclude_the_end() -> None:
    snapshot = quarter_snapshot()
    assert (snapshot.first_day, snapshot.last_day) == (date(2025, 1, 1), date(2025, 3, 31))
    assert snapshot.patient.display_name == "Patient #42"


def test_quarter_fixture_is_a_typical_quarter() -> None:
    snapshot = quarter_snapshot()
    daily = [d for d in snapshot.doses if d.product_key != ALENDRONATE]
    assert len(daily) == 90
    assert len(snapshot.checkins) == 13
    assert sum(c.completed_at is not None for c in snapshot.checkins) == 12


# --- Summaries -------------------------------------------------------------------------------


def test_adherence_counts_each_medicine_like_history() -> None:
    rows = {row.product_key: row for row in adherence_by_medicine(quarter_snapshot())}
    assert list(rows) == [ANASTROZOLE, LETROZOLE, ALENDRONATE]  # regimen order
    letrozole = rows[LETROZOLE]
    assert letrozole.due == 76
    assert letrozole.due == (
        letrozole.taken + letrozole.skipped + letrozole.missed + letrozole.unanswered
    )
    assert letrozole.unanswered == 1  # the last day's reminder, sent and not yet answered
    assert (letrozole.taken, letrozole.percent_taken) == (68, 89)  # 68 of 76
    assert rows[ALENDRONATE].late == 0


def test_branched_scores_fill_skipped_attributes_with_zero() -> None:
    first = quarter_snapshot().checkins[0]
    scores = checkin_scores(first)
    # Joint pain "Never" at week 0: severity and interference count as 0.
    assert scores[("joints", Attribute.SEVERITY)] == 0
    assert scores[("joints", Attribute.INTERFERENCE)] == 0


def test_score_series_follows_the_checkins() -> None:
    series = score_series(quarter_snapshot(), "joints", Attribute.SEVERITY)
    assert len(series) == 12  # the open check-in stopped before joint pain
    assert max(score for _, score in series) == 3


def test_labels_fall_back_to_codes() -> None:
    assert labels.medicine_name("retired-product") == "retired-product"
    assert labels.item_term("retired_item") == "retired_item"
    assert labels.answer_label("joints", "severity", 2) == "Moderate"
    assert labels.answer_label("injection_site", "presence", None) == "Not applicable"
    assert labels.flag_label("severe:joints") == "Severe: Joint pain"
    assert labels.flag_label("something_new") == "something_new"
    assert labels.schedule_text(quarter_snapshot().medications[2]) == "weekly on Monday at 07:00"
