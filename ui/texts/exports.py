"""Words for exports, /patients, /privacy, /mydata and /deletemydata."""

from __future__ import annotations

from datetime import date

from ui.texts.common import capitalised

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
PRIVACY_VIEWS_HEAD = "Who looked at your records here:"
PRIVACY_VIEWS_NONE = "Nobody linked to you has looked at your records here yet."
ACCESS_WHAT = {
    "caring": "your day (doses, next appointment, check-in)",
    "overview": "your overview (red flags, adherence)",
    "symptom_log": "your symptom chart",
    "responses": "the answer times of alerts about you",
}
PRIVACY_CODES = (
    "If someone types invitation codes that don't work, I count them for an hour to stop "
    "guessing, even after /deletemydata. I keep no account for that, only a scrambled "
    "code made from it with a secret key, which cannot be turned back into the account."
)
PRIVACY_FOOT = (
    "/mydata sends you a copy of everything; /deletemydata erases everything; "
    "/caregiver changes who gets what."
)
MYDATA_CAPTION = (
    "Everything I hold about you, in one ZIP file: the report, the spreadsheets, FHIR, and "
    "every record I keep. Open it and start with README.txt, which says what each file holds "
    "and the time zone of the times."
)
MYDATA_TOO_LARGE = (
    "Your records are too large to send as one file: about {size} MB, and I send at most "
    "{limit} MB. Nothing was sent. /export sends your records of a shorter period, as a "
    "report or spreadsheets."
)
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


# How the audit line names a format, when not in capitals (PDF, CSV, FHIR, ALL).
FORMAT_IN_AUDIT = {"archive": "everything (/mydata)"}


def access_line(when: str, role: str, name: str, what: str) -> str:
    """One line of the views log: when, who, what they looked at."""
    return f"• {when}: {name or 'someone'} ({role}) saw {ACCESS_WHAT.get(what, what)}"


def export_line(when: str, role: str, name: str, fmt: str, first: date, last: date) -> str:
    """One audit line: when, who, which format and period."""
    who = ROLE_OF_ACTOR.get(role, role)
    if name:
        who = f"{name} ({who})"
    what = FORMAT_IN_AUDIT.get(fmt, fmt.upper())
    return f"• {when}: {who}, {what}, {first:%-d %b %Y} to {last:%-d %b %Y}"


def mydata_too_large(size_bytes: int, limit_bytes: int) -> str:
    """Why /mydata sent nothing: the archive's size and the most the bot sends, in MB."""
    megabyte = 1024 * 1024
    return MYDATA_TOO_LARGE.format(size=-(-size_bytes // megabyte), limit=limit_bytes // megabyte)


def on_hold_line(medicine: str) -> str:
    """A held medicine, for the care team and caregivers."""
    return (
        f"⏸ {capitalised(medicine)} on hold: told to stop it and call "
        "(until the care team says go on)"
    )


def glance_line(
    name: str,
    flags: list[str],
    rates: list[tuple[str, int, int]],
    last: str,
    on_hold: tuple[str, ...] = (),
) -> str:
    """One patient in /patients: open red flags, held medicines, adherence, last check-in."""
    lines = [f"👤 {name}"]
    lines.append("  ⚠️ " + "; ".join(flags) if flags else f"  {NO_OPEN_FLAGS}")
    for medicine in on_hold:
        lines.append(f"  {on_hold_line(medicine)}")
    for medicine, taken, due in rates:
        percent = round(100 * taken / due) if due else 0
        lines.append(f"  💊 {medicine}: {taken} of {due} taken ({percent}%)")
    lines.append(f"  Last check-in: {last}")
    return "\n".join(lines)
