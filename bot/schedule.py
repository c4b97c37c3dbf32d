"""Dose schedule arithmetic in the patient's own time zone (pure functions, no I/O)."""

from __future__ import annotations

from enum import StrEnum


class Frequency(StrEnum):
    """How often a self-administered medicine is taken."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    MONTHLY_TWO_DAYS = "monthly_two_days"  # risedronate 75 mg: two consecutive days each month
