"""The weekly exercise nudge's settings (dental check-up dates go through the date picker)."""

from __future__ import annotations

from datetime import time

from telegram import Update

from bot.domain.dose_times import parse_time_of_day
from bot.services.bone import care_prompts
from handlers.bone import questions
from handlers.common import Context, answer_query, edit_query_message, services
from handlers.conversation import PendingInput, TypedAnswer
from ui import texts
from ui.keyboards.bone import BoneAction, BonePress, exercise_day_buttons, exercise_time_buttons


async def on_exercise(update: Update, context: Context, action: BonePress) -> None:
    """The weekly exercise nudge: open its settings, pick a day (or off), then a time."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or user is None or chat is None:
        return
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
        if query.message is not None:  # a typed time answers it too
            message_id = query.message.message_id
            questions.remember_id(
                context, TypedAnswer.EXERCISE_TIME, action.number, message_id, text
            )
        return
    weekday = action.number if action.action is BoneAction.EXERCISE_TIME else None
    questions.forget_if(context, TypedAnswer.EXERCISE_TIME)
    reply = await _save(context, user.id, weekday, action.at)
    await answer_query(query)
    await edit_query_message(query, reply)


async def on_typed_time(
    update: Update, context: Context, pending: PendingInput, text: str
) -> None:
    """The nudge's time typed ("17:30", "5.30 pm") after its weekday was tapped."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    at = parse_time_of_day(text)
    reply = await _save(context, user.id, pending.record_id, at)
    await questions.mark_answered(update, context, texts.hhmm(at))
    await message.reply_text(reply)


async def _save(
    context: Context, telegram_user_id: int, weekday: int | None, at: time | None
) -> str:
    """Set the nudge (or turn it off) and return what to say."""
    found = services(context)
    async with found.sessions() as session:
        upcoming = await care_prompts.set_exercise(
            session,
            found.planner,
            telegram_user_id=telegram_user_id,
            weekday=weekday,
            at=at,
            now=found.clock(),
        )
    if upcoming is None or weekday is None or at is None:
        return texts.EXERCISE_TURNED_OFF
    when = f"{texts.day_label(upcoming.date())} at {texts.hhmm(upcoming)}"
    day = texts.WEEKDAYS[weekday]
    return texts.EXERCISE_SAVED.format(day=day, time=texts.hhmm(at), when=when)
