"""The one chat kept for a person is their private chat, whose id is their own."""

from __future__ import annotations

import pytest

from bot.domain.private_chats import NotAPrivateChat, private_chat_of


def test_a_private_chat_is_the_persons_own_id() -> None:
    assert private_chat_of(1001, 1001) == 1001


@pytest.mark.parametrize("chat_id", [-1001234567890, -4012345, 1002, 0])
def test_groups_channels_and_other_peoples_chats_are_refused(chat_id: int) -> None:
    with pytest.raises(NotAPrivateChat):
        private_chat_of(1001, chat_id)
