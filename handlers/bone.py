"""The bone calendar in the chat: /bone, dates and numbers by buttons or typed, reminder answers.

Buttons work without any conversation state (the database holds everything); only a typed
answer needs to know what was asked, so the question stores a small `PendingInput` in the
person's user_data, and a filter lets typed text reach this module only while one is open.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.domain.bone_health import RISK_QUESTIONS, DxaResult, Site
from bot.domain.catalog import drug_display_name
from bot.domain.clinic_agents import BOOK_AHEAD_DAYS
from bot.domain.errors import AlreadyAnswered, NotRegistered, NotYourRecord
from bot.domain.text_input import InvalidDateText, parse_date
from bot.exports import charts
from bot.exports.ics import calendar_ics
from bot.services.bone import calcium as calcium_schedule
from bot.services.bone import care_prompts, clinic_agents, pill_counts
from bot.services.bone import dxa as dxa_schedule
from bot.services.bone import page as bone_calendar
from bot.services.bone.dxa import InvalidNumberText
from handlers.common import (
    App,
    Context,
    answer_query,
    edit_message,
    edit_query_message,
    services,
    settle_query,
    user_data,
)
from ui import texts
from ui.keyboards.bone import (
    AGENT_PURPOSES,
    BoneAction,
    BonePress,
    CalciumStep,
    DatePurpose,
    age_skip_button,
    agent_menu_buttons,
    bone_menu_rows,
    calcium_diet_buttons,
    calcium_form_buttons,
    calcium_menu_buttons,
    care_menu_buttons,
    date_picker,
    day_picker,
    dxa_menu_buttons,
    exercise_day_buttons,
    exercise_time_buttons,
    interval_buttons,
    meal_time_buttons,
    parse_bone_action,
    pill_count_buttons,
    risk_buttons,
    skip_site_button,
)

PENDING = "bone_input"
CALCIUM_TIMES = "calcium_times"  # meal times picked so far in the calcium set-up
# A question left unanswered this long stops taking typed answers (the text is then stray).
INPUT_TTL = timedelta(minutes=30)
SITES = tuple(Site)  # the order T-scores are asked in: lumbar spine, total hip, femoral neck


class TypedAnswer(StrEnum):
    """A question, other than a date, that takes a typed answer."""

    T_SCORE = "t"
    AGE = "a"
    CALCIUM_TARGET = "p"
    VITAMIN_D_TARGET = "v"
    PILL_COUNT = "q"


@dataclass(frozen=True)
class ScanDraft:
    """A scan result being typed in: its date and the T-scores so far, site by site."""

    profile_id: int
    scanned_on: date
    values: tuple[float | None, ...] = ()

    @property
    def site(self) -> int:
        """Return the index of the site asked next."""
        return len(self.values)


@dataclass(frozen=True)
class PendingInput:
    """What a typed answer from this person would answer, and the question's message."""

    purpose: DatePurpose | TypedAnswer
    record_id: int  # the record the date is for (VITAMIN_D_TARGET: the calcium target typed)
    message_id: int
    question: str
    until: datetime
    draft: ScanDraft | None = None


class AwaitingInput(filters.UpdateFilter):
    """Let typed text through only while this person has an open bone-calendar question."""

    def __init__(self, app: App) -> None:
        super().__init__(name="AwaitingBoneInput")
        self._app = app

    def filter(self, update: Update) -> bool:
        """Tell whether the sender was asked something that takes a typed answer."""
        user = update.effective_user
        data = self._app.user_data.get(user.id) if user is not None else None
        if not data:
            return False
        return isinstance(data.get(PENDING), PendingInput)


def _remember(
    context: Context,
    purpose: DatePurpose | TypedAnswer,
    record_id: int,
    message: Message,
    draft: ScanDraft | None = None,
) -> None:
    """Store what typed text would answer (one open question per person)."""
    until = services(context).clock() + INPUT_TTL
    user_data(context)[PENDING] = PendingInput(
        purpose, record_id, message.message_id, message.text or "", until, draft
    )


def _forget(context: Context) -> PendingInput | None:
    pending: PendingInput | None = user_data(context).pop(PENDING, None)
    return pending


# --------------------------------------------------------------------------- /bone


async def ask_last_given(context: Context, chat_id: int, telegram_user_id: int) -> None:
    """Ask for the last clinic dose's date if it is not known (the end of registration)."""
    found = services(context)
    async with found.sessions() as session:
        view = await clinic_agents.first_unknown_plan(session, telegram_user_id, found.clock())
    if view is None:
        return
    earliest, latest = clinic_agents.date_range(view.today)
    markup = date_picker(
        DatePurpose.AGENT_CORRECTED, view.plan_id, view.today, earliest, latest, first_dose=True
    )
    text = texts.ASK_LAST_GIVEN.format(name=view.product.name)
    sent = await context.bot.send_message(chat_id, text, reply_markup=markup)
    _remember(context, DatePurpose.AGENT_CORRECTED, view.plan_id, sent)


def _menu(page: bone_calendar.BonePage) -> tuple[str, InlineKeyboardMarkup]:
    lines, rows = [texts.BONE_TITLE, ""], []
    for view in page.agents:
        lines += [texts.agent_lines(view), ""]
        drug = drug_display_name(view.product.drug).lower()
        rows += agent_menu_buttons(view.plan_id, drug, view.last_given_on is not None)
    lines += [texts.dxa_lines(page.dxa), "", texts.care_lines(page.care)]
    rows += dxa_menu_buttons(page.dxa.profile_id, page.dxa.risk_answered)
    dental = page.care.needs_dental or page.care.last_dental_check_on is not None
    rows += care_menu_buttons(page.care.prompts_id, dental)
    lines += ["", texts.calcium_lines(page.calcium)]
    rows += bone_menu_rows()
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def _send_chart(context: Context, chat_id: int, view: dxa_schedule.DxaView) -> None:
    """Send the T-score chart with the change since the previous scan as its caption."""
    points = [
        charts.TScorePoint(scan.scanned_on, scan.lumbar_spine, scan.total_hip, scan.femoral_neck)
        for scan in view.scans
    ]
    png = await asyncio.to_thread(charts.bone_density_png, points)
    caption = "\n".join(
        line for line in (texts.CHART_CAPTION, texts.dxa_change_line(view)) if line
    )
    await context.bot.send_photo(chat_id, png, caption=caption)


async def bone_command(update: Update, context: Context) -> None:
    """Show the bone calendar: the scan chart (if any), then dates with buttons."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    found = services(context)
    try:
        async with found.sessions() as session:
            page = await bone_calendar.bone_page(session, user.id, found.clock())
    except NotRegistered:
        await message.reply_text(texts.NOT_REGISTERED)
        return
    if page.dxa.scans:
        await _send_chart(context, message.chat_id, page.dxa)
    text, markup = _menu(page)
    await message.reply_text(text, reply_markup=markup)


async def calendar_command(update: Update, context: Context) -> None:
    """Send the upcoming bone-calendar dates as an .ics file for the phone's calendar."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    found = services(context)
    try:
        async with found.sessions() as session:
            entries = await bone_calendar.calendar_entries(session, user.id, found.clock())
    except NotRegistered:
        await message.reply_text(texts.NOT_REGISTERED)
        return
    if not entries:
        await message.reply_text(texts.CALENDAR_EMPTY)
        return
    ics = calendar_ics(texts.calendar_appointments(entries), generated_at=found.clock())
    await message.reply_document(
        ics, filename=texts.CALENDAR_FILE_NAME, caption=texts.CALENDAR_CAPTION
    )


# --------------------------------------------------------------------------- buttons


async def on_button(update: Update, context: Context) -> None:
    """Take a press on a bone-calendar button; refuse other people's and forged ones kindly."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    action = parse_bone_action(query.data)
    if action is None:
        await answer_query(query, texts.NOT_YOURS)
        return
    try:
        await _dispatch(update, context, action)
    except (NotYourRecord, NotRegistered):
        await answer_query(query, texts.NOT_YOURS)
    except (InvalidDateText, InvalidNumberText):
        await answer_query(query, texts.BAD_DATE)
    except calcium_schedule.InvalidSetting:
        await answer_query(query, texts.BUTTON_EXPIRED)


async def _dispatch(update: Update, context: Context, action: BonePress) -> None:
    match action.action:
        case BoneAction.PICK_MONTH | BoneAction.PICK_DAY:
            await _picker(update, context, action)
        case BoneAction.DATE_CHOSEN:
            assert action.purpose is not None
            assert action.day is not None
            await _on_date(update, context, action.purpose, action.record_id, action.day)
        case BoneAction.NOT_GIVEN_YET | BoneAction.NO_DOSE_YET:
            await _not_given(update, context, action)
        case BoneAction.SITE_NOT_ON_REPORT:
            await _skip_site(update, context, action.number or 0)
        case BoneAction.INTERVAL_CHOICES | BoneAction.INTERVAL_CHOSEN:
            await _interval(update, context, action)
        case BoneAction.RISK_START | BoneAction.RISK_ANSWER | BoneAction.AGE_SKIPPED:
            await _risk(update, context, action)
        case BoneAction.EXERCISE_SETTINGS | BoneAction.EXERCISE_DAY | BoneAction.EXERCISE_TIME:
            await _exercise(update, context, action)
        case BoneAction.SUPPLEMENT_TAKEN | BoneAction.SUPPLEMENT_LATER:
            await _supplement(update, context, action)
        case BoneAction.CALCIUM:
            await _calcium(update, context, action)
        case BoneAction.PILL_COUNTS | BoneAction.PILL_COUNT | BoneAction.PILL_COUNT_STOP:
            await _pills(update, context, action)


def _question_of(update: Update) -> str:
    query = update.callback_query
    return getattr(query.message if query else None, "text", None) or ""


async def _answered(update: Update, label: str) -> None:
    """Show the pressed question with its answer, without buttons."""
    query = update.callback_query
    if query is not None:
        await edit_query_message(query, texts.answered_line(_question_of(update), label))


@dataclass(frozen=True)
class _Range:
    today: date
    earliest: date
    latest: date
    question: str


async def _range_for(
    context: Context, user_id: int, purpose: DatePurpose, record_id: int
) -> _Range:
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
            return _Range(agent.today, earliest, latest, question)
        if purpose is DatePurpose.DENTAL_CHECK:
            care = await care_prompts.own_care_view(session, user_id, record_id, found.clock())
            earliest, latest = care_prompts.check_date_range(care.today)
            return _Range(care.today, earliest, latest, texts.ASK_DENTAL_DATE)
        dxa = await dxa_schedule.own_view(session, user_id, record_id, found.clock())
    if purpose is DatePurpose.SCAN_DONE:
        earliest, latest = dxa_schedule.scan_date_range(dxa.today)
        return _Range(dxa.today, earliest, latest, texts.ASK_SCAN_DATE)
    earliest, latest = dxa_schedule.booking_range(dxa.today)
    return _Range(dxa.today, earliest, latest, texts.ASK_BOOKED_DATE)


async def _picker(update: Update, context: Context, action: BonePress) -> None:
    """Open the date picker (months), show one month's days, or go back to the months."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or user is None or chat is None or action.purpose is None:
        return
    span = await _range_for(context, user.id, action.purpose, action.record_id)
    await answer_query(query)
    if action.action is BoneAction.PICK_DAY and action.month is not None:
        markup = day_picker(
            action.purpose, action.record_id, action.month, span.earliest, span.latest
        )
        text = texts.PICK_DAY.format(month=texts.month_label(action.month))
        await edit_query_message(query, text, markup)
        return
    markup = date_picker(action.purpose, action.record_id, span.today, span.earliest, span.latest)
    pending: PendingInput | None = user_data(context).get(PENDING)
    message = query.message
    if pending is not None and message is not None and pending.message_id == message.message_id:
        await edit_query_message(query, span.question, markup)  # Back from the days
        return
    sent = await context.bot.send_message(chat.id, span.question, reply_markup=markup)
    _remember(context, action.purpose, action.record_id, sent)


async def _on_date(
    update: Update, context: Context, purpose: DatePurpose, record_id: int, day: date
) -> None:
    """A date was tapped or typed: record it for what was asked."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    span = await _range_for(context, user.id, purpose, record_id)
    if not span.earliest <= day <= span.latest:
        raise InvalidDateText(day.isoformat())
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
            view = await dxa_schedule.set_booked(
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
    await _mark_answered(update, context, texts.long_date(day))
    if reply is not None:
        await context.bot.send_message(chat.id, reply)
        return
    await _ask_site(context, chat.id, user.id, ScanDraft(record_id, day))


async def _mark_answered(update: Update, context: Context, label: str) -> None:
    """Close the open question (pressed or typed) by showing the answer under it."""
    pending = _forget(context)
    query, chat = update.callback_query, update.effective_chat
    if query is not None:
        await settle_query(query, texts.answered_line(_question_of(update), label))
    elif pending is not None and chat is not None:
        answer = texts.answered_line(pending.question, label)
        await edit_message(context.bot, chat.id, pending.message_id, answer)


def _recorded_text(recorded: clinic_agents.Recorded) -> str:
    view = recorded.view
    if not recorded.changed:
        given = texts.long_date(view.last_given_on or view.today)
        return texts.AGENT_ALREADY.format(name=view.product.name, given=given)
    return texts.agent_saved(view, BOOK_AHEAD_DAYS // 7, clinic_agents.REMINDER_TIME)


async def _not_given(update: Update, context: Context, action: BonePress) -> None:
    """Not yet (a reminder's question) or not had one yet (the first question)."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    found = services(context)
    async with found.sessions() as session:
        view = await clinic_agents.plan_view(session, user.id, action.record_id, found.clock())
    if (
        action.action is BoneAction.NOT_GIVEN_YET
        and view.due_on != action.day
        and view.last_given_on is not None
    ):
        # An old reminder: the dose it asked about was recorded since.
        given = texts.long_date(view.last_given_on)
        await answer_query(query, texts.AGENT_ALREADY.format(name=view.product.name, given=given))
        return
    await answer_query(query)
    pending: PendingInput | None = user_data(context).get(PENDING)
    if pending is not None and pending.purpose in AGENT_PURPOSES:
        _forget(context)
    if action.action is BoneAction.NOT_GIVEN_YET:
        await _answered(update, f"{texts.NOT_YET}. {texts.AGENT_NOT_YET}")
    else:
        await _answered(update, f"{texts.NOT_HAD_ONE}.\n{texts.AGENT_FIRST_NOT_YET}")


# --------------------------------------------------------------------------- scan results


async def _ask_site(context: Context, chat_id: int, user_id: int, draft: ScanDraft) -> None:
    """Ask for the next site's T-score (typed), or finish the result."""
    if draft.site >= len(SITES):
        await _finish_scan(context, chat_id, user_id, draft)
        return
    site = texts.SITE_NAMES[SITES[draft.site].value]
    text = texts.ASK_T_SCORE.format(site=site)
    sent = await context.bot.send_message(chat_id, text, reply_markup=skip_site_button(draft.site))
    _remember(context, TypedAnswer.T_SCORE, draft.profile_id, sent, draft)


async def _skip_site(update: Update, context: Context, site: int) -> None:
    """Not on my report: go on to the next site."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    pending: PendingInput | None = user_data(context).get(PENDING)
    if query is None or user is None or chat is None:
        return
    if pending is None or pending.draft is None or pending.draft.site != site:
        await answer_query(query, texts.BUTTON_EXPIRED)
        return
    await _mark_answered(update, context, texts.NOT_ON_REPORT)
    draft = replace(pending.draft, values=(*pending.draft.values, None))
    await _ask_site(context, chat.id, user.id, draft)


async def _finish_scan(context: Context, chat_id: int, user_id: int, draft: ScanDraft) -> None:
    """Save the typed result (at least one T-score) and show the record and its chart."""
    values = dict(zip(SITES, draft.values, strict=True))
    if all(value is None for value in values.values()):
        await context.bot.send_message(chat_id, texts.NO_T_SCORES)
        return
    result = DxaResult(draft.scanned_on, **{site.value: v for site, v in values.items()})
    found = services(context)
    async with found.sessions() as session:
        saved = await dxa_schedule.record_scan(
            session,
            found.planner,
            telegram_user_id=user_id,
            profile_id=draft.profile_id,
            result=result,
            now=found.clock(),
        )
    await _send_chart(context, chat_id, saved.view)
    await context.bot.send_message(chat_id, texts.scan_saved(saved.view, draft.scanned_on))


# --------------------------------------------------------------------------- interval, risk


async def _interval(update: Update, context: Context, action: BonePress) -> None:
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or user is None or chat is None:
        return
    found = services(context)
    if action.action is BoneAction.INTERVAL_CHOICES:
        await answer_query(query)
        markup = interval_buttons(dxa_schedule.INTERVAL_CHOICES)
        await context.bot.send_message(chat.id, texts.ASK_INTERVAL, reply_markup=markup)
        return
    async with found.sessions() as session:
        view = await dxa_schedule.set_interval(
            session,
            found.planner,
            telegram_user_id=user.id,
            months=action.number or 0,
            now=found.clock(),
        )
    await answer_query(query)
    saved = texts.INTERVAL_SAVED.format(months=view.interval_months)
    await edit_query_message(query, f"{saved}\n\n{texts.dxa_lines(view)}")


async def _risk(update: Update, context: Context, action: BonePress) -> None:
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or user is None or chat is None:
        return
    found = services(context)
    if action.action is BoneAction.RISK_START:
        async with found.sessions() as session:
            await dxa_schedule.dxa_view(session, user.id, found.clock())  # registered?
        await answer_query(query)
        await context.bot.send_message(chat.id, texts.RISK_INTRO)
        await _ask_risk(context, chat.id, 0)
        return
    if action.action is BoneAction.AGE_SKIPPED:
        await _finish_risk(update, context, None)
        return
    async with found.sessions() as session:
        following = await dxa_schedule.answer_risk(
            session,
            telegram_user_id=user.id,
            index=action.number or 0,
            yes=bool(action.yes),
            now=found.clock(),
        )
    label = texts.RISK_YES if action.yes else texts.RISK_NO
    await settle_query(query, texts.answered_line(_question_of(update), label))
    if following is not None:
        await _ask_risk(context, chat.id, following)
        return
    sent = await context.bot.send_message(chat.id, texts.ASK_AGE, reply_markup=age_skip_button())
    _remember(context, TypedAnswer.AGE, 0, sent)


async def _ask_risk(context: Context, chat_id: int, index: int) -> None:
    question = RISK_QUESTIONS[index].text
    await context.bot.send_message(chat_id, question, reply_markup=risk_buttons(index))


async def _finish_risk(update: Update, context: Context, age: int | None) -> None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    found = services(context)
    async with found.sessions() as session:
        view = await dxa_schedule.set_age(
            session, telegram_user_id=user.id, age_years=age, now=found.clock()
        )
    await _mark_answered(update, context, texts.AGE_SKIP if age is None else str(age))
    await context.bot.send_message(chat.id, texts.risk_done(view))


async def _exercise(update: Update, context: Context, action: BonePress) -> None:
    """The weekly exercise nudge: open its settings, pick a day (or off), then a time."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or user is None or chat is None:
        return
    found = services(context)
    if action.action is BoneAction.EXERCISE_SETTINGS:
        await answer_query(query)
        markup = exercise_day_buttons()
        await context.bot.send_message(chat.id, texts.ASK_EXERCISE_DAY, reply_markup=markup)
        return
    if action.action is BoneAction.EXERCISE_DAY and action.number is not None:
        await answer_query(query)
        day = texts.WEEKDAYS[action.number]
        text = texts.ASK_EXERCISE_TIME.format(day=day)
        await edit_query_message(query, text, exercise_time_buttons(action.number))
        return
    weekday = action.number if action.action is BoneAction.EXERCISE_TIME else None
    async with found.sessions() as session:
        upcoming = await care_prompts.set_exercise(
            session,
            found.planner,
            telegram_user_id=user.id,
            weekday=weekday,
            at=action.at,
            now=found.clock(),
        )
    await answer_query(query)
    if upcoming is None or weekday is None or action.at is None:
        await edit_query_message(query, texts.EXERCISE_TURNED_OFF)
        return
    when = f"{texts.day_label(upcoming.date())} at {texts.hhmm(upcoming)}"
    day, at = texts.WEEKDAYS[weekday], texts.hhmm(action.at)
    await edit_query_message(query, texts.EXERCISE_SAVED.format(day=day, time=at, when=when))


# --------------------------------------------------------------------------- calcium


async def _supplement(update: Update, context: Context, action: BonePress) -> None:
    """Taken or Later under a calcium reminder (only the acting patient's own)."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    found = services(context)
    event_id, now = action.record_id, found.clock()
    notice = None
    async with found.sessions() as session:
        try:
            if action.action is BoneAction.SUPPLEMENT_TAKEN:
                answer = await calcium_schedule.take_supplement(
                    session, found.planner, telegram_user_id=user.id, event_id=event_id, now=now
                )
            else:
                answer = await calcium_schedule.snooze_supplement(
                    session,
                    found.planner,
                    telegram_user_id=user.id,
                    event_id=event_id,
                    now=now,
                    minutes=found.settings.snooze_minutes,
                )
        except AlreadyAnswered:
            answer = await calcium_schedule.describe_supplement(session, user.id, action.record_id)
            notice = texts.supplement_answered(answer)
    await settle_query(query, texts.supplement_answered(answer), notice=notice)


async def _calcium(update: Update, context: Context, action: BonePress) -> None:
    """The calcium set-up: form, calcium from food, meal times; targets; off."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or user is None or chat is None:
        return
    found = services(context)
    now = found.clock()
    async with found.sessions() as session:
        match action.step:
            case CalciumStep.OPEN | CalciumStep.SET_UP | CalciumStep.CARE_TEAM:
                view = await calcium_schedule.calcium_view(session, user.id, now)
            case CalciumStep.FORM:
                view = await calcium_schedule.set_form(session, user.id, action.form or "", now)
            case CalciumStep.DIET:
                view = await calcium_schedule.set_diet(session, user.id, action.number or 0, now)
            case CalciumStep.USUAL:
                view = await calcium_schedule.set_targets(
                    session, user.id, calcium_mg=None, vitamin_d_iu=None, now=now
                )
            case CalciumStep.TURN_OFF:
                await calcium_schedule.turn_off(session, found.planner, user.id, now)
                await settle_query(query, texts.CALCIUM_TURNED_OFF)
                return
            case _:  # MEAL_TIME
                await _meal_time(update, context, action)
                return
    await answer_query(query)
    match action.step:
        case CalciumStep.OPEN:
            markup = calcium_menu_buttons(bool(view.times))
            await context.bot.send_message(chat.id, texts.calcium_lines(view), reply_markup=markup)
        case CalciumStep.SET_UP:
            markup = calcium_form_buttons()
            await context.bot.send_message(chat.id, texts.ASK_FORM, reply_markup=markup)
        case CalciumStep.CARE_TEAM:
            sent = await context.bot.send_message(chat.id, texts.ASK_CALCIUM_TARGET)
            _remember(context, TypedAnswer.CALCIUM_TARGET, 0, sent)
        case CalciumStep.FORM:
            await _answered(update, texts.CALCIUM_FORMS[view.form.value] if view.form else "")
            markup = calcium_diet_buttons()
            await context.bot.send_message(chat.id, texts.ASK_DIET, reply_markup=markup)
        case CalciumStep.DIET:
            await _answered(update, texts.DIET_LABELS.get(action.number or 0, ""))
            await _ask_meal_times(context, chat.id, view)
        case CalciumStep.USUAL:
            goal = view.targets
            saved = texts.TARGETS_SAVED.format(
                calcium=goal.calcium_mg, vitamin_d=goal.vitamin_d_iu
            )
            await edit_query_message(query, f"{saved}\n{texts.calcium_proposal(view)}")


async def _ask_meal_times(
    context: Context, chat_id: int, view: calcium_schedule.CalciumView
) -> None:
    """Start picking meal times for the suggested doses (or say none are needed)."""
    if not view.proposal or view.form is None:
        await context.bot.send_message(chat_id, texts.calcium_proposal(view))
        return
    user_data(context)[CALCIUM_TIMES] = []
    await context.bot.send_message(
        chat_id, texts.ask_meal_times(view, []), reply_markup=meal_time_buttons([])
    )


async def _meal_time(update: Update, context: Context, action: BonePress) -> None:
    """One meal time picked; once there is one per dose, the reminders are saved."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or action.at is None:
        return
    found = services(context)
    chosen = [*user_data(context).get(CALCIUM_TIMES, []), action.at]
    async with found.sessions() as session:
        view = await calcium_schedule.calcium_view(session, user.id, found.clock())
        if not view.proposal or view.form is None or len(set(chosen)) != len(chosen):
            await answer_query(query, texts.BUTTON_EXPIRED)
            return
        if len(chosen) < len(view.proposal):
            user_data(context)[CALCIUM_TIMES] = chosen
            await answer_query(query)
            markup = meal_time_buttons(chosen)
            await edit_query_message(query, texts.ask_meal_times(view, chosen), markup)
            return
        view = await calcium_schedule.set_times(
            session,
            found.planner,
            telegram_user_id=user.id,
            times=chosen[: len(view.proposal)],
            now=found.clock(),
        )
    user_data(context).pop(CALCIUM_TIMES, None)
    await settle_query(query, texts.CALCIUM_SAVED.format(plan=texts.calcium_plan(view.times)))


# --------------------------------------------------------------------------- pill counts


async def _pills(update: Update, context: Context, action: BonePress) -> None:
    """Pill counts: list them, ask a medicine's count (typed), or stop counting it."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or user is None or chat is None:
        return
    found = services(context)
    async with found.sessions() as session:
        if action.action is BoneAction.PILL_COUNTS:
            views = await pill_counts.count_views(session, user.id, found.clock())
        elif action.action is BoneAction.PILL_COUNT:
            product = await pill_counts.medicine_to_count(session, user.id, action.record_id)
        else:
            product = await pill_counts.stop_count(
                session, found.planner, user.id, action.record_id
            )
    await answer_query(query)
    if action.action is BoneAction.PILL_COUNTS:
        counts = [(v.medication_id, v.product.name, v.supply is not None) for v in views]
        markup = pill_count_buttons(counts)
        await context.bot.send_message(chat.id, texts.pill_lines(views), reply_markup=markup)
    elif action.action is BoneAction.PILL_COUNT:
        text = texts.ASK_PILL_COUNT.format(name=product.name)
        sent = await context.bot.send_message(chat.id, text)
        _remember(context, TypedAnswer.PILL_COUNT, action.record_id, sent)
    else:
        await context.bot.send_message(chat.id, texts.PILLS_STOPPED.format(name=product.name))


# --------------------------------------------------------------------------- typed answers


async def on_typed(update: Update, context: Context) -> None:
    """Take a typed date or number for the open question; re-ask kindly when it won't do."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    pending: PendingInput | None = user_data(context).get(PENDING)
    if message is None or user is None or chat is None or pending is None:
        return
    if services(context).clock() > pending.until:
        _forget(context)
        await message.reply_text(texts.UNKNOWN_TEXT)
        return
    text = (message.text or "").strip()
    try:
        if pending.purpose is TypedAnswer.T_SCORE and pending.draft is not None:
            value = dxa_schedule.parse_t_score(text)
            await _mark_answered(update, context, texts.t_score(value))
            draft = replace(pending.draft, values=(*pending.draft.values, value))
            await _ask_site(context, chat.id, user.id, draft)
        elif pending.purpose is TypedAnswer.AGE:
            await _finish_risk(update, context, dxa_schedule.parse_age(text))
        elif pending.purpose in (TypedAnswer.CALCIUM_TARGET, TypedAnswer.VITAMIN_D_TARGET):
            await _typed_target(update, context, pending, text)
        elif pending.purpose is TypedAnswer.PILL_COUNT:
            await _typed_count(update, context, pending, text)
        elif isinstance(pending.purpose, DatePurpose):
            span = await _range_for(context, user.id, pending.purpose, pending.record_id)
            day = parse_date(text, earliest=span.earliest, latest=span.latest)
            await _on_date(update, context, pending.purpose, pending.record_id, day)
    except InvalidNumberText:
        await message.reply_text(
            texts.BAD_AGE if pending.purpose is TypedAnswer.AGE else texts.BAD_T_SCORE
        )
    except calcium_schedule.InvalidSetting:
        await message.reply_text(texts.BAD_AMOUNT)
    except pill_counts.InvalidCount:
        await message.reply_text(texts.BAD_COUNT)
    except InvalidDateText:
        await message.reply_text(texts.BAD_DATE)
    except (NotYourRecord, NotRegistered):  # the record ended meanwhile (the regimen changed)
        _forget(context)
        await message.reply_text(texts.BUTTON_EXPIRED)


async def _typed_target(
    update: Update, context: Context, pending: PendingInput, text: str
) -> None:
    """The care team's calcium target (first) and vitamin D target (then), typed."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        return
    cleaned = text.strip().lower().removesuffix("mg").removesuffix("iu").strip()
    if not cleaned.isdigit() or len(cleaned) > 5:
        raise calcium_schedule.InvalidSetting(text)
    amount = int(cleaned)
    found = services(context)
    if pending.purpose is TypedAnswer.CALCIUM_TARGET:
        calcium_schedule.check_targets(amount, None)
        await _mark_answered(update, context, f"{amount} mg")
        sent = await context.bot.send_message(chat.id, texts.ASK_VITAMIN_D_TARGET)
        _remember(context, TypedAnswer.VITAMIN_D_TARGET, amount, sent)
        return
    async with found.sessions() as session:
        view = await calcium_schedule.set_targets(
            session,
            user.id,
            calcium_mg=pending.record_id,
            vitamin_d_iu=amount,
            now=found.clock(),
        )
    await _mark_answered(update, context, f"{amount} IU")
    goal = view.targets
    saved = texts.TARGETS_SAVED.format(calcium=goal.calcium_mg, vitamin_d=goal.vitamin_d_iu)
    await message.reply_text(f"{saved}\n{texts.calcium_proposal(view)}")


async def _typed_count(update: Update, context: Context, pending: PendingInput, text: str) -> None:
    """A typed pill count for the medicine asked about."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    tablets = pill_counts.parse_count(text)
    found = services(context)
    async with found.sessions() as session:
        view = await pill_counts.set_count(
            session,
            found.planner,
            telegram_user_id=user.id,
            medication_id=pending.record_id,
            tablets=tablets,
            now=found.clock(),
        )
    await _mark_answered(update, context, str(tablets))
    await message.reply_text(texts.pills_saved(view))


async def cancel_input(update: Update, context: Context) -> None:
    """/cancel while something is asked: stop asking, change nothing."""
    message, chat = update.effective_message, update.effective_chat
    pending = _forget(context)
    if pending is not None and chat is not None:
        await edit_message(context.bot, chat.id, pending.message_id, texts.INPUT_STOPPED)
    if message is not None:
        await message.reply_text(texts.CANCELLED)


def register(app: App) -> None:
    """Add /bone, /calendar, their buttons, and typed answers while a question is open."""
    awaiting = AwaitingInput(app)
    app.add_handler(CommandHandler("bone", bone_command))
    app.add_handler(CommandHandler("calendar", calendar_command))
    app.add_handler(CommandHandler("cancel", cancel_input, filters=awaiting))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^b:"))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & awaiting, on_typed))
