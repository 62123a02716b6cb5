"""The admin commands' arguments filter: ``/command args`` read into typed keyword
arguments, or the command does not pass (and gets its usage, see test_usage.py)."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from aiogram.filters import CommandObject

from handlers.admin.arguments import (
    AMOUNT,
    HELD_AMOUNT,
    ID,
    NOTE,
    PERCENT_LINE,
    PERIOD_LINE,
    REASON,
    SWITCH,
    USER,
    Arguments,
    optional,
)
from shop.admin import Period, UserReference
from shop.money import Currency

DESK = SimpleNamespace(currency=Currency("USD", 2))


async def read(arguments: Arguments, args: str | None) -> bool | dict[str, Any]:
    command = CommandObject(prefix="/", command="any", args=args)
    return await arguments(None, command, DESK)  # type: ignore[arg-type]


async def test_words_are_read_into_typed_keyword_arguments() -> None:
    refund = Arguments(order_id=ID, amount=optional(HELD_AMOUNT))
    assert await read(refund, "#12 3,50") == {"order_id": 12, "amount": Decimal("3.50")}
    assert await read(refund, "12") == {"order_id": 12, "amount": None}
    assert await read(refund, "12 0") == {"order_id": 12, "amount": Decimal(0)}


async def test_a_customer_is_named_by_id_or_username() -> None:
    user = Arguments(user=USER)
    assert await read(user, "111") == {"user": UserReference(user_id=111)}
    assert await read(user, "@alice") == {"user": UserReference(username="@alice")}


async def test_the_last_argument_may_take_the_rest_of_the_line() -> None:
    credit = Arguments(user=USER, amount=AMOUNT, reason=REASON)
    assert await read(credit, "111 5  a   kind\tgift") == {
        "user": UserReference(user_id=111),
        "amount": Decimal(5),
        "reason": "a kind gift",
    }
    assert await read(Arguments(percent=PERCENT_LINE), "10 %") == {"percent": Decimal(10)}
    assert await read(Arguments(period=PERIOD_LINE), None) == {"period": Period.TODAY}
    assert await read(Arguments(period=PERIOD_LINE), " 90D ") == {"period": Period.QUARTER}
    attach = Arguments(order_id=ID, panel_id=ID, note=NOTE)
    assert await read(attach, "1 23501 found it") == {
        "order_id": 1,
        "panel_id": 23501,
        "note": "found it",
    }


@pytest.mark.parametrize(
    ("arguments", "args"),
    [
        (Arguments(order_id=ID, panel_id=ID), None),
        (Arguments(order_id=ID, panel_id=ID), "1"),
        (Arguments(order_id=ID, panel_id=ID), "1 2 3"),
        (Arguments(order_id=ID, panel_id=ID), "1 0"),
        (Arguments(service_id=ID, enabled=SWITCH), "101 maybe"),
        (Arguments(order_id=ID, amount=optional(HELD_AMOUNT)), "1 -0.5"),
        (Arguments(user=USER, amount=AMOUNT, reason=REASON), "111 5"),
        (Arguments(user=USER, amount=AMOUNT, reason=REASON), "111 0 x"),
        (Arguments(user=USER, amount=AMOUNT, reason=REASON), "@a 5 x"),
        (Arguments(period=PERIOD_LINE), "7d extra"),
    ],
)
async def test_a_word_missing_extra_or_malformed_does_not_pass(
    arguments: Arguments, args: str | None
) -> None:
    assert await read(arguments, args) is False


async def test_money_is_read_in_whole_minor_units_of_the_shops_currency() -> None:
    assert await read(Arguments(amount=AMOUNT), "5.001") is False
    assert await read(Arguments(amount=AMOUNT), "5.10") == {"amount": Decimal("5.10")}
