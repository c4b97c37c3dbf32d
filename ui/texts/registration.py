"""Words for /start and /regimen: consent, the medicine questions, the saved plan."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.catalog import AdviceTopic, Product, drug_display_name, get_product, start_advice
from bot.domain.clinic_agents import stopping_warning
from bot.domain.dose_times import Frequency
from bot.domain.places import zone_city
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
    "Which time zone are you in? Tap one, or type your country or city, like Spain or Chicago."
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
    "Sorry, I don't know that place. Type your country, like Spain or Canada, or a big city "
    "near you, like Chicago. Or tap one of these:"
)
ZONE_CHOICES = "{place} has more than one time zone. Tap the city nearest you:"
NEAR_PLACE = "Did you mean {place}? Tap your time zone, or type the place again:"
BAD_AI = (
    "Sorry, I don't know that medicine. Tap the one you take, or type the name on the box, "
    "like Arimidex or letrozole:"
)
BAD_BONE_MEDICINE = (
    "Sorry, I don't know that medicine. Tap one of these, or type the name on the box, "
    "like Fosamax or Prolia:"
)
MEDICINE_CHOICES = "There is more than one kind of {name}. Which one do you take?"
NEAR_MEDICINE = "Did you mean {name}? Tap the one you take, or type the name again:"
BONE_MEDICINE_LATER = (
    "{name} is a bone medicine: I'll ask about it next. "
    "First, which aromatase inhibitor do you take?"
)
NOT_A_BONE_MEDICINE = (
    "{name} is an aromatase inhibitor, not a bone medicine. "
    "Do you take a medicine to protect your bones?"
)
BAD_WEEKDAY = "Sorry, I couldn't read that day. Tap one, or type a day like Monday:"
BAD_DAY_OF_MONTH = "Sorry, I couldn't read that day. Tap one, or type a number like 15:"

ALREADY_REGISTERED = "Welcome back! Your plan is below. /today shows today's doses."
# After the person unblocks the bot: their reminders, paused while blocked, are on again.
REMINDERS_BACK_ON = "Welcome back. Your reminders are on again. /today shows today's doses."

REGIMEN_CHANGE = "What would you like to change?"
CHANGE_AI = "Aromatase inhibitor"
CHANGE_BONE = "Bone medicine"
CHANGE_TZ = "Time zone"
KEEP = "Nothing, it's right"
KEPT = "Nothing changed."

NEWCOMER = (
    "Hello! I'm bonebot. I help people who take an aromatase inhibitor keep to their "
    "bone-protection plan, with reminders at the right times. Tap Start to begin."
)
START_BUTTON = "▶️ Start"
SET_UP_OFFER = "When you're ready, I can also help with these. You'll find them any time in /bone."
SET_UP_CALCIUM = "💊 Calcium and vitamin D"
SET_UP_DXA = "🦴 My bone density scans (DXA)"
SET_UP_DENTAL = "🦷 My last dental check-up"
SET_UP_NOT_NOW = "Not now"
SET_UP_LATER = "Fine. They're in /bone whenever you want them."


MINUS = "\u2212"  # a typographic minus sign: as wide as the plus, not a hyphen


def utc_offset(offset: timedelta) -> str:
    """Say a UTC offset the short way: UTC+5:30, UTC+0, and UTC-5 with a real minus sign."""
    minutes = round(offset.total_seconds() / 60)
    sign = MINUS if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_label(zone: str, now: datetime) -> str:
    """A time zone button: its city and the offset it has now, like 'New York (UTC-5)'."""
    offset = now.astimezone(ZoneInfo(zone)).utcoffset() or timedelta(0)
    return f"{zone_city(zone)} ({utc_offset(offset)})"


def medicine_label(product: Product) -> str:
    """A medicine button outside its family's list: 'Alendronate 70 mg once a week (tablet)'."""
    return f"{drug_display_name(product.drug)} {product.label}"


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


STOPPING_HEAD = "⚠️ Before you stop {name}:"
STOPPING_TELL = (
    "If you save this, I'll tell the people linked to you who get alerts from me (your "
    "caregivers and clinicians)."
)


def stopping_confirmation(product: Product) -> str:
    """What the confirm step says first when a change stops or switches away from a medicine
    whose label warns about stopping it (denosumab): the rebound risk and the follow-on plan."""
    lines = [STOPPING_HEAD.format(name=product.name)]
    lines += [f"• {text}" for text, _ in stopping_warning(product.key)]
    return "\n".join([*lines, STOPPING_TELL])


START_HEAD = "About your {name}, from its label:"
CALCIUM_OFFER_BELOW = "I can remind you to take them: tap below."
CALCIUM_OFFER_ABOVE = "I can remind you to take them: tap {button} above."


def start_warnings(product: Product, *, offer_above: bool) -> str | None:
    """What set-up says as a bone medicine is chosen: the stop-and-call symptoms of an oral
    bisphosphonate, the calcium and vitamin D an injection's label asks for (offering the
    calcium set-up, above in the set-up buttons or below), or None."""
    items = start_advice(product)
    if not items:
        return None
    lines = [START_HEAD.format(name=product.name)]
    for item in items:
        if item.topic == AdviceTopic.SWALLOWING:
            lines.append(f"⚠️ {item.text}")
        else:
            offer = (
                CALCIUM_OFFER_ABOVE.format(button=SET_UP_CALCIUM)
                if offer_above
                else CALCIUM_OFFER_BELOW
            )
            lines.append(f"💊 {item.text} {offer}")
    return "\n".join(lines)
