"""Calcium and vitamin D: reminder answers, the set-up (form, food, meal times), targets, off."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from bot.domain.calcium_spacing import too_close
from bot.domain.dose_times import parse_time_of_day
from bot.domain.errors import NotYourRecord
from bot.services import dose_answers
from bot.services.bone import calcium
from handlers.bone import questions
from handlers.common import (
    Context,
    answer_query,
    conversation_of,
    edit_query_message,
    services,
    settle_query,
    unit_of_work,
)
from handlers.conversation import PendingInput, TypedAnswer
from handlers.doses import answer_press
from ui import texts
from ui.keyboards.bone import (
    BoneAction,
    BonePress,
    CalciumStep,
    calcium_diet_buttons,
    calcium_form_buttons,
    calcium_menu_buttons,
    meal_time_buttons,
    vitamin_d_buttons,
)
from ui.keyboards.doses import DoseAction, DoseTap


async def on_supplement(update: Update, context: Context, action: BonePress) -> None:
    """Taken or Later under a calcium reminder sent before revision 0011 (its buttons carry
    the old supplement event id): answered as the dose event it became."""
    legacy_id = action.record_id
    event_id = await unit_of_work(
        context, lambda session: dose_answers.legacy_supplement_event(session, legacy_id)
    )
    if event_id is None:
        raise NotYourRecord
    if action.action is BoneAction.SUPPLEMENT_TAKEN:
        pressed = DoseAction(DoseTap.TAKEN, event_id)
    else:  # its label promised the configured length ("Later (15 min)"): no choice to make
        pressed = DoseAction(
            DoseTap.LATER, event_id, minutes=services(context).settings.snooze_minutes
        )
    await answer_press(update, context, pressed)


async def on_calcium(update: Update, context: Context, action: BonePress) -> None:
    """The calcium set-up: form, calcium from food, meal times; targets; off."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or user is None or chat is None:
        return
    found = services(context)
    now = found.clock()
    if action.step is CalciumStep.MEAL_TIME:
        await _meal_time(update, context, action)
        return
    if action.step is CalciumStep.TURN_OFF:
        await unit_of_work(
            context, lambda session: calcium.turn_off(session, found.planner, user.id, now)
        )
        await settle_query(query, texts.CALCIUM_TURNED_OFF)
        return
    if action.step is CalciumStep.VITAMIN_D:
        await settle_query(query, texts.ASK_VITAMIN_D, vitamin_d_buttons())
        return
    if action.step in (CalciumStep.VITAMIN_D_TIME, CalciumStep.VITAMIN_D_NONE):
        at = action.at if action.step is CalciumStep.VITAMIN_D_TIME else None
        await unit_of_work(
            context,
            lambda session: calcium.set_vitamin_d(
                session, found.planner, telegram_user_id=user.id, at=at, now=now
            ),
        )
        said = texts.VITAMIN_D_SAVED.format(time=f"{at:%H:%M}") if at else texts.VITAMIN_D_OFF
        await settle_query(query, said)
        return
    view = await unit_of_work(context, lambda session: _changed(session, user.id, action, now))
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
            questions.remember(context, TypedAnswer.CALCIUM_TARGET, 0, sent)
        case CalciumStep.FORM:
            label = texts.CALCIUM_FORMS[view.form.value] if view.form else ""
            await questions.answered(update, label)
            markup = calcium_diet_buttons()
            await context.bot.send_message(chat.id, texts.ASK_DIET, reply_markup=markup)
        case CalciumStep.DIET:
            await questions.answered(update, texts.DIET_LABELS.get(action.number or 0, ""))
            await _ask_meal_times(context, chat.id, view)
        case CalciumStep.USUAL:
            goal = view.targets
            saved = texts.TARGETS_SAVED.format(
                calcium=goal.calcium_mg, vitamin_d=goal.vitamin_d_iu
            )
            await edit_query_message(query, f"{saved}\n{texts.calcium_proposal(view)}")


async def _changed(
    session: AsyncSession, telegram_user_id: int, action: BonePress, now: datetime
) -> calcium.CalciumView:
    """Apply a set-up step (form, food, the usual targets) and return the calcium view."""
    match action.step:
        case CalciumStep.FORM:
            return await calcium.set_form(session, telegram_user_id, action.form or "", now)
        case CalciumStep.DIET:
            return await calcium.set_diet(session, telegram_user_id, action.number or 0, now)
        case CalciumStep.USUAL:
            return await calcium.set_targets(
                session, telegram_user_id, calcium_mg=None, vitamin_d_iu=None, now=now
            )
    return await calcium.calcium_view(session, telegram_user_id, now)


async def _ask_meal_times(context: Context, chat_id: int, view: calcium.CalciumView) -> None:
    """Start picking meal times for the suggested doses (or say none are needed)."""
    if not view.proposal or view.form is None:
        await context.bot.send_message(chat_id, texts.calcium_proposal(view))
        return
    conversation_of(context).calcium_times = ()
    sent = await context.bot.send_message(
        chat_id, texts.ask_meal_times(view, []), reply_markup=meal_time_buttons([])
    )
    questions.remember(context, TypedAnswer.MEAL_TIME, 0, sent)


async def _pick(
    context: Context, telegram_user_id: int, at: time
) -> tuple[calcium.CalciumView, list[time], bool]:
    """Add one meal time, tapped or typed; once there is one per dose, save the reminders.

    Returns the view, the times picked so far and whether they were saved.
    """
    found = services(context)
    state = conversation_of(context)
    chosen = [*state.calcium_times, at]

    async def pick(session: AsyncSession) -> tuple[calcium.CalciumView, bool]:
        view = await calcium.calcium_view(session, telegram_user_id, found.clock())
        if not _fits(view, chosen) or len(chosen) < len(view.proposal):
            return view, False
        saved = await calcium.set_times(
            session,
            found.planner,
            telegram_user_id=telegram_user_id,
            times=chosen[: len(view.proposal)],
            now=found.clock(),
        )
        return saved, True

    view, saved = await unit_of_work(context, pick)
    if saved:
        state.calcium_times = ()
        questions.forget_if(context, TypedAnswer.MEAL_TIME)
    elif _fits(view, chosen):
        state.calcium_times = tuple(chosen)
    return view, chosen, saved


async def _meal_time(update: Update, context: Context, action: BonePress) -> None:
    """One meal time tapped; once there is one per dose, the reminders are saved."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or action.at is None:
        return
    near = too_close(action.at, conversation_of(context).calcium_times)
    if near is not None:  # an old keyboard's button, or forged: nothing is picked
        await answer_query(query, texts.MEAL_TIME_TOO_CLOSE.format(time=texts.hhmm(near)))
        return
    view, chosen, saved = await _pick(context, user.id, action.at)
    if saved:
        await settle_query(query, texts.CALCIUM_SAVED.format(plan=texts.calcium_plan(view.times)))
    elif not _fits(view, chosen):
        await answer_query(query, texts.BUTTON_EXPIRED)
    else:
        await answer_query(query)
        question = texts.ask_meal_times(view, chosen)
        await edit_query_message(query, question, meal_time_buttons(chosen))
        questions.reword(context, question)


async def on_typed_meal_time(
    update: Update, context: Context, pending: PendingInput, text: str
) -> None:
    """One meal time typed ("12:45", "7.30 pm"); read as the registration's times are."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        return
    at = parse_time_of_day(text)
    if at in conversation_of(context).calcium_times:
        await message.reply_text(texts.MEAL_TIME_ALREADY.format(time=texts.hhmm(at)))
        return
    near = too_close(at, conversation_of(context).calcium_times)
    if near is not None:
        await message.reply_text(texts.MEAL_TIME_TOO_CLOSE.format(time=texts.hhmm(near)))
        return
    view, chosen, saved = await _pick(context, user.id, at)
    if not saved and not _fits(view, chosen):  # the set-up changed meanwhile
        questions.forget(context)
        await message.reply_text(texts.BUTTON_EXPIRED)
        return
    await questions.mark_answered(update, context, texts.hhmm(at))
    if saved:
        await message.reply_text(texts.CALCIUM_SAVED.format(plan=texts.calcium_plan(view.times)))
        return
    sent = await message.reply_text(
        texts.ask_meal_times(view, chosen), reply_markup=meal_time_buttons(chosen)
    )
    questions.remember(context, TypedAnswer.MEAL_TIME, 0, sent)


def _fits(view: calcium.CalciumView, chosen: list[time]) -> bool:
    """Tell whether the times picked still fit the proposal (an old button may not)."""
    return bool(view.proposal) and view.form is not None and len(set(chosen)) == len(chosen)


async def on_typed_target(
    update: Update, context: Context, pending: PendingInput, text: str
) -> None:
    """The care team's calcium target (first) and vitamin D target (then), typed."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        return
    cleaned = text.strip().lower().removesuffix("mg").removesuffix("iu").strip()
    if not cleaned.isdigit() or len(cleaned) > 5:
        raise calcium.InvalidSetting(text)
    amount = int(cleaned)
    found = services(context)
    if pending.purpose is TypedAnswer.CALCIUM_TARGET:
        calcium.check_targets(amount, None)
        await questions.mark_answered(update, context, f"{amount} mg")
        sent = await context.bot.send_message(chat.id, texts.ASK_VITAMIN_D_TARGET)
        questions.remember(context, TypedAnswer.VITAMIN_D_TARGET, amount, sent)
        return
    async with found.sessions() as session:
        view = await calcium.set_targets(
            session,
            user.id,
            calcium_mg=pending.record_id,
            vitamin_d_iu=amount,
            now=found.clock(),
        )
    await questions.mark_answered(update, context, f"{amount} IU")
    goal = view.targets
    saved = texts.TARGETS_SAVED.format(calcium=goal.calcium_mg, vitamin_d=goal.vitamin_d_iu)
    await message.reply_text(f"{saved}\n{texts.calcium_proposal(view)}")
