"""Buttons of the "about you" questions: `me:s:<sex>`, `me:m:<menopause>`, `me:b` (skip body).

Their own prefix, parsed strictly here: anything else is refused as forged or stale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.person import Menopause, Sex
from ui import texts

PREFIX = "me:"
_SEX_LETTERS = {Sex.FEMALE: "f", Sex.MALE: "m", Sex.UNSAID: "u"}
_MENOPAUSE_LETTERS = {Menopause.POST: "y", Menopause.PRE: "n", Menopause.UNSURE: "u"}
_DATA = re.compile(r"me:(?:s:(?P<sex>[fmu])|m:(?P<menopause>[ynu])|(?P<skip>b))")


@dataclass(frozen=True)
class AboutPress:
    """One press: a sex, a menopause answer, or Skip under the height and weight."""

    sex: Sex | None = None
    menopause: Menopause | None = None
    skip_body: bool = False


def parse_about(data: str | None) -> AboutPress | None:
    """Return the press in callback data, or None when it is not one of these buttons."""
    match = _DATA.fullmatch(data or "")
    if match is None:
        return None
    if match["sex"]:
        return AboutPress(sex={v: k for k, v in _SEX_LETTERS.items()}[match["sex"]])
    if match["menopause"]:
        menopause = {v: k for k, v in _MENOPAUSE_LETTERS.items()}[match["menopause"]]
        return AboutPress(menopause=menopause)
    return AboutPress(skip_body=True)


def sex_buttons() -> InlineKeyboardMarkup:
    """Woman / Man / Prefer not to say, one to a row."""
    labels = {Sex.FEMALE: texts.SEX_FEMALE, Sex.MALE: texts.SEX_MALE, Sex.UNSAID: texts.SEX_UNSAID}
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(labels[sex], callback_data=f"{PREFIX}s:{letter}")]
            for sex, letter in _SEX_LETTERS.items()
        ]
    )


def menopause_buttons() -> InlineKeyboardMarkup:
    """Stopped / Not yet / Not sure, one to a row."""
    labels = {
        Menopause.POST: texts.MENOPAUSE_POST,
        Menopause.PRE: texts.MENOPAUSE_PRE,
        Menopause.UNSURE: texts.MENOPAUSE_UNSURE,
    }
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(labels[answer], callback_data=f"{PREFIX}m:{letter}")]
            for answer, letter in _MENOPAUSE_LETTERS.items()
        ]
    )


def body_skip_button() -> InlineKeyboardMarkup:
    """Skip the height and weight."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.BODY_SKIP, callback_data=f"{PREFIX}b")]]
    )
