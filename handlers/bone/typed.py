"""Typed answers to the open bone-calendar question, and /cancel while one is open."""

from __future__ import annotations

from dataclasses import replace

from telegram import Update
from telegram.ext import filters

from bot.domain.dose_times import InvalidTimeText
from bot.domain.errors import DateTaken, NotRegistered, NotYourRecord
from bot.domain.person import InvalidBodyText, parse_body
from bot.domain.text_input import InvalidDateText, parse_date
from bot.services.bone import dxa
from bot.services.bone.calcium import InvalidSetting
from bot.services.bone.dxa import InvalidNumberText
from bot.services.bone.pill_counts import InvalidCount
from handlers.bone import about, calcium, care, dates, pills, questions
from handlers.bone import markers as lab_results
from handlers.bone.dxa import finish_risk, on_t_score, on_typed_check
from handlers.common import App, Context, edit_message, services
from handlers.conversation import TypedAnswer
from ui import texts
from ui.keyboards.bone import DatePurpose

# A result typed while its unit or "is that right?" is asked is the result typed anew.
MARKER_ANSWERS = frozenset(
    {TypedAnswer.MARKER_VALUE, TypedAnswer.MARKER_UNIT, TypedAnswer.MARKER_CHECK}
)


class AwaitingInput(filters.UpdateFilter):
    """Let typed text through only while this person has an open bone-calendar question."""

    def __init__(self, app: App) -> None:
        super().__init__(name="AwaitingBoneInput")
        self._app = app

    def filter(self, update: Update) -> bool:
        """Tell whether the sender was asked something that takes a typed answer."""
        user = update.effective_user
        state = self._app.user_data.get(user.id) if user is not None else None
        return state is not None and state.bone_input is not None


async def on_typed(update: Update, context: Context) -> None:
    """Take a typed date or number for the open question; re-ask kindly when it won't do."""
    message, user = update.effective_message, update.effective_user
    pending = questions.pending_of(context)
    if message is None or user is None or pending is None:
        return
    if services(context).clock() > pending.until:
        questions.forget(context)
        await message.reply_text(texts.UNKNOWN_TEXT)
        return
    text = (message.text or "").strip()
    try:
        if pending.purpose is TypedAnswer.T_SCORE and pending.draft is not None:
            await on_t_score(update, context, pending.draft, text)
        elif pending.purpose is TypedAnswer.T_SCORE_CHECK and pending.draft is not None:
            await on_typed_check(update, context, pending.draft, text)
        elif pending.purpose in MARKER_ANSWERS and pending.marker is not None:
            draft = replace(pending.marker, number=None, reading=None)
            await lab_results.on_typed(update, context, draft, text)
        elif pending.purpose is TypedAnswer.AGE:
            await finish_risk(update, context, dxa.parse_age(text))
        elif pending.purpose is TypedAnswer.BODY:
            await about.finish_body(update, context, parse_body(text))
        elif pending.purpose in (TypedAnswer.CALCIUM_TARGET, TypedAnswer.VITAMIN_D_TARGET):
            await calcium.on_typed_target(update, context, pending, text)
        elif pending.purpose is TypedAnswer.PILL_COUNT:
            await pills.on_typed_count(update, context, pending, text)
        elif pending.purpose is TypedAnswer.MEAL_TIME:
            await calcium.on_typed_meal_time(update, context, pending, text)
        elif pending.purpose is TypedAnswer.EXERCISE_TIME:
            await care.on_typed_time(update, context, pending, text)
        elif isinstance(pending.purpose, DatePurpose):
            span = await dates.range_for(context, user.id, pending.purpose, pending.record_id)
            day = parse_date(text, earliest=span.earliest, latest=span.latest)
            await dates.on_date(update, context, pending.purpose, pending.record_id, day)
    except InvalidNumberText:
        await message.reply_text(
            texts.BAD_AGE if pending.purpose is TypedAnswer.AGE else texts.BAD_T_SCORE
        )
    except InvalidBodyText:
        await message.reply_text(texts.BAD_BODY)
    except InvalidSetting:
        await message.reply_text(texts.BAD_AMOUNT)
    except InvalidCount:
        await message.reply_text(texts.BAD_COUNT)
    except InvalidDateText:
        await message.reply_text(texts.BAD_DATE)
    except InvalidTimeText:
        await message.reply_text(texts.BAD_TIME)
    except DateTaken:
        questions.forget(context)
        await message.reply_text(texts.DATE_TAKEN)
    except (NotYourRecord, NotRegistered):  # the record ended meanwhile (the regimen changed)
        questions.forget(context)
        await message.reply_text(texts.BUTTON_EXPIRED)


async def cancel_input(update: Update, context: Context) -> None:
    """/cancel while something is asked: stop asking, change nothing."""
    message, chat = update.effective_message, update.effective_chat
    pending = questions.forget(context)
    if pending is not None and chat is not None:
        await edit_message(context.bot, chat.id, pending.message_id, texts.INPUT_STOPPED)
    if message is not None:
        await message.reply_text(texts.CANCELLED)
