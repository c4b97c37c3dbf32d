"""Persistent job functions: module-level, primitive ids only, rows reloaded on firing."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from enum import Enum

from telegram import InlineKeyboardMarkup

from bot.db.models import AlertKind
from bot.domain.catalog import after_window_message
from bot.services import care_alerts, care_summary, checkins, doses
from bot.services.bone.calcium import (
    DueSupplement,
    mark_supplement_sent,
    open_due_supplements,
    snoozed_supplement,
)
from bot.services.bone.care_prompts import dental_reminded, dental_run, exercise_run
from bot.services.bone.clinic_agents import agent_reminded, agent_run
from bot.services.bone.dxa import dxa_reminded, dxa_run
from bot.services.bone.pill_counts import refill_checked, refill_run
from bot.services.context import Services
from scheduler import runtime
from scheduler.delivery import DeliveryDeferred, DeliveryRejected, RecipientUnreachable
from scheduler.dose_batches import send_and_record
from ui import texts
from ui.keyboards.bone import (
    agent_given_buttons,
    dental_done_button,
    recount_button,
    supplement_buttons,
)
from ui.keyboards.care import acknowledge_button
from ui.keyboards.doses import checkin_start_button, recheck_buttons

log = logging.getLogger(__name__)

RETRY_DELAY = timedelta(minutes=1)

JobBody = Callable[[int], Awaitable[None]]


def _in_job_slot(body: JobBody) -> JobBody:
    """Run a job in one of the job slots, where shutdown can find and cancel it.

    The wrapper keeps the job's name, so the job store's reference
    (`scheduler.jobs:run_dose_job`) still names it.
    """

    @functools.wraps(body)
    async def run(row_id: int) -> None:
        async with runtime.job_slots():
            await body(row_id)

    return run


class Delivery(Enum):
    """What became of an unprompted message to a patient."""

    SENT = "sent"
    DEFERRED = "deferred"  # Telegram or the network asked us to wait: run the job again later
    NOT_DELIVERED = "not delivered"  # refused (logged by the courier) or blocked (paused)


async def _deliver(
    services: Services, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> Delivery:
    """Send through the paced courier; a patient who blocked the bot is paused."""
    try:
        await runtime.courier().send_text(chat_id, text, markup)
    except DeliveryDeferred:
        return Delivery.DEFERRED
    except RecipientUnreachable:
        await _pause(services, chat_id)
        return Delivery.NOT_DELIVERED
    except DeliveryRejected:
        return Delivery.NOT_DELIVERED
    return Delivery.SENT


async def run_dose_job(medication_id: int) -> None:
    """Send every due reminder of a medication, then plan its next one.

    Dose jobs firing together are opened and sent as one batch (`dose_batches`); this job
    waits for its medication's part without holding a job slot (the batch holds one).
    """
    async with runtime.tracked():
        await runtime.dose_batcher().run(medication_id)


async def _pause(services: Services, chat_id: int) -> None:
    async with services.sessions() as session:
        await doses.mark_unreachable(session, chat_id, services.clock())


@_in_job_slot
async def run_snooze_job(dose_event_id: int) -> None:
    """Send a snoozed reminder again, if the dose is still unanswered."""
    services = runtime.current()
    async with services.sessions() as session:
        dose = await doses.snoozed_reminder(session, dose_event_id, services.clock())
    if dose is None:
        return
    outcome = await send_and_record(services, [dose])
    if outcome.deferred:
        services.planner.plan_snooze(dose_event_id, services.clock() + RETRY_DELAY)
    elif outcome.unreachable_chat is not None:
        await _pause(services, dose.chat_id)


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
    if delivery is Delivery.DEFERRED:
        services.planner.plan_recheck(dose_event_id, services.clock() + RETRY_DELAY)
        return
    async with services.sessions() as session:
        await doses.mark_rechecked(session, dose_event_id, services.clock())


@_in_job_slot
async def run_window_job(dose_event_id: int) -> None:
    """Tell the patient that the bisphosphonate's wait is over: breakfast, medicines, rest."""
    services = runtime.current()
    async with services.sessions() as session:
        dose = await doses.window_notice(session, dose_event_id)
    if dose is None:
        return
    message = after_window_message(dose.product)
    if message is None:
        return
    try:
        await runtime.courier().send_text(dose.chat_id, message)
    except DeliveryDeferred:
        services.planner.plan_window_end(dose_event_id, services.clock() + RETRY_DELAY)
        return
    except (RecipientUnreachable, DeliveryRejected):
        pass
    async with services.sessions() as session:
        await doses.mark_window_notice_sent(session, dose_event_id, services.clock())


@_in_job_slot
async def run_checkin_job(patient_id: int) -> None:
    """Prompt the weekly check-in, then plan next week's prompt (local time, DST-correct)."""
    services = runtime.current()
    async with services.sessions() as session:
        prompt = await checkins.checkin_prompt(session, patient_id, services.clock())
    if prompt is None:
        return  # turned off, or the patient is gone
    if prompt.reachable:
        delivery = await _deliver(
            services, prompt.chat_id, texts.CHECKIN_PROMPT, checkin_start_button()
        )
        if delivery is Delivery.DEFERRED:
            services.planner.plan_checkin(patient_id, services.clock() + RETRY_DELAY)
            return
        if delivery is Delivery.SENT:
            log.info("check-in prompt for patient %s sent", patient_id)
    services.planner.plan_checkin(patient_id, prompt.next_at)


@_in_job_slot
async def run_agent_job(plan_id: int) -> None:
    """Send a clinic agent's reminder of the day, alert the circle when overdue; plan next."""
    services = runtime.current()
    async with services.sessions() as session:
        run = await agent_run(session, plan_id, services.clock())
    if run is None:
        services.planner.cancel_agent(plan_id)
        return
    care_alerts.dispatch(services.planner, run.alert_ids, services.clock())
    if run.step is not None and run.reachable:
        due_on = run.step.due_on
        markup = agent_given_buttons(plan_id, due_on) if run.step.asks_given and due_on else None
        delivery = await _deliver(
            services, run.chat_id, texts.agent_reminder(run.step.message), markup
        )
        if delivery is Delivery.DEFERRED:
            services.planner.plan_agent(plan_id, services.clock() + RETRY_DELAY)
            return
        if delivery is Delivery.SENT:
            log.info("clinic agent reminder %s (%s) sent", plan_id, run.step.kind)
    async with services.sessions() as session:
        next_at = await agent_reminded(session, plan_id, run.day, run.step, services.clock())
    if next_at is None:
        services.planner.cancel_agent(plan_id)
    else:
        services.planner.plan_agent(plan_id, next_at)


@_in_job_slot
async def run_dxa_job(profile_id: int) -> None:
    """Send the day's bone density scan reminder, if any; plan the next one."""
    services = runtime.current()
    async with services.sessions() as session:
        run = await dxa_run(session, profile_id, services.clock())
    if run is None:
        services.planner.cancel_dxa(profile_id)
        return
    if run.step is not None and run.reachable:
        text = texts.dxa_reminder(run.step, run.view)
        if await _deliver(services, run.chat_id, text) is Delivery.DEFERRED:
            services.planner.plan_dxa(profile_id, services.clock() + RETRY_DELAY)
            return
    async with services.sessions() as session:
        next_at = await dxa_reminded(session, profile_id, run.day, run.step, services.clock())
    if next_at is None:
        services.planner.cancel_dxa(profile_id)
    else:
        services.planner.plan_dxa(profile_id, next_at)


@_in_job_slot
async def run_dental_job(prompts_id: int) -> None:
    """Send a due dental check-up reminder (with its reason); plan the next one."""
    services = runtime.current()
    async with services.sessions() as session:
        run = await dental_run(session, prompts_id, services.clock())
    if run is None:
        services.planner.cancel_dental(prompts_id)
        return
    if run.message is not None and run.reachable:
        delivery = await _deliver(
            services,
            run.chat_id,
            texts.dental_reminder(run.message),
            dental_done_button(prompts_id),
        )
        if delivery is Delivery.DEFERRED:
            services.planner.plan_dental(prompts_id, services.clock() + RETRY_DELAY)
            return
    async with services.sessions() as session:
        await dental_reminded(session, services.planner, prompts_id, run.day, services.clock())


@_in_job_slot
async def run_exercise_job(prompts_id: int) -> None:
    """Send the weekly exercise nudge, then plan next week's."""
    services = runtime.current()
    async with services.sessions() as session:
        run = await exercise_run(session, prompts_id, services.clock())
    if run is None:
        services.planner.cancel_exercise(prompts_id)
        return
    if run.reachable:
        text = texts.exercise_prompt(run.message)
        if await _deliver(services, run.chat_id, text) is Delivery.DEFERRED:
            services.planner.plan_exercise(prompts_id, services.clock() + RETRY_DELAY)
            return
    services.planner.plan_exercise(prompts_id, run.next_at)


@_in_job_slot
async def run_supplement_job(prompt_id: int) -> None:
    """Send every due calcium reminder of a prompt (moved clear of a bisphosphonate)."""
    services = runtime.current()
    grace = timedelta(minutes=services.settings.late_grace_minutes)
    async with services.sessions() as session:
        batch = await open_due_supplements(session, prompt_id, services.clock(), grace)
    for due in batch.due:
        try:
            await _send_supplement(services, due)
        except DeliveryDeferred:
            services.planner.plan_supplement(prompt_id, services.clock() + RETRY_DELAY)
            return
        except RecipientUnreachable:
            await _pause(services, due.chat_id)
            services.planner.cancel_supplement(prompt_id)
            return
    if batch.next_at is None:
        services.planner.cancel_supplement(prompt_id)
    else:
        services.planner.plan_supplement(prompt_id, batch.next_at)


async def _send_supplement(services: Services, due: DueSupplement) -> None:
    """Send one supplement reminder with Taken / Later, then record it as sent."""
    minutes = services.settings.snooze_minutes
    try:
        message_id = await runtime.courier().send_text(
            due.chat_id, texts.supplement_reminder(due), supplement_buttons(due.event_id, minutes)
        )
    except DeliveryRejected:
        return
    async with services.sessions() as session:
        await mark_supplement_sent(session, due.event_id, message_id, services.clock())
    log.info("supplement reminder %s sent", due.event_id)


@_in_job_slot
async def run_supplement_snooze_job(event_id: int) -> None:
    """Send a supplement reminder again after Later, if still unanswered."""
    services = runtime.current()
    async with services.sessions() as session:
        due = await snoozed_supplement(session, event_id, services.clock())
    if due is None:
        return
    try:
        await _send_supplement(services, due)
    except DeliveryDeferred:
        services.planner.plan_supplement_snooze(event_id, services.clock() + RETRY_DELAY)
    except RecipientUnreachable:
        await _pause(services, due.chat_id)


@_in_job_slot
async def run_refill_job(count_id: int) -> None:
    """Remind once to ask for a refill when a counted medicine runs low; else check later."""
    services = runtime.current()
    async with services.sessions() as session:
        run = await refill_run(session, count_id, services.clock())
    if run is None:
        services.planner.cancel_refill(count_id)
        return
    if run.due and run.reachable:
        delivery = await _deliver(
            services,
            run.chat_id,
            texts.refill_reminder(run.product, run.supply),
            recount_button(run.medication_id),
        )
        if delivery is Delivery.DEFERRED:
            services.planner.plan_refill(count_id, services.clock() + RETRY_DELAY)
            return
    async with services.sessions() as session:
        await refill_checked(session, services.planner, count_id, run.due, services.clock())


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
        services.planner.plan_alert(alert_id, outgoing.until)
        return
    message_id: int | None = None
    if outgoing is not None:
        markup = acknowledge_button(alert_id) if outgoing.kind is AlertKind.RED_FLAG else None
        try:
            sent_id = await runtime.courier().send_text(
                outgoing.chat_id, texts.care_alert(outgoing), markup
            )
        except DeliveryDeferred:
            services.planner.plan_alert(alert_id, services.clock() + RETRY_DELAY)
            return
        except (RecipientUnreachable, DeliveryRejected):
            log.info("alert %s could not be delivered", alert_id)
        else:
            message_id = sent_id
            log.info("alert %s sent", alert_id)
    async with services.sessions() as session:
        await care_alerts.mark_alert_sent(session, alert_id, message_id, services.clock())


@_in_job_slot
async def run_summary_job(patient_id: int) -> None:
    """Send the weekly adherence summary to each caregiver who gets it; plan next week."""
    services = runtime.current()
    async with services.sessions() as session:
        summaries = await care_summary.weekly_summaries(session, patient_id, services.clock())
    for summary in summaries:
        try:
            await runtime.courier().send_text(summary.chat_id, texts.weekly_summary(summary))
        except DeliveryDeferred:
            services.planner.plan_summary(patient_id, services.clock() + RETRY_DELAY)
            return
        except (RecipientUnreachable, DeliveryRejected):
            log.info("weekly summary for patient %s not delivered", patient_id)
    async with services.sessions() as session:
        await care_summary.plan_weekly_summary(
            session, services.planner, patient_id, services.clock()
        )
