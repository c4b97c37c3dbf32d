"""Words for correcting what was recorded: a scan's date or T-scores, a clinic dose's date,
deleting either, and the question about a T-score that looks mistyped."""

from __future__ import annotations

from datetime import date

from bot.domain.bone_health import Doubt, DxaResult, Site, TScoreDoubt
from bot.services.bone.clinic_agents import AgentView, DoseEntry
from bot.services.bone.dxa import Corrected, DxaView, ScanChange, ScanEntry
from ui.texts.bone.clinic_agents import agent_lines
from ui.texts.bone.dxa import SITE_NAMES, dxa_lines, scan_scores, t_score
from ui.texts.common import capitalised, long_date

# --- A T-score that looks mistyped
DOUBT_SIGN = "You typed {value} for the {site}, while {others} {verb} {side} 0."
DOUBT_RANGE = "You typed {value} for the {site}. T-scores are nearly always between -5 and +5."
DOUBT_RANGE_TOO = "T-scores are also nearly always between -5 and +5."
DOUBT_ASK = "Is that right?"
CHECK_KEEP = "Yes, {value}"
CHECK_FLIP = "No, it's {value}"
CHECK_RETYPE = "Type it again"

# --- Scans
DXA_CORRECT = "✏️ Correct or delete a scan"
NO_SCANS = "There is no scan on record to correct."
SCANS_HEAD = "Your scans on record, newest first. Tap one to correct or delete it."
SCAN_HEAD = "🩻 Your scan of {date}"
SCAN_SITE_LINE = "{site}: {value}"
SCAN_NOT_GIVEN = "not on the report"
SCAN_CHANGES_HEAD = "Changes kept in your record:"
SCAN_HINT = "Tap what to correct."
SCAN_CHANGE_DATE = "📅 Change the date"
SCAN_SITE_BUTTON = "✏️ {site}: {value}"
SCAN_ADD_SITE_BUTTON = "✏️ {site}: add it"
SCAN_DELETE = "🗑 Delete this scan"
ASK_SCAN_REAL_DATE = (
    "When was this scan really done? It is on record as {date}.\n\n"
    "Tap the month, or type the date like 14 May 2026."
)
ASK_CORRECT_T_SCORE = (
    "{site} T-score of your scan of {date}? It is {value} now. Type it as your report gives "
    "it, like -1.8, or tap Not on my report."
)
ASK_DELETE_SCAN = (
    "Delete your scan of {date} ({scores})? The deletion is kept in your record, like every "
    "correction."
)
DELETE_IT = "🗑 Yes, delete it"
KEEP_IT = "No, keep it"
RECORD_KEPT = "Kept as it is."
SCAN_CORRECTED = "Corrected: your scan of {date}: {scores}."
SCAN_DELETED = "Deleted: your scan of {date}."
NO_T_SCORES_LEFT = (
    "Nothing was changed: a scan needs at least one T-score. To remove the scan, delete it "
    "from /bone."
)
DATE_TAKEN = (
    "There is already one on record for that day, so nothing was changed. To keep only one, "
    "delete the other from /bone."
)

# --- Clinic doses
NO_DOSES = "There is no date on record to correct."
DOSES_HEAD = "Your {name} dates on record, newest first. Tap one to change or delete it."
DOSE_HEAD = "💉 Your {name} given on {date}."
DOSE_CHANGE_DATE = "📅 Change the date"
DOSE_DELETE = "🗑 Delete this date"
ASK_DOSE_REAL_DATE = (
    "On which day was your {name} of {date} really given?\n\n"
    "Tap the month, or type the date like 14 May 2026."
)
ASK_DELETE_DOSE = (
    "Delete your {name} of {date}? The next one is then counted from the date before it, if "
    "there is one. The deletion is kept in your record."
)
DOSE_MOVED = "Saved: your {name} of {old} was given on {new}."
DOSE_DELETED = "Deleted: your {name} of {date}."
DOSES_NONE_LEFT = "When you know the date of your last one, tell me with /bone."


def _site_name(site: Site) -> str:
    return SITE_NAMES[site.value].lower()


def doubt_text(doubt: TScoreDoubt) -> str:
    """Ask about a T-score that looks mistyped, saying why (the sign, the range, or both)."""
    value, site = t_score(doubt.value), _site_name(doubt.site)
    lines = []
    if Doubt.SIGN in doubt.doubts:
        if len(doubt.other_sites) == 1:
            others, verb = f"the {_site_name(doubt.other_sites[0])}", "is"
        else:
            others, verb = "the other sites", "are"
        side = "below" if doubt.others_below_zero else "above"
        lines.append(
            DOUBT_SIGN.format(value=value, site=site, others=others, verb=verb, side=side)
        )
        if Doubt.OUT_OF_RANGE in doubt.doubts:
            lines.append(DOUBT_RANGE_TOO)
    else:
        lines.append(DOUBT_RANGE.format(value=value, site=site))
    lines.append(DOUBT_ASK)
    return " ".join(lines)


def _scores_of(result: DxaResult) -> str:
    return scan_scores({site.value: value for site, value in result.t_scores.items()})


def scan_label(result: DxaResult) -> str:
    """A recorded scan on its button: the date and its T-scores, short."""
    scores = " / ".join(t_score(value) for value in result.t_scores.values())
    return f"{long_date(result.scanned_on)}: {scores}"


def site_button_labels(result: DxaResult) -> list[str]:
    """One label per site, in site order: correct its T-score, or add one not recorded."""
    labels = []
    for site in Site:
        value: float | None = getattr(result, site.value)
        name = SITE_NAMES[site.value]
        if value is None:
            labels.append(SCAN_ADD_SITE_BUTTON.format(site=name))
        else:
            labels.append(SCAN_SITE_BUTTON.format(site=name, value=t_score(value)))
    return labels


def _change_line(change: ScanChange) -> str:
    day = long_date(change.changed_on)
    if change.after is None:
        return f"{day}: deleted"
    parts = []
    if change.after.scanned_on != change.before.scanned_on:
        parts.append(
            f"date {long_date(change.before.scanned_on)} → {long_date(change.after.scanned_on)}"
        )
    for site in Site:
        before = getattr(change.before, site.value)
        after = getattr(change.after, site.value)
        if before != after:
            old = SCAN_NOT_GIVEN if before is None else t_score(before)
            new = SCAN_NOT_GIVEN if after is None else t_score(after)
            parts.append(f"{_site_name(site)} {old} → {new}")
    return f"{day}: {', '.join(parts)}"


def scan_page(entry: ScanEntry) -> str:
    """One recorded scan: its date, each site, and the changes kept."""
    result = entry.result
    lines = [SCAN_HEAD.format(date=long_date(result.scanned_on))]
    for site in Site:
        value: float | None = getattr(result, site.value)
        shown = SCAN_NOT_GIVEN if value is None else t_score(value)
        lines.append(SCAN_SITE_LINE.format(site=SITE_NAMES[site.value], value=shown))
    if entry.changes:
        lines += ["", SCAN_CHANGES_HEAD, *(_change_line(change) for change in entry.changes)]
    lines += ["", SCAN_HINT]
    return "\n".join(lines)


def ask_delete_scan(entry: ScanEntry) -> str:
    """Ask before a scan is deleted, naming it."""
    result = entry.result
    return ASK_DELETE_SCAN.format(date=long_date(result.scanned_on), scores=_scores_of(result))


def ask_correct_t_score(site: Site, scanned_on: date, value: float | None) -> str:
    """Ask for one site's T-score of a recorded scan again, saying what it is now."""
    return ASK_CORRECT_T_SCORE.format(
        site=SITE_NAMES[site.value],
        date=long_date(scanned_on),
        value=SCAN_NOT_GIVEN if value is None else t_score(value),
    )


def scan_corrected(corrected: Corrected) -> str:
    """The reply once a scan is corrected: the scan as it is now, then the DXA record."""
    if corrected.scan is None:
        return dxa_lines(corrected.view)
    result = corrected.scan.result
    head = SCAN_CORRECTED.format(date=long_date(result.scanned_on), scores=_scores_of(result))
    return f"{head}\n\n{dxa_lines(corrected.view)}"


def scan_deleted(scanned_on: date, view: DxaView) -> str:
    """The reply once a scan is deleted: which one, then the DXA record as it now stands."""
    return f"{SCAN_DELETED.format(date=long_date(scanned_on))}\n\n{dxa_lines(view)}"


def doses_head(view: AgentView) -> str:
    """Above a clinic agent's dates on record."""
    return DOSES_HEAD.format(name=view.product.name)


def dose_page(dose: DoseEntry) -> str:
    """One clinic dose on record."""
    return DOSE_HEAD.format(name=capitalised(dose.product.name), date=long_date(dose.given_on))


def ask_delete_dose(dose: DoseEntry) -> str:
    """Ask before a clinic dose is deleted, naming it."""
    return ASK_DELETE_DOSE.format(name=dose.product.name, date=long_date(dose.given_on))


def ask_dose_real_date(dose: DoseEntry) -> str:
    """Ask for the day a recorded clinic dose was really given."""
    return ASK_DOSE_REAL_DATE.format(name=dose.product.name, date=long_date(dose.given_on))


def dose_moved(view: AgentView, old: date, new: date) -> str:
    """The reply once a clinic dose's date is corrected: the plan as it now stands."""
    head = DOSE_MOVED.format(name=view.product.name, old=long_date(old), new=long_date(new))
    return f"{head}\n\n{agent_lines(view)}"


def dose_deleted(view: AgentView, given_on: date) -> str:
    """The reply once a clinic dose is deleted: the plan as it now stands."""
    head = DOSE_DELETED.format(name=view.product.name, date=long_date(given_on))
    lines = [head, "", agent_lines(view)]
    if view.last_given_on is None:
        lines.append(DOSES_NONE_LEFT)
    return "\n".join(lines)
