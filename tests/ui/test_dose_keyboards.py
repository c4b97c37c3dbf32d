"""Dose and check-in buttons: named actions, the letters already sent in chats unchanged."""

from __future__ import annotations

from datetime import time

import pytest
from telegram import InlineKeyboardMarkup

from bot.services.dose_answers import SkipReason
from ui.keyboards.doses import (
    CheckinTap,
    DoseTap,
    checkin_day_buttons,
    checkin_note_buttons,
    checkin_start_button,
    checkin_time_buttons,
    checkin_yes_no_buttons,
    dose_buttons,
    parse_checkin_action,
    parse_dose_action,
    recheck_buttons,
    skip_reason_buttons,
)

# Written out by hand: a button pressed tomorrow may have been sent a year ago.
DOSE_LETTERS = {
    "TAKEN": "t",
    "LATER": "z",
    "ASK_SKIP_REASON": "s",
    "SKIP": "r",
    "MISSED": "m",
    "BACK": "b",
}
CHECKIN_LETTERS = {
    "ANSWER": "a",
    "STOP_WISH": "y",
    "NO_NOTE": "n",
    "STOP_FOR_NOW": "x",
    "START": "go",
    "WEEKDAY": "w",
    "TIME": "t",
}


def _data(markup: InlineKeyboardMarkup) -> list[str]:
    return [str(button.callback_data) for row in markup.inline_keyboard for button in row]


def test_dose_letters_are_pinned() -> None:
    assert {tap.name: tap.value for tap in DoseTap} == DOSE_LETTERS


def test_checkin_letters_are_pinned() -> None:
    assert {tap.name: tap.value for tap in CheckinTap} == CHECKIN_LETTERS


def test_every_dose_button_parses_to_its_action() -> None:
    assert _data(dose_buttons(7, 15)) == ["d:t:7", "d:z:7", "d:s:7"]
    assert _data(recheck_buttons(7)) == ["d:t:7", "d:m:7"]
    reasons = _data(skip_reason_buttons(7))
    assert reasons == [*(f"d:s:7:{reason}" for reason in SkipReason.ALL), "d:b:7"]
    taps = [parse_dose_action(data) for data in _data(dose_buttons(7, 15)) + reasons]
    assert [tap.action if tap else None for tap in taps] == [
        DoseTap.TAKEN,
        DoseTap.LATER,
        DoseTap.ASK_SKIP_REASON,
        *(DoseTap.SKIP for _ in SkipReason.ALL),
        DoseTap.BACK,
    ]
    assert all(tap is not None and tap.event_id == 7 for tap in taps)


@pytest.mark.parametrize("data", ["d:r:7", "d:t:7:forgot", "d:q:7", "d:t:99999999999", "d:t:"])
def test_forged_dose_data_is_refused(data: str) -> None:
    assert parse_dose_action(data) is None


def test_every_checkin_button_parses_to_its_action() -> None:
    assert parse_checkin_action(_data(checkin_start_button())[0]) is not None
    pressed = {
        data: parse_checkin_action(data)
        for markup in (
            checkin_start_button(),
            checkin_note_buttons(3),
            checkin_yes_no_buttons(3),
            checkin_day_buttons(),
            checkin_time_buttons(4),
        )
        for data in _data(markup)
    }
    assert all(action is not None for action in pressed.values())
    taps = {data: action.action for data, action in pressed.items() if action is not None}
    assert taps["c:go"] is CheckinTap.START
    assert taps["c:n:3"] is CheckinTap.NO_NOTE
    assert taps["c:y:3:1"] is CheckinTap.STOP_WISH
    assert taps["c:x:3"] is CheckinTap.STOP_FOR_NOW
    assert taps["c:w:off"] is CheckinTap.WEEKDAY
    time_press = next(action for data, action in pressed.items() if data.startswith("c:t:4:"))
    assert time_press is not None
    assert time_press.action is CheckinTap.TIME
    assert isinstance(time_press.time_of_day, time)
