"""Buttons of the bone calendar (/bone, clinic-dose reminders) and the strict parser of their data.

Callback data is written by the client and can be forged: the parser accepts only fixed
shapes (the `b:` prefix, an action letter, a purpose letter, digits for ids and dates), real
calendar dates, and ids within the database's range; every id is re-checked against the
acting user by the services.

    b:l:<purpose>:<id>             open the date picker (months)
    b:m:<purpose>:<id>:<YYYYMM>    the days of one month
    b:d:<purpose>:<id>:<YYYYMMDD>  a date chosen
    b:n:<id>:<YYYYMMDD>            the clinic dose due that day is not given yet
    b:f:<id>                       no clinic dose had yet (first question)
    b:s:<site 0-2>                 a T-score not on the report (the open result)
    b:v                            the DXA interval choices; b:i:<12|18|24> one chosen
    b:k                            start the risk questions; b:r:<0-3>:<y|n> an answer
    b:a                            no age given
    b:o                            the exercise nudge's settings; b:w:<0-6|x> its day (x: off);
    b:e:<0-6>:<HHMM>               its day and time
    b:t:<id> / b:z:<id>            a calcium reminder taken / later
    b:u:<o|s|c|r|x>                calcium: open, set up, care team's numbers, usual, off
    b:u:f:<c|t> / b:u:d:<mg>       calcium: carbonate or citrate / calcium from food
    b:u:m:<HHMM>                   calcium: a meal time picked
    b:h                            pill counts; b:c:<id> count a medicine; b:j:<id> stop
    b:q:<x|k> / b:q                after registration: a past scan or the last dental
                                   check-up (the acting patient's own record) / Not now
    b:p                            the patient's scans, to correct or delete one
    b:x:<o|d|y|k>:<id>             a scan: open, delete?, delete it, keep it
    b:x:t:<id>:<site 0-2>          a scan: correct one site's T-score (typed)
    b:g:<l|o|d|y|k>:<id>           clinic doses: a plan's list; a dose: open, delete?, delete
                                   it, keep it
    b:y:<site 0-2>:<k|f|t>         a doubtful T-score: yes as typed, the other sign, type again
    b:L:a / b:L:m:<test 0-4>       lab results: which test? / that test (its date picker)
    b:L:u:<unit 0-9>               the unit of a number typed alone (the open result)
    b:L:c / b:L:t                  a doubtful result: yes, as typed / type it again
    b:L:l                          the patient's results, to correct or delete one
    b:L:<o|v|d|y|k>:<id>           a result: open, type its value again, delete?, delete it,
                                   keep it

The letters are `BoneAction`, `DatePurpose`, `CalciumStep`, `ScanStep`, `DoseStep`,
`CheckAnswer` and `MarkerStep` below. Buttons already sent
stay in chats for months, so a letter never changes meaning (tests/ui pins each one).
The DXA and risk buttons act on the acting patient's own record, so they carry no id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.bone_health import add_months
from bot.domain.calcium import CalciumForm
from bot.domain.calcium_spacing import too_close
from bot.domain.text_input import InvalidDateText, compact, from_compact, month_days, recent_months
from ui import texts
from ui.keyboards.doses import MAX_ROW_ID


class BoneAction(StrEnum):
    """What a bone-calendar button does: the letter after `b:` in its callback data."""

    PICK_MONTH = "l"  # open the date picker (months), or Back to it from the days
    PICK_DAY = "m"  # the days of one month
    DATE_CHOSEN = "d"
    NOT_GIVEN_YET = "n"  # the clinic dose due that day is not given yet
    NO_DOSE_YET = "f"  # no clinic dose had yet (the first question)
    SITE_NOT_ON_REPORT = "s"  # a T-score the scan report does not give
    INTERVAL_CHOICES = "v"  # show the DXA interval choices
    INTERVAL_CHOSEN = "i"
    RISK_START = "k"  # start the risk questions
    RISK_ANSWER = "r"
    AGE_SKIPPED = "a"
    EXERCISE_SETTINGS = "o"
    EXERCISE_DAY = "w"  # a weekday, or off
    EXERCISE_TIME = "e"  # a weekday and a time
    # Under calcium reminders sent before revision 0011, carrying the old supplement event
    # id; reminders sent since carry dose buttons (`ui.keyboards.doses.supplement_buttons`).
    SUPPLEMENT_TAKEN = "t"
    SUPPLEMENT_LATER = "z"
    CALCIUM = "u"  # a step of the calcium set-up (`CalciumStep`)
    PILL_COUNTS = "h"
    PILL_COUNT = "c"  # type one medicine's count
    PILL_COUNT_STOP = "j"
    # The rest of the set-up, offered when registration ends: with a purpose (SCAN_DONE,
    # DENTAL_CHECK), its date picker on the patient's own record; without, Not now.
    SET_UP = "q"
    SCANS = "p"  # the recorded scans, to pick one to correct
    SCAN = "x"  # a step on one recorded scan (`ScanStep`)
    CLINIC_DOSE = "g"  # a step on a plan's recorded doses or one of them (`DoseStep`)
    T_SCORE_CHECK = "y"  # the answer to "is that right?" about a doubtful T-score
    MARKER = "L"  # a step of the lab results (bone markers, vitamin D): `MarkerStep`


class DatePurpose(StrEnum):
    """What a date picked on the date picker is for (the letter after b:l, b:m, b:d)."""

    AGENT_GIVEN = "g"  # a clinic dose given
    AGENT_CORRECTED = "c"  # correct the last clinic dose's date
    SCAN_DONE = "x"  # a DXA scan's date
    SCAN_BOOKED = "y"  # the date a DXA scan is booked for (in the future)
    DENTAL_CHECK = "k"  # a dental check-up's date
    SCAN_CORRECTED = "s"  # a recorded scan's real date (the id is the scan's)
    DOSE_CORRECTED = "e"  # a recorded clinic dose's real date (the id is the dose's)
    MARKER_TAKEN = "b"  # a lab result's date (the id is the test's index in MARKERS)
    MARKER_CORRECTED = "o"  # a recorded lab result's real date (the id is the result's)


class CalciumStep(StrEnum):
    """A step of the calcium set-up (the letter after b:u)."""

    OPEN = "o"
    SET_UP = "s"
    CARE_TEAM = "c"  # type the care team's targets
    USUAL = "r"  # the usual targets
    TURN_OFF = "x"
    FORM = "f"  # carbonate or citrate
    DIET = "d"  # calcium from food
    MEAL_TIME = "m"
    VITAMIN_D = "v"  # ask when vitamin D is taken
    VITAMIN_D_TIME = "w"  # b:u:w:<HHMM>: its own daily reminder then
    VITAMIN_D_NONE = "n"  # no separate vitamin D reminder


class ScanStep(StrEnum):
    """A step on one recorded scan (the letter after b:x)."""

    OPEN = "o"  # show it with its buttons
    SITE = "t"  # b:x:t:<id>:<site>: type that site's T-score again
    DELETE = "d"  # ask first
    DELETE_YES = "y"
    KEEP = "k"  # No, keep it: back to the scan


class DoseStep(StrEnum):
    """A step on a clinic agent's recorded doses (the letter after b:g)."""

    LIST = "l"  # the id is the plan's: its doses, newest first
    OPEN = "o"  # the ids below are the dose's
    DELETE = "d"  # ask first
    DELETE_YES = "y"
    KEEP = "k"  # No, keep it: back to the dose


class CheckAnswer(StrEnum):
    """The answer to a doubtful T-score's question (the letter after b:y:<site>)."""

    KEEP = "k"  # Yes, as typed
    FLIP = "f"  # No, it's the other sign
    RETYPE = "t"  # Type it again


class MarkerStep(StrEnum):
    """A step of the lab results (the letter after b:L)."""

    ADD = "a"  # which test?
    CHOOSE = "m"  # b:L:m:<index>: that test, its date picker
    UNIT = "u"  # b:L:u:<index>: the unit of a number typed alone
    CHECK_KEEP = "c"  # a doubtful result: yes, as typed
    CHECK_RETYPE = "t"  # a doubtful result: type it again
    LIST = "l"  # the results on record
    OPEN = "o"  # the ids below are the result's
    VALUE = "v"  # type its value again
    DELETE = "d"  # ask first
    DELETE_YES = "y"
    KEEP = "k"  # No, keep it: back to the result


_MARKER_BARE = frozenset({MarkerStep.ADD, MarkerStep.CHECK_KEEP, MarkerStep.CHECK_RETYPE})
_MARKER_BARE |= {MarkerStep.LIST}
_MARKER_INDEX = frozenset({MarkerStep.CHOOSE, MarkerStep.UNIT})
MAX_MARKER_INDEX = 9  # tests and units: one digit


AGENT_PURPOSES = frozenset({DatePurpose.AGENT_GIVEN, DatePurpose.AGENT_CORRECTED})
FUTURE_PURPOSES = frozenset({DatePurpose.SCAN_BOOKED})
_FORM_LETTERS = {CalciumForm.CARBONATE: "c", CalciumForm.CITRATE: "t"}
_FORMS = {letter: form for form, letter in _FORM_LETTERS.items()}
MONTHS_SHOWN = 12


def _letters(enum: type[StrEnum]) -> str:
    return "".join(member.value for member in enum)


_BONE_DATA = re.compile(
    r"^b:(?:"
    r"(?P<pick>[lmd]):(?P<purpose>[" + _letters(DatePurpose) + r"]):(?P<id>[0-9]{1,10})"
    r"(?::(?P<when>[0-9]{6}|[0-9]{8}))?"
    r"|n:(?P<not_yet>[0-9]{1,10}):(?P<due>[0-9]{8})"
    r"|f:(?P<first>[0-9]{1,10})"
    r"|s:(?P<site>[0-2])"
    r"|i:(?P<interval>12|18|24)"
    r"|r:(?P<question>[0-9]):(?P<answer>[yn])"
    r"|w:(?P<weekday>[0-6x])"
    r"|e:(?P<day>[0-6]):(?P<hour>[01][0-9]|2[0-3])(?P<minute>[0-5][0-9])"
    r"|(?P<record>[tzcj]):(?P<record_id>[0-9]{1,10})"
    r"|u:(?P<calcium>[oscrxvn])"
    r"|u:w:(?P<vhour>[01][0-9]|2[0-3])(?P<vminute>[0-5][0-9])"
    r"|u:f:(?P<form>[ct])"
    r"|u:d:(?P<diet>0|300|600|900)"
    r"|u:m:(?P<mhour>[01][0-9]|2[0-3])(?P<mminute>[0-5][0-9])"
    r"|q:(?P<setup>[xk])"
    r"|x:(?P<scan_step>[" + _letters(ScanStep).replace(ScanStep.SITE, "") + r"])"
    r":(?P<scan_id>[0-9]{1,10})"
    r"|x:" + ScanStep.SITE + r":(?P<site_scan_id>[0-9]{1,10}):(?P<scan_site>[0-2])"
    r"|g:(?P<dose_step>[" + _letters(DoseStep) + r"]):(?P<dose_id>[0-9]{1,10})"
    r"|y:(?P<check_site>[0-2]):(?P<check>[" + _letters(CheckAnswer) + r"])"
    r"|L:(?P<marker_step>[" + _letters(MarkerStep) + r"])(?::(?P<marker_arg>[0-9]{1,10}))?"
    r"|(?P<bare>[vkaohqp])"
    r")$"
)


@dataclass(frozen=True)
class BonePress:
    """A press on a bone-calendar button: what `encode` writes and `parse_bone_action` reads."""

    action: BoneAction
    record_id: int = 0
    purpose: DatePurpose | None = None  # with PICK_MONTH, PICK_DAY, DATE_CHOSEN; SET_UP
    day: date | None = None  # DATE_CHOSEN: the date chosen; NOT_GIVEN_YET: the due date
    month: date | None = None  # PICK_DAY: its first day
    # SITE_NOT_ON_REPORT, SCAN SITE, T_SCORE_CHECK: the site; INTERVAL_CHOSEN: months;
    # RISK_ANSWER: the question;
    # EXERCISE_DAY (None: off), EXERCISE_TIME: the weekday; CALCIUM DIET: milligrams
    number: int | None = None
    yes: bool | None = None  # RISK_ANSWER
    at: time | None = None  # EXERCISE_TIME; CALCIUM MEAL_TIME
    step: CalciumStep | None = None  # CALCIUM
    form: CalciumForm | None = None  # CALCIUM FORM
    scan_step: ScanStep | None = None  # SCAN (SITE: the site is `number`)
    dose_step: DoseStep | None = None  # CLINIC_DOSE
    check: CheckAnswer | None = None  # T_SCORE_CHECK (the site is `number`)
    # MARKER (CHOOSE: the test's index is `number`, UNIT: the unit's; a result's id is
    # `record_id`)
    marker_step: MarkerStep | None = None


def encode(press: BonePress) -> str:
    """Return the callback data of a press (the inverse of `parse_bone_action`)."""
    action = press.action
    match action:
        case BoneAction.PICK_MONTH:
            return f"b:{action}:{press.purpose}:{press.record_id}"
        case BoneAction.PICK_DAY:
            assert press.month is not None
            return f"b:{action}:{press.purpose}:{press.record_id}:{press.month:%Y%m}"
        case BoneAction.DATE_CHOSEN:
            assert press.day is not None
            return f"b:{action}:{press.purpose}:{press.record_id}:{compact(press.day)}"
        case BoneAction.NOT_GIVEN_YET:
            assert press.day is not None
            return f"b:{action}:{press.record_id}:{compact(press.day)}"
        case (
            BoneAction.NO_DOSE_YET
            | BoneAction.SUPPLEMENT_TAKEN
            | BoneAction.SUPPLEMENT_LATER
            | BoneAction.PILL_COUNT
            | BoneAction.PILL_COUNT_STOP
        ):
            return f"b:{action}:{press.record_id}"
        case BoneAction.SITE_NOT_ON_REPORT | BoneAction.INTERVAL_CHOSEN:
            return f"b:{action}:{press.number}"
        case BoneAction.RISK_ANSWER:
            return f"b:{action}:{press.number}:{'y' if press.yes else 'n'}"
        case BoneAction.EXERCISE_DAY:
            return f"b:{action}:{'x' if press.number is None else press.number}"
        case BoneAction.EXERCISE_TIME:
            assert press.at is not None
            return f"b:{action}:{press.number}:{press.at:%H%M}"
        case BoneAction.CALCIUM:
            return f"b:{action}:{_calcium_tail(press)}"
        case BoneAction.SET_UP if press.purpose is not None:
            return f"b:{action}:{press.purpose}"
        case BoneAction.SCAN if press.scan_step is ScanStep.SITE:
            return f"b:{action}:{press.scan_step}:{press.record_id}:{press.number}"
        case BoneAction.SCAN:
            return f"b:{action}:{press.scan_step}:{press.record_id}"
        case BoneAction.CLINIC_DOSE:
            return f"b:{action}:{press.dose_step}:{press.record_id}"
        case BoneAction.T_SCORE_CHECK:
            return f"b:{action}:{press.number}:{press.check}"
        case BoneAction.MARKER:
            return _marker_data(press)
    return f"b:{action}"


def _marker_data(press: BonePress) -> str:
    step = press.marker_step
    assert step is not None
    if step in _MARKER_BARE:
        return f"b:{press.action}:{step}"
    if step in _MARKER_INDEX:
        return f"b:{press.action}:{step}:{press.number}"
    return f"b:{press.action}:{step}:{press.record_id}"


def _calcium_tail(press: BonePress) -> str:
    step = press.step
    match step:
        case CalciumStep.FORM:
            assert press.form is not None
            return f"{step}:{_FORM_LETTERS[press.form]}"
        case CalciumStep.DIET:
            return f"{step}:{press.number}"
        case CalciumStep.MEAL_TIME | CalciumStep.VITAMIN_D_TIME:
            assert press.at is not None
            return f"{step}:{press.at:%H%M}"
    return f"{step}"


def parse_bone_action(data: str | None) -> BonePress | None:
    """Return the press in callback data, or None if it is malformed or names no real date."""
    match = _BONE_DATA.fullmatch(data or "")
    if match is None:
        return None
    if match["bare"]:
        return BonePress(BoneAction(match["bare"]))
    if match["scan_step"] or match["site_scan_id"]:
        return _scan_press(match)
    if match["marker_step"]:
        return _marker_press(match)
    if match["dose_step"]:
        record_id = int(match["dose_id"])
        step = DoseStep(match["dose_step"])
        return (
            BonePress(BoneAction.CLINIC_DOSE, record_id, dose_step=step)
            if record_id <= MAX_ROW_ID
            else None
        )
    if match["check"]:
        check = CheckAnswer(match["check"])
        return BonePress(BoneAction.T_SCORE_CHECK, number=int(match["check_site"]), check=check)
    if match["record"]:
        record_id = int(match["record_id"])
        return (
            BonePress(BoneAction(match["record"]), record_id) if record_id <= MAX_ROW_ID else None
        )
    if match["setup"]:
        return BonePress(BoneAction.SET_UP, purpose=DatePurpose(match["setup"]))
    calcium = BoneAction.CALCIUM
    if match["calcium"]:
        return BonePress(calcium, step=CalciumStep(match["calcium"]))
    if match["form"]:
        return BonePress(calcium, step=CalciumStep.FORM, form=_FORMS[match["form"]])
    if match["diet"] is not None:
        return BonePress(calcium, step=CalciumStep.DIET, number=int(match["diet"]))
    if match["mhour"] is not None:
        at = time(int(match["mhour"]), int(match["mminute"]))
        return BonePress(calcium, step=CalciumStep.MEAL_TIME, at=at)
    if match["vhour"] is not None:
        at = time(int(match["vhour"]), int(match["vminute"]))
        return BonePress(calcium, step=CalciumStep.VITAMIN_D_TIME, at=at)
    if match["weekday"] is not None:
        weekday = None if match["weekday"] == "x" else int(match["weekday"])
        return BonePress(BoneAction.EXERCISE_DAY, number=weekday)
    if match["day"] is not None:
        at = time(int(match["hour"]), int(match["minute"]))
        return BonePress(BoneAction.EXERCISE_TIME, number=int(match["day"]), at=at)
    if match["site"] is not None:
        return BonePress(BoneAction.SITE_NOT_ON_REPORT, number=int(match["site"]))
    if match["interval"] is not None:
        return BonePress(BoneAction.INTERVAL_CHOSEN, number=int(match["interval"]))
    if match["question"] is not None:
        yes = match["answer"] == "y"
        return BonePress(BoneAction.RISK_ANSWER, number=int(match["question"]), yes=yes)
    if match["first"] is not None:
        record_id = int(match["first"])
        return BonePress(BoneAction.NO_DOSE_YET, record_id) if record_id <= MAX_ROW_ID else None
    if match["not_yet"] is not None:
        record_id = int(match["not_yet"])
        try:
            due = from_compact(match["due"])
        except InvalidDateText:
            return None
        if record_id > MAX_ROW_ID:
            return None
        return BonePress(BoneAction.NOT_GIVEN_YET, record_id, day=due)
    action, purpose, record_id, when = (
        BoneAction(match["pick"]),
        DatePurpose(match["purpose"]),
        int(match["id"]),
        match["when"],
    )
    if record_id > MAX_ROW_ID:
        return None
    try:
        if action is BoneAction.PICK_MONTH and when is None:
            return BonePress(action, record_id, purpose)
        if action is BoneAction.PICK_DAY and when is not None and len(when) == 6:
            return BonePress(action, record_id, purpose, month=from_compact(when + "01"))
        if action is BoneAction.DATE_CHOSEN and when is not None and len(when) == 8:
            return BonePress(action, record_id, purpose, day=from_compact(when))
    except InvalidDateText:
        return None
    return None


def _scan_press(match: re.Match[str]) -> BonePress | None:
    if match["site_scan_id"]:
        record_id, site = int(match["site_scan_id"]), int(match["scan_site"])
        press = BonePress(BoneAction.SCAN, record_id, number=site, scan_step=ScanStep.SITE)
    else:
        record_id = int(match["scan_id"])
        press = BonePress(BoneAction.SCAN, record_id, scan_step=ScanStep(match["scan_step"]))
    return press if record_id <= MAX_ROW_ID else None


def _marker_press(match: re.Match[str]) -> BonePress | None:
    step, arg = MarkerStep(match["marker_step"]), match["marker_arg"]
    if step in _MARKER_BARE:
        return BonePress(BoneAction.MARKER, marker_step=step) if arg is None else None
    if arg is None:
        return None
    number = int(arg)
    if step in _MARKER_INDEX:
        if number > MAX_MARKER_INDEX:
            return None
        return BonePress(BoneAction.MARKER, number=number, marker_step=step)
    if number > MAX_ROW_ID:
        return None
    return BonePress(BoneAction.MARKER, number, marker_step=step)


def _button(label: str, press: BonePress) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode(press))


def _rows(buttons: list[InlineKeyboardButton], per_row: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def _chosen(purpose: DatePurpose, record_id: int, day: date) -> BonePress:
    return BonePress(BoneAction.DATE_CHOSEN, record_id, purpose, day=day)


def _pick_month(purpose: DatePurpose, record_id: int) -> BonePress:
    return BonePress(BoneAction.PICK_MONTH, record_id, purpose)


def _calcium(step: CalciumStep) -> BonePress:
    return BonePress(BoneAction.CALCIUM, step=step)


def date_picker(
    purpose: DatePurpose,
    record_id: int,
    today: date,
    earliest: date,
    latest: date,
    *,
    first_dose: bool = False,
) -> InlineKeyboardMarkup:
    """Today and its neighbour, then months to open (typing any date also works).

    Dates in the past (a dose given, a scan done) offer Yesterday and the last months; a
    booking offers Tomorrow and the months ahead.
    """
    future = purpose in FUTURE_PURPOSES
    neighbour = today + timedelta(days=1) if future else today - timedelta(days=1)
    label = texts.TOMORROW_BUTTON if future else texts.YESTERDAY_BUTTON
    rows = [
        [
            _button(texts.TODAY_BUTTON, _chosen(purpose, record_id, today)),
            _button(label, _chosen(purpose, record_id, neighbour)),
        ]
    ]
    if future:
        months = [add_months(today.replace(day=1), n) for n in range(MONTHS_SHOWN)]
    else:
        months = recent_months(today, MONTHS_SHOWN)
    months = [m for m in months if earliest.replace(day=1) <= m <= latest]
    rows += _rows(
        [
            _button(
                texts.month_label(month),
                BonePress(BoneAction.PICK_DAY, record_id, purpose, month=month),
            )
            for month in months
        ],
        3,
    )
    if first_dose:
        rows.append([_button(texts.NOT_HAD_ONE, BonePress(BoneAction.NO_DOSE_YET, record_id))])
    return InlineKeyboardMarkup(rows)


def day_picker(
    purpose: DatePurpose, record_id: int, month: date, earliest: date, latest: date
) -> InlineKeyboardMarkup:
    """The days of one month within range, seven to a row, then Back to the months."""
    days = month_days(month, earliest=earliest, latest=latest)
    rows = _rows([_button(str(day.day), _chosen(purpose, record_id, day)) for day in days], 7)
    rows.append([_button(texts.BACK, _pick_month(purpose, record_id))])
    return InlineKeyboardMarkup(rows)


def agent_given_buttons(plan_id: int, due_on: date) -> InlineKeyboardMarkup:
    """Was it given? Yes, on the due date / Yes, another day / Not yet."""
    given = DatePurpose.AGENT_GIVEN
    return InlineKeyboardMarkup(
        [
            [
                _button(
                    texts.GIVEN_ON_DUE.format(day=texts.short_day(due_on)),
                    _chosen(given, plan_id, due_on),
                )
            ],
            [_button(texts.GIVEN_OTHER_DAY, _pick_month(given, plan_id))],
            [_button(texts.NOT_YET, BonePress(BoneAction.NOT_GIVEN_YET, plan_id, day=due_on))],
        ]
    )


def agent_menu_buttons(plan_id: int, drug: str, known: bool) -> list[list[InlineKeyboardButton]]:
    """/bone's rows for one clinic agent: tell the last date, or record one / correct or
    delete the dates on record."""
    if not known:
        correct = _pick_month(DatePurpose.AGENT_CORRECTED, plan_id)
        return [[_button(texts.AGENT_TELL_LAST.format(drug=drug), correct)]]
    record = _pick_month(DatePurpose.AGENT_GIVEN, plan_id)
    dates = BonePress(BoneAction.CLINIC_DOSE, plan_id, dose_step=DoseStep.LIST)
    return [
        [_button(texts.AGENT_RECORD.format(drug=texts.capitalised(drug)), record)],
        [_button(texts.AGENT_CHANGE.format(drug=drug), dates)],
    ]


def _dose(step: DoseStep, record_id: int) -> BonePress:
    return BonePress(BoneAction.CLINIC_DOSE, record_id, dose_step=step)


def dose_list_buttons(doses: list[tuple[int, date]]) -> InlineKeyboardMarkup:
    """One button per clinic dose on record (id, date given), newest first."""
    return InlineKeyboardMarkup(
        [
            [_button(texts.long_date(given_on), _dose(DoseStep.OPEN, dose_id))]
            for dose_id, given_on in doses
        ]
    )


def dose_buttons(dose_id: int) -> InlineKeyboardMarkup:
    """A clinic dose on record: change its date, or delete it."""
    return InlineKeyboardMarkup(
        [
            [_button(texts.DOSE_CHANGE_DATE, _pick_month(DatePurpose.DOSE_CORRECTED, dose_id))],
            [_button(texts.DOSE_DELETE, _dose(DoseStep.DELETE, dose_id))],
        ]
    )


def delete_dose_buttons(dose_id: int) -> InlineKeyboardMarkup:
    """Delete this dose? Yes / No, keep it."""
    return InlineKeyboardMarkup(
        [
            [_button(texts.DELETE_IT, _dose(DoseStep.DELETE_YES, dose_id))],
            [_button(texts.KEEP_IT, _dose(DoseStep.KEEP, dose_id))],
        ]
    )


def skip_site_button(site: int) -> InlineKeyboardMarkup:
    """Not on my report (a T-score the report does not give)."""
    press = BonePress(BoneAction.SITE_NOT_ON_REPORT, number=site)
    return InlineKeyboardMarkup([[_button(texts.NOT_ON_REPORT, press)]])


def interval_buttons(months: tuple[int, ...]) -> InlineKeyboardMarkup:
    """Every 12 / 18 / 24 months, one big button each."""
    return InlineKeyboardMarkup(
        [
            [
                _button(
                    texts.INTERVAL_LABEL.format(months=n),
                    BonePress(BoneAction.INTERVAL_CHOSEN, number=n),
                )
            ]
            for n in months
        ]
    )


def risk_buttons(index: int) -> InlineKeyboardMarkup:
    """Yes / No for one risk question."""
    return InlineKeyboardMarkup(
        [
            [_button(texts.RISK_YES, BonePress(BoneAction.RISK_ANSWER, number=index, yes=True))],
            [_button(texts.RISK_NO, BonePress(BoneAction.RISK_ANSWER, number=index, yes=False))],
        ]
    )


def age_skip_button() -> InlineKeyboardMarkup:
    """Skip the age question."""
    return InlineKeyboardMarkup([[_button(texts.AGE_SKIP, BonePress(BoneAction.AGE_SKIPPED))]])


def scan_rows(profile_id: int) -> list[list[InlineKeyboardButton]]:
    """Add a scan result / My next scan is booked: the DXA set-up, as /bone offers it."""
    return [
        [_button(texts.DXA_ADD, _pick_month(DatePurpose.SCAN_DONE, profile_id))],
        [_button(texts.DXA_BOOKED, _pick_month(DatePurpose.SCAN_BOOKED, profile_id))],
    ]


def scan_setup_buttons(profile_id: int) -> InlineKeyboardMarkup:
    """The DXA set-up under a message that says no scan is on record."""
    return InlineKeyboardMarkup(scan_rows(profile_id))


def dxa_menu_buttons(
    profile_id: int, has_risk_answers: bool, has_scans: bool = False
) -> list[list[InlineKeyboardButton]]:
    """/bone's rows for bone density scans (add, correct or delete one, booked, how often)
    and the risk questions."""
    risk = texts.RISK_AGAIN if has_risk_answers else texts.RISK_START
    rows = [[_button(texts.DXA_ADD, _pick_month(DatePurpose.SCAN_DONE, profile_id))]]
    if has_scans:
        rows.append([_button(texts.DXA_CORRECT, BonePress(BoneAction.SCANS))])
    return [
        *rows,
        [_button(texts.DXA_BOOKED, _pick_month(DatePurpose.SCAN_BOOKED, profile_id))],
        [_button(texts.DXA_INTERVAL, BonePress(BoneAction.INTERVAL_CHOICES))],
        [_button(risk, BonePress(BoneAction.RISK_START))],
    ]


def _scan(step: ScanStep, scan_id: int) -> BonePress:
    return BonePress(BoneAction.SCAN, scan_id, scan_step=step)


def scan_list_buttons(scans: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    """One button per recorded scan (id, label), newest first."""
    return InlineKeyboardMarkup(
        [[_button(label, _scan(ScanStep.OPEN, scan_id))] for scan_id, label in scans]
    )


def scan_buttons(scan_id: int, sites: list[str]) -> InlineKeyboardMarkup:
    """A recorded scan: change its date, one button per site (labels in site order), delete."""
    site_rows = [
        [
            _button(
                label,
                BonePress(BoneAction.SCAN, scan_id, number=index, scan_step=ScanStep.SITE),
            )
        ]
        for index, label in enumerate(sites)
    ]
    return InlineKeyboardMarkup(
        [
            [_button(texts.SCAN_CHANGE_DATE, _pick_month(DatePurpose.SCAN_CORRECTED, scan_id))],
            *site_rows,
            [_button(texts.SCAN_DELETE, _scan(ScanStep.DELETE, scan_id))],
        ]
    )


def delete_scan_buttons(scan_id: int) -> InlineKeyboardMarkup:
    """Delete this scan? Yes / No, keep it."""
    return InlineKeyboardMarkup(
        [
            [_button(texts.DELETE_IT, _scan(ScanStep.DELETE_YES, scan_id))],
            [_button(texts.KEEP_IT, _scan(ScanStep.KEEP, scan_id))],
        ]
    )


def t_score_check_buttons(site: int, typed: str, flipped: str | None) -> InlineKeyboardMarkup:
    """Is that right? Yes, as typed / No, the other sign (when the sign is in doubt) / Type
    it again."""

    def answer(check: CheckAnswer) -> BonePress:
        return BonePress(BoneAction.T_SCORE_CHECK, number=site, check=check)

    rows = [[_button(texts.CHECK_KEEP.format(value=typed), answer(CheckAnswer.KEEP))]]
    if flipped is not None:
        rows.append([_button(texts.CHECK_FLIP.format(value=flipped), answer(CheckAnswer.FLIP))])
    rows.append([_button(texts.CHECK_RETYPE, answer(CheckAnswer.RETYPE))])
    return InlineKeyboardMarkup(rows)


EXERCISE_TIMES = ("08:00", "10:00", "12:00", "15:00", "18:00")


def dental_done_button(prompts_id: int) -> InlineKeyboardMarkup:
    """I've had my check-up: opens the date picker."""
    press = _pick_month(DatePurpose.DENTAL_CHECK, prompts_id)
    return InlineKeyboardMarkup([[_button(texts.DENTAL_DONE, press)]])


def care_menu_buttons(prompts_id: int, dental: bool) -> list[list[InlineKeyboardButton]]:
    """/bone's rows for dental check-ups (when they apply) and the exercise nudge."""
    press = _pick_month(DatePurpose.DENTAL_CHECK, prompts_id)
    rows = [[_button(texts.DENTAL_DONE, press)]] if dental else []
    rows.append([_button(texts.EXERCISE_SETTINGS, BonePress(BoneAction.EXERCISE_SETTINGS))])
    return rows


def bone_menu_rows() -> list[list[InlineKeyboardButton]]:
    """/bone's last rows: the calcium settings and the pill counts."""
    return [
        [_button(texts.CALCIUM_SETTINGS, _calcium(CalciumStep.OPEN))],
        [_button(texts.PILLS_SETTINGS, BonePress(BoneAction.PILL_COUNTS))],
    ]


def set_up_buttons(dental: bool) -> InlineKeyboardMarkup:
    """The end of registration: calcium and vitamin D, past scans, the last dental check-up
    (when a bone medicine calls for them), Not now. The calcium button is /bone's own."""
    rows = [
        [_button(texts.SET_UP_CALCIUM, _calcium(CalciumStep.SET_UP))],
        [_button(texts.SET_UP_DXA, BonePress(BoneAction.SET_UP, purpose=DatePurpose.SCAN_DONE))],
    ]
    if dental:
        press = BonePress(BoneAction.SET_UP, purpose=DatePurpose.DENTAL_CHECK)
        rows.append([_button(texts.SET_UP_DENTAL, press)])
    rows.append([_button(texts.SET_UP_NOT_NOW, BonePress(BoneAction.SET_UP))])
    return InlineKeyboardMarkup(rows)


def calcium_set_up_button() -> InlineKeyboardMarkup:
    """The calcium and vitamin D set-up, offered where a label asks for them (/bone's own)."""
    return InlineKeyboardMarkup([[_button(texts.SET_UP_CALCIUM, _calcium(CalciumStep.SET_UP))]])


def exercise_day_buttons() -> InlineKeyboardMarkup:
    """Weekdays two to a row, then No nudge."""
    days = [
        _button(name, BonePress(BoneAction.EXERCISE_DAY, number=index))
        for index, name in enumerate(texts.WEEKDAYS)
    ]
    rows = _rows(days, 2)
    rows.append([_button(texts.EXERCISE_OFF_BUTTON, BonePress(BoneAction.EXERCISE_DAY))])
    return InlineKeyboardMarkup(rows)


def _clock(label: str) -> time:
    return time.fromisoformat(label)


def exercise_time_buttons(weekday: int) -> InlineKeyboardMarkup:
    """A few times of day for the nudge, three to a row."""
    buttons = [
        _button(label, BonePress(BoneAction.EXERCISE_TIME, number=weekday, at=_clock(label)))
        for label in EXERCISE_TIMES
    ]
    return InlineKeyboardMarkup(_rows(buttons, 3))


MEAL_TIMES = ("07:30", "08:00", "08:30", "12:00", "12:30", "13:00", "18:00", "18:30", "19:00")


def calcium_menu_buttons(has_reminders: bool) -> InlineKeyboardMarkup:
    """Set up (or change) calcium reminders, the care team's numbers, turn off."""
    rows = [[_button(texts.CALCIUM_SET_UP, _calcium(CalciumStep.SET_UP))]]
    rows.append([_button(texts.CALCIUM_CARE_TEAM, _calcium(CalciumStep.CARE_TEAM))])
    rows.append([_button(texts.CALCIUM_USUAL, _calcium(CalciumStep.USUAL))])
    rows.append([_button(texts.VITAMIN_D_BUTTON, _calcium(CalciumStep.VITAMIN_D))])
    if has_reminders:
        rows.append([_button(texts.CALCIUM_TURN_OFF, _calcium(CalciumStep.TURN_OFF))])
    return InlineKeyboardMarkup(rows)


def _form(form: CalciumForm) -> BonePress:
    return BonePress(BoneAction.CALCIUM, step=CalciumStep.FORM, form=form)


def calcium_form_buttons() -> InlineKeyboardMarkup:
    """Calcium carbonate / calcium citrate."""
    return InlineKeyboardMarkup(
        [
            [_button(texts.FORM_CARBONATE, _form(CalciumForm.CARBONATE))],
            [_button(texts.FORM_CITRATE, _form(CalciumForm.CITRATE))],
        ]
    )


def calcium_diet_buttons() -> InlineKeyboardMarkup:
    """About how much calcium food gives a day."""
    return InlineKeyboardMarkup(
        [
            [_button(label, BonePress(BoneAction.CALCIUM, step=CalciumStep.DIET, number=mg))]
            for mg, label in texts.DIET_LABELS.items()
        ]
    )


def meal_time_buttons(chosen: list[time]) -> InlineKeyboardMarkup:
    """Meal times still open, three to a row: not chosen, and 2 hours from those chosen."""
    buttons = [
        _button(label, BonePress(BoneAction.CALCIUM, step=CalciumStep.MEAL_TIME, at=_clock(label)))
        for label in MEAL_TIMES
        if too_close(_clock(label), chosen) is None
    ]
    return InlineKeyboardMarkup(_rows(buttons, 3))


def vitamin_d_buttons() -> InlineKeyboardMarkup:
    """When vitamin D is taken (three to a row), or no separate reminder."""
    buttons = [
        _button(
            label, BonePress(BoneAction.CALCIUM, step=CalciumStep.VITAMIN_D_TIME, at=_clock(label))
        )
        for label in MEAL_TIMES
    ]
    rows = _rows(buttons, 3)
    rows.append([_button(texts.VITAMIN_D_IN_CALCIUM, _calcium(CalciumStep.VITAMIN_D_NONE))])
    return InlineKeyboardMarkup(rows)


def recount_button(medication_id: int) -> InlineKeyboardMarkup:
    """I've got more: type the new count."""
    press = BonePress(BoneAction.PILL_COUNT, medication_id)
    return InlineKeyboardMarkup([[_button(texts.RECOUNT, press)]])


def pill_count_buttons(counts: list[tuple[int, str, bool]]) -> InlineKeyboardMarkup:
    """Per medicine (id, name, counted): count it, and stop counting it if counted."""
    rows = []
    for medication_id, name, counted in counts:
        label = texts.PILLS_COUNT_BUTTON.format(name=name)
        rows.append([_button(label, BonePress(BoneAction.PILL_COUNT, medication_id))])
        if counted:
            label = texts.PILLS_STOP_BUTTON.format(name=name)
            rows.append([_button(label, BonePress(BoneAction.PILL_COUNT_STOP, medication_id))])
    return InlineKeyboardMarkup(rows)


# --- Lab results (bone turnover markers, 25-OH vitamin D)


def _marker(step: MarkerStep, record_id: int = 0, number: int | None = None) -> BonePress:
    return BonePress(BoneAction.MARKER, record_id, number=number, marker_step=step)


def marker_menu_rows(has_results: bool) -> list[list[InlineKeyboardButton]]:
    """/bone's rows for lab results: add one, and correct or delete one when any."""
    rows = [[_button(texts.MARKER_ADD, _marker(MarkerStep.ADD))]]
    if has_results:
        rows.append([_button(texts.MARKER_CORRECT, _marker(MarkerStep.LIST))])
    return rows


def marker_choice_buttons(names: list[str]) -> InlineKeyboardMarkup:
    """One big button per test (names in MARKERS order)."""
    return InlineKeyboardMarkup(
        [
            [_button(name, _marker(MarkerStep.CHOOSE, number=index))]
            for index, name in enumerate(names)
        ]
    )


def marker_date_picker(marker_index: int, today: date, earliest: date) -> InlineKeyboardMarkup:
    """The date picker for a new result of one test (Today, Yesterday, the last months)."""
    return date_picker(DatePurpose.MARKER_TAKEN, marker_index, today, earliest, today)


def unit_buttons(labels: list[str]) -> InlineKeyboardMarkup:
    """The units the test is printed in, one button each (labels in the rule's order)."""
    return InlineKeyboardMarkup(
        [
            [_button(label, _marker(MarkerStep.UNIT, number=index))]
            for index, label in enumerate(labels)
        ]
    )


def marker_check_buttons(printed: str) -> InlineKeyboardMarkup:
    """Is that right? Yes, as typed / Type it again."""
    return InlineKeyboardMarkup(
        [
            [_button(texts.CHECK_KEEP.format(value=printed), _marker(MarkerStep.CHECK_KEEP))],
            [_button(texts.CHECK_RETYPE, _marker(MarkerStep.CHECK_RETYPE))],
        ]
    )


def result_list_buttons(results: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    """One button per recorded result (id, label), newest first."""
    return InlineKeyboardMarkup(
        [[_button(label, _marker(MarkerStep.OPEN, result_id))] for result_id, label in results]
    )


def result_buttons(result_id: int) -> InlineKeyboardMarkup:
    """A recorded result: change its date, type its value again, delete it."""
    return InlineKeyboardMarkup(
        [
            [
                _button(
                    texts.RESULT_CHANGE_DATE, _pick_month(DatePurpose.MARKER_CORRECTED, result_id)
                )
            ],
            [_button(texts.RESULT_CHANGE_VALUE, _marker(MarkerStep.VALUE, result_id))],
            [_button(texts.RESULT_DELETE, _marker(MarkerStep.DELETE, result_id))],
        ]
    )


def delete_result_buttons(result_id: int) -> InlineKeyboardMarkup:
    """Delete this result? Yes / No, keep it."""
    return InlineKeyboardMarkup(
        [
            [_button(texts.DELETE_IT, _marker(MarkerStep.DELETE_YES, result_id))],
            [_button(texts.KEEP_IT, _marker(MarkerStep.KEEP, result_id))],
        ]
    )
