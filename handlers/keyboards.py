"""Inline keyboards and the callback data they carry.

Callback data is written by the client and can be forged, so every parser here is strict
(fixed prefixes, digits only for ids, bounded lengths) and ids are re-checked against the
acting user by the services.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.reminders import SkipReason

# Dose actions: t=taken, z=snooze, s=ask skip reason, r=skip with reason, m=missed,
# b=back to the main buttons.
_DOSE_DATA = re.compile(
    r"^d:(?P<action>[tzsmb]):(?P<id>[0-9]{1,10})(?::(?P<reason>[a-z_]{1,20}))?$"
)
# Row ids are INTEGER primary keys: 32-bit on PostgreSQL, which refuses a larger query
# argument outright instead of finding no row.
MAX_ROW_ID = 2**31 - 1
_REG_DATA = re.compile(r"^reg:(?P<field>[a-z_]{1,20}):(?P<value>[A-Za-z0-9_+\-/]{1,40})$")
_EDIT_DATA = re.compile(r"^edit:(?P<section>[a-z]{1,8})$")


@dataclass(frozen=True)
class DoseAction:
    """A parsed press on a dose button."""

    action: str
    event_id: int
    reason: str | None = None


def parse_dose_action(data: str | None) -> DoseAction | None:
    """Return the dose action in callback data, or None if it is malformed."""
    match = _DOSE_DATA.fullmatch(data or "")
    if match is None or int(match["id"]) > MAX_ROW_ID:
        return None
    if match["reason"] is not None:
        if match["action"] != "s":
            return None
        return DoseAction("r", int(match["id"]), match["reason"])
    return DoseAction(match["action"], int(match["id"]))


def parse_registration_answer(data: str | None) -> tuple[str, str] | None:
    """Return (field, value) from a registration button, or None if malformed."""
    match = _REG_DATA.fullmatch(data or "")
    return (match["field"], match["value"]) if match else None


def parse_edit_section(data: str | None) -> str | None:
    """Return the section a /regimen change button names, or None if malformed."""
    match = _EDIT_DATA.fullmatch(data or "")
    return match["section"] if match else None


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def dose_buttons(event_id: int, snooze_minutes: int) -> InlineKeyboardMarkup:
    """Taken (its own big row), then Later and Skip."""
    return InlineKeyboardMarkup(
        [
            [_button(texts.TAKEN, f"d:t:{event_id}")],
            [
                _button(texts.SNOOZE.format(minutes=snooze_minutes), f"d:z:{event_id}"),
                _button(texts.SKIP, f"d:s:{event_id}"),
            ],
        ]
    )


def skip_reason_buttons(event_id: int) -> InlineKeyboardMarkup:
    """One reason per row, plus a way back."""
    rows = [
        [_button(texts.SKIP_REASON_LABELS[reason], f"d:s:{event_id}:{reason}")]
        for reason in SkipReason.ALL
    ]
    rows.append([_button(texts.BACK, f"d:b:{event_id}")])
    return InlineKeyboardMarkup(rows)


def recheck_buttons(event_id: int) -> InlineKeyboardMarkup:
    """Yes I took it / No I missed it."""
    return InlineKeyboardMarkup(
        [
            [_button(texts.TOOK_IT, f"d:t:{event_id}")],
            [_button(texts.MISSED_IT, f"d:m:{event_id}")],
        ]
    )


def choices(field: str, options: list[tuple[str, str]], per_row: int = 1) -> InlineKeyboardMarkup:
    """Registration answers as buttons: (label, value) pairs, `per_row` to a row."""
    buttons = [_button(label, f"reg:{field}:{value}") for label, value in options]
    return InlineKeyboardMarkup(
        [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    )


def change_menu() -> InlineKeyboardMarkup:
    """What part of the regimen to change from /regimen."""
    return InlineKeyboardMarkup(
        [
            [_button(texts.CHANGE_AI, "edit:ai")],
            [_button(texts.CHANGE_BONE, "edit:bone")],
            [_button(texts.CHANGE_TZ, "edit:tz")],
            [_button(texts.KEEP, "edit:keep")],
        ]
    )
