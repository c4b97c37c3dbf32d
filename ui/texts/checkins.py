"""Words for the weekly symptom check-in and its reminder settings.

The questions go out with parse_mode HTML (`QUESTION_PARSE_MODE`): the functions that
build them escape every catalogue text they put in, and show the PRO-CTCAE stems'
emphasis, printed in the library as CAPITALS, as bold words in ordinary case.
"""

from __future__ import annotations

import re
from html import escape

from bot.domain.symptoms import Progress
from ui.texts.common import capitalised

QUESTION_PARSE_MODE = "HTML"

CHECKIN_INTRO = (
    "Your weekly check-in: a few questions about how you've felt, one at a time. "
    "Tap the answer that fits best; the top button always means none or no. "
    "It takes about a minute."
)
CHECKIN_RESUMED = "Welcome back. Let's go on where you stopped; your earlier answers are kept."
CHECKIN_STOP_FOR_NOW = "Stop for now"
CHECKIN_WANTS_TO_STOP = (
    "The last question, so your care team knows how you feel about your treatment:\n\n"
    "Do you feel you want to stop taking your aromatase inhibitor?"
)
CHECKIN_YES = "Yes"
CHECKIN_NO = "No"
CHECKIN_NOTE = (
    "Anything else you want your care team to know? Type it in your own words "
    "(up to {limit} characters), or tap No note."
)
CHECKIN_NO_NOTE = "No note"
CHECKIN_NOTE_TOO_LONG = (
    "Thank you for writing. That note is a bit long for me: it has {length} characters and "
    "I can keep up to {limit}. Please send a shorter version, or tap No note."
)
CHECKIN_PAUSED = (
    "Stopped for now. I've kept the {count} answers you gave. Send /symptoms to go on."
)
CHECKIN_PAUSED_NONE = "Stopped for now. Send /symptoms when you're ready."
CHECKIN_DONE = "Thank you, your check-in is saved."
CHECKIN_NOTHING_REPORTED = "You didn't report any symptoms this week. Good to hear."
CHECKIN_REPORTED = "You told me about:"
CHECKIN_NOTE_SAVED = "Your note is saved."
CHECKIN_CARE_TEAM = (
    "If something worries you, contact your care team. "
    "In an emergency, call your local emergency number."
)
CHECKIN_FINISHED = "That check-in is finished. Send /symptoms to start a new one."
CHECKIN_STALE = "That question was already answered. Please use the newest question."
CHECKIN_NOT_NOW = "Please answer the question above with its buttons first."
CHECKIN_PROMPT = "📝 Time for your weekly check-in. It takes about a minute."
CHECKIN_START = "Start"

CHECKIN_SETTINGS_DAY = (
    "Weekly check-in reminder: {now}.\n\nOn which day would you like it? Or tap No reminder."
)
CHECKIN_SETTINGS_OFF_NOW = "now off"
CHECKIN_SETTINGS_ON_NOW = "now every {day} at {time}"
CHECKIN_SETTINGS_NONE = "No reminder"
CHECKIN_SETTINGS_TIME = "What time on {day}? Tap one, or type a time like 18:30."
CHECKIN_SETTINGS_SAVED = (
    "Saved: I'll remind you of your check-in every {day} at {time}. The next one is {when}."
)
CHECKIN_SETTINGS_TURNED_OFF = "No weekly reminder. You can do a check-in any time with /symptoms."
CHECKIN_TIMES = ("09:00", "12:00", "15:00", "18:00", "20:00")


def question_header(progress: Progress) -> str:
    """Say "Question 4 of 14", or "of up to 14" while a "none" answer can still shorten it."""
    of = "of" if progress.exact else "of up to"
    return f"Question {progress.number} {of} {progress.total}"


# A run of words in capitals (the library's emphasis), with the spaces, commas and brackets
# between them; a closing bracket is kept in the run only when the run opened it.
_WORD = r"\b[A-Z]+(?:-[A-Z]+)*\b"  # FLU-LIKE is one word
_CAPITALS = re.compile(rf"{_WORD}(?:[ ,()]+{_WORD})*\)?")
_ACRONYMS = frozenset({"IV"})  # kept in capitals inside a bold run


def _bold_run(run: str) -> str:
    if run.endswith(")") and run.count("(") < run.count(")"):
        return _bold_run(run[:-1]) + ")"
    words = re.findall(r"[A-Z]+", run)
    if not any(len(word) > 1 for word in words):  # a lone "A" or "I" is no emphasis
        return escape(run, quote=False)
    lowered = re.sub(r"[A-Z]+", lambda m: m[0] if m[0] in _ACRONYMS else m[0].lower(), run)
    return f"<b>{escape(lowered, quote=False)}</b>"


def emphasis_html(stem: str) -> str:
    """A stem as Telegram HTML: escaped, its CAPITALISED words bold and in ordinary case."""
    parts: list[str] = []
    at = 0
    for match in _CAPITALS.finditer(stem):
        parts.append(escape(stem[at : match.start()], quote=False))
        parts.append(_bold_run(match[0]))
        at = match.end()
    parts.append(escape(stem[at:], quote=False))
    return "".join(parts)


def checkin_question(stem: str, progress: Progress) -> str:
    """One check-in question (HTML); the stem gives the recall period ("In the last 7 days")."""
    return f"{question_header(progress)}\n\n{emphasis_html(stem)}"


def checkin_wants_to_stop(progress: Progress) -> str:
    """The stop question, numbered like the others (HTML)."""
    return f"{question_header(progress)}\n\n{escape(CHECKIN_WANTS_TO_STOP, quote=False)}"


def answered_question(question_html: str, label: str) -> str:
    """A question once answered (HTML): the question as it was shown, then the answer."""
    return f"{question_html}\n\n➜ {escape(label, quote=False)}"


def answered_line(question: str, label: str) -> str:
    """A question once answered: the question, then the chosen answer."""
    return f"{question}\n\n➜ {label}"


def checkin_summary(
    reported: list[tuple[str, tuple[str, ...]]], note_saved: bool, flagged: bool
) -> str:
    """The end of a check-in: what was reported, in the patient's own answers."""
    lines = [CHECKIN_DONE, ""]
    if reported:
        lines.append(CHECKIN_REPORTED)
        lines += [f"• {capitalised(label)}: {', '.join(answers)}" for label, answers in reported]
    else:
        lines.append(CHECKIN_NOTHING_REPORTED)
    if note_saved:
        lines += ["", CHECKIN_NOTE_SAVED]
    if not flagged:
        lines += ["", CHECKIN_CARE_TEAM]
    return "\n".join(lines)


def checkin_alert(message: str, right_away: bool) -> str:
    """A red-flag or adherence message, marked when it needs action today."""
    return ("⚠️ " if right_away else "🩺 ") + message
