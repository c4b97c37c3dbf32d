"""Tiers of red-flag alerts for the care team, and the figures of how fast they are answered.

The tier follows the red-flag rule (`bot.domain.redflags`): what the patient is told to act
on at once and may need urgent care (upper-GI warning signs with oral bisphosphonates,
symptoms of low calcium, a fall or fracture) is **urgent**; the other signs raised at once
(jaw or thigh pain) are looked at **within a day**; the rest (severe or worsening symptoms,
wanting to stop the aromatase inhibitor) are **routine**. Remote symptom-monitoring trials
(PRO-TECT; the MSK and UAB alert systems) tier alerts this way and measure the time to act on
each tier; the figures here are those times. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from statistics import median

from bot.domain.redflags import AT_ONCE_CODES, URGENT_CODES


class Tier(StrEnum):
    """How soon the care team should look at an alert."""

    URGENT = "urgent"
    WITHIN_DAY = "within_day"
    ROUTINE = "routine"


TIER_ORDER = (Tier.URGENT, Tier.WITHIN_DAY, Tier.ROUTINE)

# An urgent alert nobody acknowledged this long after it was sent goes to the other linked
# clinicians, and the patient is told whom to call.
ESCALATE_AFTER = timedelta(minutes=30)


def tier_of(flag_code: str) -> Tier:
    """Return the tier of a red-flag episode's code."""
    if flag_code in URGENT_CODES:
        return Tier.URGENT
    if flag_code in AT_ONCE_CODES:
        return Tier.WITHIN_DAY
    return Tier.ROUTINE


@dataclass(frozen=True)
class AlertTimes:
    """When one alert was sent, first acknowledged (seen or patient contacted), resolved."""

    tier: Tier
    sent_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None


@dataclass(frozen=True)
class TierFigures:
    """For one tier: how many alerts, how many answered, and the median times (minutes)."""

    tier: Tier
    alerts: int
    acknowledged: int
    resolved: int
    median_minutes_to_acknowledge: float | None
    median_minutes_to_resolve: float | None


def minutes_between(start: datetime, end: datetime | None) -> float | None:
    """Return whole-and-fractional minutes from start to end (None while end is None)."""
    if end is None:
        return None
    return max((end - start).total_seconds(), 0.0) / 60


def tier_figures(alerts: Iterable[AlertTimes]) -> list[TierFigures]:
    """Return the figures of every tier, urgent first (a tier with no alert has zeros)."""
    by_tier: dict[Tier, list[AlertTimes]] = {tier: [] for tier in TIER_ORDER}
    for alert in alerts:
        by_tier[alert.tier].append(alert)
    figures = []
    for tier in TIER_ORDER:
        rows = by_tier[tier]
        to_ack = [
            m
            for m in (minutes_between(a.sent_at, a.acknowledged_at) for a in rows)
            if m is not None
        ]
        to_resolve = [
            m for m in (minutes_between(a.sent_at, a.resolved_at) for a in rows) if m is not None
        ]
        figures.append(
            TierFigures(
                tier,
                len(rows),
                len(to_ack),
                len(to_resolve),
                median(to_ack) if to_ack else None,
                median(to_resolve) if to_resolve else None,
            )
        )
    return figures


def streak_of(statuses_newest_first: Iterable[str], answered: Iterable[str]) -> int:
    """Return how many doses in a row, newest first, were left unanswered (taken or skipped
    ends the run). The newest is the dose being alerted about, so the run is at least 1."""
    stops = frozenset(answered)
    count = 0
    for status in statuses_newest_first:
        if status in stops:
            break
        count += 1
    return max(count, 1)
