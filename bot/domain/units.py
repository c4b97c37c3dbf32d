"""Volumes as the patient reads them: US fluid ounces in the United States, millilitres
elsewhere.

The catalogue states water amounts as its US labels do ("6 to 8 oz", "4 oz", "2 oz").
Outside the United States the same amounts are shown converted to millilitres, rounded to
10 ml (6 to 8 oz is 180 to 240 ml, 4 oz is 120 ml, 2 oz is 60 ml): a conversion of what
the label states, never a new amount (a patient monograph for weekly alendronate gives
the same "6-8 oz or 180 ml-240 ml").

Which country a patient is in is told by their IANA time zone: the zones tzdata's
`zone.tab` lists under the country code US (America/New_York, America/Phoenix,
Pacific/Honolulu, ...), and the old `US/...` names.
"""

from __future__ import annotations

import re
from datetime import tzinfo
from enum import StrEnum
from functools import cache
from importlib import resources

US_FLUID_OUNCE_ML = 29.5735295625
_ROUND_TO_ML = 10
# "6 to 8 oz", "4 oz": whole US fluid ounces, as the catalogue writes them.
_OUNCES = re.compile(r"\b(?P<low>\d+)(?: to (?P<high>\d+))? oz\b")


class VolumeUnit(StrEnum):
    """How volumes are shown to a patient."""

    MILLILITRES = "ml"
    US_OUNCES = "oz"


def millilitres(ounces: int) -> int:
    """Convert whole US fluid ounces to millilitres, rounded to the nearest 10 ml."""
    return round(ounces * US_FLUID_OUNCE_ML / _ROUND_TO_ML) * _ROUND_TO_ML


def in_units(text: str, unit: VolumeUnit) -> str:
    """Return the text with its ounce amounts in `unit` (unchanged for US ounces)."""
    if unit is VolumeUnit.US_OUNCES:
        return text

    def metric(found: re.Match[str]) -> str:
        low, high = found["low"], found["high"]
        if high is None:
            return f"{millilitres(int(low))} ml"
        return f"{millilitres(int(low))} to {millilitres(int(high))} ml"

    return _OUNCES.sub(metric, text)


def unit_for_zone(zone: tzinfo | None) -> VolumeUnit:
    """Return the unit a patient in this time zone reads: ounces in the US, else ml."""
    key = getattr(zone, "key", None)
    if isinstance(key, str) and (key.startswith("US/") or key in us_zones()):
        return VolumeUnit.US_OUNCES
    return VolumeUnit.MILLILITRES


@cache
def us_zones() -> frozenset[str]:
    """The IANA zones of the United States, from tzdata's zone.tab (empty without it)."""
    try:
        table = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return frozenset()
    zones = set()
    for line in table.splitlines():
        fields = line.split("\t")
        if len(fields) >= 3 and fields[0] == "US":
            zones.add(fields[2])
    return frozenset(zones)
