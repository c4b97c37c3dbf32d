"""The bone calendar in the chat: /bone, dates and numbers by buttons or typed, reminder answers.

Every `b:` button arrives at `on_button`, which parses it strictly and hands it to its
feature's module; typed text reaches `typed.on_typed` only while a question is open
(`questions` holds what was asked).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.domain.errors import DateTaken, NotRegistered, NotYourRecord
from bot.domain.text_input import InvalidDateText
from bot.services.bone.calcium import InvalidSetting
from bot.services.bone.dxa import InvalidNumberText
from handlers.bone import (
    about,
    calcium,
    care,
    dates,
    dxa,
    markers,
    menu,
    pills,
    records,
    reviews,
    schedules,
    typed,
)
from handlers.bone.dates import ask_last_given
from handlers.common import App, Context, answer_query, parse_press
from ui import texts
from ui.keyboards.bone import BoneAction, BonePress, parse_bone_action

__all__ = ["ask_last_given", "register"]


async def on_button(update: Update, context: Context) -> None:
    """Take a press on a bone-calendar button; refuse other people's and forged ones kindly."""
    pressed = await parse_press(update, parse_bone_action)
    if pressed is None:
        return
    query, _user, action = pressed
    try:
        await _dispatch(update, context, action)
    except (NotYourRecord, NotRegistered):
        await answer_query(query, texts.NOT_YOURS)
    except (InvalidDateText, InvalidNumberText):
        await answer_query(query, texts.BAD_DATE)
    except InvalidSetting:
        await answer_query(query, texts.BUTTON_EXPIRED)
    except DateTaken:  # a correction onto the day of another record
        await answer_query(query)
        if update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, texts.DATE_TAKEN)


async def _dispatch(update: Update, context: Context, action: BonePress) -> None:
    match action.action:
        case BoneAction.PICK_MONTH | BoneAction.PICK_DAY:
            await dates.on_picker(update, context, action)
        case BoneAction.DATE_CHOSEN:
            assert action.purpose is not None
            assert action.day is not None
            await dates.on_date(update, context, action.purpose, action.record_id, action.day)
        case BoneAction.NOT_GIVEN_YET | BoneAction.NO_DOSE_YET:
            await dates.on_not_given(update, context, action)
        case BoneAction.SITE_NOT_ON_REPORT:
            await dxa.on_skip_site(update, context, action.number or 0)
        case BoneAction.INTERVAL_CHOICES | BoneAction.INTERVAL_CHOSEN:
            await dxa.on_interval(update, context, action)
        case BoneAction.RISK_START | BoneAction.RISK_ANSWER | BoneAction.AGE_SKIPPED:
            await dxa.on_risk(update, context, action)
        case BoneAction.EXERCISE_SETTINGS | BoneAction.EXERCISE_DAY | BoneAction.EXERCISE_TIME:
            await care.on_exercise(update, context, action)
        case BoneAction.SUPPLEMENT_TAKEN | BoneAction.SUPPLEMENT_LATER:
            await calcium.on_supplement(update, context, action)
        case BoneAction.CALCIUM:
            await calcium.on_calcium(update, context, action)
        case BoneAction.PILL_COUNTS | BoneAction.PILL_COUNT | BoneAction.PILL_COUNT_STOP:
            await pills.on_pills(update, context, action)
        case BoneAction.SET_UP:
            await dates.on_set_up(update, context, action)
        case BoneAction.SCANS:
            await records.on_scans(update, context)
        case BoneAction.SCAN:
            await records.on_scan(update, context, action)
        case BoneAction.CLINIC_DOSE:
            await records.on_dose(update, context, action)
        case BoneAction.T_SCORE_CHECK:
            await dxa.on_check(update, context, action)
        case BoneAction.MARKER:
            await markers.on_marker(update, context, action)


def register(app: App) -> None:
    """Add /bone, /calendar, their buttons, and typed answers while a question is open."""
    awaiting = typed.AwaitingInput(app)
    app.add_handler(CommandHandler("bone", menu.bone_command))
    app.add_handler(CommandHandler("calendar", menu.calendar_command))
    app.add_handler(CommandHandler("cancel", typed.cancel_input, filters=awaiting))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^b:"))
    about.register(app)
    schedules.register(app)
    reviews.register(app)
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & awaiting, typed.on_typed))
