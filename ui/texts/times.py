"""Words for moving a medicine's reminder to another time (two taps from /regimen)."""

from __future__ import annotations

from datetime import time

from bot.domain.catalog import get_product
from ui.texts.common import capitalised


def change_time_label(name: str, at: time) -> str:
    """A /regimen button that moves one medicine's reminder (first of two taps)."""
    return f"⏰ {capitalised(name)} at {at:%H:%M}: change the time"


def ask_new_time(product_key: str) -> str:
    """The second tap's question."""
    return f"What time shall I remind you of your {get_product(product_key).name}?"


def time_changed(product_key: str, at: time) -> str:
    """After the second tap."""
    return (
        f"Saved: I'll remind you of your {get_product(product_key).name} at {at:%H:%M} from "
        "now on. /today shows what comes next."
    )
