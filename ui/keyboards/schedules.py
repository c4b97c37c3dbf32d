"""Buttons of a clinic agent's schedule: `cs:o:<plan>` (open), `cs:i:<plan>:<months>` (how
often), `cs:c:<plan>:<years>` (a planned course; 0: no end, also "It goes on").

Their own prefix, parsed strictly here; the service refuses values no button offers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from ui import texts

PREFIX = "cs:"
MAX_ROW_ID = 2**31 - 1
_DATA = re.compile(r"cs:(?P<step>[oic]):(?P<plan>\d{1,10})(?::(?P<number>\d{1,2}))?")


class ScheduleStep(StrEnum):
    """What a schedule button does."""

    OPEN = "o"
    INTERVAL = "i"
    COURSE = "c"


@dataclass(frozen=True)
class SchedulePress:
    """One press: open the page, set how often, or set the course (years; 0: no end)."""

    step: ScheduleStep
    plan_id: int
    number: int | None = None


def parse_schedule(data: str | None) -> SchedulePress | None:
    """Return the press in callback data, or None when it is not one of these buttons."""
    match = _DATA.fullmatch(data or "")
    if match is None or int(match["plan"]) > MAX_ROW_ID:
        return None
    step = ScheduleStep(match["step"])
    number = int(match["number"]) if match["number"] is not None else None
    if (step is ScheduleStep.OPEN) != (number is None):
        return None
    return SchedulePress(step, int(match["plan"]), number)


def _button(label: str, press: SchedulePress) -> InlineKeyboardButton:
    tail = "" if press.number is None else f":{press.number}"
    return InlineKeyboardButton(label, callback_data=f"{PREFIX}{press.step}:{press.plan_id}{tail}")


def schedule_row(plan_id: int) -> list[InlineKeyboardButton]:
    """/bone's row for one clinic agent's schedule."""
    return [_button(texts.SCHEDULE_BUTTON, SchedulePress(ScheduleStep.OPEN, plan_id))]


def interval_buttons(plan_id: int, choices: tuple[int, ...]) -> list[list[InlineKeyboardButton]]:
    """One row per interval the care team may set, the catalogue's own first."""
    return [
        [
            _button(
                texts.every_label(months, usual=index == 0),
                SchedulePress(ScheduleStep.INTERVAL, plan_id, months),
            )
        ]
        for index, months in enumerate(choices)
    ]


def course_buttons(plan_id: int, years: tuple[int, ...]) -> list[list[InlineKeyboardButton]]:
    """After 2 / 3 / 5 years, or No end set."""
    rows = [
        [
            _button(
                texts.COURSE_LABEL.format(years=n), SchedulePress(ScheduleStep.COURSE, plan_id, n)
            )
        ]
        for n in years
    ]
    rows.append([_button(texts.COURSE_NO_END, SchedulePress(ScheduleStep.COURSE, plan_id, 0))])
    return rows


def schedule_buttons(
    plan_id: int, choices: tuple[int, ...], years: tuple[int, ...] | None
) -> InlineKeyboardMarkup:
    """The schedule page: how often (when there is a choice), then the course (when one
    applies)."""
    rows = interval_buttons(plan_id, choices) if len(choices) > 1 else []
    if years is not None:
        rows += course_buttons(plan_id, years)
    return InlineKeyboardMarkup(rows)


def _course(plan_id: int, years: int) -> SchedulePress:
    return SchedulePress(ScheduleStep.COURSE, plan_id, years)


def goes_on_button(plan_id: int) -> InlineKeyboardMarkup:
    """Under the course review: the care team said it goes on (no end set)."""
    return InlineKeyboardMarkup(
        [[_button(texts.COURSE_GOES_ON, SchedulePress(ScheduleStep.COURSE, plan_id, 0))]]
    )
