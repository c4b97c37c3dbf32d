"""Words for clinicians: their alerts (tiered, with closure), /label and /responses.

A clinician's wording is clinical and brief: the tier first, the patient by name and the
clinician's own label, what was raised and what the patient was told. It never asks them to
"check on" the patient nor points them to /caring (a caregiver's view).
"""

from __future__ import annotations

from bot.domain.alert_tiers import ESCALATE_AFTER, Tier, TierFigures
from bot.domain.redflags import care_team_topic
from bot.services.care_alerts import OutgoingAlert
from ui.texts.common import capitalised, hhmm

TIER_NAMES = {
    Tier.URGENT: "🔴 Urgent",
    Tier.WITHIN_DAY: "🟠 Within a day",
    Tier.ROUTINE: "🟢 Routine",
}
TIER_ADVICE = {
    Tier.URGENT: "The patient was told to contact the care team right away.",
    Tier.WITHIN_DAY: "The patient was told to contact the care team soon.",
    Tier.ROUTINE: "The patient was told to mention it to the care team.",
}
ALERT_MARK_SEEN = "👁 Seen"
ALERT_CONTACTED = "📞 Patient contacted"
ALERT_RESOLVED = "✅ Resolved"
ALERT_NOTE = "📝 Resolve with a note"
ALERT_STATE_SEEN = "👁 Seen {at}"
ALERT_STATE_CONTACTED = "📞 Patient contacted {at}"
ALERT_STATE_RESOLVED = "✅ Resolved {at}"
ASK_NOTE = (
    "Type the note for this alert (up to 500 characters); it is kept with the alert and "
    "goes in the export. Send /cancel to leave it."
)
NOTE_SAVED = "Resolved, with your note."
NOTE_CANCELLED = "No note was added."
LABEL_USAGE = (
    "To label a patient, send /label, their number in /patients and the label, for "
    "example: /label 2 MRN 40017. /label 2 alone removes the label."
)
LABEL_SET = "{name} is now labelled “{label}”."
LABEL_CLEARED = "{name}'s label was removed."
LABEL_NO_SUCH = "There is no patient {number} in your /patients list."
RESPONSES_HEAD = "Your red-flag alerts, last {days} days (times from the alert):"
RESPONSES_NONE = "No red-flag alerts reached you in the last {days} days."
CLINICIAN_MISSED_DOSE = "💊 {who}: {product}{due} not confirmed{streak}."
ESCALATED_HEAD = "⏫ Passed on: nobody acknowledged this in {minutes} minutes.\n"


ESCALATED_PATIENT = (
    "Your care team hasn't seen your check-in report yet. Please call {whom} now about "
    "it, or your clinic if you can't reach them. In an emergency, call your local "
    "emergency number."
)


def escalated_to_patient(clinician_names: tuple[str, ...]) -> str:
    """The patient's message when an urgent alert went unacknowledged: whom to call."""
    named = [name for name in clinician_names if name]
    if not named:
        whom = "your care team"
    elif len(named) == 1:
        whom = named[0]
    else:
        whom = ", ".join(named[:-1]) + " or " + named[-1]
    return ESCALATED_PATIENT.format(whom=whom)


def patient_label(name: str, label: str | None) -> str:
    """A patient as a clinician sees them: 'Alice (MRN 40017)' or 'Alice'."""
    who = name or "A patient"
    return f"{who} ({label})" if label else who


def clinician_alert(alert: OutgoingAlert) -> str:
    """A clinician's alert: the tier, who, what was raised and what the patient was told."""
    who = patient_label(alert.patient_name, alert.clinic_label)
    if alert.flag_code is not None and alert.tier is not None:
        head = (
            ESCALATED_HEAD.format(minutes=int(ESCALATE_AFTER.total_seconds() // 60))
            if alert.escalated
            else ""
        )
        return (
            f"{head}{TIER_NAMES[alert.tier]} · {who}\n"
            f"Check-in: {care_team_topic(alert.flag_code)}.\n"
            f"{TIER_ADVICE[alert.tier]}"
        )
    if alert.message is not None:  # an overdue clinic-given agent
        return f"💉 {who}: {alert.message}"
    product = capitalised(alert.product.name) if alert.product else "A medicine"
    due = f" due at {hhmm(alert.due_local)}" if alert.due_local else ""
    streak = ""
    if alert.streak > 1:
        streak = f", {alert.streak} {'days' if alert.daily else 'doses'} in a row"
    return CLINICIAN_MISSED_DOSE.format(who=who, product=product, due=due, streak=streak)


def minutes_phrase_short(minutes: float | None) -> str:
    """Return '12 min', '3.5 h', '2.1 d' or 'none'."""
    if minutes is None:
        return "none"
    if minutes < 90:
        return f"{round(minutes)} min"
    if minutes < 48 * 60:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / 1440:.1f} d"


def responses_view(figures: list[TierFigures], days: int) -> str:
    """/responses: per tier, alerts, acknowledged and resolved, with median times."""
    if not any(row.alerts for row in figures):
        return RESPONSES_NONE.format(days=days)
    lines = [RESPONSES_HEAD.format(days=days)]
    for row in figures:
        lines.append(
            f"{TIER_NAMES[row.tier]}: {row.alerts} alerts; "
            f"acknowledged {row.acknowledged} (median "
            f"{minutes_phrase_short(row.median_minutes_to_acknowledge)}); "
            f"resolved {row.resolved} (median "
            f"{minutes_phrase_short(row.median_minutes_to_resolve)})"
        )
    return "\n".join(lines)
