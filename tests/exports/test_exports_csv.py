"""CSV exports: stable columns, zoned ISO 8601 times, Excel-friendly and formula-safe."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest

from bot.exports.csv_files import (
    BONE_HEALTH_COLUMNS,
    BONE_MARKER_COLUMNS,
    CHECKIN_COLUMNS,
    DOSE_EVENT_COLUMNS,
    FORMULA_PREFIXES,
    RED_FLAG_COLUMNS,
    SYMPTOM_ANSWER_COLUMNS,
    cell_text,
    neutralise,
    write_csv_files,
)
from bot.exports.files import ExportFile
from tests.exports.test_exports_snapshots import (
    INJECTION_NOTE,
    UNICODE_NOTE,
    empty_snapshot,
    quarter_snapshot,
)

PARTS = {
    "symptom-answers": SYMPTOM_ANSWER_COLUMNS,
    "checkins": CHECKIN_COLUMNS,
    "dose-events": DOSE_EVENT_COLUMNS,
    "bone-health": BONE_HEALTH_COLUMNS,
    "red-flags": RED_FLAG_COLUMNS,
    "bone-markers": BONE_MARKER_COLUMNS,
}


def _files() -> dict[str, ExportFile]:
    files = write_csv_files(quarter_snapshot())
    return {file.name.removesuffix(".csv").split("-", 5)[-1]: file for file in files}


def _rows(file: ExportFile) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(file.data.decode("utf-8-sig"), newline="")))


def test_one_file_per_kind_named_after_patient_and_period() -> None:
    files = write_csv_files(quarter_snapshot())
    assert [file.name for file in files] == [
        f"bonebot-patient-42-20250101-20250331-{part}.csv" for part in PARTS
    ]
    assert {file.mime for file in files} == {"text/csv"}


@pytest.mark.parametrize(("part", "columns"), PARTS.items())
def test_header_is_the_documented_columns(part: str, columns: tuple[str, ...]) -> None:
    data = _files()[part].data
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel then reads UTF-8
    first_line = data.decode("utf-8-sig").split("\r\n", 1)[0]
    assert first_line == ",".join(columns)
    assert len(set(columns)) == len(columns)


def test_dose_events_keep_every_outcome_with_zoned_times() -> None:
    snapshot = quarter_snapshot()
    rows = _rows(_files()["dose-events"])
    assert len(rows) == len(snapshot.doses)
    assert {row["status"] for row in rows} == {"taken", "skipped", "missed", "sent", "pending"}
    first = rows[0]
    assert first["due_at"] == "2025-01-01T08:00:00+01:00"
    assert first["local_date"] == "2025-01-01"
    assert first["medicine"] == "anastrozole 1 mg (Arimidex)"
    after_dst = [row for row in rows if row["local_date"] == "2025-03-31"]
    assert {row["due_at"][-6:] for row in after_dst} == {"+02:00"}
    assert {row["late"] for row in rows} == {"true", "false"}
    skipped = [row for row in rows if row["status"] == "skipped"]
    assert {row["skip_reason"] for row in skipped} == {"side_effects"}
    pending = [row for row in rows if row["status"] == "pending"]
    assert all(row["sent_at"] == row["answered_at"] == "" for row in pending)


def test_symptom_answers_one_row_per_answer() -> None:
    snapshot = quarter_snapshot()
    rows = _rows(_files()["symptom-answers"])
    assert len(rows) == sum(len(checkin.answers) for checkin in snapshot.checkins)
    joints = next(r for r in rows if (r["item_code"], r["attribute"]) == ("joints", "severity"))
    assert joints["item_term"] == "Joint pain"
    assert joints["proctcae_item_number"] == "51"
    assert joints["answer_label"] in {"None", "Mild", "Moderate", "Severe", "Very severe"}
    fall = next(r for r in rows if r["item_code"] == "fall")
    assert fall["proctcae_item_number"] == ""  # the project's own item
    assert fall["answer_label"] in {"Yes", "No"}
    # Summer time began on 30 March: that check-in's answers carry the new offset.
    offsets = {row["answered_at"][:10]: row["answered_at"][-6:] for row in rows}
    assert offsets["2025-01-05"] == "+01:00"
    assert offsets["2025-03-30"] == "+02:00"


def test_notes_are_neutralised_but_otherwise_intact() -> None:
    notes = {row["checkin_id"]: row["note"] for row in _rows(_files()["checkins"])}
    assert notes["103"] == "'" + INJECTION_NOTE  # quotes and commas survive the round trip
    assert notes["105"] == UNICODE_NOTE
    assert notes["107"] == "'-2 days of bad knees"
    assert notes["100"] == ""


def test_checkins_show_open_ones_and_the_stop_question() -> None:
    rows = _rows(_files()["checkins"])
    assert rows[-1]["completed_at"] == ""
    assert rows[-1]["wants_to_stop"] == ""
    assert [row["wants_to_stop"] for row in rows[:-1]].count("true") == 1
    assert rows[0]["regimen"] == "alendronate-70-weekly-tablet;anastrozole-1-daily-tablet"


def test_t_scores_stay_numbers() -> None:
    rows = _rows(_files()["bone-health"])
    assert [row["record"] for row in rows] == ["dxa", "clinic_agent", "dxa"]  # by date
    latest = rows[-1]
    assert latest["lumbar_spine_t_score"] == "-2.1"  # not '-2.1: a number a sheet can chart
    assert float(latest["total_hip_t_score"]) == -1.4
    assert latest["femoral_neck_t_score"] == ""
    assert rows[1]["medicine"] == "zoledronic acid 5 mg (Reclast)"


def test_red_flags_are_described_for_clinicians() -> None:
    rows = _rows(_files()["red-flags"])
    assert [row["flag_code"] for row in rows] == ["fall", "adherence", "upper_gi", "rise:fatigue"]
    assert rows[-1]["flag"] == "Worse by 2+ points: Fatigue"
    assert rows[-1]["closed_at"] == ""


def test_empty_snapshot_gives_headers_only() -> None:
    for file in write_csv_files(empty_snapshot()):
        assert file.data.decode("utf-8-sig").count("\r\n") == 1


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_every_formula_prefix_is_neutralised(prefix: str) -> None:
    assert neutralise(f"{prefix}1+1") == f"'{prefix}1+1"


def test_only_text_cells_are_neutralised() -> None:
    snapshot = quarter_snapshot()
    assert cell_text(snapshot, -2.1) == "-2.1"
    assert cell_text(snapshot, -3) == "-3"
    assert cell_text(snapshot, "-2.1") == "'-2.1"
    assert cell_text(snapshot, "@SUM(A1)") == "'@SUM(A1)"
    assert cell_text(snapshot, "a=b") == "a=b"
    assert cell_text(snapshot, True) == "true"
    assert cell_text(snapshot, None) == ""


def test_a_note_with_line_breaks_stays_one_cell() -> None:
    snapshot = quarter_snapshot()
    checkins = list(snapshot.checkins)
    checkins[0] = replace(checkins[0], note='Line one,\r\nline "two"\n+ three')
    files = write_csv_files(replace(snapshot, checkins=tuple(checkins)))
    rows = _rows(next(file for file in files if file.name.endswith("-checkins.csv")))
    assert rows[0]["note"] == 'Line one,\nline "two"\n+ three'  # line ends as LF, as typed
    assert len(rows) == len(checkins)


CONTROLS = "".join(map(chr, [*range(0x20), 0x7F, *range(0x80, 0xA0)]))


def test_cells_hold_no_control_characters() -> None:
    """Before: a NUL, an escape sequence or a bell in a note (stored before notes were
    cleaned at the door, or by an older version) went into the spreadsheet as it was."""
    snapshot = quarter_snapshot()
    checkins = list(snapshot.checkins)
    checkins[0] = replace(checkins[0], note="knees\x00 ache\x1b[31m\x07 at\x7f night\x85")
    files = write_csv_files(replace(snapshot, checkins=tuple(checkins)))
    rows = _rows(next(file for file in files if file.name.endswith("-checkins.csv")))
    assert rows[0]["note"] == "knees ache[31m at night"
    for file in files:
        text = file.data.decode("utf-8-sig").replace("\r\n", "").replace("\n", "")
        assert not set(text) & set(CONTROLS), file.name
    assert cell_text(snapshot, "\x00=1+1") == "'=1+1"  # cleaned, then neutralised
