"""Read-only views for the patient: /today, /history, /regimen, /help."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot import adherence, regimen, texts
from bot.errors import NotRegistered
from handlers.common import Context, services
from handlers.keyboards import change_menu

STATUS_WORDS = {
    adherence.UPCOMING: "⏳ to come",
    "pending": "⏳ due now",
    "sent": "❔ waiting for your answer",
    "taken": "✅ taken",
    "skipped": "⏭ skipped",
    "missed": "✖ missed",
}


async def today(update: Update, context: Context) -> None:
    """List today's doses and what became of each."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    found = services(context)
    try:
        async with found.sessions() as session:
            patient = await regimen.require_patient(session, user.id)
            doses = await adherence.doses_today(session, patient, found.clock())
    except NotRegistered:
        await message.reply_text(texts.NOT_REGISTERED)
        return
    if not doses:
        await message.reply_text(texts.NOTHING_TODAY)
        return
    lines = [texts.TODAY_TITLE]
    for dose in doses:
        state = STATUS_WORDS.get(dose.status, dose.status)
        if dose.answered_local is not None and dose.status == "taken":
            state += f" at {texts.hhmm(dose.answered_local)}"
        lines.append(
            f"{texts.hhmm(dose.due_local)} {texts.capitalised(dose.product.name)}: {state}"
        )
    await message.reply_text("\n".join(lines))


async def history(update: Update, context: Context) -> None:
    """Show the last 30 days' adherence per medicine."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    found = services(context)
    try:
        async with found.sessions() as session:
            patient = await regimen.require_patient(session, user.id)
            rows = await adherence.adherence(session, patient, found.clock())
    except NotRegistered:
        await message.reply_text(texts.NOT_REGISTERED)
        return
    if not rows:
        await message.reply_text(texts.NO_HISTORY)
        return
    lines = [texts.HISTORY_TITLE]
    for row in rows:
        line = (
            f"• {texts.capitalised(row.product.name)}: {row.taken} of {row.due} taken "
            f"({row.percent_taken}%)"
        )
        extras = [
            f"{count} {word}"
            for count, word in (
                (row.skipped, "skipped"),
                (row.missed, "missed"),
                (row.unanswered, "not answered"),
            )
            if count
        ]
        lines.append(line + (" — " + ", ".join(extras) if extras else ""))
    await message.reply_text("\n".join(lines))


async def show_regimen(update: Update, context: Context) -> None:
    """Show the stored plan with buttons to change any part of it."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    found = services(context)
    try:
        async with found.sessions() as session:
            patient = await regimen.require_patient(session, user.id)
            rows = await regimen.regimen_rows(session, patient)
    except NotRegistered:
        await message.reply_text(texts.NOT_REGISTERED)
        return
    summary = texts.regimen_lines(rows, patient.timezone)
    await message.reply_text(summary + "\n\n" + texts.REGIMEN_CHANGE, reply_markup=change_menu())


async def help_command(update: Update, context: Context) -> None:
    """List what the bot can do."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(texts.HELP)


def register(app: Application) -> None:
    """Add the overview commands."""
    app.add_handler(CommandHandler("today", today))
    app.add_handler(CommandHandler("history", history))
    app.add_handler(CommandHandler("regimen", show_regimen))
    app.add_handler(CommandHandler("help", help_command))
