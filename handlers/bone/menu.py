"""/bone (the page of dates with its buttons) and /calendar (the dates as an .ics file)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.domain.catalog import drug_display_name
from bot.exports.ics import calendar_ics
from bot.services.bone import page
from handlers.bone import markers
from handlers.bone.dxa import send_chart
from handlers.common import Context, for_registered, services
from ui import texts
from ui.keyboards.bone import (
    agent_menu_buttons,
    bone_menu_rows,
    care_menu_buttons,
    dxa_menu_buttons,
    marker_menu_rows,
)
from ui.keyboards.reviews import ai_plan_row
from ui.keyboards.schedules import schedule_row


def _menu(bone_page: page.BonePage) -> tuple[str, InlineKeyboardMarkup]:
    lines, rows = [texts.BONE_TITLE, ""], []
    for view in bone_page.agents:
        lines += [texts.agent_lines(view), ""]
        drug = drug_display_name(view.product.drug).lower()
        rows += agent_menu_buttons(view.plan_id, drug, view.last_given_on is not None)
        rows.append(schedule_row(view.plan_id))
    lines += [texts.dxa_lines(bone_page.dxa), "", texts.care_lines(bone_page.care)]
    dxa = bone_page.dxa
    rows += dxa_menu_buttons(dxa.profile_id, dxa.risk_answered, has_scans=bool(dxa.scans))
    lines += ["", texts.marker_lines(bone_page.markers)]
    rows += marker_menu_rows(bool(bone_page.markers.results))
    care = bone_page.care
    rows += care_menu_buttons(
        care.prompts_id, care.needs_dental or care.last_dental_check_on is not None
    )
    lines += ["", texts.calcium_lines(bone_page.calcium)]
    if bone_page.ai_plan is not None:
        rows.append(ai_plan_row(bone_page.ai_plan.drug))
    rows += bone_menu_rows()
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def bone_command(update: Update, context: Context) -> None:
    """Show the bone calendar: the scan chart (if any), then dates with buttons."""
    loaded = await for_registered(update, context, page.bone_page)
    if loaded is None:
        return
    message, bone_page = loaded
    scans = bone_page.dxa.scans
    if scans:
        await send_chart(context, message.chat_id, bone_page.dxa)
    # Beside the T-scores: the lab results on the same span of dates.
    span = (scans[0].scanned_on, scans[-1].scanned_on) if scans else None
    await markers.send_chart(context, message.chat_id, bone_page.markers, span)
    text, markup = _menu(bone_page)
    await message.reply_text(text, reply_markup=markup)


async def calendar_command(update: Update, context: Context) -> None:
    """Send the upcoming bone-calendar dates as an .ics file for the phone's calendar."""
    loaded = await for_registered(update, context, page.calendar_entries)
    if loaded is None:
        return
    message, entries = loaded
    if not entries:
        await message.reply_text(texts.CALENDAR_EMPTY)
        return
    generated_at = services(context).clock()
    ics = calendar_ics(texts.calendar_appointments(entries), generated_at=generated_at)
    await message.reply_document(
        ics, filename=texts.CALENDAR_FILE_NAME, caption=texts.CALENDAR_CAPTION
    )
