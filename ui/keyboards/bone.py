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

Purposes: g = a clinic dose given, c = correct the last clinic dose's date,
x = a DXA scan's date, y = the date a DXA scan is booked for (in the future),
k = a dental check-up's date.
The DXA and risk buttons act on the acting patient's own record, so they carry no id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.bone_health import add_months
from bot.domain.text_input import InvalidDateText, compact, from_compact, month_days, recent_months
from ui import texts
from ui.keyboards.doses import MAX_ROW_ID

PURPOSES = frozenset({"g", "c", "x", "y", "k"})
FUTURE_PURPOSES = frozenset({"y"})
MONTHS_SHOWN = 12

_BONE_DATA = re.compile(
    r"^b:(?:"
    r"(?P<pick>[lmd]):(?P<purpose>[a-z]):(?P<id>[0-9]{1,10})(?::(?P<when>[0-9]{6}|[0-9]{8}))?"
    r"|n:(?P<not_yet>[0-9]{1,10}):(?P<due>[0-9]{8})"
    r"|f:(?P<first>[0-9]{1,10})"
    r"|s:(?P<site>[0-2])"
    r"|i:(?P<interval>12|18|24)"
    r"|r:(?P<question>[0-9]):(?P<answer>[yn])"
    r"|w:(?P<weekday>[0-6x])"
    r"|e:(?P<day>[0-6]):(?P<hour>[01][0-9]|2[0-3])(?P<minute>[0-5][0-9])"
    r"|(?P<supplement>[tz]):(?P<event>[0-9]{1,10})"
    r"|(?P<pills>[cj]):(?P<medication>[0-9]{1,10})"
    r"|u:(?P<calcium>[oscrx])"
    r"|u:f:(?P<form>[ct])"
    r"|u:d:(?P<diet>0|300|600|900)"
    r"|u:m:(?P<mhour>[01][0-9]|2[0-3])(?P<mminute>[0-5][0-9])"
    r"|(?P<bare>[vkaoh])"
    r")$"
)


@dataclass(frozen=True)
class BoneAction:
    """A parsed press on a bone-calendar button."""

    action: str  # l, m, d, n, f, s, i, r, v, k, a, o, w, e, t, z, u, h, c, j
    record_id: int = 0
    purpose: str | None = None
    day: date | None = None  # with d (the date chosen) and n (the due date asked about)
    month: date | None = None  # with m (its first day)
    number: int | None = None  # s: the site; i: months; r: the question; w, e: weekday
    yes: bool | None = None  # r
    at: time | None = None  # e; u with a meal time
    value: str | None = None  # u: o, s, c, r, x, f (with form), d (with number), m (with at)
    form: str | None = None  # u f: carbonate or citrate


def parse_bone_action(data: str | None) -> BoneAction | None:
    """Return the action in callback data, or None if it is malformed or names no real date."""
    match = _BONE_DATA.fullmatch(data or "")
    if match is None:
        return None
    if match["bare"]:
        return BoneAction(match["bare"])
    if match["supplement"]:
        event_id = int(match["event"])
        return BoneAction(match["supplement"], event_id) if event_id <= MAX_ROW_ID else None
    if match["pills"]:
        medication_id = int(match["medication"])
        return BoneAction(match["pills"], medication_id) if medication_id <= MAX_ROW_ID else None
    if match["calcium"]:
        return BoneAction("u", value=match["calcium"])
    if match["form"]:
        form = "carbonate" if match["form"] == "c" else "citrate"
        return BoneAction("u", value="f", form=form)
    if match["diet"] is not None:
        return BoneAction("u", value="d", number=int(match["diet"]))
    if match["mhour"] is not None:
        return BoneAction("u", value="m", at=time(int(match["mhour"]), int(match["mminute"])))
    if match["weekday"] is not None:
        weekday = None if match["weekday"] == "x" else int(match["weekday"])
        return BoneAction("w", number=weekday)
    if match["day"] is not None:
        at = time(int(match["hour"]), int(match["minute"]))
        return BoneAction("e", number=int(match["day"]), at=at)
    if match["site"] is not None:
        return BoneAction("s", number=int(match["site"]))
    if match["interval"] is not None:
        return BoneAction("i", number=int(match["interval"]))
    if match["question"] is not None:
        return BoneAction("r", number=int(match["question"]), yes=match["answer"] == "y")
    if match["first"] is not None:
        record_id = int(match["first"])
        return BoneAction("f", record_id) if record_id <= MAX_ROW_ID else None
    if match["not_yet"] is not None:
        record_id = int(match["not_yet"])
        try:
            due = from_compact(match["due"])
        except InvalidDateText:
            return None
        return BoneAction("n", record_id, day=due) if record_id <= MAX_ROW_ID else None
    action, purpose, record_id, when = (
        match["pick"],
        match["purpose"],
        int(match["id"]),
        match["when"],
    )
    if purpose not in PURPOSES or record_id > MAX_ROW_ID:
        return None
    try:
        if action == "l" and when is None:
            return BoneAction("l", record_id, purpose)
        if action == "m" and when is not None and len(when) == 6:
            return BoneAction("m", record_id, purpose, month=from_compact(when + "01"))
        if action == "d" and when is not None and len(when) == 8:
            return BoneAction("d", record_id, purpose, day=from_compact(when))
    except InvalidDateText:
        return None
    return None


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def _rows(buttons: list[InlineKeyboardButton], per_row: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def date_picker(
    purpose: str,
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
            _button(texts.TODAY_BUTTON, f"b:d:{purpose}:{record_id}:{compact(today)}"),
            _button(label, f"b:d:{purpose}:{record_id}:{compact(neighbour)}"),
        ]
    ]
    if future:
        months = [add_months(today.replace(day=1), n) for n in range(MONTHS_SHOWN)]
    else:
        months = recent_months(today, MONTHS_SHOWN)
    months = [m for m in months if earliest.replace(day=1) <= m <= latest]
    rows += _rows(
        [
            _button(texts.month_label(month), f"b:m:{purpose}:{record_id}:{month:%Y%m}")
            for month in months
        ],
        3,
    )
    if first_dose:
        rows.append([_button(texts.NOT_HAD_ONE, f"b:f:{record_id}")])
    return InlineKeyboardMarkup(rows)


def day_picker(
    purpose: str, record_id: int, month: date, earliest: date, latest: date
) -> InlineKeyboardMarkup:
    """The days of one month within range, seven to a row, then Back to the months."""
    days = month_days(month, earliest=earliest, latest=latest)
    rows = _rows(
        [_button(str(day.day), f"b:d:{purpose}:{record_id}:{compact(day)}") for day in days], 7
    )
    rows.append([_button(texts.BACK, f"b:l:{purpose}:{record_id}")])
    return InlineKeyboardMarkup(rows)


def agent_given_buttons(plan_id: int, due_on: date) -> InlineKeyboardMarkup:
    """Was it given? Yes, on the due date / Yes, another day / Not yet."""
    return InlineKeyboardMarkup(
        [
            [
                _button(
                    texts.GIVEN_ON_DUE.format(day=texts.short_day(due_on)),
                    f"b:d:g:{plan_id}:{compact(due_on)}",
                )
            ],
            [_button(texts.GIVEN_OTHER_DAY, f"b:l:g:{plan_id}")],
            [_button(texts.NOT_YET, f"b:n:{plan_id}:{compact(due_on)}")],
        ]
    )


def agent_menu_buttons(plan_id: int, drug: str, known: bool) -> list[list[InlineKeyboardButton]]:
    """/bone's rows for one clinic agent: tell the last date, or record / correct one."""
    if not known:
        return [[_button(texts.AGENT_TELL_LAST.format(drug=drug), f"b:l:c:{plan_id}")]]
    return [
        [_button(texts.AGENT_RECORD.format(drug=texts.capitalised(drug)), f"b:l:g:{plan_id}")],
        [_button(texts.AGENT_CHANGE.format(drug=drug), f"b:l:c:{plan_id}")],
    ]


def skip_site_button(site: int) -> InlineKeyboardMarkup:
    """Not on my report (a T-score the report does not give)."""
    return InlineKeyboardMarkup([[_button(texts.NOT_ON_REPORT, f"b:s:{site}")]])


def interval_buttons(months: tuple[int, ...]) -> InlineKeyboardMarkup:
    """Every 12 / 18 / 24 months, one big button each."""
    return InlineKeyboardMarkup(
        [[_button(texts.INTERVAL_LABEL.format(months=n), f"b:i:{n}")] for n in months]
    )


def risk_buttons(index: int) -> InlineKeyboardMarkup:
    """Yes / No for one risk question."""
    return InlineKeyboardMarkup(
        [
            [_button(texts.RISK_YES, f"b:r:{index}:y")],
            [_button(texts.RISK_NO, f"b:r:{index}:n")],
        ]
    )


def age_skip_button() -> InlineKeyboardMarkup:
    """Skip the age question."""
    return InlineKeyboardMarkup([[_button(texts.AGE_SKIP, "b:a")]])


def dxa_menu_buttons(profile_id: int, has_risk_answers: bool) -> list[list[InlineKeyboardButton]]:
    """/bone's rows for bone density scans and the risk questions."""
    risk = texts.RISK_AGAIN if has_risk_answers else texts.RISK_START
    return [
        [_button(texts.DXA_ADD, f"b:l:x:{profile_id}")],
        [_button(texts.DXA_BOOKED, f"b:l:y:{profile_id}")],
        [_button(texts.DXA_INTERVAL, "b:v")],
        [_button(risk, "b:k")],
    ]


EXERCISE_TIMES = ("08:00", "10:00", "12:00", "15:00", "18:00")


def dental_done_button(prompts_id: int) -> InlineKeyboardMarkup:
    """I've had my check-up: opens the date picker."""
    return InlineKeyboardMarkup([[_button(texts.DENTAL_DONE, f"b:l:k:{prompts_id}")]])


def care_menu_buttons(prompts_id: int, dental: bool) -> list[list[InlineKeyboardButton]]:
    """/bone's rows for dental check-ups (when they apply) and the exercise nudge."""
    rows = [[_button(texts.DENTAL_DONE, f"b:l:k:{prompts_id}")]] if dental else []
    rows.append([_button(texts.EXERCISE_SETTINGS, "b:o")])
    return rows


def exercise_day_buttons() -> InlineKeyboardMarkup:
    """Weekdays two to a row, then No nudge."""
    days = [_button(name, f"b:w:{index}") for index, name in enumerate(texts.WEEKDAYS)]
    rows = _rows(days, 2)
    rows.append([_button(texts.EXERCISE_OFF_BUTTON, "b:w:x")])
    return InlineKeyboardMarkup(rows)


def exercise_time_buttons(weekday: int) -> InlineKeyboardMarkup:
    """A few times of day for the nudge, three to a row."""
    buttons = [
        _button(label, f"b:e:{weekday}:{label.replace(':', '')}") for label in EXERCISE_TIMES
    ]
    return InlineKeyboardMarkup(_rows(buttons, 3))


MEAL_TIMES = ("07:30", "08:00", "08:30", "12:00", "12:30", "13:00", "18:00", "18:30", "19:00")


def supplement_buttons(event_id: int, snooze_minutes: int) -> InlineKeyboardMarkup:
    """Taken (its own big row), then Later, as for doses."""
    return InlineKeyboardMarkup(
        [
            [_button(texts.TAKEN, f"b:t:{event_id}")],
            [_button(texts.SNOOZE.format(minutes=snooze_minutes), f"b:z:{event_id}")],
        ]
    )


def calcium_menu_buttons(has_reminders: bool) -> InlineKeyboardMarkup:
    """Set up (or change) calcium reminders, the care team's numbers, turn off."""
    rows = [[_button(texts.CALCIUM_SET_UP, "b:u:s")]]
    rows.append([_button(texts.CALCIUM_CARE_TEAM, "b:u:c")])
    rows.append([_button(texts.CALCIUM_USUAL, "b:u:r")])
    if has_reminders:
        rows.append([_button(texts.CALCIUM_TURN_OFF, "b:u:x")])
    return InlineKeyboardMarkup(rows)


def calcium_form_buttons() -> InlineKeyboardMarkup:
    """Calcium carbonate / calcium citrate."""
    return InlineKeyboardMarkup(
        [
            [_button(texts.FORM_CARBONATE, "b:u:f:c")],
            [_button(texts.FORM_CITRATE, "b:u:f:t")],
        ]
    )


def calcium_diet_buttons() -> InlineKeyboardMarkup:
    """About how much calcium food gives a day."""
    return InlineKeyboardMarkup(
        [[_button(label, f"b:u:d:{mg}")] for mg, label in texts.DIET_LABELS.items()]
    )


def meal_time_buttons(chosen: list[time]) -> InlineKeyboardMarkup:
    """Meal times not chosen yet, three to a row."""
    taken = {at.strftime("%H:%M") for at in chosen}
    buttons = [
        _button(label, f"b:u:m:{label.replace(':', '')}")
        for label in MEAL_TIMES
        if label not in taken
    ]
    return InlineKeyboardMarkup(_rows(buttons, 3))


def recount_button(medication_id: int) -> InlineKeyboardMarkup:
    """I've got more: type the new count."""
    return InlineKeyboardMarkup([[_button(texts.RECOUNT, f"b:c:{medication_id}")]])


def pill_count_buttons(counts: list[tuple[int, str, bool]]) -> InlineKeyboardMarkup:
    """Per medicine (id, name, counted): count it, and stop counting it if counted."""
    rows = []
    for medication_id, name, counted in counts:
        rows.append([_button(texts.PILLS_COUNT_BUTTON.format(name=name), f"b:c:{medication_id}")])
        if counted:
            label = texts.PILLS_STOP_BUTTON.format(name=name)
            rows.append([_button(label, f"b:j:{medication_id}")])
    return InlineKeyboardMarkup(rows)
