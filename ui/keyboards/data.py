"""Buttons for exports and erasure, and the strict parser of their callback data.

Ids in the data (a link id for a clinician's patient, 0 for one's own records) are re-checked
against the acting user by `bot.services.exports`: callback data can be forged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services.care_links import LinkView
from bot.services.exports import OFFERED_FORMATS, PERIOD_DAYS, ExportFormat
from ui import texts
from ui.keyboards.doses import MAX_ROW_ID

_PERIODS = "|".join(str(days) for days in PERIOD_DAYS)
# Only the offered formats parse: a forged press cannot ask for /mydata's archive.
_FORMATS = "|".join(f.value for f in OFFERED_FORMATS)
_DATA = re.compile(
    rf"^(?:x:p:(?P<pick>[0-9]{{1,10}})"
    rf"|x:r:(?P<range_link>[0-9]{{1,10}}):(?P<range_days>{_PERIODS})"
    rf"|x:f:(?P<fmt_link>[0-9]{{1,10}}):(?P<fmt_days>{_PERIODS}):(?P<fmt>{_FORMATS})"
    rf"|del:(?P<erase>[yn]))$"
)


@dataclass(frozen=True)
class DataAction:
    """A parsed press: step, whose records (0: one's own), period and format."""

    step: str  # "pick", "period", "format", "erase"
    link_id: int = 0
    days: int | None = None
    export_format: ExportFormat | None = None
    confirmed: bool = False


def parse_data_action(data: str | None) -> DataAction | None:
    """Return the action in callback data, or None if it is malformed."""
    match = _DATA.fullmatch(data or "")
    if match is None:
        return None
    if match["erase"]:
        return DataAction("erase", confirmed=match["erase"] == "y")
    link_text = match["pick"] or match["range_link"] or match["fmt_link"]
    link_id = int(link_text)
    if link_id > MAX_ROW_ID:
        return None
    if match["pick"] is not None:
        return DataAction("pick", link_id)
    if match["range_link"] is not None:
        return DataAction("period", link_id, int(match["range_days"]))
    return DataAction("format", link_id, int(match["fmt_days"]), ExportFormat(match["fmt"]))


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def whose_buttons(own: bool, patients: list[LinkView]) -> InlineKeyboardMarkup:
    """My own (if a patient), then each patient who linked the user as their care team."""
    rows = [[_button(texts.EXPORT_MINE, "x:p:0")]] if own else []
    rows += [[_button(view.patient_name, f"x:p:{view.link_id}")] for view in patients]
    return InlineKeyboardMarkup(rows)


def period_buttons(link_id: int) -> InlineKeyboardMarkup:
    """The offered periods, two to a row."""
    buttons = [_button(texts.PERIOD_LABELS[days], f"x:r:{link_id}:{days}") for days in PERIOD_DAYS]
    return InlineKeyboardMarkup([buttons[:2], buttons[2:]])


def format_buttons(link_id: int, days: int) -> InlineKeyboardMarkup:
    """PDF, CSV, FHIR, or all of them."""
    return InlineKeyboardMarkup(
        [
            [_button(texts.FORMAT_LABELS[f.value], f"x:f:{link_id}:{days}:{f.value}")]
            for f in OFFERED_FORMATS
        ]
    )


def erase_buttons() -> InlineKeyboardMarkup:
    """Yes, erase everything / No, keep it."""
    return InlineKeyboardMarkup(
        [[_button(texts.DELETE_YES, "del:y")], [_button(texts.DELETE_NO, "del:n")]]
    )
