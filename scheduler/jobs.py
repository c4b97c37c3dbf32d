"""Persistent job functions: module-level, primitive ids only, rows reloaded on firing."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from bot.db.database import retrying
from bot.domain.catalog import after_window_message
from bot.ports import JobKind
from bot.services import care_alerts, care_summary, checkins, dose_answers, doses
from bot.services.bone.care_prompts import (
    DentalRun,
    ExerciseRun,
    dental_reminded,
    dental_run,
    exercise_run,
)
from bot.services.bone.clinic_agents import AgentRun, StepKind, agent_reminded, agent_run
from bot.services.bone.dxa import DxaRun, DxaStep, dxa_reminded, dxa_run
from bot.services.bone.pill_counts import RefillRun, refill_checked, refill_run
from bot.services.bone.reviews import ReviewRun, review_run, review_sent
from bot.services.context import Services
from scheduler import runtime
from scheduler.delivery import Delivery, Outcome
from scheduler.dose_batches import send_and_record
from ui import texts
from ui.keyboards.bone import (
    agent_given_buttons,
    dental_done_button,
    recount_button,
    scan_setup_buttons,
)
from ui.keyboards.care import alert_buttons
from ui.keyboards.doses import checkin_start_button, recheck_buttons
from ui.keyboards.schedules import goes_on_button

log = logging.getLogger(__name__)

RETRY_DELAY = timedelta(minutes=1)

JobBody = Callable[[int], Awaitable[None]]
Run = TypeVar("Run")  # what a timed reminder's service loads for one run


def _in_job_slot(body: JobBody) -> JobBody:
    """Run a job in one of the job slots, where shutdown can find and cancel it, and run
    it again if the database connection was lost (a job reloads its rows when it runs).

    The wrapper keeps the job's name, so the job store's reference
    (`scheduler.jobs:run_dose_job`) still names it.
    """

    @functools.wraps(body)
    async def run(row_id: int) -> None:
        async with runtime.job_slots():
            await retrying(lambda: body(row_id), f"job {body.__name__}")

    return run


async def _deliver(
    services: Services,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    to_patient: bool = True,
) -> Delivery:
    """Send through the paced courier; a patient who blocked the bot is paused."""
    delivery = await runtime.courier().deliver(chat_id, text, markup)
    if delivery.outcome is Outcome.UNREACHABLE and to_patient:
        await _pause(services, chat_id)
    return delivery


def _retry_soon(services: Services, kind: JobKind, row_id: int) -> None:
    """Telegram or the network asked us to wait: run this job again in a minute."""
    services.planner.plan(kind, row_id, services.clock() + RETRY_DELAY)


def _plan_next(services: Services, kind: JobKind, row_id: int, next_at: datetime | None) -> None:
    """Plan a row's next run of this kind, or forget the kind for the row (None)."""
    if next_at is None:
        services.planner.cancel(kind, row_id)
    else:
        services.planner.plan(kind, row_id, next_at)


async def _pause(services: Services, chat_id: int) -> None:
    async with services.sessions() as session:
        await doses.mark_unreachable(session, chat_id, services.clock())


@dataclass(frozen=True)
class Prompt:
    """One message a timed reminder sends."""

    chat_id: int
    text: str
    markup: InlineKeyboardMarkup | None = None


async def _timed_prompt(
    kind: JobKind,
    row_id: int,
    *,
    load: Callable[[AsyncSession, datetime], Awaitable[Run | None]],
    compose: Callable[[Run], Prompt | None],
    record: Callable[[AsyncSession, Run, datetime], Awaitable[datetime | None]],
) -> None:
    """The life of every timed reminder: load what is due (None: the row is gone, so
    forget the job), send its message if there is one (wait and retry if Telegram asks),
    record it and plan the next run (None: there is none)."""
    services = runtime.current()
    async with services.sessions() as session:
        run = await load(session, services.clock())
    if run is None:
        services.planner.cancel(kind, row_id)
        return
    prompt = compose(run)
    if prompt is not None:
        delivery = await _deliver(services, prompt.chat_id, prompt.text, prompt.markup)
        if delivery.outcome is Outcome.DEFERRED:
            _retry_soon(services, kind, row_id)
            return
        if delivery.outcome is Outcome.SENT:
            log.info("%s reminder %s sent", kind, row_id)
    async with services.sessions() as session:
        next_at = await record(session, run, services.clock())
    _plan_next(services, kind, row_id, next_at)


async def run_dose_job(medication_id: int) -> None:
    """Send every due reminder of a medication, then plan its next one.

    Dose jobs firing together are opened and sent as one batch (`dose_batches`); this job
    waits for its medication's part without holding a job slot (the batch holds one).
    """
    async with runtime.tracked():
        await runtime.dose_batcher().run(medication_id)


async def _send_one(
    kind: JobKind,
    event_id: int,
    load: Callable[[AsyncSession, int, datetime], Awaitable[doses.Reminder | None]],
) -> None:
    """One reminder of the dose path outside a batch: load it (None: nothing to send),
    send and record it, try again soon if Telegram asks, pause a patient who left."""
    services = runtime.current()
    async with services.sessions() as session:
        dose = await load(session, event_id, services.clock())
    if dose is None:
        return
    outcome = await send_and_record(services, [dose])
    if outcome.deferred:
        _retry_soon(services, kind, event_id)
    elif outcome.unreachable_chat is not None:
        await _pause(services, dose.chat_id)


@_in_job_slot
async def run_snooze_job(dose_event_id: int) -> None:
    """Send a snoozed reminder again, if the dose is still unanswered."""
    await _send_one(JobKind.SNOOZE, dose_event_id, doses.snoozed_reminder)


@_in_job_slot
async def run_makeup_job(missed_event_id: int) -> None:
    """Remind of the make-up dose of a missed one (the label's "the morning after")."""
    await _send_one(JobKind.MAKEUP, missed_event_id, doses.open_make_up)


@_in_job_slot
async def run_recheck_job(dose_event_id: int) -> None:
    """Ask once about a dose still unconfirmed a while after its reminder."""
    services = runtime.current()
    async with services.sessions() as session:
        dose = await doses.recheck_reminder(session, dose_event_id, services.clock())
    if dose is None:
        return
    delivery = await _deliver(
        services, dose.chat_id, texts.recheck_question(dose), recheck_buttons(dose.event_id)
    )
    if delivery.outcome is Outcome.DEFERRED:
        _retry_soon(services, JobKind.RECHECK, dose_event_id)
        return
    async with services.sessions() as session:
        await doses.mark_rechecked(session, dose_event_id, services.clock())


@_in_job_slot
async def run_window_job(dose_event_id: int) -> None:
    """Tell the patient that the bisphosphonate's wait is over: breakfast, medicines, rest."""
    services = runtime.current()
    async with services.sessions() as session:
        dose = await doses.window_notice(session, dose_event_id)
    message = None if dose is None else after_window_message(dose.product)
    if dose is None or message is None:
        return
    delivery = await _deliver(services, dose.chat_id, message)
    if delivery.outcome is Outcome.DEFERRED:
        _retry_soon(services, JobKind.WINDOW, dose_event_id)
        return
    async with services.sessions() as session:
        await doses.mark_window_notice_sent(session, dose_event_id, services.clock())


@_in_job_slot
async def run_checkin_job(patient_id: int) -> None:
    """Prompt the weekly check-in, then plan next week's prompt (local time, DST-correct)."""

    def compose(prompt: checkins.CheckinPrompt) -> Prompt | None:
        if not prompt.reachable:
            return None
        return Prompt(prompt.chat_id, texts.CHECKIN_PROMPT, checkin_start_button())

    async def record(
        _: AsyncSession, prompt: checkins.CheckinPrompt, now: datetime
    ) -> datetime | None:
        return prompt.next_at

    await _timed_prompt(
        JobKind.CHECKIN,
        patient_id,
        load=lambda session, now: checkins.checkin_prompt(session, patient_id, now),
        compose=compose,
        record=record,
    )


@_in_job_slot
async def run_agent_job(plan_id: int) -> None:
    """Send a clinic agent's reminder of the day, alert the circle when overdue; plan next."""

    async def load(session: AsyncSession, now: datetime) -> AgentRun | None:
        run = await agent_run(session, plan_id, now)
        if run is not None:
            care_alerts.dispatch(runtime.current().planner, run.alert_ids, now)
        return run

    def compose(run: AgentRun) -> Prompt | None:
        if run.step is None or not run.reachable:
            return None
        due_on = run.step.due_on
        markup = agent_given_buttons(plan_id, due_on) if run.step.asks_given and due_on else None
        if run.step.kind is StepKind.COURSE_REVIEW:
            markup = goes_on_button(plan_id)
        return Prompt(run.chat_id, texts.agent_reminder(run.step.message), markup)

    await _timed_prompt(
        JobKind.AGENT,
        plan_id,
        load=load,
        compose=compose,
        record=lambda session, run, now: agent_reminded(session, plan_id, run.day, run.step, now),
    )


@_in_job_slot
async def run_dxa_job(profile_id: int) -> None:
    """Send the day's bone density scan reminder, if any; plan the next one."""

    def compose(run: DxaRun) -> Prompt | None:
        if run.step is None or not run.reachable:
            return None
        text = texts.dxa_reminder(run.step, run.view)
        if run.step is DxaStep.BASELINE:  # the set-up buttons: a scan done, or booked
            return Prompt(run.chat_id, text, scan_setup_buttons(profile_id))
        return Prompt(run.chat_id, text)

    await _timed_prompt(
        JobKind.DXA,
        profile_id,
        load=lambda session, now: dxa_run(session, profile_id, now),
        compose=compose,
        record=lambda session, run, now: dxa_reminded(session, profile_id, run.day, run.step, now),
    )


@_in_job_slot
async def run_review_job(review_id: int) -> None:
    """Send a long treatment's review reminder when it is due; plan the next one."""

    def compose(run: ReviewRun) -> Prompt | None:
        if run.message is None or not run.reachable:
            return None
        return Prompt(run.chat_id, texts.review_reminder(run.message))

    await _timed_prompt(
        JobKind.REVIEW,
        review_id,
        load=lambda session, now: review_run(session, review_id, now),
        compose=compose,
        record=lambda session, run, now: review_sent(session, review_id, run, now),
    )


@_in_job_slot
async def run_dental_job(prompts_id: int) -> None:
    """Send a due dental check-up reminder (with its reason); plan the next one."""

    def compose(run: DentalRun) -> Prompt | None:
        if run.message is None or not run.reachable:
            return None
        text = texts.dental_reminder(run.message)
        return Prompt(run.chat_id, text, dental_done_button(prompts_id))

    await _timed_prompt(
        JobKind.DENTAL,
        prompts_id,
        load=lambda session, now: dental_run(session, prompts_id, now),
        compose=compose,
        record=lambda session, run, now: dental_reminded(session, prompts_id, run.day, now),
    )


@_in_job_slot
async def run_exercise_job(prompts_id: int) -> None:
    """Send the weekly exercise nudge, then plan next week's."""

    def compose(run: ExerciseRun) -> Prompt | None:
        return Prompt(run.chat_id, texts.exercise_prompt(run.message)) if run.reachable else None

    async def record(_: AsyncSession, run: ExerciseRun, now: datetime) -> datetime | None:
        return run.next_at

    await _timed_prompt(
        JobKind.EXERCISE,
        prompts_id,
        load=lambda session, now: exercise_run(session, prompts_id, now),
        compose=compose,
        record=record,
    )


@_in_job_slot
async def run_refill_job(count_id: int) -> None:
    """Remind once to ask for a refill when a counted medicine runs low; else check later."""

    def compose(run: RefillRun) -> Prompt | None:
        if not run.due or not run.reachable:
            return None
        text = texts.refill_reminder(run.product, run.supply)
        return Prompt(run.chat_id, text, recount_button(run.medication_id))

    planner = runtime.current().planner
    await _timed_prompt(
        JobKind.REFILL,
        count_id,
        load=lambda session, now: refill_run(session, count_id, now),
        compose=compose,
        record=lambda session, run, now: refill_checked(session, planner, count_id, run.due, now),
    )


async def run_supplement_job(prompt_id: int) -> None:
    """Retired (revision 0011): a calcium reminder's job stored by an earlier version.

    Its prompt is a medication now: hand that to the dose batcher like any dose job. (Start-up
    deletes these jobs and plans `dose:` jobs instead; this keeps one read before that safe.)
    """
    async with runtime.tracked():
        services = runtime.current()
        async with services.sessions() as session:
            medication_id = await dose_answers.legacy_supplement_medication(session, prompt_id)
    if medication_id is None:
        log.info("retired supplement job %s names no reminder: nothing to do", prompt_id)
        return
    await run_dose_job(medication_id)


async def run_supplement_snooze_job(event_id: int) -> None:
    """Retired (revision 0011): a calcium reminder's Later stored by an earlier version.

    Its day is a dose event now: send it again as any snoozed reminder is.
    """
    async with runtime.tracked():
        services = runtime.current()
        async with services.sessions() as session:
            dose_event_id = await dose_answers.legacy_supplement_event(session, event_id)
    if dose_event_id is None:
        log.info("retired supplement snooze %s names no reminder: nothing to do", event_id)
        return
    await run_snooze_job(dose_event_id)


@_in_job_slot
async def run_missed_check_job(dose_event_id: int) -> None:
    """Alert linked caregivers about a dose still unconfirmed after the patient's delay."""
    services = runtime.current()
    async with services.sessions() as session:
        alert_ids = await care_alerts.add_missed_dose_alerts(
            session, dose_event_id, services.clock()
        )
    for alert_id in alert_ids:
        await _deliver_alert(alert_id)


@_in_job_slot
async def run_alert_job(alert_id: int) -> None:
    """Deliver one alert to a linked caregiver or clinician."""
    await _deliver_alert(alert_id)


async def _deliver_alert(alert_id: int) -> None:
    """Deliver one alert to a linked person, unless it no longer applies or must wait."""
    services = runtime.current()
    async with services.sessions() as session:
        outgoing = await care_alerts.alert_to_send(session, alert_id, services.clock())
    if isinstance(outgoing, care_alerts.Deferred):
        services.planner.plan(JobKind.ALERT, alert_id, outgoing.until)
        return
    message_id: int | None = None
    sent_at = services.clock()
    if outgoing is not None:
        markup = alert_buttons(alert_id, outgoing.kind, outgoing.role)
        text = texts.care_alert(outgoing)
        delivery = await _deliver(services, outgoing.chat_id, text, markup, to_patient=False)
        if delivery.outcome is Outcome.DEFERRED:
            _retry_soon(services, JobKind.ALERT, alert_id)
            return
        message_id = delivery.message_id
        sent_at = services.clock()
        log.info("alert %s %s", alert_id, delivery.outcome.value)
        if delivery.outcome is Outcome.SENT:
            care_alerts.plan_escalation(services.planner, outgoing, sent_at)
        if delivery.outcome is Outcome.SENT and outgoing.replaces_message_id is not None:
            # One message stands for a run of misses: yesterday's goes once today's is there.
            await runtime.courier().withdraw(outgoing.chat_id, outgoing.replaces_message_id)
    async with services.sessions() as session:
        await care_alerts.mark_alert_sent(session, alert_id, message_id, sent_at)


@_in_job_slot
async def run_escalate_job(alert_id: int) -> None:
    """An urgent alert nobody acknowledged: to the other clinicians, and tell the patient."""
    services = runtime.current()
    async with services.sessions() as session:
        escalation = await care_alerts.escalate(session, alert_id, services.clock())
    if escalation is None:
        return
    for passed_on in escalation.alert_ids:
        await _deliver_alert(passed_on)
    text = texts.escalated_to_patient(escalation.clinician_names)
    await _deliver(services, escalation.patient_chat_id, text)


@_in_job_slot
async def run_summary_job(patient_id: int) -> None:
    """Send the weekly adherence summary to each caregiver who gets it; plan next week."""
    services = runtime.current()
    async with services.sessions() as session:
        summaries = await care_summary.weekly_summaries(session, patient_id, services.clock())
    for summary in summaries:
        text = texts.weekly_summary(summary)
        delivery = await _deliver(services, summary.chat_id, text, to_patient=False)
        if delivery.outcome is Outcome.DEFERRED:
            _retry_soon(services, JobKind.SUMMARY, patient_id)
            return
        if delivery.outcome is not Outcome.SENT:
            log.info("weekly summary for patient %s not delivered", patient_id)
    async with services.sessions() as session:
        await care_summary.plan_weekly_summary(
            session, services.planner, patient_id, services.clock()
        )
