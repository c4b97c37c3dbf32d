"""Lab results (bone turnover markers, 25-OH vitamin D) in every export: the CSV's
bone-markers file, FHIR laboratory Observations with LOINC where verified and the project's
code everywhere, the PDF's section beside the scans, and the chart."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import date, datetime

import pytest
from fhirclient.models.bundle import Bundle
from PIL import Image
from pypdf import PdfReader

from bot.domain.bone_markers import RULES, Marker
from bot.exports.charts import MarkerSeries, bone_markers_png
from bot.exports.csv_files import write_csv_files
from bot.exports.fhir_bundle import BONE_MARKER_SYSTEM, MARKER_LOINC, render_fhir_json
from bot.exports.pdf_report import render_pdf_report
from bot.exports.snapshot import ExportSnapshot, MarkerChangeRow, MarkerRow
from tests.exports.test_exports_snapshots import ZONE, quarter_snapshot

CHANGED_AT = datetime(2025, 2, 3, 9, 15, tzinfo=ZONE)


def _snapshot() -> ExportSnapshot:
    """The quarter with a CTX typed in pg/mL and corrected, a P1NP, a vitamin D deleted."""
    fixed = MarkerChangeRow(
        CHANGED_AT,
        "patient",
        False,
        date(2025, 1, 20),
        date(2025, 1, 20),
        "35 pg/mL",
        "350 pg/mL",
        0.035,
        0.35,
    )
    gone = MarkerChangeRow(
        CHANGED_AT, "patient", True, date(2024, 12, 1), None, "29 ng/mL", None, 29.0, None
    )
    return replace(
        quarter_snapshot(),
        markers=(
            MarkerRow("ctx", date(2025, 1, 20), 0.35, "ng/mL", "350", "pg/mL", (fixed,)),
            MarkerRow("p1np", date(2025, 2, 1), 45.0, "µg/L", "45", "µg/L"),
        ),
        deleted_markers=(
            MarkerRow("vitamin_d", date(2024, 12, 1), 29.0, "ng/mL", "29", "ng/mL", (gone,)),
        ),
    )


def test_the_verified_loinc_codes_are_pinned_and_the_rest_carry_none() -> None:
    assert {marker: code and code[0] for marker, code in MARKER_LOINC.items()} == {
        Marker.VITAMIN_D: "62292-8",
        Marker.CTX: "41171-0",
        Marker.BSAP: "17838-4",
        Marker.P1NP: None,
        Marker.NTX: None,
    }


def test_the_csv_has_each_result_as_printed_and_in_its_unit_and_the_deleted_one() -> None:
    [file] = [f for f in write_csv_files(_snapshot()) if f.name.endswith("-bone-markers.csv")]
    rows = list(csv.DictReader(io.StringIO(file.data.decode("utf-8-sig"))))
    assert [
        (r["record"], r["date"], r["test_code"], r["value"], r["unit"], r["printed_value"])
        for r in rows
    ] == [
        ("marker_deleted", "2024-12-01", "vitamin_d", "", "ng/mL", ""),
        ("marker", "2025-01-20", "ctx", "0.35", "ng/mL", "350"),
        ("marker", "2025-02-01", "p1np", "45.0", "µg/L", "45"),
    ]
    assert rows[1]["printed_unit"] == "pg/mL"
    assert rows[1]["changes"] == "2025-02-03T09:15:00+01:00 patient: 35 pg/mL -> 350 pg/mL"
    assert rows[0]["changes"].endswith("deleted (was 2024-12-01, 29 ng/mL)")


def test_fhir_observations_are_laboratory_in_ucum_with_loinc_where_verified() -> None:
    bundle = json.loads(render_fhir_json(_snapshot()))
    Bundle(bundle)  # the R4 models accept it
    labs = [
        entry["resource"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == "Observation"
        and entry["resource"]["category"][0]["coding"][0]["code"] == "laboratory"
    ]
    by_code = {obs["code"]["coding"][-1]["code"]: obs for obs in labs}
    assert set(by_code) == {"ctx", "p1np", "vitamin_d"}
    for code, obs in by_code.items():
        assert obs["code"]["coding"][-1]["system"] == BONE_MARKER_SYSTEM
        assert obs["valueQuantity"]["system"] == "http://unitsofmeasure.org"
        assert obs["valueQuantity"]["code"] == RULES[Marker(code)].ucum
    ctx = by_code["ctx"]
    assert ctx["status"] == "corrected"
    assert ctx["code"]["coding"][0] == {"system": "http://loinc.org", "code": "41171-0"}
    assert ctx["valueQuantity"]["value"] == 0.35
    assert ctx["note"][0]["text"].startswith("As printed on the report: 350 pg/mL.")
    assert "35 pg/mL -> 350 pg/mL" in ctx["note"][0]["text"]
    p1np = by_code["p1np"]
    assert (p1np["status"], len(p1np["code"]["coding"])) == ("final", 1)  # no LOINC
    assert "note" not in p1np
    vitamin_d = by_code["vitamin_d"]
    assert vitamin_d["status"] == "entered-in-error"
    assert vitamin_d["code"]["coding"][0]["code"] == "62292-8"


def test_the_pdf_has_the_results_beside_the_scans_and_none_without_them() -> None:
    reader = PdfReader(io.BytesIO(render_pdf_report(_snapshot())))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Bone markers and vitamin D (lab results)" in text
    assert "350 pg/mL" in text
    assert "0.35 ng/mL" in text
    assert "Results the patient deleted: 1." in text
    plain = PdfReader(io.BytesIO(render_pdf_report(quarter_snapshot())))
    assert "Bone markers" not in "\n".join(page.extract_text() for page in plain.pages)


def test_the_chart_draws_one_panel_per_test_and_refuses_bad_values() -> None:
    png = bone_markers_png(
        [
            MarkerSeries("CTX", "ng/mL", ((date(2025, 1, 20), 0.35), (date(2024, 7, 1), 0.5))),
            MarkerSeries("25-OH vitamin D", "ng/mL", ((date(2025, 1, 20), 29.0),)),
        ],
        span=(date(2023, 6, 12), date(2024, 9, 20)),
    )
    image = Image.open(io.BytesIO(png))
    assert image.size[0] == 800
    assert image.size[1] > 500
    assert bone_markers_png([]).startswith(b"\x89PNG")  # "No results recorded yet"
    with pytest.raises(ValueError, match="finite"):
        MarkerSeries("CTX", "ng/mL", ((date(2025, 1, 20), float("nan")),))
