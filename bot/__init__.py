"""bonebot: keeps people on aromatase inhibitors on their bone-protection plan."""

import os

# Opt in to python-telegram-bot's future behaviour (durations as timedelta, e.g.
# RetryAfter.retry_after); without it PTB 22 warns on every flood-control error.
os.environ.setdefault("PTB_TIMEDELTA", "true")
