"""About the patient, as they choose to say: sex and menopause, height and weight.

Pure domain: no Telegram, no database, no I/O. Every answer is optional. They decide two
things only: whether the 2017 joint position statement's criteria are the ones to show
(it is written for postmenopausal women with breast cancer on an aromatase inhibitor), and
which check-in items apply (vaginal dryness is not asked of a man). Nothing else changes
with them, and no message assumes a woman.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import NamedTuple


class Sex(StrEnum):
    """What the patient said (stored codes: never rename)."""

    FEMALE = "female"
    MALE = "male"
    UNSAID = "unsaid"  # "Prefer not to say"


class Menopause(StrEnum):
    """Whether a woman's periods have stopped for good (stored codes: never rename)."""

    POST = "post"
    PRE = "pre"
    UNSURE = "unsure"


class CriteriaFit(StrEnum):
    """Whether the 2017 statement's criteria are written for this patient."""

    WRITTEN_FOR = "written_for"  # a woman after menopause
    NOT_KNOWN = "not_known"  # not said: shown, with who they are written for
    OTHER_CRITERIA = "other_criteria"  # a man, or before menopause, or not sure


def criteria_fit(sex: Sex | None, menopause: Menopause | None) -> CriteriaFit:
    """Tell whether the statement's criteria apply (its title: "in postmenopausal women").

    Not said (never asked, or "prefer not to say") keeps the criteria, worded as written
    for women after menopause: most people on an aromatase inhibitor are, and the care team
    knows. A woman not sure about menopause is told her care team judges.
    """
    if sex is None or sex is Sex.UNSAID:
        return CriteriaFit.NOT_KNOWN
    if sex is Sex.FEMALE and menopause is Menopause.POST:
        return CriteriaFit.WRITTEN_FOR
    if sex is Sex.FEMALE and menopause is None:
        return CriteriaFit.NOT_KNOWN
    return CriteriaFit.OTHER_CRITERIA


def asks_female_items(sex: Sex | None) -> bool:
    """Tell whether items about the vagina are asked (all but a man who said so)."""
    return sex is not Sex.MALE


# --------------------------------------------------------------------------- height, weight


class Body(NamedTuple):
    """Height and weight as typed, in centimetres and kilograms."""

    height_cm: float
    weight_kg: float


class InvalidBodyText(ValueError):
    """Text that does not give a height and a weight this bot can read."""


_NUMBER = r"(\d+(?:[.,]\d+)?)"
_CM = re.compile(rf"{_NUMBER}\s*cm\b")
_M = re.compile(r"\b(\d[.,]\d{1,2})\s*m\b")
_INCHES = r"(\d{1,2}(?:[.,]\d+)?)(?!\d)(?!\s*(?:lb|pound|kg|kilo|st\b|stone))"
_FEET = re.compile(rf"(\d)\s*(?:ft|feet|foot|')\s*(?:{_INCHES}\s*(?:in|inches|\"|'')?)?")
_KG = re.compile(rf"{_NUMBER}\s*(?:kg|kilos?)\b")
_LB = re.compile(rf"{_NUMBER}\s*(?:lb|lbs|pounds?)\b")
_ST = re.compile(rf"(\d+)\s*(?:st|stone)\b(?:\s*{_NUMBER}\s*(?:lb|lbs|pounds?)?)?")
_CM_PER_INCH = 2.54
_KG_PER_LB = 0.45359237
_LB_PER_STONE = 14


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def parse_body(text: str) -> Body:
    """Read a height and a weight, in any order and the usual units: "165 cm 62 kg",
    "1.65 m, 62 kg", "5 ft 5 in 137 lb", "5'5 9 st 11". Raises InvalidBodyText."""
    lowered = text.lower()
    height = _height(lowered)
    weight = _weight(lowered)
    if height is None or weight is None:
        raise InvalidBodyText(text)
    if not 100 <= height <= 250 or not 20 <= weight <= 400:
        raise InvalidBodyText(text)
    return Body(round(height, 1), round(weight, 1))


def _height(text: str) -> float | None:
    if (cm := _CM.search(text)) is not None:
        return _number(cm[1])
    if (metres := _M.search(text)) is not None:
        return _number(metres[1]) * 100
    if (feet := _FEET.search(text)) is not None:
        inches = _number(feet[2]) if feet[2] else 0.0
        return (int(feet[1]) * 12 + inches) * _CM_PER_INCH
    return None


def _weight(text: str) -> float | None:
    if (kg := _KG.search(text)) is not None:
        return _number(kg[1])
    if (stone := _ST.search(text)) is not None:
        pounds = _number(stone[2]) if stone[2] else 0.0
        return (int(stone[1]) * _LB_PER_STONE + pounds) * _KG_PER_LB
    if (lb := _LB.search(text)) is not None:
        return _number(lb[1]) * _KG_PER_LB
    return None
