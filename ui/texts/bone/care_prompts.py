"""Words for dental check-ups and the weekly exercise nudge."""

from __future__ import annotations

from datetime import date

from bot.services.bone.care_prompts import CareView
from ui.texts.common import WEEKDAYS, hhmm, long_date

DENTAL_HEAD = "🦷 Dental check-ups"
DENTAL_LAST = "Last check-up {date}."
DENTAL_NONE = "No check-up on record yet."
DENTAL_NEXT = "Next one due {date}; I'll remind you, with the reason."
DENTAL_DONE = "🦷 I've had a dental check-up"
ASK_DENTAL_DATE = (
    "When was your dental check-up? Tap the month, or type the date like 14 May 2026."
)
DENTAL_SAVED = "Saved: a dental check-up on {date}."
DENTAL_SAVED_NEXT = "The next one is due {date}. I'll remind you then."
EXERCISE_HEAD = "🏃 Weekly exercise nudge: {state}."
EXERCISE_OFF = "off"
EXERCISE_ON = "every {day} at {time}"
EXERCISE_SETTINGS = "🏃 Weekly exercise nudge"
ASK_EXERCISE_DAY = "On which day would you like a weekly nudge to move? Or tap No nudge."
EXERCISE_OFF_BUTTON = "No nudge"
ASK_EXERCISE_TIME = "What time on {day}? Tap one, or type a time like 17:30."
EXERCISE_SAVED = "Saved: a nudge every {day} at {time}. The next one is {when}."
EXERCISE_TURNED_OFF = "No weekly nudge. You can turn it on again with /bone."


def dental_reminder(message: str) -> str:
    """A dental check-up reminder: the domain's sentence with its reason."""
    return f"🦷 {message}"


def exercise_prompt(message: str) -> str:
    """The weekly exercise nudge (the domain's sentence)."""
    return f"🏃 {message}"


def care_lines(view: CareView) -> str:
    """The dental and exercise part of /bone."""
    lines = []
    if view.needs_dental or view.last_dental_check_on is not None:
        lines.append(DENTAL_HEAD)
        last = view.last_dental_check_on
        lines.append(DENTAL_LAST.format(date=long_date(last)) if last else DENTAL_NONE)
        if view.dental_due_on is not None:
            lines.append(DENTAL_NEXT.format(date=long_date(view.dental_due_on)))
        lines.append("")
    state = EXERCISE_OFF
    if view.exercise_weekday is not None and view.exercise_time is not None:
        day = WEEKDAYS[view.exercise_weekday]
        state = EXERCISE_ON.format(day=day, time=hhmm(view.exercise_time))
    lines.append(EXERCISE_HEAD.format(state=state))
    return "\n".join(lines)


def dental_saved(view: CareView, checked_on: date) -> str:
    """The reply once a check-up is recorded."""
    text = DENTAL_SAVED.format(date=long_date(checked_on))
    if view.dental_due_on is not None:
        text += " " + DENTAL_SAVED_NEXT.format(date=long_date(view.dental_due_on))
    return text
