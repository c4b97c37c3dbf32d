"""Logs at the recommended level keep secrets and health data out.

Logging is configured exactly as `python -m bot` does (`app.logs.configure_logging` at INFO:
the token-redacting filter, transport loggers held at WARNING), its output captured, and a
whole patient's life is played through the real bot: registration with typed answers and
mistakes, reminders answered Taken, Later and Skip with a reason, the window-end message,
/today, /history, a /regimen change, stray text, a file, a reply Telegram fails (so a
traceback is logged) and a forged button. Nothing the
patient wrote, nothing the bot answered, no medicine name, no symptom and not the token may
appear in any record at INFO or above (message and traceback alike).
"""

from __future__ import annotations

import contextlib
import io
import logging
import sys
from collections.abc import Iterator

import pytest

from app.logs import QUIET_LOGGERS, RedactSecrets, configure_logging
from app.telegram_transport import REPLY_RETRY_DELAYS
from bot.config import Settings
from bot.db.models import DoseStatus
from bot.ports import JobKind
from simulator import BotApiSimulator, RateLimits
from simulator import events as ev
from tests.e2e.helpers import (
    Person,
    bot_running,
    make_due_in,
    medication_of,
    planner_of,
    register,
    services_of,
    settled_events,
)
from tests.e2e.test_caregivers import invite, link
from tests.e2e.test_checkins import answer_questions, finish
from ui import texts

ALENDRONATE = "alendronate-70-weekly-tablet"
REPLY_ATTEMPTS = len(REPLY_RETRY_DELAYS) + 1  # a reply's first try and its retries
ANASTROZOLE = "anastrozole-1-daily-tablet"
# Loggers of the test's own infrastructure (the simulated Telegram server), not the bot's.
INFRASTRUCTURE = ("simulator", "aiohttp")
# Health data that must never reach a log: medicines, symptoms, skip reasons, answers.
HEALTH_WORDS = (
    "alendronate",
    "anastrozole",
    "letrozole",
    "exemestane",
    "risedronate",
    "ibandronate",
    "zoledronic",
    "denosumab",
    "bisphosphonate",
    "nause",
    "joint pain",
    "bones ache",
    "hot flush",
    "side effects",
    "side_effects",
    "care_team_pause",
    "forgot",
    "scan_results",
    "bone density",
)


class Records(logging.Handler):
    """Keep every record as the configured handler wrote it (after redaction)."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[tuple[str, int, str]] = []
        self._format = logging.Formatter("%(levelname)s %(name)s: %(message)s")

    def emit(self, record: logging.LogRecord) -> None:
        # format() appends the traceback (exc_info) and stack, so they are checked too.
        self.records.append((record.name, record.levelno, self._format.format(record)))

    def of_the_bot(self) -> list[str]:
        """Formatted records at INFO or above, leaving out the simulator's own."""
        return [
            text
            for name, level, text in self.records
            if level >= logging.INFO and not name.startswith(INFRASTRUCTURE)
        ]


@contextlib.contextmanager
def production_logging(token: str, level: str = "INFO") -> Iterator[tuple[io.StringIO, Records]]:
    """Configure logging as `python -m bot` does; yield its output and its records.

    pytest's own capture handlers are set aside meanwhile, so that `basicConfig` finds a
    bare root logger as it does in production; everything is put back afterwards.
    """
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    saved_levels = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    for handler in saved_handlers:
        root.removeHandler(handler)
    output, records = io.StringIO(), Records()
    try:
        # stderr is the capture while logging is set up, so what it says then is kept.
        with contextlib.redirect_stderr(output):
            configure_logging(level, token)
            [configured] = root.handlers
            assert isinstance(configured, logging.StreamHandler)
            assert configured.stream is sys.stderr
        root.addHandler(records)  # after the configured handler, so it sees redacted records
        yield output, records
    finally:
        for handler in root.handlers[:]:
            root.removeHandler(handler)
        for handler in saved_handlers:
            root.addHandler(handler)
        root.setLevel(saved_level)
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)


def leaks(texts: list[str], secrets: set[str]) -> list[tuple[str, str]]:
    """Pairs (secret, log text) where a secret appears in a log text, case-insensitively."""
    return [
        (secret, text)
        for text in texts
        for secret in secrets
        if secret.strip() and secret.casefold() in text.casefold()
    ]


def said_in_chat(sim: BotApiSimulator, user_id: int) -> tuple[set[str], set[str]]:
    """Everything the user wrote (texts, edits, captions, file names), and every reply.

    Read from the simulator's history, so texts later replaced by an edit count too.
    """
    user_texts, bot_texts = set(), set()
    for event in sim.events_since(0):
        if event.chat_id != user_id or event.kind not in (ev.MESSAGE, ev.EDITED):
            continue
        message = event.data
        text = message.get("text") or ""
        if message["from"]["is_bot"]:
            # Whole replies, and each of their lines long enough to mean something alone.
            bot_texts |= {text} | {line for line in text.splitlines() if len(line) >= 16}
        else:
            document = message.get("document") or {}
            user_texts |= {text, message.get("caption") or "", document.get("file_name") or ""}
    return {t for t in user_texts if t}, {t for t in bot_texts if t}


async def live_a_patients_life(app, sim: BotApiSimulator, alice: Person, bob: Person) -> None:
    """Registration with mistakes, reminders answered every way, views, a change, stray input."""
    alice.say("/start")
    await alice.expect("Is that all right?")
    alice.say("yes I agree to everything")  # typed where a button is expected
    await alice.expect("Please tap one of the buttons above.")
    alice.press("Yes, that's fine")
    await alice.expect("Which aromatase inhibitor")
    alice.press("Anastrozole")
    await alice.expect("What time of day")
    alice.say("25:99")  # not a time
    await alice.expect("couldn't read that time")
    alice.say("8:15 pm")
    await alice.expect("protect your bones")
    alice.press("Alendronate")
    await alice.expect("Which")
    alice.press("70 mg once a week (tablet)")
    await alice.expect("On which day")
    alice.press("Wednesday")
    await alice.expect("What time do you usually")
    alice.say("06:40")
    await alice.expect("Which time zone")
    alice.say("Mars/Olympus_Mons")  # not a zone
    await alice.expect("don't know that place")
    alice.say("Europe/Madrid")
    await alice.expect("Is this right?")
    alice.press("Yes, save it")
    await alice.expect("Saved")

    # The weekly bisphosphonate: taken, then its window ends.
    alendronate = await medication_of(app, alice.id, ALENDRONATE)
    await make_due_in(app, alendronate.id, 1)
    await alice.expect("Time for your alendronate", timeout=10)
    [taken] = await settled_events(app, alendronate.id, DoseStatus.SENT)
    alice.press("✅ Taken")
    await alice.expect("taken at")
    planner_of(app).plan(JobKind.WINDOW, taken.id, services_of(app).clock())
    await alice.expect("It has been 30 minutes")

    # The daily aromatase inhibitor: later, sent again, then skipped for side effects.
    anastrozole = await medication_of(app, alice.id, ANASTROZOLE)
    await make_due_in(app, anastrozole.id, 1)
    await alice.expect("Time for your anastrozole", timeout=10)
    [later] = await settled_events(app, anastrozole.id, DoseStatus.SENT)
    alice.press("⏰ Later")
    await alice.expect_buttons("⏰ In 15 min")
    alice.press("⏰ In 15 min")
    await alice.expect("I'll remind you again at")
    planner_of(app).plan(JobKind.SNOOZE, later.id, services_of(app).clock())
    again = await alice.expect("Time for your anastrozole", timeout=10)
    alice.press("Skip this dose", again)
    await alice.sim.wait_for_message(alice.id, lambda m: "Side effects" in str(m))
    alice.press("Side effects")
    await alice.expect("skipped")

    alice.say("/today")
    await alice.expect("Today:")
    alice.say("/history")
    await alice.expect("The last 30 days:")

    # A change of time zone, typed.
    alice.say("/regimen")
    await alice.expect("What would you like to change?")
    alice.press("Time zone")
    await alice.expect("Which time zone")
    alice.say("Asia/Tokyo")
    await alice.expect("Is this right?")
    alice.press("Yes, save it")
    await alice.expect("Saved")

    # Stray input: a symptom typed out of the blue, an edit, an unknown command, a file.
    alice.say("my bones ache and I feel nauseous since the new pills")
    await alice.expect("I work with buttons and commands")
    mine = [m for m in sim.messages(alice.id) if not m["from"]["is_bot"] and "text" in m]
    sim.edit_text(alice.id, mine[-1]["message_id"], "hot flushes and joint pain at night")
    await alice.expect("I work with buttons and commands")
    alice.say("/letrozole_dose please")
    await alice.expect("I don't know that command")
    sim.send_document(
        alice.id,
        "scan_results.pdf",
        b"%PDF-1.4 bone density",
        "application/pdf",
        caption="my bone density scan",
    )
    await alice.expect("I work with buttons and commands")

    # Telegram fails the reply to a symptom, every retry too: the error handler logs the
    # traceback.
    sim.faults.script("error", method="sendMessage", status=500, count=REPLY_ATTEMPTS)
    alice.say("my hip hurts since I started alendronate")
    await alice.expect("something went wrong", timeout=10)

    # Bob forges a press on Alice's dose; it is refused.
    await register(bob, ai=None)
    bob_message = sim.last_bot_message(bob.id)
    assert bob_message is not None
    query = bob.press_data(bob_message["message_id"], f"d:t:{later.id}")
    assert await bob.toast(query) == "Sorry, that button isn't available to you."
    alice.say("/cancel")
    await alice.expect("Stopped.")

    # A caregiver is linked; a red flag alerts her, she acknowledges; Alice exports a PDF.
    carol = Person(sim, 1003, "Carol")
    await link(alice, carol)
    alice.say("/symptoms")
    await answer_questions(alice, {"FATIGUE": ["Severe", "A little bit"]})
    await finish(alice, note="hot flushes and joint pain at night")
    alert = await carol.expect("symptom check-in shows")
    carol.press(texts.ALERT_SEEN, alert)
    await alice.expect("Carol has seen your check-in report")
    alice.say("/export")
    alice.press(texts.PERIOD_LABELS[30], await alice.expect(texts.EXPORT_PERIOD))
    alice.press(texts.FORMAT_LABELS["pdf"], await alice.expect(texts.EXPORT_FORMAT))
    await alice.expect("Done:", timeout=30)


async def test_a_patients_whole_life_leaves_no_health_data_nor_token_in_the_logs(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    simulator.rate_limits = RateLimits(enabled=False)
    token = settings.telegram_bot_token.get_secret_value()
    alice, bob = Person(simulator, 1001, "Alice"), Person(simulator, 1002, "Bob")
    with production_logging(token) as (output, records):
        async with bot_running(settings) as app:
            await live_a_patients_life(app, simulator, alice, bob)

    logged = records.of_the_bot()
    assert any("scheduler ready" in text for text in logged), "the capture saw nothing"
    assert any("dose reminder" in text for text in logged), "the reminder went unlogged"
    [failure] = [text for text in logged if "error while handling an update" in text]
    assert "Traceback" in failure, "the failed reply's traceback went unlogged"
    user_texts, bot_texts = said_in_chat(simulator, alice.id)
    assert "hot flushes and joint pain at night" in user_texts
    assert any("Time for your anastrozole" in text for text in bot_texts)
    assert not leaks(logged, user_texts), "a text the patient sent was logged"
    assert not leaks(logged, bot_texts), "a reply the bot sent was logged"
    assert not leaks(logged, set(HEALTH_WORDS) | {"Alice", "Carol", "Europe/Madrid"})
    carol_heard, carol_was_told = said_in_chat(simulator, 1003)
    assert any("tiredness" in text for text in carol_was_told)
    assert not leaks(logged, carol_heard | carol_was_told), "a caregiver's chat was logged"
    # The token, in anything written at all (the simulator's records included).
    assert token not in output.getvalue()
    assert token.split(":")[1] not in output.getvalue()
    # httpx logs each request's URL, which holds the token, at INFO: held back.
    assert "HTTP Request" not in output.getvalue()


async def test_at_debug_no_invitation_code_nor_token_is_logged(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    """DEBUG logs every update and Bot API call (python-telegram-bot's own records): health
    data then, which the README marks as not for production, but never a secret. Before: the
    live invitation code was in the deep link sent, in /start's update and in the Accept
    button's callback data, all logged."""
    simulator.rate_limits = RateLimits(enabled=False)
    token = settings.telegram_bot_token.get_secret_value()
    alice, carol = Person(simulator, 1001, "Alice"), Person(simulator, 1003, "Carol")
    mallory = Person(simulator, 1666, "Mallory")
    with production_logging(token, "DEBUG") as (output, records):
        async with bot_running(settings) as app:
            await register(alice)
            code = await invite(alice)
            mallory.say(f"/start {code[:-1]}x")  # a wrong code, one character off
            await mallory.expect(texts.INVALID_CODE)
            carol.say(f"/start {code}")
            carol.press(texts.INVITE_ACCEPT, await carol.expect("Do you accept?"))
            await carol.expect(texts.INVITE_ACCEPTED)
            alice.press(texts.LINK_CONFIRM_YES, await alice.expect("Carol accepted"))
            await carol.expect("Alice confirmed")
            second = await invite(alice, texts.INVITE_CLINICIAN)  # never used: still live
            assert services_of(app)

    written = [text for _name, _level, text in records.records]
    assert any("Calling Bot API endpoint" in text for text in written), "not at DEBUG"
    assert "not for production" in output.getvalue(), "DEBUG not marked unsafe"
    for secret in (code, second, code[:-1] + "x", token, token.split(":")[1]):
        assert not [text for text in written if secret in text], secret
        assert secret not in output.getvalue()


@pytest.mark.parametrize("name", QUIET_LOGGERS)
def test_transport_loggers_are_quiet_at_info(name: str) -> None:
    with production_logging("7000000001:AAHsimulatedBotTokenForLocalTests000000") as (out, _):
        assert not logging.getLogger(name).isEnabledFor(logging.INFO)
        logging.getLogger(name).info("HTTP Request: POST https://api.telegram.org/bot...")
    assert out.getvalue() == ""


def test_httpx_request_lines_are_held_back_even_when_they_carry_the_token() -> None:
    token = "123456789:AAExampleTokenThatMustNeverBeLogged_x"
    with production_logging(token) as (output, _):
        logging.getLogger("httpx").info(
            'HTTP Request: POST https://api.telegram.org/bot%s/getUpdates "HTTP/1.1 200 OK"',
            token,
        )
        logging.getLogger("httpx").warning("request to /bot%s/sendMessage failed", token)
    assert "HTTP Request" not in output.getvalue()
    assert "/bot<token>/sendMessage failed" in output.getvalue()
    assert token not in output.getvalue()


TOKEN = "123456789:AAExampleTokenThatMustNeverBeLogged_x"


def _record(msg: str, *args: object, exc_info: object = None) -> logging.LogRecord:
    return logging.LogRecord("bot", logging.ERROR, __file__, 1, msg, args or None, exc_info)


def _written(record: logging.LogRecord) -> str:
    assert RedactSecrets(TOKEN).filter(record) is True  # redacts, never drops
    return logging.Formatter("%(message)s").format(record)


def test_redact_token_in_the_message_and_in_its_arguments() -> None:
    assert _written(_record(f"calling https://x/bot{TOKEN}/getMe")) == (
        "calling https://x/bot<token>/getMe"
    )
    assert _written(_record("calling %s with %d", f"/bot{TOKEN}/getMe", 3)) == (
        "calling /bot<token>/getMe with 3"
    )


def test_redact_token_leaves_other_records_alone() -> None:
    record = _record("chat %s: %s", 1001, "sent")
    assert _written(record) == "chat 1001: sent"
    assert record.args == (1001, "sent")  # arguments untouched when there is nothing to hide
    empty = logging.LogRecord("bot", logging.INFO, __file__, 1, "a%sb", ("x",), None)
    assert RedactSecrets("").filter(empty)
    assert empty.getMessage() == "axb"


def test_redact_token_in_a_traceback() -> None:
    try:
        raise ConnectionError(f"cannot reach https://api.telegram.org/bot{TOKEN}/getUpdates")
    except ConnectionError:
        record = _record("network trouble", exc_info=sys.exc_info())
    written = _written(record)
    assert (
        "ConnectionError: cannot reach https://api.telegram.org/bot<token>/getUpdates" in written
    )
    assert TOKEN not in written


def test_redact_token_in_a_chained_traceback_and_a_stack() -> None:
    try:
        try:
            raise ValueError(TOKEN)
        except ValueError as inner:
            raise RuntimeError("outer") from inner
    except RuntimeError:
        record = _record("failed", exc_info=sys.exc_info())
    record.stack_info = f"Stack (most recent call last):\n  token={TOKEN}"
    written = _written(record)
    assert "ValueError: <token>" in written
    assert "token=<token>" in written
    assert TOKEN not in written


CODE = "ntuUBLOhXhvwFFJUcuZlNw"  # 22 base64url characters: an invitation code's shape


@pytest.mark.parametrize(
    "logged",
    [
        f"https://t.me/bonebot_bot?start={CODE}",
        f"'text': '/start {CODE}'",
        f"callback_data='iv:a:{CODE}'",
        f"text=Send+this+link%3A+https%3A%2F%2Ft.me%2Fb%3Fstart%3D{CODE}%0A",
        CODE,
    ],
)
def test_invitation_codes_are_redacted_wherever_they_stand(logged: str) -> None:
    written = _written(_record("sent %s", logged))
    assert CODE not in written
    assert "<code>" in written


def test_longer_or_shorter_runs_are_not_codes_and_other_secrets_are_redacted() -> None:
    file_id = "BQACAgIAAxkBAAIBW2V" + CODE  # a file id is longer than a code
    assert _written(_record("file %s", file_id)) == f"file {file_id}"
    assert _written(_record("short %s", CODE[:-1])) == f"short {CODE[:-1]}"
    record = _record("setWebhook with secret_token=%s", "s3cret-Webhook_Value")
    assert RedactSecrets(TOKEN, "s3cret-Webhook_Value").filter(record)
    assert logging.Formatter("%(message)s").format(record) == (
        "setWebhook with secret_token=<secret>"
    )
