"""Property-based tests: random and malformed updates thrown at the running bot.

One real bot (the PTB Application, the simulator, a real database) runs per test function on
the test's event loop; Hypothesis runs in a worker thread and plays each example's actions
on that loop. Two patients are registered first, each with a reminder sent. An example
starts Alice afresh (her dose unanswered again, idle or halfway through changing one part of
her regimen from /regimen) or a newcomer at the consent question, then plays a few actions:
texts and commands of every odd kind, edits, files, photos, forged button data, and presses
on real buttons old and new. Every action waits for the bot's reaction (a message, an edit
or a callback answer); every example ends with /help, whose reply proves the bot still
answers and, as each person's updates are handled in order, that all before it were.

Properties, checked after every example:

- no update ends in an unhandled exception (nothing logged at ERROR or above, by any logger);
- the other patient's rows (patient, medications, doses) are exactly as they were, and so is
  Alice's dose when a newcomer forges presses on it;
- every button press was answered (the client's spinner stops).

Cases that once crashed the bot are replayed first in every run (`KNOWN_TRAPS`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from telegram.ext import Application

from bot.config import Settings
from bot.db.models import DoseEvent, DoseStatus, Medication, Patient
from bot.domain.catalog import PRODUCTS
from bot.domain.regimen_draft import Question
from simulator import BotApiSimulator, RateLimits
from simulator import events as ev
from tests.e2e.helpers import (
    Person,
    bot_running,
    make_due_in,
    medication_of,
    register,
    services_of,
    settled_events,
)
from ui import texts
from ui.keyboards.doses import dose_buttons

T = TypeVar("T")

ALENDRONATE = "alendronate-70-weekly-tablet"
ACTION_TIMEOUT = 5.0  # seconds the bot has to react to one action
# Longer hunts: BONEBOT_FUZZ_SCALE=10 runs ten times as many examples.
SCALE = float(os.environ.get("BONEBOT_FUZZ_SCALE", "1"))
FUZZ_SETTINGS = settings(
    deadline=None,
    database=None,  # nothing saved between runs: a failure prints its example in full
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- what a fuzzing patient can do ----------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """Send a text (or a command)."""

    text: str


@dataclass(frozen=True)
class Edit:
    """Edit my newest text message to this text (sends it first if I have none)."""

    text: str


@dataclass(frozen=True)
class Document:
    """Upload a file."""

    filename: str
    content: bytes
    mime_type: str | None
    caption: str | None


@dataclass(frozen=True)
class Photo:
    """Send a tiny picture."""

    caption: str | None


@dataclass(frozen=True)
class Forge:
    """Press a button with any data on some message (present, missing or not the bot's)."""

    data: str
    target: str


@dataclass(frozen=True)
class Tap:
    """Press a real button: the `button`-th of the `message`-th keyboard (stale ones too)."""

    message: int
    button: int


Action = Text | Edit | Document | Photo | Forge | Tap

# Lone surrogates cannot travel in JSON (nor in Telegram), so they are left out.
ANY_CHAR = st.characters(exclude_categories=("Cs",))
ODD_PIECE = st.sampled_from(
    [
        "\x00",  # NUL
        "\x01",
        "\x1b",
        "\x7f",
        "\u200f",  # right-to-left mark
        "\u202e",  # right-to-left override
        "\u200b",  # zero-width space
        "\ufeff",
        "\u2028",
        "\t",
        "\n",
        "\r",
        "\u0301",  # a combining accent with nothing to combine with
        "💊",
        "👩🏽‍⚕️",
        "🏳️‍🌈",
        "\U0010ffff",
        "<b>",
        "&amp;",
        "*_`[",
        "١٢",  # Arabic-Indic digits
        "²",
    ]
)
WHITESPACE = st.text(st.sampled_from(" \t\n\r\u00a0\u2003\u3000\u200b\u2028"), min_size=1)
PLAUSIBLE = st.sampled_from(
    [
        "yes",
        "no",
        "none",
        "08:30",
        "8pm",
        "25:00",
        "12:60",
        "0730",
        "noon",
        "Europe/London",
        "europe/london",
        "America/New York",
        "UTC",
        "Etc/GMT+5",
        "../../etc/passwd",
        "/etc/localtime",
        "Europe\\London",
        "Anastrozole",
        "I missed it",
        "I forgot",
    ]
)


def _joined(max_size: int) -> st.SearchStrategy[str]:
    """Text mixing any characters with odd pieces (controls, marks, emoji, markup)."""
    return st.lists(ODD_PIECE | ANY_CHAR, min_size=1, max_size=max_size).map("".join)


def _longer_than_a_message(piece: str, extra: int) -> str:
    return piece * (4097 // len(piece) + 1 + extra)


LONG_TEXT = st.builds(
    _longer_than_a_message, st.text(ANY_CHAR, min_size=1, max_size=8), st.integers(0, 300)
)
TEXTS = st.one_of(
    st.text(ANY_CHAR, min_size=1, max_size=60),
    _joined(30),
    WHITESPACE,
    PLAUSIBLE,
    LONG_TEXT,
)
KNOWN_COMMANDS = ("start", "today", "history", "regimen", "help", "cancel")
COMMANDS = st.builds(
    lambda name, mention, args: f"/{name}{mention}{args}",
    st.sampled_from(KNOWN_COMMANDS) | st.from_regex(r"[A-Za-z0-9_]{1,40}", fullmatch=True),
    st.sampled_from(["", "", "@otherbot", "@{bot}", "@", "@@x"]),
    st.one_of(
        st.just(""),
        st.just(" x y z"),
        _joined(40).map(" ".__add__),
        LONG_TEXT.map(" ".__add__),
    ),
)
MESSAGE_TEXTS = TEXTS | COMMANDS
CAPTIONS = st.none() | TEXTS | COMMANDS

# A 1x1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)

# Callback data: ids of my dose and of the other patient's, and numbers that do not fit.
IDS = st.one_of(
    st.sampled_from(["{mine}", "{other}", "{mine}", "{other}"]),
    st.sampled_from(
        [
            "0",
            "-1",
            "2147483647",
            "2147483648",
            "9223372036854775807",
            "9223372036854775808",
            "18446744073709551616",
            "999999999999999999",
            "1e3",
            "0x10",
            "١٢",
            "",
        ]
    ),
    st.integers(-(2**70), 2**70).map(str),
)
FIELDS = st.sampled_from([q.value for q in Question]) | st.from_regex(
    r"[a-z_]{1,20}", fullmatch=True
)
VALUES = st.one_of(
    st.sampled_from(
        [
            "yes",
            "no",
            "restart",
            "none",
            "clinic",
            "alendronate",
            "risedronate",
            "w0",
            "w6",
            "w7",
            "w-1",
            "m0",
            "m1",
            "m31",
            "m32",
            "m99999999999999999999999",
            "0730",
            "2400",
            "9999",
            "0000",
            "Europe/London",
            "Etc/GMT+5",
            "UTC",
            "../../etc",
        ]
    ),
    st.sampled_from(sorted(PRODUCTS)),
    st.from_regex(r"[A-Za-z0-9_+\-/]{1,40}", fullmatch=True),
    st.text(ANY_CHAR, max_size=20),
)
DOSE_DATA = st.builds(
    lambda action, event, reason: f"d:{action}:{event}{reason}",
    st.sampled_from([*"tzsmbrx", "", "tt"]),
    IDS,
    st.sampled_from(["", ":forgot", ":side_effects", ":bogus", ":", ":" + "a" * 30]),
)
REG_DATA = st.builds(lambda field, value: f"reg:{field}:{value}", FIELDS, VALUES)
EDIT_DATA = st.builds(
    "edit:".__add__, st.sampled_from(["ai", "bone", "tz", "keep", "", "AI", "x" * 9]) | FIELDS
)
CALLBACK_DATA = st.one_of(DOSE_DATA, DOSE_DATA, REG_DATA, EDIT_DATA, _joined(64))
TARGETS = st.sampled_from(["reminder", "newest", "missing", "own message", "other's message"])

MESSAGE_ACTIONS: st.SearchStrategy[Action] = st.one_of(
    st.builds(Text, MESSAGE_TEXTS),
    st.builds(Edit, MESSAGE_TEXTS),
    st.builds(
        Document,
        _joined(40),
        st.binary(max_size=256),
        st.none() | st.sampled_from(["application/pdf", "text/plain", "image/png", "x/y"]),
        CAPTIONS,
    ),
    st.builds(Photo, CAPTIONS),
    st.builds(Tap, st.integers(0, 50), st.integers(0, 50)),
)
BUTTON_ACTIONS: st.SearchStrategy[Action] = st.one_of(
    st.builds(Forge, CALLBACK_DATA, TARGETS),
    st.builds(Tap, st.integers(0, 50), st.integers(0, 50)),
    st.builds(Text, st.sampled_from(["/start", "/regimen", "/today", "/cancel", "08:30"])),
)

# --- playing actions against the running bot ------------------------------------------------


class ErrorRecords(logging.Handler):
    """Collect every record at ERROR or above, from any logger and any thread."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []
        self._lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        with self._lock:
            self.records.append(record)

    def since(self, start: int) -> list[logging.LogRecord]:
        with self._lock:
            return self.records[start:]

    def count(self) -> int:
        with self._lock:
            return len(self.records)


@pytest.fixture
def error_records() -> Iterator[ErrorRecords]:
    """Every record logged at ERROR or above while the test runs."""
    handler = ErrorRecords()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


def describe(records: list[logging.LogRecord]) -> str:
    formatter = logging.Formatter("%(levelname)s %(name)s: %(message)s")
    return "\n".join(formatter.format(record) for record in records)


def bytes_at_most(text: str, limit: int = 64) -> str:
    """Cut text to at most `limit` UTF-8 bytes (Telegram's bound for callback data)."""
    return text.encode()[:limit].decode(errors="ignore") or "x"


STARTS = st.sampled_from(["idle", "ai", "bone", "tz", "newcomer"])

# Cases found before (each once crashed the bot), tried first in every run.
KNOWN_TRAPS: list[tuple[str, list[Action]]] = [
    # Skip pressed twice: the same buttons again is "message is not modified".
    ("idle", [Forge("d:s:{mine}", "reminder"), Forge("d:s:{mine}", "reminder")]),
    # Buttons swapped on a message that is not the bot's.
    ("idle", [Forge("d:b:{mine}", "own message"), Forge("d:s:{mine}", "missing")]),
    # Ids beyond PostgreSQL's INTEGER.
    ("idle", [Forge("d:t:2147483648", "reminder"), Forge("d:z:999999999999999999", "missing")]),
    # Presses on the other patient's dose, and on Alice's by a newcomer.
    ("idle", [Forge("d:t:{other}", "other's message"), Forge("d:s:{other}:forgot", "reminder")]),
    ("newcomer", [Forge("d:m:{mine}", "reminder"), Forge("d:s:{mine}:forgot", "newest")]),
    # Odd typed answers where typing is allowed, and an edit turning into a command.
    ("tz", [Text("Europe/London\x00"), Text("../../etc/passwd"), Text("x" * 5000)]),
    ("ai", [Text("8\u200f:30"), Edit("/start"), Text("   ")]),
]


def with_known_traps(test: Callable[..., None]) -> Callable[..., None]:
    """Add every known trap to a Hypothesis test as an explicit example."""
    for start, played in reversed(KNOWN_TRAPS):
        test = example(start, played)(test)
    return test


class Fuzzer:
    """Alice (registered) or a newcomer fuzzes; Bob's rows must stay exactly as they were.

    Each example starts from a known point: Alice with a fresh unanswered reminder, idle or
    in the middle of changing one section of her regimen; or a new user at the consent
    question of a first registration.
    """

    def __init__(self, app: Application, sim: BotApiSimulator, alice: Person, bob: Person):
        self.app, self.sim, self.alice, self.bob = app, sim, alice, bob
        self.actor = alice
        self.alice_event = self.bob_event = 0
        self.reminder_id = self.bob_message_id = 0
        self.newcomers = 0

    async def prepare(self) -> None:
        """Register both; each gets a dose reminder, so both have dose rows to forge ids of."""
        await register(self.alice, ai=None)  # no daily dose that could fall due mid-test
        await register(self.bob, ai=None)
        for person in (self.alice, self.bob):
            medication = await medication_of(self.app, person.id, ALENDRONATE)
            await make_due_in(self.app, medication.id, 1)
            reminder = await person.expect("Time for your", timeout=10)
            [event] = await settled_events(self.app, medication.id, DoseStatus.SENT)
            if person is self.alice:
                self.alice_event, self.reminder_id = event.id, reminder["message_id"]
            else:
                self.bob_event, self.bob_message_id = event.id, reminder["message_id"]

    async def protected_rows(self) -> list[dict[str, Any]]:
        """Every column of Bob's rows, and of Alice's dose row when a newcomer acts."""
        rows: list[dict[str, Any]] = []
        async with services_of(self.app).sessions() as session:
            patient = await session.scalar(
                select(Patient).where(Patient.telegram_user_id == self.bob.id)
            )
            assert patient is not None
            for model in (Patient, Medication, DoseEvent):
                key = model.id if model is Patient else model.patient_id
                found = await session.scalars(
                    select(model).where(key == patient.id).order_by(model.id)
                )
                rows.extend(_columns(row) for row in found)
            if self.actor is not self.alice:
                rows.append(_columns(await session.get(DoseEvent, self.alice_event)))
        return rows

    async def reopen_alice_dose(self) -> None:
        """Make Alice's dose unanswered again, under a new reminder with its buttons.

        The reminder is sent straight through the bot rather than by a snooze job: the
        courier paces each chat to a message a second, which would cost most examples that.
        """
        services = services_of(self.app)
        reminder = await self.app.bot.send_message(
            self.alice.id,
            "💊 Time for your alendronate 70 mg (sent again by the test)",
            reply_markup=dose_buttons(self.alice_event),
        )
        self.reminder_id = reminder.message_id
        async with services.sessions() as session:
            event = await session.get(DoseEvent, self.alice_event)
            assert event is not None
            event.status, event.message_id = DoseStatus.SENT, reminder.message_id
            event.answered_at = event.skip_reason = None
            event.snoozed_until = event.window_ends_at = None
            await session.commit()

    async def begin(self, start: str) -> None:
        """Put the acting user at the example's starting point."""
        if start == "newcomer":
            self.newcomers += 1
            self.actor = Person(self.sim, 3000 + self.newcomers, f"Newcomer {self.newcomers}")
            self.actor.say("/start")
            await self.actor.expect(texts.CONSENT)
            return
        self.actor = self.alice
        self.alice.say("/cancel")
        await self.alice.expect("Stopped.")
        await self.reopen_alice_dose()
        if start != "idle":
            self.alice.say("/regimen")
            menu = await self.alice.expect(texts.REGIMEN_CHANGE)
            self.alice.sim.press_button(self.alice.id, menu["message_id"], f"edit:{start}")
            await self.alice.expect("➜")

    async def react(self, query_id: str | None = None) -> None:
        """Wait until the bot reacts to my last action: a message, an edit, or an answer."""
        user_id = self.actor.id
        start = self.sim.chat(user_id).last_user_seq

        def reacted() -> bool:
            if query_id is not None and self.sim.callback_query(query_id).answer is not None:
                return True
            return any(
                event.chat_id == user_id
                and event.kind in (ev.MESSAGE, ev.EDITED)
                and event.data["from"]["is_bot"]
                for event in self.sim.events_since(start)
            )

        await self.sim.wait_for(reacted, ACTION_TIMEOUT, "the bot to react")

    def _fill(self, data: str) -> str:
        mine = self.alice_event  # a newcomer forging Alice's dose must not touch it either
        return data.replace("{mine}", str(mine)).replace("{other}", str(self.bob_event))

    def _target(self, target: str) -> int:
        messages = self.sim.messages(self.actor.id)
        mine = [m["message_id"] for m in messages if not m["from"]["is_bot"]]
        match target:
            case "reminder":
                return self.reminder_id
            case "newest":
                bot = self.sim.last_bot_message(self.actor.id)
                return bot["message_id"] if bot else self.reminder_id
            case "own message" if mine:
                return mine[-1]
            case "other's message":
                return self.bob_message_id
        return 10**9  # a message that does not exist

    async def perform(self, action: Action) -> None:
        """Do one action as the acting user and wait for the bot's reaction."""
        sim, me = self.sim, self.actor.id
        match action:
            case Text(text):
                sim.send_text(me, text.replace("{bot}", sim.state.bot.username))
            case Edit(text):
                mine = [m for m in sim.messages(me) if not m["from"]["is_bot"] and "text" in m]
                if mine:
                    sim.edit_text(me, mine[-1]["message_id"], text)
                else:
                    sim.send_text(me, text)
            case Document(filename, content, mime_type, caption):
                sim.send_document(me, filename, content, mime_type, caption=caption)
            case Photo(caption):
                sim.send_photo(me, PNG, caption=caption)
            case Forge(data, target):
                data = bytes_at_most(self._fill(data))
                query = sim.press_button(me, self._target(target), data, forge=True)
                await self.react(query)
                return
            case Tap(which, button):
                keyboards = [
                    m
                    for m in sim.bot_messages(me)
                    if (m.get("reply_markup") or {}).get("inline_keyboard")
                ]
                if not keyboards:
                    sim.send_text(me, "/regimen")
                else:
                    message = keyboards[which % len(keyboards)]
                    rows = message["reply_markup"]["inline_keyboard"]
                    buttons = [b for row in rows for b in row]
                    data = buttons[button % len(buttons)]["callback_data"]
                    query = sim.press_button(me, message["message_id"], data)
                    await self.react(query)
                    return
        await self.react()

    async def play(self, actions: list[Action]) -> None:
        """Do every action, then check the bot still answers and answered every press."""
        first_query = len(self.sim.state.callback_queries)
        for action in actions:
            await self.perform(action)
        self.actor.say("/help")
        await self.actor.expect(texts.HELP)
        unanswered = [
            record.data
            for record in list(self.sim.state.callback_queries.values())[first_query:]
            if record.answer is None
        ]
        assert not unanswered, f"presses never answered: {unanswered}"


def _columns(row: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


def bridge(loop: asyncio.AbstractEventLoop) -> Callable[[Awaitable[T]], T]:
    """From the Hypothesis thread, run a coroutine on the bot's loop and wait for it."""

    def call(awaitable: Awaitable[T]) -> T:
        future = asyncio.run_coroutine_threadsafe(_await(awaitable), loop)
        try:
            return future.result(timeout=60)
        except TimeoutError:
            future.cancel()
            raise

    return call


async def _await(awaitable: Awaitable[T]) -> T:
    return await awaitable


async def fuzz(
    simulator: BotApiSimulator,
    settings_: Settings,
    errors: ErrorRecords,
    actions: st.SearchStrategy[Action],
    max_examples: int,
) -> None:
    """Run one bot; Hypothesis throws lists of actions at it from a worker thread."""
    simulator.rate_limits = RateLimits(enabled=False)  # a fuzzer types faster than people
    # ... and the bot's flood limiter is as open (it would pace the fuzzer's replies).
    settings_ = settings_.model_copy(
        update={
            "send_per_second": 1e6,
            "send_per_chat_per_second": 1e6,
            "send_burst": 1000,
            "send_per_chat_burst": 1000,
        }
    )
    alice, bob = Person(simulator, 1001, "Alice"), Person(simulator, 1002, "Bob")
    async with bot_running(settings_) as app:
        fuzzer = Fuzzer(app, simulator, alice, bob)
        await fuzzer.prepare()
        bob_before = await fuzzer.protected_rows()
        call = bridge(asyncio.get_running_loop())

        @settings(FUZZ_SETTINGS, max_examples=max(1, round(max_examples * SCALE)))
        @given(STARTS, st.lists(actions, min_size=1, max_size=6))
        @with_known_traps
        def example(start: str, played: list[Action]) -> None:
            first_error = errors.count()
            try:
                call(fuzzer.begin(start))
                protected = call(fuzzer.protected_rows())
                call(fuzzer.play(played))
            finally:
                logged = errors.since(first_error)
                assert not logged, "logged at ERROR:\n" + describe(logged)
            assert call(fuzzer.protected_rows()) == protected, "another patient's rows changed"

        await asyncio.to_thread(example)
        fuzzer.actor = alice
        alice.say("/help")
        await alice.expect(texts.HELP)
        assert await fuzzer.protected_rows() == bob_before
    assert not errors.records, describe(errors.records)


async def test_random_messages_commands_edits_and_files_never_crash_the_bot(
    simulator: BotApiSimulator, settings: Settings, error_records: ErrorRecords
) -> None:
    await fuzz(simulator, settings, error_records, MESSAGE_ACTIONS, max_examples=60)


async def test_forged_and_stale_button_presses_never_crash_nor_touch_others(
    simulator: BotApiSimulator, settings: Settings, error_records: ErrorRecords
) -> None:
    await fuzz(simulator, settings, error_records, BUTTON_ACTIONS, max_examples=80)
