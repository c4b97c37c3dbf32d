"""The /mydata archive: everything kept about a patient in one ZIP file, with a README.txt.

One file rather than a run of documents: a single send (no flood of messages for Telegram to
throttle), and one thing to keep or forward. Inside:

* ``README.txt``: what each file holds, the time zone of every time, how to read the CSV;
* ``export/``: the files /export makes (PDF report, the six CSV files, the FHIR R4 bundle)
  for the whole time since registration, unchanged;
* ``records/``: every table kept about the patient (`bot.exports.record`), one CSV each,
  written as the export CSV files are (UTF-8 with a BOM, formula injection neutralised,
  times in the patient's zone).

Pure: a function of the snapshot, the record tables and the time it is made, so the same
records give the same files (all but the PDF, which carries the moment it was rendered).
The archive is small (a year of daily doses, reminders and
weekly check-ins is well under a megabyte, the PDF's charts most of it); past
`ARCHIVE_LIMIT_BYTES`, well inside Telegram's 50 MB for a bot's upload, it raises
ArchiveTooLarge instead of making a file the bot could not send.
"""

from __future__ import annotations

import io
import textwrap
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.errors import ArchiveTooLarge
from bot.exports.csv_files import render_csv, write_csv_files
from bot.exports.fhir_bundle import fhir_bundle_file
from bot.exports.files import ExportFile, file_name
from bot.exports.pdf_report import pdf_report_file
from bot.exports.record import OMITTED_COLUMNS, RECORD_TABLES, RecordTable
from bot.exports.snapshot import ExportSnapshot

ARCHIVE_MIME = "application/zip"
# Bot API: "Bots can currently send files of any type of up to 50 MB in size."
TELEGRAM_UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024
# Well inside it, leaving room for the multipart request around the file.
ARCHIVE_LIMIT_BYTES = 40 * 1024 * 1024
README_NAME = "README.txt"
EXPORT_FOLDER = "export"
RECORD_FOLDER = "records"
_WIDTH = 78

# What each file of /export holds, by how its name ends.
EXPORT_DESCRIPTIONS: tuple[tuple[str, str], ...] = (
    (
        "-report.pdf",
        "The report for your care team (PDF): your medicines, how often each was taken, "
        "symptom trends, DXA and lab result charts, red flags and your latest notes.",
    ),
    (
        "-symptom-answers.csv",
        "Each check-in answer, with the symptom's name and the answer you tapped.",
    ),
    (
        "-checkins.csv",
        "One line a check-in: when, the medicines then, how many answers, whether you wanted "
        "to stop, your note.",
    ),
    (
        "-dose-events.csv",
        "Each dose of your aromatase inhibitor and bone medicine: due, sent, your answer and "
        "its corrections. Calcium and vitamin D doses are in records/dose_events.csv.",
    ),
    ("-bone-health.csv", "DXA scan T-scores and clinic doses given, by date."),
    ("-red-flags.csv", "Each red-flag episode and what it means."),
    (
        "-bone-markers.csv",
        "Your bone marker and vitamin D results, as printed and in one unit per test, by date.",
    ),
    ("-fhir.json", "The same records as a FHIR R4 Bundle, for clinic computer systems."),
)


@dataclass(frozen=True)
class _Entry:
    path: str
    data: bytes
    about: str
    rows: int | None = None  # a record table's row count


def build_archive(
    snapshot: ExportSnapshot,
    tables: Sequence[RecordTable],
    made_at: datetime,
    *,
    limit_bytes: int | None = None,
) -> ExportFile:
    """Return the ZIP archive of everything kept (CPU-bound; raise ArchiveTooLarge past the
    limit, ARCHIVE_LIMIT_BYTES unless given)."""
    entries = [*_export_entries(snapshot), *_record_entries(snapshot, tables)]
    readme = readme_text(snapshot, made_at, entries)
    made = snapshot.local(made_at)
    stamp = (made.year, made.month, made.day, made.hour, made.minute, made.second)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data in ((README_NAME, readme.encode("utf-8")), *_contents(entries)):
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16  # an ordinary readable file once unzipped
            archive.writestr(info, data)
    data = buffer.getvalue()
    limit = ARCHIVE_LIMIT_BYTES if limit_bytes is None else limit_bytes
    if len(data) > limit:
        raise ArchiveTooLarge(len(data), limit)
    return ExportFile(file_name(snapshot, "mydata", "zip"), data, ARCHIVE_MIME)


def _contents(entries: Sequence[_Entry]) -> list[tuple[str, bytes]]:
    return [(entry.path, entry.data) for entry in entries]


def _export_entries(snapshot: ExportSnapshot) -> list[_Entry]:
    files = [pdf_report_file(snapshot), *write_csv_files(snapshot), fhir_bundle_file(snapshot)]
    found = []
    for file in files:
        about = [text for ending, text in EXPORT_DESCRIPTIONS if file.name.endswith(ending)]
        if not about:
            raise ValueError(f"no description for {file.name}")
        found.append(_Entry(f"{EXPORT_FOLDER}/{file.name}", file.data, about[0]))
    return found


def _record_entries(snapshot: ExportSnapshot, tables: Sequence[RecordTable]) -> list[_Entry]:
    return [
        _Entry(
            f"{RECORD_FOLDER}/{table.name}.csv",
            render_csv(snapshot, table.columns, table.rows),
            RECORD_TABLES[table.name],
            len(table.rows),
        )
        for table in tables
    ]


def _paragraph(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(text, _WIDTH, initial_indent=indent, subsequent_indent=indent)


def readme_text(snapshot: ExportSnapshot, made_at: datetime, entries: Sequence[_Entry]) -> str:
    """Return README.txt: who, when, the time zone, how to read the files, then each file."""
    zone = snapshot.patient.timezone
    made = snapshot.local(made_at)
    offset = made.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}"
    title = "bonebot: everything I hold about you"
    lines = [title, "=" * len(title), ""]
    lines += _paragraph(
        f"{snapshot.patient.display_name}, registered "
        f"{snapshot.local(snapshot.patient.registered_at):%Y-%m-%d}. Made on "
        f"{made:%Y-%m-%d at %H:%M} ({zone}) by /mydata. Nothing of any other patient is here; "
        "of the people linked to you, only their first name, their role and what you let "
        "them receive."
    )
    lines += ["", "Times", "-----"]
    lines += _paragraph(
        f"Every time in these files is your local time in {zone}, the time zone you gave "
        f"me, written with its offset from UTC: {made.isoformat(timespec='seconds')} is "
        f"{made:%H:%M} in {zone} (UTC{offset}). The offset changes with summer time. Days "
        "(YYYY-MM-DD) are days of your calendar there, and times of day (HH:MM, like a "
        "reminder's 09:00) are your clock there."
    )
    lines += ["", "Spreadsheets (.csv)", "-------------------"]
    lines += _paragraph(
        "UTF-8 with a byte-order mark, comma-separated, one header row. An empty cell means "
        "none (no answer, not applicable, not recorded); yes/no is true/false. A text that "
        "begins with = + - @ has a ' put in front, so a spreadsheet shows it instead of "
        "running it as a formula. In records/, 'id' is a row's number in its file, and a "
        "column ending in _id is the id of a row in another file (medication_id: "
        "records/medications.csv)."
    )
    first, last = snapshot.first_day, snapshot.last_day
    lines += ["", f"{EXPORT_FOLDER}/", "-" * (len(EXPORT_FOLDER) + 1)]
    lines += _paragraph(
        f"The files /export makes, for the whole time since you registered ({first:%Y-%m-%d} "
        f"to {last:%Y-%m-%d})."
    )
    lines += _files(entries, EXPORT_FOLDER)
    lines += ["", f"{RECORD_FOLDER}/", "-" * (len(RECORD_FOLDER) + 1)]
    lines += _paragraph(
        "Everything I keep about you, one file for each table of my database, with its "
        "column names: these are the complete record."
    )
    lines += _files(entries, RECORD_FOLDER)
    lines += ["", "Left out", "--------"]
    lines += _paragraph("These columns are kept but not copied here:")
    for (table, column), why in OMITTED_COLUMNS.items():
        lines += _paragraph(f"{table}.{column}: {why}.", "  ")
    return "\r\n".join(lines) + "\r\n"


def _files(entries: Sequence[_Entry], folder: str) -> list[str]:
    lines: list[str] = []
    for entry in entries:
        if not entry.path.startswith(f"{folder}/"):
            continue
        count = ""
        if entry.rows is not None:
            count = f" ({entry.rows} row{'' if entry.rows == 1 else 's'})"
        lines += ["", entry.path + count, *_paragraph(entry.about, "    ")]
    return lines
