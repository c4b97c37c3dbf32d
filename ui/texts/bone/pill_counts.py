"""Words for pill counts and refill reminders."""

from __future__ import annotations

from bot.domain.care_reminders import REFILL_AT_DOSES, PillSupply
from bot.domain.catalog import Product
from bot.services.bone.pill_counts import CountView
from ui.texts.common import capitalised

PILLS_SETTINGS = "🔢 Pill counts"
PILLS_HEAD = "🔢 Pill counts (optional)"
PILLS_INTRO = (
    "Count your tablets and I'll remind you to ask for more in time. Each dose you confirm "
    "as taken comes off the count."
)
PILLS_LINE_NONE = "• {name}: not counted"
PILLS_LINE = "• {name}: about {tablets} tablets left"
PILLS_NOTHING = "None of your medicines are tablets I can count."
PILLS_COUNT_BUTTON = "Count {name}"
PILLS_STOP_BUTTON = "Stop counting {name}"
ASK_PILL_COUNT = "How many {name} tablets do you have now? Type the number, like 28."
BAD_COUNT = "Sorry, I couldn't use that. Type a whole number of tablets, like 28. /cancel stops."
PILLS_SAVED = (
    "Saved: {tablets} tablets of {name}. I'll remind you to ask for more when about {at} are left."
)
PILLS_STOPPED = "I've stopped counting {name}."
REFILL_REMINDER = (
    "🧾 You have about {tablets} {name} tablets left. Time to ask your pharmacy or care team "
    "for more."
)
RECOUNT = "🔢 I've got more: update the count"


def pill_lines(views: list[CountView]) -> str:
    """The pill counts message: each countable medicine and its count now."""
    if not views:
        return PILLS_NOTHING
    lines = [PILLS_HEAD, PILLS_INTRO, ""]
    for view in views:
        name = capitalised(view.product.name)
        if view.supply is None:
            lines.append(PILLS_LINE_NONE.format(name=name))
        else:
            lines.append(PILLS_LINE.format(name=name, tablets=view.supply.tablets))
    return "\n".join(lines)


def pills_saved(view: CountView) -> str:
    """The reply once a count is saved, with when the refill reminder comes."""
    supply = view.supply
    tablets = supply.tablets if supply else 0
    at = REFILL_AT_DOSES[supply.frequency] * supply.tablets_per_dose if supply else 0
    return PILLS_SAVED.format(tablets=tablets, name=view.product.name, at=at)


def refill_reminder(product: Product, supply: PillSupply) -> str:
    """The refill reminder: what is left, and whom to ask."""
    return REFILL_REMINDER.format(tablets=supply.tablets, name=product.name)
