"""A typed city or country read into its time zones, from tzdata's tables and CLDR's names."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.places import _country_zones, find_place, zone_city, zones_of_country

WINTER = datetime(2031, 1, 15, 12, 0, tzinfo=UTC)
SUMMER = datetime(2031, 7, 15, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Berlin", "Europe/Berlin"),
        ("Germany", "Europe/Berlin"),  # Büsingen keeps Berlin's clock: one zone
        ("deutschland", "Europe/Berlin"),
        ("Berlin, Germany", "Europe/Berlin"),
        ("New York", "America/New_York"),
        ("new york city", "America/New_York"),
        ("Nueva York", "America/New_York"),
        ("london", "Europe/London"),
        ("Londres", "Europe/London"),
        ("UK", "Europe/London"),
        ("England", "Europe/London"),
        ("the Netherlands", "Europe/Amsterdam"),
        ("Holland", "Europe/Amsterdam"),
        ("India", "Asia/Kolkata"),
        ("Calcutta", "Asia/Kolkata"),  # an old name of the city
        ("Japan", "Asia/Tokyo"),  # the country, not the old IANA link named Japan
        ("sao paulo", "America/Sao_Paulo"),
        ("Italia", "Europe/Rome"),
        ("Россия, Москва", "Europe/Moscow"),
        ("Europe/Berlin", "Europe/Berlin"),  # IANA names keep working
        ("asia/tokyo", "Asia/Tokyo"),
        ("America/New York", "America/New_York"),
        ("UTC", "UTC"),
    ],
)
def test_a_city_or_a_country_with_one_clock_is_its_zone(text: str, zone: str) -> None:
    for now in (WINTER, SUMMER):
        place = find_place(text, now)
        assert place is not None, text
        assert place.zone == zone


@pytest.mark.parametrize("text", ["España", "Spain", "ESPAÑA", "espana"])
def test_spain_offers_the_mainland_and_the_canaries(text: str) -> None:
    place = find_place(text, WINTER)
    assert place is not None
    assert (place.name, place.zones, place.zone) == (
        "Spain",
        ("Europe/Madrid", "Atlantic/Canary"),
        None,
    )


@pytest.mark.parametrize("text", ["United States", "USA", "america", "United States of America"])
def test_the_united_states_offers_one_zone_per_clock(text: str) -> None:
    for now in (WINTER, SUMMER):
        place = find_place(text, now)
        assert place is not None
        assert place.name == "United States"
        assert place.zone is None
        assert place.zones[0] == "America/New_York"
        expected = {
            "America/New_York",
            "America/Chicago",
            "America/Denver",
            "America/Phoenix",
            "America/Los_Angeles",
            "America/Anchorage",
            "Pacific/Honolulu",
        }
        assert expected <= set(place.zones)
        assert "America/Detroit" not in place.zones  # Detroit keeps New York's clock


@pytest.mark.parametrize(
    ("country", "some_zones"),
    [
        ("Canada", {"America/Toronto", "America/Vancouver", "America/Halifax"}),
        ("Australia", {"Australia/Sydney", "Australia/Perth", "Australia/Brisbane"}),
        ("Russia", {"Europe/Moscow", "Asia/Vladivostok"}),
        ("Brazil", {"America/Sao_Paulo"}),
        ("Mexico", {"America/Mexico_City", "America/Tijuana"}),
        ("Portugal", {"Europe/Lisbon", "Atlantic/Azores"}),
    ],
)
def test_countries_with_several_clocks_offer_a_choice(country: str, some_zones: set[str]) -> None:
    place = find_place(country, WINTER)
    assert place is not None
    assert place.zone is None
    assert some_zones <= set(place.zones)


def _clock(zone: str) -> list[object]:
    info = ZoneInfo(zone)
    return [
        datetime(2031, month, day, 12, tzinfo=UTC).astimezone(info).utcoffset()
        for month in range(1, 13)
        for day in (1, 15)
    ]


def test_every_zone_of_every_country_keeps_the_clock_of_one_choice() -> None:
    for code, zones in _country_zones().items():
        choices = zones_of_country(code, WINTER)
        clocks = [_clock(zone) for zone in choices]
        assert len({str(clock) for clock in clocks}) == len(choices), code  # all differ
        for zone in zones:
            assert _clock(zone) in clocks, (code, zone)


def test_a_near_spelling_is_offered_back_not_taken() -> None:
    place = find_place("Germny", WINTER)
    assert place is not None
    assert (place.name, place.zones, place.near, place.zone) == (
        "Germany",
        ("Europe/Berlin",),
        True,
        None,
    )


@pytest.mark.parametrize(
    "text", ["", "hello", "hi", "👋", "Mars/Olympus", "../../etc/passwd", "x" * 200, "Atlantis"]
)
def test_what_is_no_place_is_not_understood(text: str) -> None:
    assert find_place(text, WINTER) is None


def test_each_zone_is_named_by_its_city_in_english() -> None:
    assert zone_city("America/New_York") == "New York"
    assert zone_city("America/Sao_Paulo") == "São Paulo"
    assert zone_city("Asia/Kolkata") == "Kolkata"
    assert zone_city("Europe/Berlin") == "Berlin"
