"""Words for lab results: bone turnover markers (CTX, NTX, P1NP, bone ALP) and 25-OH vitamin D.

The bot keeps these results as printed and says nothing about whether a value is good or
bad; the only question it asks about a value is whether it was typed as the report gives
it, when it is outside what any report prints (`bot.domain.bone_markers`).
"""

from __future__ import annotations

from datetime import date

from bot.domain.bone_markers import MARKERS, RULES, Marker, MarkerDoubt, Reading
from bot.services.bone.markers import MarkersView, ResultChange, ResultEntry, Saved
from ui.texts.common import long_date

MARKER_NAMES = {
    Marker.VITAMIN_D: "25-OH vitamin D",
    Marker.CTX: "CTX",
    Marker.P1NP: "P1NP",
    Marker.BSAP: "Bone alkaline phosphatase (BSAP)",
    Marker.NTX: "NTX (urine)",
}
# The buttons say a little more, for a report that spells the test out.
MARKER_BUTTONS = {
    Marker.VITAMIN_D: "25-OH vitamin D (25-hydroxyvitamin D)",
    Marker.CTX: "CTX (C-telopeptide, CrossLaps)",
    Marker.P1NP: "P1NP (procollagen type 1 N-propeptide)",
    Marker.BSAP: "Bone alkaline phosphatase (BSAP, bone ALP)",
    Marker.NTX: "NTX (N-telopeptide, urine)",
}
MARKER_EXAMPLES = {
    Marker.VITAMIN_D: "29 ng/mL or 72 nmol/L",
    Marker.CTX: "0.35 ng/mL or 350 pg/mL",
    Marker.P1NP: "45 µg/L",
    Marker.BSAP: "12 µg/L",
    Marker.NTX: "40 nmol BCE/mmol creatinine",
}

MARKERS_HEAD = "🧪 Bone markers and vitamin D"
MARKERS_NONE = "No results on record. You can add one from your lab report."
MARKER_LATEST = "{name}: {printed} on {date}"
MARKERS_CARE_TEAM = "Your care team reads these results; I keep them and put them in your exports."
MARKER_ADD = "🧪 Add a blood or urine test result"
MARKER_CORRECT = "✏️ Correct or delete a test result"

ASK_MARKER = "Which result is on your lab report? Tap it."
ASK_MARKER_DATE = (
    "When was the {name} sample taken? Tap the month, or type the date like 14 May 2026."
)
ASK_MARKER_VALUE = (
    "{name} result of {date}? Type the number and the unit as the report prints them, like "
    "{example}."
)
ASK_CORRECT_VALUE = (
    "{name} result of {date}? It is {printed} now. Type the number and the unit as the report "
    "prints them, like {example}."
)
ASK_UNIT = "Which unit does the report give after {number}? Tap it."
BAD_MARKER_VALUE = (
    "Sorry, I couldn't read that. Type the number and the unit as the report prints them, "
    "like {example}. /cancel stops."
)
UNKNOWN_UNIT = (
    "Sorry, I can't use that unit for {name}. I can take {units}. Type the number with one "
    "of them, or /cancel."
)
NOT_CONVERTIBLE = (
    "A {name} result in U/L is measured another way (as enzyme activity), and I can't turn "
    "it into µg/L, so it is not saved. Your care team has the report. /cancel stops."
)
MARKER_DOUBT = (
    "You typed {printed} for {name}. Lab reports give {name} between about {low} and {high} "
    "{unit}, so I'm checking it is not a typing slip (a missed decimal point, or another "
    "unit). Is that right?"
)
MARKER_SAVED = "Saved: your {name} result of {date}, {printed}."
MARKER_CONVERTED = "In {unit}, the unit I keep it in: {value}."

NO_RESULTS = "There is no result on record to correct."
RESULTS_HEAD = "Your results on record, newest first. Tap one to correct or delete it."
RESULT_HEAD = "🧪 Your {name} result of {date}: {printed}"
RESULT_CHANGES_HEAD = "Changes kept in your record:"
RESULT_HINT = "Tap what to correct."
RESULT_CHANGE_DATE = "📅 Change the date"
RESULT_CHANGE_VALUE = "✏️ Change the value"
RESULT_DELETE = "🗑 Delete this result"
ASK_RESULT_REAL_DATE = (
    "When was this {name} sample really taken? It is on record as {date}.\n\n"
    "Tap the month, or type the date like 14 May 2026."
)
ASK_DELETE_RESULT = (
    "Delete your {name} result of {date} ({printed})? The deletion is kept in your record, "
    "like every correction."
)
RESULT_CORRECTED = "Corrected: your {name} result of {date}, {printed}."
RESULT_DELETED = "Deleted: your {name} result of {date}."
MARKER_CHART_CAPTION = "Your bone marker and vitamin D results over time, each in its own unit."


def number_text(value: float) -> str:
    """Format a value in the test's own unit without trailing zeros, like 0.35 or 72."""
    return f"{value:.4g}"


def _converted(reading: Reading) -> str:
    if not reading.converted:
        return ""
    unit = RULES[reading.marker].unit.label
    return MARKER_CONVERTED.format(unit=unit, value=number_text(reading.value))


def marker_lines(view: MarkersView) -> str:
    """The lab-results part of /bone: the newest result of each test on record."""
    lines = [MARKERS_HEAD]
    latest = view.latest()
    if not latest:
        lines.append(MARKERS_NONE)
        return "\n".join(lines)
    for entry in latest:
        lines.append(
            MARKER_LATEST.format(
                name=MARKER_NAMES[entry.marker],
                printed=entry.reading.as_printed,
                date=long_date(entry.measured_on),
            )
        )
    lines.append(MARKERS_CARE_TEAM)
    return "\n".join(lines)


def marker_buttons() -> list[str]:
    """The tests' button labels, in MARKERS order."""
    return [MARKER_BUTTONS[marker] for marker in MARKERS]


def ask_marker_date(marker: Marker) -> str:
    """Ask for the sample's date of a new result."""
    return ASK_MARKER_DATE.format(name=MARKER_NAMES[marker])


def ask_marker_value(marker: Marker, measured_on: date, now: Reading | None = None) -> str:
    """Ask for a result typed as printed (again, saying what it is now, when correcting)."""
    name, day, example = MARKER_NAMES[marker], long_date(measured_on), MARKER_EXAMPLES[marker]
    if now is None:
        return ASK_MARKER_VALUE.format(name=name, date=day, example=example)
    return ASK_CORRECT_VALUE.format(name=name, date=day, printed=now.as_printed, example=example)


def ask_marker_unit(number: str) -> str:
    """Ask which unit a number typed alone is in."""
    return ASK_UNIT.format(number=number)


def marker_unit_labels(marker: Marker) -> list[str]:
    """The units a test is taken in, in the rule's order (as the unit buttons show them)."""
    return [unit.label for unit in RULES[marker].units]


def bad_marker_value(marker: Marker) -> str:
    """Say a typed result could not be read, with an example."""
    return BAD_MARKER_VALUE.format(example=MARKER_EXAMPLES[marker])


def unknown_marker_unit(marker: Marker, not_convertible: bool) -> str:
    """Say a unit cannot be taken for the test, and which can."""
    name = MARKER_NAMES[marker]
    if not_convertible:
        return NOT_CONVERTIBLE.format(name=name)
    units = " or ".join(marker_unit_labels(marker))
    return UNKNOWN_UNIT.format(name=name, units=units)


def marker_doubt_text(doubt: MarkerDoubt) -> str:
    """Ask about a result outside what reports print, in the unit it was typed in."""
    reading = doubt.reading
    return MARKER_DOUBT.format(
        printed=reading.as_printed,
        name=MARKER_NAMES[reading.marker],
        low=number_text(doubt.low),
        high=number_text(doubt.high),
        unit=reading.unit.label,
    )


def marker_saved(saved: Saved) -> str:
    """The reply once a result is saved: it, converted when it was, then the results."""
    entry = saved.entry
    if entry is None:
        return marker_lines(saved.view)
    head = MARKER_SAVED.format(
        name=MARKER_NAMES[entry.marker],
        date=long_date(entry.measured_on),
        printed=entry.reading.as_printed,
    )
    converted = _converted(entry.reading)
    lines = [head, converted] if converted else [head]
    return "\n".join(lines) + "\n\n" + marker_lines(saved.view)


def result_label(entry: ResultEntry) -> str:
    """A recorded result on its button: the test, the date and the value as printed."""
    name = MARKER_NAMES[entry.marker]
    return f"{name}, {long_date(entry.measured_on)}: {entry.reading.as_printed}"


def _change_line(change: ResultChange) -> str:
    day = long_date(change.changed_on)
    if change.new_on is None or change.new_printed is None:
        return f"{day}: deleted"
    parts = []
    if change.new_on != change.old_on:
        parts.append(f"date {long_date(change.old_on)} → {long_date(change.new_on)}")
    if change.new_printed != change.old_printed:
        parts.append(f"{change.old_printed} → {change.new_printed}")
    return f"{day}: {', '.join(parts)}"


def result_page(entry: ResultEntry) -> str:
    """One recorded result: the test, date and value, converted when it was, the changes."""
    lines = [
        RESULT_HEAD.format(
            name=MARKER_NAMES[entry.marker],
            date=long_date(entry.measured_on),
            printed=entry.reading.as_printed,
        )
    ]
    if converted := _converted(entry.reading):
        lines.append(converted)
    if entry.changes:
        lines += ["", RESULT_CHANGES_HEAD, *(_change_line(change) for change in entry.changes)]
    lines += ["", RESULT_HINT]
    return "\n".join(lines)


def ask_result_real_date(entry: ResultEntry) -> str:
    """Ask for the day a recorded result's sample was really taken."""
    return ASK_RESULT_REAL_DATE.format(
        name=MARKER_NAMES[entry.marker], date=long_date(entry.measured_on)
    )


def ask_delete_result(entry: ResultEntry) -> str:
    """Ask before a result is deleted, naming it."""
    return ASK_DELETE_RESULT.format(
        name=MARKER_NAMES[entry.marker],
        date=long_date(entry.measured_on),
        printed=entry.reading.as_printed,
    )


def result_corrected(saved: Saved) -> str:
    """The reply once a result is corrected: it as it is now, then the results."""
    entry = saved.entry
    if entry is None:
        return marker_lines(saved.view)
    head = RESULT_CORRECTED.format(
        name=MARKER_NAMES[entry.marker],
        date=long_date(entry.measured_on),
        printed=entry.reading.as_printed,
    )
    return f"{head}\n\n{marker_lines(saved.view)}"


def result_deleted(entry: ResultEntry, view: MarkersView) -> str:
    """The reply once a result is deleted: which one, then the results as they now stand."""
    head = RESULT_DELETED.format(
        name=MARKER_NAMES[entry.marker], date=long_date(entry.measured_on)
    )
    return f"{head}\n\n{marker_lines(view)}"
