"""Catalogue of the medicines the bot reminds about, with their US label instructions.

Pure domain data: no Telegram, no database, no I/O. The bot informs and reminds; it never
prescribes. Every patient-facing sentence here paraphrases the US drug label (Prescribing
Information, Medication Guide or Patient Information) named in its ``source``.

Verification status is recorded next to each entry. "Verified" means the wording was checked
against stored copies of the label text (openFDA label records quoted verbatim, the label's
dosage section as republished, or the manufacturer's patient page). Lines marked
``# not verified against stored label text`` come from knowledge of the label and must be
checked against the current label on DailyMed before release.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from bot.domain.dose_times import Frequency

KEY_MAX_LENGTH = 40
LABEL_MAX_LENGTH = 32
INSTRUCTION_MAX_LENGTH = 110
# A reminder is its heading and at most this many short lines (the full lines on request).
SHORT_LINES = 3
SHORT_LINE_MAX_LENGTH = 66
_KEY_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class DrugClass(StrEnum):
    """Pharmacological family; decides which reminders and follow-ups apply."""

    AROMATASE_INHIBITOR = "aromatase_inhibitor"
    ORAL_BISPHOSPHONATE = "oral_bisphosphonate"
    IV_BISPHOSPHONATE = "iv_bisphosphonate"
    RANKL_INHIBITOR = "rankl_inhibitor"


# The bone-modifying agents (bisphosphonates and denosumab): the jaw and thigh questions,
# the dental check-ups and the bone calendar follow them.
ANTIRESORPTIVES = frozenset(
    {DrugClass.ORAL_BISPHOSPHONATE, DrugClass.IV_BISPHOSPHONATE, DrugClass.RANKL_INHIBITOR}
)


class Timing(StrEnum):
    """When in the day the label says to take the dose."""

    ANY_TIME = "any_time"  # with or without food
    AFTER_MEAL = "after_meal"
    ON_WAKING_FASTING = "on_waking_fasting"
    AFTER_BREAKFAST = "after_breakfast"
    CLINIC = "clinic"


class AdviceTopic(StrEnum):
    """Kind of label advice, so handlers can pick what to show and when."""

    BEFORE_DOSE = "before_dose"
    AFTER_DOSE = "after_dose"
    AFTER_STOPPING = "after_stopping"
    CALCIUM_VITAMIN_D = "calcium_vitamin_d"
    DENTAL = "dental"
    DO_NOT_STOP = "do_not_stop"
    KIDNEYS = "kidneys"
    LOW_CALCIUM = "low_calcium"
    OVERDOSE = "overdose"
    SAME_MEDICINE = "same_medicine"
    SWALLOWING = "swallowing"


@dataclass(frozen=True)
class LabelSource:
    """Where a clinical sentence comes from, so every message can name its source."""

    document: str
    section: str

    def cite(self) -> str:
        """Return the citation shown to patients and reviewers."""
        return f"{self.document} \u2014 {self.section}"


@dataclass(frozen=True)
class Administration:
    """How to take one product, as the label says it."""

    timing: Timing
    # Short plain-English lines for the reminder message: one idea per line, no jargon.
    instructions: tuple[str, ...]
    source: LabelSource
    # Minutes to wait after the dose before food, drinks other than plain water and other
    # medicines; None when the label sets no such window.
    fasting_minutes: int | None = None
    # Minutes to stay sitting or standing after the dose.
    upright_minutes: int | None = None
    # When calcium, antacids, magnesium or iron go instead, if the label says so.
    other_medicines_gap: str | None = None
    # Alendronate labels: do not lie down until after the first food of the day as well.
    upright_until_first_food: bool = False
    # The reminder's own lines: at most three, each short, written from `instructions`
    # (the same facts, the same source). Empty only for clinic-given products, which get
    # no dose reminder; the full lines are a tap away ("Full instructions").
    short: tuple[str, ...] = ()


@dataclass(frozen=True)
class MissedDoseRule:
    """What the label tells the patient to do after a missed dose, in plain words."""

    text: str
    source: LabelSource


@dataclass(frozen=True)
class AdviceItem:
    """One piece of label advice outside the daily routine (infusion day, dental, stopping)."""

    topic: str
    text: str
    source: LabelSource


@dataclass(frozen=True)
class Product:
    """One regimen a patient can pick: a drug, strength, form and schedule."""

    key: str  # stored in the database: never change once published
    drug: str
    brand_example: str
    drug_class: DrugClass
    strength: str
    form: str
    frequency: Frequency | None  # None for clinic-given
    interval_months: int | None  # clinic-given only
    label: str  # button-sized
    name: str  # used in sentences
    administration: Administration
    missed_dose: MissedDoseRule | None
    advice: tuple[AdviceItem, ...] = ()

    def __post_init__(self) -> None:
        """Refuse entries that would break callbacks, buttons or scheduling."""
        if len(self.key) > KEY_MAX_LENGTH or not _KEY_PATTERN.fullmatch(self.key):
            raise ValueError(f"product key {self.key!r} is not a short lowercase-hyphenated id")
        if len(self.label) > LABEL_MAX_LENGTH:
            raise ValueError(f"label of {self.key!r} is longer than {LABEL_MAX_LENGTH} chars")
        if self.is_clinic_given:
            if self.frequency is not None or self.interval_months is None:
                raise ValueError(f"clinic-given {self.key!r} needs interval_months only")
        elif self.frequency is None or self.interval_months is not None:
            raise ValueError(f"self-taken {self.key!r} needs a frequency only")
        if not self.is_clinic_given and not 0 < len(self.administration.short) <= SHORT_LINES:
            raise ValueError(f"self-taken {self.key!r} needs 1 to {SHORT_LINES} short lines")

    @property
    def is_oral_bisphosphonate(self) -> bool:
        """Tell whether the strict morning routine and its follow-up apply."""
        return self.drug_class is DrugClass.ORAL_BISPHOSPHONATE

    @property
    def taken_fasting(self) -> bool:
        """Tell whether the label says to take it before the day's first food or drink."""
        return self.is_oral_bisphosphonate and self.administration.fasting_minutes is not None

    @property
    def is_clinic_given(self) -> bool:
        """Tell whether the dose is given at a clinic rather than taken at home."""
        return self.administration.timing is Timing.CLINIC

    @property
    def after_window_minutes(self) -> int | None:
        """Return when the after-dose restrictions end, or None when there are none."""
        windows = [
            minutes
            for minutes in (
                self.administration.fasting_minutes,
                self.administration.upright_minutes,
            )
            if minutes is not None
        ]
        if not self.is_oral_bisphosphonate or not windows:
            return None
        return max(windows)


class UnknownProduct(KeyError):
    """No catalogue entry has this key (a stale button or a corrupted row)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key

    def __str__(self) -> str:
        return f"unknown product key: {self.key!r}"


# --- Label sources -------------------------------------------------------------------------

# Verified: openFDA record for FOSAMAX (labeler Organon LLC, SPL 2026-03-12), section 2.6.
_FOSAMAX_PI = "FOSAMAX (alendronate sodium) tablets and oral solution, US Prescribing Information"
_FOSAMAX_PPI = "FOSAMAX (alendronate sodium) Patient Information"
_BINOSTO_PI = (
    "BINOSTO (alendronate sodium) effervescent tablet for oral solution, "
    "US Prescribing Information"
)
_BINOSTO_MG = "BINOSTO (alendronate sodium) effervescent tablet, Medication Guide"
# Verified: openFDA record for ACTONEL (Allergan/AbbVie, SPL 2026-02-04), sections 2.6, 2.7.
_ACTONEL_PI = "ACTONEL (risedronate sodium) tablets, US Prescribing Information"
_ACTONEL_MG = "ACTONEL (risedronate sodium) tablets, Medication Guide"
# Verified: openFDA record for ATELVIA (Allergan/AbbVie, SPL 2026-02-03), sections 2.2, 2.3.
_ATELVIA_PI = "ATELVIA (risedronate sodium) delayed-release tablets, US Prescribing Information"
_ATELVIA_MG = "ATELVIA (risedronate sodium) delayed-release tablets, Medication Guide"
_BONIVA_TABLET_PI = "BONIVA (ibandronate sodium) tablets, US Prescribing Information"
_BONIVA_TABLET_PPI = "BONIVA (ibandronate sodium) tablets, Patient Information"
_BONIVA_INJECTION_PI = "BONIVA (ibandronate sodium) injection, US Prescribing Information"
_ARIMIDEX = "ARIMIDEX (anastrozole) tablets"
_FEMARA = "FEMARA (letrozole) tablets"
_AROMASIN = "AROMASIN (exemestane) tablets"
_ZOMETA_PI = "ZOMETA (zoledronic acid) injection, US Prescribing Information"
_RECLAST_PI = "RECLAST (zoledronic acid) injection, US Prescribing Information"
_RECLAST_PPI = "RECLAST (zoledronic acid) injection, Patient Information"
_PROLIA_PI = "PROLIA (denosumab) injection, US Prescribing Information"
_PROLIA_MG = "PROLIA (denosumab) injection, Medication Guide"

# --- Shared instruction lines ----------------------------------------------------------------

_SWALLOWING_WARNING = (
    "Stop taking it and call your doctor right away if you get chest pain, new or worse "
    "heartburn, or trouble or pain when you swallow."
)

# FOSAMAX PI 2.6 Important Administration Instructions. The 30-minute rule and "plain water
# only" are verified against the openFDA record; the remaining lines follow the same section
# as republished for BINOSTO (verified) and are # not verified against stored label text for
# FOSAMAX itself.
_ALENDRONATE_TABLET_LINES = (
    "Take it first thing in the morning, after you get up for the day.",
    "Take it at least 30 minutes before any food, drink or other medicine.",
    "Swallow the tablet with a full glass (6 to 8 oz) of plain water.",
    "Plain water only: not mineral water, coffee, tea, juice or milk.",
    "Swallow it whole. Do not chew it or suck on it.",
    "Sit or stand upright. Do not lie down for at least 30 minutes.",
    "Do not lie down until after your first food of the day.",
    "Do not take it at bedtime or before you get up for the day.",
)

# FOSAMAX PI 2.6: oral solution "followed by at least 2 oz of plain water".
# not verified against stored label text (the stored copy of 2.6 is cut off before it).
_ALENDRONATE_SOLUTION_LINES = (
    "Take it first thing in the morning, after you get up for the day.",
    "Take it at least 30 minutes before any food, drink or other medicine.",
    "Drink the whole bottle of liquid.",
    "Then drink at least 2 oz (a quarter of a glass) of plain water.",
    "Plain water only: not mineral water, coffee, tea, juice or milk.",
    "Sit or stand upright. Do not lie down for at least 30 minutes.",
    "Do not lie down until after your first food of the day.",
    "Do not take it at bedtime or before you get up for the day.",
)

# BINOSTO PI 2.3 (06/2020), verified from the stored Highlights and section 2 text and the
# manufacturer's patient page. Neither mentions extra water after the solution, so no
# "2 oz" line is given here.
_BINOSTO_LINES = (
    "Take it first thing in the morning, after you get up for the day.",
    "Do not swallow, chew or suck the tablet. Dissolve it in water first.",
    "Put it in half a glass (4 oz) of plain water at room temperature, not cold or hot.",
    "Not mineral or flavored water, coffee, tea, soda or juice.",
    "Wait at least 5 minutes after the bubbling stops.",
    "Stir for about 10 seconds, then drink it all.",
    "Drink it at least 30 minutes before any food, drink or other medicine.",
    "Sit or stand upright. Do not lie down for at least 30 minutes.",
    "Do not lie down until after your first food of the day.",
)

# ACTONEL PI 2.6 Important Administration Instructions and 2.7 Calcium and Vitamin D
# Supplementation. The 30-minute rule, "before any oral medication or supplementation" and
# "calcium ... at a different time of the day" are verified against the openFDA record; the
# water amount, upright and chew/suck lines are # not verified against stored label text.
_ACTONEL_LINES = (
    "Take it in the morning, before you eat or drink anything except plain water.",
    "Take it at least 30 minutes before your first food or drink of the day.",
    "Take it before any other medicine, vitamin, calcium or antacid that day.",
    "Swallow the tablet whole with a full glass (6 to 8 oz) of plain water.",
    "Do not chew it or suck on it.",
    "Sit or stand upright. Do not lie down for at least 30 minutes.",
    "Take calcium, antacids, magnesium or iron at a different time of day.",
)

# ATELVIA PI 2.2 and 2.3. "In the morning immediately following breakfast" and calcium "at a
# different time of the day" are verified against the openFDA record; "at least 4 oz" water,
# "do not chew, cut or crush" and the upright 30 minutes are # not verified against stored
# label text (secondary copies agree).
_ATELVIA_LINES = (
    "Take it in the morning, straight after you finish breakfast.",
    "Do not take it before breakfast on an empty stomach.",
    "Swallow the tablet whole with at least 4 oz (half a glass) of plain water.",
    "Do not chew, cut or crush it.",
    "Sit or stand upright. Do not lie down for at least 30 minutes.",
    "Take calcium, antacids, magnesium or iron at a different time of day.",
)

# BONIVA tablets PI 2.1-2.2, verified from the stored section 2 text: "same date each month",
# "at least 60 minutes before the first food or drink (other than water)", "full glass of
# plain water (6 to 8 oz)", "avoid lying down for 60 minutes", "do not chew or suck".
_BONIVA_TABLET_LINES = (
    "Take it on the same date each month, first thing in the morning.",
    "Take it at least 60 minutes before your first food or drink of the day.",
    "Take it before any other medicine, vitamin, calcium or antacid that day.",
    "Swallow the tablet whole with a full glass (6 to 8 oz) of plain water.",
    "Plain water only: not mineral water, coffee, tea, juice or milk.",
    "Do not chew it or suck on it.",
    "Sit or stand upright. Do not lie down for at least 60 minutes.",
)

# --- Short forms -----------------------------------------------------------------------------
# What a reminder says: each written from its product's lines above, the same facts and the
# same source; each line inherits the verification status of the lines it condenses. The
# full lines, with the label's stop-and-call warning, are one tap away.

# From _ALENDRONATE_TABLET_LINES: first thing after getting up; 30 minutes before any food,
# drink or medicine; full glass (6 to 8 oz) of plain water, plain water only; whole; upright
# 30 minutes. The 30 minutes and plain water are verified (FOSAMAX 2.6); the 6 to 8 oz,
# "whole" and upright lines are # not verified against stored label text for FOSAMAX itself.
_ALENDRONATE_TABLET_SHORT = (
    "First thing after you get up, before any food or drink.",
    "Swallow it whole with a full glass (6 to 8 oz) of plain water.",
    "Stay upright and have only plain water for at least 30 minutes.",
)
# From _ALENDRONATE_SOLUTION_LINES. # not verified against stored label text (as above).
_ALENDRONATE_SOLUTION_SHORT = (
    "First thing after you get up, before any food or drink.",
    "Drink the whole bottle, then at least 2 oz of plain water.",
    "Stay upright and have only plain water for at least 30 minutes.",
)
# From _BINOSTO_LINES (verified, BINOSTO PI 2.3).
_BINOSTO_SHORT = (
    "First thing after you get up, before any food or drink.",
    "Dissolve it in half a glass (4 oz) of plain water; drink it all.",
    "Stay upright and have only plain water for at least 30 minutes.",
)
# From _ACTONEL_LINES: the 30 minutes before food, drink and other medicines is verified;
# the water amount, "whole" and upright lines are # not verified against stored label text.
_ACTONEL_SHORT = (
    "In the morning, before any food, drink or other medicine.",
    "Swallow it whole with a full glass (6 to 8 oz) of plain water.",
    "Stay upright and have only plain water for at least 30 minutes.",
)
# From _ATELVIA_LINES: "immediately following breakfast" is verified; the 4 oz, "whole" and
# upright lines are # not verified against stored label text.
_ATELVIA_SHORT = (
    "Straight after breakfast, not on an empty stomach.",
    "Swallow it whole with at least 4 oz (half a glass) of plain water.",
    "Stay upright for at least 30 minutes.",
)
# From _BONIVA_TABLET_LINES (verified, BONIVA tablets PI 2.1-2.2).
_BONIVA_TABLET_SHORT = (
    "First thing in the morning, before any food or drink.",
    "Swallow it whole with a full glass (6 to 8 oz) of plain water.",
    "Stay upright and have only plain water for at least 60 minutes.",
)

# --- Administration ------------------------------------------------------------------------

_ALENDRONATE_TABLET = Administration(
    timing=Timing.ON_WAKING_FASTING,
    instructions=_ALENDRONATE_TABLET_LINES,
    short=_ALENDRONATE_TABLET_SHORT,
    source=LabelSource(_FOSAMAX_PI, "2.6 Important Administration Instructions"),
    fasting_minutes=30,
    upright_minutes=30,
    upright_until_first_food=True,
)
_ALENDRONATE_SOLUTION = Administration(
    timing=Timing.ON_WAKING_FASTING,
    instructions=_ALENDRONATE_SOLUTION_LINES,
    short=_ALENDRONATE_SOLUTION_SHORT,
    source=LabelSource(_FOSAMAX_PI, "2.6 Important Administration Instructions"),
    fasting_minutes=30,
    upright_minutes=30,
    upright_until_first_food=True,
)
_BINOSTO = Administration(
    timing=Timing.ON_WAKING_FASTING,
    instructions=_BINOSTO_LINES,
    short=_BINOSTO_SHORT,
    source=LabelSource(_BINOSTO_PI, "2.3 Important Administration Instructions"),
    fasting_minutes=30,
    upright_minutes=30,
    upright_until_first_food=True,
)
_ACTONEL = Administration(
    timing=Timing.ON_WAKING_FASTING,
    instructions=_ACTONEL_LINES,
    short=_ACTONEL_SHORT,
    source=LabelSource(
        _ACTONEL_PI,
        "2.6 Important Administration Instructions; 2.7 Calcium and Vitamin D Supplementation",
    ),
    fasting_minutes=30,
    upright_minutes=30,
    other_medicines_gap="a different time of day",
)
_ATELVIA = Administration(
    timing=Timing.AFTER_BREAKFAST,
    instructions=_ATELVIA_LINES,
    short=_ATELVIA_SHORT,
    source=LabelSource(
        _ATELVIA_PI,
        "2.2 Important Administration Instructions; 2.3 Calcium and Vitamin D Supplementation",
    ),
    fasting_minutes=None,  # taken after breakfast: no fasting window
    upright_minutes=30,
    other_medicines_gap="a different time of day",
)
_BONIVA_TABLET = Administration(
    timing=Timing.ON_WAKING_FASTING,
    instructions=_BONIVA_TABLET_LINES,
    short=_BONIVA_TABLET_SHORT,
    source=LabelSource(_BONIVA_TABLET_PI, "2.2 Important Administration Instructions"),
    fasting_minutes=60,
    upright_minutes=60,
)

# ARIMIDEX: "with or without food". # not verified against stored label text
_ANASTROZOLE = Administration(
    timing=Timing.ANY_TIME,
    instructions=(
        "Take 1 tablet once a day.",
        "You can take it with or without food.",
    ),
    source=LabelSource(f"{_ARIMIDEX}, Patient Information", "How should I take ARIMIDEX?"),
    short=("1 tablet, with or without food.",),
)
# FEMARA PI 2.1: "once a day, without regard to meals". # not verified against stored label text
_LETROZOLE = Administration(
    timing=Timing.ANY_TIME,
    instructions=(
        "Take 1 tablet once a day.",
        "You can take it with or without food.",
    ),
    source=LabelSource(f"{_FEMARA}, US Prescribing Information", "2.1 Recommended Dose"),
    short=("1 tablet, with or without food.",),
)
# AROMASIN PI 2.1: "one 25 mg tablet once daily after a meal". Verified (Pfizer label text).
_EXEMESTANE = Administration(
    timing=Timing.AFTER_MEAL,
    instructions=(
        "Take 1 tablet once a day.",
        "Take it after a meal.",
    ),
    source=LabelSource(f"{_AROMASIN}, US Prescribing Information", "2.1 Recommended Dose"),
    short=("1 tablet, after a meal.",),
)

# ZOMETA is the 4 mg zoledronic acid product, but its US label covers hypercalcemia of
# malignancy and multiple myeloma / bone metastases (4 mg every 3-4 weeks). Adjuvant use in
# early breast cancer, 4 mg every 6 months, is NOT a labelled indication: it comes from
# oncology guidelines and trials (e.g. Z-FAST/ZO-FAST, ABCSG-12) and is the care team's plan,
# which the project brief records. Only the label's administration and safety statements are
# used here. # not verified against stored label text
_ZOMETA = Administration(
    timing=Timing.CLINIC,
    instructions=(
        "Given by your care team as a drip into a vein, over at least 15 minutes.",
        "Your care team checks your kidneys with a blood test before each dose.",
    ),
    source=LabelSource(_ZOMETA_PI, "2 Dosage and Administration"),
)
# RECLAST PI section 2 (infusion over no less than 15 minutes, once a year for
# postmenopausal osteoporosis). # not verified against stored label text
_RECLAST = Administration(
    timing=Timing.CLINIC,
    instructions=(
        "Given by your care team as a drip into a vein, over at least 15 minutes.",
        "It is given once a year, or once every 2 years if that is your care team's plan.",
        "Your care team checks your kidneys with a blood test before each dose.",
    ),
    source=LabelSource(_RECLAST_PI, "2 Dosage and Administration"),
)
# BONIVA injection PI section 2: 3 mg every 3 months, into a vein over 15 to 30 seconds, by a
# health care professional; serum creatinine before each dose.
# not verified against stored label text
_BONIVA_INJECTION = Administration(
    timing=Timing.CLINIC,
    instructions=(
        "Given by your care team as an injection into a vein, over 15 to 30 seconds.",
        "It is given once every 3 months.",
        "Your care team checks your kidneys with a blood test before each dose.",
    ),
    source=LabelSource(_BONIVA_INJECTION_PI, "2 Dosage and Administration"),
)
# PROLIA PI 2.1: 60 mg every 6 months as a subcutaneous injection in the upper arm, upper
# thigh or abdomen, by a health care provider. # not verified against stored label text
_PROLIA = Administration(
    timing=Timing.CLINIC,
    instructions=(
        "Given by your care team as an injection under the skin.",
        "It goes in the upper arm, upper thigh or belly, once every 6 months.",
    ),
    source=LabelSource(_PROLIA_PI, "2.1 Recommended Dosage"),
)

# --- Missed-dose rules ---------------------------------------------------------------------

# Verified wording for BINOSTO (manufacturer patient page = Medication Guide): "do not take it
# later in the day. Take your missed dose on the next morning after you remember and then
# return to your normal schedule. Do not take 2 doses on the same day."
_WEEKLY_ALENDRONATE_MISSED_TEXT = (
    "If you miss a dose, do not take it later that day. Take it on the morning after you "
    "remember. Never take 2 doses on the same day. Then go back to your usual day each week."
)
_MISSED_FOSAMAX_WEEKLY = MissedDoseRule(
    # FOSAMAX PI 17 says the same for once-weekly tablets and oral solution.
    # not verified against stored label text
    text=_WEEKLY_ALENDRONATE_MISSED_TEXT,
    source=LabelSource(_FOSAMAX_PPI, "How should I take FOSAMAX?"),
)
_MISSED_BINOSTO = MissedDoseRule(
    text=_WEEKLY_ALENDRONATE_MISSED_TEXT,
    source=LabelSource(_BINOSTO_MG, "How should I take BINOSTO?"),
)
# The daily alendronate labels (generic 10 mg) give no separate schedule; this keeps the
# label's "not later in the day, never 2 on the same day". # not verified against stored label
# text
_MISSED_ALENDRONATE_DAILY = MissedDoseRule(
    text=(
        "If you miss a dose, do not take it later that day. Take your next tablet the next "
        "morning as usual. Never take 2 tablets on the same day."
    ),
    source=LabelSource(_FOSAMAX_PPI, "How should I take FOSAMAX?"),
)
# ACTONEL Medication Guide / PI 17, per regimen. # not verified against stored label text
_MISSED_RISEDRONATE_DAILY = MissedDoseRule(
    text=(
        "If you miss a dose, do not take it later that day. Take your next tablet the next "
        "morning as usual. Never take 2 tablets on the same day."
    ),
    source=LabelSource(_ACTONEL_MG, "How should I take ACTONEL?"),
)
_MISSED_RISEDRONATE_WEEKLY = MissedDoseRule(
    text=(
        "If you miss a dose, take 1 tablet on the morning after you remember. Never take 2 "
        "tablets on the same day. Then go back to taking 1 tablet once a week on your usual day."
    ),
    source=LabelSource(_ACTONEL_MG, "How should I take ACTONEL?"),
)
_MISSED_RISEDRONATE_MONTHLY = MissedDoseRule(
    text=(
        "If you miss your monthly dose and your next one is more than 7 days away, take 1 "
        "tablet on the morning after you remember. Then go back to your usual date each "
        "month. If your next dose is within 7 days, skip the missed tablet and wait for your "
        "next dose. Never take more than one 150 mg tablet within 7 days."
    ),
    source=LabelSource(_ACTONEL_MG, "How should I take ACTONEL?"),
)
_MISSED_RISEDRONATE_TWO_DAYS = MissedDoseRule(
    text=(
        "If you miss one or both tablets and your next month's doses are more than 7 days "
        "away: if you missed both, take the first on the morning after you remember and the "
        "second on the next morning. If you missed only one, take it on the morning after you "
        "remember. Then go back to your usual 2 days each month. If your next month's doses "
        "are within 7 days, skip the missed tablets and wait for them. Never take more than "
        "two 75 mg tablets within 7 days."
    ),
    source=LabelSource(_ACTONEL_MG, "How should I take ACTONEL?"),
)
# ATELVIA PI 17 / Medication Guide. # not verified against stored label text (a secondary
# patient leaflet agrees: next morning, not 2 on one day, back to the usual day).
_MISSED_ATELVIA = MissedDoseRule(
    text=(
        "If you miss a dose, take 1 tablet on the morning after you remember, straight after "
        "breakfast. Never take 2 tablets on the same day. Then go back to your usual day each "
        "week."
    ),
    source=LabelSource(_ATELVIA_MG, "How should I take ATELVIA?"),
)
# BONIVA tablets PI 2.4. The closing "return to their original schedule ... on their
# previous chosen day" is verified; the 7-day branches are # not verified against stored
# label text.
_MISSED_BONIVA_TABLET = MissedDoseRule(
    text=(
        "If you miss your monthly dose and your next one is more than 7 days away, take 1 "
        "tablet on the morning after you remember. Then go back to your usual date each "
        "month. If your next dose is only 1 to 7 days away, skip the missed tablet and wait "
        "for your next dose. Never take 2 tablets within the same week."
    ),
    source=LabelSource(_BONIVA_TABLET_PPI, "How should I take BONIVA?"),
)
# not verified against stored label text
_MISSED_ANASTROZOLE = MissedDoseRule(
    text=(
        "If you miss a dose, take it as soon as you remember. If it is almost time for your "
        "next dose, skip the missed one. Never take 2 doses at the same time."
    ),
    source=LabelSource(f"{_ARIMIDEX}, Patient Information", "How should I take ARIMIDEX?"),
)
# not verified against stored label text
_MISSED_LETROZOLE = MissedDoseRule(
    text=(
        "If you miss a dose, take it as soon as you remember. If your next dose is due within "
        "2 to 3 hours, skip the missed one and take the next at your usual time. Never take 2 "
        "doses at the same time."
    ),
    source=LabelSource(f"{_FEMARA}, Patient Information", "How should I take Femara?"),
)
# The US AROMASIN Patient Information may give no catch-up rule; this says only what any
# label allows and sends the patient to the care team. # not verified against stored label
# text
_MISSED_EXEMESTANE = MissedDoseRule(
    text=(
        "If you miss a dose, do not take 2 doses at the same time to make up for it. Ask your "
        "pharmacist or care team what to do."
    ),
    source=LabelSource(f"{_AROMASIN}, Patient Information", "How should I take AROMASIN?"),
)
# not verified against stored label text
_MISSED_BONIVA_INJECTION = MissedDoseRule(
    text=(
        "If you miss an injection, contact your care team to get it as soon as it can be "
        "rescheduled. After that, injections are due every 3 months from that date. It should "
        "not be given more often than once every 3 months."
    ),
    source=LabelSource(_BONIVA_INJECTION_PI, "2 Dosage and Administration"),
)
# PROLIA PI 2.1: a missed dose is given "as soon as the patient is available", and
# "thereafter, schedule injections every 6 months from the date of the last injection".
# not verified against stored label text (the stored BONIVA injection section 2 says the same
# for its 3 months; stored dosage summaries of Prolia agree)
_MISSED_PROLIA = MissedDoseRule(
    text=(
        "If you miss an injection, contact your care team to get it as soon as possible, "
        "then every 6 months from the date it is given."
    ),
    source=LabelSource(_PROLIA_PI, "2.1 Recommended Dosage"),
)

# --- Advice --------------------------------------------------------------------------------

# Verified for BINOSTO (Medication Guide, stored DailyMed copy); the same warning is in every
# oral bisphosphonate Medication Guide.
_SWALLOWING_BY_SOURCE = {
    "fosamax": AdviceItem(
        AdviceTopic.SWALLOWING,
        _SWALLOWING_WARNING,
        # not verified against stored label text
        LabelSource(_FOSAMAX_PPI, "What is the most important information I should know?"),
    ),
    "binosto": AdviceItem(
        AdviceTopic.SWALLOWING,
        _SWALLOWING_WARNING,
        LabelSource(_BINOSTO_MG, "What is the most important information I should know?"),
    ),
    "actonel": AdviceItem(
        AdviceTopic.SWALLOWING,
        _SWALLOWING_WARNING,
        # not verified against stored label text
        LabelSource(_ACTONEL_MG, "What is the most important information I should know?"),
    ),
    "atelvia": AdviceItem(
        AdviceTopic.SWALLOWING,
        _SWALLOWING_WARNING,
        # not verified against stored label text
        LabelSource(_ATELVIA_MG, "What is the most important information I should know?"),
    ),
    "boniva": AdviceItem(
        AdviceTopic.SWALLOWING,
        _SWALLOWING_WARNING,
        # not verified against stored label text
        LabelSource(_BONIVA_TABLET_PPI, "What are the possible side effects of BONIVA?"),
    ),
}

# What to do after too many tablets. The prescribing information's 10 Overdosage says "milk
# or antacids should be given to bind" the drug, "vomiting should not be induced and the
# patient should remain fully upright"; the patient leaflets add a full glass of milk and a
# call to a poison control center or emergency room. Verified for alendronate (FOSAMAX) and
# BINOSTO against stored republished copies of section 10 Overdosage, and the full glass of
# milk, no vomiting, no lying down and the call against a stored alendronate patient leaflet
# (FamilyWize). ACTONEL, ATELVIA and BONIVA tablets: the stored patient pages say "contact a
# poison control center or emergency room at once"; the milk, vomiting and upright points are
# # not verified against stored label text for them (their section 10 says the same of
# milk or antacids, from knowledge of the label).
_OVERDOSE_LINES = (
    "If you take too much, drink a full glass of milk and call your doctor or poison "
    "control right away.",
    "Do not make yourself vomit. Do not lie down: stay sitting or standing.",
)
_OVERDOSE_BY_SOURCE = {
    name: tuple(
        AdviceItem(AdviceTopic.OVERDOSE, line, LabelSource(document, "10 Overdosage"))
        for line in _OVERDOSE_LINES
    )
    for name, document in (
        ("fosamax", _FOSAMAX_PI),
        ("binosto", _BINOSTO_PI),
        ("actonel", _ACTONEL_PI),
        ("atelvia", _ATELVIA_PI),
        ("boniva", _BONIVA_TABLET_PI),
    )
}

# The kidney blood test before each dose of a bisphosphonate given into a vein. BONIVA
# injection PI 2: "Prior to administration of each dose obtain a serum creatinine" (verified
# against a stored republished copy of section 2). ZOMETA PI 2 / 5.3 ("serum creatinine
# before each dose") and RECLAST PI 2 / 5.3 ("creatinine clearance before each dose"): the
# stored MHRA Drug Safety Update on intravenous zoledronic acid says "renal function should
# be measured before each dose, and patients should be adequately hydrated before treatment";
# the US label wording is # not verified against stored label text.
_KIDNEY_TEST_TEXT = "Your care team checks your kidneys with a blood test before each dose."

_CALCIUM_VITAMIN_D_TEXT = "Take calcium and vitamin D as your care team tells you."
_DENTAL_TEXT = (
    "Tell your dentist about this medicine and look after your mouth. Severe jaw bone "
    "problems can happen."
)

# ZOMETA PI: 5.1 (same active ingredient as RECLAST), 5.4 (osteonecrosis of the jaw), 6.1
# (acute-phase reaction within 3 days), 5.2 (hydration), 5.3 (kidney test before each dose),
# 2 (a daily calcium supplement and vitamin D with it). # not verified against stored label
# text (the stored MHRA Drug Safety Update agrees on the kidney test and hydration)
_ZOMETA_ADVICE = (
    AdviceItem(
        AdviceTopic.BEFORE_DOSE,
        "Drink fluids as your care team advises so you are well hydrated before the drip.",
        LabelSource(_ZOMETA_PI, "5.2 Hydration and Electrolyte Monitoring"),
    ),
    AdviceItem(
        AdviceTopic.KIDNEYS,
        _KIDNEY_TEST_TEXT,
        LabelSource(_ZOMETA_PI, "5.3 Renal Impairment"),
    ),
    AdviceItem(
        AdviceTopic.CALCIUM_VITAMIN_D,
        _CALCIUM_VITAMIN_D_TEXT,
        LabelSource(_ZOMETA_PI, "2 Dosage and Administration"),
    ),
    AdviceItem(
        AdviceTopic.AFTER_DOSE,
        "You may get fever, flu-like symptoms, or bone, joint or muscle aches in the first 3 "
        "days.",
        LabelSource(_ZOMETA_PI, "6.1 Clinical Trials Experience"),
    ),
    AdviceItem(
        AdviceTopic.DENTAL,
        _DENTAL_TEXT,
        LabelSource(_ZOMETA_PI, "5.4 Osteonecrosis of the Jaw"),
    ),
    AdviceItem(
        AdviceTopic.SAME_MEDICINE,
        "Zometa and Reclast are the same medicine. Do not get both.",
        LabelSource(_ZOMETA_PI, "5.1 Drugs with Same Active Ingredient or in the Same Class"),
    ),
)
# RECLAST Patient Information and PI. The "2 glasses of fluid within a few hours before" and
# "flu-like symptoms in the first 3 days" points agree with stored secondary copies of the
# patient leaflet. # not verified against stored label text
_RECLAST_ADVICE = (
    AdviceItem(
        AdviceTopic.BEFORE_DOSE,
        "Eat normally and drink at least 2 glasses of fluid, such as water, within a few "
        "hours before the infusion.",
        LabelSource(_RECLAST_PPI, "How will I receive RECLAST?"),
    ),
    AdviceItem(
        AdviceTopic.KIDNEYS,
        _KIDNEY_TEST_TEXT,
        LabelSource(_RECLAST_PI, "5.3 Renal Impairment"),
    ),
    AdviceItem(
        AdviceTopic.AFTER_DOSE,
        "You may get fever, flu-like symptoms, muscle, bone or joint pain, or headache in the "
        "first 3 days.",
        LabelSource(_RECLAST_PPI, "What are the possible side effects of RECLAST?"),
    ),
    AdviceItem(
        AdviceTopic.AFTER_DOSE,
        "Your care team may suggest acetaminophen after the infusion to ease these symptoms.",
        LabelSource(_RECLAST_PI, "2 Dosage and Administration"),
    ),
    AdviceItem(
        AdviceTopic.CALCIUM_VITAMIN_D,
        _CALCIUM_VITAMIN_D_TEXT,
        LabelSource(_RECLAST_PI, "2 Dosage and Administration"),
    ),
    AdviceItem(
        AdviceTopic.DENTAL,
        _DENTAL_TEXT,
        LabelSource(_RECLAST_PI, "5 Warnings and Precautions: Osteonecrosis of the Jaw"),
    ),
    AdviceItem(
        AdviceTopic.SAME_MEDICINE,
        "Reclast and Zometa are the same medicine. Do not get both.",
        LabelSource(_RECLAST_PI, "5 Warnings and Precautions: Drug Products with the Same Active"),
    ),
)
# BONIVA injection PI. # not verified against stored label text
_BONIVA_INJECTION_ADVICE = (
    AdviceItem(
        AdviceTopic.KIDNEYS,
        _KIDNEY_TEST_TEXT,
        LabelSource(_BONIVA_INJECTION_PI, "2 Dosage and Administration"),
    ),
    AdviceItem(
        AdviceTopic.AFTER_DOSE,
        "You may get flu-like symptoms, or muscle or joint aches, after the injection.",
        LabelSource(_BONIVA_INJECTION_PI, "6 Adverse Reactions"),
    ),
    AdviceItem(
        AdviceTopic.CALCIUM_VITAMIN_D,
        _CALCIUM_VITAMIN_D_TEXT,
        LabelSource(_BONIVA_INJECTION_PI, "2 Dosage and Administration"),
    ),
    AdviceItem(
        AdviceTopic.DENTAL,
        _DENTAL_TEXT,
        LabelSource(_BONIVA_INJECTION_PI, "5 Warnings and Precautions: Osteonecrosis of the Jaw"),
    ),
)
# PROLIA Medication Guide. "Take calcium and vitamin D as your doctor tells you", the mouth
# examination / dentist advice and "not with XGEVA, same medicine" agree with stored copies of
# the Medication Guide's safety summary. The kidney point follows the PI's boxed warning,
# verified against the stored openFDA record for PROLIA: "Patients with advanced chronic
# kidney disease (eGFR < 30 mL/min/1.73 m2), including dialysis-dependent patients, are at
# greater risk of severe hypocalcemia following Prolia administration." The stopping/fracture
# point and the calcium check before each injection (PI 5.1; the EU SmPC 4.4 says "prior to
# each dose") are # not verified against stored label text (stored secondary summaries
# agree).
_PROLIA_ADVICE = (
    AdviceItem(
        AdviceTopic.DO_NOT_STOP,
        "Do not stop, skip or delay your Prolia injections without talking to your care team "
        "first.",
        LabelSource(_PROLIA_MG, "What is the most important information I should know?"),
    ),
    AdviceItem(
        AdviceTopic.DO_NOT_STOP,
        "After Prolia is stopped, skipped or delayed, the risk of broken bones goes up, "
        "including several broken bones in the spine.",
        LabelSource(_PROLIA_MG, "What are the possible side effects of Prolia?"),
    ),
    # PROLIA PI 5 (Multiple Vertebral Fractures Following Discontinuation): when Prolia is
    # stopped, the patient's risk is to be evaluated and a move to another antiresorptive
    # considered. The bot only says to plan it with the care team.
    # not verified against stored label text (the stored MHRA Drug Safety Update says the
    # same: "discuss ... before stopping"; a follow-on treatment to be considered)
    AdviceItem(
        AdviceTopic.AFTER_STOPPING,
        "Talk with your care team about a plan for after Prolia, such as another bone medicine.",
        LabelSource(
            _PROLIA_PI,
            "5 Warnings and Precautions: Multiple Vertebral Fractures Following Discontinuation",
        ),
    ),
    AdviceItem(
        AdviceTopic.CALCIUM_VITAMIN_D,
        _CALCIUM_VITAMIN_D_TEXT,
        LabelSource(_PROLIA_MG, "What is the most important information I should know?"),
    ),
    AdviceItem(
        AdviceTopic.LOW_CALCIUM,
        "Call your care team right away if you get muscle spasms, twitches or cramps, or "
        "numbness or tingling in your fingers, toes or around your mouth.",
        LabelSource(_PROLIA_MG, "What is the most important information I should know?"),
    ),
    AdviceItem(
        AdviceTopic.BEFORE_DOSE,
        "Your care team should check your blood calcium before each injection.",
        LabelSource(_PROLIA_PI, "5.1 Severe Hypocalcemia and Mineral Metabolism Changes"),
    ),
    AdviceItem(
        AdviceTopic.KIDNEYS,
        "Severe kidney disease or dialysis? Prolia can cause dangerously low blood calcium. "
        "Make sure your care team knows.",
        LabelSource(_PROLIA_PI, "Boxed Warning: Severe Hypocalcemia in Advanced Kidney Disease"),
    ),
    AdviceItem(
        AdviceTopic.DENTAL,
        "Your care team should check your mouth before you start and may send you to a "
        "dentist. Look after your mouth during treatment.",
        LabelSource(_PROLIA_MG, "What are the possible side effects of Prolia?"),
    ),
    AdviceItem(
        AdviceTopic.SAME_MEDICINE,
        "Prolia and Xgeva are the same medicine. Do not get both.",
        LabelSource(_PROLIA_MG, "What is the most important information I should know?"),
    ),
)

# --- The catalogue ---------------------------------------------------------------------------

ALL_PRODUCTS: tuple[Product, ...] = (
    # Aromatase inhibitors, taken daily at home.
    Product(
        key="anastrozole-1-daily-tablet",
        drug="anastrozole",
        brand_example="ARIMIDEX",
        drug_class=DrugClass.AROMATASE_INHIBITOR,
        strength="1 mg",
        form="tablet",
        frequency=Frequency.DAILY,
        interval_months=None,
        label="1 mg once a day",
        name="anastrozole 1 mg (Arimidex)",
        administration=_ANASTROZOLE,
        missed_dose=_MISSED_ANASTROZOLE,
    ),
    Product(
        key="letrozole-2-5-daily-tablet",
        drug="letrozole",
        brand_example="FEMARA",
        drug_class=DrugClass.AROMATASE_INHIBITOR,
        strength="2.5 mg",
        form="tablet",
        frequency=Frequency.DAILY,
        interval_months=None,
        label="2.5 mg once a day",
        name="letrozole 2.5 mg (Femara)",
        administration=_LETROZOLE,
        missed_dose=_MISSED_LETROZOLE,
    ),
    Product(
        key="exemestane-25-daily-tablet",
        drug="exemestane",
        brand_example="AROMASIN",
        drug_class=DrugClass.AROMATASE_INHIBITOR,
        strength="25 mg",
        form="tablet",
        frequency=Frequency.DAILY,
        interval_months=None,
        label="25 mg once a day, after a meal",
        name="exemestane 25 mg (Aromasin)",
        administration=_EXEMESTANE,
        missed_dose=_MISSED_EXEMESTANE,
    ),
    # Alendronate.
    Product(
        key="alendronate-70-weekly-tablet",
        drug="alendronate",
        brand_example="FOSAMAX",
        drug_class=DrugClass.ORAL_BISPHOSPHONATE,
        strength="70 mg",
        form="tablet",
        frequency=Frequency.WEEKLY,
        interval_months=None,
        label="70 mg once a week (tablet)",
        name="alendronate 70 mg (Fosamax)",
        administration=_ALENDRONATE_TABLET,
        missed_dose=_MISSED_FOSAMAX_WEEKLY,
        advice=(_SWALLOWING_BY_SOURCE["fosamax"], *_OVERDOSE_BY_SOURCE["fosamax"]),
    ),
    Product(
        key="alendronate-70-weekly-oral-solution",
        drug="alendronate",
        brand_example="FOSAMAX Oral Solution",
        drug_class=DrugClass.ORAL_BISPHOSPHONATE,
        strength="70 mg",
        form="oral solution",
        frequency=Frequency.WEEKLY,
        interval_months=None,
        label="70 mg once a week (liquid)",
        name="alendronate 70 mg oral solution (Fosamax)",
        administration=_ALENDRONATE_SOLUTION,
        missed_dose=_MISSED_FOSAMAX_WEEKLY,
        advice=(_SWALLOWING_BY_SOURCE["fosamax"], *_OVERDOSE_BY_SOURCE["fosamax"]),
    ),
    Product(
        key="alendronate-70-weekly-effervescent",
        drug="alendronate",
        brand_example="BINOSTO",
        drug_class=DrugClass.ORAL_BISPHOSPHONATE,
        strength="70 mg",
        form="effervescent tablet",
        frequency=Frequency.WEEKLY,
        interval_months=None,
        label="70 mg once a week (fizzy tablet)",
        name="alendronate 70 mg effervescent tablet (Binosto)",
        administration=_BINOSTO,
        missed_dose=_MISSED_BINOSTO,
        advice=(_SWALLOWING_BY_SOURCE["binosto"], *_OVERDOSE_BY_SOURCE["binosto"]),
    ),
    Product(
        key="alendronate-10-daily-tablet",
        drug="alendronate",
        brand_example="FOSAMAX",
        drug_class=DrugClass.ORAL_BISPHOSPHONATE,
        strength="10 mg",
        form="tablet",
        frequency=Frequency.DAILY,
        interval_months=None,
        label="10 mg once a day (tablet)",
        name="alendronate 10 mg (Fosamax)",
        administration=_ALENDRONATE_TABLET,
        missed_dose=_MISSED_ALENDRONATE_DAILY,
        advice=(_SWALLOWING_BY_SOURCE["fosamax"], *_OVERDOSE_BY_SOURCE["fosamax"]),
    ),
    # Risedronate, immediate release (ACTONEL): one administration, four schedules.
    Product(
        key="risedronate-35-weekly-tablet",
        drug="risedronate",
        brand_example="ACTONEL",
        drug_class=DrugClass.ORAL_BISPHOSPHONATE,
        strength="35 mg",
        form="tablet",
        frequency=Frequency.WEEKLY,
        interval_months=None,
        label="35 mg once a week",
        name="risedronate 35 mg (Actonel)",
        administration=_ACTONEL,
        missed_dose=_MISSED_RISEDRONATE_WEEKLY,
        advice=(_SWALLOWING_BY_SOURCE["actonel"], *_OVERDOSE_BY_SOURCE["actonel"]),
    ),
    Product(
        key="risedronate-150-monthly-tablet",
        drug="risedronate",
        brand_example="ACTONEL",
        drug_class=DrugClass.ORAL_BISPHOSPHONATE,
        strength="150 mg",
        form="tablet",
        frequency=Frequency.MONTHLY,
        interval_months=None,
        label="150 mg once a month",
        name="risedronate 150 mg (Actonel)",
        administration=_ACTONEL,
        missed_dose=_MISSED_RISEDRONATE_MONTHLY,
        advice=(_SWALLOWING_BY_SOURCE["actonel"], *_OVERDOSE_BY_SOURCE["actonel"]),
    ),
    Product(
        key="risedronate-75-monthly-two-days-tablet",
        drug="risedronate",
        brand_example="ACTONEL",
        drug_class=DrugClass.ORAL_BISPHOSPHONATE,
        strength="75 mg",
        form="tablet",
        frequency=Frequency.MONTHLY_TWO_DAYS,
        interval_months=None,
        label="75 mg, 2 days in a row monthly",
        name="risedronate 75 mg (Actonel)",
        administration=_ACTONEL,
        missed_dose=_MISSED_RISEDRONATE_TWO_DAYS,
        advice=(_SWALLOWING_BY_SOURCE["actonel"], *_OVERDOSE_BY_SOURCE["actonel"]),
    ),
    Product(
        key="risedronate-5-daily-tablet",
        drug="risedronate",
        brand_example="ACTONEL",
        drug_class=DrugClass.ORAL_BISPHOSPHONATE,
        strength="5 mg",
        form="tablet",
        frequency=Frequency.DAILY,
        interval_months=None,
        label="5 mg once a day",
        name="risedronate 5 mg (Actonel)",
        administration=_ACTONEL,
        missed_dose=_MISSED_RISEDRONATE_DAILY,
        advice=(_SWALLOWING_BY_SOURCE["actonel"], *_OVERDOSE_BY_SOURCE["actonel"]),
    ),
    # Risedronate, delayed release (ATELVIA): after breakfast, no fasting window.
    Product(
        key="risedronate-35-weekly-delayed-release",
        drug="risedronate",
        brand_example="ATELVIA",
        drug_class=DrugClass.ORAL_BISPHOSPHONATE,
        strength="35 mg",
        form="delayed-release tablet",
        frequency=Frequency.WEEKLY,
        interval_months=None,
        label="35 mg weekly, after breakfast",
        name="delayed-release risedronate 35 mg (Atelvia)",
        administration=_ATELVIA,
        missed_dose=_MISSED_ATELVIA,
        advice=(_SWALLOWING_BY_SOURCE["atelvia"], *_OVERDOSE_BY_SOURCE["atelvia"]),
    ),
    # Ibandronate by mouth (BONIVA tablets): 60-minute window.
    Product(
        key="ibandronate-150-monthly-tablet",
        drug="ibandronate",
        brand_example="BONIVA",
        drug_class=DrugClass.ORAL_BISPHOSPHONATE,
        strength="150 mg",
        form="tablet",
        frequency=Frequency.MONTHLY,
        interval_months=None,
        label="150 mg once a month (tablet)",
        name="ibandronate 150 mg (Boniva)",
        administration=_BONIVA_TABLET,
        missed_dose=_MISSED_BONIVA_TABLET,
        advice=(_SWALLOWING_BY_SOURCE["boniva"], *_OVERDOSE_BY_SOURCE["boniva"]),
    ),
    # Clinic-given: recorded here, scheduled elsewhere by interval_months.
    Product(
        key="zoledronic-acid-4-every-6-months-iv",
        drug="zoledronic-acid",
        brand_example="ZOMETA",
        drug_class=DrugClass.IV_BISPHOSPHONATE,
        strength="4 mg",
        form="intravenous infusion",
        frequency=None,
        interval_months=6,
        label="4 mg drip every 6 months",
        name="zoledronic acid 4 mg (Zometa)",
        administration=_ZOMETA,
        missed_dose=None,  # no label rule for this (off-label) schedule: the care team decides
        advice=_ZOMETA_ADVICE,
    ),
    Product(
        key="zoledronic-acid-5-yearly-iv",
        drug="zoledronic-acid",
        brand_example="RECLAST",
        drug_class=DrugClass.IV_BISPHOSPHONATE,
        strength="5 mg",
        form="intravenous infusion",
        frequency=None,
        interval_months=12,
        label="5 mg drip once a year",
        name="zoledronic acid 5 mg (Reclast)",
        administration=_RECLAST,
        missed_dose=None,  # the RECLAST label gives no missed-dose rule
        advice=_RECLAST_ADVICE,
    ),
    Product(
        key="denosumab-60-every-6-months-sc",
        drug="denosumab",
        brand_example="PROLIA",
        drug_class=DrugClass.RANKL_INHIBITOR,
        strength="60 mg",
        form="subcutaneous injection",
        frequency=None,
        interval_months=6,
        label="60 mg injection every 6 months",
        name="denosumab 60 mg (Prolia)",
        administration=_PROLIA,
        missed_dose=_MISSED_PROLIA,
        advice=_PROLIA_ADVICE,
    ),
    Product(
        key="ibandronate-3-every-3-months-iv",
        drug="ibandronate",
        brand_example="BONIVA injection",
        drug_class=DrugClass.IV_BISPHOSPHONATE,
        strength="3 mg",
        form="intravenous injection",
        frequency=None,
        interval_months=3,
        label="3 mg injection every 3 months",
        name="ibandronate 3 mg (Boniva)",
        administration=_BONIVA_INJECTION,
        missed_dose=_MISSED_BONIVA_INJECTION,
        advice=_BONIVA_INJECTION_ADVICE,
    ),
)


def _index(products: tuple[Product, ...]) -> Mapping[str, Product]:
    """Build the read-only key index, refusing duplicate keys at import time."""
    index: dict[str, Product] = {}
    for product in products:
        if product.key in index:
            raise ValueError(f"duplicate product key {product.key!r}")
        index[product.key] = product
    return MappingProxyType(index)


PRODUCTS: Mapping[str, Product] = _index(ALL_PRODUCTS)

AROMATASE_INHIBITOR_DRUGS: tuple[str, ...] = ("anastrozole", "letrozole", "exemestane")
# Ibandronate has oral and clinic products: use products_of(drug, DrugClass.ORAL_BISPHOSPHONATE).
ORAL_BONE_DRUGS: tuple[str, ...] = ("alendronate", "risedronate", "ibandronate")
CLINIC_BONE_PRODUCTS: tuple[str, ...] = tuple(p.key for p in ALL_PRODUCTS if p.is_clinic_given)

_DISPLAY_NAMES: Mapping[str, str] = MappingProxyType({"zoledronic-acid": "Zoledronic acid"})


def get_product(key: str) -> Product:
    """Return the catalogue entry stored under ``key``; raise UnknownProduct if none."""
    try:
        return PRODUCTS[key]
    except KeyError:
        raise UnknownProduct(key) from None


def products_of(drug: str, drug_class: DrugClass | None = None) -> tuple[Product, ...]:
    """Return the products of one drug in display order, optionally of one class only."""
    return tuple(
        product
        for product in ALL_PRODUCTS
        if product.drug == drug and (drug_class is None or product.drug_class is drug_class)
    )


# What set-up says about a bone medicine as it is chosen: the oral bisphosphonates' stop-and-
# call symptoms, and the calcium and vitamin D the injections' and infusions' labels ask for.
START_TOPICS = (AdviceTopic.SWALLOWING, AdviceTopic.CALCIUM_VITAMIN_D)


def start_advice(product: Product) -> tuple[AdviceItem, ...]:
    """Return the label advice shown when a medicine is set up, in START_TOPICS order."""
    return tuple(item for topic in START_TOPICS for item in product.advice if item.topic == topic)


def drug_display_name(drug: str) -> str:
    """Return the drug id as a capitalised name for buttons and headings."""
    if drug in _DISPLAY_NAMES:
        return _DISPLAY_NAMES[drug]
    words = drug.replace("-", " ")
    return words[:1].upper() + words[1:]


def after_window_message(product: Product) -> str | None:
    """Return the all-clear sent when an oral bisphosphonate's waiting window ends.

    The parts follow the product's own label: the fasting window (none for ATELVIA, taken
    after breakfast), calcium/antacids at another time of day (ACTONEL, ATELVIA 2.7/2.3) and
    alendronate's "do not lie down until after the first food of the day" (FOSAMAX 2.6,
    BINOSTO 2.3).
    """
    minutes = product.after_window_minutes
    if minutes is None:
        return None
    admin = product.administration
    parts = [f"It has been {minutes} minutes since your {product.name}."]
    if admin.fasting_minutes is not None:
        parts.append(
            "You can now eat breakfast, drink what you like and take your other medicines."
        )
        if admin.other_medicines_gap is not None:
            parts.append(
                f"Take calcium, antacids, magnesium or iron at {admin.other_medicines_gap}."
            )
    if admin.upright_minutes is not None:
        if admin.upright_until_first_food:
            parts.append(
                "Stay sitting or standing until you have eaten your first food of the day. "
                "After that you can lie down if you want."
            )
        else:
            parts.append("You can lie down if you want.")
    return " ".join(parts)
