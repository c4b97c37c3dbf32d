"""A clinic agent's schedule from /bone: how often the care team gives it, and whether the
course is planned to end (its review then comes when it ends)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.domain.catalog import drug_display_name
from bot.domain.clinic_agents import COURSE_YEARS
from bot.domain.errors import NotRegistered, NotYourRecord
from bot.services.bone import clinic_agents
from handlers.common import App, Context, answer_query, edit_query_message, parse_press, services
from ui import texts
from ui.keyboards.schedules import (
    SchedulePress,
    ScheduleStep,
    parse_schedule,
    schedule_buttons,
)


def _page(schedule: clinic_agents.Schedule) -> tuple[str, list[str]]:
    drug = drug_display_name(schedule.view.product.drug).lower()
    text = texts.schedule_lines(
        drug,
        schedule.interval_months,
        schedule.course_years,
        schedule.course_ends_on,
        schedule.course_applies,
    )
    asks = []
    if len(schedule.choices) > 1:
        asks.append(texts.SCHEDULE_ASK_EVERY)
    if schedule.course_applies:
        asks.append(texts.SCHEDULE_ASK_COURSE)
    return text, asks


async def on_button(update: Update, context: Context) -> None:
    """Open the schedule page, or save how often / the course, and show the page again."""
    pressed = await parse_press(update, parse_schedule)
    if pressed is None:
        return
    query, user, press = pressed
    try:
        schedule = await _carry_out(context, user.id, press)
    except (NotYourRecord, NotRegistered, ValueError):
        await answer_query(query, texts.NOT_YOURS)
        return
    text, asks = _page(schedule)
    if press.step is not ScheduleStep.OPEN:
        text = f"{texts.SCHEDULE_SAVED} {text}"
    years = COURSE_YEARS if schedule.course_applies else None
    markup = schedule_buttons(press.plan_id, schedule.choices, years)
    await answer_query(query)
    if press.step is ScheduleStep.OPEN and query.message is not None:
        await context.bot.send_message(
            query.message.chat.id, "\n\n".join([text, *asks]), reply_markup=markup
        )
        return
    await edit_query_message(query, "\n\n".join([text, *asks]), markup)


async def _carry_out(
    context: Context, user_id: int, press: SchedulePress
) -> clinic_agents.Schedule:
    found = services(context)
    async with found.sessions() as session:
        match press.step:
            case ScheduleStep.INTERVAL:
                return await clinic_agents.set_interval(
                    session,
                    found.planner,
                    telegram_user_id=user_id,
                    plan_id=press.plan_id,
                    months=press.number or 0,
                    now=found.clock(),
                )
            case ScheduleStep.COURSE:
                return await clinic_agents.set_course(
                    session,
                    found.planner,
                    telegram_user_id=user_id,
                    plan_id=press.plan_id,
                    years=press.number or None,
                    now=found.clock(),
                )
        return await clinic_agents.schedule_of(session, user_id, press.plan_id, found.clock())


def register(app: App) -> None:
    """Add the schedule buttons (`cs:`)."""
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^cs:"))
