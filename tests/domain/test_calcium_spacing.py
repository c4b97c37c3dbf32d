"""A calcium dose a bisphosphonate moves keeps clear of the day's other calcium doses, and
calcium carbonate goes to a meal when one has room."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.calcium import (
    DEFAULT_MAX_PER_DOSE_MG,
    BisphosphonateDose,
    CalciumForm,
    PlannedPrompt,
    SupplementKind,
    SupplementPrompt,
    plan_supplement_times,
    prompt_time,
)
from bot.domain.calcium_spacing import CALCIUM_GAP, Intake, Placement, space_intakes
from bot.domain.dose_times import DoseSchedule, Frequency, local_instant

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2025, 6, 2)
CARBONATE, CITRATE = CalciumForm.CARBONATE, CalciumForm.CITRATE

ACTONEL_WEEKLY = BisphosphonateDose(
    "risedronate-35-weekly-tablet", DoseSchedule(Frequency.WEEKLY, time(7, 0), weekday=0)
)
ALENDRONATE_WEEKLY = BisphosphonateDose(
    "alendronate-70-weekly-tablet", DoseSchedule(Frequency.WEEKLY, time(7, 0), weekday=0)
)


def calcium(at: time, mg: int | None = 400, form: CalciumForm = CARBONATE) -> SupplementPrompt:
    """A calcium reminder at a local time."""
    return SupplementPrompt(SupplementKind.CALCIUM, at, form, mg)


def hhmm(planned: PlannedPrompt) -> str:
    """The planned local wall-clock time."""
    return planned.local_time.strftime("%H:%M")


def taken_at(dose: BisphosphonateDose, day: date, at: time) -> BisphosphonateDose:
    """The same dose, really taken at another time that day (after a Later)."""
    return BisphosphonateDose(
        dose.product_key, dose.schedule, ((day, local_instant(day, at, BERLIN)),)
    )


def test_actonel_breakfast_calcium_keeps_two_hours_from_lunch_and_is_had_with_a_snack() -> None:
    # ACTONEL: calcium "at a different time of day" (4 hours), so breakfast's 08:00 dose
    # would land at 11:00, 90 minutes before lunch's: together 800 mg, more than is absorbed.
    day = [calcium(time(8, 0)), calcium(time(12, 30)), calcium(time(18, 30))]
    breakfast, lunch, dinner = plan_supplement_times(MONDAY, BERLIN, day, ACTONEL_WEEKLY)
    assert (hhmm(breakfast), hhmm(lunch), hhmm(dinner)) == ("14:30", "12:30", "18:30")
    assert breakfast.reason == (
        "Moved to 14:30 because the ACTONEL label says to take calcium at a different time of "
        "day: close to risedronate it stops the risedronate from working. It comes 2 hours "
        "after your 12:30 calcium, so each dose is taken in. Have it with a snack."
    )
    assert not lunch.moved
    assert not dinner.moved


def test_small_doses_join_the_next_meal_when_together_they_stay_within_the_cap() -> None:
    day = [calcium(time(8, 0), 250), calcium(time(12, 30), 250)]
    breakfast, lunch = plan_supplement_times(MONDAY, BERLIN, day, ACTONEL_WEEKLY)
    assert hhmm(breakfast) == "12:30"
    assert not lunch.moved
    assert breakfast.reason is not None
    assert breakfast.reason.startswith("Moved to 12:30, your next meal, because the ACTONEL")
    assert "It goes with your 12:30 calcium" in breakfast.reason
    assert "snack" not in breakfast.reason


def test_citrate_needs_no_meal_but_keeps_the_gap() -> None:
    day = [calcium(time(8, 0), 400, CITRATE), calcium(time(12, 30), 400, CITRATE)]
    breakfast, _ = plan_supplement_times(MONDAY, BERLIN, day, ACTONEL_WEEKLY)
    assert hhmm(breakfast) == "14:30"
    assert breakfast.reason is not None
    assert "snack" not in breakfast.reason
    alone, _ = plan_supplement_times(
        MONDAY, BERLIN, [calcium(time(8, 0), 400, CITRATE), calcium(time(18, 0))], ACTONEL_WEEKLY
    )
    assert hhmm(alone) == "11:00"  # nothing within two hours: where the label's window ends


def test_after_a_fasting_window_the_moved_dose_is_breakfast_and_stays_there() -> None:
    # Alendronate: 30 minutes before the first food; breakfast calcium goes to when it ends,
    # which is when breakfast may be eaten: a meal, so no snack, and the label's words only.
    breakfast, lunch = plan_supplement_times(
        MONDAY, BERLIN, [calcium(time(7, 15)), calcium(time(12, 30))], ALENDRONATE_WEEKLY
    )
    assert (hhmm(breakfast), hhmm(lunch)) == ("07:30", "12:30")
    assert breakfast.reason == (
        "Moved to 07:30 because calcium within 30 minutes of alendronate stops the "
        "alendronate from working."
    )


def test_a_tablet_taken_late_pushes_breakfast_calcium_clear_of_lunch_too() -> None:
    # Later pressed until 11:00: the fasting window ends at 11:30, an hour before lunch.
    dose = taken_at(ALENDRONATE_WEEKLY, MONDAY, time(11, 0))
    breakfast, lunch = plan_supplement_times(
        MONDAY, BERLIN, [calcium(time(7, 30)), calcium(time(12, 30))], dose
    )
    assert (hhmm(breakfast), hhmm(lunch)) == ("14:30", "12:30")
    assert breakfast.reason is not None
    assert breakfast.reason.endswith("Have it with a snack.")


def test_two_moved_doses_keep_apart_from_each_other() -> None:
    day = [calcium(time(6, 0)), calcium(time(8, 0)), calcium(time(18, 30))]
    early, breakfast, dinner = plan_supplement_times(MONDAY, BERLIN, day, ACTONEL_WEEKLY)
    assert (hhmm(early), hhmm(breakfast), hhmm(dinner)) == ("11:00", "13:00", "18:30")


def test_an_unknown_amount_counts_as_a_full_dose() -> None:
    day = [calcium(time(8, 0), None), calcium(time(12, 30), 100)]
    breakfast, _ = plan_supplement_times(MONDAY, BERLIN, day, ACTONEL_WEEKLY)
    assert hhmm(breakfast) == "14:30"


def test_prompt_time_sees_its_companions() -> None:
    breakfast, lunch = calcium(time(8, 0)), calcium(time(12, 30))
    alone = prompt_time(breakfast, MONDAY, BERLIN, ACTONEL_WEEKLY)
    together = prompt_time(breakfast, MONDAY, BERLIN, ACTONEL_WEEKLY, [lunch])
    assert alone.due_at.astimezone(BERLIN).time() == time(11, 0)
    assert together.due_at.astimezone(BERLIN).time() == time(14, 30)


def test_a_dose_larger_than_the_cap_still_gets_a_place() -> None:
    at = datetime(2025, 6, 2, 9, tzinfo=UTC)
    [spot] = space_intakes(
        [Intake(at, 1000, displaced=True)], [], max_per_dose_mg=DEFAULT_MAX_PER_DOSE_MG
    )
    assert (spot.at, spot.how) == (at, Placement.KEPT)


def test_a_dose_placed_later_never_crowds_one_placed_before() -> None:
    # Found by the property below: four 200 mg doses around ACTONEL taken at midnight. The
    # two moved ones must not both end up within 2 hours of the 04:01 dose with each other.
    dose = taken_at(ACTONEL_WEEKLY, MONDAY, time(0, 0))
    day = [calcium(time(0, 0), 200), calcium(time(0, 1), 200), calcium(time(4, 0), 200)]
    day.append(calcium(time(4, 1), 200))
    planned = plan_supplement_times(MONDAY, BERLIN, day, dose)
    for item in planned:
        near = [
            o for o in planned if o is not item and abs(o.fires_at - item.fires_at) < CALCIUM_GAP
        ]
        assert 200 * (len(near) + 1) <= DEFAULT_MAX_PER_DOSE_MG or not item.moved


_MINUTES = st.integers(min_value=0, max_value=23 * 60 + 59)


@given(
    times=st.lists(_MINUTES, min_size=1, max_size=4, unique=True),
    doses=st.lists(st.sampled_from([200, 250, 300, 400, 500]), min_size=4, max_size=4),
    form=st.sampled_from([CARBONATE, CITRATE]),
    dose_minute=_MINUTES,
    product=st.sampled_from([ACTONEL_WEEKLY, ALENDRONATE_WEEKLY]),
)
def test_moved_doses_only_go_later_and_never_pile_up_beyond_the_cap(
    times: list[int],
    doses: list[int],
    form: CalciumForm,
    dose_minute: int,
    product: BisphosphonateDose,
) -> None:
    dose = taken_at(product, MONDAY, time(dose_minute // 60, dose_minute % 60))
    prompts = [
        calcium(time(minute // 60, minute % 60), mg, form)
        for minute, mg in zip(times, doses, strict=False)
    ]
    planned = plan_supplement_times(MONDAY, BERLIN, prompts, dose)
    for item in planned:
        asked = local_instant(MONDAY, item.prompt.time_of_day, BERLIN)
        assert item.fires_at >= asked
    for item in planned:
        if not item.moved:
            continue  # only a move the bot made has to keep clear; the patient's own times stand
        near = [
            other
            for other in planned
            if other is not item and abs(other.fires_at - item.fires_at) < CALCIUM_GAP
        ]
        total = sum((other.prompt.dose_mg or 0) for other in near) + (item.prompt.dose_mg or 0)
        assert not near or total <= DEFAULT_MAX_PER_DOSE_MG
    assert timedelta(hours=2) == CALCIUM_GAP
