"""Settings read from the environment and `.env`, in one typed place."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.domain import invite_codes

PUBLIC_BOT_API = "https://api.telegram.org/bot"
TOKEN_PATTERN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")
WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # Bot API setWebhook rule


def _check_token(token: SecretStr) -> SecretStr:
    """Reject tokens that cannot be a BotFather token, before any network call."""
    if not TOKEN_PATTERN.fullmatch(token.get_secret_value().strip()):
        raise ValueError("does not look like a BotFather token (digits:letters)")
    return SecretStr(token.get_secret_value().strip())


BotToken = Annotated[SecretStr, AfterValidator(_check_token)]


class Settings(BaseSettings):
    """Everything the bot reads from its environment; every key is in `.env.example`."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: BotToken
    telegram_api_base_url: str = PUBLIC_BOT_API
    database_url: str = "sqlite+aiosqlite:///bonebot.sqlite3"
    log_level: str = "INFO"
    snooze_minutes: int = Field(default=15, ge=1, le=240)
    recheck_after_minutes: int = Field(default=120, ge=5, le=24 * 60)
    late_grace_minutes: int = Field(default=240, ge=0, le=48 * 60)
    send_per_second: float = Field(default=30.0, gt=0)
    send_per_chat_per_second: float = Field(default=1.0, gt=0)
    # Messages the bot may send at once above those rates (replies only: reminders are
    # spaced evenly). Telegram tolerates short bursts; these stay below what it allowed.
    send_burst: int = Field(default=20, ge=1)
    send_per_chat_burst: int = Field(default=2, ge=1)
    leader_retry_seconds: float = Field(default=2.0, gt=0, le=30)
    leader_lease_seconds: float = Field(default=3.0, ge=0.3, le=60)
    database_outage_seconds: float = Field(default=300.0, gt=0)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        """Refuse a webhook anyone could post forged updates to."""
        if self.webhook_url and not self.webhook_secret:
            raise ValueError("WEBHOOK_SECRET is required with WEBHOOK_URL")
        secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
        if secret and not WEBHOOK_SECRET_PATTERN.fullmatch(secret):
            raise ValueError("WEBHOOK_SECRET must be 1-256 of A-Z, a-z, 0-9, _ and -")
        return self

    @property
    def code_attempt_secret(self) -> bytes:
        """The key failed invitation codes are counted by (`invite_codes.attempt_key`)."""
        return invite_codes.attempt_secret(self.telegram_bot_token.get_secret_value())

    @property
    def webhook_path(self) -> str:
        """The path part of WEBHOOK_URL, where the bot listens for Telegram's posts."""
        return urlsplit(self.webhook_url or "").path.lstrip("/")

    @property
    def telegram_file_base_url(self) -> str:
        """Derive the file-download base the way the Bot API lays it out (`/file/bot`)."""
        base = self.telegram_api_base_url
        if base.endswith("/bot"):
            return base[: -len("bot")] + "file/bot"
        return base.rstrip("/") + "/file/bot"


class SettingsProblem(Exception):
    """The environment cannot start the bot; the message says what to set."""


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning pydantic's report into one line a newcomer can act on."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        fields = {str(err["loc"][0]).upper() for err in error.errors() if err["loc"]}
        if "TELEGRAM_BOT_TOKEN" in fields:
            missing = any(
                err["type"] == "missing"
                for err in error.errors()
                if err["loc"][0] == "telegram_bot_token"
            )
            what = "is not set" if missing else "is malformed"
            raise SettingsProblem(
                f"TELEGRAM_BOT_TOKEN {what}: put the token @BotFather gave you in .env "
                "(see .env.example) or export it."
            ) from None
        reasons = "; ".join(
            str(err["msg"]).removeprefix("Value error, ") for err in error.errors()
        )
        where = ", ".join(sorted(fields)) or "settings"
        raise SettingsProblem(f"Invalid {where}: {reasons} (see .env.example).") from None
