"""Treatment reviews: the aromatase inhibitor's planned length, and the review reminders."""

from __future__ import annotations

from datetime import date

from ui.texts.common import long_date

AI_PLAN_BUTTON = "🗓 {drug}: how long it is planned for"
AI_PLAN_ASK = (
    "How long is your {drug} planned for? Your care team will have told you. "
    "I'll remind you to check with them when that time is up."
)
AI_YEARS_LABEL = "{years} years"
AI_NOT_SURE = "I'm not sure"
AI_STARTED_ASK = "When did you start taking it?"
AI_STARTED_THIS_YEAR = "This year"
AI_STARTED_YEARS_AGO = "{years} years ago"
AI_STARTED_A_YEAR_AGO = "1 year ago"
AI_PLAN_UNSET = "No planned length is recorded for your {drug}."
AI_PLAN_SAVED = (
    "Saved: {drug} planned for {years} years, to about {date}. I'll remind you then to ask "
    "your care team whether to stop or go on."
)


def ai_plan_saved(drug: str, years: int | None, ends_on: date | None) -> str:
    """The reply once the planned length is saved (or cleared)."""
    if years is None or ends_on is None:
        return AI_PLAN_UNSET.format(drug=drug)
    return AI_PLAN_SAVED.format(drug=drug, years=years, date=long_date(ends_on))


def review_reminder(message: str) -> str:
    """The review job's message, with its mark."""
    return f"🗓 {message}"
