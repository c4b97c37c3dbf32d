"""Words for the symptom history chart (/symptoms history)."""

from __future__ import annotations

HISTORY_NO_CHECKINS = "There are no finished check-ins yet. Send /symptoms to do one."
HISTORY_ALL_WELL = "No symptoms were reported in the last {count} check-ins. Good to hear."
HISTORY_CAPTION = (
    "Each line is one symptom: 0 means none, 4 the most. "
    "Only symptoms reported at least once are shown."
)
SYMPTOM_LOG_BUTTON = "📈 {name}'s symptoms"


def history_chart_title(patient_name: str, checkins: int) -> str:
    """The chart's title: whose symptoms, over how many check-ins."""
    whose = f"{patient_name}'s symptoms" if patient_name else "Your symptoms"
    return f"{whose} ({checkins} check-ins)"
