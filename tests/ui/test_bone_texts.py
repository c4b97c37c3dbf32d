"""What the risk questions end with: a scan is claimed only when one is on record.

The 2017 statement's criteria can be met by answers alone (two or more risk factors, without
bone density): then the reply says it rests on the answers, that no scan is recorded, and
offers the DXA set-up /bone offers.
"""

from __future__ import annotations

from datetime import date

from bot.domain.bone_health import (
    CRITERIA_MET_MESSAGE,
    CRITERIA_MET_WITHOUT_SCAN_MESSAGE,
    NO_SCAN_MESSAGE,
    SCAN_ADVICE,
    DxaResult,
    RiskFactors,
    assess,
)
from bot.services.bone.dxa import DxaView
from ui import texts
from ui.keyboards.bone import dxa_menu_buttons, scan_setup_buttons

TODAY = date(2031, 6, 11)
TWO_FACTORS = RiskFactors(family_hip_fracture=True, smoker_current_or_past=True)


def view(scan: DxaResult | None, risk: RiskFactors, *, on_bone_agent: bool = False) -> DxaView:
    return DxaView(
        profile_id=7,
        today=TODAY,
        scans=(scan,) if scan is not None else (),
        interval_months=24,
        interval_from_care_team=False,
        next_on=None,
        next_is_booked=False,
        assessment=assess(scan, risk, on_bone_agent=on_bone_agent),
        risk_answered=True,
    )


def test_with_no_scan_the_reply_rests_on_the_answers_and_says_no_scan_is_recorded() -> None:
    text = texts.risk_done(view(None, TWO_FACTORS))
    assert "scan and answers" not in text
    assert CRITERIA_MET_MESSAGE not in text
    assert CRITERIA_MET_WITHOUT_SCAN_MESSAGE in text
    assert "based on your answers only" in text
    assert "no bone density (DXA) scan is on record" in text
    # The advice to have a scan follows, without saying twice that there is none.
    assert text.endswith(SCAN_ADVICE)
    assert text.count("on record") == 1


def test_with_a_scan_the_reply_keeps_the_scan_wording() -> None:
    text = texts.risk_done(view(DxaResult(date(2031, 1, 5), lumbar_spine=-2.4), TWO_FACTORS))
    assert CRITERIA_MET_MESSAGE in text
    assert "answers only" not in text
    assert NO_SCAN_MESSAGE not in text


def test_with_no_scan_and_criteria_not_met_the_reply_says_no_scan() -> None:
    text = texts.risk_done(view(None, RiskFactors(smoker_current_or_past=True)))
    assert text == f"{texts.RISK_SAVED}\n\n{NO_SCAN_MESSAGE}"


def test_with_no_scan_and_a_bone_agent_the_reply_says_no_scan_only() -> None:
    text = texts.risk_done(view(None, TWO_FACTORS, on_bone_agent=True))
    assert text == f"{texts.RISK_SAVED}\n\n{NO_SCAN_MESSAGE}"


def test_the_bone_page_without_a_scan_never_claims_one() -> None:
    text = texts.dxa_lines(view(None, TWO_FACTORS))
    assert "scan and answers" not in text
    assert NO_SCAN_MESSAGE in text
    assert CRITERIA_MET_WITHOUT_SCAN_MESSAGE in text


def test_the_scan_set_up_buttons_are_the_ones_bone_offers() -> None:
    markup = scan_setup_buttons(7)
    offered = [(b.text, b.callback_data) for row in markup.inline_keyboard for b in row]
    assert [label for label, _ in offered] == [texts.DXA_ADD, texts.DXA_BOOKED]
    on_bone = [(b.text, b.callback_data) for row in dxa_menu_buttons(7, True) for b in row]
    assert on_bone[:2] == offered
