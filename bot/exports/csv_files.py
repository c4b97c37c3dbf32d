"""CSV files of a snapshot, one per kind of record, that open cleanly in a spreadsheet.

Format (RFC 4180): comma-separated, CRLF line ends, fields quoted only when needed, one header
row of stable column names (the ``*_COLUMNS`` constants; add columns at the end, never rename).
Encoding UTF-8 with a byte-order mark: Excel reads BOM-less UTF-8 as the local code page and
garbles accents and non-Latin notes, while Python (``utf-8-sig``), R, pandas and LibreOffice
all accept the BOM.

Values: instants are ISO 8601 in the patient's zone with their offset
(``2025-01-06T08:00:00+01:00``); local days are ``YYYY-MM-DD``; times of day (a reminder's
wall-clock time) ``HH:MM``; booleans ``true``/``false``; an empty field means "none" (no
answer, not applicable, not recorded).

Text holds no control character but the line breaks (LF, within the quoted cell) and tabs
of a note: NUL, escape sequences, bells and the rest are removed, as at storage
(`bot.domain.text_clean`), and text is Unicode NFC.

Formula injection (OWASP "CSV Injection"): a text cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return (or their full-width forms) is prefixed with ``'`` so a
spreadsheet shows it as text instead of running it. Only text is neutralised: numbers are
written as numbers, so a T-score of -2.1 stays -2.1 and can be charted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time

from bot.domain.alert_tiers import minutes_between
from bot.domain.symptoms import ITEMS
from bot.domain.text_clean import clean_text
from bot.exports import labels
from bot.exports.files import ExportFile, file_name
from bot.exports.snapshot import DoseRow, ExportSnapshot, MarkerChangeRow, RecordChangeRow

CSV_MIME = "text/csv"
ENCODING = "utf-8-sig"  # UTF-8 with a byte-order mark, for Excel

SYMPTOM_ANSWER_COLUMNS = (
    "patient_id",
    "checkin_id",
    "checkin_started_at",
    "answered_at",
    "item_code",
    "attribute",
    "item_term",
    "proctcae_item_number",
    "score",
    "answer_label",
)
CHECKIN_COLUMNS = (
    "patient_id",
    "checkin_id",
    "started_at",
    "completed_at",
    "regimen",
    "answer_count",
    "wants_to_stop",
    "note",
)
DOSE_EVENT_COLUMNS = (
    "patient_id",
    "dose_event_id",
    "medication_id",
    "product_key",
    "medicine",
    "local_date",
    "due_at",
    "sent_at",
    "late",
    "status",
    "answered_at",
    "skip_reason",
    "taken_at",
    "snoozes",
    "makeup_for_event_id",
    "answer_changes",
)
BONE_HEALTH_COLUMNS = (
    "patient_id",
    "record",
    "date",
    "product_key",
    "medicine",
    "lumbar_spine_t_score",
    "total_hip_t_score",
    "femoral_neck_t_score",
    "changes",
)
BONE_MARKER_COLUMNS = (
    "patient_id",
    "record",
    "date",
    "test_code",
    "test",
    "value",
    "unit",
    "printed_value",
    "printed_unit",
    "changes",
)
RED_FLAG_COLUMNS = (
    "patient_id",
    "episode_id",
    "flag_code",
    "flag",
    "checkin_id",
    "opened_at",
    "alerted_at",
    "closed_at",
    "tier",
    "care_team_alerted_at",
    "acknowledged_at",
    "patient_contacted_at",
    "resolved_at",
    "minutes_to_acknowledge",
    "minutes_to_resolve",
    "resolution_note",
)

# OWASP's list, plus the full-width forms some spreadsheet locales also treat as operators.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

Cell = str | int | float | bool | date | datetime | time | None


def write_csv_files(snapshot: ExportSnapshot) -> list[ExportFile]:
    """Return the CSV files of a snapshot, in the order a handler should send them."""
    parts = (
        ("symptom-answers", SYMPTOM_ANSWER_COLUMNS, _symptom_answers(snapshot)),
        ("checkins", CHECKIN_COLUMNS, _checkins(snapshot)),
        ("dose-events", DOSE_EVENT_COLUMNS, _dose_events(snapshot)),
        ("bone-health", BONE_HEALTH_COLUMNS, _bone_health(snapshot)),
        ("red-flags", RED_FLAG_COLUMNS, _red_flags(snapshot)),
        ("bone-markers", BONE_MARKER_COLUMNS, _bone_markers(snapshot)),
    )
    return [
        ExportFile(file_name(snapshot, part, "csv"), render_csv(snapshot, columns, rows), CSV_MIME)
        for part, columns, rows in parts
    ]


def render_csv(
    snapshot: ExportSnapshot, columns: Sequence[str], rows: Iterable[Sequence[Cell]]
) -> bytes:
    """Write a header and rows as spreadsheet-safe CSV bytes (see the module docstring)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"row has {len(row)} cells for {len(columns)} columns")
        writer.writerow([cell_text(snapshot, cell) for cell in row])
    return buffer.getvalue().encode(ENCODING)


def cell_text(snapshot: ExportSnapshot, value: Cell) -> str:
    """Return one cell as text: times in the patient's zone, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)  # a number stays a number, minus sign and all
    if isinstance(value, datetime):
        return snapshot.local(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):  # a wall-clock time of day, already the patient's own
        return value.strftime("%H:%M")
    # Text is stored clean (bot.domain.text_clean), but rows of older versions may not be.
    return neutralise(clean_text(value))


def neutralise(text: str) -> str:
    """Prefix text a spreadsheet would run as a formula with an apostrophe."""
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def _symptom_answers(snapshot: ExportSnapshot) -> Iterable[Sequence[Cell]]:
    patient_id = snapshot.patient.patient_id
    for checkin in snapshot.checkins:
        for answer in checkin.answers:
            item = ITEMS.get(answer.item_code)
            yield (
                patient_id,
                checkin.checkin_id,
                checkin.started_at,
                answer.answered_at,
                answer.item_code,
                answer.attribute,
                labels.item_term(answer.item_code),
                item.proctcae_number if item is not None else None,
                answer.score,
                labels.answer_label(answer.item_code, answer.attribute, answer.score),
            )


def _checkins(snapshot: ExportSnapshot) -> Iterable[Sequence[Cell]]:
    for checkin in snapshot.checkins:
        yield (
            snapshot.patient.patient_id,
            checkin.checkin_id,
            checkin.started_at,
            checkin.completed_at,
            ";".join(checkin.product_keys),
            len(checkin.answers),
            checkin.wants_to_stop,
            checkin.note,
        )


def _dose_events(snapshot: ExportSnapshot) -> Iterable[Sequence[Cell]]:
    for dose in snapshot.doses:
        yield (
            snapshot.patient.patient_id,
            dose.event_id,
            dose.medication_id,
            dose.product_key,
            labels.medicine_name(dose.product_key),
            dose.local_date,
            dose.due_at,
            dose.sent_at,
            dose.late,
            dose.status,
            dose.answered_at,
            dose.skip_reason,
            dose.taken_at,
            dose.snoozes,
            dose.makeup_for_event_id,
            _changes_text(snapshot, dose),
        )


def _changes_text(snapshot: ExportSnapshot, dose: DoseRow) -> str | None:
    """The corrections of a dose's answer in one cell: when, who, from what to what."""
    if not dose.changes:
        return None
    return "; ".join(
        f"{cell_text(snapshot, change.changed_at)} {change.changed_by}: "
        f"{_answer_text(snapshot, change.old_status, change.old_taken_at)} -> "
        f"{_answer_text(snapshot, change.new_status, change.new_taken_at)}"
        for change in dose.changes
    )


def _answer_text(snapshot: ExportSnapshot, status: str, taken_at: datetime | None) -> str:
    if taken_at is None:
        return status
    return f"{status} at {cell_text(snapshot, taken_at)}"


def _bone_health(snapshot: ExportSnapshot) -> Iterable[Sequence[Cell]]:
    """Scans and clinic doses by date, each with its corrections; a deleted record keeps a
    row of its own (`dxa_deleted`, `clinic_agent_deleted`) with no T-scores, the values it
    had being in its changes."""
    patient_id = snapshot.patient.patient_id
    rows: list[tuple[date, int, Sequence[Cell]]] = []
    for scan in snapshot.dxa:
        cells: tuple[Cell, ...] = (patient_id, "dxa", scan.scanned_on, None, None)
        scores = (scan.lumbar_spine, scan.total_hip, scan.femoral_neck)
        changes = _record_changes_text(snapshot, scan.changes, scan=True)
        rows.append((scan.scanned_on, 0, (*cells, *scores, changes)))
    for given in snapshot.clinic_agents:
        name = labels.medicine_name(given.product_key)
        cells = (patient_id, "clinic_agent", given.given_on, given.product_key, name)
        changes = _record_changes_text(snapshot, given.changes, scan=False)
        rows.append((given.given_on, 1, (*cells, None, None, None, changes)))
    for scan in snapshot.deleted_dxa:
        cells = (patient_id, "dxa_deleted", scan.scanned_on, None, None)
        changes = _record_changes_text(snapshot, scan.changes, scan=True)
        rows.append((scan.scanned_on, 2, (*cells, None, None, None, changes)))
    for given in snapshot.deleted_clinic_agents:
        name = labels.medicine_name(given.product_key)
        cells = (patient_id, "clinic_agent_deleted", given.given_on, given.product_key, name)
        changes = _record_changes_text(snapshot, given.changes, scan=False)
        rows.append((given.given_on, 3, (*cells, None, None, None, changes)))
    for _, _, row in sorted(rows, key=lambda entry: entry[:2]):
        yield row


def _record_changes_text(
    snapshot: ExportSnapshot, changes: tuple[RecordChangeRow, ...], *, scan: bool
) -> str | None:
    """The corrections of a scan or clinic dose in one cell: when, who, from what to what."""
    if not changes:
        return None
    return "; ".join(
        f"{cell_text(snapshot, change.changed_at)} {change.changed_by}: "
        + ", ".join(labels.change_parts(change, scan=scan))
        for change in changes
    )


def _bone_markers(snapshot: ExportSnapshot) -> Iterable[Sequence[Cell]]:
    """Lab results by date: the value in the test's own unit (a number, to chart), and as
    the report printed it; a deleted result keeps a row of its own (`marker_deleted`) with
    no value, what it was being in its changes."""
    patient_id = snapshot.patient.patient_id
    rows: list[tuple[date, int, str, Sequence[Cell]]] = []
    for result in snapshot.markers:
        cells: tuple[Cell, ...] = (
            patient_id,
            "marker",
            result.measured_on,
            result.marker,
            labels.marker_label(result.marker),
            result.value,
            result.unit,
            result.typed_value,
            result.typed_unit,
            _marker_changes_text(snapshot, result.changes),
        )
        rows.append((result.measured_on, 0, result.marker, cells))
    for result in snapshot.deleted_markers:
        cells = (
            patient_id,
            "marker_deleted",
            result.measured_on,
            result.marker,
            labels.marker_label(result.marker),
            None,
            result.unit,
            None,
            None,
            _marker_changes_text(snapshot, result.changes),
        )
        rows.append((result.measured_on, 1, result.marker, cells))
    for *_, row in sorted(rows, key=lambda entry: entry[:3]):
        yield row


def _marker_changes_text(
    snapshot: ExportSnapshot, changes: tuple[MarkerChangeRow, ...]
) -> str | None:
    """The corrections of a lab result in one cell: when, who, from what to what."""
    if not changes:
        return None
    return "; ".join(
        f"{cell_text(snapshot, change.changed_at)} {change.changed_by}: "
        + ", ".join(labels.marker_change_parts(change))
        for change in changes
    )


def _red_flags(snapshot: ExportSnapshot) -> Iterable[Sequence[Cell]]:
    for flag in snapshot.red_flags:
        yield (
            snapshot.patient.patient_id,
            flag.episode_id,
            flag.flag_code,
            labels.flag_label(flag.flag_code),
            flag.checkin_id,
            flag.opened_at,
            flag.alerted_at,
            flag.closed_at,
            flag.tier,
            flag.care_team_alerted_at,
            flag.acknowledged_at,
            flag.contacted_at,
            flag.resolved_at,
            _minutes(flag.care_team_alerted_at, flag.acknowledged_at),
            _minutes(flag.care_team_alerted_at, flag.resolved_at),
            flag.resolution_note,
        )


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    """Minutes from the care team's alert to its answer, to a tenth (None: not yet)."""
    if start is None:
        return None
    minutes = minutes_between(start, end)
    return None if minutes is None else round(minutes, 1)
