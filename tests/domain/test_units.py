"""Volumes by locale: the catalogue's US ounces, or the same amounts in millilitres."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

import pytest

from bot.domain.catalog import ALL_PRODUCTS, get_product
from bot.domain.units import VolumeUnit, in_units, millilitres, unit_for_zone, us_zones

ML = VolumeUnit.MILLILITRES
OZ = VolumeUnit.US_OUNCES


@pytest.mark.parametrize(
    ("ounces", "ml"),
    [(2, 60), (4, 120), (6, 180), (8, 240)],
)
def test_ounces_convert_to_millilitres_rounded_to_10(ounces: int, ml: int) -> None:
    assert millilitres(ounces) == ml


@pytest.mark.parametrize(
    ("text", "metric"),
    [
        (
            "Swallow the tablet with a full glass (6 to 8 oz) of plain water.",
            "Swallow the tablet with a full glass (180 to 240 ml) of plain water.",
        ),
        (
            "Put it in half a glass (4 oz) of plain water at room temperature, not cold or hot.",
            "Put it in half a glass (120 ml) of plain water at room temperature, not cold or hot.",
        ),
        (
            "Then drink at least 2 oz (a quarter of a glass) of plain water.",
            "Then drink at least 60 ml (a quarter of a glass) of plain water.",
        ),
        ("Take 1 tablet once a day.", "Take 1 tablet once a day."),
        ("Do not lie down for at least 30 minutes.", "Do not lie down for at least 30 minutes."),
    ],
)
def test_in_units(text: str, metric: str) -> None:
    assert in_units(text, ML) == metric
    assert in_units(text, OZ) == text


def test_no_catalogue_line_keeps_ounces_in_millilitres() -> None:
    for product in ALL_PRODUCTS:
        admin = product.administration
        for line in (*admin.instructions, *admin.short):
            converted = in_units(line, ML)
            assert " oz" not in converted, (product.key, line)
            if "oz" in line:
                assert " ml" in converted


@pytest.mark.parametrize(
    "zone",
    [
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Phoenix",
        "America/Los_Angeles",
        "America/Anchorage",
        "Pacific/Honolulu",
        "America/Indiana/Indianapolis",
        "US/Eastern",
    ],
)
def test_us_zones_read_ounces(zone: str) -> None:
    assert unit_for_zone(ZoneInfo(zone)) is OZ


@pytest.mark.parametrize(
    "zone",
    [
        "Europe/Berlin",
        "Europe/London",
        "America/Toronto",
        "America/Mexico_City",
        "America/Sao_Paulo",
        "America/Matamoros",
        "Asia/Tokyo",
        "UTC",
    ],
)
def test_other_zones_read_millilitres(zone: str) -> None:
    assert unit_for_zone(ZoneInfo(zone)) is ML


def test_a_zone_without_a_name_reads_millilitres() -> None:
    assert unit_for_zone(UTC) is ML
    assert unit_for_zone(None) is ML


def test_us_zones_come_from_tzdata() -> None:
    zones = us_zones()
    assert "America/New_York" in zones
    assert "Europe/Berlin" not in zones
    assert all(zone.startswith(("America/", "Pacific/")) for zone in zones)


def test_the_reminder_lines_of_a_berlin_patient() -> None:
    short = get_product("alendronate-70-weekly-tablet").administration.short
    assert [in_units(line, unit_for_zone(ZoneInfo("Europe/Berlin"))) for line in short][1] == (
        "Swallow it whole with a full glass (180 to 240 ml) of plain water."
    )
