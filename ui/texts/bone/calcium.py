"""Words for calcium and vitamin D: targets, split doses and their reminders."""

from __future__ import annotations

from datetime import time

from bot.domain.calcium import SupplementKind, calcium_prompt_text
from bot.services.bone.calcium import CalciumView, SupplementTally, TodaySupplement
from bot.services.dose_answers import SupplementAnswer
from bot.services.doses import DueSupplement
from ui.texts.common import hhmm
from ui.texts.doses import STATUS_WORDS

CALCIUM_HEAD = "💊 Calcium and vitamin D"
CALCIUM_TARGETS = "Daily target: {calcium} mg calcium and {vitamin_d} IU vitamin D ({whose})."
CALCIUM_CARE_TEAM_NUMBERS = "your care team's numbers"
CALCIUM_STATEMENT_NUMBERS = "a 2017 expert statement's numbers"
CALCIUM_FORMS = {"carbonate": "calcium carbonate, with food", "citrate": "calcium citrate"}
CALCIUM_FORM_LINE = "You take {form}."
CALCIUM_DIET = "From food: about {mg} mg a day."
CALCIUM_PROPOSAL = "Suggested: {doses} a day. Please check this with your care team."
CALCIUM_NO_NEED = (
    "Your food gives about your daily calcium target, so no calcium doses are suggested. "
    "Please check this with your care team."
)
CALCIUM_TIMES = "Reminders: {times}."
CALCIUM_OFF = "No calcium reminders."
CALCIUM_SETTINGS = "💊 Calcium and vitamin D"
CALCIUM_SET_UP = "Set up calcium reminders"
CALCIUM_CARE_TEAM = "My care team gave other numbers"
CALCIUM_USUAL = "Use the usual numbers"
CALCIUM_TURN_OFF = "Turn calcium reminders off"
ASK_FORM = "Which calcium do you take? The box says carbonate or citrate."
FORM_CARBONATE = "Calcium carbonate"
FORM_CITRATE = "Calcium citrate"
ASK_DIET = (
    "About how much calcium do you get from food each day? If you're not sure, your care "
    "team or a dietitian can help you work it out."
)
DIET_LABELS = {0: "Very little", 300: "About 300 mg", 600: "About 600 mg", 900: "900 mg or more"}
ASK_MEAL_TIMES = "Pick {count} time{s} for your calcium ({doses}). {food}"
MEAL_TIMES_FOOD = "Choose meal times: calcium carbonate is taken with food."
MEAL_TIMES_ANY = "Calcium citrate can be taken with or without food."
MEAL_TIMES_PICKED = "Chosen: {times}. Pick {count} more."
MEAL_TIMES_HINT = "Tap a time, or type one like 12:45."
MEAL_TIME_ALREADY = "You've already chosen {time}. Tap or type another time."
MEAL_TIME_TOO_CLOSE = (
    "That is less than 2 hours from {time}: two doses so close are taken in as one. "
    "Tap or type a time at least 2 hours away."
)
CALCIUM_SAVED = "Saved: calcium {plan}. I'll remind you then, with Taken and Later buttons."
CALCIUM_TURNED_OFF = "Calcium reminders are off. Your set-up is kept in /bone."
ASK_CALCIUM_TARGET = (
    "How many mg of calcium a day did your care team advise? Type a number, like 1000."
)
ASK_VITAMIN_D_TARGET = "And how many IU of vitamin D a day? Type a number, like 1000."
BAD_AMOUNT = "Sorry, I couldn't use that. Type a whole number, like 1000. /cancel stops."
TARGETS_SAVED = "Saved: {calcium} mg calcium and {vitamin_d} IU vitamin D a day."
SUPPLEMENT_TAKEN = "✅ Calcium{dose}: taken at {time}."
SUPPLEMENT_LATER = "⏰ Calcium{dose}: I'll remind you again at {time}."
SUPPLEMENT_WAITING = "Calcium{dose}: waiting for your answer."
SUPPLEMENT_LATE = "Sorry this reminder is late: it was due at {time}."
VITAMIN_D_REMINDER = "☀️ Time for your vitamin D."
VITAMIN_D_TAKEN = "✅ Vitamin D: taken at {time}."
VITAMIN_D_LATER = "⏰ Vitamin D: I'll remind you again at {time}."
VITAMIN_D_WAITING = "Vitamin D: waiting for your answer."
VITAMIN_D_BUTTON = "☀️ Vitamin D reminder"
ASK_VITAMIN_D = (
    "When do you take vitamin D? I'll remind you daily, away from your bone tablet's "
    "fasting time. If it is in your calcium tablet, you need no second reminder."
)
VITAMIN_D_IN_CALCIUM = "It's in my calcium tablet / I don't take it"
VITAMIN_D_SAVED = "Saved: vitamin D daily at {time}."
VITAMIN_D_OFF = "No separate vitamin D reminder."
VITAMIN_D_LINE = "Vitamin D: a reminder daily at {time}."
TODAY_SUPPLEMENT = "{time} Calcium{dose}: {state}"
TODAY_MOVED = " (moved for your bone medicine)"
HISTORY_SUPPLEMENT = "• Calcium: {taken} of {due} taken ({percent}%)"


def _dose(dose_mg: int | None) -> str:
    return f" {dose_mg} mg" if dose_mg is not None else ""


def calcium_lines(view: CalciumView) -> str:
    """The calcium and vitamin D part of /bone."""
    goal = view.targets
    whose = CALCIUM_CARE_TEAM_NUMBERS if goal.from_care_team else CALCIUM_STATEMENT_NUMBERS
    lines = [
        CALCIUM_HEAD,
        CALCIUM_TARGETS.format(calcium=goal.calcium_mg, vitamin_d=goal.vitamin_d_iu, whose=whose),
    ]
    if view.form is not None:
        lines.append(CALCIUM_FORM_LINE.format(form=CALCIUM_FORMS[view.form.value]))
    if view.diet_mg is not None:
        lines.append(CALCIUM_DIET.format(mg=view.diet_mg))
        lines.append(calcium_proposal(view))
    if view.times:
        lines.append(CALCIUM_TIMES.format(times=calcium_plan(view.times)))
    else:
        lines.append(CALCIUM_OFF)
    if view.vitamin_d_at is not None:
        lines.append(VITAMIN_D_LINE.format(time=hhmm(view.vitamin_d_at)))
    return "\n".join(lines)


def calcium_proposal(view: CalciumView) -> str:
    """The suggested split doses, or that none are needed."""
    if not view.proposal:
        return CALCIUM_NO_NEED
    return CALCIUM_PROPOSAL.format(doses=dose_list(view.proposal))


def dose_list(doses: tuple[int, ...]) -> str:
    """Say split doses plainly: '2 doses of 350 mg' or '400 mg, 350 mg and 350 mg'."""
    if len(set(doses)) == 1:
        count = len(doses)
        return f"{count} dose{'s' if count != 1 else ''} of {doses[0]} mg"
    parts = [f"{mg} mg" for mg in doses]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def calcium_plan(times: tuple[tuple[time, int | None], ...]) -> str:
    """The reminders in force, like '350 mg at 07:30 and 350 mg at 18:30'."""
    parts = [f"{dose} mg at {hhmm(at)}" if dose else hhmm(at) for at, dose in times]
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]


def ask_meal_times(view: CalciumView, chosen: list[time]) -> str:
    """Ask for the meal times still to pick."""
    count = len(view.proposal)
    carbonate = view.form is not None and view.form.value == "carbonate"
    food = MEAL_TIMES_FOOD if carbonate else MEAL_TIMES_ANY
    text = ASK_MEAL_TIMES.format(
        count=count, s="s" if count != 1 else "", doses=dose_list(view.proposal), food=food
    )
    if chosen:
        picked = ", ".join(hhmm(at) for at in sorted(chosen))
        text += "\n\n" + MEAL_TIMES_PICKED.format(times=picked, count=count - len(chosen))
    return text + "\n" + MEAL_TIMES_HINT


def supplement_reminder(due: DueSupplement) -> str:
    """A calcium reminder: the label-style wording for its form, and why it moved if it did.
    Vitamin D on its own has its own words."""
    if due.kind is SupplementKind.VITAMIN_D:
        text = VITAMIN_D_REMINDER
    elif due.form is not None:
        text = "💊 " + calcium_prompt_text(due.form, due.dose_mg)
    else:
        text = f"💊 Time for your calcium{_dose(due.dose_mg)}."
    if due.late:
        text += "\n" + SUPPLEMENT_LATE.format(time=hhmm(due.due_local))
    if due.moved_reason:
        text += "\n\n" + due.moved_reason
    return text


def supplement_answered(answer: SupplementAnswer) -> str:
    """Replace a calcium reminder's text once answered, so the chat shows the outcome."""
    if answer.kind is SupplementKind.VITAMIN_D:
        if answer.status == "taken" and answer.answered_local is not None:
            return VITAMIN_D_TAKEN.format(time=hhmm(answer.answered_local))
        if answer.snoozed_until_local is not None:
            return VITAMIN_D_LATER.format(time=hhmm(answer.snoozed_until_local))
        return VITAMIN_D_WAITING
    dose = _dose(answer.dose_mg)
    if answer.status == "taken" and answer.answered_local is not None:
        return SUPPLEMENT_TAKEN.format(dose=dose, time=hhmm(answer.answered_local))
    if answer.snoozed_until_local is not None:
        return SUPPLEMENT_LATER.format(dose=dose, time=hhmm(answer.snoozed_until_local))
    return SUPPLEMENT_WAITING.format(dose=dose)


def supplements_today(items: list[TodaySupplement]) -> str:
    """Lines for /today: today's calcium reminders and their state."""
    lines = []
    for item in items:
        state = STATUS_WORDS.get(item.status, item.status)
        if item.answered_local is not None and item.status == "taken":
            state += f" at {hhmm(item.answered_local)}"
        if item.moved:
            state += TODAY_MOVED
        at, dose = hhmm(item.due_local), _dose(item.dose_mg)
        lines.append(TODAY_SUPPLEMENT.format(time=at, dose=dose, state=state))
    return "\n".join(lines)


def supplement_history(tally: SupplementTally | None) -> str:
    """A /history line for calcium reminders (empty when there were none)."""
    if tally is None:
        return ""
    line = HISTORY_SUPPLEMENT.format(taken=tally.taken, due=tally.due, percent=tally.percent_taken)
    extras = [
        f"{count} {word}"
        for count, word in ((tally.missed, "missed"), (tally.unanswered, "not answered"))
        if count
    ]
    return line + (" — " + ", ".join(extras) if extras else "")
