"""PDF report: one or two pages for a quarter, with the figures a clinic needs, in any script."""

from __future__ import annotations

import io
import logging
from dataclasses import replace

import pytest
from pypdf import PdfReader

from bot.exports.pdf_report import MISSING_GLYPH, pdf_report_file, printable, render_pdf_report
from tests.exports.test_exports_snapshots import UNICODE_NOTE, empty_snapshot, quarter_snapshot


def _pages(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture(scope="module")
def quarter_text() -> str:
    """The text of the quarter's report, all pages."""
    pages = _pages(render_pdf_report(quarter_snapshot()))
    assert 1 <= len(pages) <= 2
    return "\n".join(pages)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_report_names_the_patient_pseudonymously(quarter_text: str) -> None:
    text = _flat(quarter_text)
    assert "Bone-health report · Patient #42" in text
    assert "times in Europe/Berlin" in text
    assert "Period 1 Jan 2025 to 31 Mar 2025 (90 days)" in text
    assert "page 2 of 2" in text


def test_report_shows_regimen_and_adherence(quarter_text: str) -> None:
    text = _flat(quarter_text)
    for medicine in ("Anastrozole 1 mg tablet", "Letrozole 2.5 mg tablet", "Alendronate 70 mg"):
        assert medicine in text
    assert "weekly on Monday at 07:00" in text
    assert "1 Oct 2024 to 15 Jan 2025" in text
    # Taken / due and the share taken, per medicine, as /history counts them.
    assert "Letrozole 2.5 mg tablet 68 / 76 89%" in text
    assert "Alendronate 70 mg tablet 10 / 13 77%" in text


def test_report_lists_red_flags_with_dates(quarter_text: str) -> None:
    text = _flat(quarter_text)
    assert "2 Feb 2025 Fall or broken bone until 9 Feb 2025" in text
    assert "16 Mar 2025 Chest pain, swallowing trouble" in text
    assert "23 Mar 2025 Worse by 2+ points: Fatigue still open" in text
    assert "want to stop their aromatase inhibitor: 16 Feb 2025" in text


def test_report_summarises_symptoms_and_bone_density(quarter_text: str) -> None:
    text = _flat(quarter_text)
    assert "13 check-ins started, 12 completed" in text
    assert "Joint pain severity Moderate (2) Severe (3) 9 Feb 2025 and 1 more" in text
    assert "20 Sep 2024 -2.1 -1.4" in text  # T-scores with their sign
    assert "osteopenia" in text
    assert "3 Jul 2023 Zoledronic acid 5 mg intravenous infusion" in text
    assert "14 Apr 2025, 09:00 Dental check-up" in text


def test_notes_print_in_other_scripts(quarter_text: str) -> None:
    assert "Боль в суставах по утрам" in quarter_text
    assert "café" in quarter_text
    assert '=HYPERLINK("http://evil.example","click")' in quarter_text  # inert in a PDF


def test_characters_without_a_glyph_are_replaced_and_never_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    snapshot = quarter_snapshot()
    with caplog.at_level(logging.DEBUG):
        text = "\n".join(_pages(render_pdf_report(snapshot)))
    assert "膝" not in text
    assert MISSING_GLYPH * 4 in text  # 膝が痛い: four characters DejaVu Sans lacks
    assert not [r for r in caplog.records if "膝" in r.getMessage()]
    assert printable(UNICODE_NOTE).startswith("Боль")
    assert printable("a\r\nb\u819d\tc") == f"a\nb{MISSING_GLYPH} c"


def test_a_quarter_of_long_notes_still_fits_two_pages() -> None:
    snapshot = quarter_snapshot()
    checkins = tuple(
        replace(checkin, note=f"Week {n}: " + "knees ache, " * 90)
        for n, checkin in enumerate(snapshot.checkins)
    )
    pages = _pages(render_pdf_report(replace(snapshot, checkins=checkins)))
    assert len(pages) <= 2
    text = _flat("\n".join(pages))
    assert "Week 12:" in text  # the latest five notes
    assert "Week 7:" not in text
    assert "Showing the latest 5 of 13 notes, shortened" in text


def test_an_empty_record_gives_one_page_that_says_so() -> None:
    file = pdf_report_file(empty_snapshot())
    assert file.name == "bonebot-patient-7-20250101-20250331-report.pdf"
    assert file.mime == "application/pdf"
    pages = _pages(file.data)
    assert len(pages) == 1
    text = _flat(pages[0])
    for line in (
        "Patient #7",
        "No medicines registered.",
        "No doses were due in this period.",
        "No red flags in this period.",
        "No check-ins in this period.",
        "No DXA results recorded.",
    ):
        assert line in text
