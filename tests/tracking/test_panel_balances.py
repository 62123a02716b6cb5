"""Each panel's balance is watched on its own: a low one is told once per fall, naming the
panel (a one-panel shop's alert reads as it always has: tests/admin/test_alerts.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from api.sandbox import SandboxPanel
from bot.runtime import Runtime
from shop.storage import utc_now

from ..conftest import ADMIN_CHAT, PANEL_KEY, SECOND_PANEL_KEY


@pytest.fixture
def settings_overrides(two_panels: dict[str, object]) -> dict[str, object]:
    return {**two_panels, "panel_balance_alert": Decimal(50)}


async def alert_texts(services: Runtime) -> list[str]:
    async with services.db.read() as r:
        rows = await r.outbox.due(utc_now(), 10_000)
    return [row.text for row in rows if row.chat_id == ADMIN_CHAT]


async def test_each_panels_low_balance_is_told_once_naming_the_panel(
    services: Runtime, panel: SandboxPanel, second_panel: SandboxPanel
) -> None:
    second_panel.accounts[SECOND_PANEL_KEY].balance = Decimal("7.5")

    await services.tracker.check_panel_balance()
    await services.tracker.check_panel_balance("second")

    low_second = (
        "🪫 <b>The balance of panel second is low</b>: 7.50000 USD (alert below 50). "
        "Top it up, or orders there will be refused."
    )
    assert await alert_texts(services) == [low_second]

    # Main falls too: its own alert, as a one-panel shop has it.
    panel.accounts[PANEL_KEY].balance = Decimal(3)
    await services.tracker.check_panel_balance()
    assert await alert_texts(services) == [
        low_second,
        "🪫 <b>The panel's balance is low</b>: 3.00000 USD (alert below 50). "
        "Top it up, or orders will be refused.",
    ]
