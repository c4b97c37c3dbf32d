"""The weekly symptom check-in in the chat: /symptoms, its buttons, the note, its reminder.

One question per message with big buttons; the answered question is edited to show the
answer, and the next one arrives as a new message. An answer that raises a warning sign gets
its advice at once, before the next question, and its alerts to linked people are planned
then. The database holds the check-in, so a button still works after a restart; only a
typed note needs the conversation's state.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import time

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.domain.dose_times import InvalidTimeText, parse_time_of_day
from bot.domain.errors import NotRegistered, NotYourRecord
from bot.domain.symptoms import NOTE_MAX_LENGTH, NotePrompt, NoteTooLong, UnexpectedAnswer
from bot.exports import charts
from bot.services import care_alerts, checkins, symptom_history
from bot.services.context import Services
from handlers.common import (
    App,
    Context,
    answer_query,
    buttons_and_text_conversation,
    conversation_of,
    edit_message,
    edit_query_message,
    for_registered,
    parse_press,
    pressed_label,
    services,
    settle_query,
)
from ui import texts
from ui.keyboards.doses import (
    CheckinAction,
    CheckinTap,
    checkin_day_buttons,
    checkin_note_buttons,
    checkin_question_buttons,
    checkin_time_buttons,
    checkin_yes_no_buttons,
    parse_checkin_action,
)

ANSWERING, SETTING_TIME = 1, 2
log = logging.getLogger(__name__)


async def _send_step(update: Update, context: Context, view: checkins.CheckinStep) -> int:
    """Send the step an open check-in stands at, as a new message with its buttons."""
    chat = update.effective_chat
    if chat is None:
        return ConversationHandler.END
    for advice in view.advice:  # what the last answer raised comes before the next question
        await context.bot.send_message(
            chat.id, texts.checkin_alert(advice.message, advice.right_away)
        )
    if view.care_alert_ids:
        await context.bot.send_message(chat.id, texts.CARE_TEAM_TOLD)
    step = view.step
    if isinstance(step, NotePrompt):
        text = texts.CHECKIN_NOTE.format(limit=NOTE_MAX_LENGTH)
        sent = await context.bot.send_message(
            chat.id, text, reply_markup=checkin_note_buttons(view.checkin_id)
        )
        conversation_of(context).note_message_id = sent.message_id
        return ANSWERING
    if isinstance(step, checkins.WantsToStopPrompt):
        text = texts.checkin_wants_to_stop(view.progress)
        markup = checkin_yes_no_buttons(view.checkin_id)
    else:
        text = texts.checkin_question(step.text, view.progress)
        markup = checkin_question_buttons(view.checkin_id, step)
    await context.bot.send_message(
        chat.id, text, reply_markup=markup, parse_mode=texts.QUESTION_PARSE_MODE
    )
    return ANSWERING


async def _start(update: Update, context: Context) -> int:
    """Start or resume the acting patient's check-in."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return ConversationHandler.END
    found = services(context)
    try:
        async with found.sessions() as session:
            view = await checkins.start_checkin(session, user.id, found.clock())
    except NotRegistered:
        await context.bot.send_message(chat.id, texts.NOT_REGISTERED)
        return ConversationHandler.END
    intro = texts.CHECKIN_RESUMED if view.resumed else texts.CHECKIN_INTRO
    await context.bot.send_message(chat.id, intro)
    return await _send_step(update, context, view)


async def symptoms_command(update: Update, context: Context) -> int:
    """/symptoms starts or resumes the check-in; /symptoms settings sets its reminder."""
    if context.args and context.args[0].lower() == "settings":
        return await _show_settings(update, context)
    if context.args and context.args[0].lower() == "history":
        await _show_history(update, context)
        return ConversationHandler.END
    return await _start(update, context)


async def _show_history(update: Update, context: Context) -> None:
    """Send the chart of the patient's own symptoms over recent check-ins."""
    loaded = await for_registered(update, context, symptom_history.own_history)
    if loaded is not None:
        message, history = loaded
        await send_symptom_history(context, message.chat_id, history)


async def send_symptom_history(
    context: Context, chat_id: int, history: symptom_history.SymptomHistory
) -> None:
    """Send a symptom chart, or say plainly why there is none."""
    if history.checkins == 0:
        await context.bot.send_message(chat_id, texts.HISTORY_NO_CHECKINS)
        return
    if not history.series:
        await context.bot.send_message(
            chat_id, texts.HISTORY_ALL_WELL.format(count=history.checkins)
        )
        return
    title = texts.history_chart_title(history.patient_name, history.checkins)
    png = await asyncio.to_thread(
        charts.symptom_trend_png, history.series, title=title, zone=history.zone
    )
    await context.bot.send_photo(chat_id, png, caption=texts.HISTORY_CAPTION)


async def _show_settings(update: Update, context: Context) -> int:
    loaded = await for_registered(
        update, context, lambda session, user_id, _now: checkins.checkin_setting(session, user_id)
    )
    if loaded is None:
        return ConversationHandler.END
    message, setting = loaded
    now = (
        texts.CHECKIN_SETTINGS_OFF_NOW
        if setting is None
        else texts.CHECKIN_SETTINGS_ON_NOW.format(
            day=texts.WEEKDAYS[setting.weekday], time=texts.hhmm(setting.time_of_day)
        )
    )
    await message.reply_text(
        texts.CHECKIN_SETTINGS_DAY.format(now=now), reply_markup=checkin_day_buttons()
    )
    return ConversationHandler.END


async def on_button(update: Update, context: Context) -> int | None:
    """Take a press on a check-in button; refuse other people's and stale ones kindly."""
    pressed = await parse_press(update, parse_checkin_action)
    if pressed is None:
        return None
    query, user, action = pressed
    if action.action is CheckinTap.START:
        await answer_query(query)
        return await _start(update, context)
    if action.action in (CheckinTap.WEEKDAY, CheckinTap.TIME):
        return await _settings_button(update, context, action)
    pressed_on = query.message if isinstance(query.message, Message) else None
    question = (pressed_on.text if pressed_on else None) or ""
    # The question as shown, bold words and all (PTB rebuilds the HTML from its entities).
    question_html = pressed_on.text_html if pressed_on and pressed_on.text else ""
    label = pressed_label(update)
    found = services(context)
    try:
        async with found.sessions() as session:
            match action.action:
                case CheckinTap.STOP_FOR_NOW:
                    kept = await checkins.pause_checkin(session, user.id, action.checkin_id or 0)
                case CheckinTap.NO_NOTE:
                    result = await checkins.complete_checkin(
                        session,
                        telegram_user_id=user.id,
                        checkin_id=action.checkin_id,
                        note=None,
                        now=found.clock(),
                    )
                case CheckinTap.STOP_WISH:
                    view = await checkins.answer_wants_to_stop(
                        session,
                        telegram_user_id=user.id,
                        checkin_id=action.checkin_id or 0,
                        wants_to_stop=bool(action.yes),
                    )
                case _:  # ANSWER
                    assert action.attribute is not None
                    assert action.item_code is not None
                    view = await checkins.answer_question(
                        session,
                        telegram_user_id=user.id,
                        checkin_id=action.checkin_id or 0,
                        item_code=action.item_code,
                        attribute=action.attribute,
                        score=action.score,
                        now=found.clock(),
                    )
    except NotYourRecord:
        await answer_query(query, texts.NOT_YOURS)
        return None
    except checkins.CheckinClosed:
        await answer_query(query, texts.CHECKIN_FINISHED)
        return None
    except UnexpectedAnswer:
        await answer_query(query, texts.CHECKIN_STALE)
        return None
    match action.action:
        case CheckinTap.STOP_FOR_NOW:
            paused = texts.CHECKIN_PAUSED.format(count=kept) if kept else texts.CHECKIN_PAUSED_NONE
            await settle_query(query, paused)
            return ConversationHandler.END
        case CheckinTap.NO_NOTE:
            conversation_of(context).note_message_id = None
            await settle_query(query, texts.answered_line(question, label))
            await _send_result(update, context, result)
            return ConversationHandler.END
    # Alerts to linked people go out now, even if the check-in stops at this question.
    care_alerts.dispatch(found.planner, list(view.care_alert_ids), found.clock())
    # The next question goes out while the answered one is settled: the person waits for
    # the question, and three calls in flight together shorten that wait. A failure to
    # settle (the old question keeps its buttons) must not lose the conversation's state.
    settled, state = await asyncio.gather(
        settle_query(
            query,
            texts.answered_question(question_html, label),
            parse_mode=texts.QUESTION_PARSE_MODE,
        ),
        _send_step(update, context, view),
        return_exceptions=True,
    )
    if isinstance(state, BaseException):
        raise state
    if isinstance(settled, BaseException):
        log.warning("answered question not settled: %s", type(settled).__name__)
    return state


async def on_note(update: Update, context: Context) -> int | None:
    """Take the typed note; a note past the limit is refused kindly and can be resent."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        return None
    text = message.text or ""
    found = services(context)
    try:
        async with found.sessions() as session:
            result = await checkins.complete_checkin(
                session,
                telegram_user_id=user.id,
                checkin_id=None,
                note=text,
                now=found.clock(),
            )
    except NoteTooLong:
        await message.reply_text(
            texts.CHECKIN_NOTE_TOO_LONG.format(length=len(text.strip()), limit=NOTE_MAX_LENGTH)
        )
        return None
    except (UnexpectedAnswer, NotYourRecord, checkins.CheckinClosed):
        await message.reply_text(texts.CHECKIN_NOT_NOW)
        return None
    state = conversation_of(context)
    note_message, state.note_message_id = state.note_message_id, None
    if note_message is not None:
        prompt = texts.CHECKIN_NOTE.format(limit=NOTE_MAX_LENGTH)
        await edit_message(context.bot, chat.id, note_message, texts.answered_line(prompt, "✍️"))
    await _send_result(update, context, result)
    return ConversationHandler.END


async def _send_result(update: Update, context: Context, result: checkins.CheckinResult) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    found = services(context)
    care_alerts.dispatch(found.planner, list(result.care_alert_ids), found.clock())
    reported = [(r.label, r.answers) for r in result.reported]
    summary = texts.checkin_summary(reported, result.note_saved, result.flagged)
    await context.bot.send_message(chat.id, summary)
    for alert in result.alerts:
        text = texts.checkin_alert(alert.message, alert.right_away)
        await context.bot.send_message(chat.id, text)
    if result.care_alert_ids:
        await context.bot.send_message(chat.id, texts.CARE_TEAM_TOLD)


async def _settings_button(update: Update, context: Context, action: CheckinAction) -> int | None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return None
    found = services(context)
    if action.action is CheckinTap.WEEKDAY and action.weekday is not None:
        await answer_query(query)
        conversation_of(context).settings_day = action.weekday
        day = texts.WEEKDAYS[action.weekday]
        await edit_query_message(
            query,
            texts.CHECKIN_SETTINGS_TIME.format(day=day),
            checkin_time_buttons(action.weekday),
        )
        return SETTING_TIME
    try:
        async with found.sessions() as session:
            if action.action is CheckinTap.WEEKDAY:
                await checkins.turn_off_checkin_schedule(session, found.planner, user.id)
                reply = texts.CHECKIN_SETTINGS_TURNED_OFF
            else:
                assert action.weekday is not None
                assert action.time_of_day is not None
                reply = await _save_schedule(
                    session, found, user.id, action.weekday, action.time_of_day
                )
    except NotRegistered:
        await answer_query(query, texts.NOT_REGISTERED)
        return ConversationHandler.END
    await answer_query(query)
    conversation_of(context).settings_day = None
    await edit_query_message(query, reply)
    return ConversationHandler.END


async def _save_schedule(
    session: AsyncSession, found: Services, telegram_user_id: int, weekday: int, at: time
) -> str:
    upcoming = await checkins.set_checkin_schedule(
        session,
        found.planner,
        telegram_user_id=telegram_user_id,
        weekday=weekday,
        time_of_day=at,
        now=found.clock(),
    )
    when = f"{texts.day_label(upcoming.date())} at {texts.hhmm(upcoming)}"
    return texts.CHECKIN_SETTINGS_SAVED.format(
        day=texts.WEEKDAYS[weekday], time=texts.hhmm(at), when=when
    )


async def on_settings_time(update: Update, context: Context) -> int | None:
    """Take a typed time for the weekly reminder."""
    message, user = update.effective_message, update.effective_user
    weekday = conversation_of(context).settings_day
    if message is None or user is None or weekday is None:
        return ConversationHandler.END
    try:
        at = parse_time_of_day(message.text or "")
    except InvalidTimeText:
        await message.reply_text(texts.BAD_TIME)
        return None
    found = services(context)
    try:
        async with found.sessions() as session:
            reply = await _save_schedule(session, found, user.id, weekday, at)
    except NotRegistered:
        await message.reply_text(texts.NOT_REGISTERED)
        return ConversationHandler.END
    conversation_of(context).settings_day = None
    await message.reply_text(reply)
    return ConversationHandler.END


async def cancel(update: Update, context: Context) -> int:
    """/cancel during a check-in keeps the answers given so far; /symptoms goes on."""
    user, message = update.effective_user, update.effective_message
    state = conversation_of(context)
    state.settings_day = state.note_message_id = None
    if user is None or message is None:
        return ConversationHandler.END
    found = services(context)
    async with found.sessions() as session:
        open_id = await checkins.open_checkin_id(session, user.id)
        kept = await checkins.pause_checkin(session, user.id, open_id) if open_id else 0
    if open_id is None:
        await message.reply_text(texts.CANCELLED)
    elif kept:
        await message.reply_text(texts.CHECKIN_PAUSED.format(count=kept))
    else:
        await message.reply_text(texts.CHECKIN_PAUSED_NONE)
    return ConversationHandler.END


async def on_other_message(update: Update, context: Context) -> int | None:
    """Stickers, photos and the like during a check-in: point back at the buttons."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(texts.CHECKIN_NOT_NOW)
    return None


def conversation() -> ConversationHandler[Context]:
    """Build the check-in conversation (buttons work without it; typed text needs it)."""
    return buttons_and_text_conversation(
        "checkin",
        entry_points=[
            CommandHandler("symptoms", symptoms_command),
            CallbackQueryHandler(on_button, pattern=r"^c:"),
        ],
        states={
            ANSWERING: [
                CallbackQueryHandler(on_button, pattern=r"^c:"),
                MessageHandler(filters.TEXT & ~filters.COMMAND, on_note),
                MessageHandler(~filters.COMMAND, on_other_message),
            ],
            SETTING_TIME: [
                CallbackQueryHandler(on_button, pattern=r"^c:"),
                MessageHandler(filters.TEXT & ~filters.COMMAND, on_settings_time),
            ],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            CommandHandler("symptoms", symptoms_command),
        ],
    )


def register(app: App) -> None:
    """Add the check-in conversation."""
    app.add_handler(conversation())
