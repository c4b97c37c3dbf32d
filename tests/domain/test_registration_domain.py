"""Which question comes next, and which answers fit: the conversation's rules without Telegram."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time

import pytest

from bot.domain.dose_times import Frequency
from bot.domain.regimen_draft import (
    CLINIC,
    NONE,
    InvalidAnswer,
    Question,
    RegimenDraft,
    Section,
    apply_answer,
    next_question,
    read_typed,
)


def answer_all(*answers: tuple[Question, str]) -> RegimenDraft:
    draft = RegimenDraft()
    for question, value in answers:
        assert next_question(draft) is question
        draft = apply_answer(draft, question, value)
    return draft


def test_weekly_alendronate_walks_every_question_in_order() -> None:
    draft = answer_all(
        (Question.CONSENT, "yes"),
        (Question.AI_DRUG, "letrozole-2-5-daily-tablet"),
        (Question.AI_TIME, "0900"),
        (Question.BONE_FAMILY, "alendronate"),
        (Question.BONE_PRODUCT, "alendronate-70-weekly-tablet"),
        (Question.BONE_DAY, "w0"),
        (Question.BONE_TIME, "6:45 am"),
        (Question.TIMEZONE, "europe/london"),
    )
    assert next_question(draft) is Question.CONFIRM
    assert draft.ai_schedule() is not None
    assert draft.ai_schedule().time_of_day == time(9, 0)
    bone = draft.bone_schedule()
    assert bone is not None
    assert (bone.frequency, bone.weekday, bone.time_of_day) == (Frequency.WEEKLY, 0, time(6, 45))
    assert draft.timezone == "Europe/London"


def test_monthly_risedronate_asks_day_of_month() -> None:
    draft = answer_all(
        (Question.CONSENT, "yes"),
        (Question.AI_DRUG, NONE),
        (Question.BONE_FAMILY, "risedronate"),
        (Question.BONE_PRODUCT, "risedronate-150-monthly-tablet"),
        (Question.BONE_DAY, "m31"),
        (Question.BONE_TIME, "0700"),
        (Question.TIMEZONE, "America/New_York"),
    )
    assert draft.ai_schedule() is None
    schedule = draft.bone_schedule()
    assert schedule is not None
    assert (schedule.frequency, schedule.day_of_month) == (Frequency.MONTHLY, 31)


def test_daily_bisphosphonate_skips_the_day_question() -> None:
    draft = answer_all(
        (Question.CONSENT, "yes"),
        (Question.AI_DRUG, "anastrozole-1-daily-tablet"),
        (Question.AI_TIME, "2100"),
        (Question.BONE_FAMILY, "alendronate"),
        (Question.BONE_PRODUCT, "alendronate-10-daily-tablet"),
    )
    assert next_question(draft) is Question.BONE_TIME


def test_clinic_agent_is_recorded_without_times() -> None:
    draft = answer_all(
        (Question.CONSENT, "yes"),
        (Question.AI_DRUG, "exemestane-25-daily-tablet"),
        (Question.AI_TIME, "0830"),
        (Question.BONE_FAMILY, CLINIC),
        (Question.BONE_PRODUCT, "denosumab-60-every-6-months-sc"),
    )
    assert next_question(draft) is Question.TIMEZONE
    assert draft.bone() is not None
    assert draft.bone_schedule() is None


def test_no_bone_agent_goes_straight_to_time_zone() -> None:
    draft = answer_all(
        (Question.CONSENT, "yes"),
        (Question.AI_DRUG, "anastrozole-1-daily-tablet"),
        (Question.AI_TIME, "0800"),
        (Question.BONE_FAMILY, NONE),
    )
    assert next_question(draft) is Question.TIMEZONE


@pytest.mark.parametrize(
    ("draft", "question", "value"),
    [
        (RegimenDraft(), Question.CONSENT, "maybe"),
        (RegimenDraft(consent=True), Question.AI_DRUG, "alendronate-70-weekly-tablet"),
        (RegimenDraft(consent=True), Question.AI_DRUG, "no-such-drug"),
        (
            RegimenDraft(consent=True, ai_product=NONE),
            Question.BONE_FAMILY,
            "aspirin",
        ),
        (
            RegimenDraft(consent=True, ai_product=NONE, bone_family="alendronate"),
            Question.BONE_PRODUCT,
            "anastrozole-1-daily-tablet",  # not a bone medicine
        ),
        (
            RegimenDraft(consent=True, ai_product=NONE, bone_family="ibandronate"),
            Question.BONE_PRODUCT,
            "no-such-drug",
        ),
        (
            RegimenDraft(
                consent=True,
                ai_product=NONE,
                bone_family="alendronate",
                bone_product="alendronate-70-weekly-tablet",
            ),
            Question.BONE_DAY,
            "m3",  # a day of month for a weekly medicine
        ),
        (
            RegimenDraft(
                consent=True,
                ai_product=NONE,
                bone_family="alendronate",
                bone_product="alendronate-70-weekly-tablet",
            ),
            Question.BONE_DAY,
            "w7",
        ),
        (
            RegimenDraft(consent=True, ai_product="anastrozole-1-daily-tablet"),
            Question.AI_TIME,
            "banana",
        ),
        (
            RegimenDraft(consent=True, ai_product="anastrozole-1-daily-tablet"),
            Question.AI_TIME,
            "2599",
        ),
        (RegimenDraft(consent=True), Question.TIMEZONE, "Mars/Olympus_Mons"),
        (RegimenDraft(consent=True), Question.TIMEZONE, "../../etc/passwd"),
    ],
)
def test_answers_that_do_not_fit_are_refused(
    draft: RegimenDraft, question: Question, value: str
) -> None:
    with pytest.raises(InvalidAnswer):
        apply_answer(draft, question, value)


def test_clearing_a_section_asks_only_its_questions_again() -> None:
    complete = answer_all(
        (Question.CONSENT, "yes"),
        (Question.AI_DRUG, "anastrozole-1-daily-tablet"),
        (Question.AI_TIME, "0800"),
        (Question.BONE_FAMILY, "ibandronate"),
        (Question.BONE_PRODUCT, "ibandronate-150-monthly-tablet"),
        (Question.BONE_DAY, "m15"),
        (Question.BONE_TIME, "0630"),
        (Question.TIMEZONE, "Australia/Sydney"),
    )
    assert next_question(complete.cleared(Section.TIMEZONE)) is Question.TIMEZONE
    bone_cleared = complete.cleared(Section.BONE_AGENT)
    assert next_question(bone_cleared) is Question.BONE_FAMILY
    assert bone_cleared.ai_product == "anastrozole-1-daily-tablet"
    assert bone_cleared.timezone == "Australia/Sydney"
    assert next_question(complete.cleared(Section.AROMATASE_INHIBITOR)) is Question.AI_DRUG


DENOSUMAB = "denosumab-60-every-6-months-sc"


def test_a_change_that_stops_or_switches_away_from_denosumab_knows_it() -> None:
    stored = RegimenDraft(
        consent=True,
        ai_product=NONE,
        bone_family=CLINIC,
        bone_product=DENOSUMAB,
        timezone="Europe/London",
        stored_bone=DENOSUMAB,
    )
    assert stored.stopping() is None  # nothing changed yet
    cleared = stored.cleared(Section.BONE_AGENT)
    assert cleared.stored_bone == DENOSUMAB  # the change still knows what was stored
    stopped = apply_answer(cleared, Question.BONE_FAMILY, NONE)
    assert next_question(stopped) is Question.CONFIRM
    product = stopped.stopping()
    assert product is not None
    assert product.key == DENOSUMAB
    switched = replace(stopped, bone_family=CLINIC, bone_product="zoledronic-acid-5-yearly-iv")
    assert switched.stopping() is not None
    # Starting over at the confirm step keeps what was stored, so the warning stays.
    assert stopped.restarted().stored_bone == DENOSUMAB
    assert not stopped.restarted().ai_product
    # A first registration stops nothing.
    assert replace(stopped, stored_bone=None).stopping() is None


NOW = datetime(2031, 1, 15, 12, 0, tzinfo=UTC)
ASKING_BONE = RegimenDraft(consent=True, ai_product=NONE)


@pytest.mark.parametrize(
    ("draft", "question", "text", "value"),
    [
        (RegimenDraft(consent=True), Question.AI_DRUG, "Arimidex", "anastrozole-1-daily-tablet"),
        (RegimenDraft(consent=True), Question.AI_DRUG, "femara", "letrozole-2-5-daily-tablet"),
        (RegimenDraft(consent=True), Question.AI_DRUG, "Exemestane", "exemestane-25-daily-tablet"),
        (ASKING_BONE, Question.BONE_FAMILY, "Prolia", "denosumab-60-every-6-months-sc"),
        (ASKING_BONE, Question.BONE_FAMILY, "Binosto", "alendronate-70-weekly-effervescent"),
        (ASKING_BONE, Question.BONE_FAMILY, "reclast", "zoledronic-acid-5-yearly-iv"),
        (
            replace(ASKING_BONE, bone_family="alendronate"),
            Question.BONE_PRODUCT,
            "Atelvia",  # another family's brand, named at the product step
            "risedronate-35-weekly-delayed-release",
        ),
        (RegimenDraft(consent=True), Question.TIMEZONE, "Germany", "Europe/Berlin"),
        (RegimenDraft(consent=True), Question.TIMEZONE, "berlin", "Europe/Berlin"),
        (RegimenDraft(consent=True), Question.TIMEZONE, "Europe/Madrid", "Europe/Madrid"),
    ],
)
def test_a_typed_name_that_is_one_answer_is_taken(
    draft: RegimenDraft, question: Question, text: str, value: str
) -> None:
    reading = read_typed(draft, question, text, NOW)
    assert reading.value == value
    apply_answer(draft, question, value)  # and it fits the question


def test_a_brand_with_several_products_offers_them_to_choose() -> None:
    reading = read_typed(ASKING_BONE, Question.BONE_FAMILY, "Fosamax", NOW)
    assert reading.value is None
    assert (reading.name, reading.choices) == (
        "Fosamax",
        (
            "alendronate-70-weekly-tablet",
            "alendronate-70-weekly-oral-solution",
            "alendronate-10-daily-tablet",
        ),
    )
    chosen = apply_answer(ASKING_BONE, Question.BONE_FAMILY, reading.choices[1])
    assert (chosen.bone_family, chosen.bone_product) == (
        "alendronate",
        "alendronate-70-weekly-oral-solution",
    )
    assert next_question(chosen) is Question.BONE_DAY
    boniva = read_typed(ASKING_BONE, Question.BONE_FAMILY, "Boniva", NOW)
    assert boniva.choices == ("ibandronate-150-monthly-tablet", "ibandronate-3-every-3-months-iv")
    clinic = apply_answer(ASKING_BONE, Question.BONE_FAMILY, boniva.choices[1])
    assert (clinic.bone_family, next_question(clinic)) == (CLINIC, Question.TIMEZONE)


def test_a_medicine_asked_about_at_another_step_is_not_taken() -> None:
    at_ai = read_typed(RegimenDraft(consent=True), Question.AI_DRUG, "Fosamax", NOW)
    assert (at_ai.value, at_ai.choices, at_ai.other_step, at_ai.name) == (
        None,
        (),
        True,
        "Fosamax",
    )
    at_bone = read_typed(ASKING_BONE, Question.BONE_FAMILY, "Arimidex", NOW)
    assert (at_bone.value, at_bone.other_step) == (None, True)


def test_a_near_spelling_is_a_choice_even_when_it_names_one_product() -> None:
    reading = read_typed(RegimenDraft(consent=True), Question.AI_DRUG, "arimedex", NOW)
    assert (reading.value, reading.choices, reading.near) == (
        None,
        ("anastrozole-1-daily-tablet",),
        True,
    )


def test_a_country_with_several_zones_offers_them_to_choose() -> None:
    reading = read_typed(RegimenDraft(consent=True), Question.TIMEZONE, "United States", NOW)
    assert reading.value is None
    assert reading.name == "United States"
    assert reading.choices[0] == "America/New_York"
    assert "America/Los_Angeles" in reading.choices
    for zone in reading.choices:
        apply_answer(RegimenDraft(consent=True), Question.TIMEZONE, zone)


@pytest.mark.parametrize(
    ("text", "at"),
    [("7.30", time(7, 30)), ("0730", time(7, 30)), ("7:30 am", time(7, 30)), ("19:00", time(19))],
)
def test_typed_times_are_read_as_the_buttons_are(text: str, at: time) -> None:
    draft = RegimenDraft(consent=True, ai_product="anastrozole-1-daily-tablet")
    reading = read_typed(draft, Question.AI_TIME, text, NOW)
    assert reading.value is not None
    assert apply_answer(draft, Question.AI_TIME, reading.value).ai_time == at


def test_typed_days_are_read_by_name_or_number() -> None:
    weekly = replace(
        ASKING_BONE, bone_family="alendronate", bone_product="alendronate-70-weekly-tablet"
    )
    monthly = replace(
        ASKING_BONE, bone_family="risedronate", bone_product="risedronate-150-monthly-tablet"
    )
    assert read_typed(weekly, Question.BONE_DAY, "wednesday", NOW).value == "w2"
    assert read_typed(weekly, Question.BONE_DAY, "15", NOW).value is None
    assert read_typed(monthly, Question.BONE_DAY, "15th", NOW).value == "m15"
    assert read_typed(monthly, Question.BONE_DAY, "Monday", NOW).value is None


@pytest.mark.parametrize(
    ("question", "text"),
    [
        (Question.CONSENT, "yes I agree"),  # consent is given by tapping only
        (Question.AI_DRUG, "aspirin"),
        (Question.AI_TIME, "half past seven"),
        (Question.TIMEZONE, "Atlantis"),
        (Question.CONFIRM, "yes"),
    ],
)
def test_text_that_answers_nothing_is_not_understood(question: Question, text: str) -> None:
    draft = RegimenDraft(consent=True, ai_product="anastrozole-1-daily-tablet")
    reading = read_typed(draft, question, text, NOW)
    assert (reading.value, reading.choices, reading.other_step) == (None, (), False)
