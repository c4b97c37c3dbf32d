"""Blocked and back: Telegram tells the bot at once when a person blocks or unblocks it.

The `my_chat_member` update in a person's private chat says so. A block pauses their
reminders then, instead of at the next send that fails with 403 (which kept a reminder
due for nothing); an unblock (the app's Restart, with or without /start) resumes them and
says so in one line. Groups never get here: the private-chat guard stops them first.
"""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.ext import ChatMemberHandler

from bot.services import regimen
from handlers.common import App, Context, services, unit_of_work
from ui import texts


async def on_my_chat_member(update: Update, context: Context) -> None:
    """Pause on a block, resume on an unblock; any other change of membership is ignored."""
    change = update.my_chat_member
    if change is None:
        return
    new, old = change.new_chat_member.status, change.old_chat_member.status
    if ChatMember.BANNED not in (new, old) or new == old:
        return
    blocked = new == ChatMember.BANNED
    found, chat_id = services(context), change.chat.id
    back = await unit_of_work(
        context,
        lambda session: regimen.blocked_or_back(
            session, found.planner, chat_id, blocked, found.clock()
        ),
    )
    if back:
        await context.bot.send_message(chat_id, texts.REMINDERS_BACK_ON)


def register(app: App) -> None:
    """Listen for the bot's own membership changes in private chats."""
    app.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
