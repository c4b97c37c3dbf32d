"""Persistent job functions: module-level, primitive ids only, rows reloaded on firing."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot import care_alerts, care_summary, checkins, reminders, texts
from bot.calcium_schedule import (
    DueSupplement,
    mark_supplement_sent,
    open_due_supplements,
    snoozed_supplement,
)
from bot.care_schedule import dental_reminded, dental_run, exercise_run
from bot.catalog import after_window_message
from bot.clinic_schedule import agent_reminded, agent_run
from bot.dxa_schedule import dxa_reminded, dxa_run
from bot.models import AlertKind
from bot.pill_counts import refill_checked, refill_run
from bot.state import Services
from handlers.bone_keyboards import (
    agent_given_buttons,
    dental_done_button,
    recount_button,
    supplement_buttons,
)
from handlers.care_keyboards import acknowledge_button
from handlers.keyboards import checkin_start_button, dose_buttons, recheck_buttons
from scheduler import runtime
from scheduler.delivery import DeliveryDeferred, DeliveryRejected, RecipientUnreachable

log = logging.getLogger(__name__)

RETRY_DELAY = timedelta(minutes=1)


async def _run_dose_job(medication_id: int) -> None:
    """Send every due reminder of a medication, then plan its next one."""
    services = runtime.current()
    settings = services.settings
    grace = timedelta(minutes=settings.late_grace_minutes)
    async with services.sessions() as session:
        batch = await reminders.open_due_doses(session, medication_id, services.clock(), grace)
    for dose in batch.doses:
        try:
            await _send_reminder(services, dose)
        except DeliveryDeferred:
            services.planner.plan_dose(medication_id, services.clock() + RETRY_DELAY)
            return
        except RecipientUnreachable:
            await _pause(services, dose.chat_id)
            services.planner.cancel_dose(medication_id)
            return
    if batch.next_due_at is None:
        services.planner.cancel_dose(medication_id)
    else:
        services.planner.plan_dose(medication_id, batch.next_due_at)


async def _send_reminder(services: Services, dose: reminders.DueDose) -> None:
    """Send one reminder, then record it as sent and plan the once-more question."""
    try:
        message = await runtime.courier().send_text(
            dose.chat_id,
            texts.dose_reminder(dose),
            dose_buttons(dose.event_id, services.settings.snooze_minutes),
        )
    except DeliveryRejected:
        return
    now = services.clock()
    async with services.sessions() as session:
        await reminders.mark_sent(session, dose.event_id, message.message_id, now, late=dose.late)
        missed_check = await care_alerts.missed_check_at(session, dose.event_id)
    if missed_check is not None:
        services.planner.plan_missed_check(dose.event_id, max(missed_check, now))
    recheck = timedelta(minutes=services.settings.recheck_after_minutes)
    services.planner.plan_recheck(dose.event_id, now + recheck)
    log.info("dose reminder %s sent%s", dose.event_id, " (late)" if dose.late else "")


async def _pause(services: Services, chat_id: int) -> None:
    async with services.sessions() as session:
        await reminders.mark_unreachable(session, chat_id, services.clock())


async def _run_snooze_job(dose_event_id: int) -> None:
    """Send a snoozed reminder again, if the dose is still unanswered."""
    services = runtime.current()
    async with services.sessions() as session:
        dose = await reminders.snoozed_reminder(session, dose_event_id, services.clock())
    if dose is None:
        return
    try:
        await _send_reminder(services, dose)
    except DeliveryDeferred:
        services.planner.plan_snooze(dose_event_id, services.clock() + RETRY_DELAY)
    except RecipientUnreachable:
        await _pause(services, dose.chat_id)


async def _run_recheck_job(dose_event_id: int) -> None:
    """Ask once about a dose still unconfirmed a while after its reminder."""
    services = runtime.current()
    async with services.sessions() as session:
        dose = await reminders.recheck_reminder(session, dose_event_id, services.clock())
    if dose is None:
        return
    try:
        await runtime.courier().send_text(
            dose.chat_id, texts.recheck_question(dose), recheck_buttons(dose.event_id)
        )
    except DeliveryDeferred:
        services.planner.plan_recheck(dose_event_id, services.clock() + RETRY_DELAY)
        return
    except RecipientUnreachable:
        await _pause(services, dose.chat_id)
    except DeliveryRejected:
        pass
    async with services.sessions() as session:
        await reminders.mark_rechecked(session, dose_event_id, services.clock())


async def _run_window_job(dose_event_id: int) -> None:
    """Tell the patient that the bisphosphonate's wait is over: breakfast, medicines, rest."""
    services = runtime.current()
    async with services.sessions() as session:
        dose = await reminders.window_notice(session, dose_event_id)
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
        await reminders.mark_window_notice_sent(session, dose_event_id, services.clock())


async def _run_checkin_job(patient_id: int) -> None:
    """Prompt the weekly check-in, then plan next week's prompt (local time, DST-correct)."""
    services = runtime.current()
    async with services.sessions() as session:
        prompt = await checkins.checkin_prompt(session, patient_id, services.clock())
    if prompt is None:
        return  # turned off, or the patient is gone
    if prompt.reachable:
        try:
            await runtime.courier().send_text(
                prompt.chat_id, texts.CHECKIN_PROMPT, checkin_start_button()
            )
        except DeliveryDeferred:
            services.planner.plan_checkin(patient_id, services.clock() + RETRY_DELAY)
            return
        except RecipientUnreachable:
            await _pause(services, prompt.chat_id)
        except DeliveryRejected:
            pass
        else:
            log.info("check-in prompt for patient %s sent", patient_id)
    services.planner.plan_checkin(patient_id, prompt.next_at)


async def _run_agent_job(plan_id: int) -> None:
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
        try:
            await runtime.courier().send_text(
                run.chat_id, texts.agent_reminder(run.step.message), markup
            )
        except DeliveryDeferred:
            services.planner.plan_agent(plan_id, services.clock() + RETRY_DELAY)
            return
        except RecipientUnreachable:
            await _pause(services, run.chat_id)
        except DeliveryRejected:
            pass
        else:
            log.info("clinic agent reminder %s (%s) sent", plan_id, run.step.kind)
    async with services.sessions() as session:
        next_at = await agent_reminded(session, plan_id, run.day, run.step, services.clock())
    if next_at is None:
        services.planner.cancel_agent(plan_id)
    else:
        services.planner.plan_agent(plan_id, next_at)


async def _run_dxa_job(profile_id: int) -> None:
    """Send the day's bone density scan reminder, if any; plan the next one."""
    services = runtime.current()
    async with services.sessions() as session:
        run = await dxa_run(session, profile_id, services.clock())
    if run is None:
        services.planner.cancel_dxa(profile_id)
        return
    if run.step is not None and run.reachable:
        try:
            await runtime.courier().send_text(run.chat_id, texts.dxa_reminder(run.step, run.view))
        except DeliveryDeferred:
            services.planner.plan_dxa(profile_id, services.clock() + RETRY_DELAY)
            return
        except RecipientUnreachable:
            await _pause(services, run.chat_id)
        except DeliveryRejected:
            pass
    async with services.sessions() as session:
        next_at = await dxa_reminded(session, profile_id, run.day, run.step, services.clock())
    if next_at is None:
        services.planner.cancel_dxa(profile_id)
    else:
        services.planner.plan_dxa(profile_id, next_at)


async def _run_dental_job(prompts_id: int) -> None:
    """Send a due dental check-up reminder (with its reason); plan the next one."""
    services = runtime.current()
    async with services.sessions() as session:
        run = await dental_run(session, prompts_id, services.clock())
    if run is None:
        services.planner.cancel_dental(prompts_id)
        return
    if run.message is not None and run.reachable:
        try:
            await runtime.courier().send_text(
                run.chat_id, texts.dental_reminder(run.message), dental_done_button(prompts_id)
            )
        except DeliveryDeferred:
            services.planner.plan_dental(prompts_id, services.clock() + RETRY_DELAY)
            return
        except RecipientUnreachable:
            await _pause(services, run.chat_id)
        except DeliveryRejected:
            pass
    async with services.sessions() as session:
        await dental_reminded(session, services.planner, prompts_id, run.day, services.clock())


async def _run_exercise_job(prompts_id: int) -> None:
    """Send the weekly exercise nudge, then plan next week's."""
    services = runtime.current()
    async with services.sessions() as session:
        run = await exercise_run(session, prompts_id, services.clock())
    if run is None:
        services.planner.cancel_exercise(prompts_id)
        return
    if run.reachable:
        try:
            await runtime.courier().send_text(run.chat_id, texts.exercise_prompt(run.message))
        except DeliveryDeferred:
            services.planner.plan_exercise(prompts_id, services.clock() + RETRY_DELAY)
            return
        except RecipientUnreachable:
            await _pause(services, run.chat_id)
        except DeliveryRejected:
            pass
    services.planner.plan_exercise(prompts_id, run.next_at)


async def _run_supplement_job(prompt_id: int) -> None:
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
        message = await runtime.courier().send_text(
            due.chat_id, texts.supplement_reminder(due), supplement_buttons(due.event_id, minutes)
        )
    except DeliveryRejected:
        return
    async with services.sessions() as session:
        await mark_supplement_sent(session, due.event_id, message.message_id, services.clock())
    log.info("supplement reminder %s sent", due.event_id)


async def _run_supplement_snooze_job(event_id: int) -> None:
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


async def _run_refill_job(count_id: int) -> None:
    """Remind once to ask for a refill when a counted medicine runs low; else check later."""
    services = runtime.current()
    async with services.sessions() as session:
        run = await refill_run(session, count_id, services.clock())
    if run is None:
        services.planner.cancel_refill(count_id)
        return
    if run.due and run.reachable:
        try:
            await runtime.courier().send_text(
                run.chat_id,
                texts.refill_reminder(run.product, run.supply),
                recount_button(run.medication_id),
            )
        except DeliveryDeferred:
            services.planner.plan_refill(count_id, services.clock() + RETRY_DELAY)
            return
        except RecipientUnreachable:
            await _pause(services, run.chat_id)
        except DeliveryRejected:
            pass
    async with services.sessions() as session:
        await refill_checked(session, services.planner, count_id, run.due, services.clock())


async def _run_missed_check_job(dose_event_id: int) -> None:
    """Alert linked caregivers about a dose still unconfirmed after the patient's delay."""
    services = runtime.current()
    async with services.sessions() as session:
        alert_ids = await care_alerts.add_missed_dose_alerts(
            session, dose_event_id, services.clock()
        )
    for alert_id in alert_ids:
        await _run_alert_job(alert_id)


async def _run_alert_job(alert_id: int) -> None:
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
            message = await runtime.courier().send_text(
                outgoing.chat_id, texts.care_alert(outgoing), markup
            )
        except DeliveryDeferred:
            services.planner.plan_alert(alert_id, services.clock() + RETRY_DELAY)
            return
        except (RecipientUnreachable, DeliveryRejected):
            log.info("alert %s could not be delivered", alert_id)
        else:
            message_id = message.message_id
            log.info("alert %s sent", alert_id)
    async with services.sessions() as session:
        await care_alerts.mark_alert_sent(session, alert_id, message_id, services.clock())


async def _run_summary_job(patient_id: int) -> None:
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


async def run_dose_job(medication_id: int) -> None:
    """Send every due reminder of a medication, then plan its next one."""
    async with runtime.job_slots():
        await _run_dose_job(medication_id)


async def run_snooze_job(dose_event_id: int) -> None:
    """Send a snoozed reminder again, if the dose is still unanswered."""
    async with runtime.job_slots():
        await _run_snooze_job(dose_event_id)


async def run_recheck_job(dose_event_id: int) -> None:
    """Ask once about a dose still unconfirmed a while after its reminder."""
    async with runtime.job_slots():
        await _run_recheck_job(dose_event_id)


async def run_window_job(dose_event_id: int) -> None:
    """Tell the patient the bisphosphonate's wait is over."""
    async with runtime.job_slots():
        await _run_window_job(dose_event_id)


async def run_checkin_job(patient_id: int) -> None:
    """Prompt the weekly check-in and plan the next one."""
    async with runtime.job_slots():
        await _run_checkin_job(patient_id)


async def run_agent_job(plan_id: int) -> None:
    """Send a clinic-given agent's reminder of the day and plan the next."""
    async with runtime.job_slots():
        await _run_agent_job(plan_id)


async def run_dxa_job(profile_id: int) -> None:
    """Send the day's bone density scan reminder and plan the next."""
    async with runtime.job_slots():
        await _run_dxa_job(profile_id)


async def run_dental_job(prompts_id: int) -> None:
    """Send a due dental check-up reminder and plan the next."""
    async with runtime.job_slots():
        await _run_dental_job(prompts_id)


async def run_exercise_job(prompts_id: int) -> None:
    """Send the weekly exercise nudge and plan the next."""
    async with runtime.job_slots():
        await _run_exercise_job(prompts_id)


async def run_supplement_job(prompt_id: int) -> None:
    """Send every due calcium reminder of a prompt and plan the next."""
    async with runtime.job_slots():
        await _run_supplement_job(prompt_id)


async def run_supplement_snooze_job(event_id: int) -> None:
    """Send a supplement reminder again after Later."""
    async with runtime.job_slots():
        await _run_supplement_snooze_job(event_id)


async def run_refill_job(count_id: int) -> None:
    """Check a pill count and remind to ask for a refill when it runs low."""
    async with runtime.job_slots():
        await _run_refill_job(count_id)


async def run_missed_check_job(dose_event_id: int) -> None:
    """Alert caregivers about a dose still unconfirmed."""
    async with runtime.job_slots():
        await _run_missed_check_job(dose_event_id)


async def run_alert_job(alert_id: int) -> None:
    """Deliver one alert to a linked caregiver or clinician."""
    async with runtime.job_slots():
        await _run_alert_job(alert_id)


async def run_summary_job(patient_id: int) -> None:
    """Send the weekly adherence summary to caregivers."""
    async with runtime.job_slots():
        await _run_summary_job(patient_id)
