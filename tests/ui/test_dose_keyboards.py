"""Dose and check-in buttons: named actions, the letters already sent in chats unchanged."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest
from telegram import InlineKeyboardMarkup

from bot.domain.catalog import get_product
from bot.services.dose_answers import SkipReason, WhenTaken
from bot.services.doses import DueDose
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
    reminder_buttons,
    reminder_message,
    skip_reason_buttons,
    snooze_buttons,
    take_it_now_message,
    taken_time_buttons,
)

# Written out by hand: a button pressed tomorrow may have been sent a year ago.
DOSE_LETTERS = {
    "TAKEN": "t",
    "TAKEN_AT": "a",
    "LATER": "z",
    "ASK_SKIP_REASON": "s",
    "SKIP": "r",
    "MISSED": "m",
    "BACK": "b",
    "CHANGE": "c",
    "CHANGE_TO_TAKEN": "k",
    "CHANGE_TO_MISSED": "n",
    "KEEP": "e",
    "GO_ON": "g",
    "TYPE_TIME": "y",
    "FULL": "i",
    "ONLY_WATER": "w",
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
    assert _data(dose_buttons(7)) == ["d:t:7", "d:z:7", "d:s:7"]
    assert _data(recheck_buttons(7)) == ["d:t:7", "d:m:7"]
    reasons = _data(skip_reason_buttons(7))
    assert reasons == [*(f"d:s:7:{reason}" for reason in SkipReason.ASKED), "d:b:7"]
    taps = [parse_dose_action(data) for data in _data(dose_buttons(7)) + reasons]
    assert [tap.action if tap else None for tap in taps] == [
        DoseTap.TAKEN,
        DoseTap.LATER,
        DoseTap.ASK_SKIP_REASON,
        *(DoseTap.SKIP for _ in SkipReason.ASKED),
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


def test_later_offers_its_lengths_and_each_parses_back() -> None:
    data = _data(snooze_buttons(7, 15))
    assert data == ["d:z:7:15", "d:z:7:60", "d:z:7:180", "d:b:7"]
    taps = [parse_dose_action(item) for item in data[:-1]]
    assert [(tap.action, tap.minutes) for tap in taps if tap] == [
        (DoseTap.LATER, 15),
        (DoseTap.LATER, 60),
        (DoseTap.LATER, 180),
    ]
    # A length no button offers, or minutes on another action, is refused.
    for forged in ("d:z:7:100000", "d:t:7:15", "d:m:7:60", "d:a:7", "d:a:7:forgot"):
        assert parse_dose_action(forged) is None


def test_take_time_buttons_carry_their_minute_and_fit_callback_data() -> None:
    now = datetime(2031, 6, 11, 8, 5, tzinfo=UTC)
    due = now - timedelta(hours=2, minutes=5)
    question = WhenTaken(
        7,
        get_product("alendronate-70-weekly-tablet"),
        due,
        [now, now - timedelta(hours=1), due],
    )
    markup = taken_time_buttons(question)
    data = _data(markup)
    assert data[-2:] == ["d:y:7", "d:b:7"]
    labels = [button.text for row in markup.inline_keyboard for button in row]
    assert labels == [
        "Just now",
        "At 07:05",
        "At 06:00 (when it was due)",
        "⌨️ Another time: I'll type it",
        "« Back",
    ]
    moments = [parse_dose_action(item) for item in data[:-2]]
    assert [tap.taken_at for tap in moments if tap] == [now, now - timedelta(hours=1), due]
    assert all(len(item.encode()) <= 64 for item in data)


def _due(key: str = "alendronate-70-weekly-tablet", **changes: object) -> DueDose:
    due = DueDose(7, 70, get_product(key), datetime(2031, 6, 11, 7, 0, tzinfo=UTC), late=False)
    return replace(due, **changes)


def test_a_reminder_offers_its_full_instructions_and_they_offer_the_short_form() -> None:
    short = reminder_buttons(_due())
    assert _data(short) == ["d:t:7", "d:z:7", "d:s:7", "d:i:7"]
    assert short.inline_keyboard[-1][0].text == "📋 Full instructions"
    full = reminder_buttons(_due(), full=True)
    assert _data(full) == ["d:t:7", "d:z:7", "d:s:7", "d:b:7"]
    assert full.inline_keyboard[-1][0].text == "« Short"
    tap = parse_dose_action("d:i:7")
    assert tap is not None
    assert tap.action is DoseTap.FULL


def test_a_held_reminder_offers_them_too() -> None:
    held = _due(held_since=datetime(2031, 6, 9, 12, 0, tzinfo=UTC))
    assert _data(reminder_buttons(held)) == ["d:g:7", "d:s:7:care_team_pause", "d:i:7"]
    assert _data(reminder_buttons(held, full=True))[-1] == "d:b:7"


def test_a_late_fasting_reminder_asks_first_no_on_top() -> None:
    text, markup = reminder_message(_due(late=True))
    assert text.endswith("Have you eaten or drunk anything but plain water today?")
    assert _data(markup) == ["d:w:7", "d:s:7:ate_first"]
    assert [b.text for row in markup.inline_keyboard for b in row] == [
        "No, only plain water",
        "Yes, I've eaten or drunk",
    ]
    answers = [parse_dose_action(data) for data in _data(markup)]
    assert [(a.action, a.reason) for a in answers if a] == [
        (DoseTap.ONLY_WATER, None),
        (DoseTap.SKIP, SkipReason.ATE_FIRST),
    ]
    # "No": the reminder to take it now, with the usual buttons.
    now_text, now_markup = take_it_now_message(_due())
    assert now_text.startswith("💊 Then you can take your alendronate 70 mg (Fosamax) now.")
    assert _data(now_markup) == _data(reminder_buttons(_due()))


@pytest.mark.parametrize(
    "due",
    [
        _due("risedronate-35-weekly-delayed-release", late=True),  # taken after breakfast
        _due("anastrozole-1-daily-tablet", late=True),
        _due(late=True, held_since=datetime(2031, 6, 9, 12, 0, tzinfo=UTC)),
        _due(),  # on time
    ],
    ids=["atelvia", "anastrozole", "held", "on-time"],
)
def test_other_reminders_do_not_ask(due: DueDose) -> None:
    text, markup = reminder_message(due)
    assert "Have you eaten" not in text
    assert "d:w:7" not in _data(markup)
