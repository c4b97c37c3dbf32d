"""Settings: a missing or malformed token is one clear line, not a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.config import SettingsProblem, load_settings

GOOD_TOKEN = "123456789:AAH" + "x" * 32


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's checkout
    for key in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "DATABASE_URL", "LOG_LEVEL"):
        monkeypatch.delenv(key, raising=False)


def test_defaults_point_at_public_api_and_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", GOOD_TOKEN)
    settings = load_settings()
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert settings.telegram_file_base_url == "https://api.telegram.org/file/bot"
    assert settings.database_url.startswith("sqlite")
    assert settings.log_level == "INFO"


def test_local_server_base_url_gets_matching_file_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", GOOD_TOKEN)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:8081/bot")
    assert load_settings().telegram_file_base_url == "http://127.0.0.1:8081/file/bot"


def test_dotenv_file_is_read(tmp_path) -> None:
    (tmp_path / ".env").write_text(f"TELEGRAM_BOT_TOKEN={GOOD_TOKEN}\nLOG_LEVEL=DEBUG\n")
    settings = load_settings()
    assert settings.telegram_bot_token.get_secret_value() == GOOD_TOKEN
    assert settings.log_level == "DEBUG"


def test_missing_token_is_named() -> None:
    with pytest.raises(SettingsProblem, match="TELEGRAM_BOT_TOKEN is not set"):
        load_settings()


@pytest.mark.parametrize("token", ["abc", "123:short", "123456789 AAH" + "x" * 32])
def test_malformed_token_is_named(monkeypatch: pytest.MonkeyPatch, token: str) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", token)
    with pytest.raises(SettingsProblem, match="TELEGRAM_BOT_TOKEN is malformed") as caught:
        load_settings()
    assert token not in str(caught.value)  # never echo a secret back


def test_token_is_hidden_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", GOOD_TOKEN)
    assert GOOD_TOKEN not in repr(load_settings())


def test_python_m_bot_without_token_prints_one_line(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(_repo_root())},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "TELEGRAM_BOT_TOKEN is not set" in lines[0]
    assert "Traceback" not in result.stderr


def _repo_root():
    from pathlib import Path

    return Path(__file__).resolve().parents[2]


def test_every_setting_is_documented_in_env_example() -> None:
    from bot.config import Settings

    example = (_repo_root() / ".env.example").read_text()
    keys = {line.split("=", 1)[0] for line in example.splitlines() if "=" in line}
    keys = {key.strip() for key in keys if not key.startswith("#")}
    assert {name.upper() for name in Settings.model_fields} <= keys
