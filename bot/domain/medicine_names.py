"""Medicine names as patients type them (from the box: a brand or the generic name), read
into the catalogue's products.

The names are the catalogue's own (`bot.domain.catalog`), nothing is added here: each
product's drug ("alendronate", "zoledronic acid") and the brand its label is for
(`brand_example`: "FOSAMAX", "FOSAMAX Oral Solution", "BONIVA injection"). A brand's first
word names all its products (Fosamax: the weekly tablet, the oral solution and the daily
tablet), the whole brand only its own. A strength, a schedule or a form typed with the name
("fosamax 70 mg", "boniva tablet", "actonel monthly") narrows the products when it fits any.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from bot.domain.catalog import ALL_PRODUCTS, Product, drug_display_name
from bot.domain.dose_times import Frequency
from bot.domain.text_input import MAX_NAME_TEXT, fold, near_spelling


@dataclass(frozen=True)
class MedicineMatch:
    """Products named by typed text."""

    name: str  # as shown back: "Fosamax", "Alendronate"
    products: tuple[Product, ...]  # in the catalogue's order
    near: bool = False  # read from a near spelling: to be confirmed, never taken as is


def _brand(words: str) -> str:
    """Return a brand as written in a sentence: FOSAMAX Oral Solution -> Fosamax Oral Solution."""
    return " ".join(word.capitalize() if word.isupper() else word for word in words.split())


@cache
def _names() -> dict[str, tuple[str, tuple[Product, ...]]]:
    """Map each folded medicine name to its display name and products (built once)."""
    found: dict[str, tuple[str, list[Product]]] = {}

    def add(name: str, display: str, product: Product) -> None:
        found.setdefault(fold(name), (display, []))[1].append(product)

    for product in ALL_PRODUCTS:
        brand = product.brand_example
        add(brand.split()[0], _brand(brand.split()[0]), product)
        if " " in brand:
            add(brand, _brand(brand), product)
        add(product.drug.replace("-", " "), drug_display_name(product.drug), product)
    return {name: (display, tuple(products)) for name, (display, products) in found.items()}


# Words that narrow a name's products, and the test each product must pass.
_FREQUENCY_WORDS = {
    "daily": (Frequency.DAILY,),
    "day": (Frequency.DAILY,),
    "weekly": (Frequency.WEEKLY,),
    "week": (Frequency.WEEKLY,),
    "monthly": (Frequency.MONTHLY, Frequency.MONTHLY_TWO_DAYS),
    "month": (Frequency.MONTHLY, Frequency.MONTHLY_TWO_DAYS),
}
_FORM_WORDS = {
    "tablet": "tablet",
    "tablets": "tablet",
    "pill": "tablet",
    "pills": "tablet",
    "liquid": "solution",
    "solution": "solution",
    "drink": "solution",
    "fizzy": "effervescent",
    "effervescent": "effervescent",
    "injection": "injection",
    "injections": "injection",
    "jab": "injection",
    "shot": "injection",
    "infusion": "infusion",
    "drip": "infusion",
    "iv": "intravenous",
}
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def _fits(product: Product, word: str) -> bool:
    """Tell whether a product fits one typed word (words that narrow nothing always fit)."""
    if _NUMBER.fullmatch(word):
        return product.strength.split()[0] == word.replace(",", ".")
    if word in _FREQUENCY_WORDS:
        return product.frequency in _FREQUENCY_WORDS[word]
    if word in _FORM_WORDS:
        return _FORM_WORDS[word] in product.form
    return True


def _narrowed(products: tuple[Product, ...], words: list[str]) -> tuple[Product, ...]:
    """Keep the products that fit each strength, schedule or form typed, where any does."""
    for word in words:
        products = tuple(p for p in products if _fits(p, word)) or products
    return products


def _numbers_kept(text: str) -> list[str]:
    """Split folded text into words, keeping decimals whole ("2.5 mg": "2.5", "mg")."""
    return re.findall(r"\d+(?:[.,]\d+)?|[^\W\d_]+", text.casefold())


def find_medicine(text: str) -> MedicineMatch | None:
    """Return the products a typed medicine name stands for, or None.

    The longest name found among the words wins ("fosamax oral solution" over "fosamax");
    a near spelling of a one-word name ("fosomax", "arimedex") is offered back, never taken.
    """
    if len(text) > MAX_NAME_TEXT:
        return None
    names = _names()
    folded = fold(text)
    words = _numbers_kept(text)
    padded = f" {folded} "
    known = [name for name in names if f" {name} " in padded]
    if known:
        best = max(known, key=len)
        display, products = names[best]
        return MedicineMatch(display, _narrowed(products, words))
    one_word = [name for name in names if " " not in name]
    for word in folded.split():
        near = near_spelling(word, one_word)
        if near is not None:
            display, products = names[near]
            return MedicineMatch(display, _narrowed(products, words), near=True)
    return None
