"""Red flags: every rule with a positive and a negative case, the rise and the episode rules."""

from __future__ import annotations

import pytest

from bot.domain.catalog import DrugClass, LabelSource
from bot.domain.redflags import (
    ADHERENCE_MESSAGE,
    AT_ONCE_CODES,
    BONE_PAIN_MESSAGE,
    BONE_PAIN_SOURCE,
    CALCIUM_MESSAGE,
    FALL_MESSAGE,
    JAW_MESSAGE,
    THIGH_MESSAGE,
    UPPER_GI_MESSAGE,
    RedFlag,
    Urgency,
    adherence_concern,
    advice_at_the_end,
    care_team_topic,
    could_raise_at_once,
    is_severe,
    new_episodes,
    open_episodes_after,
    raised_by,
    red_flags,
)
from bot.domain.symptoms import ITEMS, Answer, Attribute

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


def codes(flags: list[RedFlag]) -> list[str]:
    return [flag.code for flag in flags]


def only(flags: list[RedFlag], code: str) -> RedFlag:
    matching = [flag for flag in flags if flag.code == code]
    assert len(matching) == 1, codes(flags)
    return matching[0]


# --- grading ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "severe"),
    [
        (Answer("joints", SEV, 3), True),
        (Answer("joints", SEV, 4), True),
        (Answer("joints", SEV, 2), False),
        (Answer("joints", INT, 3), True),
        (Answer("joints", INT, 2), False),
        (Answer("joints", FRQ, 4), False),  # how often is not how bad
        (Answer("jaw", PRS, 1), False),
        (Answer("injection_site", PRS, None), False),
    ],
)
def test_is_severe(answer: Answer, severe: bool) -> None:
    assert is_severe(answer) is severe


def test_a_well_check_in_raises_nothing() -> None:
    well = [
        Answer("swallowing", SEV, 0),
        Answer("heartburn", FRQ, 0),
        Answer("joints", FRQ, 0),
        Answer("hot_flashes", FRQ, 0),
        Answer("swallow_pain", PRS, 0),
        Answer("jaw", PRS, 0),
        Answer("thigh", PRS, 0),
        Answer("calcium", PRS, 0),
        Answer("flu_like", PRS, None),
        Answer("fall", PRS, 0),
    ]
    assert red_flags(well, well, {AI, ORAL, DMAB}) == []
    assert red_flags(well, None, {AI, ORAL, DMAB}) == []


# --- severe -------------------------------------------------------------------------------


def test_severe_severity_flags_the_item() -> None:
    flags = red_flags([Answer("hot_flashes", FRQ, 2), Answer("hot_flashes", SEV, 3)])
    flag = only(flags, "severe:hot_flashes")
    assert flag.item_codes == ("hot_flashes",)
    assert flag.urgency is Urgency.SOON
    assert flag.reason == "Hot flashes: severity Severe (3)."
    assert flag.patient_message == (
        "Your answers show your hot flashes bothered you a lot this week. Please let your care "
        "team know soon. They may be able to help."
    )


def test_severe_interference_flags_the_item_once() -> None:
    flags = red_flags([Answer("fatigue", SEV, 4), Answer("fatigue", INT, 3)])
    assert codes(flags) == ["severe:fatigue"]
    assert flags[0].reason == "Fatigue: severity Very severe (4); interference Quite a bit (3)."


def test_moderate_answers_and_frequent_symptoms_are_not_severe() -> None:
    answers = [
        Answer("hot_flashes", FRQ, 4),
        Answer("hot_flashes", SEV, 2),
        Answer("insomnia", SEV, 2),
        Answer("insomnia", INT, 2),
    ]
    assert red_flags(answers) == []


# --- rise ---------------------------------------------------------------------------------


def test_a_rise_of_two_points_flags_the_item() -> None:
    previous = [Answer("insomnia", SEV, 0)]  # interference skipped: counts as 0
    current = [Answer("insomnia", SEV, 1), Answer("insomnia", INT, 2)]
    flag = only(red_flags(current, previous), "rise:insomnia")
    assert flag.urgency is Urgency.SOON
    assert flag.reason == "Insomnia worse since last check-in: interference 0 -> 2."
    assert "sleep problems got worse since your last check-in" in flag.patient_message


def test_a_rise_in_frequency_counts() -> None:
    previous = [Answer("hot_flashes", FRQ, 1), Answer("hot_flashes", SEV, 1)]
    current = [Answer("hot_flashes", FRQ, 3), Answer("hot_flashes", SEV, 1)]
    assert codes(red_flags(current, previous)) == ["rise:hot_flashes"]


def test_a_rise_of_one_point_does_not_flag() -> None:
    previous = [Answer("muscles", FRQ, 1), Answer("muscles", SEV, 1), Answer("muscles", INT, 0)]
    current = [Answer("muscles", FRQ, 2), Answer("muscles", SEV, 2), Answer("muscles", INT, 1)]
    assert red_flags(current, previous) == []


def test_no_rise_without_a_previous_answer_for_the_item() -> None:
    current = [Answer("muscles", FRQ, 3), Answer("muscles", SEV, 2), Answer("muscles", INT, 2)]
    assert red_flags(current, None) == []
    assert red_flags(current, [Answer("joints", FRQ, 0)]) == []


def test_a_severe_flag_covers_the_rise_of_the_same_item() -> None:
    previous = [Answer("fatigue", SEV, 1), Answer("fatigue", INT, 0)]
    current = [Answer("fatigue", SEV, 3), Answer("fatigue", INT, 1)]
    assert codes(red_flags(current, previous)) == ["severe:fatigue"]


def test_a_fall_back_to_zero_is_not_a_rise() -> None:
    previous = [Answer("muscles", FRQ, 3), Answer("muscles", SEV, 2), Answer("muscles", INT, 2)]
    assert red_flags([Answer("muscles", FRQ, 0)], previous) == []


# --- upper GI (oral bisphosphonate) -------------------------------------------------------


def test_painful_swallowing_or_chest_pain_on_an_oral_bisphosphonate() -> None:
    flag = only(red_flags([Answer("swallow_pain", PRS, 1)], None, {AI, ORAL}), "upper_gi")
    assert flag.urgency is Urgency.RIGHT_AWAY
    assert flag.item_codes == ("swallow_pain",)
    assert flag.patient_message == UPPER_GI_MESSAGE
    assert "stop taking the bone medicine you take by mouth" in flag.patient_message
    assert "not your aromatase inhibitor" in flag.patient_message
    assert "emergency number" in flag.patient_message
    assert "Oral bisphosphonate" in flag.source.document


def test_any_difficulty_swallowing_on_an_oral_bisphosphonate() -> None:
    flag = only(red_flags([Answer("swallowing", SEV, 1)], None, {ORAL}), "upper_gi")
    assert flag.reason == "On an oral bisphosphonate: difficulty swallowing, severity Mild (1)."
    assert red_flags([Answer("swallowing", SEV, 0)], None, {ORAL}) == []


def test_new_heartburn_on_an_oral_bisphosphonate() -> None:
    current = [Answer("heartburn", FRQ, 1), Answer("heartburn", SEV, 1)]
    flag = only(red_flags(current, None, {ORAL}), "upper_gi")
    assert flag.item_codes == ("heartburn",)
    previous_without = [Answer("heartburn", FRQ, 0)]
    assert codes(red_flags(current, previous_without, {ORAL})) == ["upper_gi"]


def test_worse_heartburn_flags_but_the_same_heartburn_does_not() -> None:
    previous = [Answer("heartburn", FRQ, 2), Answer("heartburn", SEV, 1)]
    worse = [Answer("heartburn", FRQ, 2), Answer("heartburn", SEV, 2)]
    assert codes(red_flags(worse, previous, {ORAL})) == ["upper_gi"]
    same = [Answer("heartburn", FRQ, 2), Answer("heartburn", SEV, 1)]
    assert red_flags(same, previous, {ORAL}) == []
    better = [Answer("heartburn", FRQ, 1), Answer("heartburn", SEV, 1)]
    assert red_flags(better, previous, {ORAL}) == []


def test_upper_gi_rules_need_an_oral_bisphosphonate() -> None:
    answers = [
        Answer("swallowing", SEV, 2),
        Answer("heartburn", FRQ, 2),
        Answer("heartburn", SEV, 2),
    ]
    assert red_flags(answers, None, {AI, IV, DMAB}) == []


def test_several_upper_gi_signs_give_one_flag_that_covers_them() -> None:
    answers = [
        Answer("swallowing", SEV, 4),
        Answer("heartburn", FRQ, 4),
        Answer("heartburn", SEV, 4),
        Answer("swallow_pain", PRS, 1),
    ]
    flags = red_flags(answers, None, {ORAL})
    assert codes(flags) == ["upper_gi"]  # no severe:swallowing, no severe:heartburn
    assert flags[0].item_codes == ("swallow_pain", "swallowing", "heartburn")


# --- bone-medicine specific rules ----------------------------------------------------------


@pytest.mark.parametrize(
    ("item_code", "urgency", "message", "label_word"),
    [
        ("jaw", Urgency.SOON, JAW_MESSAGE, "Osteonecrosis of the Jaw"),
        ("thigh", Urgency.SOON, THIGH_MESSAGE, "Atypical Femoral"),
        ("calcium", Urgency.RIGHT_AWAY, CALCIUM_MESSAGE, "most important information"),
        ("fall", Urgency.RIGHT_AWAY, FALL_MESSAGE, "Fracture"),
    ],
)
def test_yes_to_a_specific_item_raises_its_flag_and_no_does_not(
    item_code: str, urgency: Urgency, message: str, label_word: str
) -> None:
    flag = only(red_flags([Answer(item_code, PRS, 1)], None, {AI, ORAL, IV, DMAB}), item_code)
    assert flag.item_codes == (item_code,)
    assert flag.urgency is urgency
    assert flag.patient_message == message
    assert label_word in flag.source.section
    assert red_flags([Answer(item_code, PRS, 0)], None, {AI, ORAL, IV, DMAB}) == []


def test_specific_messages_say_whom_to_contact() -> None:
    assert "care team and your dentist" in JAW_MESSAGE
    assert "urgent care today" in THIGH_MESSAGE
    assert "call your care team right away" in CALCIUM_MESSAGE
    assert "urgent care now" in FALL_MESSAGE
    assert "emergency number" in FALL_MESSAGE


def test_flu_like_symptoms_and_injection_site_reactions_are_not_red_flags() -> None:
    answers = [Answer("flu_like", PRS, 1), Answer("injection_site", PRS, 1)]
    assert red_flags(answers, None, {IV, DMAB}) == []


# --- adherence -----------------------------------------------------------------------------


def test_severe_joint_pain_is_an_adherence_concern() -> None:
    answers = [Answer("joints", FRQ, 3), Answer("joints", SEV, 3), Answer("joints", INT, 3)]
    assert adherence_concern(answers, wants_to_stop=False)
    flags = red_flags(answers, None, {AI})
    assert codes(flags) == ["adherence"]  # covers severe:joints: one message
    assert flags[0].item_codes == ("joints",)
    assert flags[0].reason == (
        "Aromatase inhibitor adherence at risk: aching joints, severity Severe (3)."
    )
    assert flags[0].patient_message == ADHERENCE_MESSAGE


def test_moderate_joint_pain_is_not_an_adherence_concern() -> None:
    answers = [Answer("joints", FRQ, 4), Answer("joints", SEV, 2), Answer("joints", INT, 2)]
    assert not adherence_concern(answers, wants_to_stop=False)
    assert red_flags(answers, None, {AI}) == []


def test_wanting_to_stop_is_an_adherence_concern_on_its_own() -> None:
    assert adherence_concern([], wants_to_stop=True)
    flag = only(red_flags([], None, {AI}, wants_to_stop=True), "adherence")
    assert flag.item_codes == ()
    assert flag.urgency is Urgency.SOON
    assert "want to stop the aromatase inhibitor" in flag.reason


def test_no_message_ever_advises_stopping_the_aromatase_inhibitor() -> None:
    answers = [
        Answer("swallow_pain", PRS, 1),
        Answer("jaw", PRS, 1),
        Answer("thigh", PRS, 1),
        Answer("calcium", PRS, 1),
        Answer("fall", PRS, 1),
        Answer("joints", SEV, 4),
        Answer("hot_flashes", SEV, 4),
        Answer("insomnia", SEV, 2),
        Answer("insomnia", INT, 4),
    ]
    flags = red_flags(answers, [Answer("insomnia", SEV, 0)], {AI, ORAL, DMAB}, wants_to_stop=True)
    assert len(flags) == 9  # bone_pain too: severe joints on a bone medicine
    for flag in flags:
        text = flag.patient_message.lower()
        assert "stop taking your aromatase" not in text
        assert "stop your aromatase" not in text
        if flag.code != "upper_gi":
            assert "stop" not in text, flag.code
        assert len(flag.patient_message) <= 320, flag.code
        assert isinstance(flag.source, LabelSource)
        assert flag.source.document
        assert flag.source.section


# --- order and uniqueness ------------------------------------------------------------------


def test_right_away_flags_come_first_one_per_code() -> None:
    answers = [
        Answer("jaw", PRS, 1),
        Answer("hot_flashes", FRQ, 1),
        Answer("hot_flashes", SEV, 4),
        Answer("fall", PRS, 1),
        Answer("calcium", PRS, 1),
    ]
    flags = red_flags(answers, None, {DMAB})
    assert codes(flags) == ["calcium", "fall", "jaw", "severe:hot_flashes"]
    assert len(set(codes(flags))) == len(flags)


def test_answers_to_retired_items_do_not_crash() -> None:
    flags = red_flags([Answer("old_item", SEV, 4)], [Answer("old_item", SEV, 0)])
    assert codes(flags) == ["severe:old_item"]
    assert flags[0].reason == "old_item: severity 4."


# --- episodes ------------------------------------------------------------------------------


def _checkin_flags(*items: str) -> list[RedFlag]:
    return red_flags([Answer(item, PRS, 1) for item in items], None, {ORAL})


def test_an_open_episode_does_not_alert_again_until_a_check_in_closes_it() -> None:
    open_now: frozenset[str] = frozenset()

    week1 = _checkin_flags("jaw")
    assert codes(new_episodes(week1, open_now)) == ["jaw"]
    open_now = open_episodes_after(week1)
    assert open_now == {"jaw"}

    week2 = _checkin_flags("jaw", "thigh")
    assert codes(new_episodes(week2, open_now)) == ["thigh"]  # jaw still open: quiet
    open_now = open_episodes_after(week2)

    week3 = _checkin_flags("thigh")  # no jaw: its episode closes
    assert new_episodes(week3, open_now) == []
    open_now = open_episodes_after(week3)
    assert open_now == {"thigh"}

    week4 = _checkin_flags("jaw", "thigh")
    assert codes(new_episodes(week4, open_now)) == ["jaw"]  # a new jaw episode alerts


def test_calling_after_each_answer_alerts_once_per_episode() -> None:
    open_at_start: frozenset[str] = frozenset({"fall"})
    alerted: set[str] = set(open_at_start)
    sent: list[str] = []
    answers: list[Answer] = []
    for answer in [Answer("fall", PRS, 1), Answer("jaw", PRS, 1), Answer("thigh", PRS, 0)]:
        answers.append(answer)
        fresh = new_episodes(red_flags(answers, None, {ORAL}), alerted)
        sent += codes(fresh)
        alerted |= set(codes(fresh))
    assert sent == ["jaw"]


# --- judged at once -----------------------------------------------------------------------------


def test_the_warning_signs_judged_at_once_are_the_specific_label_warnings() -> None:
    assert frozenset({"upper_gi", "jaw", "thigh", "calcium", "fall"}) == AT_ONCE_CODES


@pytest.mark.parametrize(
    ("answer", "code", "message", "urgency"),
    [
        (Answer("swallow_pain", PRS, 1), "upper_gi", UPPER_GI_MESSAGE, Urgency.RIGHT_AWAY),
        (Answer("swallowing", SEV, 1), "upper_gi", UPPER_GI_MESSAGE, Urgency.RIGHT_AWAY),
        (Answer("heartburn", FRQ, 2), "upper_gi", UPPER_GI_MESSAGE, Urgency.RIGHT_AWAY),
        (Answer("calcium", PRS, 1), "calcium", CALCIUM_MESSAGE, Urgency.RIGHT_AWAY),
        (Answer("fall", PRS, 1), "fall", FALL_MESSAGE, Urgency.RIGHT_AWAY),
        (Answer("jaw", PRS, 1), "jaw", JAW_MESSAGE, Urgency.SOON),
        (Answer("thigh", PRS, 1), "thigh", THIGH_MESSAGE, Urgency.SOON),
    ],
)
def test_one_answer_raises_its_warning_sign_at_once(
    answer: Answer, code: str, message: str, urgency: Urgency
) -> None:
    assert could_raise_at_once(answer)
    [flag] = raised_by(answer, [], None, {AI, ORAL, DMAB})
    assert (flag.code, flag.patient_message, flag.urgency) == (code, message, urgency)


def test_upper_gi_is_raised_at_once_only_on_an_oral_bisphosphonate() -> None:
    assert raised_by(Answer("swallow_pain", PRS, 1), [], None, {AI, DMAB}) == []


def test_a_none_answer_raises_nothing_for_any_item() -> None:
    for item in ITEMS.values():
        for attribute in item.attributes:
            for score in (0, None):
                answer = Answer(item.code, attribute, score)
                assert not could_raise_at_once(answer)
                assert raised_by(answer, [], None, {AI, ORAL, IV, DMAB}) == []


def test_graded_flags_and_adherence_wait_for_the_end() -> None:
    assert raised_by(Answer("fatigue", SEV, 4), [], None, {AI}) == []
    assert raised_by(Answer("joints", SEV, 4), [], None, {AI}) == []  # adherence
    previous = [Answer("muscles", FRQ, 0)]
    assert raised_by(Answer("muscles", FRQ, 3), [], previous, {AI}) == []  # a rise


def test_a_sign_already_raised_in_the_check_in_is_not_raised_again() -> None:
    before = [Answer("swallowing", SEV, 2)]
    assert raised_by(Answer("heartburn", FRQ, 3), before, None, {ORAL}) == []
    later = [*before, Answer("heartburn", FRQ, 3), Answer("heartburn", SEV, 2)]
    assert raised_by(Answer("swallow_pain", PRS, 1), later, None, {ORAL}) == []
    assert codes(raised_by(Answer("fall", PRS, 1), later, None, {ORAL})) == ["fall"]


def test_heartburn_no_worse_than_last_time_raises_nothing_at_once() -> None:
    previous = [Answer("heartburn", FRQ, 2), Answer("heartburn", SEV, 1)]
    assert raised_by(Answer("heartburn", FRQ, 2), [], previous, {ORAL}) == []
    assert codes(raised_by(Answer("heartburn", FRQ, 3), [], previous, {ORAL})) == ["upper_gi"]


def test_judging_each_answer_then_the_end_advises_and_alerts_once_per_check_in() -> None:
    answers: list[Answer] = []
    shown_at_once: list[str] = []
    for answer in [
        Answer("fatigue", SEV, 3),
        Answer("fatigue", INT, 1),
        Answer("thigh", PRS, 1),
        Answer("fall", PRS, 0),
    ]:
        shown_at_once += codes(raised_by(answer, answers, None, {AI, ORAL}))
        answers.append(answer)
    assert shown_at_once == ["thigh"]
    flags = red_flags(answers, None, {AI, ORAL})
    opened_at_the_end = codes(new_episodes(flags, open_episodes={"thigh"}))
    assert opened_at_the_end == ["severe:fatigue"]  # thigh opened at its answer
    assert codes(advice_at_the_end(flags, opened_at_the_end)) == ["severe:fatigue"]


def test_a_warning_sign_not_judged_at_once_is_advised_at_the_end() -> None:
    flags = red_flags([Answer("jaw", PRS, 1)], None, {ORAL})
    assert codes(advice_at_the_end(flags, {"jaw"})) == ["jaw"]
    assert advice_at_the_end(flags, set()) == []


# --- severe bone, joint or muscle pain on a bone medicine ------------------------------------


@pytest.mark.parametrize("drug_class", [ORAL, IV, DMAB])
@pytest.mark.parametrize("item", ["muscles", "joints"])
def test_severe_muscle_or_joint_pain_on_a_bone_medicine_is_its_own_red_flag(
    drug_class: DrugClass, item: str
) -> None:
    flags = red_flags([Answer(item, SEV, 3)], None, {AI, drug_class})
    [flag] = [f for f in flags if f.code == "bone_pain"]
    assert flag.item_codes == (item,)
    assert flag.urgency is Urgency.SOON
    assert flag.patient_message == BONE_PAIN_MESSAGE
    assert "bone, joint or muscle pain" in flag.patient_message
    assert "stop" not in flag.patient_message.lower()  # the prescriber weighs the medicine
    assert flag.source == BONE_PAIN_SOURCE
    assert "Musculoskeletal Pain" in flag.source.section
    assert f"severe:{item}" not in codes(flags)  # one problem, one message
    assert care_team_topic("bone_pain").startswith("severe bone, joint or muscle pain")


def test_bone_pain_needs_a_bone_medicine_and_a_severe_answer() -> None:
    assert "bone_pain" not in codes(red_flags([Answer("muscles", SEV, 4)], None, {AI}))
    assert "bone_pain" not in codes(red_flags([Answer("muscles", SEV, 2)], None, {AI, DMAB}))
    # Frequency or interference alone is not the labels' "severe pain".
    assert "bone_pain" not in codes(red_flags([Answer("joints", INT, 4)], None, {AI, ORAL}))
    both = red_flags([Answer("muscles", SEV, 4), Answer("joints", SEV, 3)], None, {DMAB})
    [flag] = [f for f in both if f.code == "bone_pain"]
    assert flag.item_codes == ("muscles", "joints")
    assert "bone_pain" not in AT_ONCE_CODES  # judged at the end, as the severe flags are
