"""Registration's words that are built: time zone buttons with their offset, medicine buttons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.catalog import get_product
from ui import texts
from ui.keyboards.bone import set_up_buttons
from ui.keyboards.doses import START_DATA, start_button


@pytest.mark.parametrize(
    ("offset", "said"),
    [
        (timedelta(hours=-5), "UTC\u22125"),
        (timedelta(hours=5, minutes=30), "UTC+5:30"),
        (timedelta(hours=-3, minutes=-30), "UTC\u22123:30"),
        (timedelta(0), "UTC+0"),
        (timedelta(hours=13, minutes=45), "UTC+13:45"),
    ],
)
def test_an_offset_is_said_the_short_way_with_a_real_minus(offset: timedelta, said: str) -> None:
    assert texts.utc_offset(offset) == said


def test_a_zone_button_names_its_city_and_its_offset_at_that_moment() -> None:
    winter, summer = datetime(2031, 1, 15, tzinfo=UTC), datetime(2031, 7, 15, tzinfo=UTC)
    assert texts.zone_label("America/New_York", winter) == "New York (UTC\u22125)"
    assert texts.zone_label("America/New_York", summer) == "New York (UTC\u22124)"
    assert texts.zone_label("Asia/Kolkata", summer) == "Kolkata (UTC+5:30)"
    assert texts.zone_label("America/Sao_Paulo", winter) == "São Paulo (UTC\u22123)"


def test_a_medicine_button_outside_its_family_names_the_drug() -> None:
    product = get_product("alendronate-70-weekly-oral-solution")
    assert texts.medicine_label(product) == "Alendronate 70 mg once a week (liquid)"


def test_the_set_up_offer_reuses_bone_buttons_and_ends_with_not_now() -> None:
    rows = set_up_buttons(dental=True).inline_keyboard
    assert [(b.text, b.callback_data) for row in rows for b in row] == [
        (texts.SET_UP_CALCIUM, "b:u:s"),  # /bone's own calcium set-up
        (texts.SET_UP_DXA, "b:q:x"),
        (texts.SET_UP_DENTAL, "b:q:k"),
        (texts.SET_UP_NOT_NOW, "b:q"),
    ]
    without = set_up_buttons(dental=False).inline_keyboard
    assert texts.SET_UP_DENTAL not in [b.text for row in without for b in row]


def test_the_start_button_is_one_big_button() -> None:
    rows = start_button().inline_keyboard
    assert [[(b.text, b.callback_data) for b in row] for row in rows] == [
        [(texts.START_BUTTON, START_DATA)]
    ]
