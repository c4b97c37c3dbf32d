"""Check-in callback data: every button parses back, anything else is refused."""

from __future__ import annotations

from datetime import time

import pytest

from bot.domain.symptoms import ALL_ITEMS, next_question
from ui.keyboards.doses import (
    checkin_day_buttons,
    checkin_question_buttons,
    checkin_time_buttons,
    checkin_yes_no_buttons,
    parse_checkin_action,
)


def _data(markup) -> list[str]:
    return [button.callback_data for row in markup.inline_keyboard for button in row]


@pytest.mark.parametrize("item", ALL_ITEMS, ids=lambda item: item.code)
def test_every_answer_button_fits_and_parses_back(item) -> None:
    question = next_question((item,), ())
    assert question is not None
    for option, data in zip(
        question.options, _data(checkin_question_buttons(2**31 - 1, question)), strict=False
    ):
        assert len(data.encode()) <= 64
        action = parse_checkin_action(data)
        assert action is not None
        assert (action.action, action.checkin_id, action.item_code) == ("a", 2**31 - 1, item.code)
        assert (action.attribute, action.score) == (question.attribute, option.score)


def test_other_buttons_parse_back() -> None:
    assert [parse_checkin_action(d).yes for d in _data(checkin_yes_no_buttons(7))[:2]] == [
        True,
        False,
    ]
    assert parse_checkin_action(_data(checkin_yes_no_buttons(7))[2]).action == "x"
    days = [parse_checkin_action(d).weekday for d in _data(checkin_day_buttons())]
    assert days == [0, 1, 2, 3, 4, 5, 6, None]
    first = parse_checkin_action(_data(checkin_time_buttons(3))[0])
    assert (first.weekday, first.time_of_day) == (3, time(9, 0))


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "c:",
        "c:a:1:joints:s:5",
        "c:a:1:joints:q:1",
        "c:a:2147483648:joints:s:1",
        "c:a:1:Joints:s:1",
        "c:a:1:joints_:s:1",
        "c:a:1:" + "a" * 25 + ":s:1",
        "c:y:1",
        "c:y:1:2",
        "c:n:1:1",
        "c:x:-1",
        "c:w:7",
        "c:t:1:2400",
        "c:t:1:0960",
        "c:go:1",
        "c:a:1:joints:s:1\n",
    ],
)
def test_malformed_data_is_refused(data: str | None) -> None:
    assert parse_checkin_action(data) is None
