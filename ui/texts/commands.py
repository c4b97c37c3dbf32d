"""The command menu, /help, and the replies to an unknown command or text."""

from __future__ import annotations

UNKNOWN_COMMAND = "Sorry, I don't know that command. Try /today, /history, /regimen or /help."
UNKNOWN_TEXT = "I work with buttons and commands. Try /today, /history, /regimen or /help."

HELP = (
    "What I can do:\n"
    "/today — today's doses\n"
    "/history — the last 30 days\n"
    "/regimen — see or change your medicines, times and time zone\n"
    "/pause — pause reminders for a while (a holiday, a hospital stay)\n"
    "/symptoms — your weekly check-in (/symptoms settings: its reminder; "
    "/symptoms history: a chart)\n"
    "/bone — your bone-protection calendar: clinic doses, scans, dental check-ups\n"
    "/calendar — those dates as a file for your phone's calendar\n"
    "/caregiver — link a caregiver or your care team, and what they get\n"
    "/caring — the people you help, if someone linked you\n"
    "/export — your records as PDF, spreadsheets (CSV) or FHIR\n"
    "/privacy — who sees your data, and who exported it\n"
    "/mydata — a copy of everything I hold about you\n"
    "/deletemydata — erase everything I hold about you\n"
    "/start — set up\n"
    "/cancel — stop what we're doing\n\n"
    "I remind and inform; I don't replace your care team."
)
COMMANDS = (
    ("today", "Today's doses"),
    ("history", "The last 30 days"),
    ("regimen", "See or change your plan"),
    ("pause", "Pause reminders for a while"),
    ("symptoms", "Weekly symptom check-in"),
    ("bone", "Your bone-protection calendar"),
    ("calendar", "Your bone dates for your phone's calendar"),
    ("caregiver", "Link a caregiver or your care team"),
    ("caring", "People you help"),
    ("patients", "Care team: your patients at a glance"),
    ("label", "Care team: your own label for a patient"),
    ("responses", "Care team: how fast alerts were answered"),
    ("export", "Export symptom and dose records"),
    ("privacy", "Who sees your data, and who exported it"),
    ("mydata", "Get a copy of everything I hold about you"),
    ("deletemydata", "Erase everything I hold about you"),
    ("help", "What I can do"),
    ("cancel", "Stop what we're doing"),
)

# What each role sees in its command menu (Bot API command scopes per chat). The default
# menu (`COMMANDS`) is the patient's: most people are patients, and setting a menu per chat
# for every patient would cost a call per patient. Caregivers and clinicians get theirs on
# the chat when linked, and the default back when no link is left.
_EVERYONE = ("privacy", "mydata", "deletemydata", "help", "cancel")
_PATIENT = (
    "today",
    "history",
    "regimen",
    "pause",
    "symptoms",
    "bone",
    "calendar",
    "caregiver",
    "export",
)
_CAREGIVER = ("caring",)
_CLINICIAN = ("patients", "label", "responses", "export")


def commands_for(*, patient: bool, caregiver: bool, clinician: bool) -> list[tuple[str, str]]:
    """The command menu of a person with these roles, in the menu's usual order."""
    wanted = set(_EVERYONE)
    if patient:
        wanted |= set(_PATIENT)
    if caregiver:
        wanted |= set(_CAREGIVER)
    if clinician:
        wanted |= set(_CLINICIAN)
    if not patient:
        wanted.add("start")  # to register as a patient too, should they want to
    about = dict(COMMANDS) | {"start": "Set up your own reminders"}
    order = [name for name, _ in COMMANDS] + ["start"]
    return [(name, about[name]) for name in order if name in wanted]
