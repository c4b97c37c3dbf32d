"""Words for caregivers and the care team: invitations, links, settings and alerts."""

from __future__ import annotations

from datetime import time

from bot.db.models import AlertKind
from bot.domain.catalog import Product
from bot.domain.clinic_agents import stopping_warning
from bot.domain.redflags import care_team_topic
from bot.services.care_alerts import OutgoingAlert
from bot.services.care_summary import Summary as CareSummary
from bot.services.care_today import Appointment, CaredDay
from ui.texts.care_team import clinician_alert
from ui.texts.common import capitalised, day_label, hhmm, short_day
from ui.texts.exports import on_hold_line

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
    "{inviter} invited you to be their {role} in bonebot, a helper for bone-protection "
    "medicines.\n\nIf you accept and they confirm, you will get {receives}.\n\n"
    "Do you accept?"
)
INVITER_UNKNOWN = "A bonebot user"  # an invitation made before names were kept
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
LINKED_CLINICIAN = (
    "{patient} confirmed: you are now on their care team. /patients lists your patients "
    "(/label gives each your own label, such as a record number); red-flag alerts come here."
)
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
CARING_TEAMS = "On the care team of {names}: /patients shows them."
CARING_HINT = "Your buttons for each of them are below."
CARING_NO_DOSES = "No doses today."
CARING_DOSES_NOT_SHARED = "Doses: not shared with you."
CARING_CHECKIN_NOT_SHARED = "Check-ins: not shared with you."
CARING_NO_CHECKIN = "Latest check-in: none yet."
CARING_NO_APPOINTMENT = "Next appointment: none planned."
CARING_STATUS = {
    "upcoming": "⏳ due at {due}",
    "pending": "❔ due, not confirmed yet",
    "sent": "❔ due, not confirmed yet",
    "taken": "✅ taken",
    "skipped": "⏭ skipped",
    "missed": "✖ missed",
}
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
ALERT_CHECKED = "🤝 I've checked on them"
ALERT_MUTE = "🔕 Mute this kind for today"
ALERT_CHECKED_MARK = "\n\n✓ You checked on them."
ALERT_MUTED_MARK = "\n\n🔕 No more dose messages about them today (until midnight, their time)."
ALERT_ALREADY = "Already noted."


def caring_day(day: CaredDay) -> str:
    """One person in /caring: today's doses and their state, next appointment, check-in."""
    lines = [f"👤 {day.link.patient_name or 'The person you help'}"]
    lines += [f"  {on_hold_line(name)}" for name in day.on_hold]
    if not day.shares_doses:
        lines.append(f"  {CARING_DOSES_NOT_SHARED}")
    else:
        lines.append("  Today:" if day.doses else f"  {CARING_NO_DOSES}")
        for dose in day.doses:
            state = CARING_STATUS.get(dose.status, dose.status).format(due=hhmm(dose.due_local))
            if dose.status == "taken" and dose.answered_local is not None:
                state += f" at {hhmm(dose.answered_local)}"
            lines.append(f"  • {hhmm(dose.due_local)} {capitalised(dose.product.name)}: {state}")
        lines.append(f"  {_appointment_line(day.appointment)}")
    if not day.shares_checkins:
        lines.append(f"  {CARING_CHECKIN_NOT_SHARED}")
    elif day.checkin is None:
        lines.append(f"  {CARING_NO_CHECKIN}")
    else:
        said = "; ".join(day.checkin.topics) if day.checkin.topics else "nothing worrying"
        lines.append(f"  Latest check-in: {short_day(day.checkin.on)}, {said}.")
    return "\n".join(lines)


def _appointment_line(appointment: Appointment | None) -> str:
    if appointment is None:
        return CARING_NO_APPOINTMENT
    if appointment.product is None:
        what = "DXA scan" + ("" if appointment.booked else " (due around then, not booked)")
    else:
        what = capitalised(appointment.product.name)
    return f"Next appointment: {what}, {day_label(appointment.on)}."


def caring_view(days: list[CaredDay], teams: list[str]) -> str:
    """/caring: every person the caregiver helps, with their day; the patients whose care
    team they are on only by name (their view is /patients)."""
    parts = [CARING_HEAD, *(caring_day(day) for day in days)] if days else []
    if teams:
        parts.append(CARING_TEAMS.format(names=", ".join(name or "a patient" for name in teams)))
    return "\n\n".join([*parts, CARING_HINT])


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


def streak_phrase(streak: int, daily: bool) -> str:
    """Return '' for a single miss, else ' (3 days in a row now)' or ' (2 doses in a row)'."""
    if streak < 2:
        return ""
    unit = "days" if daily else "doses"
    return f" ({streak} {unit} in a row now)"


def care_alert(alert: OutgoingAlert) -> str:
    """The message a linked person gets: whom it is about and what happened, briefly."""
    if alert.role == "clinician":
        return clinician_alert(alert)
    who = alert.patient_name or "The person you help"
    if alert.kind is AlertKind.STOPPED_AGENT and alert.product is not None:
        return stopped_agent_alert(who, alert.product)
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
    streak = streak_phrase(alert.streak, alert.daily)
    return (
        f"💊 {who} hasn't confirmed their {product}{due}{streak}.\n\n"
        "You may want to check in with them."
    )


def stopped_agent_alert(who: str, product: Product) -> str:
    """A linked person told that the patient stopped or switched away from denosumab: the
    label's rebound warning, and the follow-on plan to talk over."""
    lines = [f"💉 {who} has taken {product.name} out of their plan with me (stopped or switched)."]
    lines += [f"• {text}" for text, _ in stopping_warning(product.key)[:1]]  # the risk
    lines.append("You may want to talk with them, and their care team, about a plan for after it.")
    return "\n".join(lines)
