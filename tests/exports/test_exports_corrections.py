"""Corrected and deleted bone-health records in every export: the CSV's `changes` column
and rows of deleted records, FHIR's corrected and entered-in-error resources with a note, and
the PDF's mark on a corrected scan."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import date, datetime

from fhirclient.models.bundle import Bundle
from pypdf import PdfReader

from bot.exports.csv_files import write_csv_files
from bot.exports.fhir_bundle import render_fhir_json
from bot.exports.pdf_report import CORRECTED_NOTE, render_pdf_report
from bot.exports.snapshot import ClinicAgentRow, DxaRow, ExportSnapshot, RecordChangeRow
from tests.exports.test_exports_snapshots import ZONE, quarter_snapshot

ZOLEDRONIC = "zoledronic-acid-5-yearly-iv"
CHANGED_AT = datetime(2025, 2, 3, 9, 15, tzinfo=ZONE)
DELETED_AT = datetime(2025, 2, 4, 18, 0, tzinfo=ZONE)


def _corrected_snapshot() -> ExportSnapshot:
    """The quarter, with the latest scan's spine corrected from +2.1, a scan deleted, a
    clinic dose moved by a day and another deleted."""
    base = quarter_snapshot()
    spine = RecordChangeRow(
        CHANGED_AT,
        "patient",
        False,
        date(2024, 9, 20),
        date(2024, 9, 20),
        2.1,
        -2.1,
        -1.4,
        -1.4,
        None,
        None,
    )
    moved = RecordChangeRow(CHANGED_AT, "patient", False, date(2023, 7, 2), date(2023, 7, 3))
    old_scan = RecordChangeRow(
        DELETED_AT, "patient", True, date(2022, 1, 5), None, -1.0, None, None, None, None, None
    )
    old_dose = RecordChangeRow(DELETED_AT, "patient", True, date(2022, 6, 1), None)
    first, latest = base.dxa
    [given] = base.clinic_agents
    return replace(
        base,
        dxa=(first, replace(latest, changes=(spine,))),
        clinic_agents=(replace(given, changes=(moved,)),),
        deleted_dxa=(DxaRow(date(2022, 1, 5), -1.0, None, None, (old_scan,)),),
        deleted_clinic_agents=(ClinicAgentRow(ZOLEDRONIC, date(2022, 6, 1), (old_dose,)),),
    )


def _bone_rows(snapshot: ExportSnapshot) -> list[dict[str, str]]:
    [bone] = [file for file in write_csv_files(snapshot) if "bone-health" in file.name]
    return list(csv.DictReader(io.StringIO(bone.data.decode("utf-8-sig"), newline="")))


def test_the_csv_shows_each_change_and_keeps_a_row_for_deleted_records() -> None:
    rows = _bone_rows(_corrected_snapshot())

    assert [(row["record"], row["date"]) for row in rows] == [
        ("dxa_deleted", "2022-01-05"),
        ("clinic_agent_deleted", "2022-06-01"),
        ("dxa", "2023-06-12"),
        ("clinic_agent", "2023-07-03"),
        ("dxa", "2024-09-20"),
    ]
    by_date = {row["date"]: row for row in rows}
    latest = by_date["2024-09-20"]
    assert latest["lumbar_spine_t_score"] == "-2.1"  # the corrected value, a number
    assert latest["changes"] == "2025-02-03T09:15:00+01:00 patient: lumbar_spine 2.1 -> -2.1"
    assert by_date["2023-06-12"]["changes"] == ""
    assert by_date["2023-07-03"]["changes"] == (
        "2025-02-03T09:15:00+01:00 patient: date 2023-07-02 -> 2023-07-03"
    )
    deleted_scan = by_date["2022-01-05"]
    assert [deleted_scan[f"{site}_t_score"] for site in ("lumbar_spine", "total_hip")] == ["", ""]
    assert deleted_scan["changes"] == (
        "2025-02-04T18:00:00+01:00 patient: deleted (was date 2022-01-05, lumbar_spine -1.0)"
    )
    deleted_dose = by_date["2022-06-01"]
    assert (deleted_dose["product_key"], deleted_dose["changes"]) == (
        ZOLEDRONIC,
        "2025-02-04T18:00:00+01:00 patient: deleted (was date 2022-06-01)",
    )


def test_records_never_changed_have_an_empty_changes_cell() -> None:
    assert {row["changes"] for row in _bone_rows(quarter_snapshot())} == {""}


def test_fhir_marks_corrected_observations_and_deleted_records_with_a_note() -> None:
    data = json.loads(render_fhir_json(_corrected_snapshot()))
    Bundle(data, strict=True)
    resources = [entry["resource"] for entry in data["entry"]]
    observations = [r for r in resources if r["resourceType"] == "Observation"]
    by_key = {(r["effectiveDateTime"], r["code"]["text"]): r for r in observations}

    spine = by_key[("2024-09-20", "DXA Lumbar spine T-score")]
    assert (spine["status"], spine["valueQuantity"]["value"]) == ("corrected", -2.1)
    assert spine["note"] == [
        {
            "text": "Corrected by the patient on 2025-02-03T09:15:00+01:00: "
            "lumbar_spine 2.1 -> -2.1."
        }
    ]
    hip = by_key[("2024-09-20", "DXA Total hip T-score")]
    assert (hip["status"], "note" in hip) == ("final", False)  # the hip was not changed
    gone = by_key[("2022-01-05", "DXA Lumbar spine T-score")]
    assert (gone["status"], gone["valueQuantity"]["value"]) == ("entered-in-error", -1.0)
    assert gone["note"][0]["text"].startswith("Deleted by the patient on 2025-02-04T18:00")

    clinic = [
        r
        for r in resources
        if r["resourceType"] == "MedicationAdministration"
        and r["category"]["coding"][0]["code"] == "outpatient"
    ]
    by_day = {r["effectiveDateTime"]: r for r in clinic}
    assert by_day["2023-07-03"]["status"] == "completed"
    assert "date 2023-07-02 -> 2023-07-03" in by_day["2023-07-03"]["note"][0]["text"]
    assert by_day["2022-06-01"]["status"] == "entered-in-error"
    # Every resource keeps a distinct identity.
    urls = [entry["fullUrl"] for entry in data["entry"]]
    assert len(urls) == len(set(urls))


def test_a_deleted_scan_on_the_day_of_a_live_one_keeps_its_own_identity() -> None:
    base = _corrected_snapshot()
    again = RecordChangeRow(
        DELETED_AT, "patient", True, date(2023, 6, 12), None, -1.6, None, None, None, None, None
    )
    snapshot = replace(
        base,
        deleted_dxa=(*base.deleted_dxa, DxaRow(date(2023, 6, 12), -1.6, None, None, (again,))),
    )

    data = json.loads(render_fhir_json(snapshot))

    urls = [entry["fullUrl"] for entry in data["entry"]]
    assert len(urls) == len(set(urls))
    Bundle(data, strict=True)


def test_the_pdf_marks_a_corrected_scan_and_counts_deleted_ones() -> None:
    data = render_pdf_report(_corrected_snapshot())
    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages
    )

    assert "20 Sep 2024 * -2.1 -1.4" in text
    assert " ".join(CORRECTED_NOTE.split()) in text
    assert "Scans the patient deleted: 1." in text
    plain = render_pdf_report(quarter_snapshot())
    plain_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(plain)).pages)
    assert "Corrected by the patient" not in plain_text
