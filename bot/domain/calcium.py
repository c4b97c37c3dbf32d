"""Calcium and vitamin D: daily targets, dose splitting, and timing around oral bisphosphonates.

Pure domain: no Telegram, no database, no I/O. The bot informs and reminds; it never
prescribes. The targets are the 2017 joint position statement's defaults and are parameters,
because the care team's numbers win.

The heart of this module is the conflict rule: calcium, antacids and other supplements taken
close to an oral bisphosphonate stop it from being absorbed, so on a dosing day a supplement
prompt that falls too close to the dose moves to when the label allows it, with a plain reason
that names the label. The window comes from the catalogue (``Administration.fasting_minutes``
and ``Administration.other_medicines_gap``), not from a second table here.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import NamedTuple
from zoneinfo import ZoneInfo

from bot.domain.bone_health import JOINT_POSITION_2017
from bot.domain.calcium_spacing import CALCIUM_GAP, Intake, Placed, Placement, space_intakes
from bot.domain.catalog import LabelSource, Product, get_product
from bot.domain.dose_times import DoseSchedule, dose_dates, local_instant

# --------------------------------------------------------------------------- targets

TARGETS_SOURCE = LabelSource(JOINT_POSITION_2017, "Recommendations: calcium and vitamin D")

# "(minimally) calcium 1200 mg daily and vitamin D 800 to 1000 IU daily should be
# recommended" to all women starting an aromatase inhibitor. Verified against the stored
# Oncology Nursing News summary of the statement's abstract.
DEFAULT_CALCIUM_MG = 1200
DEFAULT_VITAMIN_D_IU = 800
VITAMIN_D_RANGE_IU = (800, 1000)

# Typo guards for numbers a care team types in, not clinical limits.
_CALCIUM_LIMITS_MG = (1, 2500)
_VITAMIN_D_LIMITS_IU = (1, 10000)


@dataclass(frozen=True)
class DailyTargets:
    """Elemental calcium (mg) and vitamin D (IU) a day; the care team's numbers win."""

    calcium_mg: int = DEFAULT_CALCIUM_MG
    vitamin_d_iu: int = DEFAULT_VITAMIN_D_IU
    source: LabelSource = TARGETS_SOURCE

    def __post_init__(self) -> None:
        """Refuse numbers that can only be typing errors."""
        for name, value, (low, high) in (
            ("calcium_mg", self.calcium_mg, _CALCIUM_LIMITS_MG),
            ("vitamin_d_iu", self.vitamin_d_iu, _VITAMIN_D_LIMITS_IU),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{name} {value!r} is not a plausible daily amount")

    @property
    def from_care_team(self) -> bool:
        """Tell whether these are not the statement's defaults (so cite the care team)."""
        return (self.calcium_mg, self.vitamin_d_iu) != (DEFAULT_CALCIUM_MG, DEFAULT_VITAMIN_D_IU)


def targets(calcium_mg: int | None = None, vitamin_d_iu: int | None = None) -> DailyTargets:
    """Return the daily targets, taking the care team's number wherever one is given."""
    return DailyTargets(
        calcium_mg=DEFAULT_CALCIUM_MG if calcium_mg is None else calcium_mg,
        vitamin_d_iu=DEFAULT_VITAMIN_D_IU if vitamin_d_iu is None else vitamin_d_iu,
    )


# --------------------------------------------------------------------------- forms and doses

# NIH Office of Dietary Supplements, Calcium fact sheet for health professionals: carbonate is
# absorbed best with food, citrate with or without food; absorption is highest at 500 mg or
# less at a time. # not verified against stored label text (the fact sheet itself was not
# stored; several stored pharmacist and dietitian pages say the same).
FORMS_SOURCE = LabelSource(
    "NIH Office of Dietary Supplements, Calcium: Fact Sheet for Health Professionals",
    "Calcium supplements",
)


class CalciumForm(StrEnum):
    """Which calcium salt a supplement contains; it decides whether food is needed."""

    CARBONATE = "carbonate"
    CITRATE = "citrate"


def needs_food(form: CalciumForm) -> bool:
    """Tell whether prompts for this form belong at meal times (carbonate needs food)."""
    return CalciumForm(form) is CalciumForm.CARBONATE


def calcium_prompt_text(form: CalciumForm, dose_mg: int | None = None) -> str:
    """Return the reminder wording for one calcium dose of this form."""
    amount = f" ({dose_mg} mg)" if dose_mg is not None else ""
    if needs_food(form):
        return (
            f"Time for your calcium{amount}. It is calcium carbonate: take it with a meal or "
            "just after eating, so your body can absorb it."
        )
    return f"Time for your calcium{amount}. Calcium citrate can be taken with or without food."


DEFAULT_MAX_PER_DOSE_MG = 500
ALLOWED_MAX_PER_DOSE_MG = (500, 550, 600)
DOSE_STEP_MG = 50


def propose_calcium_doses(
    target_mg: int, from_diet_mg: int, *, max_per_dose_mg: int = DEFAULT_MAX_PER_DOSE_MG
) -> list[int]:
    """Split the supplement need into the fewest even doses of at most max_per_dose_mg.

    The need is ``target_mg - from_diet_mg``, never negative; none means no doses. It is
    rounded *up* to whole 50 mg steps (so the doses cover the need, by less than 50 mg extra),
    then spread over the fewest doses that keep each one at or under the cap, as evenly as
    50 mg steps allow: doses differ by at most 50 mg, larger ones first. Examples: 700 ->
    [350, 350]; 1200 -> [400, 400, 400]; 1100 -> [400, 350, 350]. These are proposals for the
    patient to check with the care team, not a prescription.
    """
    for name, value in (("target_mg", target_mg), ("from_diet_mg", from_diet_mg)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a whole number of mg, 0 or more, not {value!r}")
    if max_per_dose_mg not in ALLOWED_MAX_PER_DOSE_MG:
        raise ValueError(f"max_per_dose_mg must be one of {ALLOWED_MAX_PER_DOSE_MG}")
    need = max(0, target_mg - from_diet_mg)
    if need == 0:
        return []
    steps = math.ceil(need / DOSE_STEP_MG)
    count = math.ceil(steps * DOSE_STEP_MG / max_per_dose_mg)
    base, extra = divmod(steps, count)
    return [(base + (1 if index < extra else 0)) * DOSE_STEP_MG for index in range(count)]


# --------------------------------------------------------------------------- conflict rule


class SupplementKind(StrEnum):
    """What a supplement prompt is for; decides which bisphosphonate window applies."""

    CALCIUM = "calcium"  # also a combined calcium + vitamin D tablet
    VITAMIN_D = "vitamin_d"  # vitamin D on its own
    ANTACID = "antacid"
    OTHER = "other"  # any other supplement: multivitamin, magnesium, iron, ...


# Minerals (calcium, magnesium, iron, aluminium) bind bisphosphonates. Antacids hold them, and
# an unknown supplement may (most multivitamins do), so those are treated as minerals too.
_MINERAL_KINDS = frozenset({SupplementKind.CALCIUM, SupplementKind.ANTACID, SupplementKind.OTHER})

_NOUNS = {
    SupplementKind.CALCIUM: "calcium",
    SupplementKind.VITAMIN_D: "vitamin D",
    SupplementKind.ANTACID: "an antacid",
    SupplementKind.OTHER: "a supplement",
}

# Project interpretation, not label text. The labels say the bisphosphonate comes before "the
# first food, beverage, or medication of the day"; a supplement taken earlier the same morning
# is still in the stomach, so prompts in the SEPARATION before the dose move too (a bedtime
# supplement the night before does not). ACTONEL 2.7 and ATELVIA 2.3 say to take calcium, antacids,
# magnesium and iron "at a different time of the day" (verified, openFDA records and the stored
# DailyMed-derived ATELVIA dosage page); "a different time of day" is read as at least
# SEPARATION away on either side. # not verified against stored label text (the 4 hours)
SEPARATION = timedelta(hours=4)


@dataclass(frozen=True)
class SupplementPrompt:
    """A supplement reminder the patient wants at a local wall-clock time."""

    kind: SupplementKind
    time_of_day: time  # naive, local
    calcium_form: CalciumForm | None = None  # CALCIUM only
    dose_mg: int | None = None  # CALCIUM only: the amount, for keeping doses apart

    def __post_init__(self) -> None:
        """Refuse prompts that could not be placed on the patient's day."""
        object.__setattr__(self, "kind", SupplementKind(self.kind))
        if self.dose_mg is not None and (isinstance(self.dose_mg, bool) or self.dose_mg < 1):
            raise ValueError("dose_mg must be a positive whole number of mg")
        if not isinstance(self.time_of_day, time) or self.time_of_day.tzinfo is not None:
            raise ValueError("time_of_day must be a naive local datetime.time")
        if self.calcium_form is not None:
            if self.kind is not SupplementKind.CALCIUM:
                raise ValueError("calcium_form is only for calcium prompts")
            object.__setattr__(self, "calcium_form", CalciumForm(self.calcium_form))


@dataclass(frozen=True)
class BisphosphonateDose:
    """The patient's oral bisphosphonate: catalogue product and its dose schedule."""

    product_key: str
    schedule: DoseSchedule
    # When the dose of a local day was really taken, or is now expected (put off with
    # Later): supplements keep clear of that moment, not of the scheduled one.
    taken: tuple[tuple[date, datetime], ...] = ()

    def __post_init__(self) -> None:
        """Refuse products without a morning routine and schedules that contradict them."""
        product = get_product(self.product_key)  # raises UnknownProduct
        if not product.is_oral_bisphosphonate:
            raise ValueError(f"{self.product_key!r} is not an oral bisphosphonate")
        if self.schedule.frequency is not product.frequency:
            raise ValueError(
                f"{self.product_key!r} is taken {product.frequency}, not {self.schedule.frequency}"
            )

    @property
    def product(self) -> Product:
        """Return the catalogue entry."""
        return get_product(self.product_key)

    def is_dosing_day(self, day: date) -> bool:
        """Tell whether a dose is due on this local date (weekly and monthly drugs skip days)."""
        return next(dose_dates(self.schedule, day, day), None) is not None

    def doses_on(self, day: date) -> bool:
        """Tell whether a dose falls on this day: a dosing day, or one it was taken on."""
        return self.is_dosing_day(day) or any(taken_day == day for taken_day, _ in self.taken)

    def dose_instant(self, day: date, zone: ZoneInfo) -> datetime:
        """Return when the day's dose was taken (or is expected), else its scheduled time."""
        for taken_day, taken_at in self.taken:
            if taken_day == day:
                return taken_at
        return local_instant(day, self.schedule.time_of_day, zone)


@dataclass(frozen=True)
class PlannedPrompt:
    """When one supplement prompt should actually fire, and why if it was moved."""

    prompt: SupplementPrompt
    fires_at: datetime  # aware, UTC
    local_date: date  # differs from the planned day only if a move crosses midnight
    local_time: time  # wall clock in the patient's zone
    reason: str | None = None  # None when unchanged
    source: LabelSource | None = None

    @property
    def moved(self) -> bool:
        """Tell whether the prompt fires at another time than the patient asked for."""
        return self.reason is not None


@dataclass(frozen=True)
class _Window:
    """The span around a dose in which one kind of supplement must not be taken."""

    before: timedelta
    after: timedelta
    different_time_of_day: bool


def _window(product: Product, kind: SupplementKind) -> _Window | None:
    """Return the label's no-supplement span for this kind, or None when there is none."""
    admin = product.administration
    if admin.other_medicines_gap is not None and kind in _MINERAL_KINDS:
        # ACTONEL and ATELVIA: calcium, antacids, magnesium, iron "at a different time of day".
        return _Window(SEPARATION, SEPARATION, different_time_of_day=True)
    if admin.fasting_minutes is not None:
        # FOSAMAX / BINOSTO 30 minutes before "other medicines" and ACTONEL 30 minutes before
        # "any oral medication or supplementation" (catalogue, verified); calcium and antacids
        # "interfere with absorption" (FOSAMAX PLUS D drug interactions, stored copy, verified).
        # BONIVA tablets 60 minutes before other medicines incl. calcium and vitamins (PI 7.1).
        # not verified against stored label text (BONIVA's 60 minutes before food and drink
        # is verified; a stored interaction monograph citing the BONIVA PI gives 1 hour)
        return _Window(SEPARATION, timedelta(minutes=admin.fasting_minutes), False)
    return None  # ATELVIA and vitamin D alone: taken after breakfast, no fasting window


def _hhmm(value: time) -> str:
    """Format a wall-clock time like the rest of the bot (texts.hhmm)."""
    return value.strftime("%H:%M")


def _because(product: Product, kind: SupplementKind, window: _Window, before_dose: bool) -> str:
    """Word the label's rule that moved a prompt, naming the drug."""
    noun, drug = _NOUNS[kind], product.drug
    if window.different_time_of_day:
        return (
            f"the {product.brand_example} label says to take {noun} at a different time of "
            f"day: close to {drug} it stops the {drug} from working."
        )
    if before_dose:
        return (
            f"{drug} must be the first thing you take that morning: {noun} before it stops "
            f"the {drug} from working."
        )
    minutes = int(window.after.total_seconds() // 60)
    return f"{noun} within {minutes} minutes of {drug} stops the {drug} from working."


def _reason(because: str, at: time, spot: Placed | None, zone: ZoneInfo, snack: bool) -> str:
    """Word why a prompt moved: the label's rule, and where it went among the day's calcium."""
    text = f"Moved to {_hhmm(at)} because {because}"
    if spot is not None and spot.later_meal:
        text = f"Moved to {_hhmm(at)}, your next meal, because {because}"
    if spot is not None and spot.how is Placement.JOINED:
        others = ", ".join(_hhmm(when.astimezone(zone).time()) for when in spot.beside)
        text += (
            f" It goes with your {others} calcium: together no more than the body takes in "
            "at once."
        )
    if spot is not None and spot.how is Placement.SPACED:
        hours = int(CALCIUM_GAP.total_seconds() // 3600)
        after = _hhmm(spot.beside[0].astimezone(zone).time())
        text += f" It comes {hours} hours after your {after} calcium, so each dose is taken in."
    if snack:
        text += " Have it with a snack."
    return text


def _planned(
    prompt: SupplementPrompt,
    at: datetime,
    zone: ZoneInfo,
    reason: str | None = None,
    source: LabelSource | None = None,
) -> PlannedPrompt:
    """Wrap an instant with its local date and time for display."""
    local = at.astimezone(zone)
    return PlannedPrompt(prompt, at, local.date(), local.time(), reason, source)


def plan_supplement_times(
    day: date,
    zone: ZoneInfo,
    prompts: Sequence[SupplementPrompt],
    bisphosphonate: BisphosphonateDose | None,
    *,
    max_per_dose_mg: int = DEFAULT_MAX_PER_DOSE_MG,
) -> list[PlannedPrompt]:
    """Return when each prompt should fire on this local day, moved clear of the dose.

    One result per prompt, in the same order. On a dosing day a prompt in
    ``[dose - SEPARATION, dose + after)`` moves to ``dose + after`` with a reason and the
    label's source; ``after`` is the catalogue's fasting window (30 or 60 minutes) or, for
    minerals with ACTONEL/ATELVIA, SEPARATION. A prompt exactly at the window's end is
    unchanged. Other days, and patients without an oral bisphosphonate, are untouched.
    Windows are measured in real elapsed time, so DST changes cannot shorten them. The
    window runs from when the dose was really taken, or is now expected after a Later
    (`BisphosphonateDose.taken`), else from its scheduled time.

    A calcium prompt so moved then keeps clear of the day's other calcium prompts, so two
    doses never add up to more than `max_per_dose_mg` at once, and calcium carbonate goes
    to one of the patient's meals when one has room (`bot.domain.calcium_spacing`).
    """
    fixed = [_planned(p, local_instant(day, p.time_of_day, zone), zone) for p in prompts]
    if bisphosphonate is None or not bisphosphonate.doses_on(day):
        return fixed
    product = bisphosphonate.product
    dose_at = bisphosphonate.dose_instant(day, zone)
    moves: list[tuple[_Window, bool, datetime] | None] = []
    for item in fixed:
        window = _window(product, item.prompt.kind)
        if window is None or not dose_at - window.before <= item.fires_at < dose_at + window.after:
            moves.append(None)
        else:
            moves.append((window, item.fires_at < dose_at, dose_at + window.after))
    spots = _space_calcium(fixed, moves, max_per_dose_mg)
    planned: list[PlannedPrompt] = []
    for item, move, spot in zip(fixed, moves, spots, strict=True):
        if move is None:
            planned.append(item)
            continue
        window, before_dose, moved_to = move
        at = spot.at if spot is not None else moved_to
        local_time = at.astimezone(zone).time()
        because = _because(product, item.prompt.kind, window, before_dose)
        on_meal = spot is not None and (
            spot.how in (Placement.MEAL, Placement.JOINED)
            or (spot.how is Placement.KEPT and not window.different_time_of_day)
        )
        snack = item.prompt.calcium_form is CalciumForm.CARBONATE and not on_meal
        reason = _reason(because, local_time, spot, zone, snack)
        planned.append(_planned(item.prompt, at, zone, reason, product.administration.source))
    return planned


def _space_calcium(
    fixed: Sequence[PlannedPrompt],
    moves: Sequence[tuple[_Window, bool, datetime] | None],
    max_per_dose_mg: int,
) -> list[Placed | None]:
    """Place the moved calcium prompts clear of the day's other calcium (None: not calcium)."""
    calcium = [i for i, item in enumerate(fixed) if item.prompt.kind is SupplementKind.CALCIUM]
    intakes = []
    for index in calcium:
        item, move = fixed[index], moves[index]
        carbonate = item.prompt.calcium_form is CalciumForm.CARBONATE
        intakes.append(
            Intake(
                item.fires_at if move is None else move[2],
                item.prompt.dose_mg,
                displaced=move is not None,
                needs_food=carbonate,
                at_is_meal=move is not None and not move[0].different_time_of_day,
            )
        )
    meals = [
        fixed[i].fires_at for i in calcium if fixed[i].prompt.calcium_form is CalciumForm.CARBONATE
    ]
    found: list[Placed | None] = [None] * len(fixed)
    spots = space_intakes(intakes, meals, max_per_dose_mg=max_per_dose_mg)
    for index, spot in zip(calcium, spots, strict=True):
        found[index] = spot
    return found


# --------------------------------------------------------------------------- day by day


class PromptTime(NamedTuple):
    """One day's reminder of a supplement prompt: its day, when it fires, why it moved."""

    local_date: date  # the day it belongs to (one reminder per prompt and day)
    due_at: datetime  # aware, UTC; later than asked on a bisphosphonate's dosing day
    reason: str | None = None  # None when unchanged


def prompt_time(
    prompt: SupplementPrompt,
    day: date,
    zone: ZoneInfo,
    bisphosphonate: BisphosphonateDose | None,
    companions: Sequence[SupplementPrompt] = (),
) -> PromptTime:
    """Return when a prompt fires on a local day, moved clear of the dose if need be, and
    clear of the patient's other supplement prompts of that day (`companions`)."""
    planned = plan_supplement_times(day, zone, [prompt, *companions], bisphosphonate)[0]
    return PromptTime(day, planned.fires_at, planned.reason)


_LOOKBACK_DAYS = 2  # a due time can fall on a later local day than its own (a DST gap)


def unrecorded_prompt_times(
    prompt: SupplementPrompt,
    zone: ZoneInfo,
    bisphosphonate: BisphosphonateDose | None,
    *,
    recorded_until: datetime | None,
    started_at: datetime,
    companions: Sequence[SupplementPrompt] = (),
) -> Iterator[PromptTime]:
    """Yield a prompt's reminders day by day from the first day not yet recorded, endlessly.

    `recorded_until` is the due time of the last day recorded (None: none yet). A day counts
    as recorded when the time the patient asked for is at or before it: exact, because a
    move only ever delays a prompt, and by hours, so a changed bisphosphonate schedule can
    move a day's time but never bring a recorded day back. Before anything is recorded, a
    day counts from the first whose (moved) time is at or after `started_at`.
    """
    since = recorded_until or started_at
    day = since.astimezone(zone).date() - timedelta(days=_LOOKBACK_DAYS)
    while True:
        timed = prompt_time(prompt, day, zone, bisphosphonate, companions)
        if recorded_until is None:
            fresh = timed.due_at >= started_at
        else:
            fresh = local_instant(day, prompt.time_of_day, zone) > recorded_until
        if fresh:
            yield timed
        day += timedelta(days=1)
