"""Pill counts: the list, a medicine's count (typed), stop counting it."""

from __future__ import annotations

from telegram import Update

from bot.services.bone import pill_counts
from handlers.bone import questions
from handlers.common import Context, answer_query, services
from handlers.conversation import PendingInput, TypedAnswer
from ui import texts
from ui.keyboards.bone import BoneAction, BonePress, pill_count_buttons


async def on_pills(update: Update, context: Context, action: BonePress) -> None:
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
        questions.remember(context, TypedAnswer.PILL_COUNT, action.record_id, sent)
    else:
        await context.bot.send_message(chat.id, texts.PILLS_STOPPED.format(name=product.name))


async def on_typed_count(
    update: Update, context: Context, pending: PendingInput, text: str
) -> None:
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
    await questions.mark_answered(update, context, str(tablets))
    await message.reply_text(texts.pills_saved(view))
