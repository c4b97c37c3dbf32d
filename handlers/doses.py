"""Buttons under dose reminders: Taken, Later, Skip (with a reason), "I missed it", the full
instructions, and a late reminder's "have you eaten?"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.domain.answer_times import CHANGEABLE_STATUSES
from bot.domain.dose_times import InvalidTimeText, parse_time_of_day
from bot.domain.errors import AlreadyAnswered, NotAnsweredYet, NotYourRecord, TooLateToChange
from bot.services import dose_answers, holds
from bot.services.context import Services
from bot.services.doses import DueDose
from handlers.common import (
    App,
    Context,
    answer_query,
    conversation_of,
    edit_message,
    edit_query_markup,
    parse_press,
    services,
    settle_query,
    unit_of_work,
)
from handlers.conversation import TakenTimeInput
from ui import texts
from ui.keyboards.doses import (
    DoseAction,
    DoseTap,
    change_button,
    change_buttons,
    full_reminder_message,
    parse_dose_action,
    reminder_message,
    skip_reason_buttons,
    snooze_buttons,
    take_it_now_message,
    taken_time_buttons,
)

Answered = dose_answers.Answer | dose_answers.SupplementAnswer


def _shown(answer: Answered) -> str:
    """The reminder's text once answered: a medicine's outcome, or a supplement's."""
    if isinstance(answer, dose_answers.SupplementAnswer):
        return texts.supplement_answered(answer)
    return texts.answered(answer)


def _again(answer: Answered) -> str:
    """The toast for a second press on an answered reminder."""
    if isinstance(answer, dose_answers.SupplementAnswer):
        return texts.supplement_answered(answer)
    return texts.already_answered(answer)


async def on_dose_button(update: Update, context: Context) -> None:
    """Record the press for the acting user's own dose only; show the outcome in place."""
    pressed = await parse_press(update, parse_dose_action)
    if pressed is None:
        return
    await answer_press(update, context, pressed[2])


async def answer_press(update: Update, context: Context, action: DoseAction) -> None:
    """Carry out a press under a reminder (a medicine's or a supplement's) and show it."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    found = services(context)
    try:
        shown = await unit_of_work(
            context, lambda session: _press(session, found, user.id, action)
        )
    except NotYourRecord:
        await answer_query(query, texts.NOT_YOURS)
        return
    except TooLateToChange:
        await answer_query(query, texts.TOO_LATE_TO_CHANGE)
        return
    except NotAnsweredYet:
        await answer_query(query, texts.NOT_ANSWERED_YET)
        return
    match shown:
        case _Buttons(markup, notice):  # still open: other buttons under the same text
            await answer_query(query, notice)
            await edit_query_markup(query, markup)
        case _Shown(text, markup):  # another text (a question, or Back to it)
            await settle_query(query, text, markup)
        case _Typing(text, markup):
            message = query.message
            if message is not None:
                until = found.clock() + TYPED_TIME_TTL
                conversation_of(context).taken_time_input = TakenTimeInput(
                    action.event_id, message.message_id, until
                )
            await settle_query(query, text, markup)
        case (answer, before):
            notice = _again(answer) if before else None
            if action.action in (DoseTap.CHANGE_TO_TAKEN, DoseTap.CHANGE_TO_MISSED):
                notice = texts.CHANGED
            await settle_query(query, _shown(answer), _after(answer, action), notice=notice)


def _after(answer: Answered, action: DoseAction) -> InlineKeyboardMarkup | None:
    """The button under an answered medicine dose: Change (supplements have none)."""
    if isinstance(answer, dose_answers.SupplementAnswer):
        return None
    if answer.status not in CHANGEABLE_STATUSES:
        return None
    return change_button(action.event_id)


# The reminder shown again in place: short (Back, « Short), with the label's full
# instructions, or, after a late reminder's "No, only plain water", to take it now.
_REMINDER_VIEWS = {
    DoseTap.BACK: reminder_message,
    DoseTap.FULL: full_reminder_message,
    DoseTap.ONLY_WATER: take_it_now_message,
}


@dataclass(frozen=True)
class _Buttons:
    """Swap the buttons under the reminder (Skip's reasons, Later's lengths)."""

    markup: InlineKeyboardMarkup
    notice: str | None = None


@dataclass(frozen=True)
class _Typing:
    """Ask for a typed time (the question's message then waits for it)."""

    text: str
    markup: InlineKeyboardMarkup


@dataclass(frozen=True)
class _Shown:
    """Replace the reminder with another text and buttons (When did you take it?, Back)."""

    text: str
    markup: InlineKeyboardMarkup


async def _press(
    session: AsyncSession, found: Services, telegram_user_id: int, action: DoseAction
) -> _Buttons | _Shown | _Typing | tuple[Answered, bool]:
    """Work out a press: another set of buttons, a question, or the recorded answer."""
    event_id, now = action.event_id, found.clock()
    try:
        match action.action:
            case DoseTap.ASK_SKIP_REASON:
                await dose_answers.check_open_dose(session, telegram_user_id, event_id)
                return _Buttons(skip_reason_buttons(event_id))
            case DoseTap.LATER if action.minutes is None:
                await dose_answers.open_reminder(session, telegram_user_id, event_id, now)
                markup = snooze_buttons(event_id, found.settings.snooze_minutes)
                return _Buttons(markup, texts.ASK_SNOOZE)
            case DoseTap.BACK | DoseTap.FULL | DoseTap.ONLY_WATER:
                reminder = await dose_answers.open_reminder(
                    session, telegram_user_id, event_id, now
                )
                return _Shown(*_REMINDER_VIEWS[action.action](reminder))
            case DoseTap.TAKEN:
                taken = await dose_answers.take_or_ask(
                    session,
                    found.planner,
                    telegram_user_id=telegram_user_id,
                    event_id=event_id,
                    now=now,
                )
                if isinstance(taken, dose_answers.WhenTaken):
                    return _Shown(texts.when_taken_question(taken), taken_time_buttons(taken))
                return taken, False
            case DoseTap.CHANGE:
                options = await dose_answers.change_options(
                    session, telegram_user_id, event_id, now
                )
                return _Shown(texts.change_question(options), change_buttons(options))
            case DoseTap.CHANGE_TO_TAKEN | DoseTap.CHANGE_TO_MISSED:
                changed = await dose_answers.change_answer(
                    session,
                    found.planner,
                    telegram_user_id=telegram_user_id,
                    event_id=event_id,
                    now=now,
                    taken_at=action.taken_at,
                )
                return changed, False
            case DoseTap.GO_ON:
                reminder = await holds.go_on(
                    session,
                    found.planner,
                    telegram_user_id=telegram_user_id,
                    event_id=event_id,
                    now=now,
                )
                return _Shown(*reminder_message(reminder))
            case DoseTap.TYPE_TIME:
                reminder = await dose_answers.open_reminder(
                    session, telegram_user_id, event_id, now
                )
                name = reminder.product.name if isinstance(reminder, DueDose) else ""
                back = InlineKeyboardMarkup(
                    [
                        [
                            InlineKeyboardButton(
                                texts.BACK, callback_data=f"d:{DoseTap.BACK}:{event_id}"
                            )
                        ]
                    ]
                )
                return _Typing(texts.ASK_TYPED_TAKEN_TIME.format(name=name), back)
            case DoseTap.KEEP:
                return await dose_answers.describe_answer(
                    session, telegram_user_id, event_id
                ), False
    except AlreadyAnswered:
        return await dose_answers.describe_answer(session, telegram_user_id, event_id), True
    return await _record(session, found, telegram_user_id, action)


async def _record(
    session: AsyncSession, found: Services, telegram_user_id: int, action: DoseAction
) -> tuple[Answered, bool]:
    """Record the press; return the answer and whether it had been given before."""
    now, planner, event_id = found.clock(), found.planner, action.event_id
    try:
        match action.action:
            case DoseTap.TAKEN | DoseTap.TAKEN_AT:
                answer = await dose_answers.take_dose(
                    session,
                    planner,
                    telegram_user_id=telegram_user_id,
                    event_id=event_id,
                    now=now,
                    taken_at=action.taken_at,
                )
            case DoseTap.LATER:
                answer = await dose_answers.snooze_dose(
                    session,
                    planner,
                    telegram_user_id=telegram_user_id,
                    event_id=event_id,
                    now=now,
                    minutes=action.minutes or found.settings.snooze_minutes,
                )
            case DoseTap.SKIP:
                answer = await dose_answers.skip_dose(
                    session,
                    planner,
                    telegram_user_id=telegram_user_id,
                    event_id=event_id,
                    reason=action.reason or "",
                    now=now,
                )
            case _:  # MISSED
                answer = await dose_answers.miss_dose(
                    session, planner, telegram_user_id=telegram_user_id, event_id=event_id, now=now
                )
    except AlreadyAnswered:
        return await dose_answers.describe_answer(session, telegram_user_id, event_id), True
    return answer, False


TYPED_TIME_TTL = timedelta(minutes=15)  # a typed time answers the question this long


class AwaitingTakenTime(filters.UpdateFilter):
    """Let typed text through only while this person was asked when they took a dose."""

    def __init__(self, app: App) -> None:
        super().__init__(name="AwaitingTakenTime")
        self._app = app

    def filter(self, update: Update) -> bool:
        """Tell whether the sender has a "When did you take it?" question open."""
        user = update.effective_user
        state = self._app.user_data.get(user.id) if user is not None else None
        return state is not None and state.taken_time_input is not None


async def on_typed_time(update: Update, context: Context) -> None:
    """A typed take time: recorded when it fits the dose; re-asked kindly when it won't do."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    conversation = conversation_of(context)
    pending = conversation.taken_time_input
    if message is None or user is None or chat is None or pending is None:
        return
    found = services(context)
    if found.clock() > pending.until:
        conversation.taken_time_input = None
        await message.reply_text(texts.UNKNOWN_TEXT)
        return
    try:
        at = parse_time_of_day(message.text or "")
        answer = await unit_of_work(
            context,
            lambda session: dose_answers.take_at_time_of_day(
                session,
                found.planner,
                telegram_user_id=user.id,
                event_id=pending.event_id,
                at=at,
                now=found.clock(),
            ),
        )
    except (InvalidTimeText, NotYourRecord):
        await message.reply_text(texts.BAD_TAKEN_TIME)
        return
    except AlreadyAnswered:
        conversation.taken_time_input = None
        answer = await unit_of_work(
            context,
            lambda session: dose_answers.describe_answer(session, user.id, pending.event_id),
        )
    conversation.taken_time_input = None
    action = DoseAction(DoseTap.TAKEN, pending.event_id)
    await edit_message(
        context.bot, chat.id, pending.message_id, _shown(answer), _after(answer, action)
    )


def register(app: App) -> None:
    """Add the dose button handler."""
    app.add_handler(CallbackQueryHandler(on_dose_button, pattern=r"^d:"))
    awaiting = AwaitingTakenTime(app)
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & awaiting, on_typed_time))
