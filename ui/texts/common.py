"""Words and formats shared by every feature: dates, times and the generic replies."""

from __future__ import annotations

from datetime import date, datetime, time

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

CANCELLED = "Stopped. Nothing was changed. Send /start or /regimen when you're ready."
PRESS_A_BUTTON = "Please tap one of the buttons above."
BAD_TIME = "Sorry, I couldn't read that time. Tap a button, or type a time like 07:30."

BUTTON_EXPIRED = "That button is from an earlier conversation. Let's go on from here."

NOT_REGISTERED = "You haven't set up your medicines yet. Send /start to begin."
NOT_YOURS = "Sorry, that button isn't available to you."

SOMETHING_WRONG = (
    "Sorry, something went wrong on my side. Your earlier answers are safe. "
    "Please try again in a moment."
)

BACK = "« Back"

# Said once in a group, supergroup or channel: health data stays in a private chat.
PRIVATE_CHAT_ONLY = (
    "I work only in a private chat, so that health information stays private. "
    "Tap below to open our chat."
)
PRIVATE_CHAT_ONLY_SHORT = "I work only in a private chat: open it from my profile."
OPEN_PRIVATE_CHAT = "Open a private chat"


def hhmm(value: time | datetime) -> str:
    """Format a wall-clock time the way people read it on a phone."""
    return value.strftime("%H:%M")


def day_label(value: date) -> str:
    """Format a date like 'Monday 3 March'."""
    return f"{WEEKDAYS[value.weekday()]} {value.day} {value.strftime('%B')}"


def ordinal(day: int) -> str:
    """Return 1st, 2nd, 3rd, 4th ... for a day of the month."""
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def capitalised(text: str) -> str:
    """Capitalise the first letter only (drug names keep their case otherwise)."""
    return text[:1].upper() + text[1:]


def long_date(value: date) -> str:
    """Format a date with its year, like 'Thursday 14 May 2026'."""
    return f"{day_label(value)} {value.year}"


def month_label(value: date) -> str:
    """Format a month like 'May 2026'."""
    return value.strftime("%B %Y")


def short_day(value: date) -> str:
    """Format a date for a button, like 'Sat 14 Nov'."""
    return f"{WEEKDAYS[value.weekday()][:3]} {value.day} {value.strftime('%b')}"
