"""The bone calendar's callback data: every letter pinned, every press round-trips.

Buttons already sent stay in chats for months: a letter that changed meaning would make an
old button do something else, so each one is written out here by hand.
"""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.domain.calcium import CalciumForm
from ui.keyboards.bone import (
    BoneAction,
    BonePress,
    CalciumStep,
    DatePurpose,
    encode,
    parse_bone_action,
)

ACTION_LETTERS = {
    BoneAction.PICK_MONTH: "l",
    BoneAction.PICK_DAY: "m",
    BoneAction.DATE_CHOSEN: "d",
    BoneAction.NOT_GIVEN_YET: "n",
    BoneAction.NO_DOSE_YET: "f",
    BoneAction.SITE_NOT_ON_REPORT: "s",
    BoneAction.INTERVAL_CHOICES: "v",
    BoneAction.INTERVAL_CHOSEN: "i",
    BoneAction.RISK_START: "k",
    BoneAction.RISK_ANSWER: "r",
    BoneAction.AGE_SKIPPED: "a",
    BoneAction.EXERCISE_SETTINGS: "o",
    BoneAction.EXERCISE_DAY: "w",
    BoneAction.EXERCISE_TIME: "e",
    BoneAction.SUPPLEMENT_TAKEN: "t",
    BoneAction.SUPPLEMENT_LATER: "z",
    BoneAction.CALCIUM: "u",
    BoneAction.PILL_COUNTS: "h",
    BoneAction.PILL_COUNT: "c",
    BoneAction.PILL_COUNT_STOP: "j",
    BoneAction.SET_UP: "q",
}
PURPOSE_LETTERS = {
    DatePurpose.AGENT_GIVEN: "g",
    DatePurpose.AGENT_CORRECTED: "c",
    DatePurpose.SCAN_DONE: "x",
    DatePurpose.SCAN_BOOKED: "y",
    DatePurpose.DENTAL_CHECK: "k",
}
CALCIUM_LETTERS = {
    CalciumStep.OPEN: "o",
    CalciumStep.SET_UP: "s",
    CalciumStep.CARE_TEAM: "c",
    CalciumStep.USUAL: "r",
    CalciumStep.TURN_OFF: "x",
    CalciumStep.FORM: "f",
    CalciumStep.DIET: "d",
    CalciumStep.MEAL_TIME: "m",
    CalciumStep.VITAMIN_D: "v",
    CalciumStep.VITAMIN_D_TIME: "w",
    CalciumStep.VITAMIN_D_NONE: "n",
}

A = BoneAction
U = BoneAction.CALCIUM
GIVEN = DatePurpose.AGENT_GIVEN
# Each press with the exact callback data buttons in chats carry for it.
PRESSES = [
    (BonePress(A.PICK_MONTH, 7, GIVEN), "b:l:g:7"),
    (BonePress(A.PICK_DAY, 7, DatePurpose.SCAN_DONE, month=date(2031, 2, 1)), "b:m:x:7:203102"),
    (
        BonePress(A.DATE_CHOSEN, 7, DatePurpose.SCAN_BOOKED, day=date(2031, 2, 3)),
        "b:d:y:7:20310203",
    ),
    (BonePress(A.NOT_GIVEN_YET, 12, day=date(2031, 3, 1)), "b:n:12:20310301"),
    (BonePress(A.NO_DOSE_YET, 12), "b:f:12"),
    (BonePress(A.SITE_NOT_ON_REPORT, number=2), "b:s:2"),
    (BonePress(A.INTERVAL_CHOICES), "b:v"),
    (BonePress(A.INTERVAL_CHOSEN, number=18), "b:i:18"),
    (BonePress(A.RISK_START), "b:k"),
    (BonePress(A.RISK_ANSWER, number=3, yes=True), "b:r:3:y"),
    (BonePress(A.RISK_ANSWER, number=0, yes=False), "b:r:0:n"),
    (BonePress(A.AGE_SKIPPED), "b:a"),
    (BonePress(A.EXERCISE_SETTINGS), "b:o"),
    (BonePress(A.EXERCISE_DAY, number=6), "b:w:6"),
    (BonePress(A.EXERCISE_DAY), "b:w:x"),
    (BonePress(A.EXERCISE_TIME, number=1, at=time(8, 0)), "b:e:1:0800"),
    (BonePress(A.SUPPLEMENT_TAKEN, 44), "b:t:44"),
    (BonePress(A.SUPPLEMENT_LATER, 44), "b:z:44"),
    (BonePress(U, step=CalciumStep.OPEN), "b:u:o"),
    (BonePress(U, step=CalciumStep.SET_UP), "b:u:s"),
    (BonePress(U, step=CalciumStep.CARE_TEAM), "b:u:c"),
    (BonePress(U, step=CalciumStep.USUAL), "b:u:r"),
    (BonePress(U, step=CalciumStep.TURN_OFF), "b:u:x"),
    (BonePress(U, step=CalciumStep.FORM, form=CalciumForm.CARBONATE), "b:u:f:c"),
    (BonePress(U, step=CalciumStep.FORM, form=CalciumForm.CITRATE), "b:u:f:t"),
    (BonePress(U, step=CalciumStep.DIET, number=600), "b:u:d:600"),
    (BonePress(U, step=CalciumStep.DIET, number=0), "b:u:d:0"),
    (BonePress(U, step=CalciumStep.MEAL_TIME, at=time(18, 30)), "b:u:m:1830"),
    (BonePress(U, step=CalciumStep.VITAMIN_D), "b:u:v"),
    (BonePress(U, step=CalciumStep.VITAMIN_D_TIME, at=time(7, 30)), "b:u:w:0730"),
    (BonePress(U, step=CalciumStep.VITAMIN_D_NONE), "b:u:n"),
    (BonePress(A.PILL_COUNTS), "b:h"),
    (BonePress(A.PILL_COUNT, 5), "b:c:5"),
    (BonePress(A.PILL_COUNT_STOP, 5), "b:j:5"),
    (BonePress(A.SET_UP, purpose=DatePurpose.SCAN_DONE), "b:q:x"),
    (BonePress(A.SET_UP, purpose=DatePurpose.DENTAL_CHECK), "b:q:k"),
    (BonePress(A.SET_UP), "b:q"),
] + [
    (BonePress(A.DATE_CHOSEN, 3, purpose, day=date(2030, 12, 31)), f"b:d:{letter}:3:20301231")
    for purpose, letter in PURPOSE_LETTERS.items()
]


@pytest.mark.parametrize(
    ("enum", "letters"),
    [(BoneAction, ACTION_LETTERS), (DatePurpose, PURPOSE_LETTERS), (CalciumStep, CALCIUM_LETTERS)],
)
def test_every_letter_is_pinned(enum: type, letters: dict[object, str]) -> None:
    assert {member: member.value for member in enum} == letters


def test_every_action_and_step_has_a_press_here() -> None:
    pressed = {press.action for press, _ in PRESSES}
    steps = {press.step for press, _ in PRESSES if press.step is not None}
    assert pressed == set(BoneAction)
    assert steps == set(CalciumStep)


@pytest.mark.parametrize(("press", "data"), PRESSES, ids=[data for _, data in PRESSES])
def test_press_encodes_to_the_old_data_and_back(press: BonePress, data: str) -> None:
    assert encode(press) == data
    assert parse_bone_action(data) == press
    assert parse_bone_action(encode(press)) == press


@pytest.mark.parametrize(
    "data",
    [
        "b:d:z:1:20310301",  # no such purpose
        "b:d:c:1:20311340",  # no such date
        "b:l:g:1:203101",  # the months picker takes no date
        "b:u:f:x",
        "b:u:d:500",
        "b:w:7",
        "b:b",
        "b:q:g",  # the set-up offer opens scans and dental check-ups only
        "b:q:x:7",  # on the patient's own record: no id
        "b:t:99999999999",
    ],
)
def test_malformed_data_is_refused(data: str) -> None:
    assert parse_bone_action(data) is None
