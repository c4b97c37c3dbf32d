"""Where a patient is: a typed city or country, read into the IANA time zones there.

Nothing here is typed in by hand but a few informal English names ("USA", "UK",
"England", "Holland"; `_ALIASES`). The rest is packaged data, read once on first use:

- tzdata's ``zone.tab``: each country's zones (the most populated area first) and the
  city each zone is named after; ``iso3166.tab``: English country names; ``zonenow.tab``:
  one well-known zone for each clock kept today (Sydney for south-east Australia);
- Babel's CLDR: country and city names in the languages of `LANGUAGES` ("España",
  "Deutschland", "Nueva York", "Londres"), and the English name of each zone's city for
  the buttons ("São Paulo", "St. John's").

A country is one zone when all its zones keep the same clock from now on (Germany:
Berlin and Büsingen); otherwise it is one choice per clock (the United States: New York,
Chicago, Denver, Phoenix, Los Angeles, ...). What "the same clock" is depends on the day
(rules change), so the choices are worked out for the instant given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from importlib.resources import files
from zoneinfo import ZoneInfo

from babel import Locale
from babel.core import get_global

from bot.domain.dose_times import UnknownZone, parse_zone
from bot.domain.text_input import MAX_NAME_TEXT, fold, near_spelling

# Whose country and city names are understood: English first (it wins where two languages
# spell different places alike), then the languages most patients of a European or
# American clinic write in.
LANGUAGES = (
    "en",
    "es",
    "fr",
    "de",
    "it",
    "pt",
    "nl",
    "pl",
    "ru",
    "uk",
    "tr",
    "el",
    "sv",
    "da",
    "nb",
    "fi",
    "cs",
    "hu",
    "ro",
    "he",
    "ar",
    "zh",
    "ja",
    "ko",
    "hi",
)
# Everyday English names that neither tzdata nor CLDR give as a country's name.
_ALIASES = {
    "US": ("usa", "us", "u s", "u s a", "america", "united states of america", "the states"),
    "GB": (
        "uk",
        "u k",
        "great britain",
        "england",
        "scotland",
        "wales",
        "northern ireland",
    ),
    "NL": ("holland",),
    "AE": ("uae", "emirates"),
    "CI": ("ivory coast",),
}
# Clocks are compared on this many days from now: long enough to see each rule's summer
# and winter, and a change already announced for next year.
_HORIZON_DAYS = 400


@dataclass(frozen=True)
class PlaceMatch:
    """A place understood from typed text, and the time zones to choose among there."""

    name: str  # in English, as shown back: "Germany", "New York", "Europe/Berlin"
    zones: tuple[str, ...]  # one IANA zone per clock kept there, the usual one first
    near: bool = False  # read from a near spelling: to be confirmed, never taken as is

    @property
    def zone(self) -> str | None:
        """Return the one zone of the place, or None when there is a choice to make."""
        return self.zones[0] if len(self.zones) == 1 and not self.near else None


@dataclass(frozen=True)
class _Place:
    country: str | None = None  # ISO 3166 code
    zone: str | None = None  # IANA name of a city's zone


def _tzdata_table(name: str) -> list[list[str]]:
    """Return the rows of one of tzdata's tables (tab-separated, # comments)."""
    text = (files("tzdata") / "zoneinfo" / name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@cache
def _country_zones() -> dict[str, tuple[str, ...]]:
    """Map each ISO country code to its zones, in zone.tab's order (most populated first)."""
    zones: dict[str, list[str]] = {}
    for row in _tzdata_table("zone.tab"):
        zones.setdefault(row[0], []).append(row[2])
    return {code: tuple(names) for code, names in zones.items()}


@cache
def _well_known_zones() -> frozenset[str]:
    """Return zonenow.tab's zones: the usual name of each clock kept today."""
    return frozenset(row[2] for row in _tzdata_table("zonenow.tab"))


@cache
def _locale(language: str) -> Locale:
    return Locale(language)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _localized_city(zone: str, language: str) -> str | None:
    """Return CLDR's name of the city a zone is named after, in one language."""
    canonical = get_global("zone_aliases").get(zone, zone)
    info = _locale(language).time_zones.get(canonical)
    return _text(info.get("city")) if info is not None else None


def zone_city(zone: str) -> str:
    """Return the English name of the city a zone is named after ("America/New_York": New York)."""
    return _localized_city(zone, "en") or zone.rpartition("/")[2].replace("_", " ")


def country_name(code: str) -> str:
    """Return a country's English name as CLDR spells it ("US": United States)."""
    return _text(_locale("en").territories.get(code)) or code


def _spellings(name: str) -> set[str]:
    """Return the folded forms a name is found under: 'Antigua & Barbuda' with 'and' too;
    'Myanmar (Burma)' as a whole and without its bracket."""
    forms = {fold(name), fold(name.replace("&", " and "))}
    if "(" in name:
        forms.add(fold(name.split("(", 1)[0]))
    return {form for form in forms if form}


@cache
def _names() -> dict[str, _Place]:
    """Map every folded name of a country or zone city to its place (built once)."""
    names: dict[str, _Place] = {}
    countries = _country_zones()
    zones = [zone for codes in countries.values() for zone in codes]

    def add(name: str, place: _Place) -> None:
        for form in _spellings(name):
            names.setdefault(form, place)

    # tzdata's English names share brackets ("Korea (North)", "Korea (South)"): a base
    # name two countries have ("korea", "samoa") is left out rather than given to one.
    english = {code: name for code, name, *_ in _tzdata_table("iso3166.tab")}
    bases: dict[str, set[str]] = {}
    for code, name in english.items():
        bases.setdefault(fold(name.split("(", 1)[0]), set()).add(code)
    shared = {base for base, codes in bases.items() if len(codes) > 1}
    for code, aliases in _ALIASES.items():
        for alias in aliases:
            add(alias, _Place(country=code))
    for language in LANGUAGES:
        territories = _locale(language).territories
        for code in countries:
            spelled: list[str | None] = [_text(territories.get(code))]
            if language == "en":
                spelled.append(english.get(code))
            for spelling in spelled:
                for form in _spellings(spelling or "") - shared:
                    names.setdefault(form, _Place(country=code))
        for zone in zones:
            city = _localized_city(zone, language)
            if city is not None:
                add(city, _Place(zone=zone))
            if language == "en":
                add(zone.rpartition("/")[2].replace("_", " "), _Place(zone=zone))
    return names


def _clock(zone: str, now: datetime) -> tuple[timedelta | None, ...]:
    """Return a zone's UTC offset at noon UTC on each day of the horizon from `now`."""
    return _clock_from(zone, now.astimezone(UTC).date())


@lru_cache(maxsize=1024)
def _clock_from(zone: str, day: date) -> tuple[timedelta | None, ...]:
    info = ZoneInfo(zone)
    start = datetime.combine(day, time(12), tzinfo=UTC)
    return tuple(
        (start + timedelta(days=offset)).astimezone(info).utcoffset()
        for offset in range(_HORIZON_DAYS)
    )


def zones_of_country(code: str, now: datetime) -> tuple[str, ...]:
    """Return one zone for each clock a country keeps from `now` on, in zone.tab's order.

    Each clock is named by its usual zone (zonenow.tab's, where it is in the country) or
    else the first of the country's zones that keeps it: Sydney for south-east Australia,
    Berlin for all of Germany.
    """
    groups: dict[tuple[timedelta | None, ...], list[str]] = {}
    for zone in _country_zones().get(code, ()):
        groups.setdefault(_clock(zone, now), []).append(zone)
    known = _well_known_zones()
    return tuple(
        next((zone for zone in members if zone in known), members[0])
        for members in groups.values()
    )


def _match(place: _Place, now: datetime, near: bool) -> PlaceMatch:
    if place.country is not None:
        zones = zones_of_country(place.country, now)
        return PlaceMatch(country_name(place.country), zones, near)
    assert place.zone is not None
    return PlaceMatch(zone_city(place.zone), (place.zone,), near)


def find_place(text: str, now: datetime) -> PlaceMatch | None:
    """Read a typed time zone: an IANA name, a country, a city, or a near spelling of one.

    "Europe/Berlin" and "asia/tokyo" are taken as they are; "Germany", "deutschland" and
    "Berlin" are Europe/Berlin; "United States" is a choice of its zones; "Berlin,
    Germany" is read part by part, the city first; "Germny" is offered back as Germany.
    Single-word IANA links that are countries ("Japan", "Portugal") are read as the
    country, so Portugal offers the Azores too.
    """
    if len(text) > MAX_NAME_TEXT:
        return None
    if "/" in text:
        try:
            zone = parse_zone(text).key
        except UnknownZone:
            return None
        return PlaceMatch(zone, (zone,))
    names = _names()
    folded = fold(text)
    wholes = [folded, folded.removeprefix("the "), folded.removesuffix(" city")]
    parts = [fold(part) for part in text.split(",")]  # "Berlin, Germany": the city wins
    found = [names[name] for name in wholes if name in names]
    found += sorted((names[p] for p in parts if p in names), key=lambda p: p.zone is None)
    if found:
        return _match(found[0], now, near=False)
    parts = wholes + parts
    try:  # the other IANA names without a slash: UTC, GMT, EST5EDT
        zone = parse_zone(text).key
    except UnknownZone:
        pass
    else:
        return PlaceMatch(zone, (zone,))
    for part in parts:
        near = near_spelling(part, names)
        if near is not None:
            return _match(names[near], now, near=True)
    return None
