"""Buttons for pausing reminders, and the strict parser of their callback data.

`p:w:<medication id | all>` which reminders; `p:u:<medication id | all>:<YYYYMMDD>` until
that day; `p:r` resume now; `p:x` leave as it is. Ids and days are re-checked by
`bot.services.pauses` (callback data can be forged).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services.pauses import PauseView
from ui import texts
from ui.keyboards.doses import MAX_ROW_ID

# The lengths offered, in days after today (0: today only).
PAUSE_LENGTHS_DAYS = (0, 1, 3, 7, 14, 30)


class PauseTap(StrEnum):
    """What a pause button does; the value is the letter after `p:`."""

    WHICH = "w"
    UNTIL = "u"
    RESUME = "r"
    LEAVE = "x"


_DATA = re.compile(
    r"^p:(?:(?P<which>w):(?P<w_id>all|[0-9]{1,10})"
    r"|(?P<until>u):(?P<u_id>all|[0-9]{1,10}):(?P<day>[0-9]{8})"
    r"|(?P<single>[rx]))$"
)


@dataclass(frozen=True)
class PauseAction:
    """A parsed press on a pause button."""

    action: PauseTap
    medication_id: int | None = None  # None: all reminders
    until: date | None = None


def _medicine(text: str) -> int | None:
    return None if text == "all" else int(text)


def parse_pause_action(data: str | None) -> PauseAction | None:
    """Return the pause action in callback data, or None if it is malformed."""
    match = _DATA.fullmatch(data or "")
    if match is None:
        return None
    if match["single"]:
        return PauseAction(PauseTap(match["single"]))
    text = match["w_id"] or match["u_id"]
    if text != "all" and int(text) > MAX_ROW_ID:
        return None
    if match["which"]:
        return PauseAction(PauseTap.WHICH, _medicine(text))
    try:
        day = date(int(match["day"][:4]), int(match["day"][4:6]), int(match["day"][6:]))
    except ValueError:
        return None
    return PauseAction(PauseTap.UNTIL, _medicine(text), day)


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def which_buttons(view: PauseView) -> InlineKeyboardMarkup:
    """Which reminders to pause: all first, then one row per medicine."""
    rows = [[_button(texts.PAUSE_ALL, f"p:{PauseTap.WHICH}:all")]]
    rows += [
        [_button(texts.capitalised(m.name), f"p:{PauseTap.WHICH}:{m.medication_id}")]
        for m in view.medicines
    ]
    rows.append([_button(texts.PAUSE_LEAVE, f"p:{PauseTap.LEAVE}")])
    return InlineKeyboardMarkup(rows)


def until_buttons(medication_id: int | None, today: date) -> InlineKeyboardMarkup:
    """Until when: today only, tomorrow, a few days, a week, two, a month."""
    which = "all" if medication_id is None else str(medication_id)
    rows = [
        [
            _button(
                texts.pause_length_label(days, today + timedelta(days=days)),
                f"p:{PauseTap.UNTIL}:{which}:{(today + timedelta(days=days)):%Y%m%d}",
            )
        ]
        for days in PAUSE_LENGTHS_DAYS
    ]
    rows.append([_button(texts.PAUSE_LEAVE, f"p:{PauseTap.LEAVE}")])
    return InlineKeyboardMarkup(rows)


def paused_buttons() -> InlineKeyboardMarkup:
    """Under a pause: resume now, or pause something else too."""
    return InlineKeyboardMarkup(
        [
            [_button(texts.RESUME_NOW, f"p:{PauseTap.RESUME}")],
            [_button(texts.PAUSE_MORE, f"p:{PauseTap.WHICH}:all")],
        ]
    )
