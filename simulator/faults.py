"""Fault injection for reliability tests: 5xx replies, slow replies, dropped connections.

Random faults follow FaultConfig's rates and are reproducible: the generator is seeded and
draws once per Bot API request. Scripted faults (`FaultInjector.script`) hit the next matching
requests first, for tests that need one exact failure. Everything is off by default.

Kinds:
- "error": answer 500 (JSON, as Telegram's own internal errors) or 502 (an nginx HTML page, as
  when Telegram's front end loses its backend); the request has no effect.
- "delay": sleep `delay_seconds` before handling; pick a delay longer than the client's read
  timeout to simulate a timeout.
- "drop": close the connection without an answer; the request has no effect.
- "lost_reply": perform the request, then close the connection, so the bot cannot know it
  succeeded (the classic duplicate-message trap on retry).

Malformed updates (`FaultInjector.malform_updates`): the next updates a user's actions
make are queued malformed, for the bot's update parsing. Telegram's own JSON is well formed;
what breaks a client is a payload its library cannot read (a field of a newer Bot API, a
changed type). So the envelope is getUpdates's own (`update_id` in sequence, one payload
key, served by offset and limit like any update, served again identically until an offset
confirms it) and one required field of the payload is missing or of another type:
- "missing_field": a message (or edit, channel post) without `date`, a button press
  without `chat_instance`;
- "wrong_type": a message's `date` as text, a press's `from` as text.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class FaultKind(StrEnum):
    """What goes wrong with one request."""

    ERROR = "error"
    DELAY = "delay"
    DROP = "drop"
    LOST_REPLY = "lost_reply"


class Malformation(StrEnum):
    """How a malformed update is off (see the module's doc)."""

    MISSING_FIELD = "missing_field"
    WRONG_TYPE = "wrong_type"


# The required field each kind of payload loses or garbles (others: a message's `date`).
_FIELD_OF = {"callback_query": {"missing_field": "chat_instance", "wrong_type": "from"}}


def malformed(update: dict[str, Any], how: Malformation) -> dict[str, Any]:
    """Return a copy of `update` with one required field of its payload missing or of
    another type; the envelope (`update_id` and the payload's key) is left as it is."""
    kind = next(key for key in update if key != "update_id")
    payload = dict(update[kind])
    field = _FIELD_OF.get(kind, {}).get(str(how), "date")
    if how is Malformation.MISSING_FIELD:
        payload.pop(field, None)
    elif field == "date":
        payload[field] = "2026-05-01T07:00:00+00:00"  # a time, as text instead of Unix time
    else:
        payload[field] = str(payload.get(field, {}).get("first_name", "someone"))
    return {**update, kind: payload}


@dataclass(frozen=True)
class FaultConfig:
    """Random fault rates (probabilities per request, summing to at most 1)."""

    error_rate: float = 0.0
    error_codes: tuple[int, ...] = (500, 502)
    delay_rate: float = 0.0
    delay_seconds: float = 0.5
    drop_rate: float = 0.0
    lost_reply_rate: float = 0.0
    methods: tuple[str, ...] = ()  # only these methods (any case); empty means all
    seed: int | None = 0

    def __post_init__(self) -> None:
        rates = (self.error_rate, self.delay_rate, self.drop_rate, self.lost_reply_rate)
        if any(rate < 0 for rate in rates) or sum(rates) > 1:
            raise ValueError("fault rates must be non-negative and sum to at most 1")
        if self.error_rate and not self.error_codes:
            raise ValueError("error_rate needs at least one error code")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaultConfig:
        """Build from the control API's JSON, ignoring keys it does not know."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for key in ("error_codes", "methods"):
            if key in known:
                known[key] = tuple(known[key])
        return cls(**known)

    def to_json(self) -> dict[str, Any]:
        """Render for the control API."""
        return asdict(self)


@dataclass(frozen=True)
class Fault:
    """One decided fault."""

    kind: FaultKind
    status: int = 500
    delay: float = 0.0
    method: str | None = None  # scripted faults: only this method (any case)

    def to_json(self) -> dict[str, Any]:
        """Render for call logs and the control API."""
        return {"kind": str(self.kind), "status": self.status, "delay": self.delay}


@dataclass
class FaultInjector:
    """Decide, per request, whether and how it fails."""

    config: FaultConfig = field(default_factory=FaultConfig)

    def __post_init__(self) -> None:
        self._scripted: deque[Fault] = deque()
        self._malformations: deque[Malformation] = deque()
        self.configure(self.config)

    def configure(self, config: FaultConfig) -> None:
        """Replace the random fault rates and restart the seeded sequence."""
        self.config = config
        self._rng = random.Random(config.seed)

    def script(
        self,
        kind: FaultKind | str,
        *,
        method: str | None = None,
        count: int = 1,
        status: int = 500,
        delay: float = 0.0,
    ) -> None:
        """Make the next `count` requests (to `method`, if given) fail this way."""
        fault = Fault(FaultKind(kind), status=status, delay=delay, method=method)
        self._scripted.extend([fault] * count)

    def malform_updates(
        self, count: int = 1, how: Malformation | str = Malformation.MISSING_FIELD
    ) -> None:
        """Queue the next `count` updates (made by users' actions) malformed this way."""
        self._malformations.extend([Malformation(how)] * count)

    @property
    def malformations(self) -> list[Malformation]:
        """Malformations still waiting for an update."""
        return list(self._malformations)

    def shape_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """The update as it will be queued: malformed if a malformation is waiting."""
        if not self._malformations:
            return update
        return malformed(update, self._malformations.popleft())

    def clear(self) -> None:
        """Drop scripted faults and waiting malformations, and switch random faults off."""
        self._scripted.clear()
        self._malformations.clear()
        self.configure(FaultConfig())

    @property
    def scripted(self) -> list[Fault]:
        """Scripted faults still waiting for their request."""
        return list(self._scripted)

    def decide(self, method: str) -> Fault | None:
        """Return the fault for this request, if any."""
        for fault in self._scripted:
            if fault.method is None or fault.method.lower() == method.lower():
                self._scripted.remove(fault)
                return fault
        config = self.config
        if config.methods and method.lower() not in {m.lower() for m in config.methods}:
            return None
        rates = (config.error_rate, config.delay_rate, config.drop_rate, config.lost_reply_rate)
        if not any(rates):
            return None
        draw = self._rng.random()
        for kind, rate in (
            (FaultKind.DROP, config.drop_rate),
            (FaultKind.ERROR, config.error_rate),
            (FaultKind.LOST_REPLY, config.lost_reply_rate),
            (FaultKind.DELAY, config.delay_rate),
        ):
            if draw < rate:
                status = self._rng.choice(config.error_codes) if kind is FaultKind.ERROR else 500
                return Fault(kind, status=status, delay=config.delay_seconds)
            draw -= rate
        return None
