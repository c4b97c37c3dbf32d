"""Care around the medicines: dental checks, a weekly exercise nudge and pill counts.

Pure domain: no Telegram, no database, no I/O. The bot informs and reminds; it never
prescribes. Clinical sentences name the label or guideline they follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.bone_health import JOINT_POSITION_2017, add_months
from bot.domain.catalog import ANTIRESORPTIVES, AdviceTopic, LabelSource, Product, get_product
from bot.domain.dose_times import Frequency


@dataclass(frozen=True)
class CareMessage:
    """A plain message and the sources its clinical sentences follow."""

    text: str
    sources: tuple[LabelSource, ...]


# --------------------------------------------------------------------------- dental checks

_ONJ_SECTION = "5 Warnings and Precautions: Osteonecrosis of the Jaw"
# Cancer Care Ontario / ASCO 2017: "Risk factors for osteonecrosis of the jaw ... should be
# assessed, and any pending dental or oral health problems should be dealt with prior to
# starting treatment." Verified against a stored copy of the guideline's abstract.
BEFORE_START_SOURCE = LabelSource(
    "Dhesy-Thind S, et al. Use of Adjuvant Bisphosphonates and Other Bone-Modifying Agents in "
    "Breast Cancer: a Cancer Care Ontario and ASCO Clinical Practice Guideline. "
    "J Clin Oncol 2017;35:2062-81",
    "Recommendations",
)
# The labels' ONJ sections: tell the dentist, good mouth care, report jaw symptoms (stored
# copies of the Prolia Medication Guide and patient pages agree).
# not verified against stored label text
GENERIC_ONJ_SOURCES = (
    LabelSource("FOSAMAX (alendronate sodium), US Prescribing Information", _ONJ_SECTION),
    LabelSource("PROLIA (denosumab) injection, US Prescribing Information", _ONJ_SECTION),
    LabelSource("RECLAST (zoledronic acid) injection, US Prescribing Information", _ONJ_SECTION),
)

# Project choice, not a label rule: a routine 6-monthly check-up. The labels ask for a mouth
# check before starting and good dental care during treatment, not an interval; the dentist's
# or care team's interval wins.
DENTAL_INTERVAL_MONTHS = 6


def needs_dental_checks(product_key: str) -> bool:
    """Tell whether a product carries the jaw-bone (ONJ) warning: bisphosphonates, denosumab."""
    return get_product(product_key).drug_class in ANTIRESORPTIVES


def _check_dates(last_check_on: date | None, today: date) -> None:
    """Refuse a last check dated in the future (a typo, or a booking, not a check)."""
    if last_check_on is not None and last_check_on > today:
        raise ValueError("the last dental check cannot be after today")


def next_dental_check(
    last_check_on: date | None, today: date, *, interval_months: int = DENTAL_INTERVAL_MONTHS
) -> date:
    """Return when the next check is due: today if none is on record or one is overdue."""
    _check_dates(last_check_on, today)
    if last_check_on is None:
        return today  # a check before starting (or as soon as possible after)
    return max(add_months(last_check_on, interval_months), today)


def dental_check_overdue(
    last_check_on: date | None, today: date, *, interval_months: int = DENTAL_INTERVAL_MONTHS
) -> bool:
    """Tell whether the interval has passed since the last check, or none is on record."""
    _check_dates(last_check_on, today)
    return last_check_on is None or add_months(last_check_on, interval_months) <= today


def _onj_sources(product: Product) -> tuple[LabelSource, ...]:
    """Return the product's own ONJ source: catalogue advice, else its label's section."""
    dental = tuple(item.source for item in product.advice if item.topic == AdviceTopic.DENTAL)
    if dental:
        return dental
    # Oral bisphosphonate labels all carry an ONJ section. # not verified against stored label
    # text
    return (
        LabelSource(
            f"{product.brand_example} ({product.drug}), US Prescribing Information", _ONJ_SECTION
        ),
    )


def dental_check_message(product_key: str, *, starting: bool = False) -> CareMessage:
    """Return why a dental check matters for this medicine, before starting or routinely."""
    product = get_product(product_key)
    if product.drug_class not in ANTIRESORPTIVES:
        raise ValueError(f"{product_key!r} carries no jaw-bone warning")
    name = product.name
    first = (
        f"Before you start {name}, a dental check-up is advised, and any dental problems "
        "should be treated first."
        if starting
        else "It is time for a dental check-up."
    )
    # Before invasive dental work: the labels' ONJ sections name tooth extraction and
    # implants, and ask the prescriber to weigh the dental work against the medicine (the
    # stored ibandronate injection summary: "consider discontinuing therapy during invasive
    # dental procedures (eg, tooth extraction, implants, surgery)"), so both the dentist and
    # the care team need to know beforehand. The bot says who to tell, never whether to stop.
    # not verified against stored label text for each product's own ONJ section
    text = (
        f"{first} Medicines that protect the bones, like {name}, can rarely cause a serious "
        "jaw bone problem (osteonecrosis of the jaw). Tell your dentist that you take "
        f"{name}, and look after your teeth and gums. Before dental work such as a tooth "
        "taken out or an implant, tell your dentist and your care team, well before the "
        "appointment. Tell your dentist or care team if you get jaw pain, loose teeth, or a "
        "sore in your mouth that does not heal."
    )
    sources = _onj_sources(product)
    return CareMessage(text, (BEFORE_START_SOURCE, *sources) if starting else sources)


# --------------------------------------------------------------------------- exercise

# "Exercise, such as resistance and weight-bearing exercise ... should be recommended" to all
# women starting an aromatase inhibitor. Verified against the stored Oncology Nursing News
# summary of the 2017 joint position statement.
EXERCISE_SOURCE = LabelSource(JOINT_POSITION_2017, "Recommendations: exercise")
EXERCISE_PROMPT_EVERY_DAYS = 7  # optional, weekly; the patient can turn it off

EXERCISE_PROMPT = CareMessage(
    "A weekly nudge for your bones. Two kinds of exercise help: weight-bearing exercise, "
    "where your feet and legs carry your weight (like brisk walking, dancing or climbing "
    "stairs), and resistance exercise, where your muscles work against a weight or band. "
    "Anything you can do counts. Check with your care team what is safe for you.",
    (EXERCISE_SOURCE,),
)


# --------------------------------------------------------------------------- pill counts

# Project choice, not a label rule: ask for a refill while about one dosing interval's worth
# is left: a week of a daily medicine, the last tablet of a weekly or monthly one, the last
# pair of the two-days-a-month risedronate.
REFILL_AT_DOSES: dict[Frequency, int] = {
    Frequency.DAILY: 7,
    Frequency.WEEKLY: 1,
    Frequency.MONTHLY: 1,
    Frequency.MONTHLY_TWO_DAYS: 2,
}


def _whole(name: str, value: object, minimum: int) -> int:
    """Return value if it is a whole number of at least minimum, else raise ValueError."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be a whole number of at least {minimum}, not {value!r}")
    return value


def refill_due(tablets_left: int, frequency: Frequency, *, tablets_per_dose: int = 1) -> bool:
    """Tell whether it is time to ask for more: about one interval's doses or fewer left."""
    _whole("tablets_left", tablets_left, 0)
    _whole("tablets_per_dose", tablets_per_dose, 1)
    return tablets_left <= REFILL_AT_DOSES[Frequency(frequency)] * tablets_per_dose


@dataclass(frozen=True)
class PillSupply:
    """How many tablets the patient has at home for one medicine."""

    tablets: int
    frequency: Frequency
    tablets_per_dose: int = 1

    def __post_init__(self) -> None:
        """Refuse counts that cannot be real and keep the frequency as the enum."""
        _whole("tablets", self.tablets, 0)
        _whole("tablets_per_dose", self.tablets_per_dose, 1)
        object.__setattr__(self, "frequency", Frequency(self.frequency))

    @property
    def doses_left(self) -> int:
        """Return how many whole doses the tablets make."""
        return self.tablets // self.tablets_per_dose

    @property
    def refill_due(self) -> bool:
        """Tell whether it is time to ask for more."""
        return refill_due(self.tablets, self.frequency, tablets_per_dose=self.tablets_per_dose)

    def after_doses(self, doses: int = 1) -> PillSupply:
        """Return the supply after doses taken, never below zero: a taken dose is a fact."""
        _whole("doses", doses, 0)
        left = max(0, self.tablets - doses * self.tablets_per_dose)
        return PillSupply(left, self.frequency, self.tablets_per_dose)

    def refilled(self, tablets_added: int) -> PillSupply:
        """Return the supply after a refill arrives."""
        _whole("tablets_added", tablets_added, 1)
        return PillSupply(self.tablets + tablets_added, self.frequency, self.tablets_per_dose)
