"""No handler awaits a Telegram call lexically inside `async with ... sessions()`.

The lexical twin of the run-time check in tests/e2e/conftest.py: it sees every handler,
including branches no test reaches, but only calls written in the block itself (a helper
that replies from inside a session is the run-time check's to catch).
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
from telegram import Bot, CallbackQuery, Message

import handlers

HANDLERS = Path(handlers.__file__).parent
# handlers.common's helpers around the Bot API, and every coroutine method PTB offers on
# the objects a handler holds (context.bot, update.callback_query, update.effective_message).
HELPERS = {
    "answer_query",
    "settle_query",
    "edit_query_message",
    "edit_query_markup",
    "edit_message",
    "notify",
    "all_of",
}
TELEGRAM_METHODS = HELPERS | {
    name
    for kind in (Bot, CallbackQuery, Message)
    for name, member in inspect.getmembers(kind)
    if inspect.iscoroutinefunction(member) and not name.startswith("_")
} - {"initialize", "shutdown"}


def _opens_session(node: ast.AsyncWith) -> bool:
    return any(
        isinstance(item.context_expr, ast.Call)
        and isinstance(item.context_expr.func, ast.Attribute)
        and item.context_expr.func.attr == "sessions"
        for item in node.items
    )


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def telegram_calls_in_sessions(source: str) -> list[tuple[int, str]]:
    """Return (line, name) for each awaited Telegram call inside a session block."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.AsyncWith) and _opens_session(node)):
            continue
        for statement in node.body:
            for inner in ast.walk(statement):
                if isinstance(inner, ast.Await) and isinstance(inner.value, ast.Call):
                    name = _called_name(inner.value)
                    if name in TELEGRAM_METHODS:
                        found.append((inner.lineno, name))
    return found


def test_the_check_knows_the_bot_api() -> None:
    assert {"send_message", "answer", "edit_message_text", "reply_text", "send_document"}.issubset(
        TELEGRAM_METHODS
    )


def test_the_check_sees_a_reply_inside_a_session() -> None:
    source = """
async def handler(update, context):
    async with found.sessions() as session:
        view = await service(session)
        if view:
            await answer_query(query)
        await context.bot.send_message(1, "x")
    await message.reply_text("fine here")
"""
    assert telegram_calls_in_sessions(source) == [(6, "answer_query"), (7, "send_message")]


@pytest.mark.parametrize(
    "path", sorted(HANDLERS.rglob("*.py")), ids=lambda p: str(p.relative_to(HANDLERS))
)
def test_no_telegram_call_inside_a_handler_session(path: Path) -> None:
    calls = telegram_calls_in_sessions(path.read_text(encoding="utf-8"))
    assert not calls, f"{path.name}: reply after the session closes (unit_of_work): {calls}"
