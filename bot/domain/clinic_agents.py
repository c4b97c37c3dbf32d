"""Clinic-given bone agents: when the next dose is due, reminders around it, overdue steps.

Pure domain: no Telegram, no database, no I/O. Intervals come from the catalogue
(``Product.interval_months``) and advice from its label-sourced ``AdviceItem`` entries, so
each clinical sentence here names the label or guideline it follows.

Next doses are counted from the date a dose was actually given, in calendar months, moving
to the month's last day when it is shorter (given 31 August, due in 6 months: 28 or 29
February). PROLIA PI 2.1 and the BONIVA injection PI say a late dose is followed by the next
one an interval after *that* date. # not verified against stored label text
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.domain.bone_health import add_months
from bot.domain.catalog import AdviceTopic, DrugClass, LabelSource, Product, get_product

# Where each clinic product's interval comes from. ZOMETA's label has no every-6-months
# schedule: adjuvant zoledronic acid "4 mg intravenously every 6 months" is from the Cancer
# Care Ontario / ASCO guideline (verified against a stored copy of its abstract).
_ASCO_CCO_2017 = (
    "Dhesy-Thind S, et al. Use of Adjuvant Bisphosphonates and Other Bone-Modifying Agents in "
    "Breast Cancer: a Cancer Care Ontario and ASCO Clinical Practice Guideline. "
    "J Clin Oncol 2017;35:2062-81"
)
INTERVAL_SOURCES: dict[str, LabelSource] = {
    "zoledronic-acid-4-every-6-months-iv": LabelSource(_ASCO_CCO_2017, "Recommendations"),
    # RECLAST PI 2: once a year. # not verified against stored label text
    "zoledronic-acid-5-yearly-iv": LabelSource(
        "RECLAST (zoledronic acid) injection, US Prescribing Information",
        "2 Dosage and Administration",
    ),
    # PROLIA PI 2.1: 60 mg every 6 months (stored dosage pages agree).
    # not verified against stored label text
    "denosumab-60-every-6-months-sc": LabelSource(
        "PROLIA (denosumab) injection, US Prescribing Information", "2.1 Recommended Dosage"
    ),
    # BONIVA injection PI 2: 3 mg every 3 months. # not verified against stored label text
    "ibandronate-3-every-3-months-iv": LabelSource(
        "BONIVA (ibandronate sodium) injection, US Prescribing Information",
        "2 Dosage and Administration",
    ),
}

_PROLIA_PI = "PROLIA (denosumab) injection, US Prescribing Information"
_PROLIA_MG = "PROLIA (denosumab) injection, Medication Guide"
# PROLIA PI 5 "Multiple Vertebral Fractures (MVF) Following Discontinuation of Prolia
# Treatment". # not verified against stored label text (the stored MHRA Drug Safety Update
# and TGA safety alert say the same: multiple spine fractures after stopping or delaying,
# new ones as early as 7 months after the last dose).
STOPPING_SOURCE = LabelSource(
    _PROLIA_PI,
    "5 Warnings and Precautions: Multiple Vertebral Fractures Following Discontinuation",
)


def stopping_warning(product_key: str) -> tuple[tuple[str, LabelSource], ...]:
    """Return what to say before a patient stops or switches away from this medicine: the
    label's rebound warning and its follow-on plan (denosumab), or nothing."""
    product = get_product(product_key)
    rebound = [item for item in product.advice if item.topic == AdviceTopic.DO_NOT_STOP]
    after = [item for item in product.advice if item.topic == AdviceTopic.AFTER_STOPPING]
    if not after:
        return ()
    # The risk sentence (the last do-not-stop line: several broken bones in the spine), then
    # the plan with the care team.
    return tuple((item.text, item.source) for item in (*rebound[-1:], *after))


def stops_rebound_agent(stored_key: str | None, new_key: str | None) -> bool:
    """Tell whether a regimen change stops (or switches away from) a medicine whose label
    warns about stopping it: denosumab's multiple spine fractures."""
    return stored_key is not None and stored_key != new_key and bool(stopping_warning(stored_key))


def _clinic_product(product_key: str) -> Product:
    """Return the catalogue entry, refusing products taken at home."""
    product = get_product(product_key)  # raises UnknownProduct
    if not product.is_clinic_given or product.interval_months is None:
        raise ValueError(f"{product_key!r} is not given at a clinic")
    return product


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _day_label(value: date) -> str:
    """Format a date like 'Monday 3 March' (same as texts.day_label)."""
    return f"{_WEEKDAYS[value.weekday()]} {value.day} {value.strftime('%B')}"


def _every(months: int) -> str:
    """Return 'once a year', 'once every 2 years' or 'every 6 months'."""
    if months == 12:
        return "once a year"
    if months % 12 == 0:
        return f"once every {months // 12} years"
    return f"every {months} months"


def _days(count: int) -> str:
    """Return '1 day' or '9 days'."""
    return f"{count} day" if count == 1 else f"{count} days"


# --------------------------------------------------------------------------- schedules

# The intervals a care team may set, in months (the catalogue's own first). The bot records
# the care team's plan; it never chooses one. Zoledronic acid 4 mg: every 6 months is the
# ASCO/CCO guideline's adjuvant schedule (INTERVAL_SOURCES); every 3 months is a trial
# schedule (Leal T, et al. Clin Breast Cancer 2010;10:471-6: "ZA 4 mg IV every 3 months",
# stored abstract, verified); every 12 months is the "as the care team sets".
# not verified against stored label text (12 months)
# RECLAST 5 mg: once a year to treat osteoporosis, once every 2 years to prevent it
# (RECLAST PI 2.2 and 2.3; the stored label lists both indications, 1.1 and 1.2).
# not verified against stored label text (the every-2-years dosage)
INTERVAL_CHOICES: dict[str, tuple[int, ...]] = {
    "zoledronic-acid-4-every-6-months-iv": (6, 3, 12),
    "zoledronic-acid-5-yearly-iv": (12, 24),
}
CARE_TEAM_INTERVAL_SOURCE = LabelSource(
    "The care team's plan, as the patient records it", "Interval between doses"
)


def interval_choices(product_key: str) -> tuple[int, ...]:
    """Return the intervals (months) a care team may set for a product, its own first."""
    product = _clinic_product(product_key)
    assert product.interval_months is not None  # checked by _clinic_product
    return INTERVAL_CHOICES.get(product_key, (product.interval_months,))


def interval_of(product_key: str, chosen: int | None) -> int:
    """Return the interval in force: the care team's when it is one of the choices."""
    choices = interval_choices(product_key)
    return chosen if chosen in choices else choices[0]


def next_due(product_key: str, last_given_on: date, interval_months: int | None = None) -> date:
    """Return the next due date, counted from the date the last dose was actually given,
    at the care team's interval when one is set (`interval_months`)."""
    return add_months(last_given_on, interval_of(product_key, interval_months))


# A course of a bisphosphonate given at the clinic may be planned to end (for example 3
# years of adjuvant zoledronic acid, as in ABCSG-12's 3 years, or the labels' "consider
# drug discontinuation after 3 to 5 years of use": ZOLEDRONIC ACID and IBANDRONATE
# injection labels 1.x Limitations of Use, stored openFDA records, verified). Denosumab has
# no planned end here: stopping it needs a follow-on plan (PROLIA PI 5).
COURSE_YEARS = (2, 3, 5)
REVIEW_SOURCE = LabelSource(
    "Zoledronic acid injection (RECLAST) and ibandronate injection (BONIVA), US "
    "Prescribing Information",
    "1 Indications and Usage: Limitations of Use (consider discontinuation after 3 to 5 years)",
)


def has_course_end(product_key: str) -> bool:
    """Tell whether a planned course end applies (bisphosphonates given at the clinic)."""
    return _clinic_product(product_key).drug_class is DrugClass.IV_BISPHOSPHONATE


def course_ends_on(started_on: date, years: int) -> date:
    """Return the planned end of a course that started on a date."""
    if years not in COURSE_YEARS:
        raise ValueError(f"a course of {years} years is not one of {COURSE_YEARS}")
    return add_months(started_on, 12 * years)


def course_review(product_key: str, ends_on: date, years: int) -> ClinicReminder:
    """The message when a planned course ends: ask the care team whether it goes on."""
    product = _clinic_product(product_key)
    text = (
        f"Your planned {years}-year course of {product.name} ends about now "
        f"({_day_label(ends_on)}), so I have not planned another dose. Please ask your care "
        "team whether it goes on. If it does, tap It goes on, and I'll keep reminding you."
    )
    return ClinicReminder(ReminderKind.COURSE_REVIEW, ends_on, text, (REVIEW_SOURCE,))


def agent_advice(product_key: str, topic: AdviceTopic) -> tuple[tuple[str, LabelSource], ...]:
    """Return the catalogue's label advice for one clinic product on one topic."""
    product = _clinic_product(product_key)
    return tuple((item.text, item.source) for item in product.advice if item.topic == topic)


# --------------------------------------------------------------------------- reminders


class ReminderKind(StrEnum):
    """Which reminder around a clinic dose (stored: never rename)."""

    BOOK_AHEAD = "book_ahead"
    DAY_BEFORE = "day_before"
    ON_THE_DAY = "on_the_day"
    ASK_GIVEN = "ask_given"
    POST_INFUSION_CHECK = "post_infusion_check"
    COURSE_REVIEW = "course_review"  # a planned course has ended: ask whether it goes on


BOOK_AHEAD_DAYS = 28  # clinics often book a few weeks out; a project choice, not a label rule
# Acute-phase reaction (fever, flu-like symptoms, aches) "within the first 3 days" after
# zoledronic acid (RECLAST Patient Information, ZOMETA PI 6.1) and after ibandronate injection
# (BONIVA injection PI 6), per the catalogue's AFTER_DOSE advice. Ask on day 2, inside that
# span. # not verified against stored label text
POST_INFUSION_CHECK_DAYS = 2


@dataclass(frozen=True)
class ClinicReminder:
    """One reminder: the patient's local date to send it and the plain message."""

    kind: ReminderKind
    on: date
    message: str
    sources: tuple[LabelSource, ...] = ()


def _with_advice(
    lead: str, advice: tuple[tuple[str, LabelSource], ...]
) -> tuple[str, tuple[LabelSource, ...]]:
    """Join a lead sentence and label advice lines, collecting their sources."""
    text = " ".join([lead, *(line for line, _ in advice)])
    return text, tuple(dict.fromkeys(source for _, source in advice))


def _do_not_stop(product: Product, lead: str) -> tuple[str, tuple[LabelSource, ...]]:
    """Add the label's do-not-stop warning (denosumab) and its warnings-section source."""
    advice = agent_advice(product.key, AdviceTopic.DO_NOT_STOP)
    text, sources = _with_advice(lead, advice)
    return text, (*sources, STOPPING_SOURCE) if advice else sources


def _book_ahead(product: Product, due_on: date, months: int) -> ClinicReminder:
    """Say the dose is coming up and it is time to book; denosumab adds do-not-delay."""
    lead = (
        f"Your {product.name} is due on {_day_label(due_on)}. If you do not have an "
        f"appointment yet, now is a good time to book one. It is given {_every(months)}."
    )
    text, sources = _do_not_stop(product, lead)
    interval_source = (
        INTERVAL_SOURCES[product.key]
        if months == product.interval_months
        else CARE_TEAM_INTERVAL_SOURCE
    )
    return ClinicReminder(
        ReminderKind.BOOK_AHEAD,
        due_on - timedelta(days=BOOK_AHEAD_DAYS),
        text,
        (interval_source, *sources),
    )


# What each dose's own reminders (the day before and on the day) carry, in this order: the
# label's before-dose advice (fluids before zoledronic acid; the calcium check before
# denosumab), then its kidney line (the blood test before each zoledronic acid or ibandronate
# dose; the Prolia boxed warning for severe kidney disease). One short line each.
BEFORE_DOSE_TOPICS = (AdviceTopic.BEFORE_DOSE, AdviceTopic.KIDNEYS)


def before_dose_advice(product_key: str) -> tuple[tuple[str, LabelSource], ...]:
    """Return the label lines said before each clinic dose, with their sources."""
    return tuple(line for topic in BEFORE_DOSE_TOPICS for line in agent_advice(product_key, topic))


def _before_dose(product: Product, kind: ReminderKind, on: date, lead: str) -> ClinicReminder:
    """Remind of the appointment with the label's before-dose lines, one short line each."""
    advice = before_dose_advice(product.key)
    text = "\n".join([lead, *(f"\u2022 {line}" for line, _ in advice)])
    return ClinicReminder(kind, on, text, tuple(dict.fromkeys(source for _, source in advice)))


def _ask_given(product: Product, due_on: date) -> ClinicReminder:
    """Ask whether the dose was given, so the next due date counts from the real date."""
    text = (
        f"Was your {product.name} given? Please tell me the date it was given, so I "
        "can work out when the next one is due."
    )
    sources = (product.missed_dose.source,) if product.missed_dose is not None else ()
    return ClinicReminder(ReminderKind.ASK_GIVEN, due_on + timedelta(days=1), text, sources)


def post_dose_check(product_key: str, given_on: date) -> ClinicReminder | None:
    """Return the how-are-you check after an infusion, or None for agents without one."""
    product = _clinic_product(product_key)
    advice = agent_advice(product_key, AdviceTopic.AFTER_DOSE)
    if product.drug_class is not DrugClass.IV_BISPHOSPHONATE or not advice:
        return None
    lead = f"How are you feeling after your {product.name}?"
    text, sources = _with_advice(lead, advice)
    text += " Contact your care team if the symptoms are bad or do not settle."
    return ClinicReminder(
        ReminderKind.POST_INFUSION_CHECK,
        given_on + timedelta(days=POST_INFUSION_CHECK_DAYS),
        text,
        sources,
    )


def reminder_dates(
    product_key: str, due_on: date, interval_months: int | None = None
) -> list[ClinicReminder]:
    """Return the reminders around one due date, in date order.

    Planned as if the dose is given on the due date. Once the patient records the real date,
    drop the ones still pending and plan ``post_dose_check(key, given_on)`` and the next
    cycle from ``next_due(key, given_on)``. `interval_months` is the care team's interval,
    when set (the book-ahead message names it).
    """
    product = _clinic_product(product_key)
    name = product.name
    reminders = [
        _book_ahead(product, due_on, interval_of(product_key, interval_months)),
        _before_dose(
            product,
            ReminderKind.DAY_BEFORE,
            due_on - timedelta(days=1),
            f"Reminder: your {name} is due tomorrow, {_day_label(due_on)}.",
        ),
        _before_dose(product, ReminderKind.ON_THE_DAY, due_on, f"Your {name} is due today."),
        _ask_given(product, due_on),
    ]
    check = post_dose_check(product_key, due_on)
    if check is not None:
        reminders.append(check)
    return sorted(reminders, key=lambda reminder: reminder.on)


# --------------------------------------------------------------------------- overdue


@dataclass(frozen=True)
class EscalationPolicy:
    """How often to remind while a dose is overdue, and when to tell the care circle."""

    remind_every_days: int
    daily_from_day: int | None  # remind every day from this many days overdue
    alert_from_day: int | None  # tell caregivers / care team from this many days overdue


# Denosumab: stopping or delaying it raises the risk of multiple spine fractures (PROLIA PI 5;
# MHRA and TGA say "stopping or delaying", new fractures "as early as 7 months after the last
# dose", i.e. about 4 weeks late). Project decision, not label text: remind every 3 days, every
# day from 2 weeks late, and alert the care circle at 7 days late, leaving about three weeks
# to get the injection before that 7-month mark. # not verified against stored label text
DENOSUMAB_POLICY = EscalationPolicy(remind_every_days=3, daily_from_day=14, alert_from_day=7)
# Bisphosphonates stay in bone and carry no rebound warning: a weekly gentle reminder, no
# alert. Project decision; change here if the clinical lead wants an alert.
GENTLE_POLICY = EscalationPolicy(remind_every_days=7, daily_from_day=None, alert_from_day=None)


def escalation_policy(product_key: str) -> EscalationPolicy:
    """Return how hard to chase an overdue dose of this product."""
    product = _clinic_product(product_key)
    if product.drug_class is DrugClass.RANKL_INHIBITOR:
        return DENOSUMAB_POLICY
    return GENTLE_POLICY


@dataclass(frozen=True)
class OverdueState:
    """Where an overdue clinic dose stands today."""

    days_overdue: int  # 0 when not overdue
    remind_today: bool
    # Level, not edge: True every day from the alert day on. Send the alert once and record
    # it, so a day of downtime cannot swallow it.
    alert_care_team: bool
    message: str | None  # to the patient, when remind_today
    alert_message: str | None  # to caregivers / care team, when alert_care_team
    sources: tuple[LabelSource, ...] = ()


def overdue_actions(product_key: str, due_on: date, today: date) -> OverdueState:
    """Return today's step for a dose due on due_on and not yet recorded as given."""
    product = _clinic_product(product_key)
    days = (today - due_on).days
    if days <= 0:
        return OverdueState(0, False, False, None, None)
    policy = escalation_policy(product_key)
    remind = (days - 1) % policy.remind_every_days == 0 or (
        policy.daily_from_day is not None and days >= policy.daily_from_day
    )
    alert = policy.alert_from_day is not None and days >= policy.alert_from_day
    name = product.name
    # The label's own missed-dose rule where it has one (PROLIA PI 2.1: as soon as possible,
    # then every 6 months from the date it is given; BONIVA injection PI 2: likewise, 3 months).
    what_to_do = (
        product.missed_dose.text
        if product.missed_dose is not None
        else "If it has not been given yet, please contact your care team to get it as soon "
        "as you can."
    )
    # A short heading and one line per label point (the do-not-stop lines for denosumab).
    lead = f"Your {name} was due on {_day_label(due_on)}, {_days(days)} ago."
    stop_lines = agent_advice(product.key, AdviceTopic.DO_NOT_STOP)
    text = "\n".join(
        [lead, *(f"\u2022 {line}" for line in (what_to_do, *(t for t, _ in stop_lines)))]
    )
    sources = tuple(dict.fromkeys(source for _, source in stop_lines))
    if stop_lines:
        sources = (*sources, STOPPING_SOURCE)
    if product.missed_dose is not None:
        sources = (*sources, product.missed_dose.source)
    alert_text = (
        f"The {name} due on {_day_label(due_on)} is {_days(days)} overdue and has not been "
        "recorded as given."
    )
    return OverdueState(
        days_overdue=days,
        remind_today=remind,
        alert_care_team=alert,
        message=text if remind else None,
        alert_message=alert_text if alert else None,
        sources=sources,
    )
