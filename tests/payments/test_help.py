"""The Help screen: how ordering works, what refill and cancel mean, how to reach the shop."""

from __future__ import annotations

import pytest

from ..support.telegram import BotClient


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"support_contact": "@shop_help"}


async def test_help_explains_ordering_refill_cancel_and_the_contact(alice: BotClient) -> None:
    await alice.send("/start")
    await alice.click("Help")
    text = alice.screen.last.text
    assert text.startswith("How ordering works\n1. Tap New order")
    assert "Refill: if a service has a guarantee" in text
    assert "Cancel: some services can be cancelled" in text
    assert (
        "\nYour history: /export sends your orders and balance movements as a CSV file (also"
        " Export CSV under Balance).\n\n💬 Questions?"
    ) in text
    assert text.endswith("💬 Questions? Write to @shop_help.")
    await alice.send("/help")
    assert alice.screen.last.text == text


async def test_help_in_russian(make_client: object) -> None:
    client = make_client(language_code="ru")  # type: ignore[operator]
    await client.send("/help")
    assert client.screen.last.text.startswith("Как сделать заказ")
    assert (
        "\nВаша история: /export пришлёт ваши заказы и движения по балансу файлом CSV (также"
        " кнопка «Выгрузить CSV» в разделе «Баланс»)."
    ) in client.screen.last.text
    assert client.screen.last.text.endswith("💬 Вопросы? Пишите @shop_help.")
