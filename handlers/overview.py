"""Read-only views for the patient: /today, /history, /regimen, /help."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler

from bot.db.models import Patient
from bot.services import adherence, regimen
from bot.services.bone import page
from handlers.common import App, Context, for_registered
from ui import texts
from ui.keyboards.doses import change_answer_buttons, change_menu
from ui.keyboards.times import time_change_rows

Reply = tuple[str, InlineKeyboardMarkup | None]


async def _reply_for_patient(
    update: Update,
    context: Context,
    render: Callable[[AsyncSession, Patient, datetime], Awaitable[Reply]],
) -> None:
    """Load the acting user's own record, render a view of it, or point to /start."""

    async def load_and_render(session: AsyncSession, user_id: int, now: datetime) -> Reply:
        return await render(session, await regimen.require_patient(session, user_id), now)

    loaded = await for_registered(update, context, load_and_render)
    if loaded is not None:
        message, (text, markup) = loaded
        await message.reply_text(text, reply_markup=markup)


async def _today(session: AsyncSession, patient: Patient, now: datetime) -> Reply:
    text = texts.today_view(await adherence.doses_today(session, patient, now))
    coming = await adherence.next_dose(session, patient, now)
    if coming is not None:
        text += "\n\n" + texts.next_dose_line(coming, now)
    clinic = texts.bone_today(await page.bone_day(session, patient, now))
    return await _with_changes(session, patient, now, f"{text}\n\n{clinic}" if clinic else text)


async def _history(session: AsyncSession, patient: Patient, now: datetime) -> Reply:
    text = texts.history_view(await adherence.adherence(session, patient, now))
    clinic = texts.bone_history(await page.bone_day(session, patient, now))
    return await _with_changes(session, patient, now, f"{text}\n\n{clinic}" if clinic else text)


async def _with_changes(
    session: AsyncSession, patient: Patient, now: datetime, text: str
) -> Reply:
    """The view with a Change button per answer still open to correction (two days)."""
    changeable = await adherence.changeable_doses(session, patient, now)
    if not changeable:
        return text, None
    return f"{text}\n\n{texts.CHANGE_AN_ANSWER}", change_answer_buttons(changeable)


async def _regimen(session: AsyncSession, patient: Patient, _now: datetime) -> Reply:
    summary = texts.regimen_lines(await regimen.regimen_rows(session, patient), patient.timezone)
    times = time_change_rows(await regimen.timed_medicines(session, patient))
    menu = InlineKeyboardMarkup([*times, *change_menu().inline_keyboard])
    return summary + "\n\n" + texts.REGIMEN_CHANGE, menu


async def today(update: Update, context: Context) -> None:
    """List today's doses and what became of each."""
    await _reply_for_patient(update, context, _today)


async def history(update: Update, context: Context) -> None:
    """Show the last 30 days' adherence per medicine."""
    await _reply_for_patient(update, context, _history)


async def show_regimen(update: Update, context: Context) -> None:
    """Show the stored plan with buttons to change any part of it."""
    await _reply_for_patient(update, context, _regimen)


async def help_command(update: Update, context: Context) -> None:
    """List what the bot can do."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(texts.HELP)


def register(app: App) -> None:
    """Add the overview commands."""
    app.add_handler(CommandHandler("today", today))
    app.add_handler(CommandHandler("history", history))
    app.add_handler(CommandHandler("regimen", show_regimen))
    app.add_handler(CommandHandler("help", help_command))
