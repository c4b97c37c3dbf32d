"""Words for dose reminders and their answers, and the /today and /history views."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.catalog import AdviceTopic, Product, after_window_message
from bot.domain.units import VolumeUnit, in_units, unit_for_zone
from bot.services.adherence import Adherence, ChangeableDose, NextDose, TodayDose
from bot.services.dose_answers import Answer, ChangeOptions, SkipReason, WhenTaken
from bot.services.doses import DueDose
from ui.texts.common import WEEKDAYS, capitalised, day_label, hhmm

TAKEN = "✅ Taken"
SNOOZE = "⏰ Later"
SNOOZE_FOR = "⏰ In {length}"
ASK_SNOOZE = "When shall I remind you again?"
ASK_WHEN_TAKEN = "When did you take your {name}?"
TAKEN_JUST_NOW = "Just now"
TAKEN_AT = "At {time}"
TAKEN_AT_DUE = "At {time} (when it was due)"
TYPE_TAKEN_TIME = "⌨️ Another time: I'll type it"
ASK_TYPED_TAKEN_TIME = "What time did you take your {name}? Type it, like 06:45."
BAD_TAKEN_TIME = (
    "Sorry, I couldn't use that time. Type the time you took it, like 06:45, or use the "
    "buttons. It can't be later than now, or more than 3 hours before the dose was due."
)
CHANGE = "✏️ Change this answer"
NOT_TAKEN = "✖ I didn't take it"
KEEP_ANSWER = "« Keep it as it is"
CHANGED = "Changed. Your record keeps both answers."
TOO_LATE_TO_CHANGE = (
    "This answer is more than 2 days old, so I can't change it here. If it is wrong, "
    "please tell your care team."
)
NOT_ANSWERED_YET = "This dose has no answer yet: use its own buttons."
SKIP = "Skip this dose"
MISSED_IT = "No, I missed it"
TOOK_IT = "Yes, I took it"

SKIP_REASON_LABELS = {
    SkipReason.FORGOT: "I forgot",
    SkipReason.SIDE_EFFECTS: "Side effects",
    SkipReason.CARE_TEAM_PAUSE: "Care team said pause",
    SkipReason.OTHER: "Other reason",
    SkipReason.ATE_FIRST: "Had eaten or drunk first",
}
ASK_SKIP_REASON = "Why are you skipping it? (This helps your care team.)"

FULL_INSTRUCTIONS = "📋 Full instructions"
SHORT_INSTRUCTIONS = "« Short"
ASK_IF_EATEN = "Have you eaten or drunk anything but plain water today?"
ONLY_WATER = "No, only plain water"
HAVE_EATEN = "Yes, I've eaten or drunk"


def _unit(due: DueDose) -> VolumeUnit:
    """Millilitres, or ounces for a patient in the US (told by their time zone)."""
    return unit_for_zone(due.due_local.tzinfo)


def _bullets(lines: tuple[str, ...], unit: VolumeUnit) -> list[str]:
    return [f"• {in_units(line, unit)}" for line in lines]


def _reminder_head(due: DueDose) -> str:
    """The reminder's first line: time for it, its make-up, or sorry it is late."""
    if due.makeup_for_day is not None:
        return (
            f"💊 Time for your {due.product.name}: the one you missed on "
            f"{day_label(due.makeup_for_day)}."
        )
    if due.late:
        return (
            f"💊 Your {due.product.name} was due at {hhmm(due.due_local)}. "
            "Sorry this reminder is late."
        )
    return f"💊 Time for your {due.product.name}."


def dose_reminder(due: DueDose) -> str:
    """The reminder message: what to take now and the label's few key lines about how
    (at most four lines; the full instructions are one tap away)."""
    return "\n".join(
        [_reminder_head(due), *_bullets(due.product.administration.short, _unit(due))]
    )


def take_it_now(due: DueDose) -> str:
    """A late reminder after "No, only plain water": take it now, as the label says."""
    lines = _bullets(due.product.administration.short, _unit(due))
    return "\n".join([f"💊 Then you can take your {due.product.name} now.", *lines])


def ask_if_eaten(due: DueDose) -> str:
    """A late reminder of a tablet taken fasting: first, has the patient eaten or drunk?"""
    return f"{_reminder_head(due)}\n\n{ASK_IF_EATEN}"


def full_instructions(due: DueDose) -> str:
    """The reminder with every line of the label's instructions, its stop-and-call warning
    and what to do after too many tablets (a medicine on hold: how to take it once the care
    team says to go on)."""
    product = due.product
    lines = _bullets(product.administration.instructions, _unit(due))
    warnings = [
        f"⚠️ {item.text}" for item in product.advice if item.topic == AdviceTopic.SWALLOWING
    ]
    if warnings:
        lines += ["", *warnings]
    too_many = [item.text for item in product.advice if item.topic == AdviceTopic.OVERDOSE]
    if too_many:
        lines += ["", *(f"🥛 {line}" for line in too_many)]
    if due.held_since is not None:
        return "\n".join(
            [_held_head(due), "", HOW_ONCE_GO_ON, *lines, "", HAS_CARE_TEAM_SAID_GO_ON]
        )
    return "\n".join([_reminder_head(due), "", *lines])


CARE_TEAM_SAID_GO_ON = "✅ My care team said go on"
NOT_YET_SKIP = "⏸ Not yet: skip this dose"
HAS_CARE_TEAM_SAID_GO_ON = "Has your care team said to go on?"
HOW_ONCE_GO_ON = "How to take it once your care team says you can:"


def _held_head(due: DueDose) -> str:
    assert due.held_since is not None  # only held reminders are worded so
    return (
        f"⏸ Your {due.product.name} is on hold. On "
        f"{day_label(due.held_since.astimezone(due.due_local.tzinfo).date())} I asked "
        "you to stop it and call your doctor. Please don't take it until your care team "
        "says you can."
    )


def held_reminder(due: DueDose) -> str:
    """The reminder of a medicine on hold: not "take it", but whether the care team said to
    go on (the bot told the patient to stop it and call)."""
    return f"{_held_head(due)}\n\n{HAS_CARE_TEAM_SAID_GO_ON}"


def recheck_question(due: DueDose) -> str:
    """The once-more question about an unconfirmed dose."""
    return (
        f"Did you take your {due.product.name} "
        f"(due at {hhmm(due.due_local)} on {day_label(due.due_local.date())})?"
    )


def missed_dose_advice(product: Product, makeup_local: datetime | None = None) -> str:
    """What the label says to do about a missed dose, and when the bot reminds of it."""
    if product.missed_dose is None:
        return "If you're unsure what to do about a missed dose, ask your pharmacist."
    advice = product.missed_dose.text  # the label's own words start "If you miss..."
    if makeup_local is not None:
        advice += (
            f"\n\n⏰ I'll remind you on {day_label(makeup_local.date())} at "
            f"{hhmm(makeup_local)}, and you can tell me then."
        )
    return advice


def answered(answer: Answer) -> str:
    """Replace the reminder's text once it is answered, so the chat shows the outcome."""
    name = answer.product.name
    match answer.status:
        case "taken":
            taken = answer.taken_local or answer.answered_local
            text = f"✅ {capitalised(name)}: taken at {hhmm(taken)}."
            over = after_window_message(answer.product) if answer.window_over else None
            if over is not None:
                text += "\n" + over
            elif answer.window_ends_local is not None:
                text += "\n" + _window_advice(answer.product, answer.window_ends_local)
            return text
        case "skipped" if answer.skip_reason == SkipReason.ATE_FIRST:
            return (
                f"⏭ Then don't take your {name} now: it has to be taken before the day's "
                "first food or drink. Noted as skipped.\n\n"
                + missed_dose_advice(answer.product, answer.makeup_local)
            )
        case "skipped":
            reason = SKIP_REASON_LABELS.get(answer.skip_reason or "", "no reason given")
            text = f"⏭ {capitalised(name)}: skipped ({reason}). Noted."
            if answer.skip_reason == SkipReason.FORGOT:
                text += "\n\n" + missed_dose_advice(answer.product, answer.makeup_local)
            return text
        case "missed":
            return f"{capitalised(name)}: noted as missed.\n\n" + missed_dose_advice(
                answer.product, answer.makeup_local
            )
        case _:
            until = answer.snoozed_until_local
            return (
                f"⏰ {capitalised(name)}: I'll remind you again at {hhmm(until)}."
                if until
                else (f"{capitalised(name)}: waiting for your answer.")
            )


def _window_advice(product: Product, until: datetime) -> str:
    """What to keep doing until the label's window ends (fasting, upright, or both)."""
    if product.administration.fasting_minutes is not None:
        keep = "stay sitting or standing, and have nothing but plain water,"
    else:  # ATELVIA: taken after breakfast, only the upright rule applies
        keep = "stay sitting or standing"
    return f"Please {keep} until {hhmm(until)}. I'll tell you when that time is up."


def snooze_length(minutes: int) -> str:
    """A Later length as people say it: "15 min", "1 hour", "3 hours"."""
    if minutes % 60:
        return f"{minutes} min"
    hours = minutes // 60
    return "1 hour" if hours == 1 else f"{hours} hours"


def when_taken_question(question: WhenTaken) -> str:
    """Ask when a dose was taken (Taken pressed long after its reminder)."""
    return (
        ASK_WHEN_TAKEN.format(name=question.product.name)
        + f"\nIt was due at {hhmm(question.due_local)}."
    )


def taken_time_label(moment: datetime, question: WhenTaken, index: int) -> str:
    """The button for one offered moment: the first is now, the due time says so."""
    if index == 0:
        return TAKEN_JUST_NOW
    if moment == question.due_local:
        return TAKEN_AT_DUE.format(time=hhmm(moment))
    return TAKEN_AT.format(time=hhmm(moment))


def change_question(options: ChangeOptions) -> str:
    """Ask what the record should say about an answered dose."""
    return (
        f"What should your record say about your {options.product.name}, due at "
        f"{hhmm(options.due_local)} on {day_label(options.due_local.date())}?"
    )


CHANGE_AN_ANSWER = "To correct an answer of the last two days, tap it:"


def change_answer_label(dose: ChangeableDose) -> str:
    """A Change button under /today or /history: which dose, and what it says now."""
    state = STATUS_WORDS.get(dose.status, dose.status)
    return (
        f"✏️ {WEEKDAYS[dose.due_local.weekday()][:3]} {hhmm(dose.due_local)} "
        f"{capitalised(dose.product.name)}: {state}"
    )


def changed_taken_label(moment: datetime, due_local: datetime, index: int) -> str:
    """A button that corrects the answer to taken at one moment."""
    if index == 0:
        return "✅ Taken, just now"
    if moment == due_local:
        return f"✅ Taken at {hhmm(moment)} (when it was due)"
    return f"✅ Taken at {hhmm(moment)}"


def already_answered(answer: Answer) -> str:
    """Short toast for a second press on a button that was already answered."""
    when = answer.taken_local or answer.answered_local
    return f"Already noted: {answer.status} ({hhmm(when)})."


def next_dose_line(coming: NextDose, now: datetime) -> str:
    """What /today says comes next: the next reminder, today, tomorrow or on a day."""
    day = coming.due_local.date()
    today = now.astimezone(coming.due_local.tzinfo).date()
    when = (
        "today"
        if day == today
        else "tomorrow"
        if day == today + timedelta(days=1)
        else f"on {day_label(day)}"
    )
    return f"⏭ Next: {capitalised(coming.name)}, {when} at {hhmm(coming.due_local)}."


TODAY_TITLE = "Today:"
NOTHING_TODAY = "No doses today. /regimen shows your plan."
HISTORY_TITLE = "The last 30 days:"
NO_HISTORY = "No doses recorded yet. Your record starts with your first reminder."

STATUS_WORDS = {
    "upcoming": "⏳ to come",
    "pending": "⏳ due now",
    "sent": "❔ waiting for your answer",
    "taken": "✅ taken",
    "skipped": "⏭ skipped",
    "missed": "✖ missed",
}


def today_view(doses: list[TodayDose]) -> str:
    """Render /today: each of today's doses with its state."""
    if not doses:
        return NOTHING_TODAY
    lines = [TODAY_TITLE]
    for dose in doses:
        state = STATUS_WORDS.get(dose.status, dose.status)
        if dose.answered_local is not None and dose.status == "taken":
            state += f" at {hhmm(dose.answered_local)}"
        lines.append(f"{hhmm(dose.due_local)} {capitalised(dose.product.name)}: {state}")
    return "\n".join(lines)


def history_view(rows: list[Adherence]) -> str:
    """Render /history: taken, skipped, missed and unanswered per medicine."""
    if not rows:
        return NO_HISTORY
    lines = [HISTORY_TITLE]
    for row in rows:
        line = (
            f"• {capitalised(row.product.name)}: {row.taken} of {row.due} taken "
            f"({row.percent_taken}%)"
        )
        extras = [
            f"{count} {word}"
            for count, word in (
                (row.skipped, "skipped"),
                (row.missed, "missed"),
                (row.made_up, "made up the morning after"),
                (row.unanswered, "not answered"),
            )
            if count
        ]
        lines.append(line + (" — " + ", ".join(extras) if extras else ""))
    return "\n".join(lines)
