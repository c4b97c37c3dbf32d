"""`python -m bot demo`: try the bot in a browser, with no Telegram account and no set-up.

One process, one event loop: the local Bot API simulator, the real bot polling it (a
throw-away SQLite database unless DATABASE_URL is set) and a chat page that looks and
behaves like a phone chat with the bot. The page plays one person per tab (``?user=&name=``)
and has the demo's only time control: "run the next scheduled job now", which moves the
bot's clock forward to that job (see `timekeeper`). Nothing here is used by the real bot.
"""

from demo.runner import DEFAULT_PORT, Demo, PortUnavailable, demo_running, main
from demo.timekeeper import DemoClock, RanJob, Timekeeper

__all__ = [
    "DEFAULT_PORT",
    "Demo",
    "DemoClock",
    "PortUnavailable",
    "RanJob",
    "Timekeeper",
    "demo_running",
    "main",
]
