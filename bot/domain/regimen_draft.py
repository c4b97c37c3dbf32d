"""The regimen being registered, and which question to ask next (no Telegram here).

The conversation asks whatever is still unanswered, so the same logic serves a first
registration and an edit of one section from /regimen: clearing a section makes exactly
its questions come back, then the summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, time
from enum import StrEnum
from typing import Any

from bot.domain.catalog import (
    AROMATASE_INHIBITOR_DRUGS,
    CLINIC_BONE_PRODUCTS,
    ORAL_BONE_DRUGS,
    Product,
    UnknownProduct,
    get_product,
    products_of,
)
from bot.domain.clinic_agents import stops_rebound_agent
from bot.domain.dose_times import (
    DoseSchedule,
    Frequency,
    InvalidTimeText,
    UnknownZone,
    parse_time_of_day,
    parse_zone,
)
from bot.domain.medicine_names import find_medicine
from bot.domain.places import find_place
from bot.domain.text_input import parse_day_of_month, parse_weekday

NONE = "none"  # the patient's explicit "none / not sure yet"
CLINIC = "clinic"  # bone agent given at a clinic (infusion or injection)


class Question(StrEnum):
    """Steps of the registration conversation, in the order they are asked."""

    CONSENT = "consent"
    AI_DRUG = "ai_drug"
    AI_TIME = "ai_time"
    BONE_FAMILY = "bone_family"
    BONE_PRODUCT = "bone_product"
    BONE_DAY = "bone_day"
    BONE_TIME = "bone_time"
    TIMEZONE = "timezone"
    CONFIRM = "confirm"


class Section(StrEnum):
    """Parts of the regimen the patient can change from /regimen."""

    AROMATASE_INHIBITOR = "ai"
    BONE_AGENT = "bone"
    TIMEZONE = "tz"


_SECTION_FIELDS = {
    Section.AROMATASE_INHIBITOR: ("ai_product", "ai_time"),
    Section.BONE_AGENT: (
        "bone_family",
        "bone_product",
        "bone_weekday",
        "bone_day_of_month",
        "bone_time",
    ),
    Section.TIMEZONE: ("timezone",),
}


@dataclass(frozen=True)
class RegimenDraft:
    """Answers so far; `None` means not asked yet, `NONE` means the patient said none."""

    consent: bool = False
    ai_product: str | None = None
    ai_time: time | None = None
    bone_family: str | None = None
    bone_product: str | None = None
    bone_weekday: int | None = None
    bone_day_of_month: int | None = None
    bone_time: time | None = None
    timezone: str | None = None
    # A change from /regimen: the bone medicine in force when it began (never asked; kept by
    # `cleared` and by starting over), so stopping or switching away from it can be spotted.
    stored_bone: str | None = None

    def ai(self) -> Product | None:
        """Return the chosen aromatase inhibitor, if any."""
        return _product_or_none(self.ai_product)

    def bone(self) -> Product | None:
        """Return the chosen bone-modifying agent, if any."""
        return _product_or_none(self.bone_product)

    def ai_schedule(self) -> DoseSchedule | None:
        """Return the daily schedule of the aromatase inhibitor, once complete."""
        if self.ai() is None or self.ai_time is None:
            return None
        return DoseSchedule(Frequency.DAILY, self.ai_time)

    def bone_schedule(self) -> DoseSchedule | None:
        """Return the schedule of a self-taken bone agent, once complete."""
        product = self.bone()
        if product is None or product.frequency is None or self.bone_time is None:
            return None
        return DoseSchedule(
            product.frequency,
            self.bone_time,
            weekday=self.bone_weekday if product.frequency is Frequency.WEEKLY else None,
            day_of_month=self.bone_day_of_month if _is_monthly(product.frequency) else None,
        )

    def stopping(self) -> Product | None:
        """Return the stored bone medicine this draft stops or switches away from, when its
        label warns about stopping it (denosumab); otherwise None."""
        if not stops_rebound_agent(self.stored_bone, self.bone_product):
            return None
        return _product_or_none(self.stored_bone)

    def restarted(self) -> RegimenDraft:
        """Return an empty draft (consent kept) that still knows what was stored."""
        return RegimenDraft(consent=True, stored_bone=self.stored_bone)

    def cleared(self, section: Section) -> RegimenDraft:
        """Return a copy with one section unanswered, so it is asked again."""
        unanswered: dict[str, Any] = dict.fromkeys(_SECTION_FIELDS[section])
        return replace(self, **unanswered)


def _product_or_none(key: str | None) -> Product | None:
    if key is None or key == NONE:
        return None
    return get_product(key)


def _is_monthly(frequency: Frequency) -> bool:
    return frequency in (Frequency.MONTHLY, Frequency.MONTHLY_TWO_DAYS)


def next_question(draft: RegimenDraft) -> Question:
    """Return the first question the draft has no answer to (CONFIRM when complete)."""
    if not draft.consent:
        return Question.CONSENT
    if draft.ai_product is None:
        return Question.AI_DRUG
    if draft.ai_product != NONE and draft.ai_time is None:
        return Question.AI_TIME
    if draft.bone_family is None:
        return Question.BONE_FAMILY
    if draft.bone_family != NONE and draft.bone_product is None:
        return Question.BONE_PRODUCT
    bone = draft.bone()
    if bone is not None and bone.frequency is not None:
        if bone.frequency is Frequency.WEEKLY and draft.bone_weekday is None:
            return Question.BONE_DAY
        if _is_monthly(bone.frequency) and draft.bone_day_of_month is None:
            return Question.BONE_DAY
        if draft.bone_time is None:
            return Question.BONE_TIME
    if draft.timezone is None:
        return Question.TIMEZONE
    return Question.CONFIRM


class InvalidAnswer(ValueError):
    """An answer that does not fit the question (typo, or forged callback data)."""


_BUTTON_TIME = re.compile(r"^\d{4}$")  # buttons carry 07:30 as "0730" (no colons in data)


def _parse_time(value: str) -> time:
    if _BUTTON_TIME.fullmatch(value):
        value = f"{value[:2]}:{value[2:]}"
    try:
        return parse_time_of_day(value)
    except InvalidTimeText as error:
        raise InvalidAnswer(value) from error


def _product_in(key: str, allowed: set[str]) -> str:
    if key not in allowed:
        raise InvalidAnswer(key)
    try:
        get_product(key)
    except UnknownProduct as error:
        raise InvalidAnswer(key) from error
    return key


def _ai_keys() -> set[str]:
    return {p.key for drug in AROMATASE_INHIBITOR_DRUGS for p in products_of(drug)}


def _bone_keys(family: str | None) -> set[str]:
    if family == CLINIC:
        return set(CLINIC_BONE_PRODUCTS)
    if family in ORAL_BONE_DRUGS:
        return {p.key for p in products_of(family) if not p.is_clinic_given}
    return set()


def _any_bone_keys() -> set[str]:
    """Every bone medicine registration offers: the oral ones and the clinic-given ones."""
    return _bone_keys(CLINIC).union(*(_bone_keys(drug) for drug in ORAL_BONE_DRUGS))


def _bone_chosen(draft: RegimenDraft, key: str) -> RegimenDraft:
    """Take a bone medicine named directly (a typed brand), setting its family with it."""
    family = CLINIC if get_product(key).is_clinic_given else get_product(key).drug
    return replace(
        draft,
        bone_family=family,
        bone_product=key,
        bone_weekday=None,
        bone_day_of_month=None,
        bone_time=None,
    )


def _day(draft: RegimenDraft, value: str) -> RegimenDraft:
    bone = draft.bone()
    frequency = bone.frequency if bone else None
    kind, number = value[:1], value[1:]
    if not number.isdigit():
        raise InvalidAnswer(value)
    if kind == "w" and frequency is Frequency.WEEKLY and 0 <= int(number) <= 6:
        return replace(draft, bone_weekday=int(number))
    if kind == "m" and frequency is not None and _is_monthly(frequency) and 1 <= int(number) <= 31:
        return replace(draft, bone_day_of_month=int(number))
    raise InvalidAnswer(value)


def apply_answer(draft: RegimenDraft, question: Question, value: str) -> RegimenDraft:
    """Return the draft with one answer applied; raise InvalidAnswer if it does not fit."""
    match question:
        case Question.CONSENT if value == "yes":
            return replace(draft, consent=True)
        case Question.AI_DRUG if value == NONE:
            return replace(draft, ai_product=NONE, ai_time=None)
        case Question.AI_DRUG:
            return replace(draft, ai_product=_product_in(value, _ai_keys()))
        case Question.AI_TIME:
            return replace(draft, ai_time=_parse_time(value))
        case Question.BONE_FAMILY if value == NONE:
            return replace(draft, bone_family=NONE, bone_product=NONE)
        case Question.BONE_FAMILY if value == CLINIC or value in ORAL_BONE_DRUGS:
            return replace(draft, bone_family=value)
        case Question.BONE_FAMILY | Question.BONE_PRODUCT if value in _any_bone_keys():
            # A product named at either step (a typed brand, or a button it offered).
            return _bone_chosen(draft, value)
        case Question.BONE_PRODUCT:
            return replace(draft, bone_product=_product_in(value, _bone_keys(draft.bone_family)))
        case Question.BONE_DAY:
            return _day(draft, value)
        case Question.BONE_TIME:
            return replace(draft, bone_time=_parse_time(value))
        case Question.TIMEZONE:
            try:
                return replace(draft, timezone=parse_zone(value).key)
            except UnknownZone as error:
                raise InvalidAnswer(value) from error
    raise InvalidAnswer(value)


@dataclass(frozen=True)
class Reading:
    """What a typed answer to the current question was read as.

    Exactly one of: `value`, the answer as its button carries it; `choices`, answers to
    offer as buttons (a brand's products, a country's time zones, or a near spelling to
    confirm); or neither, when the text was not understood (`other_step`: it names a
    medicine that another question asks about).
    """

    value: str | None = None
    choices: tuple[str, ...] = ()
    name: str = ""  # the medicine or place understood: "Fosamax", "United States"
    near: bool = False  # understood from a near spelling ("fosomax")
    other_step: bool = False


_TIME_QUESTIONS = (Question.AI_TIME, Question.BONE_TIME)
_MEDICINE_QUESTIONS = (Question.AI_DRUG, Question.BONE_FAMILY, Question.BONE_PRODUCT)


def read_typed(draft: RegimenDraft, question: Question, text: str, now: datetime) -> Reading:
    """Read typed text as an answer to `question`: a time, a day, a medicine or a place.

    Times as `parse_time_of_day` reads them; a weekday or a day of the month by name or
    number; a medicine by brand or generic name (`find_medicine`); a time zone by IANA
    name, country or city (`find_place`, at `now`: a country's clocks differ by date).
    """
    if question in _TIME_QUESTIONS:
        try:
            _parse_time(text)
        except InvalidAnswer:
            return Reading()
        return Reading(value=text)
    if question in _MEDICINE_QUESTIONS:
        return _read_medicine(question, text)
    if question is Question.BONE_DAY:
        return _read_day(draft, text)
    if question is Question.TIMEZONE:
        place = find_place(text, now)
        if place is None:
            return Reading()
        if place.zone is not None:
            return Reading(value=place.zone, name=place.name)
        return Reading(choices=place.zones, name=place.name, near=place.near)
    return Reading()


def _read_medicine(question: Question, text: str) -> Reading:
    found = find_medicine(text)
    if found is None:
        return Reading()
    allowed = _ai_keys() if question is Question.AI_DRUG else _any_bone_keys()
    keys = tuple(p.key for p in found.products if p.key in allowed)
    if not keys:
        return Reading(name=found.name, other_step=True)
    if len(keys) == 1 and not found.near:
        return Reading(value=keys[0], name=found.name)
    return Reading(choices=keys, name=found.name, near=found.near)


def _read_day(draft: RegimenDraft, text: str) -> Reading:
    weekday, day = parse_weekday(text), parse_day_of_month(text)
    value = f"w{weekday}" if weekday is not None else f"m{day}" if day is not None else ""
    try:
        _day(draft, value)
    except InvalidAnswer:
        return Reading()
    return Reading(value=value)
