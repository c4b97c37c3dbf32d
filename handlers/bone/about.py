"""About you: the optional questions around the risk questions, and the risk questions' order.

The risk questions (from /bone) start with who the patient is (sex; for a woman, whether
her periods have stopped), go through the yes/no questions and the age (`handlers.bone.dxa`),
and end with height and weight; then the assessment is shown. Every answer is optional:
a skipped one changes nothing but which criteria and check-in items apply.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.domain.bone_health import RISK_QUESTIONS
from bot.domain.errors import NotRegistered, NotYourRecord
from bot.domain.person import Body, Sex
from bot.services.bone import dxa
from handlers.bone import questions
from handlers.common import App, Context, answer_query, parse_press, pressed_label, services
from handlers.conversation import TypedAnswer
from ui import texts
from ui.keyboards.about import (
    AboutPress,
    body_skip_button,
    menopause_buttons,
    parse_about,
    sex_buttons,
)
from ui.keyboards.bone import risk_buttons, scan_setup_buttons


async def ask_first(context: Context, chat_id: int) -> None:
    """Open the risk questions with the first question about the patient."""
    await context.bot.send_message(chat_id, texts.ASK_SEX, reply_markup=sex_buttons())


async def ask_risk(context: Context, chat_id: int, index: int) -> None:
    """Ask one of the yes/no risk questions."""
    question = RISK_QUESTIONS[index].text
    await context.bot.send_message(chat_id, question, reply_markup=risk_buttons(index))


async def ask_body(context: Context, chat_id: int) -> None:
    """Ask for height and weight (typed), with Skip."""
    sent = await context.bot.send_message(chat_id, texts.ASK_BODY, reply_markup=body_skip_button())
    questions.remember(context, TypedAnswer.BODY, 0, sent)


async def on_button(update: Update, context: Context) -> None:
    """A press on an "about you" button: save it and ask what comes next."""
    pressed = await parse_press(update, parse_about)
    if pressed is None:
        return
    query, user, press = pressed
    chat = update.effective_chat
    if chat is None:
        return
    try:
        await _answer(update, context, user.id, chat.id, press)
    except (NotYourRecord, NotRegistered):
        await answer_query(query, texts.NOT_YOURS)


async def _answer(
    update: Update, context: Context, user_id: int, chat_id: int, press: AboutPress
) -> None:
    if press.skip_body:
        await finish_body(update, context, None)
        return
    found = services(context)
    label = pressed_label(update)
    sex = press.sex or Sex.FEMALE  # a menopause answer is only asked of a woman
    async with found.sessions() as session:
        await dxa.set_about(
            session,
            telegram_user_id=user_id,
            sex=sex,
            menopause=press.menopause,
            now=found.clock(),
        )
    await questions.answered(update, label)
    if press.sex is Sex.FEMALE:
        await context.bot.send_message(
            chat_id, texts.ASK_MENOPAUSE, reply_markup=menopause_buttons()
        )
        return
    await ask_risk(context, chat_id, 0)


async def finish_body(update: Update, context: Context, body: Body | None) -> None:
    """Save height and weight (typed, or None when skipped) and show what the answers mean."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    found = services(context)
    async with found.sessions() as session:
        view = await dxa.set_body(session, telegram_user_id=user.id, body=body, now=found.clock())
    label = texts.BODY_SKIP if body is None else texts.body_answer(*body)
    await questions.mark_answered(update, context, label)
    markup = scan_setup_buttons(view.profile_id) if view.assessment.scan_missing else None
    await context.bot.send_message(chat.id, texts.risk_done(view), reply_markup=markup)


def register(app: App) -> None:
    """Add the "about you" buttons (`me:`)."""
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^me:"))
