"""Inline keyboards and the callback data they carry.

Callback data is written by the client and can be forged, so every parser here is strict
(fixed prefixes, digits only for ids, bounded lengths) and ids are re-checked against the
acting user by the services.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.answer_times import (
    LONGEST_SNOOZE_MINUTES,
    as_minute_stamp,
    from_minute_stamp,
    snooze_choices,
)
from bot.domain.symptoms import ITEM_CODE_MAX_LENGTH, Attribute, Option, Question
from bot.services.adherence import ChangeableDose
from bot.services.dose_answers import ChangeOptions, SkipReason, WhenTaken
from bot.services.doses import DueSupplement, Reminder
from ui import texts


class DoseTap(StrEnum):
    """What a dose button does; the value is the letter its callback data carries
    (`d:<letter>:<event id>`). Buttons already in chats carry these letters: never change
    one (tests/ui/test_dose_keyboards.py pins them)."""

    TAKEN = "t"
    TAKEN_AT = "a"  # from `d:a:<event id>:<minute stamp>`: taken at that moment
    LATER = "z"  # alone: show the lengths; with minutes appended (`d:z:<id>:60`): put off
    ASK_SKIP_REASON = "s"  # show the reasons; with a reason appended it becomes SKIP
    SKIP = "r"  # parsed only, from `d:s:<event id>:<reason>`
    MISSED = "m"
    BACK = "b"  # from the reasons back to Taken / Later / Skip
    CHANGE = "c"  # under an answered dose: what it can be changed to
    CHANGE_TO_TAKEN = "k"  # from `d:k:<event id>:<minute stamp>`: it was taken then
    CHANGE_TO_MISSED = "n"  # it was not taken after all
    KEEP = "e"  # keep the answer as it is
    GO_ON = "g"  # under a held medicine's reminder: the care team said to go on
    TYPE_TIME = "y"  # at "When did you take it?": another time, typed
    FULL = "i"  # show the label's full instructions (BACK shows the short reminder again)
    ONLY_WATER = "w"  # a late reminder: "No, only plain water", so take it now


_DOSE_DATA = re.compile(
    r"^d:(?P<action>[tazsmbcknegyiw]):(?P<id>[0-9]{1,10})"
    r"(?::(?:(?P<reason>[a-z_]{1,20})|(?P<number>[0-9]{1,10})))?$"
)
# Row ids are INTEGER primary keys: 32-bit on PostgreSQL, which refuses a larger query
# argument outright instead of finding no row.
MAX_ROW_ID = 2**31 - 1
_REG_DATA = re.compile(r"^reg:(?P<field>[a-z_]{1,20}):(?P<value>[A-Za-z0-9_+\-/]{1,40})$")
_EDIT_DATA = re.compile(r"^edit:(?P<section>[a-z]{1,8})$")


@dataclass(frozen=True)
class DoseAction:
    """A parsed press on a dose button."""

    action: DoseTap
    event_id: int
    reason: str | None = None
    minutes: int | None = None  # LATER: how long; None: ask
    taken_at: datetime | None = None  # TAKEN_AT: the moment chosen


def parse_dose_action(data: str | None) -> DoseAction | None:
    """Return the dose action in callback data, or None if it is malformed."""
    match = _DOSE_DATA.fullmatch(data or "")
    if match is None or int(match["id"]) > MAX_ROW_ID:
        return None
    tap, event_id, number = DoseTap(match["action"]), int(match["id"]), match["number"]
    if match["reason"] is not None:
        if tap is not DoseTap.ASK_SKIP_REASON:
            return None
        return DoseAction(DoseTap.SKIP, event_id, match["reason"])
    if tap in (DoseTap.TAKEN_AT, DoseTap.CHANGE_TO_TAKEN):
        if number is None:
            return None
        return DoseAction(tap, event_id, taken_at=from_minute_stamp(int(number)))
    if number is not None:
        if tap is not DoseTap.LATER or int(number) > LONGEST_SNOOZE_MINUTES:
            return None
        return DoseAction(tap, event_id, minutes=int(number))
    return DoseAction(tap, event_id)


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


def dose_buttons(event_id: int) -> InlineKeyboardMarkup:
    """Taken (its own big row), then Later and Skip."""
    return InlineKeyboardMarkup(
        [
            [_button(texts.TAKEN, f"d:{DoseTap.TAKEN}:{event_id}")],
            [
                _button(texts.SNOOZE, f"d:{DoseTap.LATER}:{event_id}"),
                _button(texts.SKIP, f"d:{DoseTap.ASK_SKIP_REASON}:{event_id}"),
            ],
        ]
    )


def supplement_buttons(event_id: int) -> InlineKeyboardMarkup:
    """Under a supplement reminder (a dose event too): Taken (its own big row), then Later."""
    return InlineKeyboardMarkup(
        [
            [_button(texts.TAKEN, f"d:{DoseTap.TAKEN}:{event_id}")],
            [_button(texts.SNOOZE, f"d:{DoseTap.LATER}:{event_id}")],
        ]
    )


def held_buttons(event_id: int) -> InlineKeyboardMarkup:
    """Under a held medicine's reminder: the care team said go on, or skip this dose."""
    return InlineKeyboardMarkup(
        [
            [_button(texts.CARE_TEAM_SAID_GO_ON, f"d:{DoseTap.GO_ON}:{event_id}")],
            [
                _button(
                    texts.NOT_YET_SKIP,
                    f"d:{DoseTap.ASK_SKIP_REASON}:{event_id}:{SkipReason.CARE_TEAM_PAUSE}",
                )
            ],
        ]
    )


def ask_if_eaten_buttons(event_id: int) -> InlineKeyboardMarkup:
    """Under a late reminder of a tablet taken fasting: no (only water) on top, then yes
    (which skips the dose as eaten first: the label's missed-dose rule follows)."""
    return InlineKeyboardMarkup(
        [
            [_button(texts.ONLY_WATER, f"d:{DoseTap.ONLY_WATER}:{event_id}")],
            [
                _button(
                    texts.HAVE_EATEN,
                    f"d:{DoseTap.ASK_SKIP_REASON}:{event_id}:{SkipReason.ATE_FIRST}",
                )
            ],
        ]
    )


def reminder_buttons(reminder: Reminder, *, full: bool = False) -> InlineKeyboardMarkup:
    """The buttons a reminder goes out with: a medicine's (or a held one's), then the way to
    its full instructions or back to the short form; a supplement's Taken and Later."""
    if isinstance(reminder, DueSupplement):
        return supplement_buttons(reminder.event_id)
    event_id = reminder.event_id
    answers = held_buttons(event_id) if reminder.held_since is not None else dose_buttons(event_id)
    toggle = (
        _button(texts.SHORT_INSTRUCTIONS, f"d:{DoseTap.BACK}:{event_id}")
        if full
        else _button(texts.FULL_INSTRUCTIONS, f"d:{DoseTap.FULL}:{event_id}")
    )
    return InlineKeyboardMarkup([*answers.inline_keyboard, [toggle]])


def reminder_message(reminder: Reminder) -> tuple[str, InlineKeyboardMarkup]:
    """What a reminder says and its buttons (sent, sent again, or shown again by Back)."""
    if isinstance(reminder, DueSupplement):
        return texts.supplement_reminder(reminder), reminder_buttons(reminder)
    if reminder.held_since is not None:
        return texts.held_reminder(reminder), reminder_buttons(reminder)
    if reminder.asks_if_eaten:
        return texts.ask_if_eaten(reminder), ask_if_eaten_buttons(reminder.event_id)
    return texts.dose_reminder(reminder), reminder_buttons(reminder)


def full_reminder_message(reminder: Reminder) -> tuple[str, InlineKeyboardMarkup]:
    """The reminder with the label's full instructions, its buttons and « Short."""
    if isinstance(reminder, DueSupplement):  # nothing more to show (forged data)
        return reminder_message(reminder)
    return texts.full_instructions(reminder), reminder_buttons(reminder, full=True)


def take_it_now_message(reminder: Reminder) -> tuple[str, InlineKeyboardMarkup]:
    """After "No, only plain water": the reminder to take it now, with its buttons."""
    if isinstance(reminder, DueSupplement) or reminder.held_since is not None:
        return reminder_message(reminder)
    return texts.take_it_now(reminder), reminder_buttons(reminder)


def snooze_buttons(event_id: int, default_minutes: int) -> InlineKeyboardMarkup:
    """How long Later puts it off: one big button per length, then a way back."""
    rows = [
        [
            _button(
                texts.SNOOZE_FOR.format(length=texts.snooze_length(minutes)),
                f"d:{DoseTap.LATER}:{event_id}:{minutes}",
            )
        ]
        for minutes in snooze_choices(default_minutes)
    ]
    rows.append([_button(texts.BACK, f"d:{DoseTap.BACK}:{event_id}")])
    return InlineKeyboardMarkup(rows)


def taken_time_buttons(question: WhenTaken) -> InlineKeyboardMarkup:
    """When it was taken: now first, then earlier moments, then a way back."""
    rows = [
        [
            _button(
                texts.taken_time_label(moment, question, index),
                f"d:{DoseTap.TAKEN_AT}:{question.event_id}:{as_minute_stamp(moment)}",
            )
        ]
        for index, moment in enumerate(question.choices_local)
    ]
    rows.append([_button(texts.TYPE_TAKEN_TIME, f"d:{DoseTap.TYPE_TIME}:{question.event_id}")])
    rows.append([_button(texts.BACK, f"d:{DoseTap.BACK}:{question.event_id}")])
    return InlineKeyboardMarkup(rows)


def change_button(event_id: int) -> InlineKeyboardMarkup:
    """Under an answered dose: one button to correct it (for two days, `CHANGE_WINDOW`)."""
    return InlineKeyboardMarkup([[_button(texts.CHANGE, f"d:{DoseTap.CHANGE}:{event_id}")]])


def change_answer_buttons(doses: list[ChangeableDose]) -> InlineKeyboardMarkup:
    """Under /today and /history: one Change button per answer still open to correction."""
    return InlineKeyboardMarkup(
        [
            [_button(texts.change_answer_label(dose), f"d:{DoseTap.CHANGE}:{dose.event_id}")]
            for dose in doses
        ]
    )


def change_buttons(options: ChangeOptions) -> InlineKeyboardMarkup:
    """What an answer can become: taken at one of the offered moments, or not taken; and a
    way to keep it."""
    rows = [
        [
            _button(
                texts.changed_taken_label(moment, options.due_local, index),
                f"d:{DoseTap.CHANGE_TO_TAKEN}:{options.event_id}:{as_minute_stamp(moment)}",
            )
        ]
        for index, moment in enumerate(options.choices_local)
    ]
    if options.status != "missed":
        rows.append([_button(texts.NOT_TAKEN, f"d:{DoseTap.CHANGE_TO_MISSED}:{options.event_id}")])
    rows.append([_button(texts.KEEP_ANSWER, f"d:{DoseTap.KEEP}:{options.event_id}")])
    return InlineKeyboardMarkup(rows)


def skip_reason_buttons(event_id: int) -> InlineKeyboardMarkup:
    """One reason per row, plus a way back."""
    rows = [
        [
            _button(
                texts.SKIP_REASON_LABELS[reason],
                f"d:{DoseTap.ASK_SKIP_REASON}:{event_id}:{reason}",
            )
        ]
        for reason in SkipReason.ASKED
    ]
    rows.append([_button(texts.BACK, f"d:{DoseTap.BACK}:{event_id}")])
    return InlineKeyboardMarkup(rows)


def recheck_buttons(event_id: int) -> InlineKeyboardMarkup:
    """Yes I took it / No I missed it."""
    return InlineKeyboardMarkup(
        [
            [_button(texts.TOOK_IT, f"d:{DoseTap.TAKEN}:{event_id}")],
            [_button(texts.MISSED_IT, f"d:{DoseTap.MISSED}:{event_id}")],
        ]
    )


def choices(field: str, options: list[tuple[str, str]], per_row: int = 1) -> InlineKeyboardMarkup:
    """Registration answers as buttons: (label, value) pairs, `per_row` to a row."""
    buttons = [_button(label, f"reg:{field}:{value}") for label, value in options]
    return InlineKeyboardMarkup(
        [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    )


START_DATA = "start"  # the Start button under a newcomer's greeting


def start_button() -> InlineKeyboardMarkup:
    """One big Start button: begins registration, as /start does."""
    return InlineKeyboardMarkup([[_button(texts.START_BUTTON, START_DATA)]])


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


# --- The weekly check-in -------------------------------------------------------------------
# c:a:<checkin>:<item>:<attribute letter>:<score 0-4, n = not applicable>  an answer
# c:y:<checkin>:<0|1>  "I want to stop my aromatase inhibitor"; c:n:<checkin>  no note;
# c:x:<checkin>  stop for now; c:go  start or resume (the weekly prompt's button);
# c:w:<0-6|off>  the prompt's weekday; c:t:<0-6>:<HHMM>  the prompt's time.
_ATTRIBUTE_LETTERS = {
    Attribute.FREQUENCY: "f",
    Attribute.SEVERITY: "s",
    Attribute.INTERFERENCE: "i",
    Attribute.PRESENCE: "p",
}
_LETTER_ATTRIBUTES = {letter: attribute for attribute, letter in _ATTRIBUTE_LETTERS.items()}
_CHECKIN_ANSWER = re.compile(
    r"^c:a:(?P<id>[0-9]{1,10}):(?P<item>[a-z]{1,24}(?:_[a-z]{1,23}){0,4}):"
    r"(?P<attr>[fsip]):(?P<score>[0-4n])$"
)
_CHECKIN_STEP = re.compile(r"^c:(?P<action>[ynx]):(?P<id>[0-9]{1,10})(?::(?P<value>[01]))?$")
_CHECKIN_DAY = re.compile(r"^c:w:(?P<day>[0-6]|off)$")
_CHECKIN_TIME = re.compile(
    r"^c:t:(?P<day>[0-6]):(?P<hour>[01][0-9]|2[0-3])(?P<minute>[0-5][0-9])$"
)


class CheckinTap(StrEnum):
    """What a check-in button does; the value is what its callback data carries after `c:`
    (see the layout above). Never change one: buttons already in chats carry them."""

    ANSWER = "a"
    STOP_WISH = "y"  # "I want to stop my aromatase inhibitor": yes or no
    NO_NOTE = "n"
    STOP_FOR_NOW = "x"
    START = "go"  # start or resume (the weekly prompt's button)
    WEEKDAY = "w"  # the prompt's weekday, or off
    TIME = "t"  # the prompt's time


@dataclass(frozen=True)
class CheckinAction:
    """A parsed press on a check-in button."""

    action: CheckinTap
    checkin_id: int | None = None
    item_code: str | None = None
    attribute: Attribute | None = None
    score: int | None = None
    yes: bool | None = None
    weekday: int | None = None  # None with WEEKDAY: turn the prompt off
    time_of_day: time | None = None


def parse_checkin_action(data: str | None) -> CheckinAction | None:
    """Return the check-in action in callback data, or None if it is malformed."""
    data = data or ""
    if data == "c:go":
        return CheckinAction(CheckinTap.START)
    if match := _CHECKIN_ANSWER.fullmatch(data):
        if int(match["id"]) > MAX_ROW_ID or len(match["item"]) > ITEM_CODE_MAX_LENGTH:
            return None
        score = None if match["score"] == "n" else int(match["score"])
        return CheckinAction(
            CheckinTap.ANSWER,
            int(match["id"]),
            match["item"],
            _LETTER_ATTRIBUTES[match["attr"]],
            score,
        )
    if match := _CHECKIN_STEP.fullmatch(data):
        tap = CheckinTap(match["action"])
        if int(match["id"]) > MAX_ROW_ID or (tap is CheckinTap.STOP_WISH) != (
            match["value"] is not None
        ):
            return None
        yes = None if match["value"] is None else match["value"] == "1"
        return CheckinAction(tap, int(match["id"]), yes=yes)
    if match := _CHECKIN_DAY.fullmatch(data):
        return CheckinAction(
            CheckinTap.WEEKDAY, weekday=None if match["day"] == "off" else int(match["day"])
        )
    if match := _CHECKIN_TIME.fullmatch(data):
        at = time(int(match["hour"]), int(match["minute"]))
        return CheckinAction(CheckinTap.TIME, weekday=int(match["day"]), time_of_day=at)
    return None


def _none_first(option: Option) -> int:
    """The top row is always the "none / no" answer (score 0), "Not applicable" under it."""
    if option.score == 0:
        return 0
    return 1 if option.score is None else 2


def checkin_question_buttons(checkin_id: int, question: Question) -> InlineKeyboardMarkup:
    """Each answer on its own big row, "none / no" (score 0) always on top, then Not
    applicable where offered, then the others from least to most (the scale's order; a
    presence item's Yes after No), then Stop for now at the bottom. The same place on every
    question, so a tired thumb that means "no" never taps "yes"."""
    letter = _ATTRIBUTE_LETTERS[question.attribute]
    rows = [
        [
            _button(
                option.label,
                f"c:{CheckinTap.ANSWER}:{checkin_id}:{question.item_code}:{letter}:"
                + ("n" if option.score is None else str(option.score)),
            )
        ]
        for option in sorted(question.options, key=_none_first)
    ]
    rows.append([_button(texts.CHECKIN_STOP_FOR_NOW, f"c:{CheckinTap.STOP_FOR_NOW}:{checkin_id}")])
    return InlineKeyboardMarkup(rows)


def checkin_yes_no_buttons(checkin_id: int) -> InlineKeyboardMarkup:
    """No / Yes for "I want to stop my aromatase inhibitor" (No on top, as on every
    question), then Stop for now."""
    return InlineKeyboardMarkup(
        [
            [_button(texts.CHECKIN_NO, f"c:{CheckinTap.STOP_WISH}:{checkin_id}:0")],
            [_button(texts.CHECKIN_YES, f"c:{CheckinTap.STOP_WISH}:{checkin_id}:1")],
            [_button(texts.CHECKIN_STOP_FOR_NOW, f"c:{CheckinTap.STOP_FOR_NOW}:{checkin_id}")],
        ]
    )


def checkin_note_buttons(checkin_id: int) -> InlineKeyboardMarkup:
    """No note (typing the note is the other answer)."""
    return InlineKeyboardMarkup(
        [[_button(texts.CHECKIN_NO_NOTE, f"c:{CheckinTap.NO_NOTE}:{checkin_id}")]]
    )


def checkin_start_button() -> InlineKeyboardMarkup:
    """The weekly prompt's Start button."""
    return InlineKeyboardMarkup([[_button(texts.CHECKIN_START, f"c:{CheckinTap.START}")]])


def checkin_day_buttons() -> InlineKeyboardMarkup:
    """Weekdays two to a row, then No reminder."""
    days = [
        _button(name, f"c:{CheckinTap.WEEKDAY}:{index}")
        for index, name in enumerate(texts.WEEKDAYS)
    ]
    rows = [days[i : i + 2] for i in range(0, len(days), 2)]
    rows.append([_button(texts.CHECKIN_SETTINGS_NONE, f"c:{CheckinTap.WEEKDAY}:off")])
    return InlineKeyboardMarkup(rows)


def checkin_time_buttons(weekday: int) -> InlineKeyboardMarkup:
    """A few usual times for the weekly prompt (any other can be typed)."""
    buttons = [
        _button(label, f"c:{CheckinTap.TIME}:{weekday}:{label.replace(':', '')}")
        for label in texts.CHECKIN_TIMES
    ]
    return InlineKeyboardMarkup([buttons[i : i + 3] for i in range(0, len(buttons), 3)])
