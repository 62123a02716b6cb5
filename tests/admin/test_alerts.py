"""Alerts posted to the admin group: queued in the outbox for ``ADMIN_CHAT`` once per event,
delivered through the group's rate limit."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal

from aiogram import Bot

from api.sandbox import Fault, ManualClock, SandboxPanel
from bot.notifier import Notifier, SendLimits
from bot.runtime import Runtime
from shop.alerts import ALERT_KIND
from shop.ordering import recover_interrupted
from shop.storage import OrderState
from shop.tracking import FAILED_POLLS_ALERT_AFTER, ITEM_ERROR_ALERT_AFTER

from ..conversation.conftest import top_up
from ..support.telegram import BotClient, RecordingSession
from .conftest import ADMIN_CHAT, PANEL_KEY
from .shop import FOLLOWERS, LINK, add_customer, group_alerts, order, place, uncertain_order

ALICE = 111


async def alert_texts(services: Runtime) -> list[str]:
    rows = await group_alerts(services)
    assert all(
        (row.chat_id, row.kind, row.user_id) == (ADMIN_CHAT, ALERT_KIND, None) for row in rows
    )
    return [row.text for row in rows]


async def confirm_an_order(
    alice: BotClient, panel: SandboxPanel, *, quantity: int = 1000, link: str = LINK
) -> tuple[str, int]:
    """Alice orders followers and taps Confirm; the button's data and its message's id."""
    service = panel.service(FOLLOWERS)
    await alice.send("/start")
    await alice.click("New order")
    await alice.click(service.category)
    await alice.click(service.name)
    await alice.click("Order")
    await alice.send(link)
    await alice.send(str(quantity))
    await alice.click("No")
    confirm = alice.screen.find_button("Confirm")
    assert confirm.callback_data is not None
    await alice.click("Confirm")
    return confirm.callback_data, confirm.message.message_id


async def test_an_uncertain_order_alerts_once_with_the_commands_that_resolve_it(
    alice: BotClient, services: Runtime, panel: SandboxPanel, clock: ManualClock
) -> None:
    await alice.send("/start")
    await top_up(services, ALICE, Decimal(10))
    # The panel takes the order, but its answer is lost on the way back.
    panel.faults.add(Fault.html_502(action="add", after_apply=True, times=1))

    confirm, summary = await confirm_an_order(alice, panel)

    assert (await order(services, 1)).state is OrderState.UNKNOWN
    [alert] = await alert_texts(services)
    assert alert.startswith(
        "⚠️ <b>Order #1 is uncertain</b>\nCustomer 111 paid 1.17 USD. The panel's answer was lost ("
    )
    assert alert.endswith(
        "), so the order may or may not have been placed. The money stays held.\n"
        "Check the panel, then: <code>/attach 1 PANEL_ORDER_ID</code> if it was placed, or "
        "<code>/refund 1</code> if not."
    )
    # Tapping Confirm again, polling, a restart's recovery: still the one alert.
    await alice.click_data(confirm, message_id=summary)
    await services.tracker.poll_once()
    clock.advance(600)
    await services.tracker.poll_once()
    assert await recover_interrupted(services.db, services.alerts) == []
    assert len(await alert_texts(services)) == 1

    # The timeout of a panel that took the order and never answered alerts the same way.
    held = await uncertain_order(services, panel, ALICE, link=f"{LINK}/2")
    texts = await alert_texts(services)
    assert len(texts) == 2
    assert f"<code>/attach {held.order.id} PANEL_ORDER_ID</code>" in texts[1]
    assert f"<code>/refund {held.order.id}</code>" in texts[1]
    assert "(add: no answer in time)" in texts[1]


async def test_a_panel_refusal_that_is_the_shops_problem_alerts_once(
    alice: BotClient, services: Runtime, panel: SandboxPanel
) -> None:
    await alice.send("/start")
    await top_up(services, ALICE, Decimal(10))
    panel.faults.add(Fault.error("Not enough funds on balance", action="add", times=1))

    await confirm_an_order(alice, panel)

    assert (await order(services, 1)).state is OrderState.FAILED
    assert await alert_texts(services) == [
        "🛑 <b>The panel refused an order for a reason on the shop's side</b>\n"
        "Not enough funds on balance\n"
        "Order #1 was refunded to the customer."
    ]
    # A refusal that is the customer's business (a bad link) is not the admins'.
    panel.faults.add(Fault.error("Incorrect link", action="add", times=1))
    await place(services, ALICE, link=f"{LINK}/2")
    assert len(await alert_texts(services)) == 1


async def test_a_low_panel_balance_alerts_once_per_fall(
    services: Runtime, panel: SandboxPanel
) -> None:
    tracker = services.tracker
    panel.accounts[PANEL_KEY].balance = Decimal("12.5")

    await tracker.check_panel_balance()
    await tracker.check_panel_balance()

    low = (
        "🪫 <b>The panel's balance is low</b>: 12.50000 USD (alert below 50). "
        "Top it up, or orders will be refused."
    )
    assert await alert_texts(services) == [low]
    # Topped up: no alert. Below the threshold again: a new fall, a new alert.
    panel.accounts[PANEL_KEY].balance = Decimal(100)
    await tracker.check_panel_balance()
    assert await alert_texts(services) == [low]
    panel.accounts[PANEL_KEY].balance = Decimal("49.99")
    await tracker.check_panel_balance()
    await tracker.check_panel_balance()
    assert await alert_texts(services) == [low, low.replace("12.50000", "49.99000")]


async def _until(condition: Callable[[], bool], seconds: float = 10) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.005)


async def test_polls_failing_in_a_row_alert_once_per_outage(
    services: Runtime, panel: SandboxPanel
) -> None:
    await add_customer(services, ALICE, funds=Decimal(10))
    await place(services, ALICE)

    def status_calls() -> int:
        return sum(1 for request in panel.requests if request.action == "status")

    outage = panel.faults.add(Fault.html_502(action="status"))
    polling = asyncio.create_task(services.tracker.run(0.001))
    try:
        await _until(lambda: status_calls() >= FAILED_POLLS_ALERT_AFTER + 3)
        [alert] = await alert_texts(services)
        assert alert.startswith(
            f"🛑 <b>The panel has not answered {FAILED_POLLS_ALERT_AFTER} status checks in a "
            "row</b>: "
        )
        assert alert.endswith(
            "\nOrders are not being followed until it answers again; nothing is lost."
        )

        # The panel answers again, then fails again: a second outage, a second alert.
        panel.faults.clear()
        await _until(lambda: services.tracker.last_poll_at is not None)
        panel.faults.add(outage)
        calls = status_calls()
        # (The poll on its way when the fault came back may have been answered.)
        await _until(lambda: status_calls() >= calls + FAILED_POLLS_ALERT_AFTER + 3)
    finally:
        polling.cancel()
    assert len(await alert_texts(services)) == 2


async def test_an_order_the_panel_keeps_answering_with_an_error_alerts_once(
    owner: BotClient, services: Runtime, panel: SandboxPanel
) -> None:
    await add_customer(services, ALICE, funds=Decimal(10))
    held = await uncertain_order(services, panel, ALICE)
    # The admin attaches a wrong panel id: the panel answers "Incorrect order ID" for it.
    await owner.send(f"/attach {held.order.id} 99999")
    before = len(await alert_texts(services))

    for _ in range(ITEM_ERROR_ALERT_AFTER + 2):
        await services.tracker.poll_once()

    texts = await alert_texts(services)
    assert len(texts) == before + 1
    assert texts[-1].startswith(
        f"⚠️ <b>The panel keeps refusing to report order #{held.order.id}</b> (panel order 99999): "
    )
    assert texts[-1].endswith(f"Check it with <code>/order {held.order.id}</code>.")


async def test_a_large_order_alerts_the_group(
    alice: BotClient, services: Runtime, panel: SandboxPanel
) -> None:
    await alice.send("/start")
    await top_up(services, ALICE, Decimal(50))
    await confirm_an_order(alice, panel, quantity=1000)
    assert await alert_texts(services) == []

    # 10,000 followers: 11.70 USD, over LARGE_ORDER_ALERT (10).
    await confirm_an_order(alice, panel, quantity=10_000, link=f"{LINK}/2")

    assert (await order(services, 2)).state is OrderState.PENDING
    assert await alert_texts(services) == [
        "💰 <b>Large order #2</b>: 11.70 USD from customer 111. <code>/order 2</code>"
    ]


async def test_alerts_reach_the_group_within_its_rate_limit(
    services: Runtime, panel: SandboxPanel, session: RecordingSession, bot: Bot
) -> None:
    await add_customer(services, ALICE, funds=Decimal(100))
    await place(services, ALICE, quantity=10_000)
    await uncertain_order(services, panel, ALICE, link=f"{LINK}/2")
    panel.faults.add(Fault.error("Invalid API key", action="add", times=1))
    await place(services, ALICE, link=f"{LINK}/3")
    assert len(await alert_texts(services)) == 3
    notifier = Notifier(services.db, bot, SendLimits(chat_interval_seconds=0, group_per_minute=2))

    while await notifier.deliver_due() == 0:
        pass
    # Asked again within the minute, it sends nothing more.
    await notifier.deliver_due()

    # Two this minute, as the group allows; the third waits for the window to move on.
    group = session.screen(ADMIN_CHAT)
    assert [(m.text or "").split("\n")[0] for m in group.bot_messages] == [
        "💰 Large order #1: 11.70 USD from customer 111. /order 1",
        "⚠️ Order #2 is uncertain",
    ]
    [waiting] = await group_alerts(services)
    assert waiting.text.startswith("🛑 <b>The panel refused an order")
    assert notifier.counts.sent == 2
