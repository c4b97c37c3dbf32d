"""Buttons that move one medicine's reminder to another time in two taps (from /regimen),
and the strict parser of their callback data.

`rt:<a|b>` which medicine (a: the aromatase inhibitor, b: the bone medicine taken at home);
`rt:<a|b>:<HHMM>` its new time. The service re-checks that the acting user has such a
medicine (callback data can be forged).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.db.models import MedicationRole
from bot.domain.catalog import Timing, get_product
from ui import texts

# The same choices as at registration: any time of day for an aromatase inhibitor, the
# waking hours for a bisphosphonate taken fasting, breakfast for one taken after it.
AI_TIMES = ("07:00", "08:00", "09:00", "12:00", "18:00", "20:00", "21:00", "22:00")
WAKE_TIMES = ("05:30", "06:00", "06:30", "07:00", "07:30", "08:00", "08:30", "09:00")
BREAKFAST_TIMES = ("07:00", "07:30", "08:00", "08:30", "09:00", "09:30")

_ROLES = {"a": MedicationRole.AROMATASE_INHIBITOR, "b": MedicationRole.BONE_AGENT}
_LETTERS = {role: letter for letter, role in _ROLES.items()}
_DATA = re.compile(r"^rt:(?P<role>[ab])(?::(?P<hour>[01][0-9]|2[0-3])(?P<minute>[0-5][0-9]))?$")


@dataclass(frozen=True)
class TimePress:
    """A parsed press: which medicine, and (second tap) its new time."""

    role: MedicationRole
    at: time | None = None


def parse_time_press(data: str | None) -> TimePress | None:
    """Return the time-change press in callback data, or None if it is malformed."""
    match = _DATA.fullmatch(data or "")
    if match is None:
        return None
    role = _ROLES[match["role"]]
    if match["hour"] is None:
        return TimePress(role)
    return TimePress(role, time(int(match["hour"]), int(match["minute"])))


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def time_change_rows(
    timed: list[tuple[str, str, time]],
) -> list[list[InlineKeyboardButton]]:
    """One row per timed medicine of the regimen: (role, product key, time) -> "⏰ ..."."""
    return [
        [
            _button(
                texts.change_time_label(get_product(key).name, at),
                f"rt:{_LETTERS[MedicationRole(role)]}",
            )
        ]
        for role, key, at in timed
        if MedicationRole(role) in _LETTERS
    ]


def time_choice_buttons(role: MedicationRole, product_key: str) -> InlineKeyboardMarkup:
    """The times a medicine can move to, four to a row."""
    product = get_product(product_key)
    times: tuple[str, ...]
    if role is MedicationRole.AROMATASE_INHIBITOR:
        times = AI_TIMES
    elif product.administration.timing is Timing.AFTER_BREAKFAST:
        times = BREAKFAST_TIMES
    else:
        times = WAKE_TIMES
    letter = _LETTERS[role]
    buttons = [_button(label, f"rt:{letter}:{label.replace(':', '')}") for label in times]
    return InlineKeyboardMarkup([buttons[i : i + 4] for i in range(0, len(buttons), 4)])
