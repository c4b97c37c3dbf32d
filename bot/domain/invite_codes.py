"""Invitation codes for caregivers and clinicians: random, single-use, expiring, hashed.

Pure domain. A code carries 128 random bits (`secrets.token_urlsafe(16)`: 22 characters of
A-Z, a-z, 0-9, `-` and `_`, which is exactly what a `t.me/<bot>?start=<payload>` deep link
allows), so guessing one is hopeless even before the per-user attempt limit. Only the
SHA-256 of a code is stored: a copy of the database does not hand out working codes.

Failed attempts are counted per person by a keyed hash of their Telegram account
(HMAC-SHA256 with a secret derived from the bot's token), not the account itself: the least
that lets the limit outlast the person's erasure of their data (an erased account would
otherwise start afresh), and a copy of the database cannot tell whose attempts they were
(Telegram ids are few enough to try them all against a plain hash, not against a keyed one).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

CODE_BYTES = 16  # 128 random bits
CODE_LENGTH = 22  # base64url characters for 16 bytes, without padding
INVITE_LIFETIME = timedelta(hours=24)
# Failed attempts allowed per user in ATTEMPT_WINDOW before codes are not even looked at.
MAX_FAILED_ATTEMPTS = 5
ATTEMPT_WINDOW = timedelta(hours=1)

_CODE = re.compile(rf"[A-Za-z0-9_-]{{{CODE_LENGTH}}}")


def new_code() -> str:
    """Return a fresh code with 128 random bits."""
    return secrets.token_urlsafe(CODE_BYTES)


def code_hash(code: str) -> str:
    """Return the stored form of a code (hex SHA-256)."""
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def attempt_secret(bot_token: str) -> bytes:
    """Return the key of the attempt hashes, derived from the bot's token (a new token,
    after a leak, starts every count afresh: they last an hour anyway)."""
    return hmac.new(bot_token.encode(), b"bonebot failed invitation codes", "sha256").digest()


def attempt_key(secret: bytes, telegram_user_id: int) -> str:
    """Return what failed attempts are counted by: the HMAC-SHA256 of the Telegram id."""
    return hmac.new(secret, str(telegram_user_id).encode("ascii"), "sha256").hexdigest()


def looks_like_code(text: str) -> bool:
    """Tell whether text has the shape of a code (cheap check before any lookup)."""
    return _CODE.fullmatch(text) is not None


def deep_link(bot_username: str, code: str) -> str:
    """Return the t.me link that opens the bot with `/start <code>`."""
    return f"https://t.me/{bot_username}?start={code}"
