"""The registration conversation: /start, and changes started from /regimen.

One state: the next question is whatever the draft has not answered (bot.domain.regimen_draft),
so the handlers only parse the answer, store it, and ask again.
"""

from __future__ import annotations

from datetime import datetime, time

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.domain.catalog import (
    AROMATASE_INHIBITOR_DRUGS,
    CLINIC_BONE_PRODUCTS,
    ORAL_BONE_DRUGS,
    AdviceTopic,
    Timing,
    drug_display_name,
    get_product,
    products_of,
    start_advice,
)
from bot.domain.dose_times import Frequency
from bot.domain.errors import NotRegistered
from bot.domain.regimen_draft import (
    CLINIC,
    NONE,
    InvalidAnswer,
    Question,
    Reading,
    RegimenDraft,
    Section,
    apply_answer,
    next_question,
    read_typed,
)
from bot.services import regimen
from bot.services.adherence import next_reminder
from handlers.bone import ask_last_given
from handlers.common import (
    App,
    Context,
    answer_query,
    buttons_and_text_conversation,
    conversation_of,
    edit_message,
    edit_query_message,
    pressed_label,
    services,
    settle_query,
    unit_of_work,
)
from ui import texts
from ui.keyboards.bone import calcium_set_up_button, set_up_buttons
from ui.keyboards.doses import (
    START_DATA,
    choices,
    parse_edit_section,
    parse_registration_answer,
    start_button,
)
from ui.keyboards.times import AI_TIMES, BREAKFAST_TIMES, WAKE_TIMES

ASKING = 1

ZONES = (
    ("London", "Europe/London"),
    ("Paris / Berlin", "Europe/Berlin"),
    ("New York (Eastern)", "America/New_York"),
    ("Chicago (Central)", "America/Chicago"),
    ("Denver (Mountain)", "America/Denver"),
    ("Los Angeles (Pacific)", "America/Los_Angeles"),
    ("Sydney", "Australia/Sydney"),
    ("India", "Asia/Kolkata"),
)


def _time_options(times: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(label, label.replace(":", "")) for label in times]


def question_view(draft: RegimenDraft) -> tuple[str, InlineKeyboardMarkup]:
    """Render the draft's next question with the buttons that answer it."""
    question = next_question(draft)
    field = question.value
    match question:
        case Question.CONSENT:
            return texts.CONSENT, choices(
                field, [(texts.CONSENT_YES, "yes"), (texts.CONSENT_NO, "no")]
            )
        case Question.AI_DRUG:
            options = [
                (texts.capitalised(product.name), product.key)
                for drug in AROMATASE_INHIBITOR_DRUGS
                for product in products_of(drug)
            ]
            return texts.ASK_AI, choices(field, [*options, (texts.AI_NONE, NONE)])
        case Question.AI_TIME:
            product = get_product(draft.ai_product or "")
            template = (
                texts.ASK_AI_TIME_AFTER_MEAL
                if product.administration.timing is Timing.AFTER_MEAL
                else texts.ASK_AI_TIME
            )
            text = template.format(name=product.name) + "\n" + texts.TIME_HINT
            return text, choices(field, _time_options(AI_TIMES), per_row=4)
        case Question.BONE_FAMILY:
            options = [(drug_display_name(drug), drug) for drug in ORAL_BONE_DRUGS]
            options += [(texts.BONE_CLINIC, CLINIC), (texts.BONE_NONE, NONE)]
            return texts.ASK_BONE, choices(field, options)
        case Question.BONE_PRODUCT:
            return _bone_product_question(draft, field)
        case Question.BONE_DAY:
            return _bone_day_question(draft, field)
        case Question.BONE_TIME:
            product = get_product(draft.bone_product or "")
            after_breakfast = product.administration.timing is Timing.AFTER_BREAKFAST
            text = texts.ASK_BREAKFAST_TIME if after_breakfast else texts.ASK_WAKE_TIME
            times = BREAKFAST_TIMES if after_breakfast else WAKE_TIMES
            return text + "\n" + texts.TIME_HINT, choices(field, _time_options(times), per_row=4)
        case Question.TIMEZONE:
            return texts.ASK_TIMEZONE, choices(field, list(ZONES), per_row=2)
        case Question.CONFIRM:
            stopping = draft.stopping()
            warning = texts.stopping_confirmation(stopping) + "\n\n" if stopping else ""
            return warning + _summary(draft) + "\n\n" + texts.CONFIRM_HINT, choices(
                field, [(texts.CONFIRM_YES, "yes"), (texts.CONFIRM_RESTART, "restart")]
            )


def _bone_product_question(draft: RegimenDraft, field: str) -> tuple[str, InlineKeyboardMarkup]:
    if draft.bone_family == CLINIC:
        products = [get_product(key) for key in CLINIC_BONE_PRODUCTS]
        options = [(f"{drug_display_name(p.drug)} {p.label}", p.key) for p in products]
        return texts.ASK_CLINIC_PRODUCT, choices(field, options)
    drug = draft.bone_family or ""
    options = [(p.label, p.key) for p in products_of(drug) if not p.is_clinic_given]
    text = texts.ASK_BONE_PRODUCT.format(drug=drug_display_name(drug).lower())
    return text, choices(field, options)


def _bone_day_question(draft: RegimenDraft, field: str) -> tuple[str, InlineKeyboardMarkup]:
    product = get_product(draft.bone_product or "")
    if product.frequency is not None and product.frequency.value == "weekly":
        options = [(name, f"w{index}") for index, name in enumerate(texts.WEEKDAYS)]
        return texts.ASK_WEEKDAY, choices(field, options, per_row=2)
    options = [(str(day), f"m{day}") for day in range(1, 32)]
    two_days = product.frequency is not None and product.frequency.value == "monthly_two_days"
    text = texts.ASK_DAY_OF_MONTH_TWO if two_days else texts.ASK_DAY_OF_MONTH
    return text, choices(field, options, per_row=7)


def _summary(draft: RegimenDraft) -> str:
    rows: list[tuple[str, str | None, time | None, int | None, int | None]] = []
    ai, ai_schedule = draft.ai(), draft.ai_schedule()
    if ai is not None and ai_schedule is not None:
        rows.append((ai.key, ai_schedule.frequency.value, ai_schedule.time_of_day, None, None))
    bone = draft.bone()
    if bone is not None:
        schedule = draft.bone_schedule()
        if schedule is None:
            rows.append((bone.key, None, None, None, None))
        else:
            rows.append(
                (
                    bone.key,
                    schedule.frequency.value,
                    schedule.time_of_day,
                    schedule.weekday,
                    schedule.day_of_month,
                )
            )
    return texts.regimen_lines(rows, draft.timezone or "")


async def _ask(update: Update, context: Context, draft: RegimenDraft) -> int:
    """Store the draft and send its next question as a new message."""
    chat = update.effective_chat
    if chat is None:
        return ConversationHandler.END
    conversation_of(context).draft = draft
    text, markup = question_view(draft)
    message = await context.bot.send_message(chat.id, text, reply_markup=markup)
    conversation_of(context).question_message_id = message.message_id
    return ASKING


async def start(update: Update, context: Context) -> int:
    """Greet; a registered patient sees their plan, a new one starts registering."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return ConversationHandler.END
    found = services(context)
    async with found.sessions() as session:
        patient = await regimen.find_patient(session, user.id)
        if patient is not None:
            await regimen.resume_patient(session, found.planner, patient, found.clock())
            rows = await regimen.regimen_rows(session, patient)
    if patient is not None:
        summary = texts.regimen_lines(rows, patient.timezone)
        await message.reply_text(texts.ALREADY_REGISTERED + "\n\n" + summary)
        return ConversationHandler.END
    await message.reply_text(texts.WELCOME)
    return await _ask(update, context, RegimenDraft())


async def start_pressed(update: Update, context: Context) -> int:
    """The Start button under a newcomer's greeting: begin as /start does."""
    query = update.callback_query
    if query is None:
        return ConversationHandler.END
    await settle_query(query, texts.NEWCOMER)  # the greeting stays, its button goes
    return await start(update, context)


async def greet_newcomer(update: Update, context: Context) -> bool:
    """Answer someone the bot does not know (no patient, no link) with a Start button;
    return False, having said nothing, for anyone it knows."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return False
    if not await unit_of_work(context, lambda session: regimen.is_newcomer(session, user.id)):
        return False
    await message.reply_text(texts.NEWCOMER, reply_markup=start_button())
    return True


async def change_section(update: Update, context: Context) -> int:
    """Start changing one part of a stored regimen (buttons under /regimen)."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return ConversationHandler.END
    await answer_query(query)
    section = parse_edit_section(query.data)
    if section == "keep" or section not in {s.value for s in Section}:
        await edit_query_message(query, texts.KEPT)
        return ConversationHandler.END
    found = services(context)
    try:
        async with found.sessions() as session:
            draft = await regimen.load_draft(session, user.id)
    except NotRegistered:
        await edit_query_message(query, texts.NOT_REGISTERED)
        return ConversationHandler.END
    await edit_query_message(query, texts.REGIMEN_CHANGE + "\n➜ " + pressed_label(update))
    return await _ask(update, context, draft.cleared(Section(section)))


async def on_button(update: Update, context: Context) -> int:
    """Take a button answer to the current question."""
    query = update.callback_query
    if query is None:
        return ASKING
    draft = conversation_of(context).draft
    parsed = parse_registration_answer(query.data)
    if draft is None or parsed is None or parsed[0] != next_question(draft).value:
        await answer_query(query, texts.BUTTON_EXPIRED)
        return ASKING
    await answer_query(query)
    question, value = next_question(draft), parsed[1]
    message = query.message
    question_text = getattr(message, "text", None) or ""
    await edit_query_message(query, f"{question_text}\n\n➜ {pressed_label(update)}")
    return await _advance(update, context, draft, question, value)


async def on_text(update: Update, context: Context) -> int:
    """Take a typed answer: a time, a day, a medicine's name or a place; re-ask kindly with
    the buttons again when it is not understood."""
    message, chat = update.effective_message, update.effective_chat
    draft = conversation_of(context).draft
    if message is None or chat is None or draft is None:
        return ConversationHandler.END
    question = next_question(draft)
    text = (message.text or "").strip()
    now = services(context).clock()
    reading = read_typed(draft, question, text, now) if text else Reading()
    if reading.value is None:
        reply, markup = _typed_reply(draft, question, reading, now)
        await message.reply_text(reply, reply_markup=markup)
        return ASKING
    question_id = conversation_of(context).question_message_id
    if question_id is not None:
        asked, _ = question_view(draft)
        await edit_message(context.bot, chat.id, question_id, f"{asked}\n\n➜ {text[:40]}")
    return await _advance(update, context, draft, question, reading.value)


def _typed_reply(
    draft: RegimenDraft, question: Question, reading: Reading, now: datetime
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Offer what typed text could mean as buttons, or say kindly what to type instead."""
    field = question.value
    if reading.choices and question is Question.TIMEZONE:
        template = texts.NEAR_PLACE if reading.near else texts.ZONE_CHOICES
        options = [(texts.zone_label(zone, now), zone) for zone in reading.choices]
        return template.format(place=reading.name), choices(field, options, per_row=2)
    if reading.choices:
        template = texts.NEAR_MEDICINE if reading.near else texts.MEDICINE_CHOICES
        options = [(texts.medicine_label(get_product(key)), key) for key in reading.choices]
        return template.format(name=reading.name), choices(field, options)
    _, buttons = question_view(draft)
    match question:
        case Question.AI_DRUG if reading.other_step:
            return texts.BONE_MEDICINE_LATER.format(name=reading.name), buttons
        case Question.BONE_FAMILY | Question.BONE_PRODUCT if reading.other_step:
            return texts.NOT_A_BONE_MEDICINE.format(name=reading.name), buttons
        case Question.AI_DRUG:
            return texts.BAD_AI, buttons
        case Question.BONE_FAMILY | Question.BONE_PRODUCT:
            return texts.BAD_BONE_MEDICINE, buttons
        case Question.AI_TIME | Question.BONE_TIME:
            return texts.BAD_TIME, buttons
        case Question.BONE_DAY:
            return (texts.BAD_WEEKDAY if _weekly(draft) else texts.BAD_DAY_OF_MONTH), buttons
        case Question.TIMEZONE:
            return texts.BAD_ZONE, buttons
    return texts.PRESS_A_BUTTON, None


def _weekly(draft: RegimenDraft) -> bool:
    product = draft.bone()
    return product is not None and product.frequency is Frequency.WEEKLY


async def _advance(
    update: Update, context: Context, draft: RegimenDraft, question: Question, value: str
) -> int:
    """Apply a valid answer, then ask the next question or finish."""
    chat = update.effective_chat
    if question is Question.CONSENT and value == "no":
        conversation_of(context).draft = None
        if chat is not None:
            await context.bot.send_message(chat.id, texts.CONSENT_DECLINED)
        return ConversationHandler.END
    if question is Question.CONFIRM:
        if value == "restart":
            return await _ask(update, context, draft.restarted())
        return await _save(update, context, draft)
    try:
        updated = apply_answer(draft, question, value)
    except InvalidAnswer:
        updated = draft  # a forged value: ask the same question again
    return await _ask(update, context, updated)


async def _save(update: Update, context: Context, draft: RegimenDraft) -> int:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return ConversationHandler.END
    found = services(context)
    async with found.sessions() as session:
        first_time = await regimen.find_patient(session, user.id) is None
        patient = await regimen.save_regimen(
            session,
            found.planner,
            telegram_user_id=user.id,
            chat_id=chat.id,
            draft=draft,
            now=found.clock(),
        )
        upcoming = await next_reminder(session, patient, found.clock())
    state = conversation_of(context)
    state.draft = state.question_message_id = None
    if upcoming is None:
        reply = texts.NO_REMINDERS
    else:
        when = f"{texts.day_label(upcoming.date())} at {texts.hhmm(upcoming)}"
        reply = texts.SAVED + "\n" + texts.NEXT_REMINDER.format(when=when)
    # A first registration goes on to the rest of the set-up, /bone's own flows; dental
    # check-ups come with a bone medicine (bisphosphonate or denosumab).
    markup = set_up_buttons(dental=draft.bone() is not None) if first_time else None
    if markup is not None:
        reply += "\n\n" + texts.SET_UP_OFFER
    await context.bot.send_message(chat.id, reply, reply_markup=markup)
    await _send_start_warnings(context, chat.id, draft, offer_above=markup is not None)
    await ask_last_given(context, chat.id, user.id)
    return ConversationHandler.END


async def _send_start_warnings(
    context: Context, chat_id: int, draft: RegimenDraft, *, offer_above: bool
) -> None:
    """A bone medicine newly chosen: its label's warnings for the start (stop-and-call
    symptoms; calcium and vitamin D, with the set-up offered)."""
    bone = draft.bone()
    if bone is None or bone.key == draft.stored_bone:
        return
    warnings = texts.start_warnings(bone, offer_above=offer_above)
    if warnings is None:
        return
    offers_calcium = any(
        item.topic == AdviceTopic.CALCIUM_VITAMIN_D for item in start_advice(bone)
    )
    markup = calcium_set_up_button() if offers_calcium and not offer_above else None
    await context.bot.send_message(chat_id, warnings, reply_markup=markup)


async def cancel(update: Update, context: Context) -> int:
    """Leave the conversation at any point, changing nothing."""
    chat = update.effective_chat
    state = conversation_of(context)
    had_draft, question_id = state.draft is not None, state.question_message_id
    state.draft = state.question_message_id = None
    if chat is not None:
        if had_draft and question_id is not None:
            await edit_message(context.bot, chat.id, question_id, texts.CANCELLED)
        else:
            await context.bot.send_message(chat.id, texts.CANCELLED)
    return ConversationHandler.END


async def on_other_message(update: Update, context: Context) -> int:
    """Anything else during registration (stickers, photos): point back at the buttons."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(texts.PRESS_A_BUTTON)
    return ASKING


def conversation() -> ConversationHandler[Context]:
    """Build the registration conversation handler."""
    return buttons_and_text_conversation(
        "registration",
        entry_points=[
            CommandHandler("start", start),
            CallbackQueryHandler(start_pressed, pattern=rf"^{START_DATA}$"),
            CallbackQueryHandler(change_section, pattern=r"^edit:"),
        ],
        states={
            ASKING: [
                CallbackQueryHandler(on_button, pattern=r"^reg:"),
                MessageHandler(filters.TEXT & ~filters.COMMAND, on_text),
                MessageHandler(~filters.COMMAND, on_other_message),
            ]
        },
        fallbacks=[CommandHandler("cancel", cancel), CommandHandler("start", start)],
    )


def register(app: App) -> None:
    """Add the registration conversation to the application."""
    app.add_handler(conversation())
