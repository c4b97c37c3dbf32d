"""Words for /start and /regimen: consent, the medicine questions, the saved plan."""

from __future__ import annotations

from datetime import time

from bot.domain.catalog import Product, get_product
from bot.domain.dose_times import Frequency
from ui.texts.common import WEEKDAYS, capitalised, hhmm, ordinal

WELCOME = (
    "Hello, I'm bonebot.\n\n"
    "Aromatase inhibitors (anastrozole, letrozole, exemestane) can thin the bones. "
    "I help you keep to your bone-protection plan: I remind you to take your medicines "
    "the way their labels say, and keep a record of what you took.\n\n"
    "I remind and inform. I do not give medical advice and I do not replace your "
    "doctor, nurse or pharmacist. If something worries you, contact your care team. "
    "In an emergency, call your local emergency number."
)
CONSENT = (
    "To remind you I need to keep your medicines, their times, your time zone and your "
    "answers to my reminders. This is health information: it is used only to remind you "
    "and to keep your record.\n\nIs that all right?"
)
CONSENT_YES = "Yes, that's fine"
CONSENT_NO = "No, thanks"
CONSENT_DECLINED = (
    "That's fine. I haven't stored anything about you. If you change your mind, send /start."
)
ASK_AI = "Which aromatase inhibitor do you take?"
AI_NONE = "None / not sure"
ASK_AI_TIME = "What time of day do you take {name}?"
ASK_AI_TIME_AFTER_MEAL = (
    "What time of day do you take {name}? Its label says to take it after a meal, "
    "so choose a time just after breakfast or dinner."
)
TIME_HINT = "Tap a time, or type one like 07:30."
ASK_BONE = "Do you take a medicine to protect your bones?"
BONE_CLINIC = "Infusion or injection at a clinic"
BONE_NONE = "None / not sure yet"
ASK_BONE_PRODUCT = "Which {drug} do you take?"
ASK_CLINIC_PRODUCT = "Which one do you get at the clinic?"
ASK_WEEKDAY = "On which day of the week do you take it?"
ASK_DAY_OF_MONTH = (
    "On which day of the month do you take it? "
    "(In shorter months a dose on the 29th, 30th or 31st comes on the month's last day.)"
)
ASK_DAY_OF_MONTH_TWO = (
    "You take it on two days in a row each month. On which day of the month is the first?"
)
ASK_WAKE_TIME = (
    "What time do you usually get up? This medicine is taken as soon as you get up, "
    "before you eat or drink, so I'll remind you then."
)
ASK_BREAKFAST_TIME = (
    "What time do you usually finish breakfast? This medicine is taken just after "
    "breakfast, so I'll remind you then."
)
ASK_TIMEZONE = (
    "Which time zone are you in? Tap one, or type its name (like Europe/Madrid or America/Denver)."
)
CONFIRM_HINT = "Is this right?"
CONFIRM_YES = "Yes, save it"
CONFIRM_RESTART = "Start again"
SAVED = "Saved. I'll remind you at these times."
NEXT_REMINDER = "Your next reminder: {when}."
NO_REMINDERS = (
    "There's nothing for me to remind you about yet. "
    "You can add a medicine any time with /regimen."
)

BAD_ZONE = (
    "Sorry, I don't know that time zone. Tap one of the buttons, or type a name like "
    "Europe/London or America/New_York."
)

ALREADY_REGISTERED = "Welcome back! Your plan is below. /today shows today's doses."

REGIMEN_CHANGE = "What would you like to change?"
CHANGE_AI = "Aromatase inhibitor"
CHANGE_BONE = "Bone medicine"
CHANGE_TZ = "Time zone"
KEEP = "Nothing, it's right"
KEPT = "Nothing changed."


def schedule_phrase(
    frequency: str | None, at: time | None, weekday: int | None, day_of_month: int | None
) -> str:
    """Describe when a medicine is taken, e.g. 'every Monday at 07:00'."""
    if frequency is None or at is None:
        return "given at the clinic"
    when = f"at {hhmm(at)}"
    match Frequency(frequency):
        case Frequency.DAILY:
            return f"every day {when}"
        case Frequency.WEEKLY:
            return f"every {WEEKDAYS[weekday or 0]} {when}"
        case Frequency.MONTHLY:
            return f"on the {ordinal(day_of_month or 1)} of each month {when}"
        case Frequency.MONTHLY_TWO_DAYS:
            day = day_of_month or 1
            return f"on the {ordinal(day)} and the day after, each month, {when}"


def _form_unless_named(product: Product) -> str:
    """ ", tablet" after a name that does not say its form ("... oral solution (Fosamax)" does)."""
    return "" if product.form.split()[0] in product.name else f", {product.form}"


def regimen_lines(
    items: list[tuple[str, str | None, time | None, int | None, int | None]], timezone: str
) -> str:
    """Render a regimen summary from (product key, frequency, time, weekday, day) rows."""
    lines = ["Your plan:"]
    if not items:
        lines.append("• No medicines to remind you about.")
    for key, frequency, at, weekday, day in items:
        product = get_product(key)
        phrase = schedule_phrase(frequency, at, weekday, day)
        lines.append(f"• {capitalised(product.name)}{_form_unless_named(product)}, {phrase}")
    lines.append(f"• Time zone: {timezone}")
    return "\n".join(lines)
