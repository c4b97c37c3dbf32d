"""Where a calcium dose goes when a bisphosphonate moves it: clear of the day's other calcium.

Pure time arithmetic: no Telegram, no database, no I/O, no wording (`bot.domain.calcium`
words the reasons). The bot splits a day's calcium into doses of at most 500 to 600 mg
because the body takes in no more than that at once (`propose_calcium_doses`). A dose that
an oral bisphosphonate's window pushes later can land right beside the next one (ACTONEL's
"different time of day": a breakfast dose moved to 11:00, an hour and a half before the
lunch one), and then the two are one large dose. So a displaced dose goes to the first time
at or after the window that keeps it `CALCIUM_GAP` from every other calcium dose of the day,
unless the doses it would sit beside add up to no more than the cap; calcium carbonate,
which needs food, goes to one of the patient's meals when one has room, and otherwise keeps
the gap and is taken with a snack. Doses are only ever moved later, never earlier.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import NamedTuple

from bot.domain.catalog import LabelSource

# "Normally, it takes about two hours for calcium absorption to take place." (Harvard Women's
# Health Watch, stored page). Two doses closer than this are absorbed as one. Project
# interpretation: the page gives the time absorption takes, not a rule for spacing doses.
CALCIUM_GAP = timedelta(hours=2)
GAP_SOURCE = LabelSource(
    "Robb-Nicholson C. Get the amount of calcium you need. Harvard Women's Health Watch, 2008",
    "calcium absorption takes about two hours; the body absorbs about 500 mg at a time",
)


class Placement(StrEnum):
    """How a displaced calcium dose was placed among the day's others."""

    KEPT = "kept"  # where the bisphosphonate's window left it: clear of every other dose
    MEAL = "meal"  # carbonate: at a later meal of the patient's, clear of the other doses
    JOINED = "joined"  # beside another dose, the two within the cap together
    SPACED = "spaced"  # later still, CALCIUM_GAP after another dose


@dataclass(frozen=True)
class Intake:
    """One calcium dose of a day, as the bisphosphonate's window left it."""

    at: datetime  # aware; after the window's move, when `displaced`
    mg: int | None  # None: amount unknown, counted as a full dose
    displaced: bool  # moved by a bisphosphonate's window, so it may move again
    needs_food: bool = False  # calcium carbonate
    at_is_meal: bool = False  # `at` is a meal: the first food a fasting window allows


class Placed(NamedTuple):
    """Where one intake goes, how, and the doses it was placed beside or kept clear of."""

    at: datetime
    how: Placement
    beside: tuple[datetime, ...] = ()  # JOINED: the doses it joins; SPACED: the one it follows
    later_meal: bool = False  # moved on to one of the patient's later meals


def space_intakes(
    intakes: Sequence[Intake],
    meals: Sequence[datetime],
    *,
    max_per_dose_mg: int,
    gap: timedelta = CALCIUM_GAP,
) -> list[Placed]:
    """Place each displaced intake clear of the day's other calcium; keep the rest.

    One result per intake, in the same order. Intakes that were not displaced stay where
    they are. Displaced ones are placed in time order, each at the first candidate at or
    after its `at` whose neighbours (doses placed less than `gap` away) add up, with it, to
    at most `max_per_dose_mg`: for carbonate the candidates are its own time when that is a
    meal, then the patient's `meals`; then, for every form, its own time and `gap` after
    each other dose. The last of those always fits, so every intake gets a place.
    """
    placed: list[Placed | None] = [
        None if intake.displaced else Placed(intake.at, Placement.KEPT) for intake in intakes
    ]
    order = sorted(
        (index for index, intake in enumerate(intakes) if intake.displaced),
        key=lambda index: intakes[index].at,
    )
    for index in order:
        intake = intakes[index]
        others = [
            (spot.at, intakes[other].mg, intakes[other].displaced)
            for other, spot in enumerate(placed)
            if spot is not None and other != index
        ]
        placed[index] = _place(intake, others, meals, max_per_dose_mg, gap)
    return [spot for spot in placed if spot is not None]


def _place(
    intake: Intake,
    others: list[tuple[datetime, int | None, bool]],
    meals: Sequence[datetime],
    cap: int,
    gap: timedelta,
) -> Placed:
    """The first place that fits one displaced intake (see `space_intakes`)."""
    mine = intake.mg if intake.mg is not None else cap

    def beside(at: datetime) -> tuple[datetime, ...]:
        return tuple(when for when, _, _ in others if abs(when - at) < gap)

    def load(at: datetime) -> list[int]:
        return [cap if mg is None else mg for when, mg, _ in others if abs(when - at) < gap]

    def fits(at: datetime) -> bool:
        """Within the cap around `at`, and around every moved dose it would sit beside
        (a dose placed earlier must not be crowded by this one)."""
        near = load(at)
        if near and mine + sum(near) > cap:
            return False
        return all(
            mine + sum(load(when)) <= cap
            for when, _, moved in others
            if moved and abs(when - at) < gap
        )

    def placed(at: datetime, alone: Placement, later_meal: bool = False) -> Placed:
        near = beside(at)
        return Placed(at, Placement.JOINED if near else alone, near, later_meal)

    if intake.needs_food:
        if intake.at_is_meal and fits(intake.at):
            return placed(intake.at, Placement.KEPT)
        for meal in sorted(meal for meal in meals if meal > intake.at):
            if fits(meal):
                return placed(meal, Placement.MEAL, later_meal=True)
    if fits(intake.at):
        return placed(intake.at, Placement.KEPT)
    for at in sorted(when + gap for when, _, _ in others if when + gap > intake.at):
        if fits(at):
            return Placed(at, Placement.SPACED, (at - gap,))
    raise AssertionError("a gap after the last dose always fits")  # pragma: no cover


def too_close(at: time, chosen: Sequence[time], gap: timedelta = CALCIUM_GAP) -> time | None:
    """Return a chosen time less than `gap` from `at` on the clock (None: there is none).

    The set-up asks this of every meal time picked, so the patient's own doses are never
    absorbed as one either. The clock wraps: 23:30 and 00:30 are an hour apart.
    """
    day = 24 * 60
    mine = at.hour * 60 + at.minute
    for other in chosen:
        apart = abs(other.hour * 60 + other.minute - mine)
        if min(apart, day - apart) < gap.total_seconds() / 60:
            return other
    return None
