"""Check-in callback data: every button parses back, anything else is refused."""

from __future__ import annotations

from datetime import time

import pytest

from bot.domain.symptoms import ALL_ITEMS, Answer, Question, next_question
from ui import texts
from ui.keyboards.doses import (
    checkin_day_buttons,
    checkin_question_buttons,
    checkin_time_buttons,
    checkin_yes_no_buttons,
    parse_checkin_action,
)


def _data(markup) -> list[str]:
    return [button.callback_data for row in markup.inline_keyboard for button in row]


def _questions():
    """Every question of every item, each attribute asked (answers above 0 go on)."""
    for item in ALL_ITEMS:
        answers = []
        while (question := next_question((item,), answers)) is not None:
            yield question
            answers.append(Answer(item.code, question.attribute, 1))


QUESTIONS = list(_questions())


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: f"{q.item_code}-{q.attribute.value}")
def test_every_answer_button_fits_and_parses_back(question: Question) -> None:
    markup = checkin_question_buttons(2**31 - 1, question)
    labels = [button.text for row in markup.inline_keyboard for button in row]
    by_label = {option.label: option.score for option in question.options}
    for label, data in zip(labels, _data(markup), strict=False):
        if label == texts.CHECKIN_STOP_FOR_NOW:
            continue
        assert len(data.encode()) <= 64
        action = parse_checkin_action(data)
        assert action is not None
        assert (action.action, action.checkin_id) == ("a", 2**31 - 1)
        assert action.item_code == question.item_code
        assert (action.attribute, action.score) == (question.attribute, by_label[label])
    assert sorted(labels[:-1]) == sorted(by_label)  # every answer, each once


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: f"{q.item_code}-{q.attribute.value}")
def test_the_none_answer_is_always_alone_on_the_top_row(question: Question) -> None:
    rows = checkin_question_buttons(7, question).inline_keyboard
    assert all(len(row) == 1 for row in rows)  # one big button a row
    top = parse_checkin_action(rows[0][0].callback_data)
    assert top is not None
    assert top.score == 0
    assert rows[0][0].text in {"Never", "None", "Not at all", "No"}
    assert rows[-1][0].text == texts.CHECKIN_STOP_FOR_NOW
    scores = [parse_checkin_action(row[0].callback_data).score for row in rows[:-1]]
    if None in scores:  # "Not applicable" comes right under the none answer
        assert scores[1] is None
    numbered = [score for score in scores if score is not None]
    assert numbered == sorted(numbered)  # then from least to most


def test_the_keyboards_keep_their_callback_data() -> None:
    joints = next(q for q in QUESTIONS if (q.item_code, q.attribute) == ("joints", "severity"))
    assert _data(checkin_question_buttons(5, joints)) == [
        "c:a:5:joints:s:0",
        "c:a:5:joints:s:1",
        "c:a:5:joints:s:2",
        "c:a:5:joints:s:3",
        "c:a:5:joints:s:4",
        "c:x:5",
    ]
    injection = next(q for q in QUESTIONS if q.item_code == "injection_site")
    assert _data(checkin_question_buttons(5, injection)) == [
        "c:a:5:injection_site:p:0",
        "c:a:5:injection_site:p:n",
        "c:a:5:injection_site:p:1",
        "c:x:5",
    ]
    fall = next(q for q in QUESTIONS if q.item_code == "fall")
    markup = checkin_question_buttons(5, fall)
    assert [b.text for row in markup.inline_keyboard for b in row] == [
        "No",
        "Yes",
        texts.CHECKIN_STOP_FOR_NOW,
    ]
    assert _data(markup) == ["c:a:5:fall:p:0", "c:a:5:fall:p:1", "c:x:5"]
    stop = checkin_yes_no_buttons(5)
    assert [b.text for row in stop.inline_keyboard for b in row] == [
        texts.CHECKIN_NO,
        texts.CHECKIN_YES,
        texts.CHECKIN_STOP_FOR_NOW,
    ]
    assert _data(stop) == ["c:y:5:0", "c:y:5:1", "c:x:5"]


def test_other_buttons_parse_back() -> None:
    assert [parse_checkin_action(d).yes for d in _data(checkin_yes_no_buttons(7))[:2]] == [
        False,
        True,
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
