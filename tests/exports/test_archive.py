"""The /mydata archive: one ZIP file, a README.txt naming every file, every patient table.

`test_every_table_of_a_patient_is_in_the_archive` reads the models: a new table with a
`patient_id` (or a foreign key to such a table) fails it until `bot.exports.record` names it,
and `tests/services/test_mydata_archive.py` then needs a row of it seeded.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.db.models import Base
from bot.domain.catalog import DrugClass
from bot.domain.errors import ArchiveTooLarge
from bot.domain.symptoms import Answer, Question
from bot.domain.symptoms import Checkin as CheckinFlow
from bot.exports.archive import (
    ARCHIVE_LIMIT_BYTES,
    ARCHIVE_MIME,
    EXPORT_DESCRIPTIONS,
    README_NAME,
    TELEGRAM_UPLOAD_LIMIT_BYTES,
    build_archive,
)
from bot.exports.csv_files import Cell
from bot.exports.files import ExportFile
from bot.exports.record import LABEL_COLUMNS, OMITTED_COLUMNS, RECORD_TABLES, RecordTable
from bot.exports.snapshot import (
    AnswerRow,
    CheckinRow,
    DoseRow,
    ExportSnapshot,
    MedicationRow,
    PatientInfo,
)
from tests.exports.test_exports_snapshots import (
    INJECTION_NOTE,
    ZONE,
    ZONE_NAME,
    empty_snapshot,
    local,
    quarter_snapshot,
)

MADE_AT = datetime(2025, 4, 1, 9, 30, tzinfo=UTC)
# A file's own line in README.txt: its path, and for a record table its number of rows.
FILE_LINE = re.compile(r"((?:export|records)/\S+\.(?:csv|pdf|json))(?: \(\d+ rows?\))?")


def files_named_in(readme: str) -> list[str]:
    """The paths README.txt names as files of the archive, in its order."""
    return [m[1] for line in readme.splitlines() if (m := FILE_LINE.fullmatch(line))]


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def patient_owned_tables() -> set[str]:
    """Every table of a patient's, read from the models: `patients`, a table with a
    `patient_id` or keyed by the person's own Telegram account (or its keyed hash), and any
    table with a foreign key to one of those (transitively)."""
    tables = Base.metadata.tables
    owned = {"patients"} | {
        name
        for name, table in tables.items()
        if {"patient_id", "telegram_user_id", "user_key"} & set(table.c.keys())
    }
    grown = True
    while grown:
        found = {
            name
            for name, table in tables.items()
            if name not in owned
            and any(fk.column.table.name in owned for fk in table.foreign_keys)
        }
        owned |= found
        grown = bool(found)
    return owned


def small_tables() -> list[RecordTable]:
    """A few record tables, with every kind of cell the database hands back."""
    due = local(date(2025, 3, 31), time(8))  # Berlin summer time from that morning
    return [
        RecordTable(
            "medications",
            ("id", "patient_id", "role", "product_key", "time_of_day", "dose_mg", "medicine"),
            (
                (1, 42, "supplement", "calcium", time(12, 30), 500, "calcium"),
                (2, 42, "aromatase_inhibitor", "anastrozole-1-daily-tablet", time(8), None, "x"),
            ),
        ),
        RecordTable(
            "dose_events",
            ("id", "patient_id", "local_date", "due_at", "late", "moved_reason"),
            ((9, 42, date(2025, 3, 31), due, False, "-30 minutes: clear of the window"),),
        ),
        RecordTable("checkins", ("id", "patient_id", "note"), ((100, 42, INJECTION_NOTE),)),
        RecordTable("dxa_scans", ("id", "patient_id", "lumbar_spine"), ((3, 42, -2.1),)),
    ]


def rows_of(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.fixture(scope="module")
def made() -> ExportFile:
    """The archive of the quarter and the small tables, made once (the PDF takes a second)."""
    return build_archive(quarter_snapshot(), small_tables(), MADE_AT)


@pytest.fixture(scope="module")
def files(made: ExportFile) -> dict[str, bytes]:
    """The archive's files by path."""
    return unzip(made.data)


# --- What is in the archive -------------------------------------------------------------------


def test_every_table_of_a_patient_is_in_the_archive() -> None:
    owned = patient_owned_tables()
    missing = owned - set(RECORD_TABLES)
    assert not missing, f"patient tables not in the /mydata archive: {sorted(missing)}"
    assert set(RECORD_TABLES) <= owned  # and nothing that is not a patient's
    assert all(RECORD_TABLES.values())  # each says what it holds


def test_every_left_out_column_exists_and_the_labels_shadow_none() -> None:
    tables = Base.metadata.tables
    for (table, column), why in OMITTED_COLUMNS.items():
        assert column in tables[table].c, f"{table}.{column} no longer exists"
        assert why
    for name in RECORD_TABLES:
        assert not set(LABEL_COLUMNS) & set(tables[name].c.keys()), name


def test_one_zip_file_whose_readme_names_every_file_in_it(
    made: ExportFile, files: dict[str, bytes]
) -> None:
    assert made.mime == ARCHIVE_MIME == "application/zip"
    assert made.name == "bonebot-patient-42-20250101-20250331-mydata.zip"
    readme = files[README_NAME].decode("utf-8")
    assert sorted(files_named_in(readme)) == sorted(set(files) - {README_NAME})
    assert "records/dose_events.csv (1 row)" in readme.splitlines()
    assert "records/medications.csv (2 rows)" in readme.splitlines()
    # /export's eight files, each once, with the names /export gives them.
    exported = [name for name in files if name.startswith("export/bonebot-patient-42-")]
    endings = [ending for ending, _ in EXPORT_DESCRIPTIONS]
    assert len(exported) == len(endings) == 8
    assert all(sum(name.endswith(ending) for name in exported) == 1 for ending in endings)
    assert {name.split("/")[0] for name in files} == {README_NAME, "export", "records"}
    assert files[next(n for n in files if n.endswith(".pdf"))].startswith(b"%PDF")


def test_readme_says_the_time_zone_of_the_times_and_what_was_left_out(
    files: dict[str, bytes],
) -> None:
    readme = files[README_NAME].decode("utf-8")
    assert readme.startswith("bonebot: everything I hold about you\r\n")
    assert f"Every time in these files is your local time in {ZONE_NAME}" in readme
    assert "2025-04-01T11:30:00+02:00" in readme  # the time it was made, in Berlin
    assert "Patient #42" in readme
    for table, column in OMITTED_COLUMNS:
        assert f"{table}.{column}:" in readme


def test_record_files_are_written_as_the_export_csv_files(files: dict[str, bytes]) -> None:
    for name, data in files.items():
        if name.endswith(".csv"):
            assert data.startswith(b"\xef\xbb\xbf"), name  # UTF-8 BOM, for Excel
            assert b"\r\n" in data, name
    [calcium, _] = rows_of(files["records/medications.csv"])
    assert (calcium["time_of_day"], calcium["dose_mg"]) == ("12:30", "500")
    [dose] = rows_of(files["records/dose_events.csv"])
    assert dose["due_at"] == "2025-03-31T08:00:00+02:00"
    assert (dose["local_date"], dose["late"]) == ("2025-03-31", "false")
    assert dose["moved_reason"] == "'-30 minutes: clear of the window"
    [checkin] = rows_of(files["records/checkins.csv"])
    assert checkin["note"] == f"'{INJECTION_NOTE}"
    [scan] = rows_of(files["records/dxa_scans.csv"])
    assert scan["lumbar_spine"] == "-2.1"  # a number stays a number


def test_the_same_records_make_the_same_files(files: dict[str, bytes]) -> None:
    first = files
    again = unzip(build_archive(quarter_snapshot(), small_tables(), MADE_AT).data)
    assert first.keys() == again.keys()
    # Every file but the PDF, which carries the moment it was rendered.
    assert {n: d for n, d in first.items() if not n.endswith(".pdf")} == {
        n: d for n, d in again.items() if not n.endswith(".pdf")
    }


def test_past_the_limit_it_refuses_and_the_limit_is_well_within_telegrams() -> None:
    assert ARCHIVE_LIMIT_BYTES <= 0.8 * TELEGRAM_UPLOAD_LIMIT_BYTES
    assert TELEGRAM_UPLOAD_LIMIT_BYTES == 50 * 1024 * 1024
    with pytest.raises(ArchiveTooLarge) as refused:
        build_archive(empty_snapshot(), small_tables(), MADE_AT, limit_bytes=10_000)
    assert refused.value.size_bytes > refused.value.limit_bytes == 10_000


def test_a_ragged_table_is_refused() -> None:
    with pytest.raises(ValueError, match="2 cells for 3 columns"):
        RecordTable("checkins", ("id", "patient_id", "note"), ((1, 2),))


# --- A year of daily data -----------------------------------------------------------------------

YEAR_START = datetime(2025, 1, 1, tzinfo=ZONE)
ANASTROZOLE = "anastrozole-1-daily-tablet"
ALENDRONATE = "alendronate-70-weekly-tablet"


def year_of_data() -> tuple[ExportSnapshot, list[RecordTable]]:
    """A year: anastrozole daily, alendronate weekly, calcium twice a day, weekly check-ins."""
    registered = local(date(2024, 12, 31), time(12))
    medications = (
        MedicationRow(
            1,
            "aromatase_inhibitor",
            ANASTROZOLE,
            "daily",
            time(8),
            None,
            None,
            True,
            registered,
            None,
        ),
        MedicationRow(
            2, "bone_agent", ALENDRONATE, "weekly", time(7), 0, None, True, registered, None
        ),
    )
    doses: list[DoseRow] = []
    dose_rows: list[tuple[Cell, ...]] = []
    for offset in range(365):
        day = date(2025, 1, 1) + timedelta(days=offset)
        due_today = [(1, ANASTROZOLE, time(8)), (3, "calcium", time(12)), (4, "calcium", time(19))]
        if day.weekday() == 0:
            due_today.append((2, ALENDRONATE, time(7)))
        for medication_id, key, at in due_today:
            due = local(day, at)
            event_id = len(dose_rows) + 1
            taken = due + timedelta(minutes=7)
            if medication_id in (1, 2):
                doses.append(
                    DoseRow(
                        event_id,
                        medication_id,
                        key,
                        day,
                        due,
                        "taken",
                        due,
                        taken,
                        False,
                        None,
                        taken,
                    )
                )
            dose_rows.append(
                (
                    event_id,
                    medication_id,
                    42,
                    day,
                    due,
                    "taken",
                    due,
                    due,
                    False,
                    None,
                    0,
                    taken,
                    taken,
                    key,
                )
            )
    checkins: list[CheckinRow] = []
    answer_rows: list[tuple[Cell, ...]] = []
    classes = (DrugClass.AROMATASE_INHIBITOR, DrugClass.ORAL_BISPHOSPHONATE)
    for week in range(52):
        started = local(date(2025, 1, 5) + timedelta(weeks=week), time(18))
        flow = CheckinFlow.start(classes)
        answers: list[AnswerRow] = []
        while isinstance(step := flow.next_step(), Question):
            score = (week + len(answers)) % 3 if step.attribute.value != "presence" else 0
            flow = flow.answer(Answer(step.item_code, step.attribute, score))
            at = started + timedelta(seconds=20 * (len(answers) + 1))
            answers.append(AnswerRow(step.item_code, step.attribute, score, at))
            answer_rows.append(
                (
                    len(answer_rows) + 1,
                    100 + week,
                    42,
                    step.item_code,
                    step.attribute.value,
                    score,
                    at,
                )
            )
        checkins.append(
            CheckinRow(
                100 + week,
                started,
                answers[-1].answered_at,
                (ALENDRONATE, ANASTROZOLE),
                False,
                "knees a bit better",
                tuple(answers),
            )
        )
    snapshot = ExportSnapshot(
        patient=PatientInfo(42, ZONE_NAME, registered),
        start=registered,
        end=YEAR_START + timedelta(days=365),
        medications=medications,
        doses=tuple(doses),
        checkins=tuple(checkins),
    )
    dose_columns = (
        "id",
        "medication_id",
        "patient_id",
        "local_date",
        "due_at",
        "status",
        "sent_at",
        "reminded_at",
        "late",
        "message_id",
        "snoozes",
        "answered_at",
        "taken_at",
        "medicine",
    )
    answer_columns = (
        "id",
        "checkin_id",
        "patient_id",
        "item_code",
        "attribute",
        "score",
        "answered_at",
    )
    tables = [
        RecordTable("dose_events", dose_columns, tuple(dose_rows)),
        RecordTable("checkin_answers", answer_columns, tuple(answer_rows)),
    ]
    return snapshot, tables


def test_a_year_of_daily_data_is_far_below_the_limit() -> None:
    snapshot, tables = year_of_data()
    assert len(tables[0].rows) > 365 * 3
    made = build_archive(snapshot, tables, datetime(2026, 1, 1, 9, tzinfo=UTC))
    files = unzip(made.data)
    assert len(rows_of(files["records/dose_events.csv"])) == len(tables[0].rows)
    # About 0.3 MB (the PDF's charts most of it): over a hundred times under the limit.
    assert len(made.data) < 1024 * 1024
    assert len(made.data) * 100 < ARCHIVE_LIMIT_BYTES
