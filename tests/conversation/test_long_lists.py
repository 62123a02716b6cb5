"""A long list of comments still gets a short, readable summary, and is sent whole."""

from __future__ import annotations

from decimal import Decimal

from api import OrderType
from api.sandbox import SandboxPanel
from bot.runtime import Runtime

from ..support.telegram import BotClient
from .conftest import top_up
from .shopping import add_requests, service_of_type, start_order


async def test_long_comments_are_summarised_and_sent_whole(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    service = service_of_type(panel, OrderType.CUSTOM_COMMENTS, lambda s: s.min <= 12 <= s.max)
    comments = [f"Comment {n}: " + "lovely post " * 20 for n in range(12)]
    await start_order(alice, panel, service)
    await top_up(services, alice.user.id, Decimal(100))
    await alice.send("https://instagram.com/p/long")
    await alice.send("\n".join(comments))
    summary = alice.screen.last.text
    assert summary.startswith("🧾 Your order")
    assert "…and 9 more" in summary
    assert len(summary) < 1000
    await alice.click("Confirm")
    [sent] = add_requests(panel)
    assert sent["comments"] == "\n".join(line.strip() for line in comments)
