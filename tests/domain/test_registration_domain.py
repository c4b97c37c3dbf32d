"""Which question comes next, and which answers fit: the conversation's rules without Telegram."""

from __future__ import annotations

from datetime import time

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
            "risedronate-35-weekly-tablet",  # a product of another family
        ),
        (
            RegimenDraft(consent=True, ai_product=NONE, bone_family="ibandronate"),
            Question.BONE_PRODUCT,
            "ibandronate-3-every-3-months-iv",  # clinic-given, not an oral choice
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
