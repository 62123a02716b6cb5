"""Customer journeys against the bot as a separate process (``python -m bot``), over real
loopback HTTP: Telegram is a Bot API double, the panel is the sandbox."""

from __future__ import annotations

import time

from api import OrderType

from ..support.telegram.chat import Customer
from .shop import ADMIN_CHAT, OWNER, Shop, service_of


async def _top_up(shop: Shop, ann: Customer) -> None:
    await ann.click("Balance")
    await ann.click("Top up")
    await ann.click("10.00 USD")
    [invoice] = [call for call in shop.telegram.calls if call.method == "sendInvoice"]
    assert invoice.params["currency"] == "XTR"
    stars = invoice.params["prices"][0]["amount"]
    payload = invoice.params["payload"]
    await ann.pre_checkout("checkout-1", payload, stars)
    [answer] = [c for c in shop.telegram.calls if c.method == "answerPreCheckoutQuery"]
    assert answer.params["ok"] is True
    await ann.send_payment(payload, stars, "charge-e2e-1")
    assert "10.01 USD added to your balance" in ann.last.text


async def test_a_customer_tops_up_orders_and_is_told_as_the_order_goes(shop: Shop) -> None:
    ann = Customer(shop.telegram, user_id=9001)
    await ann.send("/start")
    assert ann.last.text.startswith("👋 <b>Hello, Ann!</b>")
    await _top_up(shop, ann)

    service = service_of(shop.panel, OrderType.DEFAULT, "Instagram Followers")
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
    await shop.catalogue_taken()
    await owner.send("/panel")
    assert "Balance: 1000.00000 USD" in owner.last.text
    assert "Services for sale: 34" in owner.last.text
    replies = len(owner.screens())
    # Taken, and answered with nothing: the bot stays idle a while after.
    await stranger.send("/panel")
    assert len(owner.screens()) == replies  # nothing for someone who is not staff

    ann = Customer(shop.telegram, user_id=9002)
    await ann.send("/start")
    await owner.send(f"/credit {ann.user_id} 5 welcome gift")
    assert owner.last.text.startswith(f"✅ 5.00 USD added to {ann.user_id}.")
    await owner.send(f"/user {ann.user_id}")
    assert "Balance: 5.00 USD" in owner.last.text


async def test_stars_paid_while_the_bot_was_down_are_credited_when_it_starts(shop: Shop) -> None:
    ann = Customer(shop.telegram, user_id=9003)
    await ann.send("/start")
    await ann.click("Balance")
    await ann.click("Top up")
    await ann.click("10.00 USD")
    [invoice] = [call for call in shop.telegram.calls if call.method == "sendInvoice"]
    await shop.stop()
    # Ann paid; the payment's update was lost with the bot that was handling it.
    shop.telegram.record_star_payment(
        ann.user,
        invoice.params["payload"],
        invoice.params["prices"][0]["amount"],
        "charge-e2e-lost",
        date=int(time.time()) - 120,
    )

    await shop.start()

    notice = await ann.wait_for("has reached the shop")
    assert "10.01 USD added to your balance" in notice.text
    await ann.send("/start")
    await ann.click("Balance")
    assert "10.01 USD" in ann.last.text
    alerts = [text for text in shop.telegram.delivered_to(ADMIN_CHAT) if "charge-e2e-lost" in text]
    assert len(alerts) == 1
