"""Two panels behind one shop, through the bot process over HTTP: orders placed at each
panel, a failover when the preferred panel refuses for lack of funds, a hold (no second
panel asked) when it does not answer, and the tracker telling the customers of both."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from aiohttp.test_utils import TestServer

from api.sandbox import Fault, SandboxPanel, create_app

from ..support.process import Launcher
from .shop import running_shop
from .test_panel_faults import (
    PANEL_TIMEOUT,
    charge,
    fill_order_form,
    funded_customer,
    held_text,
    newest_order,
    order_ledger,
    owner_of,
)

SECOND_KEY = "e2e-second-panel-key"
#: The second panel sells the same followers as main's 102, cheaper, under an id of its own.
SECOND_CATALOGUE = (
    {"service": 7102, "name": "Followers HQ (B)", "type": "Default",
     "category": "Instagram Followers", "rate": "0.30", "min": "10", "max": "100000"},
)  # fmt: skip
MAIN_FOLLOWERS = 102


def adds(panel: SandboxPanel, link: str) -> list[str]:
    """The service ids ``panel`` was asked to ``add`` an order of ``link`` with."""
    return [
        r.fields["service"]
        for r in panel.requests
        if r.action == "add" and r.fields.get("link") == link
    ]


async def test_orders_go_to_either_panel_fail_over_on_refusal_hold_on_silence_and_are_tracked(
    tmp_path: Path, launcher: Launcher
) -> None:
    env = {"PANEL_TIMEOUT_SECONDS": str(PANEL_TIMEOUT)}
    async with running_shop(tmp_path, launcher, env, start=False) as shop:
        second = SandboxPanel(clock=shop.clock, services=SECOND_CATALOGUE, seed=2)
        second.add_account(SECOND_KEY, Decimal(1000))
        server = TestServer(create_app(second), host="127.0.0.1")
        await server.start_server()
        try:
            shop.env.update(
                {
                    "PANELS": "second",
                    "PANEL_SECOND_URL": str(server.make_url("/api/v2")),
                    "PANEL_SECOND_KEY": SECOND_KEY,
                }
            )
            await shop.start()
            await shop.until(
                lambda: bool(shop.query("SELECT 1 FROM panel_services WHERE panel = 'second'")),
                30,
                "the second panel's catalogue is taken",
            )
            owner = owner_of(shop)
            await owner.send(f"/link {MAIN_FOLLOWERS} second:7102")
            await owner.answer("is also sold as service 7102 of panel second")

            # Sold from main: placed at main.
            ann = await funded_customer(shop, "Ann")
            await fill_order_form(ann, "https://instagram.com/ann.two")
            await ann.click("Confirm")
            await ann.answer("placed</b>")
            assert adds(shop.panel, "https://instagram.com/ann.two") == [str(MAIN_FOLLOWERS)]

            # Sold from the second panel (preferred once Bob's quote is made): placed there,
            # under its own id.
            bob = await funded_customer(shop, "Bob")
            await fill_order_form(bob, "https://instagram.com/bob.two")
            await owner.send(f"/prefer {MAIN_FOLLOWERS} second")
            await owner.answer("is sold from")
            await bob.click("Confirm")
            await bob.answer("placed</b>")
            assert adds(second, "https://instagram.com/bob.two") == ["7102"]
            assert adds(shop.panel, "https://instagram.com/bob.two") == []
            await owner.send(f"/prefer {MAIN_FOLLOWERS} main")
            await owner.answer("is sold from")

            # Main out of funds: the same order goes to the second panel, charged once.
            cara = await funded_customer(shop, "Cara")
            await fill_order_form(cara, "https://instagram.com/cara.two")
            shop.panel.faults.add(
                Fault.error("Not enough funds on balance", action="add", times=1)
            )
            await cara.click("Confirm")
            await cara.answer("placed</b>")
            cara_order = newest_order(shop, cara.user_id)
            assert adds(shop.panel, "https://instagram.com/cara.two") == [str(MAIN_FOLLOWERS)]
            assert adds(second, "https://instagram.com/cara.two") == ["7102"]
            assert order_ledger(shop, cara_order) == [charge(cara_order)]
            # She sees one order, placed once.
            assert len(cara.texts(f"Order #{cara_order} placed")) == 1
            assert len(shop.query("SELECT id FROM orders WHERE user_id = ?", cara.user_id)) == 1
            alert = await owner.wait_for(f"<b>Order #{cara_order}</b>: panel main refused it")
            assert "so it was sent to panel second instead" in alert.text

            # Main silent: the order is held, and the second panel is not asked.
            dan = await funded_customer(shop, "Dan")
            await fill_order_form(dan, "https://instagram.com/dan.two")
            shop.panel.faults.add(Fault.timeout(action="add", times=1))
            await dan.click("Confirm")
            dan_order = newest_order(shop, dan.user_id)
            held = await dan.answer("is being checked", timeout=PANEL_TIMEOUT + 20)
            assert held.text == held_text(dan_order)
            assert adds(second, "https://instagram.com/dan.two") == []

            # Both panels' orders move on, and their customers are told.
            shop.clock.advance(shop.panel.pending_seconds + 1)
            for customer in (ann, bob, cara):
                order_id = newest_order(shop, customer.user_id)
                await customer.wait_for(f"Order #{order_id} has started", timeout=30)
            await shop.stop()
        finally:
            await server.close()
