"""Weekly check-in: pins the PRO-CTCAE items, the regimen selection and the branching."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.domain.catalog import DrugClass, LabelSource
from bot.domain.symptoms import (
    ALL_ITEMS,
    FREQUENCY_SCALE,
    INTERFERENCE_SCALE,
    ITEMS,
    NOTE_MAX_LENGTH,
    NOTE_PROMPT,
    PRESENCE_OR_NOT_APPLICABLE_SCALE,
    PRESENCE_SCALE,
    PROCTCAE_LIBRARY,
    SEVERITY_SCALE,
    Answer,
    AnswerRecord,
    Attribute,
    Checkin,
    Item,
    NotePrompt,
    NoteTooLong,
    Question,
    UnexpectedAnswer,
    UnknownItem,
    branched_scores,
    clean_note,
    get_item,
    items_for,
    next_question,
    progress,
)

FRQ, SEV, INT, PRS = (
    Attribute.FREQUENCY,
    Attribute.SEVERITY,
    Attribute.INTERFERENCE,
    Attribute.PRESENCE,
)
AI = DrugClass.AROMATASE_INHIBITOR
ORAL = DrugClass.ORAL_BISPHOSPHONATE
IV = DrugClass.IV_BISPHOSPHONATE
DMAB = DrugClass.RANKL_INHIBITOR

# code: (PRO-CTCAE item number or None, term, attributes, applies_to)
ITEM_TABLE = {
    "swallowing": (2, "Difficulty swallowing", (SEV,), {ORAL}),
    "heartburn": (11, "Heartburn", (FRQ, SEV), {ORAL}),
    "muscles": (50, "Muscle pain", (FRQ, SEV, INT), set()),
    "joints": (51, "Joint pain", (FRQ, SEV, INT), set()),
    "insomnia": (52, "Insomnia", (SEV, INT), set()),
    "fatigue": (53, "Fatigue", (SEV, INT), set()),
    "vaginal_dryness": (60, "Vaginal dryness", (SEV,), set()),
    "hot_flashes": (77, "Hot flashes", (FRQ, SEV), set()),
    "injection_site": (79, "Pain and swelling at injection site", (PRS,), {DMAB}),
    "swallow_pain": (None, "Painful swallowing or chest pain (own item)", (PRS,), {ORAL}),
    "jaw": (None, "Jaw or mouth problems (own item)", (PRS,), {ORAL, IV, DMAB}),
    "thigh": (None, "New thigh, hip or groin pain (own item)", (PRS,), {ORAL, IV, DMAB}),
    "calcium": (None, "Signs of low blood calcium (own item)", (PRS,), {DMAB, IV}),
    "flu_like": (None, "Flu-like symptoms after an infusion (own item)", (PRS,), {IV}),
    "fall": (None, "A fall or a broken bone (own item)", (PRS,), set()),
}

EVERYONE = ["muscles", "joints", "insomnia", "fatigue", "vaginal_dryness", "hot_flashes"]


def test_item_table_is_pinned_in_asking_order() -> None:
    assert [item.code for item in ALL_ITEMS] == list(ITEM_TABLE)
    for item in ALL_ITEMS:
        number, term, attributes, applies_to = ITEM_TABLE[item.code]
        assert item.proctcae_number == number, item.code
        assert item.term == term, item.code
        assert item.attributes == attributes, item.code
        assert item.applies_to == frozenset(applies_to), item.code


def test_proctcae_items_come_in_library_order_before_the_projects_own() -> None:
    numbers = [item.proctcae_number for item in ALL_ITEMS if not item.own_item]
    assert numbers == sorted(numbers)
    own = [item.own_item for item in ALL_ITEMS]
    assert own == sorted(own)  # every False before every True


def test_scales_carry_the_proctcae_labels_and_scores() -> None:
    def pairs(scale):
        return [(option.label, option.score) for option in scale.options]

    assert pairs(FREQUENCY_SCALE) == [
        ("Never", 0),
        ("Rarely", 1),
        ("Occasionally", 2),
        ("Frequently", 3),
        ("Almost constantly", 4),
    ]
    assert pairs(SEVERITY_SCALE) == [
        ("None", 0),
        ("Mild", 1),
        ("Moderate", 2),
        ("Severe", 3),
        ("Very severe", 4),
    ]
    assert pairs(INTERFERENCE_SCALE) == [
        ("Not at all", 0),
        ("A little bit", 1),
        ("Somewhat", 2),
        ("Quite a bit", 3),
        ("Very much", 4),
    ]
    assert pairs(PRESENCE_SCALE) == [("Yes", 1), ("No", 0)]
    assert pairs(PRESENCE_OR_NOT_APPLICABLE_SCALE) == [
        ("Yes", 1),
        ("No", 0),
        ("Not applicable", None),
    ]
    assert SEVERITY_SCALE.label_of(3) == "Severe"
    with pytest.raises(ValueError, match="not a score"):
        SEVERITY_SCALE.label_of(None)


def test_scale_per_item_and_attribute() -> None:
    assert get_item("joints").scale(INT) is INTERFERENCE_SCALE
    assert get_item("injection_site").scale(PRS) is PRESENCE_OR_NOT_APPLICABLE_SCALE
    assert get_item("flu_like").scale(PRS) is PRESENCE_OR_NOT_APPLICABLE_SCALE
    assert get_item("jaw").scale(PRS) is PRESENCE_SCALE
    with pytest.raises(KeyError):
        get_item("vaginal_dryness").scale(FRQ)


def test_proctcae_stems_are_the_library_wording() -> None:
    joints = get_item("joints").stems
    assert joints[FRQ] == (
        "In the last 7 days, how OFTEN did you have ACHING JOINTS (SUCH AS ELBOWS, KNEES, "
        "SHOULDERS)?"
    )
    assert joints[SEV] == (
        "In the last 7 days, what was the SEVERITY of your ACHING JOINTS (SUCH AS ELBOWS, "
        "KNEES, SHOULDERS) at their WORST?"
    )
    assert joints[INT] == (
        "In the last 7 days, how much did ACHING JOINTS (SUCH AS ELBOWS, KNEES, SHOULDERS) "
        "INTERFERE with your usual or daily activities?"
    )
    assert get_item("hot_flashes").stems[FRQ] == (
        "In the last 7 days, how OFTEN did you have HOT FLASHES?"
    )
    assert get_item("vaginal_dryness").stems[SEV] == (
        "In the last 7 days, what was the SEVERITY of your VAGINAL DRYNESS at its WORST?"
    )
    assert get_item("fatigue").stems[SEV] == (
        "In the last 7 days, what was the SEVERITY of your FATIGUE, TIREDNESS, OR LACK OF "
        "ENERGY at its WORST?"
    )
    assert get_item("swallowing").stems[SEV] == (
        "In the last 7 days, what was the SEVERITY of your DIFFICULTY SWALLOWING at its WORST?"
    )
    assert get_item("injection_site").stems[PRS] == (
        "In the last 7 days, did you have any PAIN, SWELLING, OR REDNESS AT A SITE OF DRUG "
        "INJECTION OR IV?"
    )


def test_every_stem_states_its_recall_and_uses_its_attribute_word() -> None:
    words = {FRQ: "OFTEN", SEV: "SEVERITY", INT: "INTERFERE"}
    for item in ALL_ITEMS:
        for attribute, stem in item.stems.items():
            recall = (
                "Since your last check-in, " if item.code == "fall" else "In the last 7 days, "
            )
            assert stem.startswith(recall), item.code
            if attribute in words and not item.own_item:
                assert words[attribute] in stem, (item.code, attribute)


def test_every_item_names_its_source() -> None:
    for item in ALL_ITEMS:
        assert isinstance(item.source, LabelSource)
        assert item.source.document.strip(), item.code
        assert item.source.section.strip(), item.code
        if item.own_item:
            assert "PRO-CTCAE" not in item.source.document, item.code
            assert "(own item)" in item.term, item.code
        else:
            assert item.source.document == PROCTCAE_LIBRARY
            assert item.source.section.startswith(f"Item {item.proctcae_number}: ")


def test_own_items_are_marked_and_follow_labels() -> None:
    own = {item.code: item.source.document for item in ALL_ITEMS if item.own_item}
    assert set(own) == {"swallow_pain", "jaw", "thigh", "calcium", "flu_like", "fall"}
    for code, labels in {"jaw": ("FOSAMAX", "PROLIA"), "thigh": ("FOSAMAX", "PROLIA")}.items():
        for label in labels:
            assert label in own[code]
    assert "PROLIA" in own["calcium"]
    assert "ZOMETA" in own["calcium"]
    assert "Oral bisphosphonate" in own["swallow_pain"]


@pytest.mark.parametrize(
    ("classes", "expected"),
    [
        (set(), [*EVERYONE, "fall"]),
        ({AI}, [*EVERYONE, "fall"]),
        (
            {AI, ORAL},
            ["swallowing", "heartburn", *EVERYONE, "swallow_pain", "jaw", "thigh", "fall"],
        ),
        ({AI, IV}, [*EVERYONE, "jaw", "thigh", "calcium", "flu_like", "fall"]),
        ({AI, DMAB}, [*EVERYONE, "injection_site", "jaw", "thigh", "calcium", "fall"]),
    ],
)
def test_items_for_each_regimen(classes: set[DrugClass], expected: list[str]) -> None:
    assert [item.code for item in items_for(classes)] == expected


def test_get_item_and_unknown_item() -> None:
    assert get_item("joints") is ITEMS["joints"]
    with pytest.raises(UnknownItem, match="unknown check-in item: 'knees'"):
        get_item("knees")


def _walk_answering(checkin: Checkin, score_for) -> tuple[list[Question], Checkin]:
    """Answer every question with score_for(question); skip the note. Return what was asked."""
    asked: list[Question] = []
    for _ in range(100):
        step = checkin.next_step()
        if step is None:
            return asked, checkin
        if isinstance(step, NotePrompt):
            checkin = checkin.with_note(None)
            continue
        asked.append(step)
        checkin = checkin.answer(Answer(step.item_code, step.attribute, score_for(step)))
    raise AssertionError("the check-in never ended")


@pytest.mark.parametrize(
    "classes", [{AI}, {AI, ORAL}, {AI, IV}, {AI, DMAB}, {AI, ORAL, DMAB}, set()]
)
def test_a_well_patient_gets_one_question_per_term_then_the_note(
    classes: set[DrugClass],
) -> None:
    checkin = Checkin.start(classes)
    asked, done = _walk_answering(checkin, lambda question: 0)
    assert [q.item_code for q in asked] == [item.code for item in items_for(classes)]
    assert [q.attribute for q in asked] == [item.attributes[0] for item in items_for(classes)]
    assert done.is_complete
    assert done.note is None


def test_a_well_patient_on_an_aromatase_inhibitor_taps_seven_times() -> None:
    asked, _ = _walk_answering(Checkin.start({AI}), lambda question: 0)
    assert len(asked) == 7


def test_the_note_step_comes_last_then_nothing() -> None:
    checkin = Checkin.start({AI})
    for item in checkin.items:
        step = checkin.next_step()
        assert isinstance(step, Question)
        checkin = checkin.answer(Answer(item.code, item.attributes[0], 0))
    assert checkin.next_step() is NOTE_PROMPT
    assert not checkin.is_complete
    checkin = checkin.with_note("  Knee worse after walking.\n")
    assert checkin.note == "Knee worse after walking."
    assert checkin.next_step() is None
    assert checkin.is_complete
    with pytest.raises(UnexpectedAnswer, match="already done"):
        checkin.with_note("again")


def test_branching_asks_frequency_then_severity_then_interference() -> None:
    items = items_for({AI})
    answers = [Answer("muscles", FRQ, 0)]
    question = next_question(items, answers)
    assert (question.item_code, question.attribute) == ("joints", FRQ)
    assert question.options == FREQUENCY_SCALE.options
    assert question.text == get_item("joints").stems[FRQ]
    assert question.own_item is False

    answers.append(Answer("joints", FRQ, 2))
    question = next_question(items, answers)
    assert (question.item_code, question.attribute) == ("joints", SEV)
    assert question.options == SEVERITY_SCALE.options

    answers.append(Answer("joints", SEV, 2))
    question = next_question(items, answers)
    assert (question.item_code, question.attribute) == ("joints", INT)
    assert question.options == INTERFERENCE_SCALE.options

    answers.append(Answer("joints", INT, 1))
    question = next_question(items, answers)
    assert (question.item_code, question.attribute) == ("insomnia", SEV)


def test_a_zero_after_the_first_attribute_also_ends_the_term() -> None:
    items = items_for({AI})
    answers = [Answer("muscles", FRQ, 1), Answer("muscles", SEV, 0)]
    question = next_question(items, answers)
    assert (question.item_code, question.attribute) == ("joints", FRQ)


def test_severity_first_terms_skip_interference_after_none() -> None:
    items = items_for({AI})
    answers = [Answer("muscles", FRQ, 0), Answer("joints", FRQ, 0), Answer("insomnia", SEV, 0)]
    question = next_question(items, answers)
    assert (question.item_code, question.attribute) == ("fatigue", SEV)
    answers.append(Answer("fatigue", SEV, 1))
    question = next_question(items, answers)
    assert (question.item_code, question.attribute) == ("fatigue", INT)


def test_not_applicable_ends_a_presence_item() -> None:
    items = items_for({DMAB})
    answers = [Answer(code, get_item(code).attributes[0], 0) for code in EVERYONE]
    question = next_question(items, answers)
    assert (question.item_code, question.attribute) == ("injection_site", PRS)
    assert [o.label for o in question.options] == ["Yes", "No", "Not applicable"]
    answers.append(Answer("injection_site", PRS, None))
    assert next_question(items, answers).item_code == "jaw"


def test_a_patient_with_symptoms_answers_every_attribute() -> None:
    asked, _ = _walk_answering(Checkin.start({AI}), lambda question: 1)
    expected = [(item.code, a) for item in items_for({AI}) for a in item.attributes]
    assert [(q.item_code, q.attribute) for q in asked] == expected
    assert len(asked) == 3 + 3 + 2 + 2 + 1 + 2 + 1


def test_stale_or_invalid_answers_are_refused() -> None:
    checkin = Checkin.start({AI})
    with pytest.raises(UnexpectedAnswer, match="expected muscles/frequency"):
        checkin.answer(Answer("joints", FRQ, 1))
    with pytest.raises(UnexpectedAnswer, match="not an option"):
        checkin.answer(Answer("muscles", FRQ, None))
    checkin = checkin.answer(Answer("muscles", FRQ, 0))
    with pytest.raises(UnexpectedAnswer, match="expected joints/frequency"):
        checkin.answer(Answer("muscles", FRQ, 0))  # the same button tapped twice
    with pytest.raises(UnexpectedAnswer, match="after the last question"):
        checkin.with_note("too early")


def test_presence_items_take_only_yes_no() -> None:
    items = (get_item("jaw"),)
    checkin = Checkin(items)
    with pytest.raises(UnexpectedAnswer, match="not an option"):
        checkin.answer(Answer("jaw", PRS, 3))
    with pytest.raises(UnexpectedAnswer, match="not an option"):
        checkin.answer(Answer("jaw", PRS, None))
    assert checkin.answer(Answer("jaw", PRS, 1)).next_step() is NOTE_PROMPT


def test_answers_after_the_last_question_are_refused() -> None:
    checkin = Checkin((get_item("fall"),)).answer(Answer("fall", PRS, 0))
    with pytest.raises(UnexpectedAnswer, match="already answered"):
        checkin.answer(Answer("fall", PRS, 0))


@pytest.mark.parametrize("score", [-1, 5, True, 2.0, "2"])
def test_answer_scores_are_0_to_4_or_none(score: object) -> None:
    with pytest.raises(ValueError, match="score must be 0 to 4"):
        Answer("joints", FRQ, score)  # type: ignore[arg-type]


def test_answer_reads_a_stored_attribute_string() -> None:
    answer = Answer("joints", "severity", 2)  # type: ignore[arg-type]
    assert answer.attribute is Attribute.SEVERITY
    with pytest.raises(ValueError, match="amount"):
        Answer("joints", "amount", 2)  # type: ignore[arg-type]
    with pytest.raises(FrozenInstanceError):
        answer.score = 3  # type: ignore[misc]


def test_branched_scores_fill_zeros_skipped_after_a_zero() -> None:
    answers = [
        Answer("joints", FRQ, 0),
        Answer("insomnia", SEV, 2),
        Answer("insomnia", INT, 1),
        Answer("hot_flashes", FRQ, 3),
        Answer("hot_flashes", SEV, 0),
        Answer("injection_site", PRS, None),
        Answer("retired_item", SEV, 0),
    ]
    assert branched_scores(answers) == {
        ("joints", FRQ): 0,
        ("joints", SEV): 0,
        ("joints", INT): 0,
        ("insomnia", SEV): 2,
        ("insomnia", INT): 1,
        ("hot_flashes", FRQ): 3,
        ("hot_flashes", SEV): 0,
        ("retired_item", SEV): 0,
    }


def test_clean_note() -> None:
    assert clean_note(None) is None
    assert clean_note("   \n ") is None
    assert clean_note(" ok ") == "ok"
    assert clean_note("x" * NOTE_MAX_LENGTH) == "x" * NOTE_MAX_LENGTH
    with pytest.raises(NoteTooLong, match="at most 1000"):
        clean_note("x" * (NOTE_MAX_LENGTH + 1))


def test_answer_record_keeps_time_in_utc_and_the_regimen() -> None:
    paris = timezone(timedelta(hours=2))
    record = AnswerRecord(
        Answer("joints", FRQ, 2),
        datetime(2025, 6, 1, 9, 30, tzinfo=paris),
        frozenset({"aromatase_inhibitor", ORAL}),  # type: ignore[arg-type]
        ("letrozole-2-5-daily-tablet", "alendronate-70-weekly-tablet"),
    )
    assert record.answered_at == datetime(2025, 6, 1, 7, 30, tzinfo=UTC)
    assert record.answered_at.tzinfo is UTC
    assert record.drug_classes == frozenset({AI, ORAL})
    assert record.product_keys == ("alendronate-70-weekly-tablet", "letrozole-2-5-daily-tablet")
    with pytest.raises(ValueError, match="timezone-aware"):
        AnswerRecord(Answer("joints", FRQ, 2), datetime(2025, 6, 1), frozenset(), ())  # noqa: DTZ001


def _item(**changes) -> Item:
    fields = {
        "code": "test_item",
        "term": "Test (own item)",
        "label": "test",
        "stems": {PRS: "In the last 7 days, did you have any TEST?"},
        "source": LabelSource("Some label", "Some section"),
        "own_item": True,
    }
    fields.update(changes)
    return Item(**fields)


def test_item_validation() -> None:
    assert _item().attributes == (PRS,)
    with pytest.raises(ValueError, match="lower_snake_case"):
        _item(code="Bad-Code")
    with pytest.raises(ValueError, match="lower_snake_case"):
        _item(code="x" * 25)
    with pytest.raises(ValueError, match="asks nothing"):
        _item(stems={})
    with pytest.raises(ValueError, match="presence item has no other"):
        _item(stems={PRS: "In the last 7 days, x?", SEV: "In the last 7 days, y?"})
    with pytest.raises(ValueError, match="no PRO-CTCAE number"):
        _item(proctcae_number=99)
    with pytest.raises(ValueError, match="no PRO-CTCAE number"):
        _item(own_item=False)
    with pytest.raises(ValueError, match="must give the recall"):
        _item(stems={PRS: "Did you have any TEST?"})
    with pytest.raises(ValueError, match="override"):
        _item(scale_overrides={SEV: SEVERITY_SCALE})


def test_item_stems_are_ordered_read_only_and_items_hashable() -> None:
    item = _item(
        stems={
            INT: "In the last 7 days, i?",
            FRQ: "In the last 7 days, f?",
            SEV: "In the last 7 days, s?",
        }
    )
    assert item.attributes == (FRQ, SEV, INT)
    with pytest.raises(TypeError):
        item.stems[FRQ] = "changed"  # type: ignore[index]
    assert len({get_item("joints"), get_item("joints"), get_item("fall")}) == 2


# --- "Question N of M" ------------------------------------------------------------------------


def _progress_walk(classes: set[DrugClass], score_of) -> list[tuple[int, int, bool]]:
    """Answer a whole check-in with `score_of(question)`, noting each question's progress."""
    items, answers, seen = items_for(classes), [], []
    while (question := next_question(items, answers)) is not None:
        shown = progress(items, answers, trailing=1)
        seen.append((shown.number, shown.total, shown.exact))
        answers.append(Answer(question.item_code, question.attribute, score_of(question)))
    last = progress(items, answers, trailing=1)  # the trailing (stop) question
    seen.append((last.number, last.total, last.exact))
    return seen


@pytest.mark.parametrize("classes", [{AI}, {AI, ORAL}, {AI, IV}, {AI, DMAB}])
@pytest.mark.parametrize("score", [0, 1, 4])
def test_questions_count_up_by_one_and_the_total_never_grows(
    classes: set[DrugClass], score: int
) -> None:
    def score_of(question: Question) -> int | None:
        return min(score, max(o.score or 0 for o in question.options))

    seen = _progress_walk(classes, score_of)
    numbers = [number for number, _, _ in seen]
    totals = [total for _, total, _ in seen]
    assert numbers == list(range(1, len(seen) + 1))
    assert totals == sorted(totals, reverse=True)
    assert all(number <= total for number, total, _ in seen)
    assert seen[-1][:2] == (len(seen), len(seen))  # the last question says "N of N"
    assert seen[-1][2] is True


def test_the_total_starts_at_every_question_and_falls_as_terms_end() -> None:
    items = items_for({AI})  # muscles 3, joints 3, insomnia 2, fatigue 2, vaginal 1, hot 2, fall 1
    start = progress(items, [], trailing=1)
    assert (start.number, start.total, start.exact) == (1, 15, False)
    after_never = progress(items, [Answer("muscles", FRQ, 0)], trailing=1)
    assert (after_never.number, after_never.total) == (2, 13)  # muscles ended after one
    rarely = progress(items, [Answer("muscles", FRQ, 1)], trailing=1)
    assert (rarely.number, rarely.total) == (2, 15)  # muscles goes on: the total stands
    stopped = [Answer(item.code, item.attributes[0], 0) for item in items]
    end = progress(items, stopped, trailing=1, trailing_answered=1)
    assert (end.number, end.total) == (9, 8)  # past the last question: only the note is left


def test_the_total_is_exact_once_no_term_can_end_early() -> None:
    items = items_for({AI})
    answers = [Answer(item.code, item.attributes[0], 0) for item in items[:-2]]
    answers += [Answer("hot_flashes", FRQ, 2)]  # severity of hot flashes, then the fall
    shown = progress(items, answers, trailing=1)
    assert (shown.number, shown.total, shown.exact) == (7, 9, True)
    not_yet = progress(items, answers[:-1], trailing=1)
    assert (not_yet.total, not_yet.exact) == (9, False)  # hot flashes could stop at one
