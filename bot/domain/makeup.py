"""The make-up dose after a missed weekly or monthly oral bisphosphonate, as the labels say.

Weekly alendronate (FOSAMAX, BINOSTO), weekly risedronate (ACTONEL, ATELVIA): one tablet
on the morning after the patient remembers, never two on one day, then back to the usual
day. Monthly risedronate (ACTONEL 150 mg) and ibandronate (BONIVA 150 mg): the same, only
if the next scheduled dose is more than 7 days away; otherwise the missed tablet is
skipped. The catalogue's missed-dose texts (`MissedDoseRule`) say it in words and name
their label sections; this module turns them into a date, so the bot can remind.

Not covered, and left to the catalogue's words: risedronate 75 mg on two consecutive days
(one or both tablets missed: a rule with two cases the patient can describe better than a
button), daily tablets (the next dose is the next morning anyway), the aromatase
inhibitors ("as soon as you remember": now, not a reminder).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.catalog import Product
from bot.domain.dose_times import DoseSchedule, Frequency, dose_dates, local_instant

# Monthly tablets: a make-up only if the next dose is more than this far away (ACTONEL 150
# mg and BONIVA tablets: "within 7 days ... skip"; BONIVA: "only 1 to 7 days away").
MONTHLY_MIN_DAYS_TO_NEXT = 7


@dataclass(frozen=True)
class MakeUp:
    """When the make-up dose is due: the morning after the patient remembered."""

    local_date: date
    due_at: datetime  # aware, UTC-comparable


def has_make_up_rule(product: Product) -> bool:
    """Tell whether a missed dose of this product gets a make-up reminder."""
    return product.is_oral_bisphosphonate and product.frequency in (
        Frequency.WEEKLY,
        Frequency.MONTHLY,
    )


def make_up_for(
    product: Product, schedule: DoseSchedule, zone: ZoneInfo, remembered_at: datetime
) -> MakeUp | None:
    """Return the make-up dose of a missed tablet the patient remembered at `remembered_at`
    (None: the label says to skip it, or has no such rule).

    The make-up is at the usual time of day on the next local day; never on a day that
    already has a scheduled dose (never two on one day), and for monthly tablets never
    within 7 days of the next scheduled one.
    """
    if not has_make_up_rule(product):
        return None
    day = remembered_at.astimezone(zone).date() + timedelta(days=1)
    upcoming = next(dose_dates(schedule, day, day + timedelta(days=62)), None)
    if upcoming == day:
        return None  # the usual dose is that morning: never two on one day
    if schedule.frequency is Frequency.MONTHLY and (
        upcoming is None or (upcoming - day).days <= MONTHLY_MIN_DAYS_TO_NEXT
    ):
        return None
    return MakeUp(day, local_instant(day, schedule.time_of_day, zone))
