"""The weekly exercise nudge's settings (dental check-up dates go through the date picker)."""

from __future__ import annotations

from telegram import Update

from bot.services.bone import care_prompts
from handlers.common import Context, answer_query, edit_query_message, services
from ui import texts
from ui.keyboards.bone import BoneAction, BonePress, exercise_day_buttons, exercise_time_buttons


async def on_exercise(update: Update, context: Context, action: BonePress) -> None:
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
