"""Customer journeys against the bot as a separate process (``python -m bot``), over real
loopback HTTP: Telegram is a Bot API double, the panel is the sandbox."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from api import OrderType, Service
from api.sandbox import ManualClock, SandboxPanel, create_app

from ..support.bot_api import BotApiDouble, create_bot_api_app
from .chat import Customer

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-Ew"
PANEL_KEY = "e2e-panel-key"
ADMIN_CHAT = -1009999
OWNER = 4444


@dataclass
class Shop:
    panel: SandboxPanel
    clock: ManualClock
    telegram: BotApiDouble
    process: asyncio.subprocess.Process


@pytest.fixture
async def shop(tmp_path: Path) -> AsyncIterator[Shop]:
    clock = ManualClock()
    panel = SandboxPanel(clock=clock)
    panel.add_account(PANEL_KEY, Decimal(1000))
    telegram = BotApiDouble()
    panel_server = TestServer(create_app(panel), host="127.0.0.1")
    telegram_server = TestServer(create_bot_api_app(telegram), host="127.0.0.1")
    await panel_server.start_server()
    await telegram_server.start_server()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PANEL_")}
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "BOT_TOKEN": TOKEN,
            "PANEL_API_KEY": PANEL_KEY,
            "PANEL_API_URL": str(panel_server.make_url("/api/v2")),
            "TELEGRAM_API_URL": str(telegram_server.make_url("")),
            "DATABASE_PATH": str(tmp_path / "shop.sqlite3"),
            "POLL_INTERVAL_SECONDS": "5",
            "ADMIN_CHAT_ID": str(ADMIN_CHAT),
            "ADMIN_IDS": str(OWNER),
        }
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        for _ in range(400):
            if "getUpdates" in telegram.methods():
                break
            await asyncio.sleep(0.05)
        yield Shop(panel, clock, telegram, process)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
        await panel_server.close()
        await telegram_server.close()
    log = stderr.decode()
    assert process.returncode == 0, log
    assert "Traceback" not in log
    assert TOKEN.split(":")[1] not in log
    assert PANEL_KEY not in log


def _followers(panel: SandboxPanel) -> Service:
    for row in panel.services:
        service = panel.service(int(str(row["service"])))
        if service.order_type is OrderType.DEFAULT and service.category == "Instagram Followers":
            return service
    raise AssertionError("no followers service")


async def _top_up(shop: Shop, ann: Customer) -> None:
    await ann.click("Balance")
    await ann.click("Top up")
    await ann.click("10.00 USD")
    [invoice] = [call for call in shop.telegram.calls if call.method == "sendInvoice"]
    assert invoice.params["currency"] == "XTR"
    stars = invoice.params["prices"][0]["amount"]
    payload = invoice.params["payload"]
    ann.mark()
    shop.telegram.queue_update(
        {
            "pre_checkout_query": {
                "id": "checkout-1",
                "from": ann.user,
                "currency": "XTR",
                "total_amount": stars,
                "invoice_payload": payload,
            }
        }
    )
    await ann.settle()
    [answer] = [c for c in shop.telegram.calls if c.method == "answerPreCheckoutQuery"]
    assert answer.params["ok"] is True
    await ann.send_payment(payload, stars, "charge-e2e-1")
    assert "10.01 USD added to your balance" in ann.last.text


async def test_a_customer_tops_up_orders_and_is_told_as_the_order_goes(shop: Shop) -> None:
    ann = Customer(shop.telegram, user_id=9001)
    await ann.send("/start")
    assert ann.last.text.startswith("👋 <b>Hello, Ann!</b>")
    await _top_up(shop, ann)

    service = _followers(shop.panel)
    await ann.click("New order")
    await ann.click("Instagram Followers (")
    await ann.click(service.name[:20])
    assert ann.last.text.startswith(f"<b>{service.name}</b>")
    await ann.click("Order")
    await ann.send("https://instagram.com/ann.shop")
    await ann.send(str(service.min * 10))
    if service.dripfeed:
        await ann.click("No")
    assert ann.last.text.startswith("🧾 <b>Your order</b>")
    await ann.click("Confirm")
    placed = ann.last.text
    assert placed.startswith("✅ <b>Order #1 placed</b>")
    assert "Panel order: 23501" in placed
    [add] = [r for r in shop.panel.requests if r.action == "add"]
    assert add.fields == {
        "service": str(service.id),
        "link": "https://instagram.com/ann.shop",
        "quantity": str(service.min * 10),
    }

    shop.clock.advance(shop.panel.pending_seconds + 1)
    started = await ann.wait_for("Order #1 has started")
    assert "Count when it started:" in started.text
    shop.clock.advance(shop.panel.progress_seconds + 1)
    await ann.wait_for("Order #1 is completed")


async def test_the_owner_runs_the_shop_from_the_admin_group(shop: Shop) -> None:
    owner = Customer(shop.telegram, user_id=OWNER, first_name="Olga", chat_id=ADMIN_CHAT)
    stranger = Customer(shop.telegram, user_id=5555, first_name="Sam", chat_id=ADMIN_CHAT)
    await owner.send("/panel")
    assert "Balance: 1000.00000 USD" in owner.last.text
    assert "Services for sale: 34" in owner.last.text
    replies = len(owner.screens())
    stranger.mark()
    shop.telegram.queue_update(
        {
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": stranger.chat,
                "from": stranger.user,
                "text": "/panel",
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            }
        }
    )
    await asyncio.sleep(1.5)
    assert len(owner.screens()) == replies  # nothing for someone who is not staff

    ann = Customer(shop.telegram, user_id=9002)
    await ann.send("/start")
    await owner.send(f"/credit {ann.user_id} 5 welcome gift")
    assert owner.last.text.startswith(f"✅ 5.00 USD added to {ann.user_id}.")
    await owner.send(f"/user {ann.user_id}")
    assert "Balance: 5.00 USD" in owner.last.text
