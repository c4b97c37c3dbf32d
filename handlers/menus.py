"""Each person's command menu follows their roles (Bot API command scopes per chat).

Called after a change of roles (a link confirmed, removed or left; data erased). A menu
that cannot be set is logged and skipped: the commands work whether shown or not.
"""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot.services import roles
from handlers.common import Context, unit_of_work
from ui import texts

log = logging.getLogger(__name__)


async def refresh_menu(context: Context, chat_id: int) -> None:
    """Show this chat the commands of the roles its person holds now."""
    held = await unit_of_work(context, lambda session: roles.roles_of(session, chat_id))
    await show_menu(context.bot, chat_id, held)


async def show_menu(bot: Bot, chat_id: int, held: roles.Roles) -> None:
    """Set (or, for a patient only, delete: the default is theirs) the chat's menu."""
    scope = BotCommandScopeChat(chat_id)
    try:
        if held.patient_only:
            await bot.delete_my_commands(scope=scope)
            return
        commands = texts.commands_for(
            patient=held.patient, caregiver=held.caregiver, clinician=held.clinician
        )
        await bot.set_my_commands([BotCommand(n, about) for n, about in commands], scope=scope)
    except TelegramError as error:
        log.info("command menu not updated: %s", type(error).__name__)
