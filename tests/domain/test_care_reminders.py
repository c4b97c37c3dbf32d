"""Dental checks, the weekly exercise nudge and pill counts."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.care_reminders import (
    BEFORE_START_SOURCE,
    DENTAL_INTERVAL_MONTHS,
    EXERCISE_PROMPT,
    EXERCISE_PROMPT_EVERY_DAYS,
    PillSupply,
    dental_check_message,
    dental_check_overdue,
    needs_dental_checks,
    next_dental_check,
    refill_due,
)
from bot.domain.dose_times import Frequency

TODAY = date(2025, 9, 10)


# --------------------------------------------------------------------------- dental checks


def test_no_check_on_record_means_one_is_due_now() -> None:
    # CCO/ASCO 2017: dental problems dealt with before starting treatment.
    assert next_dental_check(None, TODAY) == TODAY
    assert dental_check_overdue(None, TODAY)


def test_next_check_is_six_months_on_clamped_to_the_month_end() -> None:
    # Project choice of a 6-monthly check-up (not a label interval).
    assert DENTAL_INTERVAL_MONTHS == 6
    assert next_dental_check(date(2025, 8, 31), TODAY) == date(2026, 2, 28)
    assert next_dental_check(date(2025, 8, 31), TODAY, interval_months=12) == date(2026, 8, 31)


def test_an_overdue_check_is_due_today() -> None:
    assert next_dental_check(date(2024, 1, 1), TODAY) == TODAY


@pytest.mark.parametrize(
    ("last", "overdue"), [(date(2025, 3, 10), True), (date(2025, 3, 11), False)]
)
def test_overdue_from_the_day_the_interval_ends(last: date, overdue: bool) -> None:
    assert dental_check_overdue(last, TODAY) is overdue


def test_a_last_check_in_the_future_is_refused() -> None:
    with pytest.raises(ValueError, match="after today"):
        next_dental_check(date(2025, 9, 11), TODAY)


@pytest.mark.parametrize(
    ("key", "needed"),
    [
        ("alendronate-70-weekly-tablet", True),
        ("risedronate-35-weekly-delayed-release", True),
        ("zoledronic-acid-5-yearly-iv", True),
        ("denosumab-60-every-6-months-sc", True),
        ("anastrozole-1-daily-tablet", False),
    ],
)
def test_dental_checks_are_for_agents_with_a_jaw_bone_warning(key: str, needed: bool) -> None:
    assert needs_dental_checks(key) is needed


def test_dental_message_names_onj_and_the_dentist() -> None:
    message = dental_check_message("denosumab-60-every-6-months-sc")
    assert message.text.startswith("It is time for a dental check-up.")
    assert "osteonecrosis of the jaw" in message.text
    assert "Tell your dentist that you take denosumab 60 mg" in message.text
    # Before invasive dental work: who to tell, and when (never whether to stop).
    assert (
        "Before dental work such as a tooth taken out or an implant, tell your dentist and "
        "your care team, well before the appointment." in message.text
    )
    assert "stop" not in message.text.lower()
    # The catalogue's PROLIA dental advice source (Medication Guide).
    assert [source.document for source in message.sources] == [
        "PROLIA (denosumab) injection, Medication Guide"
    ]


def test_before_starting_the_message_adds_the_guideline() -> None:
    message = dental_check_message("zoledronic-acid-4-every-6-months-iv", starting=True)
    assert message.text.startswith("Before you start zoledronic acid 4 mg")
    assert message.sources[0] == BEFORE_START_SOURCE
    assert "ZOMETA" in message.sources[1].document


def test_oral_bisphosphonates_cite_their_own_label_onj_section() -> None:
    message = dental_check_message("alendronate-70-weekly-tablet")
    [source] = message.sources
    assert source.document.startswith("FOSAMAX")
    assert "Osteonecrosis of the Jaw" in source.section


def test_no_dental_message_for_an_aromatase_inhibitor() -> None:
    with pytest.raises(ValueError, match="jaw-bone"):
        dental_check_message("letrozole-2-5-daily-tablet")


# --------------------------------------------------------------------------- exercise


def test_exercise_prompt_is_plain_and_sends_to_the_care_team() -> None:
    # Hadji 2017: resistance and weight-bearing exercise for everyone starting an AI.
    assert EXERCISE_PROMPT_EVERY_DAYS == 7
    assert "weight-bearing" in EXERCISE_PROMPT.text
    assert "resistance" in EXERCISE_PROMPT.text
    assert EXERCISE_PROMPT.text.endswith("Check with your care team what is safe for you.")
    [source] = EXERCISE_PROMPT.sources
    assert "J Bone Oncol 2017" in source.document


# --------------------------------------------------------------------------- pill counts


@pytest.mark.parametrize(
    ("frequency", "at_threshold", "above"),
    [
        (Frequency.DAILY, 7, 8),  # about a week left
        (Frequency.WEEKLY, 1, 2),  # one week
        (Frequency.MONTHLY, 1, 2),  # one dose
        (Frequency.MONTHLY_TWO_DAYS, 2, 3),  # the two tablets of one month
    ],
)
def test_refill_thresholds(frequency: Frequency, at_threshold: int, above: int) -> None:
    assert refill_due(at_threshold, frequency)
    assert refill_due(0, frequency)
    assert not refill_due(above, frequency)


def test_refill_threshold_scales_with_tablets_per_dose() -> None:
    assert refill_due(14, Frequency.DAILY, tablets_per_dose=2)
    assert not refill_due(15, Frequency.DAILY, tablets_per_dose=2)


def test_refill_accepts_a_stored_frequency_string() -> None:
    assert refill_due(1, "weekly")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs", [{"tablets_left": -1}, {"tablets_per_dose": 0}, {"tablets_left": True}]
)
def test_refill_refuses_impossible_counts(kwargs: dict[str, int]) -> None:
    arguments = {"tablets_left": 10, "tablets_per_dose": 1} | kwargs
    with pytest.raises(ValueError, match="whole number"):
        refill_due(
            arguments["tablets_left"],
            Frequency.DAILY,
            tablets_per_dose=arguments["tablets_per_dose"],
        )


def test_supply_goes_down_by_the_tablets_per_dose() -> None:
    supply = PillSupply(30, Frequency.DAILY, tablets_per_dose=2)
    after = supply.after_doses()
    assert after.tablets == 28
    assert after.after_doses(3).tablets == 22
    assert supply.tablets == 30  # frozen: a new value each time
    assert supply.doses_left == 15


def test_supply_never_goes_below_zero() -> None:
    assert PillSupply(1, Frequency.WEEKLY).after_doses(2).tablets == 0


def test_supply_refill_due_and_refilled() -> None:
    supply = PillSupply(8, "daily")  # type: ignore[arg-type]
    assert supply.frequency is Frequency.DAILY
    assert not supply.refill_due
    assert supply.after_doses().refill_due
    assert supply.refilled(28).tablets == 36


@pytest.mark.parametrize(
    "kwargs", [{"tablets": -1}, {"tablets": 3, "tablets_per_dose": 0}, {"tablets": 2.5}]
)
def test_supply_refuses_impossible_counts(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="whole number"):
        PillSupply(frequency=Frequency.DAILY, **kwargs)  # type: ignore[arg-type]


def test_refill_and_doses_must_be_positive_counts() -> None:
    supply = PillSupply(5, Frequency.DAILY)
    with pytest.raises(ValueError, match="whole number"):
        supply.refilled(0)
    with pytest.raises(ValueError, match="whole number"):
        supply.after_doses(-1)
