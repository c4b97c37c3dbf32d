"""Typed medicine names (brand or generic) read into the catalogue's products."""

from __future__ import annotations

import pytest

from bot.domain.catalog import ALL_PRODUCTS
from bot.domain.medicine_names import find_medicine


def keys(text: str) -> list[str]:
    found = find_medicine(text)
    assert found is not None, text
    assert not found.near
    return [product.key for product in found.products]


def brand_products(brand: str) -> list[str]:
    """The products the catalogue names by this brand (its label's brand is the source)."""
    return [p.key for p in ALL_PRODUCTS if p.brand_example.split()[0] == brand.upper()]


@pytest.mark.parametrize(
    "brand",
    [
        "Fosamax",
        "Binosto",
        "Actonel",
        "Atelvia",
        "Boniva",
        "Prolia",
        "Reclast",
        "Zometa",
        "Arimidex",
        "Femara",
        "Aromasin",
    ],
)
def test_each_brand_names_its_catalogue_products(brand: str) -> None:
    assert keys(brand) == brand_products(brand)
    assert keys(brand.lower()) == keys(brand.upper()) == brand_products(brand)


def test_a_brand_with_several_products_names_them_all() -> None:
    assert keys("Fosamax") == [
        "alendronate-70-weekly-tablet",
        "alendronate-70-weekly-oral-solution",
        "alendronate-10-daily-tablet",
    ]
    assert keys("Boniva") == ["ibandronate-150-monthly-tablet", "ibandronate-3-every-3-months-iv"]
    assert keys("Fosamax Oral Solution") == ["alendronate-70-weekly-oral-solution"]
    assert keys("Boniva injection") == ["ibandronate-3-every-3-months-iv"]


def test_every_product_is_found_by_its_drug_and_its_brand() -> None:
    for product in ALL_PRODUCTS:
        assert product.key in keys(product.drug.replace("-", " ")), product.key
        assert product.key in keys(product.brand_example), product.key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fosamax 70 mg", ["alendronate-70-weekly-tablet", "alendronate-70-weekly-oral-solution"]),
        ("Fosamax liquid", ["alendronate-70-weekly-oral-solution"]),
        (
            "I take Actonel once a month",
            ["risedronate-150-monthly-tablet", "risedronate-75-monthly-two-days-tablet"],
        ),
        ("actonel 150", ["risedronate-150-monthly-tablet"]),
        ("Boniva tablets", ["ibandronate-150-monthly-tablet"]),
        ("Letrozole 2.5 mg", ["letrozole-2-5-daily-tablet"]),
        ("fosamax 35 mg", keys("fosamax")),  # no such strength: nothing narrowed away
    ],
)
def test_a_strength_schedule_or_form_narrows_the_products(text: str, expected: list[str]) -> None:
    assert keys(text) == expected


@pytest.mark.parametrize(
    ("text", "name"),
    [("fosomax", "Fosamax"), ("Arimedex", "Arimidex"), ("femera", "Femara"), ("prolea", "Prolia")],
)
def test_a_near_spelling_is_offered_back_not_taken(text: str, name: str) -> None:
    found = find_medicine(text)
    assert found is not None
    assert (found.name, found.near) == (name, True)


@pytest.mark.parametrize("text", ["", "hello", "aspirin", "Xgeva", "👋", "x" * 200])
def test_names_the_catalogue_does_not_have_are_not_understood(text: str) -> None:
    assert find_medicine(text) is None
