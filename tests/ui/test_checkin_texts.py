"""Check-in wording as Telegram shows it: the questions' HTML (bold, not CAPITALS, every
catalogue text escaped) and their numbers."""

from __future__ import annotations

import re
from html import unescape

import pytest

from bot.domain.symptoms import ALL_ITEMS, Progress
from ui import texts

STEMS = [(item.code, stem) for item in ALL_ITEMS for stem in item.stems.values()]
TAG = re.compile(r"</?b>")


@pytest.mark.parametrize(("code", "stem"), STEMS, ids=[code for code, _ in STEMS])
def test_every_stem_shows_its_emphasis_in_bold_not_capitals(code: str, stem: str) -> None:
    shown = texts.emphasis_html(stem)
    assert "<b>" in shown
    plain = unescape(TAG.sub("", shown))
    # The same words in the same order; only the case of the emphasised ones changed.
    assert plain.lower() == stem.lower()
    shouting = [word for word in re.findall(r"\b[A-Z]{2,}\b", plain) if word != "IV"]
    assert shouting == [], code
    # Tags pair up and never nest.
    assert re.fullmatch(r"(?:[^<]|<b>[^<]+</b>)*", shown), shown


def test_emphasis_examples() -> None:
    assert texts.emphasis_html("In the last 7 days, how OFTEN did you have HEARTBURN?") == (
        "In the last 7 days, how <b>often</b> did you have <b>heartburn</b>?"
    )
    assert texts.emphasis_html("any PAIN AT A SITE OF DRUG INJECTION OR IV?") == (
        "any <b>pain at a site of drug injection or IV</b>?"
    )
    assert texts.emphasis_html("ACHING JOINTS (SUCH AS KNEES) at their WORST") == (
        "<b>aching joints (such as knees)</b> at their <b>worst</b>"
    )
    assert texts.emphasis_html("FLU-LIKE SYMPTOMS (such as fever)") == (
        "<b>flu-like symptoms</b> (such as fever)"
    )


def test_catalogue_text_is_escaped() -> None:
    assert texts.emphasis_html("A <b> & PAIN") == "A &lt;b&gt; &amp; <b>pain</b>"
    line = texts.answered_question("<b>Q</b>", "Yes <maybe> & no")
    assert line == "<b>Q</b>\n\n➜ Yes &lt;maybe&gt; &amp; no"


def test_the_question_says_its_number_and_the_total() -> None:
    assert texts.question_header(Progress(4, 14, exact=True)) == "Question 4 of 14"
    assert texts.question_header(Progress(4, 21, exact=False)) == "Question 4 of up to 21"
    text = texts.checkin_question("Did you have a FALL?", Progress(2, 9, exact=False))
    assert text == "Question 2 of up to 9\n\nDid you have a <b>fall</b>?"
    stop = texts.checkin_wants_to_stop(Progress(9, 9, exact=True))
    assert stop.startswith("Question 9 of 9\n\n")
    assert "want to stop taking your aromatase inhibitor" in stop
