"""The bone calendar in the chat: /bone, dates given by buttons or typed, reminder answers.

Buttons work without any conversation state (the database holds everything); only a typed
answer needs to know what was asked, so the question stores a small `PendingInput` in the
person's user_data, and a filter lets typed text reach this module only while one is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import clinic_schedule, texts
from bot.catalog import drug_display_name
from bot.clinic_agents import BOOK_AHEAD_DAYS
from bot.date_input import InvalidDateText, parse_date
from bot.errors import NotRegistered, NotYourRecord
from handlers.bone_keyboards import (
    BoneAction,
    agent_menu_buttons,
    date_picker,
    day_picker,
    parse_bone_action,
)
from handlers.common import Context, answer_query, edit_message, edit_query_message, services

PENDING = "bone_input"
# A question left unanswered this long stops taking typed answers (the text is then stray).
INPUT_TTL = timedelta(minutes=30)


@dataclass(frozen=True)
class PendingInput:
    """What a typed answer from this person would answer, and the question's message."""

    purpose: str
    record_id: int
    message_id: int | None
    question: str
    until: datetime


class AwaitingInput(filters.UpdateFilter):
    """Let typed text through only while this person has an open bone-calendar question."""

    def __init__(self, app: Application) -> None:
        super().__init__(name="AwaitingBoneInput")
        self._app = app

    def filter(self, update: Update) -> bool:
        """Tell whether the sender was asked something that takes a typed answer."""
        user = update.effective_user
        data = self._app.user_data.get(user.id) if user is not None else None
        return bool(data) and isinstance(data.get(PENDING), PendingInput)


def _ask_text(purpose: str, view: clinic_schedule.AgentView) -> str:
    name = view.product.name
    if view.last_given_on is None:
        return texts.ASK_LAST_GIVEN.format(name=name)
    if purpose == "g":
        return texts.ASK_GIVEN_DATE.format(name=name)
    return texts.ASK_CORRECT_DATE.format(name=name)


def _remember(context: Context, purpose: str, record_id: int, message: Message) -> None:
    """Store what typed text would answer (one open question per person)."""
    until = services(context).clock() + INPUT_TTL
    question = message.text or ""
    context.user_data[PENDING] = PendingInput(
        purpose, record_id, message.message_id, question, until
    )


def _forget(context: Context) -> PendingInput | None:
    return context.user_data.pop(PENDING, None)


async def ask_last_given(context: Context, chat_id: int, telegram_user_id: int) -> None:
    """Ask for the last clinic dose's date if it is not known (the end of registration)."""
    found = services(context)
    async with found.sessions() as session:
        view = await clinic_schedule.first_unknown_plan(session, telegram_user_id, found.clock())
    if view is None:
        return
    earliest, _ = clinic_schedule.date_range(view.today)
    markup = date_picker("c", view.plan_id, view.today, earliest, first_dose=True)
    text = texts.ASK_LAST_GIVEN.format(name=view.product.name)
    sent = await context.bot.send_message(chat_id, text, reply_markup=markup)
    _remember(context, "c", view.plan_id, sent)


def _menu(views: list[clinic_schedule.AgentView]) -> tuple[str, InlineKeyboardMarkup | None]:
    lines, rows = [texts.BONE_TITLE, ""], []
    for view in views:
        lines.append(texts.agent_lines(view))
        known = view.last_given_on is not None
        drug = drug_display_name(view.product.drug).lower()
        rows += agent_menu_buttons(view.plan_id, drug, known)
    if not views:
        lines.append(texts.BONE_NOTHING)
    return "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


async def bone_command(update: Update, context: Context) -> None:
    """Show the bone calendar with buttons to record or correct dates."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    found = services(context)
    try:
        async with found.sessions() as session:
            _, views = await clinic_schedule.require_views(session, user.id, found.clock())
    except NotRegistered:
        await message.reply_text(texts.NOT_REGISTERED)
        return
    text, markup = _menu(views)
    await message.reply_text(text, reply_markup=markup)


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
    except NotYourRecord:
        await answer_query(query, texts.NOT_YOURS)
    except InvalidDateText:
        await answer_query(query, texts.BAD_DATE)


async def _dispatch(update: Update, context: Context, action: BoneAction) -> None:
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or user is None or chat is None:
        return
    found = services(context)
    if action.action in ("l", "m") and action.purpose is not None:
        async with found.sessions() as session:
            view = await clinic_schedule.plan_view(
                session, user.id, action.record_id, found.clock()
            )
        await answer_query(query)
        earliest, latest = clinic_schedule.date_range(view.today)
        pending: PendingInput | None = context.user_data.get(PENDING)
        on_picker = (
            pending is not None
            and query.message is not None
            and pending.message_id == query.message.message_id
        )
        if action.action == "m" and action.month is not None:
            markup = day_picker(action.purpose, view.plan_id, action.month, earliest, latest)
            text = texts.PICK_DAY.format(month=texts.month_label(action.month))
            await edit_query_message(query, text, markup)
            return
        text = _ask_text(action.purpose, view)
        markup = date_picker(action.purpose, view.plan_id, view.today, earliest)
        if on_picker:  # Back from the days to the months
            await edit_query_message(query, text, markup)
            return
        sent = await context.bot.send_message(chat.id, text, reply_markup=markup)
        _remember(context, action.purpose, view.plan_id, sent)
        return
    question = getattr(query.message, "text", None) or ""
    if action.action == "d" and action.day is not None:
        async with found.sessions() as session:
            recorded = await clinic_schedule.record_given(
                session,
                found.planner,
                telegram_user_id=user.id,
                plan_id=action.record_id,
                given_on=action.day,
                now=found.clock(),
                correcting=action.purpose == "c",
            )
        await answer_query(query)
        _forget(context)
        await edit_query_message(query, f"{question}\n\n➜ {texts.long_date(action.day)}")
        await context.bot.send_message(chat.id, _recorded_text(recorded))
        return
    async with found.sessions() as session:
        view = await clinic_schedule.plan_view(session, user.id, action.record_id, found.clock())
    if action.action == "n" and view.due_on != action.day and view.last_given_on is not None:
        # An old reminder: the dose it asked about was recorded since.
        given = texts.long_date(view.last_given_on)
        await answer_query(query, texts.AGENT_ALREADY.format(name=view.product.name, given=given))
        return
    await answer_query(query)
    _forget(context)
    if action.action == "n":
        reply = f"{question}\n\n➜ {texts.NOT_YET}. {texts.AGENT_NOT_YET}"
    else:
        reply = f"{question}\n\n➜ {texts.NOT_HAD_ONE}.\n{texts.AGENT_FIRST_NOT_YET}"
    await edit_query_message(query, reply)


def _recorded_text(recorded: clinic_schedule.Recorded) -> str:
    view = recorded.view
    if not recorded.changed:
        given = texts.long_date(view.last_given_on or view.today)
        return texts.AGENT_ALREADY.format(name=view.product.name, given=given)
    return texts.agent_saved(view, BOOK_AHEAD_DAYS // 7, clinic_schedule.REMINDER_TIME)


async def on_typed(update: Update, context: Context) -> None:
    """Take a typed date for the open question; re-ask kindly when it cannot be used."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    pending: PendingInput | None = context.user_data.get(PENDING)
    if message is None or user is None or chat is None or pending is None:
        return
    found = services(context)
    if found.clock() > pending.until:
        _forget(context)
        await message.reply_text(texts.UNKNOWN_TEXT)
        return
    text = (message.text or "").strip()
    try:
        async with found.sessions() as session:
            view = await clinic_schedule.plan_view(
                session, user.id, pending.record_id, found.clock()
            )
            earliest, latest = clinic_schedule.date_range(view.today)
            given_on = parse_date(text, earliest=earliest, latest=latest)
            recorded = await clinic_schedule.record_given(
                session,
                found.planner,
                telegram_user_id=user.id,
                plan_id=pending.record_id,
                given_on=given_on,
                now=found.clock(),
                correcting=pending.purpose == "c",
            )
    except InvalidDateText:
        await message.reply_text(texts.BAD_DATE)
        return
    except NotYourRecord:  # the plan ended meanwhile (the regimen changed)
        _forget(context)
        await message.reply_text(texts.BUTTON_EXPIRED)
        return
    _forget(context)
    if pending.message_id is not None:
        answer = f"{pending.question}\n\n➜ {texts.long_date(given_on)}"
        await edit_message(context.bot, chat.id, pending.message_id, answer)
    await message.reply_text(_recorded_text(recorded))


async def cancel_input(update: Update, context: Context) -> None:
    """/cancel while a date is asked: stop asking, change nothing."""
    message = update.effective_message
    pending = _forget(context)
    chat = update.effective_chat
    if pending is not None and pending.message_id is not None and chat is not None:
        await edit_message(context.bot, chat.id, pending.message_id, texts.INPUT_STOPPED)
    if message is not None:
        await message.reply_text(texts.CANCELLED)


def register(app: Application) -> None:
    """Add /bone, its buttons, and typed answers while a question is open."""
    awaiting = AwaitingInput(app)
    app.add_handler(CommandHandler("bone", bone_command))
    app.add_handler(CommandHandler("cancel", cancel_input, filters=awaiting))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^b:"))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & awaiting, on_typed))
