"""Simulated people, in a process of their own, playing users through the simulator's
control API: the interaction benchmarks run them here so that their work does not share
the bot's core (in the bot's process they took more than half of its CPU).

    .venv/bin/python -m benchmarks.people --base URL --first 4000000 --count 200 checkin
    .venv/bin/python -m benchmarks.people --base URL --first 2000000 --count 200 taken

Prints one JSON object: {"latencies": [seconds, ...], "elapsed": seconds}. Each latency is
measured on the simulator's clock, from the moment a person's message or tap became an
update to the moment the bot's answer arrived, so this process's own delays are left out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import time
from typing import Any

import aiohttp

from ui import texts

REMINDER = "Time for your"
ZERO_LABELS = ("Never", "None", "No", "Not at all")
STOP_QUESTION = "want to stop taking your aromatase inhibitor"
WAIT_SECONDS = 60


class Person:
    """One user of the simulator, acting and waiting for the bot's answers."""

    def __init__(self, session: aiohttp.ClientSession, base: str, uid: int) -> None:
        self.session = session
        self.root = f"{base}/_sim"
        self.uid = uid
        self.latencies: list[float] = []

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        async with self.session.post(f"{self.root}/users/{self.uid}/{path}", json=body) as reply:
            reply.raise_for_status()
            return dict(await reply.json())

    async def wait(self, after: int, pattern: str) -> dict[str, Any]:
        """The bot's next message (sent or edited) after seq `after` matching `pattern`."""
        params = {"after": str(after), "regex": pattern, "timeout": str(WAIT_SECONDS)}
        async with self.session.get(f"{self.root}/chats/{self.uid}/wait", params=params) as reply:
            reply.raise_for_status()
            return dict(await reply.json())

    async def act(self, path: str, body: dict[str, Any], pattern: str) -> dict[str, Any]:
        """Send a message or press a button; wait for the answer and note its latency."""
        action = await self._post(path, body)
        answer = await self.wait(action["seq"], pattern)
        self.latencies.append(answer["time"] - action["time"])
        return dict(answer["message"])


async def check_in(person: Person, think: float, pace: random.Random) -> None:
    """A whole symptom check-in: every question answered 'none', no note; `think` seconds
    (+-50%) before each tap, as a person reads and chooses."""

    async def pause() -> None:
        await asyncio.sleep(think * pace.uniform(0.5, 1.5))

    await pause()  # people open the check-in within the same moment, not the same instant
    message = await person.act("text", {"text": "/symptoms"}, r"^Question 1 of ")
    number = 1
    while STOP_QUESTION not in (message.get("text") or ""):
        await pause()
        number += 1
        message = await person.act(
            "press",
            {"message_id": message["message_id"], "button_text": _zero_answer(message)},
            rf"^Question {number} of |{STOP_QUESTION}",
        )
    await pause()
    prompt = await person.act(
        "press", {"message_id": message["message_id"], "button_text": "No"}, "Anything else"
    )
    await pause()
    await person.act(
        "press",
        {"message_id": prompt["message_id"], "button_text": texts.CHECKIN_NO_NOTE},
        "^" + re.escape(texts.CHECKIN_DONE),
    )


def _zero_answer(message: dict[str, Any]) -> str:
    labels: list[str] = [
        b["text"] for row in message["reply_markup"]["inline_keyboard"] for b in row
    ]
    return next(label for label in labels if label in ZERO_LABELS)


async def press_taken_together(people: list[Person]) -> None:
    """Everyone waits for their reminder, then all press Taken in the same instant."""
    reminders = await asyncio.gather(*(p.wait(0, re.escape(REMINDER)) for p in people))
    await asyncio.sleep(1)  # let the bot record its sends, as a person reads first

    async def press(person: Person, reminder: dict[str, Any]) -> None:
        message = reminder["message"]
        data = message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        body = {"message_id": message["message_id"], "callback_data": data}
        await person.act("press", body, "taken at")

    await asyncio.gather(*(press(p, r) for p, r in zip(people, reminders, strict=True)))


async def run(base: str, first: int, count: int, task: str, think: float) -> dict[str, Any]:
    """Play `count` people from user id `first`; return latencies and the elapsed time."""
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        people = [Person(session, base, uid) for uid in range(first, first + count)]
        started = time.monotonic()
        if task == "checkin":
            await asyncio.gather(*(check_in(p, think, random.Random(p.uid)) for p in people))
        else:
            await press_taken_together(people)
        elapsed = time.monotonic() - started
    return {"latencies": [x for p in people for x in p.latencies], "elapsed": elapsed}


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, play the people, print the figures as JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.people", description=__doc__)
    parser.add_argument("task", choices=["checkin", "taken"])
    parser.add_argument("--base", required=True, help="the simulator's URL")
    parser.add_argument("--first", type=int, required=True, help="the first user id")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--think", type=float, default=3.0, help="seconds to read and tap")
    args = parser.parse_args(argv)
    figures = asyncio.run(run(args.base, args.first, args.count, args.task, args.think))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
