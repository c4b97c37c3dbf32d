"""Catalogue: pins every clinically relevant value, the stable keys and the lookups."""

from __future__ import annotations

import re
from dataclasses import FrozenInstanceError, replace

import pytest

from bot.domain.catalog import (
    ALL_PRODUCTS,
    AROMATASE_INHIBITOR_DRUGS,
    CLINIC_BONE_PRODUCTS,
    ORAL_BONE_DRUGS,
    PRODUCTS,
    AdviceTopic,
    DrugClass,
    LabelSource,
    Product,
    Timing,
    UnknownProduct,
    after_window_message,
    drug_display_name,
    get_product,
    products_of,
)
from bot.domain.dose_times import Frequency

# Published keys are stored in the database: this list may only ever grow.
PUBLISHED_KEYS = [
    "anastrozole-1-daily-tablet",
    "letrozole-2-5-daily-tablet",
    "exemestane-25-daily-tablet",
    "alendronate-70-weekly-tablet",
    "alendronate-70-weekly-oral-solution",
    "alendronate-70-weekly-effervescent",
    "alendronate-10-daily-tablet",
    "risedronate-35-weekly-tablet",
    "risedronate-150-monthly-tablet",
    "risedronate-75-monthly-two-days-tablet",
    "risedronate-5-daily-tablet",
    "risedronate-35-weekly-delayed-release",
    "ibandronate-150-monthly-tablet",
    "zoledronic-acid-4-every-6-months-iv",
    "zoledronic-acid-5-yearly-iv",
    "denosumab-60-every-6-months-sc",
    "ibandronate-3-every-3-months-iv",
]

# key: (drug, brand, class, strength, form, frequency, interval_months)
IDENTITY = {
    "anastrozole-1-daily-tablet": (
        "anastrozole",
        "ARIMIDEX",
        DrugClass.AROMATASE_INHIBITOR,
        "1 mg",
        "tablet",
        Frequency.DAILY,
        None,
    ),
    "letrozole-2-5-daily-tablet": (
        "letrozole",
        "FEMARA",
        DrugClass.AROMATASE_INHIBITOR,
        "2.5 mg",
        "tablet",
        Frequency.DAILY,
        None,
    ),
    "exemestane-25-daily-tablet": (
        "exemestane",
        "AROMASIN",
        DrugClass.AROMATASE_INHIBITOR,
        "25 mg",
        "tablet",
        Frequency.DAILY,
        None,
    ),
    "alendronate-70-weekly-tablet": (
        "alendronate",
        "FOSAMAX",
        DrugClass.ORAL_BISPHOSPHONATE,
        "70 mg",
        "tablet",
        Frequency.WEEKLY,
        None,
    ),
    "alendronate-70-weekly-oral-solution": (
        "alendronate",
        "FOSAMAX Oral Solution",
        DrugClass.ORAL_BISPHOSPHONATE,
        "70 mg",
        "oral solution",
        Frequency.WEEKLY,
        None,
    ),
    "alendronate-70-weekly-effervescent": (
        "alendronate",
        "BINOSTO",
        DrugClass.ORAL_BISPHOSPHONATE,
        "70 mg",
        "effervescent tablet",
        Frequency.WEEKLY,
        None,
    ),
    "alendronate-10-daily-tablet": (
        "alendronate",
        "FOSAMAX",
        DrugClass.ORAL_BISPHOSPHONATE,
        "10 mg",
        "tablet",
        Frequency.DAILY,
        None,
    ),
    "risedronate-35-weekly-tablet": (
        "risedronate",
        "ACTONEL",
        DrugClass.ORAL_BISPHOSPHONATE,
        "35 mg",
        "tablet",
        Frequency.WEEKLY,
        None,
    ),
    "risedronate-150-monthly-tablet": (
        "risedronate",
        "ACTONEL",
        DrugClass.ORAL_BISPHOSPHONATE,
        "150 mg",
        "tablet",
        Frequency.MONTHLY,
        None,
    ),
    "risedronate-75-monthly-two-days-tablet": (
        "risedronate",
        "ACTONEL",
        DrugClass.ORAL_BISPHOSPHONATE,
        "75 mg",
        "tablet",
        Frequency.MONTHLY_TWO_DAYS,
        None,
    ),
    "risedronate-5-daily-tablet": (
        "risedronate",
        "ACTONEL",
        DrugClass.ORAL_BISPHOSPHONATE,
        "5 mg",
        "tablet",
        Frequency.DAILY,
        None,
    ),
    "risedronate-35-weekly-delayed-release": (
        "risedronate",
        "ATELVIA",
        DrugClass.ORAL_BISPHOSPHONATE,
        "35 mg",
        "delayed-release tablet",
        Frequency.WEEKLY,
        None,
    ),
    "ibandronate-150-monthly-tablet": (
        "ibandronate",
        "BONIVA",
        DrugClass.ORAL_BISPHOSPHONATE,
        "150 mg",
        "tablet",
        Frequency.MONTHLY,
        None,
    ),
    "zoledronic-acid-4-every-6-months-iv": (
        "zoledronic-acid",
        "ZOMETA",
        DrugClass.IV_BISPHOSPHONATE,
        "4 mg",
        "intravenous infusion",
        None,
        6,
    ),
    "zoledronic-acid-5-yearly-iv": (
        "zoledronic-acid",
        "RECLAST",
        DrugClass.IV_BISPHOSPHONATE,
        "5 mg",
        "intravenous infusion",
        None,
        12,
    ),
    "denosumab-60-every-6-months-sc": (
        "denosumab",
        "PROLIA",
        DrugClass.RANKL_INHIBITOR,
        "60 mg",
        "subcutaneous injection",
        None,
        6,
    ),
    "ibandronate-3-every-3-months-iv": (
        "ibandronate",
        "BONIVA injection",
        DrugClass.IV_BISPHOSPHONATE,
        "3 mg",
        "intravenous injection",
        None,
        3,
    ),
}

# What a sentence calls each product: unambiguous, with the brand the catalogue names.
NAMES = {
    "anastrozole-1-daily-tablet": "anastrozole 1 mg (Arimidex)",
    "letrozole-2-5-daily-tablet": "letrozole 2.5 mg (Femara)",
    "exemestane-25-daily-tablet": "exemestane 25 mg (Aromasin)",
    "alendronate-70-weekly-tablet": "alendronate 70 mg (Fosamax)",
    "alendronate-70-weekly-oral-solution": "alendronate 70 mg oral solution (Fosamax)",
    "alendronate-70-weekly-effervescent": "alendronate 70 mg effervescent tablet (Binosto)",
    "alendronate-10-daily-tablet": "alendronate 10 mg (Fosamax)",
    "risedronate-35-weekly-tablet": "risedronate 35 mg (Actonel)",
    "risedronate-150-monthly-tablet": "risedronate 150 mg (Actonel)",
    "risedronate-75-monthly-two-days-tablet": "risedronate 75 mg (Actonel)",
    "risedronate-5-daily-tablet": "risedronate 5 mg (Actonel)",
    "risedronate-35-weekly-delayed-release": "delayed-release risedronate 35 mg (Atelvia)",
    "ibandronate-150-monthly-tablet": "ibandronate 150 mg (Boniva)",
    "zoledronic-acid-4-every-6-months-iv": "zoledronic acid 4 mg (Zometa)",
    "zoledronic-acid-5-yearly-iv": "zoledronic acid 5 mg (Reclast)",
    "denosumab-60-every-6-months-sc": "denosumab 60 mg (Prolia)",
    "ibandronate-3-every-3-months-iv": "ibandronate 3 mg (Boniva)",
}

# key: (timing, fasting_minutes, upright_minutes, upright_until_first_food, other_medicines_gap)
ROUTINE = {
    "anastrozole-1-daily-tablet": (Timing.ANY_TIME, None, None, False, None),
    "letrozole-2-5-daily-tablet": (Timing.ANY_TIME, None, None, False, None),
    "exemestane-25-daily-tablet": (Timing.AFTER_MEAL, None, None, False, None),
    "alendronate-70-weekly-tablet": (Timing.ON_WAKING_FASTING, 30, 30, True, None),
    "alendronate-70-weekly-oral-solution": (Timing.ON_WAKING_FASTING, 30, 30, True, None),
    "alendronate-70-weekly-effervescent": (Timing.ON_WAKING_FASTING, 30, 30, True, None),
    "alendronate-10-daily-tablet": (Timing.ON_WAKING_FASTING, 30, 30, True, None),
    "risedronate-35-weekly-tablet": (
        Timing.ON_WAKING_FASTING,
        30,
        30,
        False,
        "a different time of day",
    ),
    "risedronate-150-monthly-tablet": (
        Timing.ON_WAKING_FASTING,
        30,
        30,
        False,
        "a different time of day",
    ),
    "risedronate-75-monthly-two-days-tablet": (
        Timing.ON_WAKING_FASTING,
        30,
        30,
        False,
        "a different time of day",
    ),
    "risedronate-5-daily-tablet": (
        Timing.ON_WAKING_FASTING,
        30,
        30,
        False,
        "a different time of day",
    ),
    "risedronate-35-weekly-delayed-release": (
        Timing.AFTER_BREAKFAST,
        None,
        30,
        False,
        "a different time of day",
    ),
    "ibandronate-150-monthly-tablet": (Timing.ON_WAKING_FASTING, 60, 60, False, None),
    "zoledronic-acid-4-every-6-months-iv": (Timing.CLINIC, None, None, False, None),
    "zoledronic-acid-5-yearly-iv": (Timing.CLINIC, None, None, False, None),
    "denosumab-60-every-6-months-sc": (Timing.CLINIC, None, None, False, None),
    "ibandronate-3-every-3-months-iv": (Timing.CLINIC, None, None, False, None),
}

# Phrases each product's reminder must contain (case-insensitive), and phrases it must not.
MUST_SAY = {
    "anastrozole-1-daily-tablet": ["once a day", "with or without food"],
    "letrozole-2-5-daily-tablet": ["once a day", "with or without food"],
    "exemestane-25-daily-tablet": ["once a day", "after a meal"],
    "alendronate-70-weekly-tablet": [
        "after you get up",
        "at least 30 minutes before any food, drink or other medicine",
        "full glass (6 to 8 oz) of plain water",
        "plain water only",
        "do not chew it or suck on it",
        "do not lie down for at least 30 minutes",
        "until after your first food of the day",
        "not take it at bedtime",
    ],
    "alendronate-70-weekly-oral-solution": [
        "after you get up",
        "at least 30 minutes before any food, drink or other medicine",
        "whole bottle",
        "at least 2 oz",
        "plain water only",
        "do not lie down for at least 30 minutes",
        "until after your first food of the day",
    ],
    "alendronate-70-weekly-effervescent": [
        "after you get up",
        "do not swallow, chew or suck the tablet",
        "half a glass (4 oz) of plain water",
        "room temperature",
        "at least 5 minutes after the bubbling stops",
        "stir for about 10 seconds",
        "drink it all",
        "at least 30 minutes before any food, drink or other medicine",
        "do not lie down for at least 30 minutes",
        "until after your first food of the day",
    ],
    "alendronate-10-daily-tablet": [
        "at least 30 minutes before any food, drink or other medicine",
        "full glass (6 to 8 oz) of plain water",
        "until after your first food of the day",
    ],
    "risedronate-35-weekly-tablet": [
        "at least 30 minutes before your first food or drink",
        "full glass (6 to 8 oz) of plain water",
        "do not lie down for at least 30 minutes",
        "before any other medicine, vitamin, calcium or antacid",
        "calcium, antacids, magnesium or iron at a different time of day",
    ],
    "risedronate-150-monthly-tablet": [
        "at least 30 minutes before your first food or drink",
        "full glass (6 to 8 oz) of plain water",
        "do not lie down for at least 30 minutes",
    ],
    "risedronate-75-monthly-two-days-tablet": [
        "at least 30 minutes before your first food or drink",
        "full glass (6 to 8 oz) of plain water",
        "do not lie down for at least 30 minutes",
    ],
    "risedronate-5-daily-tablet": [
        "at least 30 minutes before your first food or drink",
        "full glass (6 to 8 oz) of plain water",
    ],
    "risedronate-35-weekly-delayed-release": [
        "straight after you finish breakfast",
        "do not take it before breakfast",
        "at least 4 oz (half a glass) of plain water",
        "do not chew, cut or crush it",
        "do not lie down for at least 30 minutes",
        "calcium, antacids, magnesium or iron at a different time of day",
    ],
    "ibandronate-150-monthly-tablet": [
        "same date each month",
        "at least 60 minutes before your first food or drink",
        "before any other medicine, vitamin, calcium or antacid",
        "full glass (6 to 8 oz) of plain water",
        "plain water only",
        "do not chew it or suck on it",
        "do not lie down for at least 60 minutes",
    ],
    "zoledronic-acid-4-every-6-months-iv": ["drip into a vein", "at least 15 minutes", "kidneys"],
    "zoledronic-acid-5-yearly-iv": [
        "drip into a vein",
        "at least 15 minutes",
        "once a year",
        "kidneys",
    ],
    "denosumab-60-every-6-months-sc": ["under the skin", "once every 6 months"],
    "ibandronate-3-every-3-months-iv": [
        "injection into a vein",
        "15 to 30 seconds",
        "once every 3 months",
        "kidneys",
    ],
}

# Phrases each home-taken product's short form (the reminder's lines) must contain.
SHORT_MUST_SAY = {
    "anastrozole-1-daily-tablet": ["1 tablet", "with or without food"],
    "letrozole-2-5-daily-tablet": ["1 tablet", "with or without food"],
    "exemestane-25-daily-tablet": ["1 tablet", "after a meal"],
    "alendronate-70-weekly-tablet": [
        "first thing after you get up",
        "before any food or drink",
        "full glass (6 to 8 oz) of plain water",
        "upright",
        "only plain water for at least 30 minutes",
    ],
    "alendronate-70-weekly-oral-solution": [
        "first thing after you get up",
        "whole bottle",
        "at least 2 oz of plain water",
        "only plain water for at least 30 minutes",
    ],
    "alendronate-70-weekly-effervescent": [
        "first thing after you get up",
        "dissolve it in half a glass (4 oz) of plain water",
        "only plain water for at least 30 minutes",
    ],
    "alendronate-10-daily-tablet": ["full glass (6 to 8 oz)", "at least 30 minutes"],
    "risedronate-35-weekly-tablet": [
        "before any food, drink or other medicine",
        "full glass (6 to 8 oz) of plain water",
        "only plain water for at least 30 minutes",
    ],
    "risedronate-150-monthly-tablet": ["full glass (6 to 8 oz)", "at least 30 minutes"],
    "risedronate-75-monthly-two-days-tablet": ["full glass (6 to 8 oz)", "at least 30 minutes"],
    "risedronate-5-daily-tablet": ["full glass (6 to 8 oz)", "at least 30 minutes"],
    "risedronate-35-weekly-delayed-release": [
        "straight after breakfast",
        "not on an empty stomach",
        "at least 4 oz (half a glass) of plain water",
        "upright for at least 30 minutes",
    ],
    "ibandronate-150-monthly-tablet": [
        "first thing in the morning",
        "full glass (6 to 8 oz) of plain water",
        "only plain water for at least 60 minutes",
    ],
}

MUST_NOT_SAY = {
    # ATELVIA is taken with food: no fasting line, and no 6-8 oz (its label says 4 oz).
    "risedronate-35-weekly-delayed-release": ["before your first food", "6 to 8 oz"],
    # BINOSTO's current label asks for no extra water after the solution.
    "alendronate-70-weekly-effervescent": ["2 oz", "6 to 8 oz"],
    # Ibandronate's window is 60 minutes, never 30.
    "ibandronate-150-monthly-tablet": ["30 minutes"],
    # The oral solution is not a tablet to swallow whole.
    "alendronate-70-weekly-oral-solution": ["swallow the tablet", "6 to 8 oz"],
    "anastrozole-1-daily-tablet": ["after a meal", "plain water"],
    "letrozole-2-5-daily-tablet": ["after a meal", "plain water"],
}

# Key phrases of each missed-dose rule (case-insensitive); None = the label gives none.
MISSED_DOSE_PHRASES: dict[str, list[str] | None] = {
    "anastrozole-1-daily-tablet": [
        "as soon as you remember",
        "almost time for your next dose",
        "never take 2 doses at the same time",
    ],
    "letrozole-2-5-daily-tablet": [
        "as soon as you remember",
        "within 2 to 3 hours",
        "never take 2 doses at the same time",
    ],
    "exemestane-25-daily-tablet": [
        "do not take 2 doses at the same time",
        "pharmacist or care team",
    ],
    "alendronate-70-weekly-tablet": [
        "do not take it later that day",
        "morning after you remember",
        "never take 2 doses on the same day",
        "usual day each week",
    ],
    "alendronate-70-weekly-oral-solution": [
        "do not take it later that day",
        "morning after you remember",
        "never take 2 doses on the same day",
        "usual day each week",
    ],
    "alendronate-70-weekly-effervescent": [
        "do not take it later that day",
        "morning after you remember",
        "never take 2 doses on the same day",
        "usual day each week",
    ],
    "alendronate-10-daily-tablet": [
        "do not take it later that day",
        "next morning as usual",
        "never take 2 tablets on the same day",
    ],
    "risedronate-35-weekly-tablet": [
        "morning after you remember",
        "never take 2 tablets on the same day",
        "once a week on your usual day",
    ],
    "risedronate-150-monthly-tablet": [
        "more than 7 days away",
        "morning after you remember",
        "usual date each month",
        "within 7 days, skip the missed tablet",
        "never take more than one 150 mg tablet within 7 days",
    ],
    "risedronate-75-monthly-two-days-tablet": [
        "one or both tablets",
        "more than 7 days away",
        "if you missed both, take the first on the morning after you remember",
        "second on the next morning",
        "if you missed only one, take it on the morning after you remember",
        "usual 2 days each month",
        "within 7 days, skip the missed tablets",
        "never take more than two 75 mg tablets within 7 days",
    ],
    "risedronate-5-daily-tablet": [
        "do not take it later that day",
        "next morning as usual",
        "never take 2 tablets on the same day",
    ],
    "risedronate-35-weekly-delayed-release": [
        "morning after you remember",
        "straight after breakfast",
        "never take 2 tablets on the same day",
        "usual day each week",
    ],
    "ibandronate-150-monthly-tablet": [
        "more than 7 days away",
        "morning after you remember",
        "usual date each month",
        "only 1 to 7 days away, skip the missed tablet",
        "never take 2 tablets within the same week",
    ],
    "zoledronic-acid-4-every-6-months-iv": None,
    "zoledronic-acid-5-yearly-iv": None,
    "denosumab-60-every-6-months-sc": [
        "contact your care team",
        "as soon as possible, then every 6 months from the date it is given",
    ],
    "ibandronate-3-every-3-months-iv": [
        "contact your care team",
        "as soon as it can be rescheduled",
        "every 3 months from that date",
        "not be given more often than once every 3 months",
    ],
}

# Where each product's administration comes from: (document starts with, section starts with).
ADMINISTRATION_SOURCE = {
    "anastrozole-1-daily-tablet": ("ARIMIDEX", "How should I take ARIMIDEX?"),
    "letrozole-2-5-daily-tablet": ("FEMARA", "2.1 Recommended Dose"),
    "exemestane-25-daily-tablet": ("AROMASIN", "2.1 Recommended Dose"),
    "alendronate-70-weekly-tablet": ("FOSAMAX", "2.6 Important Administration Instructions"),
    "alendronate-70-weekly-oral-solution": (
        "FOSAMAX",
        "2.6 Important Administration Instructions",
    ),
    "alendronate-70-weekly-effervescent": (
        "BINOSTO",
        "2.3 Important Administration Instructions",
    ),
    "alendronate-10-daily-tablet": ("FOSAMAX", "2.6 Important Administration Instructions"),
    "risedronate-35-weekly-tablet": ("ACTONEL", "2.6 Important Administration Instructions"),
    "risedronate-150-monthly-tablet": ("ACTONEL", "2.6 Important Administration Instructions"),
    "risedronate-75-monthly-two-days-tablet": (
        "ACTONEL",
        "2.6 Important Administration Instructions",
    ),
    "risedronate-5-daily-tablet": ("ACTONEL", "2.6 Important Administration Instructions"),
    "risedronate-35-weekly-delayed-release": (
        "ATELVIA",
        "2.2 Important Administration Instructions",
    ),
    "ibandronate-150-monthly-tablet": ("BONIVA", "2.2 Important Administration Instructions"),
    "zoledronic-acid-4-every-6-months-iv": ("ZOMETA", "2 Dosage and Administration"),
    "zoledronic-acid-5-yearly-iv": ("RECLAST", "2 Dosage and Administration"),
    "denosumab-60-every-6-months-sc": ("PROLIA", "2.1 Recommended Dosage"),
    "ibandronate-3-every-3-months-iv": ("BONIVA (ibandronate sodium) injection", "2 Dosage"),
}

# Advice a clinic-given product must carry: (topic, phrase in the text).
CLINIC_ADVICE = {
    "zoledronic-acid-4-every-6-months-iv": [
        (AdviceTopic.BEFORE_DOSE, "well hydrated"),
        (AdviceTopic.KIDNEYS, "kidneys with a blood test before each dose"),
        (AdviceTopic.CALCIUM_VITAMIN_D, "calcium and vitamin d"),
        (AdviceTopic.AFTER_DOSE, "first 3 days"),
        (AdviceTopic.DENTAL, "dentist"),
        (AdviceTopic.SAME_MEDICINE, "zometa and reclast are the same medicine"),
    ],
    "zoledronic-acid-5-yearly-iv": [
        (AdviceTopic.BEFORE_DOSE, "at least 2 glasses of fluid"),
        (AdviceTopic.BEFORE_DOSE, "within a few hours before the infusion"),
        (AdviceTopic.KIDNEYS, "kidneys with a blood test before each dose"),
        (AdviceTopic.AFTER_DOSE, "flu-like symptoms"),
        (AdviceTopic.AFTER_DOSE, "first 3 days"),
        (AdviceTopic.AFTER_DOSE, "acetaminophen"),
        (AdviceTopic.CALCIUM_VITAMIN_D, "calcium and vitamin d"),
        (AdviceTopic.DENTAL, "dentist"),
        (AdviceTopic.SAME_MEDICINE, "reclast and zometa are the same medicine"),
    ],
    "denosumab-60-every-6-months-sc": [
        (AdviceTopic.DO_NOT_STOP, "do not stop, skip or delay"),
        (AdviceTopic.DO_NOT_STOP, "without talking to your care team"),
        (AdviceTopic.DO_NOT_STOP, "several broken bones in the spine"),
        (AdviceTopic.CALCIUM_VITAMIN_D, "calcium and vitamin d"),
        (AdviceTopic.LOW_CALCIUM, "numbness or tingling"),
        (AdviceTopic.BEFORE_DOSE, "check your blood calcium before each injection"),
        (AdviceTopic.KIDNEYS, "severe kidney disease or dialysis"),
        (AdviceTopic.KIDNEYS, "dangerously low blood calcium"),
        (AdviceTopic.DENTAL, "dentist"),
        (AdviceTopic.SAME_MEDICINE, "prolia and xgeva are the same medicine"),
    ],
    "ibandronate-3-every-3-months-iv": [
        (AdviceTopic.KIDNEYS, "kidneys with a blood test before each dose"),
        (AdviceTopic.AFTER_DOSE, "flu-like symptoms"),
        (AdviceTopic.CALCIUM_VITAMIN_D, "calcium and vitamin d"),
        (AdviceTopic.DENTAL, "dentist"),
    ],
}

AFTER_WINDOW = {
    "alendronate-70-weekly-tablet": (
        "It has been 30 minutes since your alendronate 70 mg (Fosamax). You can now eat "
        "breakfast, drink what you like and take your other medicines. Stay sitting or "
        "standing until you have eaten your first food of the day. After that you can lie "
        "down if you want."
    ),
    "risedronate-35-weekly-tablet": (
        "It has been 30 minutes since your risedronate 35 mg (Actonel). You can now eat "
        "breakfast, drink what you like and take your other medicines. Take calcium, antacids, "
        "magnesium or iron at a different time of day. You can lie down if you want."
    ),
    "risedronate-35-weekly-delayed-release": (
        "It has been 30 minutes since your delayed-release risedronate 35 mg (Atelvia). You "
        "can lie down if you want."
    ),
    "ibandronate-150-monthly-tablet": (
        "It has been 60 minutes since your ibandronate 150 mg (Boniva). You can now eat "
        "breakfast, drink what you like and take your other medicines. You can lie down if you "
        "want."
    ),
}


def _instructions(key: str) -> str:
    return " ".join(get_product(key).administration.instructions).lower()


# --- Keys, labels, lengths -----------------------------------------------------------------


def test_published_keys_are_exactly_these_in_display_order() -> None:
    assert list(PRODUCTS) == PUBLISHED_KEYS
    assert [p.key for p in ALL_PRODUCTS] == PUBLISHED_KEYS


def test_keys_are_unique() -> None:
    keys = [p.key for p in ALL_PRODUCTS]
    assert len(keys) == len(set(keys)) == len(PRODUCTS)


@pytest.mark.parametrize("product", ALL_PRODUCTS, ids=lambda p: p.key)
def test_key_is_callback_safe(product: Product) -> None:
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", product.key)
    assert len(product.key.encode()) <= 40


@pytest.mark.parametrize("product", ALL_PRODUCTS, ids=lambda p: p.key)
def test_label_fits_a_button(product: Product) -> None:
    assert 0 < len(product.label) <= 32
    assert product.strength in product.label


def test_labels_are_distinct_within_each_drug() -> None:
    for drug in {p.drug for p in ALL_PRODUCTS}:
        labels = [p.label for p in products_of(drug)]
        assert len(labels) == len(set(labels)), drug


@pytest.mark.parametrize("product", ALL_PRODUCTS, ids=lambda p: p.key)
def test_instruction_lines_are_short_and_plain(product: Product) -> None:
    lines = product.administration.instructions
    assert lines
    for line in lines:
        assert 0 < len(line) <= 110, line
        assert line == line.strip()
        assert line[0].isupper(), line
        assert line.endswith("."), line


@pytest.mark.parametrize("product", ALL_PRODUCTS, ids=lambda p: p.key)
def test_short_form_is_a_few_short_lines(product: Product) -> None:
    short = product.administration.short
    if product.is_clinic_given:
        assert short == ()  # no dose reminder
        return
    assert 0 < len(short) <= 3
    for line in short:
        assert 0 < len(line) <= 66, line
        assert line == line.strip()
        assert not line[0].islower(), line
        assert line.endswith("."), line


@pytest.mark.parametrize("key", sorted(SHORT_MUST_SAY))
def test_short_form_says_what_the_full_lines_say(key: str) -> None:
    short = " ".join(get_product(key).administration.short).lower()
    for phrase in SHORT_MUST_SAY[key]:
        assert phrase in short, f"{key}: missing {phrase!r}"
    for phrase in MUST_NOT_SAY.get(key, []):
        assert phrase not in short, f"{key}: must not say {phrase!r}"


def test_short_forms_take_their_amounts_and_minutes_from_the_full_lines() -> None:
    """Written from the product's own lines: no water amount or minute count of its own."""
    assert set(SHORT_MUST_SAY) == {p.key for p in ALL_PRODUCTS if not p.is_clinic_given}
    for product in ALL_PRODUCTS:
        full = " ".join(product.administration.instructions)
        short = " ".join(product.administration.short)
        for amount in re.findall(r"\d+(?: to \d+)? (?:oz|minutes)", short):
            assert amount in full, f"{product.key}: {amount!r}"


def test_only_tablets_taken_fasting_are_taken_fasting() -> None:
    fasting = {p.key for p in ALL_PRODUCTS if p.taken_fasting}
    assert fasting == {
        p.key for p in ALL_PRODUCTS if p.administration.timing is Timing.ON_WAKING_FASTING
    }
    assert "risedronate-35-weekly-delayed-release" not in fasting
    assert "alendronate-70-weekly-tablet" in fasting


def test_a_home_product_without_a_short_form_is_refused() -> None:
    product = get_product("alendronate-70-weekly-tablet")
    with pytest.raises(ValueError, match="short"):
        replace(product, administration=replace(product.administration, short=()))
    with pytest.raises(ValueError, match="short"):
        replace(product, administration=replace(product.administration, short=("A.",) * 4))


def test_product_refuses_a_bad_key() -> None:
    product = get_product("alendronate-70-weekly-tablet")
    with pytest.raises(ValueError, match="key"):
        replace(product, key="Alendronate 70 Weekly")
    with pytest.raises(ValueError, match="key"):
        replace(product, key="a" * 41)


def test_product_refuses_a_long_label() -> None:
    with pytest.raises(ValueError, match="label"):
        replace(get_product("alendronate-70-weekly-tablet"), label="x" * 33)


def test_product_refuses_a_clinic_product_with_a_home_frequency() -> None:
    with pytest.raises(ValueError, match="clinic"):
        replace(get_product("denosumab-60-every-6-months-sc"), frequency=Frequency.MONTHLY)


def test_product_refuses_a_home_product_without_frequency() -> None:
    with pytest.raises(ValueError, match="frequency"):
        replace(get_product("alendronate-70-weekly-tablet"), frequency=None)


def test_products_are_immutable() -> None:
    product = get_product("alendronate-70-weekly-tablet")
    with pytest.raises(FrozenInstanceError):
        product.key = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        PRODUCTS["x"] = product  # type: ignore[index]


# --- Identity and schedule -----------------------------------------------------------------


def test_every_product_is_pinned() -> None:
    assert set(IDENTITY) == set(PRODUCTS)
    assert set(ROUTINE) == set(PRODUCTS)
    assert set(MUST_SAY) == set(PRODUCTS)
    assert set(MISSED_DOSE_PHRASES) == set(PRODUCTS)
    assert set(ADMINISTRATION_SOURCE) == set(PRODUCTS)


@pytest.mark.parametrize("key", PUBLISHED_KEYS)
def test_identity_and_schedule(key: str) -> None:
    product = get_product(key)
    drug, brand, drug_class, strength, form, frequency, interval = IDENTITY[key]
    assert product.drug == drug
    assert product.brand_example == brand
    assert product.drug_class is drug_class
    assert product.strength == strength
    assert product.form == form
    assert product.frequency == frequency
    assert product.interval_months == interval
    assert product.name == NAMES[key]


def test_names_are_unambiguous_and_carry_the_brand() -> None:
    """The name is all a reminder says of the product: no two share one (the delayed-release
    risedronate's rule is the opposite of the immediate-release tablet's), each has its
    drug, strength and the catalogue's brand in brackets."""
    assert len({p.name for p in ALL_PRODUCTS}) == len(ALL_PRODUCTS)
    for product in ALL_PRODUCTS:
        brand = product.brand_example.split()[0].capitalize()
        assert product.name.endswith(f" ({brand})"), product.key
        assert product.drug.replace("-", " ") in product.name
        assert product.strength in product.name
    assert "delayed-release" in get_product("risedronate-35-weekly-delayed-release").name
    assert "delayed" not in get_product("risedronate-35-weekly-tablet").name


@pytest.mark.parametrize("key", PUBLISHED_KEYS)
def test_timing_windows_and_gaps(key: str) -> None:
    admin = get_product(key).administration
    timing, fasting, upright, until_food, gap = ROUTINE[key]
    assert admin.timing is timing
    assert admin.fasting_minutes == fasting
    assert admin.upright_minutes == upright
    assert admin.upright_until_first_food is until_food
    assert admin.other_medicines_gap == gap


@pytest.mark.parametrize("product", ALL_PRODUCTS, ids=lambda p: p.key)
def test_class_properties(product: Product) -> None:
    assert product.is_oral_bisphosphonate is (product.drug_class is DrugClass.ORAL_BISPHOSPHONATE)
    assert product.is_clinic_given is (product.administration.timing is Timing.CLINIC)
    assert product.is_clinic_given is (
        product.drug_class in {DrugClass.IV_BISPHOSPHONATE, DrugClass.RANKL_INHIBITOR}
    )
    if product.is_clinic_given:
        assert product.frequency is None
        assert product.interval_months in {3, 6, 12}
    else:
        assert product.interval_months is None
        assert isinstance(product.frequency, Frequency)


def test_only_oral_bisphosphonates_have_waiting_windows() -> None:
    for product in ALL_PRODUCTS:
        admin = product.administration
        has_window = admin.fasting_minutes is not None or admin.upright_minutes is not None
        assert has_window is product.is_oral_bisphosphonate, product.key


def test_after_window_minutes() -> None:
    assert get_product("alendronate-70-weekly-tablet").after_window_minutes == 30
    assert get_product("risedronate-35-weekly-delayed-release").after_window_minutes == 30
    assert get_product("ibandronate-150-monthly-tablet").after_window_minutes == 60
    assert get_product("anastrozole-1-daily-tablet").after_window_minutes is None
    assert get_product("denosumab-60-every-6-months-sc").after_window_minutes is None


# --- Instructions --------------------------------------------------------------------------


@pytest.mark.parametrize("key", PUBLISHED_KEYS)
def test_instructions_say_what_the_label_says(key: str) -> None:
    text = _instructions(key)
    for phrase in MUST_SAY[key]:
        assert phrase in text, f"{key}: missing {phrase!r}"
    for phrase in MUST_NOT_SAY.get(key, []):
        assert phrase not in text, f"{key}: must not say {phrase!r}"


def test_water_amounts_differ_where_the_labels_differ() -> None:
    assert "6 to 8 oz" in _instructions("alendronate-70-weekly-tablet")
    assert "2 oz" in _instructions("alendronate-70-weekly-oral-solution")
    assert "4 oz" in _instructions("alendronate-70-weekly-effervescent")
    assert "4 oz" in _instructions("risedronate-35-weekly-delayed-release")
    assert "6 to 8 oz" in _instructions("risedronate-35-weekly-tablet")
    assert "6 to 8 oz" in _instructions("ibandronate-150-monthly-tablet")


def test_instruction_minutes_match_the_windows() -> None:
    for product in ALL_PRODUCTS:
        text = " ".join(product.administration.instructions)
        for minutes in (
            product.administration.fasting_minutes,
            product.administration.upright_minutes,
        ):
            if minutes is not None:
                assert f"at least {minutes} minutes" in text, product.key


def test_risedronate_schedules_share_one_administration() -> None:
    immediate = [p for p in products_of("risedronate") if p.brand_example == "ACTONEL"]
    assert len(immediate) == 4
    assert len({p.administration for p in immediate}) == 1


# --- Missed doses --------------------------------------------------------------------------


@pytest.mark.parametrize("key", PUBLISHED_KEYS)
def test_missed_dose_rule(key: str) -> None:
    rule = get_product(key).missed_dose
    phrases = MISSED_DOSE_PHRASES[key]
    if phrases is None:
        assert rule is None
        return
    assert rule is not None
    text = rule.text.lower()
    for phrase in phrases:
        assert phrase in text, f"{key}: missing {phrase!r}"
    assert rule.source.document
    assert rule.source.section


def test_daily_rules_never_send_a_catch_up_the_same_day() -> None:
    for key in ("alendronate-10-daily-tablet", "risedronate-5-daily-tablet"):
        rule = get_product(key).missed_dose
        assert rule is not None
        assert "as soon as you remember" not in rule.text.lower()


# --- Sources -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", PUBLISHED_KEYS)
def test_administration_source(key: str) -> None:
    source = get_product(key).administration.source
    document, section = ADMINISTRATION_SOURCE[key]
    assert source.document.startswith(document)
    assert source.section.startswith(section)


@pytest.mark.parametrize("product", ALL_PRODUCTS, ids=lambda p: p.key)
def test_every_clinical_statement_names_a_source(product: Product) -> None:
    sources = [product.administration.source]
    if product.missed_dose is not None:
        sources.append(product.missed_dose.source)
    sources.extend(item.source for item in product.advice)
    for source in sources:
        assert source.document.strip()
        assert source.section.strip()
        assert product.brand_example.split()[0].upper() in source.document.upper()


def test_sources_are_us_labels() -> None:
    for product in ALL_PRODUCTS:
        document = product.administration.source.document
        assert "US Prescribing Information" in document or "Patient Information" in document


def test_cite_joins_document_and_section() -> None:
    source = LabelSource(
        document="FOSAMAX (alendronate sodium) tablets and oral solution, "
        "US Prescribing Information (Merck)",
        section="2.4 Important Administration Instructions",
    )
    assert source.cite() == (
        "FOSAMAX (alendronate sodium) tablets and oral solution, US Prescribing Information "
        "(Merck) \u2014 2.4 Important Administration Instructions"
    )


# --- Advice --------------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(CLINIC_ADVICE))
def test_clinic_advice(key: str) -> None:
    advice = get_product(key).advice
    for topic, phrase in CLINIC_ADVICE[key]:
        matching = [item for item in advice if item.topic == topic]
        assert matching, f"{key}: no {topic} advice"
        assert any(phrase in item.text.lower() for item in matching), f"{key}: {phrase!r}"


def test_every_clinic_product_has_advice() -> None:
    assert set(CLINIC_ADVICE) == set(CLINIC_BONE_PRODUCTS)


def test_oral_bisphosphonates_warn_about_swallowing_problems() -> None:
    for product in ALL_PRODUCTS:
        warnings = [item for item in product.advice if item.topic == AdviceTopic.SWALLOWING]
        assert bool(warnings) is product.is_oral_bisphosphonate, product.key
        for item in warnings:
            assert "chest pain" in item.text
            assert "call your doctor right away" in item.text


def test_oral_bisphosphonates_say_what_to_do_after_too_many_tablets() -> None:
    for product in ALL_PRODUCTS:
        lines = [item for item in product.advice if item.topic == AdviceTopic.OVERDOSE]
        assert bool(lines) is product.is_oral_bisphosphonate, product.key
        if not lines:
            continue
        text = " ".join(item.text for item in lines)
        for phrase in (
            "full glass of milk",
            "call your doctor or poison control right away",
            "do not make yourself vomit",
            "do not lie down",
        ):
            assert phrase in text.lower(), (product.key, phrase)
        for item in lines:  # the label's own overdosage section, of the product's own label
            assert item.source.section == "10 Overdosage"
            assert item.source.document == product.administration.source.document


def test_the_prolia_boxed_warning_names_its_section() -> None:
    (item,) = [
        item
        for item in get_product("denosumab-60-every-6-months-sc").advice
        if item.topic == AdviceTopic.KIDNEYS
    ]
    assert item.source.section == "Boxed Warning: Severe Hypocalcemia in Advanced Kidney Disease"


@pytest.mark.parametrize("product", ALL_PRODUCTS, ids=lambda p: p.key)
def test_advice_text_is_a_sentence(product: Product) -> None:
    for item in product.advice:
        assert item.topic in set(AdviceTopic)
        assert item.text.endswith(".")
        assert len(item.text) <= 160


# --- Lookups -------------------------------------------------------------------------------


def test_get_product_returns_the_entry() -> None:
    product = get_product("ibandronate-150-monthly-tablet")
    assert product is PRODUCTS["ibandronate-150-monthly-tablet"]
    assert product.name == "ibandronate 150 mg (Boniva)"


@pytest.mark.parametrize("key", ["", "alendronate", "ALENDRONATE-70-WEEKLY-TABLET", "nope"])
def test_get_product_raises_unknown_product(key: str) -> None:
    with pytest.raises(UnknownProduct) as caught:
        get_product(key)
    assert caught.value.key == key
    assert isinstance(caught.value, KeyError)
    assert repr(key) in str(caught.value)


def test_products_of_keeps_display_order() -> None:
    assert [p.key for p in products_of("alendronate")] == [
        "alendronate-70-weekly-tablet",
        "alendronate-70-weekly-oral-solution",
        "alendronate-70-weekly-effervescent",
        "alendronate-10-daily-tablet",
    ]
    assert [p.key for p in products_of("risedronate")] == [
        "risedronate-35-weekly-tablet",
        "risedronate-150-monthly-tablet",
        "risedronate-75-monthly-two-days-tablet",
        "risedronate-5-daily-tablet",
        "risedronate-35-weekly-delayed-release",
    ]
    assert [p.key for p in products_of("zoledronic-acid")] == [
        "zoledronic-acid-4-every-6-months-iv",
        "zoledronic-acid-5-yearly-iv",
    ]
    assert products_of("tamoxifen") == ()


def test_products_of_filters_ibandronate_by_class() -> None:
    assert [p.key for p in products_of("ibandronate")] == [
        "ibandronate-150-monthly-tablet",
        "ibandronate-3-every-3-months-iv",
    ]
    oral = products_of("ibandronate", DrugClass.ORAL_BISPHOSPHONATE)
    assert [p.key for p in oral] == ["ibandronate-150-monthly-tablet"]


def test_drug_groups() -> None:
    assert AROMATASE_INHIBITOR_DRUGS == ("anastrozole", "letrozole", "exemestane")
    assert ORAL_BONE_DRUGS == ("alendronate", "risedronate", "ibandronate")
    assert CLINIC_BONE_PRODUCTS == (
        "zoledronic-acid-4-every-6-months-iv",
        "zoledronic-acid-5-yearly-iv",
        "denosumab-60-every-6-months-sc",
        "ibandronate-3-every-3-months-iv",
    )
    for drug in AROMATASE_INHIBITOR_DRUGS:
        products = products_of(drug)
        assert len(products) == 1
        assert products[0].drug_class is DrugClass.AROMATASE_INHIBITOR
    for drug in ORAL_BONE_DRUGS:
        assert products_of(drug, DrugClass.ORAL_BISPHOSPHONATE)
    for key in CLINIC_BONE_PRODUCTS:
        assert get_product(key).is_clinic_given


@pytest.mark.parametrize(
    ("drug", "display"),
    [
        ("alendronate", "Alendronate"),
        ("risedronate", "Risedronate"),
        ("ibandronate", "Ibandronate"),
        ("zoledronic-acid", "Zoledronic acid"),
        ("denosumab", "Denosumab"),
        ("anastrozole", "Anastrozole"),
        ("letrozole", "Letrozole"),
        ("exemestane", "Exemestane"),
    ],
)
def test_drug_display_name(drug: str, display: str) -> None:
    assert drug_display_name(drug) == display


# --- After-window follow-up ----------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(AFTER_WINDOW))
def test_after_window_message_exact(key: str) -> None:
    assert after_window_message(get_product(key)) == AFTER_WINDOW[key]


def test_after_window_message_per_class() -> None:
    for product in ALL_PRODUCTS:
        message = after_window_message(product)
        if not product.is_oral_bisphosphonate:
            assert message is None, product.key
            continue
        assert message is not None
        minutes = product.after_window_minutes
        assert message.startswith(f"It has been {minutes} minutes since your {product.name}.")
        assert "lie down if you want" in message


def test_alendronate_follow_up_keeps_upright_until_first_food() -> None:
    for product in products_of("alendronate"):
        message = after_window_message(product)
        assert message is not None
        assert "until you have eaten your first food of the day" in message


def test_atelvia_follow_up_is_only_about_lying_down() -> None:
    message = after_window_message(get_product("risedronate-35-weekly-delayed-release"))
    assert message is not None
    assert "eat breakfast" not in message
    assert "medicines" not in message
    assert "calcium" not in message


def test_actonel_follow_up_keeps_calcium_apart() -> None:
    for product in products_of("risedronate"):
        if product.brand_example != "ACTONEL":
            continue
        message = after_window_message(product)
        assert message is not None
        assert "calcium, antacids, magnesium or iron at a different time of day" in message
