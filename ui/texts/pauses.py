"""Words for pausing reminders (a holiday, a hospital stay) and for the people told."""

from __future__ import annotations

from datetime import date

from bot.services.pauses import PauseView
from ui.texts.common import capitalised, day_label, short_day

PAUSE_ASK_WHICH = (
    "Which reminders shall I pause? Paused days are not counted as missed, and nobody "
    "gets a missed-dose alert for them."
)
PAUSE_ALL = "⏸ All my reminders"
PAUSE_LEAVE = "« Leave it as it is"
PAUSE_ASK_UNTIL = "Until when? Reminders start again the day after."
RESUME_NOW = "▶️ Start reminders again now"
PAUSE_MORE = "⏸ Pause more"
NOTHING_TO_PAUSE = "You have no reminders to pause. /regimen shows your plan."
LEFT_AS_IT_IS = "All right, nothing changed."
BAD_PAUSE = "Sorry, that pause can't be set. A pause can last up to 90 days from today."


def pause_length_label(days: int, until: date) -> str:
    """A button for one pause length, naming its last day."""
    if days == 0:
        return f"Today only ({short_day(until)})"
    if days == 1:
        return f"Until tomorrow ({short_day(until)})"
    return f"For {days} days (until {short_day(until)})"


def pause_state(view: PauseView) -> str:
    """What is paused now, and until when (or that nothing is)."""
    paused = view.paused
    if not paused:
        return "Your reminders are on: nothing is paused."
    lines = ["⏸ Paused:"]
    for medicine in paused:
        assert medicine.paused_until is not None  # `paused` keeps only those
        lines.append(f"• {capitalised(medicine.name)}, through {day_label(medicine.paused_until)}")
    lines.append("Paused days are not counted as missed.")
    return "\n".join(lines)


def resumed(view: PauseView) -> str:
    """After resuming: reminders are on again."""
    return "▶️ Your reminders are on again from now.\n\n" + pause_state(view)


def pause_notice(patient_name: str, view: PauseView) -> str:
    """To a linked person who gets missed-dose alerts: the pause, so silence is expected."""
    who = patient_name or "The person you help"
    paused = view.paused
    if not paused:
        return f"{who} has turned their reminders on again."
    last = max(m.paused_until for m in paused if m.paused_until is not None)
    return (
        f"{who} has paused some reminders through {day_label(last)}. You won't get "
        "missed-dose alerts for the paused days."
    )
