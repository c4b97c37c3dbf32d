"""Buttons of the aromatase inhibitor's planned length: `rv:o` (open), `rv:y:<years>` (the
length; 0: not sure), `rv:s:<years>:<years ago>` (when it started).

Their own prefix, parsed strictly here; the service refuses values no button offers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.reviews import AROMATASE_INHIBITOR_YEARS, STARTED_YEARS_AGO
from ui import texts

PREFIX = "rv:"
_DATA = re.compile(r"rv:(?:(?P<open>o)|y:(?P<years>\d{1,2})|s:(?P<plan>\d{1,2}):(?P<ago>\d))")


class ReviewStep(StrEnum):
    """What a planned-length button does."""

    OPEN = "o"
    YEARS = "y"
    STARTED = "s"


@dataclass(frozen=True)
class ReviewPress:
    """One press: open, the planned years (0: not sure), or when it started."""

    step: ReviewStep
    years: int | None = None
    years_ago: int | None = None


def parse_review(data: str | None) -> ReviewPress | None:
    """Return the press in callback data, or None when it is not one of these buttons."""
    match = _DATA.fullmatch(data or "")
    if match is None:
        return None
    if match["open"]:
        return ReviewPress(ReviewStep.OPEN)
    if match["years"] is not None:
        return ReviewPress(ReviewStep.YEARS, int(match["years"]))
    return ReviewPress(ReviewStep.STARTED, int(match["plan"]), int(match["ago"]))


def ai_plan_row(drug: str) -> list[InlineKeyboardButton]:
    """/bone's row for the aromatase inhibitor's planned length."""
    label = texts.AI_PLAN_BUTTON.format(drug=drug[:1].upper() + drug[1:])
    return [InlineKeyboardButton(label, callback_data=f"{PREFIX}o")]


def years_buttons() -> InlineKeyboardMarkup:
    """5 / 7 / 10 years, and I'm not sure."""
    rows = [
        [
            InlineKeyboardButton(
                texts.AI_YEARS_LABEL.format(years=years), callback_data=f"{PREFIX}y:{years}"
            )
        ]
        for years in AROMATASE_INHIBITOR_YEARS
    ]
    rows.append([InlineKeyboardButton(texts.AI_NOT_SURE, callback_data=f"{PREFIX}y:0")])
    return InlineKeyboardMarkup(rows)


def started_buttons(years: int) -> InlineKeyboardMarkup:
    """This year, 1 year ago .. 5 years ago, two to a row."""

    def label(ago: int) -> str:
        if ago == 0:
            return texts.AI_STARTED_THIS_YEAR
        if ago == 1:
            return texts.AI_STARTED_A_YEAR_AGO
        return texts.AI_STARTED_YEARS_AGO.format(years=ago)

    buttons = [
        InlineKeyboardButton(label(ago), callback_data=f"{PREFIX}s:{years}:{ago}")
        for ago in STARTED_YEARS_AGO
    ]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])
