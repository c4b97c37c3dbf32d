"""About the patient: which criteria and check-in items apply, and height and weight typed."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.bone_health import (
    CRITERIA_MET_MESSAGE,
    OTHER_CRITERIA_MESSAGE,
    WRITTEN_FOR_NOTE,
    DxaResult,
    RiskFactors,
    assess,
)
from bot.domain.catalog import DrugClass
from bot.domain.person import (
    Body,
    CriteriaFit,
    InvalidBodyText,
    Menopause,
    Sex,
    asks_female_items,
    criteria_fit,
    parse_body,
)
from bot.domain.symptoms import items_for

F, M, U = Sex.FEMALE, Sex.MALE, Sex.UNSAID


@pytest.mark.parametrize(
    ("sex", "menopause", "fit"),
    [
        (F, Menopause.POST, CriteriaFit.WRITTEN_FOR),
        (F, Menopause.PRE, CriteriaFit.OTHER_CRITERIA),
        (F, Menopause.UNSURE, CriteriaFit.OTHER_CRITERIA),
        (F, None, CriteriaFit.NOT_KNOWN),
        (M, None, CriteriaFit.OTHER_CRITERIA),
        (U, None, CriteriaFit.NOT_KNOWN),
        (None, None, CriteriaFit.NOT_KNOWN),
    ],
)
def test_the_2017_criteria_are_for_women_after_menopause(
    sex: Sex | None, menopause: Menopause | None, fit: CriteriaFit
) -> None:
    assert criteria_fit(sex, menopause) is fit


LOW_SCAN = DxaResult(date(2031, 1, 5), lumbar_spine=-2.4)


def test_the_message_follows_the_fit() -> None:
    risk = RiskFactors()
    written = assess(LOW_SCAN, risk, on_bone_agent=False, fit=CriteriaFit.WRITTEN_FOR)
    unknown = assess(LOW_SCAN, risk, on_bone_agent=False, fit=CriteriaFit.NOT_KNOWN)
    other = assess(LOW_SCAN, risk, on_bone_agent=False, fit=CriteriaFit.OTHER_CRITERIA)
    assert written.message == CRITERIA_MET_MESSAGE
    assert unknown.message == f"{CRITERIA_MET_MESSAGE} {WRITTEN_FOR_NOTE}"
    assert (other.criteria_met, other.matched, other.message) == (
        False,
        (),
        OTHER_CRITERIA_MESSAGE,
    )
    on_agent = assess(LOW_SCAN, risk, on_bone_agent=True, fit=CriteriaFit.OTHER_CRITERIA)
    assert on_agent.message is None
    assert "woman" not in OTHER_CRITERIA_MESSAGE.split("written for")[0]


def test_no_vaginal_item_for_a_man_only() -> None:
    classes = [DrugClass.AROMATASE_INHIBITOR]
    codes = {item.code for item in items_for(classes)}
    men = {item.code for item in items_for(classes, female_items=asks_female_items(M))}
    assert codes - men == {"vaginal_dryness"}
    assert asks_female_items(None)
    assert asks_female_items(U)
    assert asks_female_items(F)


@pytest.mark.parametrize(
    ("text", "body"),
    [
        ("165 cm 62 kg", Body(165.0, 62.0)),
        ("62kg, 165cm", Body(165.0, 62.0)),
        ("1.65 m and 62 kg", Body(165.0, 62.0)),
        ("1,70 m 70,5 kg", Body(170.0, 70.5)),
        ("5 ft 5 in 137 lb", Body(165.1, 62.1)),
        ("5'5 9 st 11", Body(165.1, 62.1)),
        ("6 feet 200 pounds", Body(182.9, 90.7)),
    ],
)
def test_height_and_weight_in_the_usual_units(text: str, body: Body) -> None:
    assert parse_body(text) == body


@pytest.mark.parametrize("text", ["tall", "165 cm", "62 kg", "16 cm 62 kg", "165 cm 5 kg", ""])
def test_what_is_not_a_height_and_a_weight_is_refused(text: str) -> None:
    with pytest.raises(InvalidBodyText):
        parse_body(text)
