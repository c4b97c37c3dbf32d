"""Free text is cleaned the same way for every database: no control characters, NFC."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.text_clean import clean_text


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("knees\x00 ache", "knees ache"),  # NUL: PostgreSQL refuses it in text
        ("a\x07b\x1b[0mc\x7fd\x85e\x9bf", "ab[0mcdef"),  # bell, escape, DEL, C1 controls
        ("line one\r\nline two\rthree", "line one\nline two\nthree"),
        ("\tindented\n", "\tindented\n"),  # a note keeps its layout
        ("Cafe\u0301", "Café"),  # NFC: one code point, as typed on most phones
        ("half \ud83d of a pair", "half  of a pair"),  # a lone surrogate cannot be encoded
        ("👩\u200d⚕️ nurse", "👩\u200d⚕️ nurse"),  # joiners and emoji are not controls
        ("", ""),
    ],
)
def test_control_characters_go_and_the_rest_is_nfc(dirty: str, clean: str) -> None:
    assert clean_text(dirty) == clean


def test_one_line_text_turns_layout_into_spaces() -> None:
    assert clean_text("Ali\tce\r\nSmith\x00", multiline=False) == "Ali ce Smith"


@given(st.text())
def test_any_text_comes_out_storable_and_clean_once_is_clean_twice(text: str) -> None:
    cleaned = clean_text(text)
    assert cleaned.encode("utf-8").decode("utf-8") == cleaned  # storable: no lone surrogate
    assert all(ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs") for ch in cleaned)
    assert unicodedata.is_normalized("NFC", cleaned)
    assert clean_text(cleaned) == cleaned
