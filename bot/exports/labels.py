"""The words exports use for catalogue keys, schedules, answers and red flags (English).

Exports are read by clinicians as well as patients, so the wording is clinical but plain. Every
function falls back to the stored code when the catalogue no longer knows it: an export must
never fail on an old row.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from bot.domain.calcium import SupplementKind
from bot.domain.catalog import PRODUCTS, Product, drug_display_name
from bot.domain.symptoms import ITEMS, SCALES, Attribute
from bot.exports.snapshot import MarkerChangeRow, MedicationRow, RecordChangeRow

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

ROLE_LABELS: Mapping[str, str] = MappingProxyType(
    {"aromatase_inhibitor": "Aromatase inhibitor", "bone_agent": "Bone medicine"}
)
SKIP_REASON_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "forgot": "Forgot",
        "side_effects": "Side effects",
        "care_team_pause": "Care team said pause",
        "other": "Other reason",
        "ate_first": "Had eaten or drunk first (late reminder)",
    }
)
STATUS_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "pending": "Due, reminder not yet sent",
        "sent": "Reminder sent, no answer yet",
        "taken": "Taken",
        "skipped": "Skipped",
        "missed": "Missed",
    }
)
# A supplement medication's product_key is a SupplementKind, not a catalogue key.
SUPPLEMENT_LABELS: Mapping[str, str] = MappingProxyType(
    {
        SupplementKind.CALCIUM.value: "calcium (or calcium with vitamin D)",
        SupplementKind.VITAMIN_D.value: "vitamin D",
        SupplementKind.ANTACID.value: "antacid",
        SupplementKind.OTHER.value: "other supplement",
    }
)
# For clinicians; the patient's own wording is in bot.domain.redflags.
_FLAG_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "upper_gi": "Chest pain, swallowing trouble or new/worse heartburn on an oral "
        "bisphosphonate",
        "jaw": "Jaw or mouth pain, loose tooth or non-healing sore (possible ONJ)",
        "thigh": "New thigh, hip or groin pain (possible atypical femoral fracture)",
        "calcium": "Cramps or perioral/finger tingling (possible hypocalcaemia)",
        "fall": "Fall or broken bone",
        "bone_pain": "Severe bone, joint or muscle pain on a bisphosphonate or denosumab",
        "adherence": "Aromatase inhibitor adherence at risk (severe joint pain or wants to stop)",
    }
)


def product_of(key: str) -> Product | None:
    """Return the catalogue entry for a key, or None when the catalogue no longer has it."""
    return PRODUCTS.get(key)


def medicine_name(key: str) -> str:
    """Return a medicine's name with its strength, e.g. "anastrozole 1 mg" (a supplement's
    kind, e.g. "calcium (or calcium with vitamin D)")."""
    product = product_of(key)
    if product is not None:
        return product.name
    return SUPPLEMENT_LABELS.get(key, key)


def medicine_title(key: str) -> str:
    """Return a medicine's name for headings and tables, e.g. "Anastrozole 1 mg tablet"."""
    product = product_of(key)
    if product is None:
        return key
    return f"{drug_display_name(product.drug)} {product.strength} {product.form}"


def schedule_text(medication: MedicationRow) -> str:
    """Describe when a medicine is due, e.g. "weekly on Monday at 07:00"."""
    product = product_of(medication.product_key)
    if medication.frequency is None:
        if product is not None and product.interval_months is not None:
            return f"given at the clinic every {product.interval_months} months"
        return "given at the clinic"
    at = f" at {medication.time_of_day:%H:%M}" if medication.time_of_day is not None else ""
    match medication.frequency:
        case "daily":
            return f"daily{at}"
        case "weekly" if medication.weekday is not None:
            return f"weekly on {WEEKDAYS[medication.weekday]}{at}"
        case "monthly":
            return f"monthly on day {medication.day_of_month}{at}"
        case "monthly_two_days":
            return f"monthly on day {medication.day_of_month} and the day after{at}"
    return f"{medication.frequency}{at}"


def item_term(item_code: str) -> str:
    """Return a check-in item's symptom term, e.g. "Joint pain"."""
    item = ITEMS.get(item_code)
    return item.term if item is not None else item_code


def answer_label(item_code: str, attribute: str, score: int | None) -> str:
    """Return the answer button the patient tapped, e.g. "Moderate"."""
    item = ITEMS.get(item_code)
    try:
        if item is not None:
            return item.scale(Attribute(attribute)).label_of(score)
        return SCALES[Attribute(attribute)].label_of(score)
    except (KeyError, ValueError):
        return "" if score is None else str(score)


def flag_label(code: str) -> str:
    """Describe a red-flag episode code for clinicians, e.g. "Severe: Joint pain"."""
    if code in _FLAG_LABELS:
        return _FLAG_LABELS[code]
    kind, _, item_code = code.partition(":")
    if kind == "severe" and item_code:
        return f"Severe: {item_term(item_code)}"
    if kind == "rise" and item_code:
        return f"Worse by 2+ points: {item_term(item_code)}"
    return code


# The fields of a bone-health record a change can touch, as exports name them.
_CHANGED_FIELDS = (
    ("date", "old_on", "new_on"),
    ("lumbar_spine", "old_lumbar_spine", "new_lumbar_spine"),
    ("total_hip", "old_total_hip", "new_total_hip"),
    ("femoral_neck", "old_femoral_neck", "new_femoral_neck"),
)


def _value_text(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, float):
        return repr(value)  # with its sign, as the CSV writes numbers
    return str(value)  # a date: YYYY-MM-DD


def change_parts(change: RecordChangeRow, *, scan: bool = True) -> list[str]:
    """Return what a change did, field by field ("lumbar_spine 2.3 -> -2.3"); a deletion
    gives "deleted" and the values it removed."""
    fields = _CHANGED_FIELDS if scan else _CHANGED_FIELDS[:1]
    if change.deleted:
        removed = [
            f"{name} {_value_text(getattr(change, old))}"
            for name, old, _new in fields
            if getattr(change, old) is not None
        ]
        return [f"deleted (was {', '.join(removed)})"]
    return [
        f"{name} {_value_text(before)} -> {_value_text(after)}"
        for name, old, new in fields
        if (before := getattr(change, old)) != (after := getattr(change, new))
    ]


def changed_fields(change: RecordChangeRow) -> frozenset[str]:
    """Return the names of the fields a change touched (every one, for a deletion)."""
    return frozenset(
        name
        for name, old, new in _CHANGED_FIELDS
        if change.deleted or getattr(change, old) != getattr(change, new)
    )


# Lab results as a clinician reads them (the patient's wording is in ui.texts).
MARKER_LABELS = {
    "vitamin_d": "25-hydroxyvitamin D (D2 + D3), serum",
    "ctx": "CTX (C-terminal telopeptide of type I collagen), serum",
    "p1np": "P1NP (procollagen type I N-terminal propeptide), serum",
    "bsap": "Bone-specific alkaline phosphatase, serum",
    "ntx": "NTX (N-telopeptide of type I collagen) / creatinine, urine",
}


MARKER_SHORT = {
    "vitamin_d": "25-OH vitamin D",
    "ctx": "CTX",
    "p1np": "P1NP",
    "bsap": "Bone ALP",
    "ntx": "NTX/creatinine",
}


def marker_short(marker: str) -> str:
    """Return a lab test's short name, for a chart panel or a narrow table cell."""
    return MARKER_SHORT.get(marker, marker)


def marker_label(marker: str) -> str:
    """Return a lab test's name for clinicians (its code, for a code this version lacks)."""
    return MARKER_LABELS.get(marker, marker)


def marker_change_parts(change: MarkerChangeRow) -> list[str]:
    """Return what a result's change did ("date 2031-02-01 -> 2031-02-02", "35 pg/mL ->
    350 pg/mL"); a deletion gives "deleted" and the result it removed."""
    if change.deleted or change.new_on is None:
        return [f"deleted (was {change.old_on.isoformat()}, {change.old_printed})"]
    parts = []
    if change.new_on != change.old_on:
        parts.append(f"date {change.old_on.isoformat()} -> {change.new_on.isoformat()}")
    if change.new_printed != change.old_printed:
        parts.append(f"{change.old_printed} -> {change.new_printed}")
    return parts
