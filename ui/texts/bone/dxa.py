"""Words for bone density (DXA) scans and the fracture-risk questions."""

from __future__ import annotations

from datetime import date

from bot.domain.bone_health import CRITERIA_MET_WITHOUT_SCAN_MESSAGE, NO_SCAN_MESSAGE, SCAN_ADVICE
from bot.services.bone.dxa import DxaStep, DxaView
from ui.texts.common import long_date

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
DXA_REMIND_BASELINE = (
    "🩻 Experts advise a bone density (DXA) scan for everyone taking an aromatase inhibitor, "
    "and I have none on record for you. Please ask your care team about one. When it is "
    "booked or done, tell me below."
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
    if step is DxaStep.BASELINE:
        return DXA_REMIND_BASELINE
    if step is DxaStep.BOOK_AHEAD:
        return DXA_REMIND_BOOK.format(date=long_date(view.next_on or view.today))
    return DXA_REMIND_TODAY if view.next_is_booked else DXA_REMIND_DUE


def scan_saved(view: DxaView, scanned_on: date) -> str:
    """The reply once a result is saved: the record as it stands, from the saved scan."""
    return SCAN_SAVED.format(date=long_date(scanned_on)) + "\n\n" + dxa_lines(view)


def risk_done(view: DxaView) -> str:
    """The end of the risk questions: thanks, and the statement's message when it applies.

    With no scan on record the message says so itself (answers only), so only the advice to
    have a scan follows it; the buttons under it (`scan_setup_buttons`) offer to add one.
    """
    lines = [RISK_SAVED]
    message = view.assessment.message
    if message:
        lines.append(message)
    if view.assessment.scan_missing:
        lines.append(
            SCAN_ADVICE
            if message and message.startswith(CRITERIA_MET_WITHOUT_SCAN_MESSAGE)
            else NO_SCAN_MESSAGE
        )
    return "\n\n".join(lines)
