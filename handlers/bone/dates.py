"""Dates by the date picker or typed: clinic doses given (or not yet), scans done and booked,
dental check-ups."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from telegram import Update

from bot.domain.clinic_agents import BOOK_AHEAD_DAYS
from bot.domain.text_input import InvalidDateText
from bot.services.bone import care_prompts, clinic_agents, dxa, markers, page
from handlers.bone import markers as lab_results
from handlers.bone import questions
from handlers.bone.dxa import ask_site, show_corrected
from handlers.common import (
    Context,
    answer_query,
    edit_query_message,
    services,
    settle_query,
    unit_of_work,
)
from handlers.conversation import ScanDraft
from ui import texts
from ui.keyboards.bone import (
    AGENT_PURPOSES,
    BoneAction,
    BonePress,
    DatePurpose,
    date_picker,
    day_picker,
)


async def ask_last_given(context: Context, chat_id: int, telegram_user_id: int) -> None:
    """Ask for the last clinic dose's date if it is not known (the end of registration)."""
    found = services(context)
    async with found.sessions() as session:
        view = await clinic_agents.first_unknown_plan(session, telegram_user_id, found.clock())
    if view is None:
        return
    earliest, latest = clinic_agents.date_range(view.today)
    purpose = DatePurpose.AGENT_CORRECTED
    markup = date_picker(purpose, view.plan_id, view.today, earliest, latest, first_dose=True)
    text = texts.ASK_LAST_GIVEN.format(name=view.product.name)
    sent = await context.bot.send_message(chat_id, text, reply_markup=markup)
    questions.remember(context, purpose, view.plan_id, sent)


@dataclass(frozen=True)
class DateRange:
    """The dates a purpose accepts, and the question that asks for one."""

    today: date
    earliest: date
    latest: date
    question: str


async def range_for(
    context: Context, user_id: int, purpose: DatePurpose, record_id: int
) -> DateRange:
    """Check the record is the acting user's own and return its date range and question."""
    found = services(context)
    async with found.sessions() as session:
        if purpose in AGENT_PURPOSES:
            agent = await clinic_agents.plan_view(session, user_id, record_id, found.clock())
            earliest, latest = clinic_agents.date_range(agent.today)
            name = agent.product.name
            if agent.last_given_on is None:
                question = texts.ASK_LAST_GIVEN.format(name=name)
            elif purpose is DatePurpose.AGENT_GIVEN:
                question = texts.ASK_GIVEN_DATE.format(name=name)
            else:
                question = texts.ASK_CORRECT_DATE.format(name=name)
            return DateRange(agent.today, earliest, latest, question)
        if purpose is DatePurpose.DENTAL_CHECK:
            care = await care_prompts.own_care_view(session, user_id, record_id, found.clock())
            earliest, latest = care_prompts.check_date_range(care.today)
            return DateRange(care.today, earliest, latest, texts.ASK_DENTAL_DATE)
        if purpose is DatePurpose.DOSE_CORRECTED:
            dose = await clinic_agents.own_dose(session, user_id, record_id, found.clock())
            earliest, latest = clinic_agents.date_range(dose.today)
            return DateRange(dose.today, earliest, latest, texts.ask_dose_real_date(dose))
        if purpose is DatePurpose.MARKER_TAKEN:
            marker = markers.marker_at(record_id)
            view = await markers.markers_view(session, user_id, found.clock())
            earliest, latest = markers.result_date_range(view.today)
            return DateRange(view.today, earliest, latest, texts.ask_marker_date(marker))
        if purpose is DatePurpose.MARKER_CORRECTED:
            entry = await markers.own_result(session, user_id, record_id, found.clock())
            earliest, latest = markers.result_date_range(entry.today)
            question = texts.ask_result_real_date(entry)
            return DateRange(entry.today, earliest, latest, question)
        if purpose is DatePurpose.SCAN_CORRECTED:
            scan = await dxa.own_scan(session, user_id, record_id, found.clock())
            earliest, latest = dxa.scan_date_range(scan.today)
            question = texts.ASK_SCAN_REAL_DATE.format(
                date=texts.long_date(scan.result.scanned_on)
            )
            return DateRange(scan.today, earliest, latest, question)
        scans = await dxa.own_view(session, user_id, record_id, found.clock())
    if purpose is DatePurpose.SCAN_DONE:
        earliest, latest = dxa.scan_date_range(scans.today)
        return DateRange(scans.today, earliest, latest, texts.ASK_SCAN_DATE)
    earliest, latest = dxa.booking_range(scans.today)
    return DateRange(scans.today, earliest, latest, texts.ASK_BOOKED_DATE)


async def on_picker(update: Update, context: Context, action: BonePress) -> None:
    """Open the date picker (months), show one month's days, or go back to the months."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or user is None or chat is None or action.purpose is None:
        return
    span = await range_for(context, user.id, action.purpose, action.record_id)
    await answer_query(query)
    if action.action is BoneAction.PICK_DAY and action.month is not None:
        markup = day_picker(
            action.purpose, action.record_id, action.month, span.earliest, span.latest
        )
        text = texts.PICK_DAY.format(month=texts.month_label(action.month))
        await edit_query_message(query, text, markup)
        return
    markup = date_picker(action.purpose, action.record_id, span.today, span.earliest, span.latest)
    pending = questions.pending_of(context)
    message = query.message
    if pending is not None and message is not None and pending.message_id == message.message_id:
        await edit_query_message(query, span.question, markup)  # Back from the days
        return
    sent = await context.bot.send_message(chat.id, span.question, reply_markup=markup)
    questions.remember(context, action.purpose, action.record_id, sent)


async def on_set_up(update: Update, context: Context, action: BonePress) -> None:
    """The offer at the end of registration: the date picker for a past scan or the last
    dental check-up, on the patient's own record as /bone opens it; or Not now."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    if action.purpose is None:
        offer = questions.question_of(update)
        await settle_query(query, offer.replace(texts.SET_UP_OFFER, texts.SET_UP_LATER))
        return
    now = services(context).clock()
    bone = await unit_of_work(context, lambda session: page.bone_page(session, user.id, now))
    scans = action.purpose is DatePurpose.SCAN_DONE
    record_id = bone.dxa.profile_id if scans else bone.care.prompts_id
    await on_picker(update, context, BonePress(BoneAction.PICK_MONTH, record_id, action.purpose))


async def on_date(
    update: Update, context: Context, purpose: DatePurpose, record_id: int, day: date
) -> None:
    """A date was tapped or typed: record it for what was asked."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    span = await range_for(context, user.id, purpose, record_id)
    if not span.earliest <= day <= span.latest:
        raise InvalidDateText(day.isoformat())
    if purpose in (DatePurpose.SCAN_CORRECTED, DatePurpose.DOSE_CORRECTED):
        await _on_corrected_date(update, context, purpose, record_id, day)
        return
    if purpose in (DatePurpose.MARKER_TAKEN, DatePurpose.MARKER_CORRECTED):
        await lab_results.on_date(update, context, purpose, record_id, day)
        return
    found = services(context)
    reply: str | None = None
    async with found.sessions() as session:
        if purpose in AGENT_PURPOSES:
            recorded = await clinic_agents.record_given(
                session,
                found.planner,
                telegram_user_id=user.id,
                plan_id=record_id,
                given_on=day,
                now=found.clock(),
                correcting=purpose is DatePurpose.AGENT_CORRECTED,
            )
            reply = _recorded_text(recorded)
        elif purpose is DatePurpose.SCAN_BOOKED:
            view = await dxa.set_booked(
                session,
                found.planner,
                telegram_user_id=user.id,
                profile_id=record_id,
                booked_on=day,
                now=found.clock(),
            )
            reply = texts.BOOKED_SAVED.format(
                date=texts.long_date(view.next_on or day),
                time=texts.hhmm(clinic_agents.REMINDER_TIME),
            )
        elif purpose is DatePurpose.DENTAL_CHECK:
            care = await care_prompts.record_dental_check(
                session,
                found.planner,
                telegram_user_id=user.id,
                prompts_id=record_id,
                checked_on=day,
                now=found.clock(),
            )
            reply = texts.dental_saved(care, day)
    await questions.mark_answered(update, context, texts.long_date(day))
    if reply is not None:
        await context.bot.send_message(chat.id, reply)
        return
    await ask_site(context, chat.id, user.id, ScanDraft(record_id, day))


async def _on_corrected_date(
    update: Update, context: Context, purpose: DatePurpose, record_id: int, day: date
) -> None:
    """A recorded scan's or clinic dose's real date: move it there (the change is kept)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    found = services(context)
    async with found.sessions() as session:
        if purpose is DatePurpose.SCAN_CORRECTED:
            scan = await dxa.own_scan(session, user.id, record_id, found.clock())
            corrected = await dxa.correct_scan(
                session,
                found.planner,
                telegram_user_id=user.id,
                scan_id=record_id,
                result=replace(scan.result, scanned_on=day),
                now=found.clock(),
            )
        else:
            dose = await clinic_agents.own_dose(session, user.id, record_id, found.clock())
            recorded = await clinic_agents.correct_dose(
                session,
                found.planner,
                telegram_user_id=user.id,
                dose_id=record_id,
                given_on=day,
                now=found.clock(),
            )
    await questions.mark_answered(update, context, texts.long_date(day))
    if purpose is DatePurpose.SCAN_CORRECTED:
        await show_corrected(context, chat.id, corrected)
        return
    await context.bot.send_message(chat.id, texts.dose_moved(recorded.view, dose.given_on, day))


def _recorded_text(recorded: clinic_agents.Recorded) -> str:
    view = recorded.view
    if not recorded.changed:
        given = texts.long_date(view.last_given_on or view.today)
        return texts.AGENT_ALREADY.format(name=view.product.name, given=given)
    return texts.agent_saved(view, BOOK_AHEAD_DAYS // 7, clinic_agents.REMINDER_TIME)


async def on_not_given(update: Update, context: Context, action: BonePress) -> None:
    """Not yet (a reminder's question) or not had one yet (the first question)."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    found = services(context)
    async with found.sessions() as session:
        view = await clinic_agents.plan_view(session, user.id, action.record_id, found.clock())
    not_yet = action.action is BoneAction.NOT_GIVEN_YET
    if not_yet and view.due_on != action.day and view.last_given_on is not None:
        # An old reminder: the dose it asked about was recorded since.
        given = texts.long_date(view.last_given_on)
        await answer_query(query, texts.AGENT_ALREADY.format(name=view.product.name, given=given))
        return
    await answer_query(query)
    pending = questions.pending_of(context)
    if pending is not None and pending.purpose in AGENT_PURPOSES:
        questions.forget(context)
    if not_yet:
        await questions.answered(update, f"{texts.NOT_YET}. {texts.AGENT_NOT_YET}")
    else:
        await questions.answered(update, f"{texts.NOT_HAD_ONE}.\n{texts.AGENT_FIRST_NOT_YET}")
