"""Everything the bot says, in one place (English). Plain words, short lines, no jargon."""

from __future__ import annotations

from datetime import date, datetime, time

from bot.domain.bone_health import NO_SCAN_MESSAGE
from bot.domain.calcium import calcium_prompt_text
from bot.domain.care_reminders import REFILL_AT_DOSES, PillSupply
from bot.domain.catalog import Product, get_product
from bot.domain.dose_times import Frequency
from bot.domain.redflags import care_team_topic
from bot.exports.ics import Appointment, AppointmentKind
from bot.services.adherence import Adherence, TodayDose
from bot.services.bone.calcium import (
    CalciumView,
    DueSupplement,
    SupplementAnswer,
    SupplementTally,
    TodaySupplement,
)
from bot.services.bone.care_prompts import CareView
from bot.services.bone.clinic_agents import AgentView
from bot.services.bone.dxa import DxaStep, DxaView
from bot.services.bone.page import BoneDay, CalendarEntry
from bot.services.bone.pill_counts import CountView
from bot.services.care_alerts import OutgoingAlert
from bot.services.care_summary import Summary as CareSummary
from bot.services.doses import Answer, DueDose, SkipReason

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

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
CANCELLED = "Stopped. Nothing was changed. Send /start or /regimen when you're ready."
PRESS_A_BUTTON = "Please tap one of the buttons above."
BAD_TIME = "Sorry, I couldn't read that time. Tap a button, or type a time like 07:30."
BAD_ZONE = (
    "Sorry, I don't know that time zone. Tap one of the buttons, or type a name like "
    "Europe/London or America/New_York."
)
BUTTON_EXPIRED = "That button is from an earlier conversation. Let's go on from here."
ALREADY_REGISTERED = "Welcome back! Your plan is below. /today shows today's doses."
NOT_REGISTERED = "You haven't set up your medicines yet. Send /start to begin."
NOT_YOURS = "Sorry, that button isn't available to you."
UNKNOWN_COMMAND = "Sorry, I don't know that command. Try /today, /history, /regimen or /help."
UNKNOWN_TEXT = "I work with buttons and commands. Try /today, /history, /regimen or /help."
SOMETHING_WRONG = (
    "Sorry, something went wrong on my side. Your earlier answers are safe. "
    "Please try again in a moment."
)
HELP = (
    "What I can do:\n"
    "/today — today's doses\n"
    "/history — the last 30 days\n"
    "/regimen — see or change your medicines, times and time zone\n"
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
    ("symptoms", "Weekly symptom check-in"),
    ("bone", "Your bone-protection calendar"),
    ("calendar", "Your bone dates for your phone's calendar"),
    ("caregiver", "Link a caregiver or your care team"),
    ("caring", "People you help"),
    ("patients", "Care team: your patients at a glance"),
    ("export", "Export symptom and dose records"),
    ("privacy", "Who sees your data, and who exported it"),
    ("mydata", "Get a copy of everything I hold about you"),
    ("deletemydata", "Erase everything I hold about you"),
    ("help", "What I can do"),
    ("cancel", "Stop what we're doing"),
)
REGIMEN_CHANGE = "What would you like to change?"
CHANGE_AI = "Aromatase inhibitor"
CHANGE_BONE = "Bone medicine"
CHANGE_TZ = "Time zone"
KEEP = "Nothing, it's right"
KEPT = "Nothing changed."

TAKEN = "✅ Taken"
SNOOZE = "⏰ Later ({minutes} min)"
SKIP = "Skip this dose"
MISSED_IT = "No, I missed it"
TOOK_IT = "Yes, I took it"
BACK = "« Back"
SKIP_REASON_LABELS = {
    SkipReason.FORGOT: "I forgot",
    SkipReason.SIDE_EFFECTS: "Side effects",
    SkipReason.CARE_TEAM_PAUSE: "Care team said pause",
    SkipReason.OTHER: "Other reason",
}
ASK_SKIP_REASON = "Why are you skipping it? (This helps your care team.)"


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
        lines.append(f"• {capitalised(product.name)} ({product.form}), {phrase}")
    lines.append(f"• Time zone: {timezone}")
    return "\n".join(lines)


def capitalised(text: str) -> str:
    """Capitalise the first letter only (drug names keep their case otherwise)."""
    return text[:1].upper() + text[1:]


def dose_reminder(due: DueDose) -> str:
    """The reminder message: what to take now and how, as the label says."""
    head = f"💊 Time for your {due.product.name}."
    if due.late:
        head = (
            f"💊 Your {due.product.name} was due at {hhmm(due.due_local)}. "
            "Sorry this reminder is late."
        )
    lines = [head, ""]
    lines += [f"• {line}" for line in due.product.administration.instructions]
    return "\n".join(lines)


def recheck_question(due: DueDose) -> str:
    """The once-more question about an unconfirmed dose."""
    return (
        f"Did you take your {due.product.name} "
        f"(due at {hhmm(due.due_local)} on {day_label(due.due_local.date())})?"
    )


def missed_dose_advice(product: Product) -> str:
    """What the label says to do about a missed dose."""
    if product.missed_dose is None:
        return "If you're unsure what to do about a missed dose, ask your pharmacist."
    return f"If you missed a dose: {product.missed_dose.text}"


def answered(answer: Answer) -> str:
    """Replace the reminder's text once it is answered, so the chat shows the outcome."""
    name = answer.product.name
    match answer.status:
        case "taken":
            text = f"✅ {capitalised(name)}: taken at {hhmm(answer.answered_local)}."
            if answer.window_ends_local is not None:
                text += "\n" + _window_advice(answer.product, answer.window_ends_local)
            return text
        case "skipped":
            reason = SKIP_REASON_LABELS.get(answer.skip_reason or "", "no reason given")
            text = f"⏭ {capitalised(name)}: skipped ({reason.lower()}). Noted."
            if answer.skip_reason == SkipReason.FORGOT:
                text += "\n\n" + missed_dose_advice(answer.product)
            return text
        case "missed":
            return f"{capitalised(name)}: noted as missed.\n\n" + missed_dose_advice(
                answer.product
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


def already_answered(answer: Answer) -> str:
    """Short toast for a second press on a button that was already answered."""
    return f"Already noted: {answer.status} ({hhmm(answer.answered_local)})."


TODAY_TITLE = "Today:"
NOTHING_TODAY = "No doses today. /regimen shows your plan."
HISTORY_TITLE = "The last 30 days:"
NO_HISTORY = "No doses recorded yet. Your record starts with your first reminder."


# --- The weekly symptom check-in --------------------------------------------------------------

CHECKIN_INTRO = (
    "Your weekly check-in: a few questions about how you've felt, one at a time. "
    "Tap the answer that fits best. It takes about a minute."
)
CHECKIN_RESUMED = "Welcome back. Let's go on where you stopped; your earlier answers are kept."
CHECKIN_STOP_FOR_NOW = "Stop for now"
CHECKIN_WANTS_TO_STOP = (
    "One more question, so your care team knows how you feel about your treatment:\n\n"
    "Do you feel you want to stop taking your aromatase inhibitor?"
)
CHECKIN_YES = "Yes"
CHECKIN_NO = "No"
CHECKIN_NOTE = (
    "Anything else you want your care team to know? Type it in your own words "
    "(up to {limit} characters), or tap No note."
)
CHECKIN_NO_NOTE = "No note"
CHECKIN_NOTE_TOO_LONG = (
    "Thank you for writing. That note is a bit long for me: it has {length} characters and "
    "I can keep up to {limit}. Please send a shorter version, or tap No note."
)
CHECKIN_PAUSED = (
    "Stopped for now. I've kept the {count} answers you gave. Send /symptoms to go on."
)
CHECKIN_PAUSED_NONE = "Stopped for now. Send /symptoms when you're ready."
CHECKIN_DONE = "Thank you, your check-in is saved."
CHECKIN_NOTHING_REPORTED = "You didn't report any symptoms this week. Good to hear."
CHECKIN_REPORTED = "You told me about:"
CHECKIN_NOTE_SAVED = "Your note is saved."
CHECKIN_CARE_TEAM = (
    "If something worries you, contact your care team. "
    "In an emergency, call your local emergency number."
)
CHECKIN_FINISHED = "That check-in is finished. Send /symptoms to start a new one."
CHECKIN_STALE = "That question was already answered. Please use the newest question."
CHECKIN_NOT_NOW = "Please answer the question above with its buttons first."
CHECKIN_PROMPT = "📝 Time for your weekly check-in. It takes about a minute."
CHECKIN_START = "Start"

CHECKIN_SETTINGS_DAY = (
    "Weekly check-in reminder: {now}.\n\nOn which day would you like it? Or tap No reminder."
)
CHECKIN_SETTINGS_OFF_NOW = "now off"
CHECKIN_SETTINGS_ON_NOW = "now every {day} at {time}"
CHECKIN_SETTINGS_NONE = "No reminder"
CHECKIN_SETTINGS_TIME = "What time on {day}? Tap one, or type a time like 18:30."
CHECKIN_SETTINGS_SAVED = (
    "Saved: I'll remind you of your check-in every {day} at {time}. The next one is {when}."
)
CHECKIN_SETTINGS_TURNED_OFF = "No weekly reminder. You can do a check-in any time with /symptoms."
CHECKIN_TIMES = ("09:00", "12:00", "15:00", "18:00", "20:00")


def checkin_question(text: str, number: int) -> str:
    """One check-in question; the stem itself gives the recall period ("In the last 7 days")."""
    return f"Question {number}\n\n{text}"


def answered_line(question: str, label: str) -> str:
    """A question once answered: the question, then the chosen answer."""
    return f"{question}\n\n➜ {label}"


def checkin_summary(
    reported: list[tuple[str, tuple[str, ...]]], note_saved: bool, flagged: bool
) -> str:
    """The end of a check-in: what was reported, in the patient's own answers."""
    lines = [CHECKIN_DONE, ""]
    if reported:
        lines.append(CHECKIN_REPORTED)
        lines += [f"• {capitalised(label)}: {', '.join(answers)}" for label, answers in reported]
    else:
        lines.append(CHECKIN_NOTHING_REPORTED)
    if note_saved:
        lines += ["", CHECKIN_NOTE_SAVED]
    if not flagged:
        lines += ["", CHECKIN_CARE_TEAM]
    return "\n".join(lines)


def checkin_alert(message: str, right_away: bool) -> str:
    """A red-flag or adherence message, marked when it needs action today."""
    return ("⚠️ " if right_away else "🩺 ") + message


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
                (row.unanswered, "not answered"),
            )
            if count
        ]
        lines.append(line + (" — " + ", ".join(extras) if extras else ""))
    return "\n".join(lines)


# --- Caregivers and care team ------------------------------------------------------------------

ROLE_NAMES = {"caregiver": "caregiver", "clinician": "care-team member"}
ROLE_RECEIVES = {
    "caregiver": (
        "a message if a dose isn't confirmed, and a message if their check-in shows a "
        "worrying symptom"
    ),
    "clinician": (
        "a message if their check-in shows a worrying symptom, and their symptom and "
        "medicine records"
    ),
}
CARE_MENU_HEAD = "People linked to you"
CARE_MENU_EMPTY = (
    "Nobody is linked to you yet.\n\n"
    "You can invite someone who helps you (a family member or friend), or someone from "
    "your care team. They see only what you allow, and you can remove them at any time."
)
CARE_MENU_HINT = "Tap a name to change what they receive or to remove them."
INVITE_CAREGIVER = "👤 Invite a caregiver"
INVITE_CLINICIAN = "🩺 Share with my care team"
ALERT_SETTINGS = "⚙ Alert settings"
INVITE_CREATED = (
    "Send this link to the person you want to add as your {role}:\n{link}\n\n"
    "Or they can send me this message: /start {code}\n\n"
    "It works once and expires in 24 hours. I'll ask you to confirm before they get anything."
)
INVITE_INTRO = (
    "Someone invited you to be their {role} in bonebot, a helper for bone-protection "
    "medicines.\n\nIf you accept and they confirm, you will get {receives}.\n\n"
    "Do you accept?"
)
INVITE_ACCEPT = "✅ Accept"
INVITE_DECLINE = "No, thanks"
INVITE_DECLINED = "All right. Nothing was linked."
INVITE_ACCEPTED = "Thank you. I've asked them to confirm, and I'll tell you when they do."
INVALID_CODE = (
    "That invitation doesn't work. It may have expired or been used already. "
    "Please ask for a new one."
)
TOO_MANY_ATTEMPTS = "Too many invitations that didn't work. Please wait an hour, then try again."
OWN_CODE = "This is your own invitation. Please send it to the person you want to add."
ALREADY_LINKED = "You are already linked with this person."
CONFIRM_REQUEST = "{name} accepted your invitation to be your {role}. Shall I link them?"
LINK_CONFIRM_YES = "✅ Yes, link them"
LINK_CONFIRM_NO = "No"
LINKED_PATIENT = (
    "Done: {name} is linked as your {role}. Send /caregiver to change what they get "
    "or to remove them."
)
LINKED_MEMBER = "{patient} confirmed: you are now their {role}. /caring shows the people you help."
REFUSED_PATIENT = "All right, {name} is not linked."
REFUSED_MEMBER = "The invitation was not confirmed. Nothing is shared with you."
LINK_DETAIL = "{name}, your {role}. Tap to switch what they get:"
PERMISSION_LABELS = {
    "missed_dose_alerts": "Dose not confirmed",
    "red_flag_alerts": "Worrying symptoms",
    "weekly_summary": "Weekly summary",
    "sees_symptom_log": "Can see my symptom log",
}
REMOVE = "Remove {name}"
REMOVE_CONFIRM = "Remove {name}? They will stop getting anything about you."
REMOVE_YES = "Yes, remove"
KEEP_LINK = "Keep"
REMOVED_PATIENT = "{name} was removed. I've told them."
REMOVED_MEMBER = "{patient} removed you as their {role}. You won't get messages about them now."
CARING_HEAD = "You help:"
CARING_EMPTY = "You aren't linked to anyone. When someone invites you, open their link."
CARING_HINT = "Your buttons for each of them are below."
LEAVE_CONFIRM = "Leave {patient}? You won't get messages about them any more."
LEAVE_YES = "Yes, leave"
LEFT_MEMBER = "Done. You won't get messages about {patient} any more."
LEFT_PATIENT = "{name} is no longer linked to you (they left)."
NOT_LINKED_ANY_MORE = "This link has ended."
SETTINGS_VIEW = (
    "Messages to your caregivers\n\n"
    "A dose you haven't confirmed: after {delay}.\n"
    "Quiet hours: {quiet}. Dose messages wait until they end; worrying symptoms never wait."
)
DELAY_OFF = "never (off)"
QUIET_NONE = "none"
SETTINGS_SAVED = "Saved."
CARE_TEAM_TOLD = "I've also let the people linked to you know."
ALERT_SEEN = "👍 I've seen this"
ALERT_SEEN_MARK = "\n\n✓ You marked this as seen."
ALERT_SEEN_PATIENT = "{name} has seen your check-in report."


def weekly_summary(summary: CareSummary) -> str:
    """The weekly adherence summary a caregiver receives."""
    who = summary.patient_name or "The person you help"
    lines = [f"📅 {who}'s week:"]
    for rate in summary.rates:
        lines.append(f"• {capitalised(rate.product.name)}: {rate.taken} of {rate.due} taken")
    if not summary.rates:
        lines.append("No doses were due this week.")
    return "\n".join(lines)


def role_name(role: str) -> str:
    """Return the plain name of a link role."""
    return ROLE_NAMES.get(role, role)


def minutes_phrase(minutes: int | None) -> str:
    """Return '30 minutes', '1 hour', '2 hours' or 'never (off)'."""
    if minutes is None:
        return DELAY_OFF
    if minutes % 60 == 0:
        hours = minutes // 60
        return "1 hour" if hours == 1 else f"{hours} hours"
    return f"{minutes} minutes"


def quiet_phrase(start: time | None, end: time | None) -> str:
    """Return '22:00 to 07:00' or 'none'."""
    if start is None or end is None:
        return QUIET_NONE
    return f"{hhmm(start)} to {hhmm(end)}"


def care_alert(alert: OutgoingAlert) -> str:
    """The message a linked person gets: whom it is about and what happened, briefly."""
    who = alert.patient_name or "The person you help"
    if alert.flag_code is not None:
        urgency = " right away" if alert.urgent else " soon"
        return (
            f"⚠️ {who}'s symptom check-in shows {care_team_topic(alert.flag_code)}.\n\n"
            f"I've asked them to contact their care team{urgency}. "
            "You may want to check on them."
        )
    if alert.message is not None:  # an overdue clinic-given agent
        return f"💉 {who}: {alert.message}\n\nYou may want to check in with them."
    product = alert.product.name if alert.product else "a medicine"
    due = f" due at {hhmm(alert.due_local)}" if alert.due_local else ""
    return (
        f"💊 {who} hasn't confirmed their {product}{due}.\n\nYou may want to check in with them."
    )


# --- Symptom history ---------------------------------------------------------------------------

HISTORY_NO_CHECKINS = "There are no finished check-ins yet. Send /symptoms to do one."
HISTORY_ALL_WELL = "No symptoms were reported in the last {count} check-ins. Good to hear."
HISTORY_CAPTION = (
    "Each line is one symptom: 0 means none, 4 the most. "
    "Only symptoms reported at least once are shown."
)
SYMPTOM_LOG_BUTTON = "📈 {name}'s symptoms"


def history_chart_title(patient_name: str, checkins: int) -> str:
    """The chart's title: whose symptoms, over how many check-ins."""
    whose = f"{patient_name}'s symptoms" if patient_name else "Your symptoms"
    return f"{whose} ({checkins} check-ins)"


# --- Exports, privacy and the patient's own data -----------------------------------------------

EXPORT_WHOSE = "Whose records do you want to export?"
EXPORT_MINE = "My own"
EXPORT_NOTHING = (
    "There is nothing to export yet: you have no plan with me, and nobody has shared their "
    "records with you as their care team."
)
EXPORT_PERIOD = "Which period?"
PERIOD_LABELS = {30: "Last 30 days", 90: "Last 3 months", 365: "Last year", 0: "Everything"}
EXPORT_FORMAT = "Which kind of file?"
FORMAT_LABELS = {
    "pdf": "📄 PDF report",
    "csv": "📊 Spreadsheets (CSV)",
    "fhir": "🏥 FHIR R4 (for clinic systems)",
    "all": "All of these",
}
EXPORT_PREPARING = "Preparing the files…"
EXPORT_DONE = "Done: {count} file(s) above."
EXPORT_AUDITED = "This export is recorded; the patient can see it with /privacy."
PATIENTS_NONE = (
    "Nobody has linked you as their care team yet. A patient can share with you from their "
    "/caregiver menu."
)
PATIENTS_HEAD = "Your patients (last {days} days):"
PATIENTS_HINT = "Send /export to export a patient's records."
NO_OPEN_FLAGS = "no open red flags"
PRIVACY_HEAD = "Your privacy"
PRIVACY_LINKS_NONE = "Nobody is linked to you."
PRIVACY_EXPORTS_NONE = "Nobody has exported your records."
PRIVACY_EXPORTS_HEAD = "Exports of your records:"
PRIVACY_MEMBER_HEAD = "You are linked to:"
PRIVACY_FOOT = (
    "/mydata sends you a copy of everything; /deletemydata erases everything; "
    "/caregiver changes who gets what."
)
MYDATA_INTRO = "Here is a copy of everything I hold about you: a report, spreadsheets and FHIR."
MYDATA_NOT_PATIENT = (
    "I hold no plan or records for you. I only know the links you have to people you help; "
    "/privacy lists them."
)
DELETE_CONFIRM = (
    "This erases everything I hold about you: your plan, reminders, dose records, check-ins, "
    "and your links with caregivers and care team (they will be told). It cannot be undone.\n\n"
    "If you want a copy first, send /mydata.\n\nErase everything?"
)
DELETE_YES = "Yes, erase everything"
DELETE_NO = "No, keep it"
DELETE_KEPT = "Nothing was erased."
DELETE_DONE = (
    "Done: everything I held about you is erased. Send /start if you want to begin again."
)
ERASED_NOTICE = "{name} erased their data with bonebot, so your link with them has ended."
ROLE_OF_ACTOR = {
    "patient": "you",
    "clinician": "care team",
    "administrator": "clinic administrator",
}


def export_line(when: str, role: str, name: str, fmt: str, first: date, last: date) -> str:
    """One audit line: when, who, which format and period."""
    who = ROLE_OF_ACTOR.get(role, role)
    if name:
        who = f"{name} ({who})"
    return f"• {when}: {who}, {fmt.upper()}, {first:%-d %b %Y} to {last:%-d %b %Y}"


def glance_line(name: str, flags: list[str], rates: list[tuple[str, int, int]], last: str) -> str:
    """One patient in /patients: open red flags, adherence per medicine, last check-in."""
    lines = [f"👤 {name}"]
    lines.append("  ⚠️ " + "; ".join(flags) if flags else f"  {NO_OPEN_FLAGS}")
    for medicine, taken, due in rates:
        percent = round(100 * taken / due) if due else 0
        lines.append(f"  💊 {medicine}: {taken} of {due} taken ({percent}%)")
    lines.append(f"  Last check-in: {last}")
    return "\n".join(lines)


# --- Bone calendar -----------------------------------------------------------------------------

BONE_TITLE = "🦴 Your bone-protection calendar"
AGENT_UNKNOWN = "💉 {name}: I don't know yet when your last one was given."
AGENT_LAST = "💉 {name}: last given {last}."
AGENT_NEXT = "Next one due {due}."
AGENT_LATE = "It was due {due}, {days} ago."
AGENT_TELL_LAST = "💉 Tell me the date of the last {drug}"
AGENT_RECORD = "💉 {drug} given: record the date"
AGENT_CHANGE = "✏️ Change the last {drug} date"
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
PICK_DAY = "Which day in {month}?"
TODAY_BUTTON = "Today"
YESTERDAY_BUTTON = "Yesterday"
NOT_HAD_ONE = "I haven't had one yet"
BAD_DATE = (
    "Sorry, I couldn't use that date. Please type it like 14 May 2026 or 2026-05-14 (not "
    "later than today), or tap a button above. /cancel stops."
)
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
INPUT_STOPPED = "Stopped. Nothing was changed."
TODAY_AGENT_DUE = "💉 {name}: due today, at the clinic"
TODAY_AGENT_LATE = "💉 {name}: due since {due}"


def long_date(value: date) -> str:
    """Format a date with its year, like 'Thursday 14 May 2026'."""
    return f"{day_label(value)} {value.year}"


def month_label(value: date) -> str:
    """Format a month like 'May 2026'."""
    return value.strftime("%B %Y")


def short_day(value: date) -> str:
    """Format a date for a button, like 'Sat 14 Nov'."""
    return f"{WEEKDAYS[value.weekday()][:3]} {value.day} {value.strftime('%b')}"


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


def bone_history(day: BoneDay) -> str:
    """Lines for /history about clinic doses and scans on record (empty when none)."""
    lines = [agent_lines(view) for view in day.agents if view.last_given_on is not None]
    if day.dxa is not None and day.dxa.latest is not None:
        lines.append(dxa_lines(day.dxa))
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


DXA_HEAD = "🩻 Bone density (DXA) scans"
DXA_LAST = "Last scan {date}: {scores}."
DXA_LOWEST = "Lowest T-score {value} ({category}, WHO)."
DXA_NEXT_BOOKED = "Next scan booked for {date}."
DXA_NEXT_DUE = "Next scan due around {date}: every {months} months{whose}."
DXA_CARE_TEAM_INTERVAL = ", as your care team set"
DXA_CHANGES = "Since your scan of {date}: {changes}."
DXA_ADD = "🩻 Add a scan result"
DXA_BOOKED = "📅 My next scan is booked"
DXA_INTERVAL = "⏱ How often I have a scan"
RISK_START = "❓ Fracture risk questions"
RISK_AGAIN = "❓ Answer the risk questions again"
TOMORROW_BUTTON = "Tomorrow"
ASK_SCAN_DATE = "When was the scan? Tap the month, or type the date like 14 May 2026."
ASK_BOOKED_DATE = "When is your scan booked? Tap the month, or type the date like 14 June 2026."
ASK_T_SCORE = (
    "{site} T-score? Type it as your report gives it, like -1.8, or tap Not on my report."
)
NOT_ON_REPORT = "Not on my report"
BAD_T_SCORE = (
    "Sorry, I couldn't read that. Type the T-score like -1.8 (between -6 and 6), or tap Not "
    "on my report. /cancel stops."
)
NO_T_SCORES = "Nothing was saved: a result needs at least one T-score. Send /bone to add it again."
SCAN_SAVED = "Saved: your scan of {date}."
ASK_INTERVAL = "How often does your care team want you to have a bone density scan?"
INTERVAL_LABEL = "Every {months} months"
INTERVAL_SAVED = "Saved: a scan every {months} months."
BOOKED_SAVED = "Saved: your scan is booked for {date}. I'll remind you on the day, at {time}."
DXA_REMIND_BOOK = (
    "🩻 Your next bone density (DXA) scan is due around {date}. If it is not booked yet, now "
    "is a good time to ask your care team about it. When you have a date, tell me with /bone."
)
DXA_REMIND_TODAY = (
    "🩻 Your bone density (DXA) scan is today. When you have the report, add its T-scores "
    "with /bone."
)
DXA_REMIND_DUE = (
    "🩻 Your bone density (DXA) scan is due about now. If it is not booked, ask your care "
    "team. When you have the report, add its T-scores with /bone."
)
RISK_INTRO = (
    "A few questions about things that raise the chance of a broken bone. Tap Yes or No. "
    "Your answers stay with your record."
)
RISK_YES = "Yes"
RISK_NO = "No"
ASK_AGE = "How old are you? Type your age in years, like 62."
AGE_SKIP = "Skip this question"
BAD_AGE = "Sorry, I couldn't read that. Type your age in whole years, like 62, or tap Skip."
RISK_SAVED = "Thank you, your answers are saved."
CHART_CAPTION = "Your T-scores over time, on the WHO bands."
TODAY_DXA = "🩻 Bone density (DXA) scan: today"
SITE_NAMES = {
    "lumbar_spine": "Lumbar spine",
    "total_hip": "Total hip",
    "femoral_neck": "Femoral neck",
}
CATEGORY_NAMES = {
    "normal": "normal",
    "osteopenia": "low bone mass, osteopenia",
    "osteoporosis": "osteoporosis",
}


def t_score(value: float) -> str:
    """Format a T-score with its sign and one decimal, like -1.8 or +0.4."""
    return f"{value:+.1f}".replace("+0.0", "0.0")


def scan_scores(scores: dict[str, float]) -> str:
    """List a scan's T-scores, like 'lumbar spine -1.8, total hip -1.2'."""
    return ", ".join(f"{SITE_NAMES[site].lower()} {t_score(v)}" for site, v in scores.items())


def dxa_changes(previous_on: date, changes: list[tuple[str, float]]) -> str:
    """The change since the previous scan, per site (empty when none compares)."""
    if not changes:
        return ""
    parts = ", ".join(f"{SITE_NAMES[site].lower()} {t_score(change)}" for site, change in changes)
    return DXA_CHANGES.format(date=long_date(previous_on), changes=parts)


def dxa_change_line(view: DxaView) -> str:
    """The change since the scan before the newest (empty with fewer than two scans)."""
    if len(view.scans) < 2:
        return ""
    changes = [(change.site.value, change.change) for change in view.changes]
    return dxa_changes(view.scans[-2].scanned_on, changes)


def dxa_lines(view: DxaView) -> str:
    """The DXA part of /bone: the newest scan, the change, the next scan, the follow-up."""
    lines = [DXA_HEAD]
    latest = view.latest
    if latest is None:
        lines.append(NO_SCAN_MESSAGE)
    else:
        scores = {site.value: value for site, value in latest.t_scores.items()}
        day = long_date(latest.scanned_on)
        lines.append(DXA_LAST.format(date=day, scores=scan_scores(scores)))
        category = CATEGORY_NAMES[latest.category.value]
        lines.append(DXA_LOWEST.format(value=t_score(latest.lowest_t_score), category=category))
        if change := dxa_change_line(view):
            lines.append(change)
    if view.next_on is not None and view.next_is_booked:
        lines.append(DXA_NEXT_BOOKED.format(date=long_date(view.next_on)))
    elif view.next_on is not None:
        whose = DXA_CARE_TEAM_INTERVAL if view.interval_from_care_team else ""
        due = long_date(view.next_on)
        lines.append(DXA_NEXT_DUE.format(date=due, months=view.interval_months, whose=whose))
    if not view.interval_from_care_team:
        lines.append(view.assessment.follow_up.text())
    if view.assessment.message:
        lines.append(view.assessment.message)
    return "\n".join(lines)


def dxa_reminder(step: DxaStep, view: DxaView) -> str:
    """The DXA job's message: book ahead, or the scan is today (booked) or due about now."""
    if step is DxaStep.BOOK_AHEAD:
        return DXA_REMIND_BOOK.format(date=long_date(view.next_on or view.today))
    return DXA_REMIND_TODAY if view.next_is_booked else DXA_REMIND_DUE


def scan_saved(view: DxaView, scanned_on: date) -> str:
    """The reply once a result is saved: the record as it stands, from the saved scan."""
    return SCAN_SAVED.format(date=long_date(scanned_on)) + "\n\n" + dxa_lines(view)


def risk_done(view: DxaView) -> str:
    """The end of the risk questions: thanks, and the statement's message when it applies."""
    lines = [RISK_SAVED]
    if view.assessment.message:
        lines.append(view.assessment.message)
    if view.assessment.scan_missing:
        lines.append(NO_SCAN_MESSAGE)
    return "\n\n".join(lines)


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
ASK_EXERCISE_TIME = "What time on {day}?"
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


CALCIUM_HEAD = "💊 Calcium and vitamin D"
CALCIUM_TARGETS = "Daily target: {calcium} mg calcium and {vitamin_d} IU vitamin D ({whose})."
CALCIUM_CARE_TEAM_NUMBERS = "your care team's numbers"
CALCIUM_STATEMENT_NUMBERS = "a 2017 expert statement's numbers"
CALCIUM_FORMS = {"carbonate": "calcium carbonate, with food", "citrate": "calcium citrate"}
CALCIUM_FORM_LINE = "You take {form}."
CALCIUM_DIET = "From food: about {mg} mg a day."
CALCIUM_PROPOSAL = "Suggested: {doses} a day. Please check this with your care team."
CALCIUM_NO_NEED = (
    "Your food gives about your daily calcium target, so no calcium doses are suggested. "
    "Please check this with your care team."
)
CALCIUM_TIMES = "Reminders: {times}."
CALCIUM_OFF = "No calcium reminders."
CALCIUM_SETTINGS = "💊 Calcium and vitamin D"
CALCIUM_SET_UP = "Set up calcium reminders"
CALCIUM_CARE_TEAM = "My care team gave other numbers"
CALCIUM_USUAL = "Use the usual numbers"
CALCIUM_TURN_OFF = "Turn calcium reminders off"
ASK_FORM = "Which calcium do you take? The box says carbonate or citrate."
FORM_CARBONATE = "Calcium carbonate"
FORM_CITRATE = "Calcium citrate"
ASK_DIET = (
    "About how much calcium do you get from food each day? If you're not sure, your care "
    "team or a dietitian can help you work it out."
)
DIET_LABELS = {0: "Very little", 300: "About 300 mg", 600: "About 600 mg", 900: "900 mg or more"}
ASK_MEAL_TIMES = "Pick {count} time{s} for your calcium ({doses}). {food}"
MEAL_TIMES_FOOD = "Choose meal times: calcium carbonate is taken with food."
MEAL_TIMES_ANY = "Calcium citrate can be taken with or without food."
MEAL_TIMES_PICKED = "Chosen: {times}. Pick {count} more."
CALCIUM_SAVED = "Saved: calcium {plan}. I'll remind you then, with Taken and Later buttons."
CALCIUM_TURNED_OFF = "Calcium reminders are off. Your set-up is kept in /bone."
ASK_CALCIUM_TARGET = (
    "How many mg of calcium a day did your care team advise? Type a number, like 1000."
)
ASK_VITAMIN_D_TARGET = "And how many IU of vitamin D a day? Type a number, like 1000."
BAD_AMOUNT = "Sorry, I couldn't use that. Type a whole number, like 1000. /cancel stops."
TARGETS_SAVED = "Saved: {calcium} mg calcium and {vitamin_d} IU vitamin D a day."
SUPPLEMENT_TAKEN = "✅ Calcium{dose}: taken at {time}."
SUPPLEMENT_LATER = "⏰ Calcium{dose}: I'll remind you again at {time}."
SUPPLEMENT_WAITING = "Calcium{dose}: waiting for your answer."
SUPPLEMENT_LATE = "Sorry this reminder is late: it was due at {time}."
TODAY_SUPPLEMENT = "{time} Calcium{dose}: {state}"
TODAY_MOVED = " (moved for your bone medicine)"
HISTORY_SUPPLEMENT = "• Calcium: {taken} of {due} taken ({percent}%)"


def _dose(dose_mg: int | None) -> str:
    return f" {dose_mg} mg" if dose_mg is not None else ""


def calcium_lines(view: CalciumView) -> str:
    """The calcium and vitamin D part of /bone."""
    goal = view.targets
    whose = CALCIUM_CARE_TEAM_NUMBERS if goal.from_care_team else CALCIUM_STATEMENT_NUMBERS
    lines = [
        CALCIUM_HEAD,
        CALCIUM_TARGETS.format(calcium=goal.calcium_mg, vitamin_d=goal.vitamin_d_iu, whose=whose),
    ]
    if view.form is not None:
        lines.append(CALCIUM_FORM_LINE.format(form=CALCIUM_FORMS[view.form.value]))
    if view.diet_mg is not None:
        lines.append(CALCIUM_DIET.format(mg=view.diet_mg))
        lines.append(calcium_proposal(view))
    if view.times:
        lines.append(CALCIUM_TIMES.format(times=calcium_plan(view.times)))
    else:
        lines.append(CALCIUM_OFF)
    return "\n".join(lines)


def calcium_proposal(view: CalciumView) -> str:
    """The suggested split doses, or that none are needed."""
    if not view.proposal:
        return CALCIUM_NO_NEED
    return CALCIUM_PROPOSAL.format(doses=dose_list(view.proposal))


def dose_list(doses: tuple[int, ...]) -> str:
    """Say split doses plainly: '2 doses of 350 mg' or '400 mg, 350 mg and 350 mg'."""
    if len(set(doses)) == 1:
        count = len(doses)
        return f"{count} dose{'s' if count != 1 else ''} of {doses[0]} mg"
    parts = [f"{mg} mg" for mg in doses]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def calcium_plan(times: tuple[tuple[time, int | None], ...]) -> str:
    """The reminders in force, like '350 mg at 07:30 and 350 mg at 18:30'."""
    parts = [f"{dose} mg at {hhmm(at)}" if dose else hhmm(at) for at, dose in times]
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]


def ask_meal_times(view: CalciumView, chosen: list[time]) -> str:
    """Ask for the meal times still to pick."""
    count = len(view.proposal)
    carbonate = view.form is not None and view.form.value == "carbonate"
    food = MEAL_TIMES_FOOD if carbonate else MEAL_TIMES_ANY
    text = ASK_MEAL_TIMES.format(
        count=count, s="s" if count != 1 else "", doses=dose_list(view.proposal), food=food
    )
    if chosen:
        picked = ", ".join(hhmm(at) for at in sorted(chosen))
        text += "\n\n" + MEAL_TIMES_PICKED.format(times=picked, count=count - len(chosen))
    return text


def supplement_reminder(due: DueSupplement) -> str:
    """A calcium reminder: the label-style wording for its form, and why it moved if it did."""
    if due.form is not None:
        text = "💊 " + calcium_prompt_text(due.form, due.dose_mg)
    else:
        text = f"💊 Time for your calcium{_dose(due.dose_mg)}."
    if due.late:
        text += "\n" + SUPPLEMENT_LATE.format(time=hhmm(due.due_local))
    if due.moved_reason:
        text += "\n\n" + due.moved_reason
    return text


def supplement_answered(answer: SupplementAnswer) -> str:
    """Replace a calcium reminder's text once answered, so the chat shows the outcome."""
    dose = _dose(answer.dose_mg)
    if answer.status == "taken" and answer.answered_local is not None:
        return SUPPLEMENT_TAKEN.format(dose=dose, time=hhmm(answer.answered_local))
    if answer.snoozed_until_local is not None:
        return SUPPLEMENT_LATER.format(dose=dose, time=hhmm(answer.snoozed_until_local))
    return SUPPLEMENT_WAITING.format(dose=dose)


def supplements_today(items: list[TodaySupplement]) -> str:
    """Lines for /today: today's calcium reminders and their state."""
    lines = []
    for item in items:
        state = STATUS_WORDS.get(item.status, item.status)
        if item.answered_local is not None and item.status == "taken":
            state += f" at {hhmm(item.answered_local)}"
        if item.moved:
            state += TODAY_MOVED
        at, dose = hhmm(item.due_local), _dose(item.dose_mg)
        lines.append(TODAY_SUPPLEMENT.format(time=at, dose=dose, state=state))
    return "\n".join(lines)


def supplement_history(tally: SupplementTally | None) -> str:
    """A /history line for calcium reminders (empty when there were none)."""
    if tally is None:
        return ""
    line = HISTORY_SUPPLEMENT.format(taken=tally.taken, due=tally.due, percent=tally.percent_taken)
    extras = [
        f"{count} {word}"
        for count, word in ((tally.missed, "missed"), (tally.unanswered, "not answered"))
        if count
    ]
    return line + (" — " + ", ".join(extras) if extras else "")


PILLS_SETTINGS = "🔢 Pill counts"
PILLS_HEAD = "🔢 Pill counts (optional)"
PILLS_INTRO = (
    "Count your tablets and I'll remind you to ask for more in time. Each dose you confirm "
    "as taken comes off the count."
)
PILLS_LINE_NONE = "• {name}: not counted"
PILLS_LINE = "• {name}: about {tablets} tablets left"
PILLS_NOTHING = "None of your medicines are tablets I can count."
PILLS_COUNT_BUTTON = "Count {name}"
PILLS_STOP_BUTTON = "Stop counting {name}"
ASK_PILL_COUNT = "How many {name} tablets do you have now? Type the number, like 28."
BAD_COUNT = "Sorry, I couldn't use that. Type a whole number of tablets, like 28. /cancel stops."
PILLS_SAVED = (
    "Saved: {tablets} tablets of {name}. I'll remind you to ask for more when about {at} are left."
)
PILLS_STOPPED = "I've stopped counting {name}."
REFILL_REMINDER = (
    "🧾 You have about {tablets} {name} tablets left. Time to ask your pharmacy or care team "
    "for more."
)
RECOUNT = "🔢 I've got more: update the count"


def pill_lines(views: list[CountView]) -> str:
    """The pill counts message: each countable medicine and its count now."""
    if not views:
        return PILLS_NOTHING
    lines = [PILLS_HEAD, PILLS_INTRO, ""]
    for view in views:
        name = capitalised(view.product.name)
        if view.supply is None:
            lines.append(PILLS_LINE_NONE.format(name=name))
        else:
            lines.append(PILLS_LINE.format(name=name, tablets=view.supply.tablets))
    return "\n".join(lines)


def pills_saved(view: CountView) -> str:
    """The reply once a count is saved, with when the refill reminder comes."""
    supply = view.supply
    tablets = supply.tablets if supply else 0
    at = REFILL_AT_DOSES[supply.frequency] * supply.tablets_per_dose if supply else 0
    return PILLS_SAVED.format(tablets=tablets, name=view.product.name, at=at)


def refill_reminder(product: Product, supply: PillSupply) -> str:
    """The refill reminder: what is left, and whom to ask."""
    return REFILL_REMINDER.format(tablets=supply.tablets, name=product.name)
