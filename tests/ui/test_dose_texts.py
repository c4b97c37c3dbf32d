"""Reminder wording: a few short lines, the full label lines on request, units by zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.db.models import DoseStatus
from bot.domain.catalog import ALL_PRODUCTS, AdviceTopic, Product, get_product
from bot.domain.units import VolumeUnit, in_units
from bot.services.dose_answers import Answer, SkipReason
from bot.services.doses import DueDose
from ui import texts

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
HOME_PRODUCTS = [product for product in ALL_PRODUCTS if not product.is_clinic_given]


def _due(product: Product, zone: ZoneInfo = BERLIN, **fields: object) -> DueDose:
    due_local = datetime(2031, 6, 11, 7, 0, tzinfo=zone)
    return DueDose(7, 70, product, due_local, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("product", HOME_PRODUCTS, ids=lambda p: p.key)
@pytest.mark.parametrize("late", [False, True], ids=["on-time", "late"])
def test_a_reminder_is_at_most_four_lines(product: Product, late: bool) -> None:
    text = texts.dose_reminder(_due(product, late=late))
    lines = text.splitlines()
    assert len(lines) <= 4, text
    assert product.name in lines[0]
    assert lines[1:] == [
        f"• {in_units(line, VolumeUnit.MILLILITRES)}" for line in product.administration.short
    ]


def test_the_weekly_alendronate_reminder_in_berlin_and_new_york() -> None:
    product = get_product("alendronate-70-weekly-tablet")
    assert texts.dose_reminder(_due(product, BERLIN, late=False)) == (
        "💊 Time for your alendronate 70 mg (Fosamax).\n"
        "• First thing after you get up, before any food or drink.\n"
        "• Swallow it whole with a full glass (180 to 240 ml) of plain water.\n"
        "• Stay upright and have only plain water for at least 30 minutes."
    )
    assert "(6 to 8 oz)" in texts.dose_reminder(_due(product, NEW_YORK, late=False))


@pytest.mark.parametrize("product", HOME_PRODUCTS, ids=lambda p: p.key)
def test_full_instructions_show_every_label_line_and_the_warning(product: Product) -> None:
    text = texts.full_instructions(_due(product, NEW_YORK, late=False))
    for line in product.administration.instructions:
        assert f"• {line}" in text
    warnings = [item.text for item in product.advice if item.topic == AdviceTopic.SWALLOWING]
    assert bool(warnings) is product.is_oral_bisphosphonate
    for warning in warnings:
        assert f"⚠️ {warning}" in text
        assert "call your doctor right away" in text
    too_many = [item.text for item in product.advice if item.topic == AdviceTopic.OVERDOSE]
    assert bool(too_many) is product.is_oral_bisphosphonate
    for line in too_many:  # the label's overdosage advice, after the warning
        assert f"🥛 {line}" in text
        assert text.index(f"🥛 {line}") > text.index("⚠️")


def test_full_instructions_in_millilitres_outside_the_us() -> None:
    text = texts.full_instructions(
        _due(get_product("alendronate-70-weekly-oral-solution"), BERLIN, late=False)
    )
    assert "Then drink at least 60 ml (a quarter of a glass) of plain water." in text
    assert " oz" not in text
    binosto = texts.full_instructions(
        _due(get_product("alendronate-70-weekly-effervescent"), BERLIN, late=False)
    )
    assert "half a glass (120 ml)" in binosto


def test_a_held_reminder_and_its_full_instructions() -> None:
    product = get_product("alendronate-70-weekly-tablet")
    held = _due(product, late=False, held_since=datetime(2031, 6, 9, 12, 0, tzinfo=BERLIN))
    short = texts.held_reminder(held)
    assert len(short.splitlines()) <= 4
    assert short.endswith("Has your care team said to go on?")
    full = texts.full_instructions(held)
    assert full.startswith("⏸ Your alendronate 70 mg (Fosamax) is on hold.")
    assert "How to take it once your care team says you can:" in full
    assert "• Do not lie down until after your first food of the day." in full
    assert full.endswith("Has your care team said to go on?")


def test_the_delayed_release_risedronate_is_named_so() -> None:
    text = texts.dose_reminder(
        _due(get_product("risedronate-35-weekly-delayed-release"), NEW_YORK, late=False)
    )
    assert text.startswith("💊 Time for your delayed-release risedronate 35 mg (Atelvia).")
    assert "• Straight after breakfast, not on an empty stomach." in text


def test_a_late_fasting_reminder_asks_about_food_first() -> None:
    due = _due(get_product("ibandronate-150-monthly-tablet"), late=True)
    assert due.asks_if_eaten
    assert texts.ask_if_eaten(due) == (
        "💊 Your ibandronate 150 mg (Boniva) was due at 07:00. Sorry this reminder is late.\n\n"
        "Have you eaten or drunk anything but plain water today?"
    )
    assert not _due(get_product("ibandronate-150-monthly-tablet"), late=False).asks_if_eaten
    assert not _due(get_product("risedronate-35-weekly-delayed-release"), late=True).asks_if_eaten
    assert not _due(get_product("letrozole-2-5-daily-tablet"), late=True).asks_if_eaten


def test_ate_first_says_not_now_and_gives_the_missed_dose_rule_and_its_make_up() -> None:
    product = get_product("alendronate-70-weekly-tablet")
    due_local = datetime(2031, 6, 11, 7, 0, tzinfo=BERLIN)
    answer = Answer(
        product=product,
        status=DoseStatus.SKIPPED,
        zone=BERLIN,
        due_local=due_local,
        answered_local=due_local.replace(hour=8, minute=40),
        skip_reason=SkipReason.ATE_FIRST,
        makeup_local=datetime(2031, 6, 12, 7, 0, tzinfo=BERLIN),
    )
    text = texts.answered(answer)
    assert text.startswith("⏭ Then don't take your alendronate 70 mg (Fosamax) now")
    assert product.missed_dose is not None
    assert product.missed_dose.text in text
    assert "I'll remind you on Thursday 12 June at 07:00" in text
