"""The export buttons: the formats offered round-trip, and no press can ask for /mydata's
archive (only the patient gets it, by the command itself); the words around the archive."""

from __future__ import annotations

from datetime import date

import pytest

from bot.services.exports import OFFERED_FORMATS, ExportFormat
from ui import texts
from ui.keyboards.data import DataAction, format_buttons, parse_data_action


def test_every_offered_format_button_parses_back() -> None:
    markup = format_buttons(5, 90)
    pressed = [parse_data_action(b.callback_data) for row in markup.inline_keyboard for b in row]
    assert pressed == [DataAction("format", 5, 90, fmt) for fmt in OFFERED_FORMATS]
    assert ExportFormat.ARCHIVE not in OFFERED_FORMATS


@pytest.mark.parametrize("data", ["x:f:0:30:archive", "x:f:5:0:archive", "x:f:0:0:zip"])
def test_a_forged_press_for_the_archive_does_not_parse(data: str) -> None:
    assert parse_data_action(data) is None


def test_the_audit_line_names_the_archive_and_the_refusal_says_its_size() -> None:
    line = texts.export_line(
        "2031-03-04 12:00 UTC", "patient", "", "archive", date(2031, 3, 1), date(2031, 3, 4)
    )
    assert line == "• 2031-03-04 12:00 UTC: you, everything (/mydata), 1 Mar 2031 to 4 Mar 2031"
    assert ", PDF, " in texts.export_line(
        "t", "clinician", "Dr Lee", "pdf", date(2031, 3, 1), date(2031, 3, 4)
    )
    refusal = texts.mydata_too_large(41 * 1024 * 1024 + 1, 40 * 1024 * 1024)
    assert "about 42 MB, and I send at most 40 MB. Nothing was sent." in refusal
    assert "/export" in refusal
