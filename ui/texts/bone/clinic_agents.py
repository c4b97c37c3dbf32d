"""Words for clinic-given bone agents: the last date given and the next one due."""

from __future__ import annotations

from datetime import time

from bot.services.bone.clinic_agents import AgentView
from ui.texts.common import capitalised, hhmm, long_date

AGENT_UNKNOWN = "💉 {name}: I don't know yet when your last one was given."
AGENT_LAST = "💉 {name}: last given {last}."
AGENT_NEXT = "Next one due {due}."
AGENT_LATE = "It was due {due}, {days} ago."
AGENT_TELL_LAST = "💉 Tell me the date of the last {drug}"
AGENT_RECORD = "💉 {drug} given: record the date"
AGENT_CHANGE = "✏️ Correct or delete a {drug} date"
ASK_LAST_GIVEN = (
    "When was your last {name} given? I count the next one from that date.\n\n"
    "Tap the month, or type the date like 14 May 2026."
)
ASK_GIVEN_DATE = (
    "On which day was your {name} given?\n\nTap the month, or type the date like 14 May 2026."
)
ASK_CORRECT_DATE = (
    "On which day was your last {name} really given?\n\n"
    "Tap the month, or type the date like 14 May 2026."
)

NOT_HAD_ONE = "I haven't had one yet"

GIVEN_ON_DUE = "✅ Yes, on {day}"
GIVEN_OTHER_DAY = "📅 Yes, another day"
NOT_YET = "Not yet"
AGENT_SAVED = "Saved: your {name} was given on {given}."
AGENT_REMINDS = (
    "Your next one is due on {due}. I'll remind you {weeks} weeks before, the day before "
    "and on the day, at {time}."
)
AGENT_ALREADY = "Already noted: your last {name} was given on {given}."
AGENT_NOT_YET = "All right, not given yet. I'll remind you again."
AGENT_FIRST_NOT_YET = (
    "All right. When you have had your first one, send /bone and tell me the date, so I can "
    "remind you of the next one."
)

TODAY_AGENT_DUE = "💉 {name}: due today, at the clinic"
TODAY_AGENT_LATE = "💉 {name}: due since {due}"


def agent_reminder(message: str) -> str:
    """A clinic-agent reminder: the domain's sentence, marked as being about the clinic dose."""
    return f"💉 {message}"


def agent_lines(view: AgentView) -> str:
    """One clinic agent in /bone and /history: the last date given and the next due."""
    name = capitalised(view.product.name)
    if view.last_given_on is None or view.due_on is None:
        return AGENT_UNKNOWN.format(name=name)
    lines = [AGENT_LAST.format(name=name, last=long_date(view.last_given_on))]
    if view.days_overdue:
        lines.append(_late(view))
    else:
        lines.append(AGENT_NEXT.format(due=long_date(view.due_on)))
    return "\n".join(lines)


def _late(view: AgentView) -> str:
    """How late a clinic dose is, with the label-sourced overdue advice on its reminder days."""
    days = f"{view.days_overdue} day" + ("s" if view.days_overdue != 1 else "")
    text = AGENT_LATE.format(due=long_date(view.due_on or view.today), days=days)
    return f"{text}\n{view.overdue_message}" if view.overdue_message else text


def agent_saved(view: AgentView, weeks: int, at: time) -> str:
    """The reply once a date is recorded: saved, and when the next one falls due."""
    name = view.product.name
    lines = [AGENT_SAVED.format(name=name, given=long_date(view.last_given_on or view.today))]
    if view.due_on is not None and view.days_overdue:
        lines.append(_late(view))
    elif view.due_on is not None:
        lines.append(AGENT_REMINDS.format(due=long_date(view.due_on), weeks=weeks, time=hhmm(at)))
    return "\n".join(lines)
