"""Bone turnover markers and 25-OH vitamin D: results as printed on a lab report, their units,
the one unit each is kept in, and the check that catches a typing slip.

Pure rules, no I/O. The bot records and shows these results; it never says whether a value
is good or bad for the patient (the care team judges). The only judgement here is whether a
typed value is one a laboratory could have printed for that test, so that a slip (a missed
decimal point, pg/mL typed as ng/mL) is asked about before it is saved.

Conversion factors (each checked against a laboratory's published page):

- 25-hydroxyvitamin D: 1 ng/mL (= 1 µg/L) is 2.496 nmol/L. UCSF Clinical Laboratories, lab
  manual entry "Vitamin D, 25-Hydroxy" (labmed.ucsf.edu/labmanual/db/data/tests/1002.html):
  "To convert µg/L to nmol/L (SI units) multiply by 2.496." (2.496 nmol/L per ng/mL follows
  from the molar mass of 25-hydroxyvitamin D3, about 400.6 g/mol.)
- CTX, P1NP and bone-specific alkaline phosphatase are mass concentrations: 1 ng/mL =
  1 µg/L = 1000 pg/mL = 1000 ng/L (SI prefixes; stated as such on labtests.co.in's unit
  converter, "1 ng/mL = 1000 ng/L = 1 µg/L"). ARUP (test 0070416) and Mayo Clinic
  Laboratories (test CTX) print CTX in pg/mL, other laboratories in ng/mL; Mayo prints
  P1NP (test PINP) and bone alkaline phosphatase (test BAP) in mcg/L.
- Bone-specific alkaline phosphatase measured as enzyme activity (U/L) is a different
  quantity from the mass assays (µg/L): no fixed factor converts one into the other, so
  U/L is refused with a message rather than converted.
- Urine NTX is a ratio to creatinine, nmol BCE (bone collagen equivalents) per mmol
  creatinine, as ARUP (test 0070062) and Mayo (test NTXPR) print it; no other unit is taken.

The plausibility ranges below are typing checks, not reference intervals: each is set well
outside the adult reference intervals the same laboratories publish (CTX 40-1015 pg/mL, ARUP
0070416; P1NP 16-96 mcg/L, Mayo PINP; bone ALP at most 22 mcg/L in adults, Mayo BAP; NTX
17-124 nmol BCE/mmol creatinine in adults, ARUP 0070062; 25-OH vitamin D "toxicity possible"
above 150 ng/mL, ARUP 0080379) so that only values no report would print are asked about.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum


class Marker(StrEnum):
    """A laboratory test the patient can record. The values are stored: never change one."""

    VITAMIN_D = "vitamin_d"  # 25-hydroxyvitamin D (D2 + D3), serum or plasma
    CTX = "ctx"  # C-terminal telopeptide of type I collagen (beta-CrossLaps), serum
    P1NP = "p1np"  # procollagen type I N-terminal propeptide, serum
    BSAP = "bsap"  # bone-specific alkaline phosphatase (mass assay), serum
    NTX = "ntx"  # N-telopeptide of type I collagen / creatinine, urine


# The order buttons show them in; a button carries the index, so never reorder.
MARKERS: tuple[Marker, ...] = (
    Marker.VITAMIN_D,
    Marker.CTX,
    Marker.P1NP,
    Marker.BSAP,
    Marker.NTX,
)


@dataclass(frozen=True)
class Unit:
    """A unit a report prints a test in, and the factor to the test's own unit."""

    label: str  # as shown, e.g. "pg/mL"
    factor: float  # canonical value = typed value * factor
    spellings: frozenset[str]  # normalised spellings (see `normalise_unit`)


@dataclass(frozen=True)
class MarkerRule:
    """A test's canonical unit (first of `units`), its UCUM code, and its typing check."""

    marker: Marker
    units: tuple[Unit, ...]  # the first is canonical (factor 1); buttons carry the index
    ucum: str
    plausible: tuple[float, float]  # canonical; outside it, the patient is asked first
    refused_units: frozenset[str] = frozenset()  # normalised spellings with no fixed factor

    @property
    def unit(self) -> Unit:
        """Return the unit the test is kept, charted and exported in."""
        return self.units[0]


# 1 ng/mL of 25-hydroxyvitamin D is 2.496 nmol/L (UCSF lab manual, see the module docstring).
VITAMIN_D_NMOL_PER_NG = 2.496

_NG_ML = frozenset({"ng/ml", "ug/l"})
_PG_ML = frozenset({"pg/ml", "ng/l"})

RULES: dict[Marker, MarkerRule] = {
    Marker.VITAMIN_D: MarkerRule(
        Marker.VITAMIN_D,
        (
            Unit("ng/mL", 1.0, _NG_ML),
            Unit("nmol/L", 1 / VITAMIN_D_NMOL_PER_NG, frozenset({"nmol/l"})),
        ),
        ucum="ng/mL",
        plausible=(3.0, 200.0),
    ),
    Marker.CTX: MarkerRule(
        Marker.CTX,
        (Unit("ng/mL", 1.0, _NG_ML), Unit("pg/mL", 0.001, _PG_ML)),
        ucum="ng/mL",
        plausible=(0.01, 3.0),
    ),
    Marker.P1NP: MarkerRule(
        Marker.P1NP,
        (Unit("µg/L", 1.0, _NG_ML),),
        ucum="ug/L",
        plausible=(3.0, 500.0),
    ),
    Marker.BSAP: MarkerRule(
        Marker.BSAP,
        (Unit("µg/L", 1.0, _NG_ML),),
        ucum="ug/L",
        plausible=(1.0, 200.0),
        refused_units=frozenset({"u/l", "iu/l"}),
    ),
    Marker.NTX: MarkerRule(
        Marker.NTX,
        (Unit("nmol BCE/mmol creatinine", 1.0, frozenset({"nmol/mmol"})),),
        ucum="nmol{BCE}/mmol{creat}",
        plausible=(3.0, 1000.0),
    ),
}

# A typed number: up to six digits, a decimal point or comma, up to four decimals.
_READING = re.compile(r"(?P<number>\d{1,6}(?:[.,]\d{1,4})?|[.,]\d{1,4})\s*(?P<unit>.*)")
MAX_TYPED = 60  # characters: longer text is not a lab value


class UnreadableValue(ValueError):
    """Text that is not a number (with or without a unit) for the test asked about."""


class UnknownUnit(ValueError):
    """A number with a unit this test is not printed in (or one with no fixed factor)."""

    def __init__(self, text: str, *, not_convertible: bool = False) -> None:
        super().__init__(text)
        self.not_convertible = not_convertible


class MissingUnit(ValueError):
    """A number typed without its unit: the unit is asked for with buttons."""

    def __init__(self, number: str) -> None:
        super().__init__(number)
        self.number = number


@dataclass(frozen=True)
class Reading:
    """One result as printed: the number as typed (decimal point), its unit, the test."""

    marker: Marker
    number: str  # the digits as typed, a decimal comma made a point: "0.35"
    unit: Unit

    def __post_init__(self) -> None:
        """Refuse a number that is not a finite positive value, or a unit not of the test."""
        if self.unit not in RULES[self.marker].units:
            raise UnknownUnit(self.unit.label)
        value = float(self.number)
        if not math.isfinite(value) or value <= 0:
            raise UnreadableValue(self.number)

    @property
    def typed_value(self) -> float:
        """Return the number as printed on the report."""
        return float(self.number)

    @property
    def value(self) -> float:
        """Return the value in the test's own unit (rounded to 4 significant digits)."""
        return _significant(self.typed_value * self.unit.factor, 4)

    @property
    def converted(self) -> bool:
        """Tell whether the printed unit is not the test's own."""
        return self.unit != RULES[self.marker].unit

    @property
    def as_printed(self) -> str:
        """Return the result as the report printed it, like '350 pg/mL'."""
        return f"{self.number} {self.unit.label}"


def _significant(value: float, digits: int) -> float:
    if value == 0:
        return 0.0
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def normalise_unit(text: str) -> str:
    """Return a unit's spelling reduced for comparison: no case, spaces, BCE or creatinine.

    'µg/L', 'ug/l', 'mcg/L' and 'μg/L' (Greek mu) read alike; 'nM BCE/mM creatinine' and
    'nmol/mmol Cr' read as 'nmol/mmol'.
    """
    unit = text.strip().lower().replace(" ", "").rstrip(".")
    unit = unit.replace("\u00b5", "u").replace("\u03bc", "u").replace("mcg", "ug")
    unit = unit.replace("litre", "l").replace("liter", "l").replace("per", "/")
    unit = unit.replace("bce", "")
    for word in ("creatinine", "creat", "crea", "cr"):
        unit = unit.removesuffix(word)
    unit = re.sub(r"^nm/", "nmol/", unit)
    return re.sub(r"/mm$", "/mmol", unit)


def unit_for(marker: Marker, text: str) -> Unit:
    """Return the unit of a test that a typed spelling names; UnknownUnit if none."""
    rule = RULES[marker]
    spelling = normalise_unit(text)
    for unit in rule.units:
        if spelling in unit.spellings:
            return unit
    raise UnknownUnit(text, not_convertible=spelling in rule.refused_units)


def parse_reading(marker: Marker, text: str) -> Reading:
    """Read a result typed as the report prints it, like '0.35 ng/mL' or '72 nmol/L'.

    A decimal comma is a decimal point ('0,35'). A number alone raises MissingUnit (the unit
    is then asked with buttons); anything else that is not a number raises UnreadableValue.
    """
    cleaned = text.strip()
    match = _READING.fullmatch(cleaned) if len(cleaned) <= MAX_TYPED else None
    if match is None:
        raise UnreadableValue(text)
    number = _number(match["number"])
    if float(number) <= 0:
        raise UnreadableValue(text)
    if not match["unit"].strip():
        raise MissingUnit(number)
    return Reading(marker, number, unit_for(marker, match["unit"]))


def _number(digits: str) -> str:
    number = digits.replace(",", ".")
    if number.startswith("."):
        number = "0" + number
    return number


def reading_with_unit(marker: Marker, number: str, unit_index: int) -> Reading:
    """Return the reading of a number typed alone and the unit then tapped."""
    units = RULES[marker].units
    if not 0 <= unit_index < len(units):
        raise UnknownUnit(str(unit_index))
    return Reading(marker, _number(number), units[unit_index])


@dataclass(frozen=True)
class MarkerDoubt:
    """A typed result outside the values a report prints for the test: ask before saving."""

    reading: Reading
    low: float  # the plausible range, in the unit the patient typed
    high: float


def doubt_of(reading: Reading) -> MarkerDoubt | None:
    """Return the doubt about a typed result, or None when a report could print it."""
    low, high = RULES[reading.marker].plausible
    if low <= reading.value <= high:
        return None
    factor = reading.unit.factor
    return MarkerDoubt(reading, _significant(low / factor, 3), _significant(high / factor, 3))
