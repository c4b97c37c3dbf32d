"""The aromatase inhibitor's planned length, from /bone: how long, and when it started; the
review reminder then comes at the planned end (`bot.services.bone.reviews`)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.domain.errors import NotRegistered, NotYourRecord
from bot.services.bone import reviews
from handlers.common import (
    App,
    Context,
    answer_query,
    edit_query_message,
    parse_press,
    pressed_label,
    services,
    settle_query,
)
from ui import texts
from ui.keyboards.reviews import ReviewStep, parse_review, started_buttons, years_buttons


async def on_button(update: Update, context: Context) -> None:
    """Ask how long, then when it started; save, and say when the review will come."""
    pressed = await parse_press(update, parse_review)
    if pressed is None:
        return
    query, user, press = pressed
    found = services(context)
    async with found.sessions() as session:
        plan = await reviews.ai_plan(session, user.id, found.clock())
    if plan is None:  # no aromatase inhibitor in force: an old button
        await answer_query(query, texts.NOT_YOURS)
        return
    ask = texts.AI_PLAN_ASK.format(drug=plan.drug)
    if press.step is ReviewStep.OPEN:
        await answer_query(query)
        if query.message is not None:
            await context.bot.send_message(
                query.message.chat.id, ask, reply_markup=years_buttons()
            )
        return
    if press.step is ReviewStep.YEARS and press.years:
        await answer_query(query)
        question = f"{ask} ➜ {pressed_label(update)}\n\n{texts.AI_STARTED_ASK}"
        await edit_query_message(query, question, started_buttons(press.years))
        return
    try:
        async with found.sessions() as session:
            saved = await reviews.set_ai_plan(
                session,
                found.planner,
                telegram_user_id=user.id,
                planned_years=press.years or None,
                started_years_ago=press.years_ago,
                now=found.clock(),
            )
    except (NotYourRecord, NotRegistered):
        await answer_query(query, texts.NOT_YOURS)
        return
    await settle_query(query, texts.ai_plan_saved(saved.drug, saved.planned_years, saved.ends_on))


def register(app: App) -> None:
    """Add the planned-length buttons (`rv:`)."""
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^rv:"))
