"""A clinic agent's schedule as the care team sets it: how often, and a planned course."""

from __future__ import annotations

from datetime import date

from ui.texts.common import long_date

SCHEDULE_BUTTON = "🗓 How often, and for how long"
SCHEDULE_HEAD = "Your {drug}: the schedule your care team set."
SCHEDULE_EVERY = "It is given {every}."
SCHEDULE_ASK_EVERY = "How often does your care team give it?"
SCHEDULE_NO_END = "No end is set for the course."
SCHEDULE_ENDS = "The course is planned for {years} years, to about {date}."
SCHEDULE_ASK_COURSE = "Is the course planned to end? Your care team will know."
COURSE_LABEL = "After {years} years"
COURSE_NO_END = "No end set"
COURSE_GOES_ON = "It goes on"
SCHEDULE_SAVED = "Saved."


def every(months: int) -> str:
    """'every 6 months', 'once a year', 'once every 2 years'."""
    if months == 12:
        return "once a year"
    if months % 12 == 0:
        return f"once every {months // 12} years"
    return f"every {months} months"


def every_label(months: int, usual: bool) -> str:
    """A button: 'Every 6 months (usual)'."""
    text = every(months)
    return text[0].upper() + text[1:] + (" (usual)" if usual else "")


def schedule_lines(
    drug: str, months: int, course_years: int | None, ends_on: date | None, course: bool
) -> str:
    """The schedule page: how often, and the course's planned end."""
    lines = [SCHEDULE_HEAD.format(drug=drug), SCHEDULE_EVERY.format(every=every(months))]
    if course:
        if course_years is not None and ends_on is not None:
            lines.append(SCHEDULE_ENDS.format(years=course_years, date=long_date(ends_on)))
        else:
            lines.append(SCHEDULE_NO_END)
    return "\n".join(lines)
