"""When a long treatment is due a review with the care team: reminders, never a decision.

Pure domain: no Telegram, no database, no I/O. Two reviews the labels and guidelines ask for:

* An oral bisphosphonate: "Optimal duration of use has not been determined. For patients at
  low-risk for fracture, consider drug discontinuation after 3 to 5 years of use" (FOSAMAX,
  ACTONEL, ATELVIA and BONIVA tablets, 1 Indications and Usage, Limitations of Use; stored
  openFDA label records, verified). The bot reminds at 3 and at 5 years of use it knows of.
* An aromatase inhibitor: taken for 5 years, or extended "for up to a total of 10 years of
  adjuvant endocrine treatment" (Burstein HJ, Lacchetti C, Griggs JJ. Adjuvant Endocrine
  Therapy for Women With Hormone Receptor-Positive Breast Cancer: ASCO Clinical Practice
  Guideline Focused Update. J Oncol Pract 2019;15:106-7; stored summary, verified). The
  planned length is the care team's; the bot reminds when it ends.

Each message says to go on taking the medicine until the care team says otherwise: the bot
never suggests stopping.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.domain.bone_health import add_months
from bot.domain.catalog import LabelSource


class ReviewKind(StrEnum):
    """Which treatment a review is about (stored codes: never rename)."""

    ORAL_BISPHOSPHONATE = "oral_bisphosphonate"
    AROMATASE_INHIBITOR = "aromatase_inhibitor"


ORAL_BISPHOSPHONATE_REVIEW_YEARS = (3, 5)
AROMATASE_INHIBITOR_YEARS = (5, 7, 10)  # the planned lengths a care team may set
STARTED_YEARS_AGO = (0, 1, 2, 3, 4, 5)  # "When did you start it?": this year .. 5 years ago

BISPHOSPHONATE_SOURCE = LabelSource(
    "FOSAMAX, ACTONEL, ATELVIA and BONIVA tablets, US Prescribing Information",
    "1 Indications and Usage: Limitations of Use",
)
AROMATASE_INHIBITOR_SOURCE = LabelSource(
    "Burstein HJ, et al. Adjuvant Endocrine Therapy for Women With Hormone Receptor-Positive "
    "Breast Cancer: ASCO Clinical Practice Guideline Focused Update, 2018",
    "Recommendations 1 to 3 (up to a total of 10 years)",
)


@dataclass(frozen=True)
class Review:
    """One review reminder: the day it is due, after how many years, and its message."""

    on: date
    years: int
    message: str
    source: LabelSource


def review_dates(
    kind: ReviewKind, started_on: date, planned_years: int | None = None
) -> tuple[date, ...]:
    """Return the days reviews are due: 3 and 5 years into an oral bisphosphonate; the
    planned end of an aromatase inhibitor (none when no length is planned)."""
    if kind is ReviewKind.ORAL_BISPHOSPHONATE:
        return tuple(add_months(started_on, 12 * n) for n in ORAL_BISPHOSPHONATE_REVIEW_YEARS)
    if planned_years is None:
        return ()
    if planned_years not in AROMATASE_INHIBITOR_YEARS:
        raise ValueError(f"{planned_years} years is not one of {AROMATASE_INHIBITOR_YEARS}")
    return (add_months(started_on, 12 * planned_years),)


def next_review(
    kind: ReviewKind,
    started_on: date,
    planned_years: int | None,
    sent_on: date | None,
    today: date,
) -> date | None:
    """Return the next review day not yet sent (the newest one due, if several are)."""
    pending = [
        on for on in review_dates(kind, started_on, planned_years) if not sent_on or on > sent_on
    ]
    due = [on for on in pending if on <= today]
    if due:
        return due[-1]
    return pending[0] if pending else None


def review_message(kind: ReviewKind, drug: str, started_on: date, on: date) -> Review:
    """The review reminder for a day (from `review_dates`)."""
    years = round((on - started_on).days / 365.25)
    if kind is ReviewKind.ORAL_BISPHOSPHONATE:
        text = (
            f"You have been taking {drug} for about {years} years, as far as I know. Its "
            "label says the need to go on should be checked from time to time: for some "
            "people it can stop after 3 to 5 years. Please ask your care team at your next "
            "visit. Keep taking it until they tell you otherwise."
        )
        return Review(on, years, text, BISPHOSPHONATE_SOURCE)
    text = (
        f"Your {drug} was planned for {years} years, and that time is about up. Please ask "
        "your care team whether to stop or to go on. Keep taking it until they tell you."
    )
    return Review(on, years, text, AROMATASE_INHIBITOR_SOURCE)
