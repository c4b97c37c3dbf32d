"""Calcium and vitamin D: targets, dose splitting and the bisphosphonate conflict rule."""

from __future__ import annotations

import math
from dataclasses import FrozenInstanceError
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.calcium import (
    ALLOWED_MAX_PER_DOSE_MG,
    DEFAULT_CALCIUM_MG,
    DEFAULT_VITAMIN_D_IU,
    SEPARATION,
    VITAMIN_D_RANGE_IU,
    BisphosphonateDose,
    CalciumForm,
    DailyTargets,
    PlannedPrompt,
    SupplementKind,
    SupplementPrompt,
    calcium_prompt_text,
    needs_food,
    plan_supplement_times,
    propose_calcium_doses,
    targets,
)
from bot.domain.catalog import ALL_PRODUCTS, UnknownProduct, get_product
from bot.domain.dose_times import DoseSchedule, Frequency

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
MONDAY = date(2025, 6, 2)  # a Monday in British Summer Time
TUESDAY = date(2025, 6, 3)

ALENDRONATE_DAILY = BisphosphonateDose(
    "alendronate-10-daily-tablet", DoseSchedule(Frequency.DAILY, time(7, 0))
)
ALENDRONATE_WEEKLY = BisphosphonateDose(
    "alendronate-70-weekly-tablet", DoseSchedule(Frequency.WEEKLY, time(7, 0), weekday=0)
)
IBANDRONATE_MONTHLY = BisphosphonateDose(
    "ibandronate-150-monthly-tablet", DoseSchedule(Frequency.MONTHLY, time(7, 0), day_of_month=1)
)
ATELVIA_WEEKLY = BisphosphonateDose(
    "risedronate-35-weekly-delayed-release",
    DoseSchedule(Frequency.WEEKLY, time(8, 0), weekday=0),
)
ACTONEL_WEEKLY = BisphosphonateDose(
    "risedronate-35-weekly-tablet", DoseSchedule(Frequency.WEEKLY, time(7, 0), weekday=0)
)
RISEDRONATE_TWO_DAYS = BisphosphonateDose(
    "risedronate-75-monthly-two-days-tablet",
    DoseSchedule(Frequency.MONTHLY_TWO_DAYS, time(7, 0), day_of_month=15),
)


def plan_one(
    at: time,
    dose: BisphosphonateDose | None = ALENDRONATE_WEEKLY,
    kind: SupplementKind = SupplementKind.CALCIUM,
    day: date = MONDAY,
    zone: ZoneInfo = LONDON,
) -> PlannedPrompt:
    """Plan a single prompt and return its result."""
    [planned] = plan_supplement_times(day, zone, [SupplementPrompt(kind, at)], dose)
    return planned


# --------------------------------------------------------------------------- targets


def test_default_targets_follow_the_2017_statement() -> None:
    # Hadji 2017 joint position statement: calcium 1200 mg, vitamin D 800-1000 IU daily.
    assert (DEFAULT_CALCIUM_MG, DEFAULT_VITAMIN_D_IU) == (1200, 800)
    assert VITAMIN_D_RANGE_IU == (800, 1000)
    default = targets()
    assert (default.calcium_mg, default.vitamin_d_iu) == (1200, 800)
    assert "J Bone Oncol 2017" in default.source.document
    assert not default.from_care_team


def test_care_team_numbers_win() -> None:
    chosen = targets(calcium_mg=1000, vitamin_d_iu=None)
    assert (chosen.calcium_mg, chosen.vitamin_d_iu) == (1000, 800)
    assert chosen.from_care_team
    assert targets(vitamin_d_iu=1000).vitamin_d_iu == 1000


@pytest.mark.parametrize(
    "kwargs",
    [{"calcium_mg": 0}, {"calcium_mg": 5000}, {"vitamin_d_iu": 0}, {"calcium_mg": True}],
)
def test_implausible_targets_are_refused(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="plausible"):
        DailyTargets(**kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- forms


def test_carbonate_needs_food_and_citrate_does_not() -> None:
    # NIH ODS calcium fact sheet: carbonate with food, citrate with or without food.
    assert needs_food(CalciumForm.CARBONATE)
    assert not needs_food(CalciumForm.CITRATE)
    assert needs_food("carbonate")  # type: ignore[arg-type]  # a stored string works


def test_prompt_wording_follows_the_form() -> None:
    carbonate = calcium_prompt_text(CalciumForm.CARBONATE, 500)
    assert "(500 mg)" in carbonate
    assert "with a meal" in carbonate
    citrate = calcium_prompt_text(CalciumForm.CITRATE)
    assert "with or without food" in citrate
    assert "mg" not in citrate


# --------------------------------------------------------------------------- dose splitting


@pytest.mark.parametrize(
    ("target", "diet", "cap", "expected"),
    [
        (700, 0, 500, [350, 350]),
        (1200, 0, 500, [400, 400, 400]),
        (1200, 500, 500, [350, 350]),
        (1100, 0, 500, [400, 350, 350]),  # 50 mg steps, as even as they allow
        (1000, 0, 500, [500, 500]),
        (500, 0, 500, [500]),
        (501, 0, 500, [300, 250]),  # rounded up: the doses always cover the need
        (30, 0, 500, [50]),
        (1200, 0, 600, [600, 600]),
        (1100, 0, 600, [550, 550]),
        (1200, 1200, 500, []),  # diet covers it: no doses
        (1200, 1500, 500, []),  # never negative
        (0, 0, 500, []),
    ],
)
def test_propose_calcium_doses(target: int, diet: int, cap: int, expected: list[int]) -> None:
    assert propose_calcium_doses(target, diet, max_per_dose_mg=cap) == expected


@pytest.mark.parametrize("cap", [450, 525, 650, 1000])
def test_dose_cap_must_be_500_to_600_in_50_mg_steps(cap: int) -> None:
    with pytest.raises(ValueError, match="max_per_dose_mg"):
        propose_calcium_doses(1200, 0, max_per_dose_mg=cap)


@pytest.mark.parametrize(("target", "diet"), [(-1, 0), (1200, -5), (True, 0), (1200.0, 0)])
def test_dose_inputs_must_be_whole_non_negative_mg(target: object, diet: object) -> None:
    with pytest.raises(ValueError, match="whole number"):
        propose_calcium_doses(target, diet)  # type: ignore[arg-type]


@given(
    target=st.integers(0, 3000),
    diet=st.integers(0, 3000),
    cap=st.sampled_from(ALLOWED_MAX_PER_DOSE_MG),
)
def test_doses_cover_the_need_in_the_fewest_even_doses(target: int, diet: int, cap: int) -> None:
    doses = propose_calcium_doses(target, diet, max_per_dose_mg=cap)
    need = max(0, target - diet)
    assert len(doses) == math.ceil(need / cap)  # fewest doses under the cap
    assert all(dose <= cap and dose % 50 == 0 and dose > 0 for dose in doses)
    assert need <= sum(doses) < need + 50
    if doses:
        assert max(doses) - min(doses) <= 50
        assert doses == sorted(doses, reverse=True)


# --------------------------------------------------------------------------- conflict rule
# FOSAMAX PI 2.6: "at least one-half hour before the first food, beverage, or medication of
# the day"; calcium, antacids and other oral medicines interfere with absorption (7.1).


def test_calcium_inside_the_alendronate_window_moves_to_its_end() -> None:
    planned = plan_one(time(7, 15))
    assert planned.moved
    assert planned.local_time == time(7, 30)
    assert planned.local_date == MONDAY
    assert planned.reason == (
        "Moved to 07:30 because calcium within 30 minutes of alendronate stops the "
        "alendronate from working."
    )
    assert planned.source == get_product("alendronate-70-weekly-tablet").administration.source
    assert "FOSAMAX" in planned.source.document


def test_calcium_at_the_window_end_is_unchanged() -> None:
    planned = plan_one(time(7, 30))
    assert not planned.moved
    assert planned.reason is None
    assert planned.source is None
    assert planned.local_time == time(7, 30)


@pytest.mark.parametrize("at", [time(7, 0), time(7, 1), time(7, 29)])
def test_calcium_from_the_dose_to_a_minute_before_the_end_moves(at: time) -> None:
    assert plan_one(at).local_time == time(7, 30)


def test_calcium_before_the_dose_that_morning_moves_after_it() -> None:
    # The dose must be the first medicine of the day, so 06:45 calcium would bind it.
    planned = plan_one(time(6, 45))
    assert planned.local_time == time(7, 30)
    assert planned.reason == (
        "Moved to 07:30 because alendronate must be the first thing you take that morning: "
        "calcium before it stops the alendronate from working."
    )


def test_pre_dose_window_reaches_back_four_hours_and_no_further() -> None:
    # Project interpretation of "first ... medication of the day" (SEPARATION = 4 hours).
    assert timedelta(hours=4) == SEPARATION
    assert plan_one(time(3, 0)).local_time == time(7, 30)
    assert not plan_one(time(2, 59)).moved


def test_late_evening_calcium_is_not_moved() -> None:
    assert not plan_one(time(21, 0)).moved


@pytest.mark.parametrize(
    ("kind", "noun"),
    [
        (SupplementKind.VITAMIN_D, "vitamin D"),
        (SupplementKind.ANTACID, "an antacid"),
        (SupplementKind.OTHER, "a supplement"),
    ],
)
def test_every_supplement_kind_waits_for_alendronate(kind: SupplementKind, noun: str) -> None:
    planned = plan_one(time(7, 10), kind=kind)
    assert planned.local_time == time(7, 30)
    assert planned.reason is not None
    assert planned.reason.startswith(f"Moved to 07:30 because {noun} within 30 minutes")


def test_ibandronate_tablet_window_is_60_minutes() -> None:
    # BONIVA tablets PI 2.2: at least 60 minutes before food, drink and other medicines.
    first = date(2025, 6, 1)
    moved = plan_one(time(7, 59), IBANDRONATE_MONTHLY, day=first)
    assert moved.local_time == time(8, 0)
    assert moved.reason == (
        "Moved to 08:00 because calcium within 60 minutes of ibandronate stops the "
        "ibandronate from working."
    )
    assert "BONIVA" in (moved.source.document if moved.source else "")
    assert not plan_one(time(8, 0), IBANDRONATE_MONTHLY, day=first).moved


def test_atelvia_calcium_goes_to_a_different_time_of_day() -> None:
    # ATELVIA PI 2.3: calcium, antacids, magnesium, iron "at a different time of the day".
    planned = plan_one(time(8, 0), ATELVIA_WEEKLY)
    assert planned.local_time == time(12, 0)
    assert planned.reason == (
        "Moved to 12:00 because the ATELVIA label says to take calcium at a different time "
        "of day: close to risedronate it stops the risedronate from working."
    )
    assert planned.source is not None
    assert "2.3 Calcium and Vitamin D Supplementation" in planned.source.section


@pytest.mark.parametrize(
    ("at", "moved"),
    [
        (time(3, 59), False),
        (time(4, 0), True),  # breakfast-time calcium before the after-breakfast dose
        (time(7, 30), True),
        (time(11, 59), True),
        (time(12, 0), False),
    ],
)
def test_atelvia_separation_is_four_hours_either_side(at: time, moved: bool) -> None:
    planned = plan_one(at, ATELVIA_WEEKLY)
    assert planned.moved is moved
    assert planned.local_time == (time(12, 0) if moved else at)


def test_atelvia_leaves_vitamin_d_alone() -> None:
    # ATELVIA is taken after breakfast (no fasting window); its label limits minerals only.
    assert not plan_one(time(8, 0), ATELVIA_WEEKLY, SupplementKind.VITAMIN_D).moved


def test_actonel_minerals_go_to_a_different_time_of_day_but_vitamin_d_waits_30_minutes() -> None:
    # ACTONEL PI 2.6-2.7: 30 minutes before any oral medication or supplementation, and
    # calcium, antacids, magnesium, iron "at a different time of the day".
    calcium = plan_one(time(7, 30), ACTONEL_WEEKLY)
    assert calcium.local_time == time(11, 0)
    assert calcium.reason is not None
    assert "ACTONEL label" in calcium.reason
    antacid = plan_one(time(10, 59), ACTONEL_WEEKLY, SupplementKind.ANTACID)
    assert antacid.local_time == time(11, 0)
    vitamin_d = plan_one(time(7, 15), ACTONEL_WEEKLY, SupplementKind.VITAMIN_D)
    assert vitamin_d.local_time == time(7, 30)
    assert not plan_one(time(7, 30), ACTONEL_WEEKLY, SupplementKind.VITAMIN_D).moved


# Expected move for a calcium prompt at the dose time, per oral product's label.
EXPECTED_CALCIUM_DELAY = {
    "alendronate-70-weekly-tablet": timedelta(minutes=30),
    "alendronate-70-weekly-oral-solution": timedelta(minutes=30),
    "alendronate-70-weekly-effervescent": timedelta(minutes=30),
    "alendronate-10-daily-tablet": timedelta(minutes=30),
    "risedronate-35-weekly-tablet": timedelta(hours=4),
    "risedronate-150-monthly-tablet": timedelta(hours=4),
    "risedronate-75-monthly-two-days-tablet": timedelta(hours=4),
    "risedronate-5-daily-tablet": timedelta(hours=4),
    "risedronate-35-weekly-delayed-release": timedelta(hours=4),
    "ibandronate-150-monthly-tablet": timedelta(minutes=60),
}


def test_every_oral_bisphosphonate_in_the_catalogue_has_a_pinned_window() -> None:
    oral = {product.key for product in ALL_PRODUCTS if product.is_oral_bisphosphonate}
    assert oral == set(EXPECTED_CALCIUM_DELAY)


@pytest.mark.parametrize(("key", "delay"), sorted(EXPECTED_CALCIUM_DELAY.items()))
def test_window_comes_from_the_catalogue(key: str, delay: timedelta) -> None:
    product = get_product(key)
    assert product.frequency is not None
    schedule = DoseSchedule(
        product.frequency,
        time(7, 0),
        weekday=0 if product.frequency is Frequency.WEEKLY else None,
        day_of_month=2 if product.frequency.value.startswith("monthly") else None,
    )
    day = MONDAY  # a Monday and the 2nd of June
    planned = plan_one(time(7, 0), BisphosphonateDose(key, schedule), day=day)
    dose_at = datetime(2025, 6, 2, 7, 0, tzinfo=LONDON).astimezone(UTC)
    assert planned.fires_at - dose_at == delay


def test_non_dosing_day_of_a_weekly_drug_is_untouched() -> None:
    assert not plan_one(time(7, 15), ALENDRONATE_WEEKLY, day=TUESDAY).moved


def test_non_dosing_day_of_a_monthly_drug_is_untouched() -> None:
    assert not plan_one(time(7, 15), IBANDRONATE_MONTHLY, day=date(2025, 6, 2)).moved


@pytest.mark.parametrize(("day", "moved"), [(14, False), (15, True), (16, True), (17, False)])
def test_two_consecutive_days_each_count(day: int, moved: bool) -> None:
    planned = plan_one(time(7, 15), RISEDRONATE_TWO_DAYS, day=date(2025, 6, day))
    assert planned.moved is moved


def test_without_a_bisphosphonate_nothing_moves() -> None:
    assert not plan_one(time(7, 15), None).moved


def test_results_keep_the_prompt_order_and_objects() -> None:
    prompts = [
        SupplementPrompt(SupplementKind.CALCIUM, time(19, 0), CalciumForm.CARBONATE),
        SupplementPrompt(SupplementKind.CALCIUM, time(7, 15), CalciumForm.CARBONATE),
        SupplementPrompt(SupplementKind.VITAMIN_D, time(7, 20)),
    ]
    planned = plan_supplement_times(MONDAY, LONDON, prompts, ALENDRONATE_WEEKLY)
    assert [item.prompt for item in planned] == prompts
    assert [item.local_time for item in planned] == [time(19, 0), time(7, 30), time(7, 30)]
    assert [item.moved for item in planned] == [False, True, True]


def test_fires_at_is_an_aware_utc_instant() -> None:
    planned = plan_one(time(7, 15))
    assert planned.fires_at == datetime(2025, 6, 2, 6, 30, tzinfo=UTC)  # 07:30 BST
    assert planned.fires_at.tzinfo is UTC
    unchanged = plan_one(time(19, 0))
    assert unchanged.fires_at == datetime(2025, 6, 2, 18, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [(date(2025, 3, 30), 6), (date(2025, 10, 26), 7)],  # London spring forward / fall back
)
def test_morning_rule_holds_on_dst_change_days(day: date, utc_hour: int) -> None:
    planned = plan_one(time(7, 15), ALENDRONATE_DAILY, day=day)
    assert planned.local_time == time(7, 30)
    assert planned.fires_at == datetime(day.year, day.month, day.day, utc_hour, 30, tzinfo=UTC)


def test_window_is_real_elapsed_time_across_fall_back() -> None:
    # New York 2025-11-02: 01:45 EDT dose; 30 real minutes later it is 01:15 EST.
    dose = BisphosphonateDose(
        "alendronate-10-daily-tablet", DoseSchedule(Frequency.DAILY, time(1, 45))
    )
    planned = plan_one(time(1, 50), dose, day=date(2025, 11, 2), zone=NEW_YORK)
    dose_at = datetime(2025, 11, 2, 5, 45, tzinfo=UTC)  # 01:45 EDT, the first of the two
    assert planned.fires_at == dose_at + timedelta(minutes=30)
    assert planned.local_time == time(1, 15)


def test_window_is_real_elapsed_time_across_spring_forward() -> None:
    # New York 2025-03-09: 01:45 EST dose; 02:00 does not exist and reads as 03:00 EDT,
    # which is still inside the window, so it moves to 30 real minutes after the dose.
    dose = BisphosphonateDose(
        "alendronate-10-daily-tablet", DoseSchedule(Frequency.DAILY, time(1, 45))
    )
    planned = plan_one(time(2, 0), dose, day=date(2025, 3, 9), zone=NEW_YORK)
    assert planned.fires_at == datetime(2025, 3, 9, 7, 15, tzinfo=UTC)
    assert planned.local_time == time(3, 15)


def test_a_move_past_midnight_reports_the_next_local_date() -> None:
    dose = BisphosphonateDose(
        "alendronate-10-daily-tablet", DoseSchedule(Frequency.DAILY, time(23, 50))
    )
    planned = plan_one(time(23, 55), dose)
    assert planned.local_date == TUESDAY
    assert planned.local_time == time(0, 20)


# --------------------------------------------------------------------------- validation


def test_unknown_product_is_refused() -> None:
    with pytest.raises(UnknownProduct):
        BisphosphonateDose("no-such-product", DoseSchedule(Frequency.DAILY, time(7, 0)))


@pytest.mark.parametrize(
    ("key", "schedule"),
    [
        ("anastrozole-1-daily-tablet", DoseSchedule(Frequency.DAILY, time(7, 0))),
        ("denosumab-60-every-6-months-sc", DoseSchedule(Frequency.DAILY, time(7, 0))),
        ("alendronate-70-weekly-tablet", DoseSchedule(Frequency.DAILY, time(7, 0))),
    ],
)
def test_non_oral_products_and_wrong_frequencies_are_refused(
    key: str, schedule: DoseSchedule
) -> None:
    with pytest.raises(ValueError, match=r"oral bisphosphonate|is taken"):
        BisphosphonateDose(key, schedule)


def test_prompt_validation() -> None:
    with pytest.raises(ValueError, match="calcium_form"):
        SupplementPrompt(SupplementKind.VITAMIN_D, time(8, 0), CalciumForm.CITRATE)
    with pytest.raises(ValueError, match="naive"):
        SupplementPrompt(SupplementKind.CALCIUM, time(8, 0, tzinfo=UTC))
    stored = SupplementPrompt("calcium", time(8, 0), "citrate")  # type: ignore[arg-type]
    assert stored.kind is SupplementKind.CALCIUM
    assert stored.calcium_form is CalciumForm.CITRATE
    with pytest.raises(FrozenInstanceError):
        stored.time_of_day = time(9, 0)  # type: ignore[misc]
