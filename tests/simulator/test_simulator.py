"""The local Bot API simulator, exercised through the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import base64
import datetime as dtm
import struct
import time
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonCommands,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

import simulator.spec as spec_module
from simulator import (
    ApiSpec,
    BotApiSimulator,
    FaultConfig,
    FaultInjector,
    FaultKind,
    Malformation,
    RateLimits,
    SpecNotFoundError,
    UnknownObjectError,
    find_spec_path,
)
from simulator.faults import malformed
from simulator.formatting import EntityParseError, format_text, parse_markdown_v2

USER = 1001
OTHER = 1002


class FakeClock:
    """A clock the test moves by hand, so flood control never needs real waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def png(width: int, height: int) -> bytes:
    """Build a valid, tiny PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x00" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


@pytest.fixture
async def sim() -> AsyncIterator[BotApiSimulator]:
    async with BotApiSimulator(rate_limits=RateLimits(enabled=False)) as simulator:
        simulator.add_user(USER, "Alice", username="alice")
        yield simulator


@pytest.fixture
async def bot(sim: BotApiSimulator) -> AsyncIterator[Bot]:
    async with Bot(sim.token, base_url=sim.base_url, base_file_url=sim.base_file_url) as client:
        yield client


async def raw_call(
    sim: BotApiSimulator, method: str, token: str | None = None, **params: Any
) -> tuple[int, dict[str, Any]]:
    """Call the Bot API without PTB, to see status codes and bodies as they are."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{sim.base_url}{token or sim.token}/{method}", data=params) as response,
    ):
        return response.status, await response.json()


async def control(
    session: aiohttp.ClientSession, method: str, url: str, **kwargs: Any
) -> tuple[int, Any]:
    """Call the /_sim control API."""
    async with session.request(method, url, **kwargs) as response:
        return response.status, await response.json()


# --- the Bot API through PTB's Bot ----------------------------------------------------------


async def test_get_me_identifies_the_bot_by_its_token(bot: Bot, sim: BotApiSimulator) -> None:
    me = await bot.get_me()

    assert me.id == int(sim.token.split(":")[0])
    assert me.is_bot
    assert me.username == "bonebot_sim_bot"


async def test_send_edit_delete_keeps_the_chat_state(bot: Bot, sim: BotApiSimulator) -> None:
    sim.send_text(USER, "/start")

    sent = await bot.send_message(USER, "Hello <b>there</b> 😀", parse_mode="HTML")
    assert sent.text == "Hello there 😀"
    assert sent.from_user is not None
    assert sent.from_user.is_bot
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 6, 5)]

    edited = await bot.edit_message_text("Hi again", chat_id=USER, message_id=sent.message_id)
    assert isinstance(edited, type(sent))
    assert edited.edit_date is not None
    assert sim.messages(USER)[-1]["text"] == "Hi again"
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Hi again", chat_id=USER, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=999)

    assert await bot.delete_message(USER, sent.message_id)
    assert [m["text"] for m in sim.messages(USER)] == ["/start"]
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(USER, sent.message_id)


async def test_inline_keyboard_limits_callback_data_to_64_bytes(
    bot: Bot, sim: BotApiSimulator
) -> None:
    sim.send_text(USER, "/start")
    fits = InlineKeyboardMarkup(
        [[InlineKeyboardButton("a", callback_data="x" * 64)],
         [InlineKeyboardButton("b", callback_data="é" * 32)]]
    )  # fmt: skip
    sent = await bot.send_message(USER, "pick", reply_markup=fits)
    assert sent.reply_markup == fits

    for data in ("x" * 65, "é" * 33):
        too_long = InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data=data)]])
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
            await bot.send_message(USER, "pick", reply_markup=too_long)

    # Like Telegram, editing the text without reply_markup drops the keyboard.
    edited = await bot.edit_message_text("done", chat_id=USER, message_id=sent.message_id)
    assert isinstance(edited, type(sent))
    assert edited.reply_markup is None


async def test_text_limit_counts_utf16_units_after_parsing(bot: Bot, sim: BotApiSimulator) -> None:
    sim.send_text(USER, "/start")

    await bot.send_message(USER, "a" * 4096)
    await bot.send_message(USER, "😀" * 2048)  # 4096 UTF-16 units
    await bot.send_message(USER, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    for text in ("a" * 4097, "😀" * 2049):
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(USER, text)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(USER, "  \n ")
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(USER, "1.5", parse_mode="MarkdownV2")


async def test_unknown_or_unstarted_chat_is_not_found(bot: Bot, sim: BotApiSimulator) -> None:
    sim.add_user(OTHER, "Bob")  # exists but never opened the chat

    for chat_id in (999, OTHER):
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(chat_id, "hi")


async def test_blocked_user_makes_sends_forbidden(bot: Bot, sim: BotApiSimulator) -> None:
    sim.send_text(USER, "/start")
    sim.block(USER)

    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "hi")
    updates = await bot.get_updates()
    status = updates[-1].my_chat_member
    assert status is not None
    assert status.new_chat_member.status == "kicked"

    sim.unblock(USER)
    await bot.send_message(USER, "welcome back")


async def test_flood_control_answers_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB warns about int retry_after otherwise
    clock = FakeClock()
    limits = RateLimits(global_per_second=3, global_burst=3, per_chat_burst=2)
    async with BotApiSimulator(rate_limits=limits, clock=clock) as sim:
        for user in (USER, OTHER):
            sim.add_user(user, started=True)
        async with Bot(sim.token, base_url=sim.base_url) as bot:
            await bot.send_message(USER, "1")
            await bot.send_message(USER, "2")
            with pytest.raises(RetryAfter) as per_chat:
                await bot.send_message(USER, "3")
            assert per_chat.value.retry_after == dtm.timedelta(seconds=1)

            await bot.send_message(OTHER, "other chat, own bucket")
            with pytest.raises(RetryAfter):  # the global bucket (3) is empty now
                await bot.send_message(OTHER, "global limit")
            await bot.send_chat_action(USER, "typing")  # not a message: not limited

            clock.advance(1.0)
            await bot.send_message(USER, "after waiting")
        assert [c.error_code for c in sim.calls("sendMessage")] == [
            None, None, 429, None, 429, None
        ]  # fmt: skip


async def test_unknown_method_and_bad_token(bot: Bot, sim: BotApiSimulator) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy")
    assert await raw_call(sim, "sendTelepathy") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )
    status, body = await raw_call(sim, "GETME")  # method names are case-insensitive
    assert status == 200
    assert body["result"]["is_bot"]

    status, body = await raw_call(sim, "getMe", token="not-a-token")
    assert status == 404
    async with BotApiSimulator(tokens=["1:" + "a" * 35]) as strict:
        status, body = await raw_call(strict, "getMe", token="2:" + "b" * 35)
        assert (status, body["description"]) == (401, "Unauthorized")
        with pytest.raises(InvalidToken):
            async with Bot("2:" + "b" * 35, base_url=strict.base_url):
                pass


async def test_parameters_are_checked_against_the_spec(bot: Bot, sim: BotApiSimulator) -> None:
    sim.send_text(USER, "/start")

    assert await raw_call(sim, "sendMessage", chat_id=USER) == (
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"},
    )
    cases = [
        ("sendMessage", {"text": "hi"}, "chat_id is empty"),
        ("deleteMessage", {"chat_id": USER, "message_id": "abc"},
         'parameter "message_id" must be of type Integer'),
        ("sendMessage", {"chat_id": USER, "text": "x", "reply_markup": "{"},
         "can't parse reply keyboard markup JSON object"),
        ("setMyCommands", {}, 'parameter "commands" is required'),
        ("setPassportDataErrors", {"user_id": USER, "errors": "[]"},
         "method not supported by the local simulator"),
    ]  # fmt: skip
    for method, params, reason in cases:
        assert await raw_call(sim, method, **params) == (
            400,
            {"ok": False, "error_code": 400, "description": f"Bad Request: {reason}"},
        )

    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{sim.base_url}{sim.token}/sendMessage", json={"chat_id": USER, "text": "json"}
        ) as response,
    ):
        assert (await response.json())["result"]["text"] == "json"


async def test_get_updates_honours_offsets_and_long_polls(bot: Bot, sim: BotApiSimulator) -> None:
    for text in ("one", "two", "three"):
        sim.send_text(USER, text)

    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == ["one", "two", "three"]
    updates = await bot.get_updates(offset=updates[1].update_id)  # confirms "one"
    assert len(updates) == 2
    updates = await bot.get_updates(offset=-1)
    assert [u.message.text for u in updates if u.message] == ["three"]
    assert await bot.get_updates(offset=updates[0].update_id + 1) == ()

    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await sim.wait_for_polling()
    sim.send_text(USER, "wake up")
    async with asyncio.timeout(2):  # returns on arrival, not after 10 s
        woken = await poll
    assert [u.message.text for u in woken if u.message] == ["wake up"]

    await bot.get_updates(offset=woken[-1].update_id + 1, allowed_updates=["callback_query"])
    sim.send_text(USER, "filtered out")
    assert sim.updates.pending == []
    await bot.get_updates(allowed_updates=[])  # back to the default set

    await bot.set_webhook("https://example.com/hook")
    assert (await bot.get_webhook_info()).url == "https://example.com/hook"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()


async def test_documents_and_photos_upload_and_download(bot: Bot, sim: BotApiSimulator) -> None:
    sim.send_text(USER, "/start")

    sent = await bot.send_document(USER, b"date,dose\n", filename="doses.csv", caption="Export")
    assert sent.document is not None
    assert sent.document.file_name == "doses.csv"
    assert sent.document.mime_type == "text/csv"
    assert sent.caption == "Export"
    assert sim.file_content(sent.document.file_id) == b"date,dose\n"
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"date,dose\n"

    picture = await bot.send_photo(USER, png(3, 2))
    assert [(p.width, p.height) for p in picture.photo] == [(3, 2)]
    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        await bot.send_photo(USER, b"not a picture")

    upload = sim.send_document(USER, "scan.pdf", b"%PDF-1.4", "application/pdf")
    file = await bot.get_file(upload["document"]["file_id"])
    assert bytes(await file.download_as_bytearray()) == b"%PDF-1.4"
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("nonsense")


async def test_commands_are_stored_per_scope(bot: Bot, sim: BotApiSimulator) -> None:
    commands = [BotCommand("start", "Begin"), BotCommand("help", "How it works")]

    assert await bot.set_my_commands(commands)
    assert await bot.get_my_commands() == tuple(commands)
    assert sim.commands() == [c.to_dict() for c in commands]
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Not Valid", "x")])
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()


async def test_chat_info_menu_button_and_actions(bot: Bot, sim: BotApiSimulator) -> None:
    sim.send_text(USER, "/start")

    chat = await bot.get_chat(USER)
    assert (chat.type, chat.first_name, chat.username) == ("private", "Alice", "alice")
    assert await bot.set_chat_menu_button(USER, MenuButtonCommands())
    assert isinstance(await bot.get_chat_menu_button(USER), MenuButtonCommands)
    assert await bot.send_chat_action(USER, "typing")
    assert sim.chat(USER).last_action == "typing"
    with pytest.raises(BadRequest, match=r"(?i)wrong parameter action"):
        await bot.send_chat_action(USER, "dancing")
    await bot.send_message(USER, "done")
    assert sim.chat(USER).last_action is None


async def test_callback_queries_are_answered_once_in_time(bot: Bot, sim: BotApiSimulator) -> None:
    sim.send_text(USER, "/start")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Taken", callback_data="dose:1")]])
    sent = await bot.send_message(USER, "Did you take it?", reply_markup=keyboard)

    query_id = sim.press_button(USER, sent.message_id, text="Taken")
    update = (await bot.get_updates())[-1]
    assert update.callback_query is not None
    assert update.callback_query.data == "dose:1"
    assert await bot.answer_callback_query(query_id, text="Noted")
    assert sim.callback_query(query_id).answer == {
        "text": "Noted",
        "show_alert": False,
        "url": None,
        "cache_time": 0,
    }
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)

    with pytest.raises(UnknownObjectError):
        sim.press_button(USER, sent.message_id, "dose:999")
    forged = sim.press_button(USER, sent.message_id, "dose:999", forge=True)
    assert sim.callback_query(forged).forged
    missing = sim.press_button(USER, 4242, "gone", forge=True)
    update = (await bot.get_updates(offset=update.update_id + 1))[-1]
    assert update.callback_query is not None
    assert update.callback_query.id == missing


async def test_callback_query_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    async with BotApiSimulator(clock=clock, callback_query_ttl=15) as sim:
        sim.add_user(USER, started=True)
        async with Bot(sim.token, base_url=sim.base_url) as bot:
            keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]])
            sent = await bot.send_message(USER, "x", reply_markup=keyboard)
            query_id = sim.press_button(USER, sent.message_id, "go")
            clock.advance(16)
            with pytest.raises(BadRequest, match=r"(?i)query is too old"):
                await bot.answer_callback_query(query_id)


async def test_reply_keyboard_is_tracked_for_the_chat(bot: Bot, sim: BotApiSimulator) -> None:
    sim.send_text(USER, "/start")
    keyboard = ReplyKeyboardMarkup([["Yes", "No"]], one_time_keyboard=True)

    sent = await bot.send_message(USER, "Any pain today?", reply_markup=keyboard)

    assert sent.reply_markup is None  # only inline keyboards appear on the Message
    assert sim.chat(USER).reply_keyboard is not None
    sim.send_text(USER, "No")
    assert sim.chat(USER).reply_keyboard is None


async def test_faults_break_requests_as_configured(bot: Bot, sim: BotApiSimulator) -> None:
    sim.send_text(USER, "/start")

    sim.faults.script(FaultKind.ERROR, method="sendMessage", status=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(USER, "a")
    sim.faults.script(FaultKind.ERROR, status=500)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(USER, "b")
    sim.faults.script(FaultKind.DROP)
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "c")
    sim.faults.script(FaultKind.LOST_REPLY)
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "d")
    sim.faults.script(FaultKind.DELAY, delay=0.01)
    await bot.send_message(USER, "e")

    assert [m["text"] for m in sim.bot_messages(USER)] == ["d", "e"]
    assert [c.fault["kind"] if c.fault else None for c in sim.calls("sendMessage")] == [
        "error", "error", "drop", "lost_reply", "delay"
    ]  # fmt: skip


async def test_malformed_updates_are_served_by_get_updates_like_any_other(
    sim: BotApiSimulator,
) -> None:
    sim.send_text(USER, "/start")  # the chat's message, to press a button of
    sim.faults.malform_updates(1)  # the next update: a message without its date
    sim.send_text(USER, "private words")
    sim.faults.malform_updates(1, Malformation.WRONG_TYPE)
    sim.send_text(USER, "more words")
    sim.send_text(USER, "fine again")
    updates_url = f"{sim.base_url}{sim.token}/getUpdates"
    async with aiohttp.ClientSession() as session:
        async with session.post(updates_url, json={}) as response:
            served = (await response.json())["result"]
        assert [sorted(u) for u in served] == [["message", "update_id"]] * 4
        assert [u["update_id"] for u in served] == list(range(1, 5))  # in sequence
        _, missing, wrong, fine = (u["message"] for u in served)
        assert "date" not in missing
        assert missing["text"] == "private words"  # the rest is as Telegram sends it
        assert isinstance(wrong["date"], str)
        assert isinstance(fine["date"], int)
        async with session.post(updates_url, json={"offset": 2}) as response:
            again = (await response.json())["result"]
        assert again == served[1:]  # unconfirmed, served again identically
    assert sim.faults.malformations == []
    with pytest.raises(KeyError):  # what python-telegram-bot makes of it
        Update.de_json(served[1], None)

    sim.faults.malform_updates(2)
    sim.faults.clear()
    assert sim.faults.malformations == []


def test_a_malformed_button_press_loses_or_garbles_its_own_fields() -> None:
    press = {
        "update_id": 7,
        "callback_query": {"id": "1", "from": {"id": 5, "first_name": "A"}, "chat_instance": "c"},
    }
    missing = malformed(press, Malformation.MISSING_FIELD)["callback_query"]
    wrong = malformed(press, Malformation.WRONG_TYPE)["callback_query"]
    assert "chat_instance" not in missing
    assert wrong["from"] == "A"
    assert press["callback_query"]["chat_instance"] == "c"  # a copy: the original is intact


def test_random_faults_are_reproducible_with_a_seed() -> None:
    config = FaultConfig(error_rate=0.3, drop_rate=0.2, seed=42)

    def run() -> list[Any]:
        injector = FaultInjector(config)
        return [injector.decide("sendMessage") for _ in range(50)]

    first = run()
    assert first == run()
    assert {f.kind for f in first if f} == {FaultKind.ERROR, FaultKind.DROP}
    assert (
        FaultInjector(FaultConfig(error_rate=1, methods=("getMe",))).decide("sendMessage") is None
    )
    with pytest.raises(ValueError, match="sum to at most 1"):
        FaultConfig(error_rate=0.8, delay_rate=0.5)


# --- the user side and observation ----------------------------------------------------------


async def test_user_commands_get_bot_command_entities(sim: BotApiSimulator) -> None:
    def commands(text: str) -> list[tuple[int, int]]:
        entities = sim.send_text(USER, text).get("entities", [])
        return [(e["offset"], e["length"]) for e in entities if e["type"] == "bot_command"]

    assert commands("/start") == [(0, 6)]
    assert commands("/start payload-123") == [(0, 6)]
    assert commands("/help@bonebot_sim_bot") == [(0, 21)]
    assert commands("😀 then /help") == [(8, 5)]  # the emoji is 2 UTF-16 units
    assert commands("no command here") == []
    long_text = sim.send_text(USER, "x" * 5000)  # users may send what bots may not
    assert len(long_text["text"]) == 5000

    update = Update.de_json({"update_id": 1, "message": sim.messages(USER)[0]}, None)
    assert update.message is not None
    assert update.message.text == "/start"


def test_parse_modes_follow_telegram_rules() -> None:
    html = format_text("<b>😀 bold</b> &lt;tag&gt; <a href='https://x.org'>link</a>", "HTML")
    assert html.text == "😀 bold <tag> link"
    assert [(e["type"], e["offset"], e["length"]) for e in html.entities] == [
        ("bold", 0, 7),
        ("text_link", 14, 4),
    ]
    md = parse_markdown_v2(r"*bold _both_* and \. `co\`de` [a](https://x.org/\))")
    assert md.text == "bold both and . co`de a"
    assert [e["type"] for e in md.entities] == ["bold", "italic", "code", "text_link"]
    assert md.entities[-1]["url"] == "https://x.org/)"
    with pytest.raises(EntityParseError, match="Character '!' is reserved"):
        parse_markdown_v2("Hello!")
    with pytest.raises(EntityParseError, match="Can't find end of Bold entity"):
        parse_markdown_v2("*open")
    with pytest.raises(EntityParseError, match='Unsupported start tag "br"'):
        format_text("a<br>b", "HTML")
    assert format_text("  see /help  ").entities == [
        {"type": "bot_command", "offset": 4, "length": 5}
    ]


async def test_waiting_and_subscribing_need_no_sleeping(bot: Bot, sim: BotApiSimulator) -> None:
    with pytest.raises(TimeoutError):
        await sim.wait_for_message(USER, timeout=0.05)

    sim.send_text(USER, "/start")
    with sim.subscribe() as events:
        await bot.send_message(USER, "first")
        await bot.send_message(USER, "second")
        kinds = [(await anext(events)).kind for _ in range(4)]
    assert kinds == ["message", "api_call", "message", "api_call"]

    reply = await sim.wait_for_message(USER, lambda m: m["text"] == "second")
    assert reply["text"] == "second"
    call = await sim.wait_for_call("sendMessage")
    assert call.ok
    assert call.result["text"] == "first"


async def test_a_chat_waiter_wakes_only_for_its_own_chat(bot: Bot, sim: BotApiSimulator) -> None:
    sim.add_user(OTHER, "Bob", started=True)
    sim.send_text(USER, "/start")
    after = sim.events.last_seq
    checks = 0

    def second_arrived() -> bool:
        nonlocal checks
        checks += 1
        return any(e.data.get("text") == "second" for e in sim.events.chat_history(USER, after))

    waiter = asyncio.create_task(sim.events.wait_until(second_arrived, 5, chat_id=USER))
    await asyncio.sleep(0)
    for n in range(5):
        await bot.send_message(OTHER, f"to Bob {n}")
    await bot.send_message(USER, "first")
    await bot.send_message(USER, "second")
    assert await waiter
    # Bob's ten events (message and call each) woke nobody waiting in USER's chat.
    assert checks <= 1 + 4


def test_spec_is_packaged_or_overridden_or_clearly_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BONEBOT_API_SPEC", raising=False)
    packaged = find_spec_path()
    assert packaged.name == "api.json"
    # The copy inside the package, whatever sits beside the clone.
    assert packaged == Path(spec_module.__file__).parent / "telegram_bot_api_spec" / "api.json"
    assert ApiSpec.load(packaged).version.startswith("Bot API ")
    with pytest.raises(SpecNotFoundError, match="BONEBOT_API_SPEC"):
        find_spec_path(tmp_path / "gone.json")
    newer = tmp_path / "newer.json"
    newer.write_bytes(packaged.read_bytes())
    monkeypatch.setenv("BONEBOT_API_SPEC", str(newer))
    assert find_spec_path() == newer
    monkeypatch.setenv("BONEBOT_API_SPEC", str(tmp_path / "missing.json"))
    with pytest.raises(SpecNotFoundError, match="does not name a file"):
        find_spec_path()


# --- a real Application ---------------------------------------------------------------------


async def test_application_echoes_and_answers_buttons(sim: BotApiSimulator) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message:
            keyboard = [[InlineKeyboardButton("Taken", callback_data="taken")]]
            await update.effective_message.reply_text(
                "Did you take your dose?", reply_markup=InlineKeyboardMarkup(keyboard)
            )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query:
            await query.answer("Noted")
            await query.edit_message_text("Dose recorded")

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message and update.effective_message.text:
            await update.effective_message.reply_text(update.effective_message.text)

    app = (
        ApplicationBuilder()
        .token(sim.token)
        .base_url(sim.base_url)
        .base_file_url(sim.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))

    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)

        sim.send_text(USER, "/start")
        question = await sim.wait_for_message(USER)
        assert question["text"] == "Did you take your dose?"

        query_id = sim.press_button(USER, question["message_id"], "taken")
        assert (await sim.wait_for_callback_answer(query_id))["text"] == "Noted"
        edited = await sim.wait_for_message(USER, lambda m: "edit_date" in m)
        assert edited["text"] == "Dose recorded"
        assert "reply_markup" not in edited

        sim.send_text(USER, "hello there")
        assert (await sim.wait_for_message(USER))["text"] == "hello there"

        await app.updater.stop()
        await app.stop()
    assert sim.updates.pending == []  # the final getUpdates confirmed everything


# --- the HTTP control API -------------------------------------------------------------------


async def test_control_api_plays_users_and_reports(bot: Bot, sim: BotApiSimulator) -> None:
    root = f"{sim.url}/_sim"
    async with aiohttp.ClientSession() as session:
        status, user = await control(
            session, "POST", f"{root}/users", json={"id": OTHER, "first_name": "Bob"}
        )
        assert status == 201
        assert user["id"] == OTHER
        status, sent = await control(
            session, "POST", f"{root}/users/{OTHER}/text", json={"text": "/start"}
        )
        assert sent["message"]["entities"][0]["type"] == "bot_command"

        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("OK", callback_data="ok")]])
        await bot.send_message(OTHER, "Welcome", reply_markup=keyboard)
        status, waited = await control(
            session, "GET", f"{root}/chats/{OTHER}/wait", params={"contains": "Welcome"}
        )
        assert status == 200
        message_id = waited["message"]["message_id"]
        # Both ends carry the simulator's clock, so a reply's latency can be measured there.
        assert sent["time"] <= waited["time"] <= time.time()
        assert waited["message_seq"] > sent["seq"]

        status, pressed = await control(
            session,
            "POST",
            f"{root}/users/{OTHER}/press",
            json={"message_id": message_id, "button_text": "OK"},
        )
        assert pressed["seq"] > waited["message_seq"]
        assert pressed["time"] >= waited["time"]
        await bot.answer_callback_query(pressed["callback_query_id"], text="fine")
        status, record = await control(
            session, "GET", f"{root}/callbacks/{pressed['callback_query_id']}"
        )
        assert record["answer"]["text"] == "fine"

        document = {"filename": "a.txt", "content_base64": base64.b64encode(b"hi").decode()}
        status, uploaded = await control(
            session, "POST", f"{root}/users/{OTHER}/document", json=document
        )
        file_id = uploaded["message"]["document"]["file_id"]
        async with session.get(f"{root}/files/{file_id}") as response:
            assert await response.read() == b"hi"

        status, messages = await control(session, "GET", f"{root}/chats/{OTHER}/messages")
        assert [m.get("text") for m in messages] == ["/start", "Welcome", None]
        status, sent_calls = await control(
            session, "GET", f"{root}/sent", params={"method": "sendMessage"}
        )
        assert [c["result"]["text"] for c in sent_calls["calls"]] == ["Welcome"]
        status, events = await control(session, "GET", f"{root}/events", params={"after": 0})
        assert events["last_seq"] == events["events"][-1]["seq"]

        await control(session, "POST", f"{root}/users/{OTHER}/block")
        with pytest.raises(Forbidden):
            await bot.send_message(OTHER, "still there?")
        status, error = await control(
            session, "POST", f"{root}/users/{OTHER}/text", json={"text": "hi"}
        )
        assert status == 409
        assert "blocked" in error["error"]
        status, error = await control(session, "POST", f"{root}/users/9/text", json={"text": "x"})
        assert status == 404

        status, faults = await control(
            session,
            "POST",
            f"{root}/faults",
            json={"script": [{"kind": "error", "method": "getMe", "status": 500}]},
        )
        assert faults["scripted"][0]["method"] == "getMe"
        with pytest.raises(NetworkError):
            await bot.get_me()
        status, faults = await control(
            session, "POST", f"{root}/faults", json={"malform_updates": {"how": "wrong_type"}}
        )
        assert faults["malform_updates"] == ["wrong_type"]
        sim.faults.clear()
        status, limits = await control(
            session, "POST", f"{root}/rate_limits", json={"per_chat_burst": 5}
        )
        assert limits["per_chat_burst"] == 5
        assert sim.rate_limits.per_chat_burst == 5
        status, state = await control(session, "GET", f"{root}/state")
        assert {u["id"] for u in state["users"]} == {USER, OTHER}
