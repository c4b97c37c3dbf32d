"""Tiers of red-flag alerts, the response figures, and runs of unconfirmed doses (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.alert_tiers import (
    AlertTimes,
    Tier,
    TierFigures,
    minutes_between,
    streak_of,
    tier_figures,
    tier_of,
)
from bot.domain.redflags import AT_ONCE_CODES, URGENT_CODES

SENT = datetime(2031, 6, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("code", "tier"),
    [
        ("upper_gi", Tier.URGENT),
        ("calcium", Tier.URGENT),
        ("fall", Tier.URGENT),
        ("jaw", Tier.WITHIN_DAY),
        ("thigh", Tier.WITHIN_DAY),
        ("adherence", Tier.ROUTINE),
        ("severe:fatigue", Tier.ROUTINE),
        ("rise:arthralgia", Tier.ROUTINE),
        ("unknown", Tier.ROUTINE),
    ],
)
def test_the_tier_follows_the_red_flag_rule(code: str, tier: Tier) -> None:
    assert tier_of(code) is tier


def test_every_sign_raised_at_once_is_urgent_or_within_a_day() -> None:
    assert URGENT_CODES <= AT_ONCE_CODES
    assert {tier_of(code) for code in AT_ONCE_CODES} == {Tier.URGENT, Tier.WITHIN_DAY}


def at(minutes: float | None) -> datetime | None:
    return None if minutes is None else SENT + timedelta(minutes=minutes)


def test_figures_give_counts_and_medians_per_tier_urgent_first() -> None:
    alerts = [
        AlertTimes(Tier.URGENT, SENT, at(10), at(90)),
        AlertTimes(Tier.URGENT, SENT, at(30), None),
        AlertTimes(Tier.URGENT, SENT, None, None),
        AlertTimes(Tier.ROUTINE, SENT, at(600), at(1440)),
    ]
    assert tier_figures(alerts) == [
        TierFigures(Tier.URGENT, 3, 2, 1, 20.0, 90.0),
        TierFigures(Tier.WITHIN_DAY, 0, 0, 0, None, None),
        TierFigures(Tier.ROUTINE, 1, 1, 1, 600.0, 1440.0),
    ]


def test_minutes_never_run_backwards_and_wait_for_the_answer() -> None:
    assert minutes_between(SENT, at(-5)) == 0.0
    assert minutes_between(SENT, None) is None


@pytest.mark.parametrize(
    ("statuses", "streak"),
    [
        (["sent"], 1),
        (["sent", "missed", "missed", "taken", "missed"], 3),
        (["sent", "skipped"], 1),
        (["pending", "sent", "missed"], 3),
        ([], 1),
    ],
)
def test_a_run_of_unconfirmed_doses_ends_at_the_last_answer(
    statuses: list[str], streak: int
) -> None:
    assert streak_of(statuses, ("taken", "skipped")) == streak
