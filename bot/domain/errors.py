"""Domain errors: raised in `bot/`, turned into kind replies by the handlers."""


class BonebotError(Exception):
    """Base of every error a handler may turn into a reply."""


class NotRegistered(BonebotError):
    """The acting Telegram user has no regimen yet."""


class NotYourRecord(BonebotError):
    """The acting user asked for a record that belongs to someone else (or none at all)."""


class AlreadyAnswered(BonebotError):
    """The dose was already answered; the earlier answer stands."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


class NotAnsweredYet(BonebotError):
    """A change was asked of a dose with no answer yet: it is answered with its own buttons."""


class TooLateToChange(BonebotError):
    """An answer older than the correction window: the care team corrects it now."""


class ArchiveTooLarge(BonebotError):
    """The patient's whole record would make a file larger than the bot may send."""

    def __init__(self, size_bytes: int, limit_bytes: int) -> None:
        super().__init__(f"{size_bytes} bytes, limit {limit_bytes}")
        self.size_bytes = size_bytes
        self.limit_bytes = limit_bytes


class DateTaken(BonebotError):
    """A record was moved to a day that already holds another of its kind (one scan a day,
    one clinic dose of a medicine a day): delete one of them instead."""
