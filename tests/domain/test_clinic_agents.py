"""Clinic-given agents: next due dates, reminders around them and overdue escalation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.domain.catalog import CLINIC_BONE_PRODUCTS, UnknownProduct
from bot.domain.clinic_agents import (
    BOOK_AHEAD_DAYS,
    DENOSUMAB_POLICY,
    GENTLE_POLICY,
    INTERVAL_SOURCES,
    STOPPING_SOURCE,
    ReminderKind,
    escalation_policy,
    next_due,
    overdue_actions,
    post_dose_check,
    reminder_dates,
    stopping_warning,
    stops_rebound_agent,
)

DENOSUMAB = "denosumab-60-every-6-months-sc"
ZOMETA = "zoledronic-acid-4-every-6-months-iv"
RECLAST = "zoledronic-acid-5-yearly-iv"
BONIVA_IV = "ibandronate-3-every-3-months-iv"
DUE = date(2025, 9, 1)  # a Monday


# --------------------------------------------------------------------------- next due


@pytest.mark.parametrize(
    ("key", "given_on", "due"),
    [
        # PROLIA PI 2.1: every 6 months, counted from the date actually given.
        (DENOSUMAB, date(2025, 8, 31), date(2026, 2, 28)),
        (DENOSUMAB, date(2023, 8, 31), date(2024, 2, 29)),
        (DENOSUMAB, date(2025, 3, 10), date(2025, 9, 10)),
        # CCO/ASCO 2017: adjuvant zoledronic acid 4 mg every 6 months.
        (ZOMETA, date(2025, 1, 15), date(2025, 7, 15)),
        # RECLAST PI 2: once a year.
        (RECLAST, date(2024, 2, 29), date(2025, 2, 28)),
        # BONIVA injection PI 2: every 3 months.
        (BONIVA_IV, date(2025, 11, 30), date(2026, 2, 28)),
        (BONIVA_IV, date(2025, 12, 31), date(2026, 3, 31)),
    ],
)
def test_next_due_counts_calendar_months_from_the_given_date(
    key: str, given_on: date, due: date
) -> None:
    assert next_due(key, given_on) == due


def test_only_clinic_products_have_a_next_due() -> None:
    with pytest.raises(ValueError, match="not given at a clinic"):
        next_due("alendronate-70-weekly-tablet", DUE)
    with pytest.raises(UnknownProduct):
        next_due("no-such-product", DUE)


def test_every_clinic_product_names_the_source_of_its_interval() -> None:
    assert set(INTERVAL_SOURCES) == set(CLINIC_BONE_PRODUCTS)
    # ZOMETA's label has no 6-monthly schedule: the interval is the guideline's.
    assert "Clinical Practice Guideline" in INTERVAL_SOURCES[ZOMETA].document


# --------------------------------------------------------------------------- reminders


def test_denosumab_reminder_plan() -> None:
    plan = reminder_dates(DENOSUMAB, DUE)
    assert [(r.kind, r.on) for r in plan] == [
        (ReminderKind.BOOK_AHEAD, DUE - timedelta(days=28)),
        (ReminderKind.DAY_BEFORE, date(2025, 8, 31)),
        (ReminderKind.ON_THE_DAY, DUE),
        (ReminderKind.ASK_GIVEN, date(2025, 9, 2)),
    ]
    assert BOOK_AHEAD_DAYS == 28


def test_denosumab_book_ahead_says_every_6_months_and_do_not_stop() -> None:
    # PROLIA Medication Guide and PI 5: do not stop or delay; multiple spine fractures.
    book = reminder_dates(DENOSUMAB, DUE)[0]
    assert "due on Monday 1 September" in book.message
    assert "It is given every 6 months." in book.message
    assert "Do not stop, skip or delay your Prolia injections" in book.message
    assert "several broken bones in the spine" in book.message
    assert STOPPING_SOURCE in book.sources
    assert INTERVAL_SOURCES[DENOSUMAB] in book.sources


@pytest.mark.parametrize("key", [ZOMETA, RECLAST, BONIVA_IV])
def test_intravenous_bisphosphonates_add_a_post_infusion_check(key: str) -> None:
    plan = reminder_dates(key, DUE)
    kinds = [r.kind for r in plan]
    assert kinds[-1] is ReminderKind.POST_INFUSION_CHECK
    assert plan[-1].on == DUE + timedelta(days=2)
    assert [r.on for r in plan] == sorted(r.on for r in plan)


def test_reclast_day_before_and_on_the_day_carry_the_fluids_advice() -> None:
    # RECLAST Patient Information: at least 2 glasses of fluid before the infusion.
    plan = {r.kind: r for r in reminder_dates(RECLAST, DUE)}
    for kind in (ReminderKind.DAY_BEFORE, ReminderKind.ON_THE_DAY):
        assert "drink at least 2 glasses of fluid" in plan[kind].message
        assert plan[kind].sources[0].document.startswith("RECLAST")
    assert "once a year" in plan[ReminderKind.BOOK_AHEAD].message


def test_zometa_day_before_carries_its_hydration_advice() -> None:
    # ZOMETA PI 5.2: patients should be adequately hydrated.
    day_before = next(r for r in reminder_dates(ZOMETA, DUE) if r.kind is ReminderKind.DAY_BEFORE)
    assert "well hydrated" in day_before.message
    assert day_before.sources[0].document.startswith("ZOMETA")


# Each dose's own reminders (the day before, on the day): the label's lines, one short line
# each, with the section each comes from.
BEFORE_EACH_DOSE = {
    ZOMETA: [
        ("well hydrated", "ZOMETA", "5.2 Hydration"),
        ("kidneys with a blood test before each dose", "ZOMETA", "5.3 Renal"),
    ],
    RECLAST: [
        ("at least 2 glasses of fluid", "RECLAST", "How will I receive"),
        ("kidneys with a blood test before each dose", "RECLAST", "5.3 Renal"),
    ],
    BONIVA_IV: [("kidneys with a blood test before each dose", "BONIVA", "2 Dosage")],
    DENOSUMAB: [
        ("check your blood calcium before each injection", "PROLIA", "5.1 Severe Hypocalcemia"),
        ("Severe kidney disease or dialysis?", "PROLIA", "Boxed Warning: Severe Hypocalcemia"),
    ],
}


@pytest.mark.parametrize("key", sorted(BEFORE_EACH_DOSE))
def test_each_dose_reminder_carries_its_label_lines_short(key: str) -> None:
    plan = {r.kind: r for r in reminder_dates(key, DUE)}
    for kind in (ReminderKind.DAY_BEFORE, ReminderKind.ON_THE_DAY):
        reminder = plan[kind]
        lines = reminder.message.split("\n")
        assert len(lines) == 1 + len(BEFORE_EACH_DOSE[key]) <= 4
        for line, (phrase, _, _) in zip(lines[1:], BEFORE_EACH_DOSE[key], strict=True):
            assert line.startswith("\u2022 ")
            assert phrase in line
            assert len(line) <= 130
        assert len(reminder.sources) == len(BEFORE_EACH_DOSE[key])
        for source, (_, document, section) in zip(
            reminder.sources, BEFORE_EACH_DOSE[key], strict=True
        ):
            assert source.document.startswith(document)
            assert source.section.startswith(section)


def test_post_infusion_check_describes_the_acute_phase_reaction() -> None:
    # RECLAST Patient Information: fever, flu-like symptoms, aches in the first 3 days.
    check = post_dose_check(RECLAST, date(2025, 9, 3))
    assert check is not None
    assert check.on == date(2025, 9, 5)  # from the date actually given
    assert "flu-like symptoms" in check.message
    assert "first 3 days" in check.message
    assert check.message.endswith(
        "Contact your care team if the symptoms are bad or do not settle."
    )
    assert check.sources


def test_denosumab_has_no_post_infusion_check() -> None:
    assert post_dose_check(DENOSUMAB, DUE) is None


def test_ask_given_asks_for_the_real_date() -> None:
    ask = next(r for r in reminder_dates(DENOSUMAB, DUE) if r.kind is ReminderKind.ASK_GIVEN)
    assert "Was your denosumab 60 mg (Prolia) given?" in ask.message
    assert "date it was given" in ask.message


@pytest.mark.parametrize("key", CLINIC_BONE_PRODUCTS)
def test_every_reminder_has_a_message_and_every_advice_a_source(key: str) -> None:
    for reminder in reminder_dates(key, DUE):
        assert reminder.message
        if reminder.kind in (ReminderKind.BOOK_AHEAD, ReminderKind.POST_INFUSION_CHECK):
            assert reminder.sources


# --------------------------------------------------------------------------- overdue


@pytest.mark.parametrize("today", [DUE - timedelta(days=3), DUE])
def test_not_overdue_until_the_day_after(today: date) -> None:
    state = overdue_actions(DENOSUMAB, DUE, today)
    assert state.days_overdue == 0
    assert not state.remind_today
    assert not state.alert_care_team
    assert state.message is None


# Project decision: every 3 days, daily from 14 days late; care team alerted from day 7.
@pytest.mark.parametrize(
    ("days", "remind", "alert"),
    [
        (1, True, False),
        (2, False, False),
        (3, False, False),
        (4, True, False),
        (6, False, False),
        (7, True, True),
        (8, False, True),  # the alert is a level: still on after the alert day
        (10, True, True),
        (12, False, True),
        (13, True, True),
        (14, True, True),
        (15, True, True),
        (16, True, True),
        (60, True, True),
    ],
)
def test_denosumab_escalation(days: int, remind: bool, alert: bool) -> None:
    state = overdue_actions(DENOSUMAB, DUE, DUE + timedelta(days=days))
    assert state.days_overdue == days
    assert state.remind_today is remind
    assert state.alert_care_team is alert
    assert (state.message is not None) is remind
    assert (state.alert_message is not None) is alert


def test_denosumab_overdue_message_and_alert() -> None:
    state = overdue_actions(DENOSUMAB, DUE, DUE + timedelta(days=7))
    assert state.message is not None
    assert state.message.startswith(
        "Your denosumab 60 mg (Prolia) was due on Monday 1 September, 7 days ago."
    )
    assert "Do not stop, skip or delay" in state.message
    # PROLIA PI 2.1: the label's own missed-dose rule. A heading and one short line per
    # label point.
    assert (
        "contact your care team to get it as soon as possible, then every 6 months from the "
        "date it is given." in state.message
    )
    lines = state.message.splitlines()
    assert len(lines) == 4
    assert all(line.startswith("\u2022 ") for line in lines[1:])
    assert state.alert_message == (
        "The denosumab 60 mg (Prolia) due on Monday 1 September is 7 days overdue and has "
        "not been recorded as given."
    )
    assert STOPPING_SOURCE in state.sources


def test_one_day_overdue_is_singular() -> None:
    state = overdue_actions(DENOSUMAB, DUE, DUE + timedelta(days=1))
    assert state.message is not None
    assert ", 1 day ago." in state.message


@pytest.mark.parametrize("key", [ZOMETA, RECLAST, BONIVA_IV])
@pytest.mark.parametrize(
    ("days", "remind"), [(1, True), (2, False), (7, False), (8, True), (15, True), (364, False)]
)
def test_bisphosphonates_get_weekly_gentle_reminders_and_no_alert(
    key: str, days: int, remind: bool
) -> None:
    state = overdue_actions(key, DUE, DUE + timedelta(days=days))
    assert state.remind_today is remind
    assert not state.alert_care_team
    assert state.alert_message is None
    if remind:
        assert state.message is not None
        assert "Do not stop" not in state.message


def test_policies() -> None:
    assert escalation_policy(DENOSUMAB) == DENOSUMAB_POLICY
    assert (DENOSUMAB_POLICY.remind_every_days, DENOSUMAB_POLICY.alert_from_day) == (3, 7)
    assert escalation_policy(RECLAST) == GENTLE_POLICY
    assert GENTLE_POLICY.alert_from_day is None


# --------------------------------------------------------------------------- stopping


def test_stopping_denosumab_warns_of_the_rebound_and_suggests_a_follow_on_plan() -> None:
    [(risk, risk_source), (plan, plan_source)] = stopping_warning(DENOSUMAB)
    assert "several broken bones in the spine" in risk
    assert risk_source.document.startswith("PROLIA")
    assert "plan for after Prolia" in plan
    assert plan_source == STOPPING_SOURCE


@pytest.mark.parametrize("key", [ZOMETA, RECLAST, BONIVA_IV, "alendronate-70-weekly-tablet"])
def test_stopping_a_bisphosphonate_carries_no_rebound_warning(key: str) -> None:
    assert stopping_warning(key) == ()
    assert not stops_rebound_agent(key, None)


@pytest.mark.parametrize(
    ("stored", "new", "stops"),
    [
        (DENOSUMAB, None, True),  # stopped
        (DENOSUMAB, ZOMETA, True),  # switched
        (DENOSUMAB, DENOSUMAB, False),  # kept
        (None, DENOSUMAB, False),  # started
        (ZOMETA, DENOSUMAB, False),
    ],
)
def test_stops_rebound_agent(stored: str | None, new: str | None, stops: bool) -> None:
    assert stops_rebound_agent(stored, new) is stops
