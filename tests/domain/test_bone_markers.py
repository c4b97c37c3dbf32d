"""Bone turnover markers and 25-OH vitamin D: reading a result as printed, its units, the one
unit each test is kept in, and the typing check (`bot.domain.bone_markers`)."""

from __future__ import annotations

import pytest

from bot.domain.bone_markers import (
    MARKERS,
    RULES,
    VITAMIN_D_NMOL_PER_NG,
    Marker,
    MissingUnit,
    Reading,
    UnknownUnit,
    UnreadableValue,
    doubt_of,
    normalise_unit,
    parse_reading,
    reading_with_unit,
)


def test_the_button_order_and_stored_values_never_change() -> None:
    # A button carries the index and a row the value: both outlive any release.
    assert [marker.value for marker in MARKERS] == ["vitamin_d", "ctx", "p1np", "bsap", "ntx"]
    assert set(MARKERS) == set(Marker) == set(RULES)


def test_every_rule_lists_its_own_unit_first_with_factor_one() -> None:
    for rule in RULES.values():
        assert rule.unit.factor == 1.0
        low, high = rule.plausible
        assert 0 < low < high


@pytest.mark.parametrize(
    ("marker", "text", "number", "unit", "value"),
    [
        (Marker.CTX, "0.35 ng/mL", "0.35", "ng/mL", 0.35),
        (Marker.CTX, "350 pg/mL", "350", "pg/mL", 0.35),
        (Marker.CTX, "0,35 ng/ml", "0.35", "ng/mL", 0.35),  # a decimal comma
        (Marker.CTX, "350pg/ml", "350", "pg/mL", 0.35),
        (Marker.CTX, "350 ng/L", "350", "pg/mL", 0.35),
        (Marker.VITAMIN_D, "29 ng/mL", "29", "ng/mL", 29.0),
        (Marker.VITAMIN_D, "72 nmol/L", "72", "nmol/L", 28.85),
        (Marker.VITAMIN_D, "72 nmol/l", "72", "nmol/L", 28.85),
        (Marker.VITAMIN_D, "29 µg/L", "29", "ng/mL", 29.0),
        (Marker.VITAMIN_D, "29 mcg/L", "29", "ng/mL", 29.0),
        (Marker.P1NP, "45 μg/L", "45", "µg/L", 45.0),  # a Greek mu
        (Marker.P1NP, "45 ug/l", "45", "µg/L", 45.0),
        (Marker.P1NP, "45 ng/mL", "45", "µg/L", 45.0),
        (Marker.BSAP, "12,5 µg/L", "12.5", "µg/L", 12.5),
        (Marker.NTX, "40 nmol BCE/mmol creatinine", "40", "nmol BCE/mmol creatinine", 40.0),
        (Marker.NTX, "40 nM BCE/mM creatinine", "40", "nmol BCE/mmol creatinine", 40.0),
        (Marker.NTX, "40 nmol/mmol Cr", "40", "nmol BCE/mmol creatinine", 40.0),
        (Marker.CTX, ".35 ng/mL", "0.35", "ng/mL", 0.35),
    ],
)
def test_a_result_is_read_as_printed_and_converted(
    marker: Marker, text: str, number: str, unit: str, value: float
) -> None:
    reading = parse_reading(marker, text)
    assert (reading.number, reading.unit.label, reading.value) == (number, unit, value)
    assert reading.as_printed == f"{number} {unit}"
    assert reading.converted is (unit != RULES[marker].unit.label)


def test_vitamin_d_uses_the_ucsf_factor_both_ways() -> None:
    assert VITAMIN_D_NMOL_PER_NG == 2.496
    assert parse_reading(Marker.VITAMIN_D, "74.88 nmol/L").value == 30.0
    assert parse_reading(Marker.VITAMIN_D, "2.496 nmol/L").value == 1.0


def test_a_number_alone_asks_for_its_unit_then_takes_a_tapped_one() -> None:
    with pytest.raises(MissingUnit) as missing:
        parse_reading(Marker.CTX, "0,35")
    assert missing.value.number == "0.35"
    reading = reading_with_unit(Marker.CTX, missing.value.number, 1)
    assert (reading.as_printed, reading.value) == ("0.35 pg/mL", 0.00035)
    with pytest.raises(UnknownUnit):
        reading_with_unit(Marker.CTX, "0.35", 2)  # a forged unit button


@pytest.mark.parametrize(
    "text", ["", "abc", "-3 ng/mL", "0 ng/mL", "1.2.3 ng/mL", "1e5 ng/mL", "29 ng/mL" + "x" * 60]
)
def test_what_is_no_result_is_refused(text: str) -> None:
    with pytest.raises((UnreadableValue, UnknownUnit)):
        parse_reading(Marker.VITAMIN_D, text)


def test_a_unit_not_of_the_test_is_refused_and_bone_alp_activity_is_said_apart() -> None:
    with pytest.raises(UnknownUnit) as unknown:
        parse_reading(Marker.VITAMIN_D, "29 mmol/L")
    assert not unknown.value.not_convertible
    with pytest.raises(UnknownUnit) as activity:
        parse_reading(Marker.BSAP, "25 U/L")
    assert activity.value.not_convertible  # enzyme activity: no factor to µg/L
    with pytest.raises(UnknownUnit):
        parse_reading(Marker.NTX, "40 nmol/L")  # serum NTX is another quantity


def test_units_are_compared_without_case_spaces_or_mu_spellings() -> None:
    assert normalise_unit(" µg / L ") == normalise_unit("mcg/l") == normalise_unit("ug/L")
    assert normalise_unit("nmol BCE/mmol creat") == "nmol/mmol"


def test_a_reading_refuses_another_tests_unit() -> None:
    with pytest.raises(UnknownUnit):
        Reading(Marker.NTX, "40", RULES[Marker.CTX].unit)


@pytest.mark.parametrize(
    ("marker", "text", "doubtful"),
    [
        (Marker.CTX, "0.35 ng/mL", False),
        (Marker.CTX, "350 pg/mL", False),
        (Marker.CTX, "350 ng/mL", True),  # pg/mL typed as ng/mL
        (Marker.CTX, "0.35 pg/mL", True),
        (Marker.VITAMIN_D, "29 ng/mL", False),
        (Marker.VITAMIN_D, "72 nmol/L", False),
        (Marker.VITAMIN_D, "290 ng/mL", True),  # a slip of the decimal point
        (Marker.VITAMIN_D, "2,9 ng/mL", True),
        (Marker.P1NP, "45 µg/L", False),
        (Marker.P1NP, "4500 µg/L", True),
        (Marker.BSAP, "12 µg/L", False),
        (Marker.NTX, "40 nmol BCE/mmol creatinine", False),
        (Marker.NTX, "4000 nmol BCE/mmol creatinine", True),
    ],
)
def test_only_values_no_report_prints_are_doubted(
    marker: Marker, text: str, doubtful: bool
) -> None:
    assert (doubt_of(parse_reading(marker, text)) is not None) is doubtful


def test_a_doubt_gives_the_range_in_the_unit_typed() -> None:
    doubt = doubt_of(parse_reading(Marker.CTX, "3500 pg/mL"))
    assert doubt is not None
    assert (doubt.low, doubt.high) == (10.0, 3000.0)
    doubt = doubt_of(parse_reading(Marker.VITAMIN_D, "700 nmol/L"))
    assert doubt is not None
    assert (doubt.low, doubt.high) == (7.49, 499.0)
