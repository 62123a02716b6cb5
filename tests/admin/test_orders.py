"""/order, its buttons, /unknown, /attach and /refund, from an admin in the admin group."""

from __future__ import annotations

from decimal import Decimal

from aiogram.methods import EditMessageText, SendMessage

from api.sandbox import FIRST_ORDER_ID, Fault, ManualClock, SandboxPanel
from bot.runtime import Runtime
from shop.storage import LedgerReason, OrderState, utc_now

from ..conversation.conftest import top_up
from ..conversation.shopping import reach_summary
from ..support.telegram import BotClient
from .conftest import ADMIN_CHAT
from .shop import (
    FOLLOWERS,
    LINK,
    add_customer,
    balance,
    ledger_rows,
    order,
    place,
    uncertain_order,
    undated,
)

ALICE = 111
#: 1,000 Instagram followers at 0.90 per 1000, +30 %.
PRICE = Decimal("1.17")
BUTTONS = [["🔄 Refresh", "♻️ Refill", "✖ Cancel"]]
SERVICE = "Instagram Followers [Real] [30 days refill]"


def order_card(
    *,
    order_id: int,
    panel_id: str,
    state: str,
    panel_status: str = "—",
    error: str = "—",
    history: list[str],
    money: list[str],
    refills: str = "—",
) -> str:
    return "\n".join(
        [
            f"Order #{order_id} (panel {panel_id}) · customer {ALICE}",
            "Instagram Followers [Real] [30 days refill]",
            f"🔗 {LINK}",
            "Quantity: 1,000 · price 1.17 USD · panel cost 0.90 USD",
            f"State: {state} (panel: {panel_status})",
            f"Error: {error}",
            "History",
            *(f"<at> {line}" for line in history),
            "Money",
            *(f"<at> {line}" for line in money),
            f"Refills: {refills}",
        ]
    )


async def test_order_shows_an_order_by_shop_id_or_panel_id_with_its_history_and_money(
    owner: BotClient, services: Runtime, clock: ManualClock, panel: SandboxPanel
) -> None:
    await add_customer(services, ALICE, funds=Decimal(10))
    await place(services, ALICE)
    clock.advance(panel.pending_seconds + 1)
    await services.tracker.poll_once()
    clock.advance(panel.progress_seconds)
    await services.tracker.poll_once()
    expected = order_card(
        order_id=1,
        panel_id=str(FIRST_ORDER_ID),
        state="completed",
        panel_status="Completed",
        history=[
            "submitting → pending",
            "pending → in_progress",
            "in_progress → completed",
        ],
        money=["order_charge -1.17 USD"],
    )

    for reference in ("1", "#1", str(FIRST_ORDER_ID)):
        requests = await owner.send(f"/order {reference}")
        [reply] = requests.of(SendMessage)
        assert reply.chat_id == ADMIN_CHAT
        assert undated(owner.screen.last.text) == expected
        assert owner.screen.last.buttons == BUTTONS

    await owner.send("/order 77")
    assert owner.screen.last.text == "No order 77."


async def test_the_buttons_of_an_order_cancel_refresh_and_refill_it(
    owner: BotClient, services: Runtime, clock: ManualClock, panel: SandboxPanel
) -> None:
    await add_customer(services, ALICE, funds=Decimal(10))
    await place(services, ALICE)  # order 1, to be canceled
    await place(services, ALICE, link=f"{LINK}/2")  # order 2, to be refilled
    await owner.send("/order 1")
    card = owner.screen.last

    await owner.click("Cancel")
    assert card.text is not None
    assert card.text.endswith("\n\ncancel accepted by the panel")
    assert "State: pending" in card.text
    assert card.buttons == BUTTONS
    assert owner.last_answer_callback().text is None
    assert [r.action for r in panel.requests].count("cancel") == 1

    # The panel cancels the order when it would have started; Refresh asks for it now.
    clock.advance(panel.pending_seconds + 1)
    await owner.click("Refresh", message=card)
    assert undated(card.text) == order_card(
        order_id=1,
        panel_id=str(FIRST_ORDER_ID),
        state="canceled",
        panel_status="Canceled",
        history=["submitting → pending", "pending → canceled"],
        money=["order_charge -1.17 USD", "refund 1.17 USD"],
    )
    assert [(row.reason, row.amount) for row in await ledger_rows(services, ALICE)] == [
        (LedgerReason.TOPUP, Decimal(10)),
        (LedgerReason.ORDER_CHARGE, -PRICE),
        (LedgerReason.ORDER_CHARGE, -PRICE),
        (LedgerReason.REFUND, PRICE),
    ]

    # A canceled order cannot be refilled or canceled again; nothing is sent to the panel.
    await owner.click("Refill", message=card)
    assert card.text.endswith("\n\nThat is not possible for this order right now.")
    await owner.click("Cancel", message=card)
    assert card.text.endswith("\n\nThat is not possible for this order right now.")
    assert [r.action for r in panel.requests].count("cancel") == 1
    assert [r.action for r in panel.requests].count("refill") == 0

    # A completed order is refilled.
    clock.advance(panel.progress_seconds)
    await owner.send(f"/order {FIRST_ORDER_ID + 1}")
    second = owner.screen.last
    await owner.click("Refresh", message=second)
    assert "State: completed (panel: Completed)" in (second.text or "")
    await owner.click("Refill", message=second)
    assert second.text is not None
    assert second.text.endswith("Refills: #1 pending\n\nwaiting")
    assert [r.action for r in panel.requests].count("refill") == 1
    # The customer, who did not ask, is told.
    async with services.db.read() as r:
        notices = [m.text for m in await r.outbox.due(utc_now(), 100) if m.chat_id == ALICE]
    assert notices[-1] == (
        "♻️ The refill of order #2 was accepted. We will tell you when it is done."
    )
    # Asked again while that refill is open: not sent again.
    await owner.click("Refill", message=second)
    assert second.text.endswith("\n\nA refill of this order is already under way.")
    assert [r.action for r in panel.requests].count("refill") == 1
    assert await balance(services, ALICE) == Decimal(10) - PRICE


async def test_an_uncertain_order_is_listed_then_attached_to_its_panel_order(
    owner: BotClient, services: Runtime, panel: SandboxPanel, clock: ManualClock
) -> None:
    await add_customer(services, ALICE, funds=Decimal(10))
    await owner.send("/unknown")
    assert owner.screen.last.text == "No uncertain orders. 👍"

    held = await uncertain_order(services, panel, ALICE)
    # The panel did take it: its id is what the admin finds there.
    [panel_order_id] = panel.orders
    await owner.send("/unknown")
    assert undated(owner.screen.last.text) == (
        "Uncertain orders — check each at the panel, then /attach or /refund it:\n"
        f"#{held.order.id} · customer {ALICE} · 1.17 USD · <at> · {LINK}\n"
        f"/attach {held.order.id} PANEL_ID or /refund {held.order.id}"
    )

    await owner.send(f"/attach {held.order.id} {panel_order_id}")
    assert owner.screen.last.text == (
        f"✅ Order #{held.order.id} is panel order {panel_order_id}; it is followed again."
    )
    attached = await order(services, held.order.id)
    assert (attached.state, attached.panel_order_id) == (OrderState.PENDING, panel_order_id)
    await owner.send("/unknown")
    assert owner.screen.last.text == "No uncertain orders. 👍"

    # Once attached, it is not uncertain any more: neither attach nor refund applies.
    await owner.send(f"/attach {held.order.id} {panel_order_id}")
    assert owner.screen.last.text == f"Not done: order {held.order.id} is not uncertain"
    await owner.send(f"/refund {held.order.id}")
    assert owner.screen.last.text == f"Not done: order {held.order.id} is not uncertain"

    # Tracking takes it from there, and the money was charged once, never refunded.
    clock.advance(panel.pending_seconds + panel.progress_seconds + 5)
    await services.tracker.poll_once()
    await owner.send(f"/order {held.order.id}")
    text = undated(owner.screen.last.text)
    assert "State: completed (panel: Completed)" in text
    assert "<at> submitting → unknown\n<at> unknown → pending\n" in text
    assert "Money\n<at> order_charge -1.17 USD\nRefills" in text
    assert await balance(services, ALICE) == Decimal(10) - PRICE


async def test_attach_refuses_a_panel_order_that_belongs_to_another_order(
    owner: BotClient, services: Runtime, panel: SandboxPanel
) -> None:
    await add_customer(services, ALICE, funds=Decimal(10))
    placed = await place(services, ALICE, link=f"{LINK}/placed")
    held = await uncertain_order(services, panel, ALICE)
    assert placed.order.panel_order_id is not None

    await owner.send(f"/attach {held.order.id} {placed.order.panel_order_id}")

    assert owner.screen.last.text == (
        f"Not done: panel order {placed.order.panel_order_id} belongs to order {placed.order.id}"
    )
    assert (await order(services, held.order.id)).state is OrderState.UNKNOWN


async def test_an_uncertain_order_the_panel_never_got_is_refunded_with_refund(
    owner: BotClient, alice: BotClient, services: Runtime, panel: SandboxPanel
) -> None:
    # Alice confirms; the panel's proxy answers 502 and the order never reached the panel.
    await alice.send("/start")
    await top_up(services, ALICE, Decimal(10))
    await reach_summary(alice, panel, panel.service(FOLLOWERS))
    panel.faults.add(Fault.html_502(action="add", times=1))
    await alice.click("Confirm")
    assert panel.orders == {}
    assert (await order(services, 1)).state is OrderState.UNKNOWN
    assert await balance(services, ALICE) == Decimal(10) - PRICE

    requests = await owner.send("/refund 1")

    assert owner.screen.last.text == "✅ Order #1 refunded: 1.17 USD back to the customer."
    # The admin's command answers in the group only; the customer hears nothing from it.
    assert [m.chat_id for m in requests.of(SendMessage)] == [ADMIN_CHAT]
    assert requests.of(EditMessageText) == []
    assert (await order(services, 1)).state is OrderState.REFUNDED
    rows = await ledger_rows(services, ALICE)
    assert [(row.reason, row.amount, row.order_id) for row in rows] == [
        (LedgerReason.TOPUP, Decimal(10), None),
        (LedgerReason.ORDER_CHARGE, -PRICE, 1),
        (LedgerReason.REFUND, PRICE, 1),
    ]
    assert rows[-1].note == "uncertain order refunded by an admin"

    await owner.send("/refund 1")
    assert owner.screen.last.text == "Not done: order 1 is not uncertain"
    await owner.send("/attach 1 23501")
    assert owner.screen.last.text == "Not done: order 1 is not uncertain"
    assert await balance(services, ALICE) == Decimal(10)
    assert len(await ledger_rows(services, ALICE)) == 3


async def _held_partial(
    services: Runtime, panel: SandboxPanel, clock: ManualClock, link: str = LINK
) -> int:
    """An order that ends Partial with neither remains nor charge: its refund is held."""
    placed = await place(services, ALICE, link=link)
    assert placed.order.panel_order_id is not None
    panel.override_status(placed.order.panel_order_id, status="Partial", remains=None, charge=None)
    clock.advance(panel.pending_seconds + 1)
    await services.tracker.poll_once()
    held = await order(services, placed.order.id)
    assert (held.state, held.refund_held_at is not None) == (OrderState.PARTIAL, True)
    return held.id


async def _customer_notices(services: Runtime) -> list[str]:
    async with services.db.read() as r:
        rows = await r.outbox.due(utc_now(), 1000)
    return [row.text for row in rows if row.chat_id == ALICE]


async def test_a_held_refund_is_settled_once_by_refund_with_an_amount(
    owner: BotClient, services: Runtime, panel: SandboxPanel, clock: ManualClock
) -> None:
    await add_customer(services, ALICE, funds=Decimal(10))
    held = await _held_partial(services, panel, clock)
    await owner.send(f"/order {held}")
    assert undated(owner.screen.last.text).endswith(
        f"Refills: —\n⏸ Refund waiting for a decision since <at>: /refund {held} AMOUNT"
    )

    await owner.send(f"/refund {held} 1.18")
    assert (
        owner.screen.last.text == f"Not done: at most 1.17 USD can be refunded for order #{held}."
    )
    requests = await owner.send(f"/refund {held} 0.40")

    assert owner.screen.last.text == (
        f"✅ Order #{held}: 0.40 USD refunded to the customer; the refund is settled."
    )
    assert [m.chat_id for m in requests.of(SendMessage)] == [ADMIN_CHAT]
    rows = await ledger_rows(services, ALICE)
    assert [(row.reason, row.amount, row.order_id, row.key) for row in rows] == [
        (LedgerReason.TOPUP, Decimal(10), None, f"topup:test:{ALICE}"),
        (LedgerReason.ORDER_CHARGE, -PRICE, held, f"charge:order:{held}"),
        (LedgerReason.REFUND, Decimal("0.40"), held, f"refund:order:{held}"),
    ]
    assert rows[-1].note == "held refund settled by an admin"
    assert (await order(services, held)).refund_held_at is None
    balance_after = Decimal(10) - PRICE + Decimal("0.40")
    assert (await _customer_notices(services))[-1] == (
        f"↩️ <b>Order #{held}</b>: 0.40 USD is back on your balance for what was not"
        f" delivered.\n{SERVICE}\nYour balance: {balance_after} USD"
    )

    # Settled once: again, or for an order that was never held, it is refused.
    await owner.send(f"/refund {held} 0.40")
    assert owner.screen.last.text == (
        f"Not done: order #{held} has no refund waiting for a decision."
    )
    await owner.send("/refund 999 0.10")
    assert owner.screen.last.text == "Not done: order #999 has no refund waiting for a decision."
    assert len(await ledger_rows(services, ALICE)) == 3
    await owner.send(f"/order {held}")
    assert "⏸" not in (owner.screen.last.text or "")


async def test_a_held_refund_settled_with_zero_writes_nothing_and_tells_the_customer(
    owner: BotClient, services: Runtime, panel: SandboxPanel, clock: ManualClock
) -> None:
    await add_customer(services, ALICE, funds=Decimal(10))
    held = await _held_partial(services, panel, clock)
    await owner.send(f"/refund {held} 0")
    assert owner.screen.last.text == (
        f"✅ Order #{held}: nothing refunded; the customer is told and the refund is settled."
    )
    assert [row.reason for row in await ledger_rows(services, ALICE)] == [
        LedgerReason.TOPUP,
        LedgerReason.ORDER_CHARGE,
    ]
    assert (await order(services, held)).refund_held_at is None
    assert (await _customer_notices(services))[-1] == (
        f"◐ <b>Order #{held}</b>: we checked with the provider, and nothing is owed back for"
        f" it.\n{SERVICE}\nYour balance: {Decimal(10) - PRICE} USD"
    )
    await owner.send(f"/refund {held} 0")
    assert owner.screen.last.text == (
        f"Not done: order #{held} has no refund waiting for a decision."
    )


async def test_a_forged_button_for_an_order_that_does_not_exist_is_answered(
    owner: BotClient, services: Runtime
) -> None:
    await owner.send("/help")
    requests = await owner.click_data("ao:refresh:99")
    assert owner.last_answer_callback().text == "No order 99."
    assert requests.of(EditMessageText) == []


async def test_unknown_lists_many_uncertain_orders_with_long_links(
    owner: BotClient, services: Runtime, panel: SandboxPanel
) -> None:
    """Twenty orders caught by one outage of the panel, their links as long as the order form
    allows (500 characters): every one is listed, in messages Telegram accepts."""
    await add_customer(services, ALICE, funds=Decimal(100))
    panel.faults.add(Fault.html_502(action="add", times=20))
    links = [
        (f"https://www.youtube.com/watch?v={number:03}&list=" + "x" * 500)[:500]
        for number in range(1, 21)
    ]
    for link in links:
        await place(services, ALICE, link=link)

    requests = await owner.send("/unknown")

    texts = [message.visible_text or "" for message in requests.messages]
    assert 1 < len(texts) < 5
    assert all(len(text) <= 4096 for text in texts)
    lines = "\n".join(texts).split("\n")
    assert lines[0] == "Uncertain orders — check each at the panel, then /attach or /refund it:"
    listed = lines[1::2]
    assert len(listed) == 20
    for number, (line, link) in enumerate(zip(listed, links, strict=True), start=1):
        # The link is cut short in the list, to 100 characters once escaped (its "&" takes
        # five); /order shows it whole.
        assert undated(line) == f"#{number} · customer {ALICE} · 1.17 USD · <at> · {link[:95]}…"
    assert lines[2::2] == [f"/attach {n} PANEL_ID or /refund {n}" for n in range(1, 21)]
    await owner.send("/order 20")
    assert f"🔗 {links[-1]}\n" in (owner.screen.last.text or "")
