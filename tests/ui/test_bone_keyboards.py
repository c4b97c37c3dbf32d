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
    CheckAnswer,
    DatePurpose,
    DoseStep,
    MarkerStep,
    ScanStep,
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
    BoneAction.SCANS: "p",
    BoneAction.SCAN: "x",
    BoneAction.CLINIC_DOSE: "g",
    BoneAction.T_SCORE_CHECK: "y",
    BoneAction.MARKER: "L",
}
PURPOSE_LETTERS = {
    DatePurpose.AGENT_GIVEN: "g",
    DatePurpose.AGENT_CORRECTED: "c",
    DatePurpose.SCAN_DONE: "x",
    DatePurpose.SCAN_BOOKED: "y",
    DatePurpose.DENTAL_CHECK: "k",
    DatePurpose.SCAN_CORRECTED: "s",
    DatePurpose.DOSE_CORRECTED: "e",
    DatePurpose.MARKER_TAKEN: "b",
    DatePurpose.MARKER_CORRECTED: "o",
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
SCAN_STEP_LETTERS = {
    ScanStep.OPEN: "o",
    ScanStep.SITE: "t",
    ScanStep.DELETE: "d",
    ScanStep.DELETE_YES: "y",
    ScanStep.KEEP: "k",
}
DOSE_STEP_LETTERS = {
    DoseStep.LIST: "l",
    DoseStep.OPEN: "o",
    DoseStep.DELETE: "d",
    DoseStep.DELETE_YES: "y",
    DoseStep.KEEP: "k",
}
CHECK_LETTERS = {CheckAnswer.KEEP: "k", CheckAnswer.FLIP: "f", CheckAnswer.RETYPE: "t"}
MARKER_STEP_LETTERS = {
    MarkerStep.ADD: "a",
    MarkerStep.CHOOSE: "m",
    MarkerStep.UNIT: "u",
    MarkerStep.CHECK_KEEP: "c",
    MarkerStep.CHECK_RETYPE: "t",
    MarkerStep.LIST: "l",
    MarkerStep.OPEN: "o",
    MarkerStep.VALUE: "v",
    MarkerStep.DELETE: "d",
    MarkerStep.DELETE_YES: "y",
    MarkerStep.KEEP: "k",
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
    (BonePress(A.SCANS), "b:p"),
    (BonePress(A.SCAN, 9, scan_step=ScanStep.OPEN), "b:x:o:9"),
    (BonePress(A.SCAN, 9, number=2, scan_step=ScanStep.SITE), "b:x:t:9:2"),
    (BonePress(A.SCAN, 9, scan_step=ScanStep.DELETE), "b:x:d:9"),
    (BonePress(A.SCAN, 9, scan_step=ScanStep.DELETE_YES), "b:x:y:9"),
    (BonePress(A.SCAN, 9, scan_step=ScanStep.KEEP), "b:x:k:9"),
    (BonePress(A.CLINIC_DOSE, 4, dose_step=DoseStep.LIST), "b:g:l:4"),
    (BonePress(A.CLINIC_DOSE, 8, dose_step=DoseStep.OPEN), "b:g:o:8"),
    (BonePress(A.CLINIC_DOSE, 8, dose_step=DoseStep.DELETE), "b:g:d:8"),
    (BonePress(A.CLINIC_DOSE, 8, dose_step=DoseStep.DELETE_YES), "b:g:y:8"),
    (BonePress(A.CLINIC_DOSE, 8, dose_step=DoseStep.KEEP), "b:g:k:8"),
    (BonePress(A.T_SCORE_CHECK, number=0, check=CheckAnswer.KEEP), "b:y:0:k"),
    (BonePress(A.T_SCORE_CHECK, number=0, check=CheckAnswer.FLIP), "b:y:0:f"),
    (BonePress(A.T_SCORE_CHECK, number=2, check=CheckAnswer.RETYPE), "b:y:2:t"),
    (BonePress(A.MARKER, marker_step=MarkerStep.ADD), "b:L:a"),
    (BonePress(A.MARKER, number=4, marker_step=MarkerStep.CHOOSE), "b:L:m:4"),
    (BonePress(A.MARKER, number=1, marker_step=MarkerStep.UNIT), "b:L:u:1"),
    (BonePress(A.MARKER, marker_step=MarkerStep.CHECK_KEEP), "b:L:c"),
    (BonePress(A.MARKER, marker_step=MarkerStep.CHECK_RETYPE), "b:L:t"),
    (BonePress(A.MARKER, marker_step=MarkerStep.LIST), "b:L:l"),
    (BonePress(A.MARKER, 7, marker_step=MarkerStep.OPEN), "b:L:o:7"),
    (BonePress(A.MARKER, 7, marker_step=MarkerStep.VALUE), "b:L:v:7"),
    (BonePress(A.MARKER, 7, marker_step=MarkerStep.DELETE), "b:L:d:7"),
    (BonePress(A.MARKER, 7, marker_step=MarkerStep.DELETE_YES), "b:L:y:7"),
    (BonePress(A.MARKER, 7, marker_step=MarkerStep.KEEP), "b:L:k:7"),
] + [
    (BonePress(A.DATE_CHOSEN, 3, purpose, day=date(2030, 12, 31)), f"b:d:{letter}:3:20301231")
    for purpose, letter in PURPOSE_LETTERS.items()
]


@pytest.mark.parametrize(
    ("enum", "letters"),
    [
        (BoneAction, ACTION_LETTERS),
        (DatePurpose, PURPOSE_LETTERS),
        (CalciumStep, CALCIUM_LETTERS),
        (ScanStep, SCAN_STEP_LETTERS),
        (DoseStep, DOSE_STEP_LETTERS),
        (CheckAnswer, CHECK_LETTERS),
        (MarkerStep, MARKER_STEP_LETTERS),
    ],
)
def test_every_letter_is_pinned(enum: type, letters: dict[object, str]) -> None:
    assert {member: member.value for member in enum} == letters


def test_every_action_and_step_has_a_press_here() -> None:
    pressed = {press.action for press, _ in PRESSES}
    steps = {press.step for press, _ in PRESSES if press.step is not None}
    assert pressed == set(BoneAction)
    assert steps == set(CalciumStep)
    assert {press.scan_step for press, _ in PRESSES if press.scan_step} == set(ScanStep)
    assert {press.dose_step for press, _ in PRESSES if press.dose_step} == set(DoseStep)
    assert {press.check for press, _ in PRESSES if press.check} == set(CheckAnswer)
    assert {press.marker_step for press, _ in PRESSES if press.marker_step} == set(MarkerStep)


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
        "b:L:a:1",  # which test? takes no id
        "b:L:m",  # a test needs its index
        "b:L:m:10",  # one digit: there are five tests
        "b:L:u:12",
        "b:L:o",  # a result needs its id
        "b:L:o:99999999999",
        "b:L:z:1",  # no such step
        "b:l:b:5:20310301",  # the months picker takes no date, for lab results too
        "b:q:g",  # the set-up offer opens scans and dental check-ups only
        "b:q:x:7",  # on the patient's own record: no id
        "b:t:99999999999",
        "b:x",  # a scan step needs its scan
        "b:x:t:9",  # a site to correct needs its site
        "b:x:t:9:3",  # no such site
        "b:x:q:9",
        "b:x:o:99999999999",
        "b:g:l",
        "b:g:z:4",
        "b:y:3:k",
        "b:y:0:x",
        "b:p:1",
    ],
)
def test_malformed_data_is_refused(data: str) -> None:
    assert parse_bone_action(data) is None


def test_lab_result_buttons_fit_telegrams_64_bytes_with_the_largest_ids() -> None:
    from ui.keyboards.bone import (
        delete_result_buttons,
        marker_check_buttons,
        marker_choice_buttons,
        marker_menu_rows,
        result_buttons,
        result_list_buttons,
        unit_buttons,
    )

    largest = 2_147_483_647
    markups = [
        marker_choice_buttons(["a"] * 5),
        unit_buttons(["ng/mL", "nmol/L"]),
        marker_check_buttons("350 ng/mL"),
        result_list_buttons([(largest, "CTX")]),
        result_buttons(largest),
        delete_result_buttons(largest),
    ]
    rows = [row for markup in markups for row in markup.inline_keyboard]
    rows += marker_menu_rows(True)
    for row in rows:
        for button in row:
            data = button.callback_data
            assert isinstance(data, str)
            assert len(data.encode()) <= 64
            assert parse_bone_action(data) is not None
