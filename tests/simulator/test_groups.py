"""Groups, supergroups and channels in the simulator, true to the Bot API's description.

Every update and message the simulator makes for a group is checked against the types of
the api.json it carries: no field the spec does not name, every field it requires, each of
the spec's type. The behaviour follows Telegram's: the bot joins when a member adds it and
hears it by my_chat_member, privacy mode lets it see commands and replies only, channel
posts carry the channel as sender_chat and no `from`, and writing to a chat the bot is not
in fails as Telegram fails it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from functools import cache
from typing import Any

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden

from simulator import BotApiSimulator, RateLimits, SimulatorError, find_spec_path

ALICE, BOB = 1001, 1002
FAMILY = -1001234567890  # a supergroup
CLUB = -4012345  # a basic group
NEWS = -1009876543210  # a channel


@cache
def spec_types() -> dict[str, Any]:
    types: dict[str, Any] = json.loads(find_spec_path().read_text())["types"]
    return types


def problems(type_name: str, value: Any, path: str = "") -> list[str]:
    """What in `value` does not fit the spec's `type_name` (empty: it fits)."""
    scalar = {
        "Integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "Float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "String": lambda v: isinstance(v, str),
        "Boolean": lambda v: isinstance(v, bool),
        "True": lambda v: v is True,
    }
    if type_name in scalar:
        return [] if scalar[type_name](value) else [f"{path}: not {type_name}: {value!r}"]
    if type_name.startswith("Array of "):
        if not isinstance(value, list):
            return [f"{path}: not an array"]
        inner = type_name.removeprefix("Array of ")
        return [p for i, item in enumerate(value) for p in problems(inner, item, f"{path}[{i}]")]
    spec = spec_types()[type_name]
    if spec.get("subtypes"):
        tried = [problems(sub, value, path) for sub in spec["subtypes"]]
        return [] if any(not found for found in tried) else min(tried, key=len)
    if not isinstance(value, dict):
        return [f"{path}: not a {type_name} object"]
    fields = {f["name"]: f for f in spec.get("fields", [])}
    found = [f"{path}.{name}: not a field of {type_name}" for name in value if name not in fields]
    found += [
        f"{path}.{name}: required by {type_name}"
        for name, field in fields.items()
        if field["required"] and name not in value
    ]
    for name, item in value.items():
        if name in fields:
            tried = [problems(kind, item, f"{path}.{name}") for kind in fields[name]["types"]]
            if all(tried):
                found += min(tried, key=len)
    return found


def assert_spec_true(sim: BotApiSimulator) -> list[dict[str, Any]]:
    """Check every pending update against the spec's Update; return them."""
    pending = sim.updates.pending
    for update in pending:
        assert problems("Update", update, "update") == [], update
    return pending


def kinds(updates: list[dict[str, Any]]) -> list[str]:
    return [next(key for key in update if key != "update_id") for update in updates]


@pytest.fixture
async def sim() -> AsyncIterator[BotApiSimulator]:
    async with BotApiSimulator(rate_limits=RateLimits(enabled=False)) as simulator:
        simulator.add_user(ALICE, "Alice", username="alice")
        simulator.add_user(BOB, "Bob")
        yield simulator


@pytest.fixture
async def bot(sim: BotApiSimulator) -> AsyncIterator[Bot]:
    async with Bot(sim.token, base_url=sim.base_url, base_file_url=sim.base_file_url) as client:
        yield client


def test_the_checker_refuses_what_the_spec_does_not_describe() -> None:
    assert problems("Chat", {"id": -5, "type": "group", "title": "x"}) == []
    assert problems("Chat", {"id": -5, "type": "group", "colour": "red"}) == [
        ".colour: not a field of Chat"
    ]
    assert problems("Message", {"message_id": 1, "date": 0}) == [".chat: required by Message"]
    assert problems("ChatMember", {"status": "member", "user": {"id": 1}}) != []


async def test_a_supergroup_the_bot_is_added_to_follows_privacy_mode(
    bot: Bot, sim: BotApiSimulator
) -> None:
    sim.add_group(FAMILY, "Family", members=[ALICE, BOB])
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(FAMILY, "hello?")
    sim.send_text(ALICE, "/start", chat_id=FAMILY)
    assert sim.updates.pending == []  # the bot is not in it yet

    sim.add_bot_to_group(FAMILY, by=ALICE)
    added = assert_spec_true(sim)
    assert kinds(added) == ["my_chat_member", "message"]
    change = added[0]["my_chat_member"]
    assert change["chat"] == {"id": FAMILY, "type": "supergroup", "title": "Family"}
    assert change["from"]["id"] == ALICE
    assert (change["old_chat_member"]["status"], change["new_chat_member"]["status"]) == (
        "left",
        "member",
    )
    assert added[1]["message"]["new_chat_members"][0]["username"] == sim.state.bot.username
    sim.updates.confirm(added[-1]["update_id"] + 1)

    sim.send_text(ALICE, "hello everyone", chat_id=FAMILY)
    sim.send_text(BOB, "/start@some_other_bot", chat_id=FAMILY)
    assert sim.updates.pending == []  # talk, and commands for another bot, are not the bot's
    sim.send_text(ALICE, "/start", chat_id=FAMILY)
    sim.send_text(BOB, f"/mydata@{sim.state.bot.username}", chat_id=FAMILY)
    commands = assert_spec_true(sim)
    assert [u["message"]["text"] for u in commands] == ["/start", "/mydata@bonebot_sim_bot"]
    assert {u["message"]["chat"]["id"] for u in commands} == {FAMILY}
    assert [u["message"]["from"]["id"] for u in commands] == [ALICE, BOB]
    sim.updates.confirm(commands[-1]["update_id"] + 1)

    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("OK", callback_data="ok")]])
    sent = await bot.send_message(FAMILY, "I work in private chats", reply_markup=keyboard)
    assert (sent.chat.id, sent.chat.type, sent.from_user and sent.from_user.is_bot) == (
        FAMILY,
        "supergroup",
        True,
    )
    assert [m["text"] for m in sim.bot_messages(FAMILY)] == ["I work in private chats"]
    sim.send_text(BOB, "thanks", chat_id=FAMILY, reply_to=sent.message_id)  # a reply: seen
    query_id = sim.press_button(BOB, sent.message_id, "ok", chat_id=FAMILY)
    seen = assert_spec_true(sim)
    assert kinds(seen) == ["message", "callback_query"]
    press = seen[1]["callback_query"]
    assert (press["from"]["id"], press["message"]["chat"]["id"]) == (BOB, FAMILY)
    assert sim.callback_query(query_id).chat_id == FAMILY
    assert await bot.answer_callback_query(query_id, "Open our private chat")
    info = await bot.get_chat(FAMILY)
    assert (info.type, info.title) == ("supergroup", "Family")
    sim.updates.confirm(seen[-1]["update_id"] + 1)

    sim.remove_bot_from_group(FAMILY, by=BOB)
    [removed] = assert_spec_true(sim)
    assert removed["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.send_message(FAMILY, "still here?")
    sim.send_text(ALICE, "/start", chat_id=FAMILY)
    assert kinds(sim.updates.pending) == ["my_chat_member"]


async def test_a_basic_group_and_who_may_act_in_it(bot: Bot, sim: BotApiSimulator) -> None:
    sim.add_group(CLUB, "Book club", chat_type="group", members=[ALICE])
    with pytest.raises(SimulatorError, match="not a member"):
        sim.send_text(BOB, "/start", chat_id=CLUB)
    with pytest.raises(SimulatorError, match="not a member"):
        sim.add_bot_to_group(CLUB, by=BOB)
    sim.add_bot_to_group(CLUB, by=ALICE)
    sim.send_text(ALICE, "/today", chat_id=CLUB)
    updates = assert_spec_true(sim)
    assert kinds(updates) == ["my_chat_member", "message", "message"]
    assert updates[-1]["message"]["chat"] == {"id": CLUB, "type": "group", "title": "Book club"}
    sim.remove_bot_from_group(CLUB, by=ALICE)
    assert sim.updates.pending[-1]["my_chat_member"]["new_chat_member"]["status"] == "left"
    with pytest.raises(Forbidden, match="bot is not a member of the group chat"):
        await bot.send_message(CLUB, "hello?")
    # The private chat is untouched by all this.
    assert sim.messages(ALICE) == []
    with pytest.raises(ValueError, match="negative"):
        sim.add_group(4012345, "Not a group id")
    with pytest.raises(ValueError, match="-100"):
        sim.add_group(-4012346, "A supergroup needs a -100 id")


async def test_a_channel_posts_as_itself_and_the_bot_as_the_channel(
    bot: Bot, sim: BotApiSimulator
) -> None:
    sim.add_group(NEWS, "Clinic news", chat_type="channel", members=[ALICE], username="news")
    sim.post_to_channel(NEWS, "before the bot")
    sim.add_bot_to_group(NEWS, by=ALICE)
    post = sim.post_to_channel(NEWS, "/start")
    updates = assert_spec_true(sim)
    assert kinds(updates) == ["my_chat_member", "channel_post"]
    assert updates[0]["my_chat_member"]["new_chat_member"]["status"] == "administrator"
    channel_post = updates[1]["channel_post"]
    assert "from" not in channel_post
    assert (
        channel_post["sender_chat"]
        == channel_post["chat"]
        == {
            "id": NEWS,
            "type": "channel",
            "title": "Clinic news",
            "username": "news",
        }
    )
    assert post["text"] == "/start"
    with pytest.raises(SimulatorError, match="post_to_channel"):
        sim.send_text(ALICE, "hi", chat_id=NEWS)

    sent = await bot.send_message(NEWS, "I work in private chats")
    assert sent.from_user is None
    assert sent.sender_chat is not None
    assert sent.sender_chat.id == NEWS
    [mine] = sim.bot_messages(NEWS)
    assert problems("Message", mine, "message") == []
    assert await bot.edit_message_text("I work in private chats only", NEWS, sent.message_id)
    message = await sim.wait_for_message(NEWS, lambda m: "only" in m.get("text", ""))
    assert message["message_id"] == sent.message_id
    sim.remove_bot_from_group(NEWS, by=ALICE)
    with pytest.raises(Forbidden, match="bot is not a member of the channel chat"):
        await bot.send_message(NEWS, "hello?")


async def test_the_control_api_makes_groups_and_acts_in_them(
    bot: Bot, sim: BotApiSimulator
) -> None:
    root = f"{sim.url}/_sim"
    async with aiohttp.ClientSession() as session:

        async def call(method: str, path: str, **body: Any) -> tuple[int, Any]:
            async with session.request(method, f"{root}{path}", json=body) as response:
                return response.status, await response.json()

        status, group = await call(
            "POST", "/groups", id=FAMILY, title="Family", members=[ALICE, BOB]
        )
        assert (status, group["type"], group["members"]) == (201, "supergroup", [ALICE, BOB])
        status, group = await call("POST", f"/groups/{FAMILY}/add_bot", by=ALICE)
        assert group["bot_status"] == "member"
        status, sent = await call("POST", f"/users/{BOB}/text", text="/start", chat_id=FAMILY)
        assert (status, sent["message"]["chat"]["id"]) == (200, FAMILY)
        await bot.send_message(FAMILY, "Hello group")
        async with session.get(f"{root}/chats/{FAMILY}/wait", params={"after": "0"}) as answer:
            assert (await answer.json())["message"]["text"] == "Hello group"
        status, groups = await call("GET", "/groups")
        assert [g["id"] for g in groups] == [FAMILY]
        status, state = await call("GET", "/state")
        assert FAMILY in {chat["id"] for chat in state["chats"]}
        status, error = await call("POST", f"/groups/{FAMILY}/post", text="x")
        assert (status, error["error"]) == (409, f"chat {FAMILY} is not a channel")
        status, removed = await call("POST", f"/groups/{FAMILY}/remove_bot", by=BOB)
        assert removed["bot_status"] == "kicked"
