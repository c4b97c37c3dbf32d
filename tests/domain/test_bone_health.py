"""DXA results, WHO categories and the 2017 joint position statement's criteria."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.bone_health import (
    CRITERIA_MET_MESSAGE,
    CRITERIA_MET_WITHOUT_SCAN_MESSAGE,
    FOLLOW_UP_MONTHS,
    NO_SCAN_MESSAGE,
    RECORDED_ONLY,
    RISK_QUESTIONS,
    BoneDensityCategory,
    Criterion,
    DxaResult,
    RiskFactor,
    RiskFactors,
    Site,
    add_months,
    assess,
    bmi_from,
    changes_since,
    classify,
)

SCAN_DAY = date(2025, 8, 31)
ONE_FACTOR = RiskFactors(smoker_current_or_past=True)
TWO_FACTORS = RiskFactors(smoker_current_or_past=True, family_hip_fracture=True)


def scan(t_score: float) -> DxaResult:
    """Return a scan whose lowest site is this T-score."""
    return DxaResult(SCAN_DAY, lumbar_spine=t_score, total_hip=t_score + 0.5)


# --------------------------------------------------------------------------- WHO categories
# WHO TRS 843 (1994): normal T >= -1.0; osteopenia -2.5 < T < -1.0; osteoporosis T <= -2.5.


@pytest.mark.parametrize(
    ("t_score", "category"),
    [
        (1.2, BoneDensityCategory.NORMAL),
        (-1.0, BoneDensityCategory.NORMAL),
        (-1.01, BoneDensityCategory.OSTEOPENIA),
        (-1.1, BoneDensityCategory.OSTEOPENIA),
        (-2.4, BoneDensityCategory.OSTEOPENIA),
        (-2.49, BoneDensityCategory.OSTEOPENIA),
        (-2.5, BoneDensityCategory.OSTEOPOROSIS),
        (-3.8, BoneDensityCategory.OSTEOPOROSIS),
    ],
)
def test_who_categories_and_their_boundaries(
    t_score: float, category: BoneDensityCategory
) -> None:
    assert classify(t_score) is category


# --------------------------------------------------------------------------- scans


def test_lowest_site_decides_the_category() -> None:
    result = DxaResult(SCAN_DAY, lumbar_spine=-1.2, total_hip=-0.4, femoral_neck=-2.6)
    assert result.lowest_site is Site.FEMORAL_NECK
    assert result.lowest_t_score == -2.6
    assert result.category is BoneDensityCategory.OSTEOPOROSIS
    assert result.t_scores == {
        Site.LUMBAR_SPINE: -1.2,
        Site.TOTAL_HIP: -0.4,
        Site.FEMORAL_NECK: -2.6,
    }


def test_one_site_is_enough_and_whole_numbers_are_accepted() -> None:
    result = DxaResult(SCAN_DAY, total_hip=-2)
    assert result.lowest_site is Site.TOTAL_HIP
    assert result.lowest_t_score == -2.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"lumbar_spine": -6.1},
        {"total_hip": 6.5},
        {"femoral_neck": float("nan")},
        {"femoral_neck": float("-inf")},
        {"lumbar_spine": True},
        {"lumbar_spine": "-1.5"},
    ],
)
def test_implausible_scans_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"T-score|number"):
        DxaResult(SCAN_DAY, **kwargs)  # type: ignore[arg-type]


def test_range_limits_are_inclusive() -> None:
    assert DxaResult(SCAN_DAY, lumbar_spine=-6.0, total_hip=6.0).lowest_t_score == -6.0


def test_changes_since_previous_scan_per_site() -> None:
    previous = DxaResult(date(2024, 8, 1), lumbar_spine=-1.5, total_hip=-1.0)
    current = DxaResult(SCAN_DAY, lumbar_spine=-1.8, femoral_neck=-1.2)
    [spine] = changes_since(previous, current)  # only the site measured both times
    assert spine.site is Site.LUMBAR_SPINE
    assert (spine.previous, spine.current) == (-1.5, -1.8)
    assert spine.change == -0.3  # not -0.30000000000000004


def test_changes_need_the_scans_in_date_order() -> None:
    with pytest.raises(ValueError, match="before"):
        changes_since(scan(-1.0), scan(-1.2))


# --------------------------------------------------------------------------- risk factors
# Hadji 2017: age > 65, BMI < 20 kg/m2, family history of hip fracture, fragility fracture
# after 50, oral corticosteroids > 6 months, smoking.


def test_age_over_65_and_bmi_under_20_are_strict() -> None:
    assert RiskFactors(age_years=65, bmi=20.0).present() == frozenset()
    assert RiskFactors(age_years=66, bmi=19.9).present() == {
        RiskFactor.AGE_OVER_65,
        RiskFactor.LOW_BMI,
    }


def test_every_answer_maps_to_its_factor() -> None:
    everything = RiskFactors(
        age_years=70,
        bmi=18.5,
        family_hip_fracture=True,
        fragility_fracture_after_50=True,
        oral_corticosteroids_over_6_months=True,
        smoker_current_or_past=True,
        alcohol_3_units_a_day=True,
        fall_last_year=True,
    )
    # Alcohol and falls are recorded for the care team; the statement's criteria never count them.
    assert everything.present() == frozenset(RiskFactor) - RECORDED_ONLY
    assert everything.recorded() == RECORDED_ONLY
    assert RiskFactors().present() == frozenset()
    assert RiskFactors().recorded() == frozenset()


@pytest.mark.parametrize(
    "kwargs",
    [{"age_years": 17}, {"age_years": 130}, {"age_years": True}, {"bmi": 5.0}, {"bmi": 95}],
)
def test_implausible_age_or_bmi_is_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="plausible"):
        RiskFactors(**kwargs)  # type: ignore[arg-type]


def test_questions_cover_every_yes_no_factor_once_and_name_the_statement() -> None:
    codes = [question.code for question in RISK_QUESTIONS]
    assert len(codes) == len(set(codes))
    assert set(codes) == set(RiskFactor) - {RiskFactor.AGE_OVER_65, RiskFactor.LOW_BMI}
    for question in RISK_QUESTIONS:
        assert question.text.split(" (")[0].endswith("?")
        counted = question.code not in RECORDED_ONLY
        assert ("J Bone Oncol 2017" in question.source.document) is counted


def test_answers_build_the_factors() -> None:
    answers = {RiskFactor.SMOKING: True, RiskFactor.FAMILY_HIP_FRACTURE: False}
    built = RiskFactors.from_answers(answers, age_years=67, bmi=21.0)
    assert built.present() == {RiskFactor.SMOKING, RiskFactor.AGE_OVER_65}


def test_bmi_from_weight_and_height() -> None:
    assert bmi_from(60, 165) == 22.0
    assert bmi_from(50, 170) == 17.3
    with pytest.raises(ValueError, match="plausible"):
        bmi_from(60, 16.5)  # height typed in metres


# --------------------------------------------------------------------------- criteria
# Hadji 2017: bone-directed therapy for T < -2.0, or T < -1.5 with one additional risk
# factor, or >= 2 risk factors (without BMD).


@pytest.mark.parametrize(
    ("dxa", "risk", "matched"),
    [
        (scan(-2.1), RiskFactors(), [Criterion.T_SCORE_BELOW_MINUS_2]),
        (scan(-2.0), RiskFactors(), []),  # strict: -2.0 itself does not count
        (scan(-1.6), ONE_FACTOR, [Criterion.T_SCORE_BELOW_MINUS_1_5_AND_RISK_FACTOR]),
        (scan(-1.5), ONE_FACTOR, []),  # strict
        (scan(-1.9), RiskFactors(), []),  # low, but no additional factor
        (None, TWO_FACTORS, [Criterion.TWO_OR_MORE_RISK_FACTORS]),  # without BMD
        (None, ONE_FACTOR, []),
        (scan(0.3), TWO_FACTORS, [Criterion.TWO_OR_MORE_RISK_FACTORS]),
        (None, RiskFactors(age_years=66, bmi=19.0), [Criterion.TWO_OR_MORE_RISK_FACTORS]),
        (
            scan(-2.6),
            TWO_FACTORS,
            [
                Criterion.T_SCORE_BELOW_MINUS_2,
                Criterion.T_SCORE_BELOW_MINUS_1_5_AND_RISK_FACTOR,
                Criterion.TWO_OR_MORE_RISK_FACTORS,
            ],
        ),
    ],
)
def test_criteria_combinations(
    dxa: DxaResult | None, risk: RiskFactors, matched: list[Criterion]
) -> None:
    result = assess(dxa, risk, on_bone_agent=False)
    assert list(result.matched) == matched
    assert result.criteria_met is bool(matched)
    expected = CRITERIA_MET_MESSAGE if dxa is not None else CRITERIA_MET_WITHOUT_SCAN_MESSAGE
    assert result.message == (expected if matched else None)


def test_message_is_the_agreed_informational_wording() -> None:
    assert CRITERIA_MET_MESSAGE == (
        "Your scan and answers meet the criteria a 2017 expert statement uses for "
        "considering bone-protecting treatment. This is worth discussing with your care team."
    )


def test_with_no_scan_the_message_claims_no_scan_and_says_it_rests_on_answers() -> None:
    # The same sourced sentence; only its claim about a scan changes (there is none).
    result = assess(None, TWO_FACTORS, on_bone_agent=False)
    assert result.matched == (Criterion.TWO_OR_MORE_RISK_FACTORS,)
    assert result.message == CRITERIA_MET_WITHOUT_SCAN_MESSAGE
    assert "scan and answers" not in result.message
    assert "based on your answers only" in result.message
    assert "no bone density (DXA) scan is on record" in result.message
    assert result.message.startswith("Your answers meet the criteria a 2017 expert statement")
    assert result.message.endswith("This is worth discussing with your care team.")
    assert NO_SCAN_MESSAGE == (
        "I have no bone density (DXA) scan on record for you. Experts advise a scan for "
        "everyone taking an aromatase inhibitor. Ask your care team about one."
    )


def test_no_message_when_a_bone_agent_is_recorded() -> None:
    result = assess(scan(-2.8), TWO_FACTORS, on_bone_agent=True)
    assert result.criteria_met
    assert result.message is None


def test_assessment_reports_the_scan_and_factors() -> None:
    result = assess(scan(-1.7), ONE_FACTOR, on_bone_agent=False)
    assert result.lowest_t_score == -1.7
    assert result.category is BoneDensityCategory.OSTEOPENIA
    assert result.risk_factors == {RiskFactor.SMOKING}
    assert not result.scan_missing
    assert all("J Bone Oncol 2017" in source.document for source in result.sources)


def test_follow_up_is_every_one_to_two_years_from_the_scan() -> None:
    # Hadji 2017 (as summarised): BMD assessment every 12 to 24 months.
    assert FOLLOW_UP_MONTHS == (12, 24)
    result = assess(scan(-1.2), RiskFactors(), on_bone_agent=False)
    assert result.next_scan_between == (date(2026, 8, 31), date(2027, 8, 31))
    assert "every 1 to 2 years" in result.follow_up.text()


def test_without_a_scan_there_is_no_follow_up_date_and_the_gap_is_flagged() -> None:
    result = assess(None, RiskFactors(), on_bone_agent=False)
    assert result.scan_missing
    assert result.next_scan_between is None
    assert result.lowest_t_score is None
    assert result.category is None


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),  # leap year
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
    ],
)
def test_add_months_clamps_to_the_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected
