"""The admin commands' arguments, read by one filter.

``Arguments(order_id=ID, amount=optional(HELD_AMOUNT))`` reads ``/refund 12 3.50`` word by
word into the handler's keyword arguments ``order_id=12, amount=Decimal("3.50")``. A
command whose arguments do not read (one missing, one too many, one malformed) never
reaches its handler: it falls through to :mod:`handlers.admin.usage`, which answers with
the command's usage.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from aiogram.filters import CommandObject, Filter
from aiogram.types import Message

from shop.admin import (
    AdminInputError,
    read_id,
    read_listing,
    read_markup,
    read_money,
    read_panel_choice,
    read_percent,
    read_period,
    read_reason,
    read_switch,
    read_user,
)
from shop.admin_desk import AdminDesk
from shop.money import Currency

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Argument(Generic[T]):
    """How one argument is read: ``read`` turns its text into a value (in the shop's
    currency, for money), raising :class:`shop.admin.AdminInputError` when it cannot."""

    read: Callable[[str, Currency], T]
    #: Takes every word left, joined by one space ("" when none is left).
    rest: bool = False
    #: May be left out, and is None then.
    optional: bool = False


def word(read: Callable[[str], T]) -> Argument[T]:
    """One word, read by ``read``."""
    return Argument(lambda text, _: read(text))


def rest_of_line(read: Callable[[str], T]) -> Argument[T]:
    """What is left of the line, read by ``read``; must be the last argument."""
    return Argument(lambda text, _: read(text), rest=True)


def optional(argument: Argument[T]) -> Argument[T | None]:
    """``argument``, or None when the command ends before it; must come last."""
    return Argument(argument.read, rest=argument.rest, optional=True)


def keyword(name: str) -> Argument[str]:
    """The word ``name`` in any case, as it is: a subcommand such as ``/promo list``."""

    def read(text: str) -> str:
        if text.strip().lower() != name:
            raise AdminInputError("admin-bad-keyword")
        return name

    return word(read)


def _money(*, allow_zero: bool) -> Argument[Decimal]:
    return Argument(lambda text, currency: read_money(text, currency, allow_zero=allow_zero))


#: An order, a service or a Telegram id: ``12`` or ``#12``.
ID = word(read_id)
#: A panel's service: ``second:101``.
LISTING = word(read_listing)
#: A panel's name, or ``cheapest``.
PANEL_CHOICE = word(read_panel_choice)
#: The whole line as one id: ``/order 12``.
ID_LINE = rest_of_line(read_id)
#: A customer: a Telegram id or an @username.
USER = word(read_user)
#: The whole line as one customer: ``/user @alice``.
USER_LINE = rest_of_line(read_user)
#: An amount of money above 0, in whole minor units.
AMOUNT = _money(allow_zero=False)
#: What a held refund gives back: 0 (nothing is owed) or more.
HELD_AMOUNT = _money(allow_zero=True)
#: A markup percent; the whole line, so ``10 %`` reads too.
PERCENT_LINE = rest_of_line(read_percent)
#: A service's own markup percent, or ``reset`` (None).
MARKUP = word(read_markup)
#: ``on`` (True) or ``off`` (False).
SWITCH = word(read_switch)
#: ``today`` (also when left out), ``7d``, ``30d`` or ``90d``.
PERIOD_LINE = rest_of_line(read_period)
#: Why, in the admin's words: the rest of the line, not empty.
REASON = rest_of_line(read_reason)
#: Any one word, as it is.
TEXT = word(str)
#: Words nobody reads, e.g. a note after the ids of /attach.
NOTE = rest_of_line(str)


class Arguments(Filter):
    """A command's arguments, read in the order given into the handler's keyword
    arguments; the command's words must match them exactly, unless the last takes the
    rest of the line. Comes after the command's :class:`aiogram.filters.Command`."""

    def __init__(self, **arguments: Argument[Any]) -> None:
        self.arguments = arguments

    async def __call__(
        self, message: Message, command: CommandObject, admin_desk: AdminDesk
    ) -> bool | dict[str, Any]:
        words = (command.args or "").split()
        values: dict[str, Any] = {}
        for position, (name, argument) in enumerate(self.arguments.items()):
            if argument.rest:
                text = " ".join(words[position:])
            elif position < len(words):
                text = words[position]
            elif argument.optional:
                values[name] = None
                continue
            else:
                return False
            try:
                values[name] = argument.read(text, admin_desk.currency)
            except AdminInputError:
                return False
        takes_rest = any(argument.rest for argument in self.arguments.values())
        if len(words) > len(self.arguments) and not takes_rest:
            return False
        return values


class RepliedText(Filter):
    """The message the command replies to, as HTML, handed on as ``text``; a command that
    replies to nothing, or to a message without text, does not pass."""

    async def __call__(self, message: Message) -> bool | dict[str, Any]:
        source = message.reply_to_message
        text = (source.html_text if source is not None else "") or ""
        if not text.strip():
            return False
        return {"text": text}
