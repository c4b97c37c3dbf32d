"""Words for the /bone page as a whole: date picker, /today and /history lines, /calendar."""

from __future__ import annotations

from bot.exports.ics import Appointment, AppointmentKind
from bot.services.bone.page import BoneDay, CalendarEntry
from ui.texts.bone.calcium import supplement_history, supplements_today
from ui.texts.bone.clinic_agents import TODAY_AGENT_DUE, TODAY_AGENT_LATE, agent_lines
from ui.texts.bone.dxa import TODAY_DXA, dxa_lines
from ui.texts.bone.markers import marker_lines
from ui.texts.common import capitalised, long_date

BONE_TITLE = "🦴 Your bone-protection calendar"

PICK_DAY = "Which day in {month}?"
TODAY_BUTTON = "Today"
YESTERDAY_BUTTON = "Yesterday"

BAD_DATE = (
    "Sorry, I couldn't use that date. Please type it like 14 May 2026 or 2026-05-14 (not "
    "later than today), or tap a button above. /cancel stops."
)

INPUT_STOPPED = "Stopped. Nothing was changed."


def bone_history(day: BoneDay) -> str:
    """Lines for /history about clinic doses and scans on record (empty when none)."""
    lines = [agent_lines(view) for view in day.agents if view.last_given_on is not None]
    if day.dxa is not None and day.dxa.latest is not None:
        lines.append(dxa_lines(day.dxa))
    if day.markers is not None and day.markers.results:
        lines.append(marker_lines(day.markers))
    if calcium := supplement_history(day.supplement_tally):
        lines.insert(0, calcium)
    return "\n".join(lines)


def bone_today(day: BoneDay) -> str:
    """Lines for /today about clinic doses due today or late, and a scan today."""
    lines = [supplements_today(day.supplements)] if day.supplements else []
    dxa = day.dxa
    if dxa is not None and dxa.next_is_booked and dxa.next_on == dxa.today:
        lines.append(TODAY_DXA)
    for view in day.agents:
        name = capitalised(view.product.name)
        if view.due_on is not None and view.due_on == view.today:
            lines.append(TODAY_AGENT_DUE.format(name=name))
        elif view.days_overdue:
            due = long_date(view.due_on or view.today)
            lines.append(TODAY_AGENT_LATE.format(name=name, due=due))
    return "\n".join(lines)


TOMORROW_BUTTON = "Tomorrow"

CALENDAR_FILE_NAME = "bone-calendar.ics"
CALENDAR_CAPTION = (
    "Your upcoming bone-protection dates. Open the file to add them to your phone's calendar; "
    "each comes with a reminder. Send /calendar again after a date changes."
)
CALENDAR_EMPTY = (
    "There are no upcoming dates to put in a calendar yet. Tell me your clinic dose, a booked "
    "scan or a dental check-up with /bone."
)
CALENDAR_TITLES = {
    AppointmentKind.INFUSION: "{name} infusion due",
    AppointmentKind.INJECTION: "{name} injection due",
    AppointmentKind.DENTAL_CHECK: "Dental check-up due",
}
CALENDAR_DXA_BOOKED = "Bone density (DXA) scan"
CALENDAR_DXA_DUE = "Bone density (DXA) scan due: book it"


def calendar_appointments(entries: list[CalendarEntry]) -> list[Appointment]:
    """Name each upcoming date for the calendar file (titles in plain words)."""
    appointments = []
    for entry in entries:
        if entry.kind is AppointmentKind.DXA_SCAN:
            title = CALENDAR_DXA_BOOKED if entry.booked else CALENDAR_DXA_DUE
        else:
            name = capitalised(entry.product.name) if entry.product else ""
            title = CALENDAR_TITLES[entry.kind].format(name=name)
        seed = entry.uid_seed
        appointments.append(Appointment(entry.kind, title, entry.due_on, entry.note, seed))
    return appointments
