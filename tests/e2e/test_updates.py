"""Update processing: each person's updates in order, different people at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from app.updates import PerPersonUpdateProcessor


def update_from(user_id: int, update_id: int) -> Update:
    user = User(user_id, "P", is_bot=False)
    chat = Chat(user_id, Chat.PRIVATE)
    message = Message(update_id, datetime.now(UTC), chat, from_user=user, text="hi")
    return Update(update_id, message=message)


async def test_one_persons_updates_run_in_order_others_run_alongside() -> None:
    processor = PerPersonUpdateProcessor(max_concurrent_updates=16)
    log: list[str] = []
    first_started, release = asyncio.Event(), asyncio.Event()

    async def slow(name: str) -> None:
        log.append(f"{name} start")
        first_started.set()
        await release.wait()
        log.append(f"{name} end")

    async def quick(name: str) -> None:
        log.append(f"{name} start")
        log.append(f"{name} end")

    alice_first = asyncio.create_task(processor.process_update(update_from(1, 1), slow("a1")))
    await first_started.wait()
    alice_second = asyncio.create_task(processor.process_update(update_from(1, 2), quick("a2")))
    bob = asyncio.create_task(processor.process_update(update_from(2, 3), quick("b1")))
    await bob  # Bob is not held up by Alice's slow update
    assert log == ["a1 start", "b1 start", "b1 end"]
    release.set()
    await asyncio.gather(alice_first, alice_second)
    assert log[3:] == ["a1 end", "a2 start", "a2 end"]  # Alice's second waited for her first
    assert processor._locks == {}  # idle people are forgotten
