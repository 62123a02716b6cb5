"""The admin desk works without Telegram, and its handlers ask for nothing else: not the
database, not the panel client, not the tracker."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from decimal import Decimal

from aiogram import Router

from api import PanelClient
from api.sandbox import SandboxPanel
from bot.runtime import Runtime
from handlers import admin
from shop.admin import UserReference
from shop.admin_desk import OrderButton
from shop.storage import Database
from shop.tracking import Tracker

from .shop import add_customer, ledger_rows, place

ALICE = 111


def callbacks(router: Router) -> Iterator[object]:
    for member in router.chain_tail:
        for observer in member.observers.values():
            yield from (handler.callback for handler in observer.handlers)


def test_no_admin_handler_asks_for_the_database_the_panel_or_the_tracker() -> None:
    handlers = list(callbacks(admin.router()))
    assert len(handlers) > 15
    for handler in handlers:
        hints = set(typing.get_type_hints(handler).values())
        assert not hints & {Database, PanelClient, Tracker}, handler


async def test_a_correction_for_someone_the_shop_does_not_know_moves_nothing(
    services: Runtime,
) -> None:
    await add_customer(services, ALICE, username="alice", funds=Decimal(10))
    desk = services.admin_desk

    assert await desk.correct_balance(UserReference(user_id=222), Decimal(5), "x", "k") is None
    assert await desk.correct_balance(UserReference(username="bob"), Decimal(5), "x", "k") is None
    correction = await desk.correct_balance(UserReference(username="alice"), Decimal(-4), "x", "k")

    assert correction is not None
    assert (correction.user_id, correction.balance) == (ALICE, Decimal(6))
    assert len(await ledger_rows(services, ALICE)) == 2


async def test_a_button_no_card_has_reads_the_order_again_and_asks_the_panel_nothing(
    services: Runtime, panel: SandboxPanel
) -> None:
    await add_customer(services, ALICE, funds=Decimal(10))
    placed = await place(services, ALICE)
    panel.requests.clear()

    outcome = await services.admin_desk.press(placed.order.id, None)

    assert outcome is not None
    assert outcome.details.order.id == placed.order.id
    assert (outcome.refill, outcome.cancel, outcome.refused) == (None, None, None)
    assert panel.requests == []
    assert await services.admin_desk.press(999, OrderButton.CANCEL) is None
