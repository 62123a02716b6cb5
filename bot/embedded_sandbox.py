"""A sandbox panel inside the bot's own process, so an owner can try every flow with only a
bot token: no panel account, no money."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator
from decimal import Decimal

from aiohttp import web

from api.sandbox import RealClock, SandboxPanel, create_app

#: What the sandbox account starts with, in its own play money.
OPENING_BALANCE = Decimal(1000)


@contextlib.asynccontextmanager
async def embedded_sandbox(speed: float) -> AsyncIterator[tuple[str, str]]:
    """Serve a sandbox panel on 127.0.0.1 (a free port) while the block runs; yields its URL
    and the API key it accepts. Its clock runs ``speed`` times faster than real time."""
    key = secrets.token_urlsafe(16)
    panel = SandboxPanel(clock=RealClock(speed))
    panel.record_requests = False  # a long-running panel must not keep every request
    panel.add_account(key, OPENING_BALANCE)
    runner = web.AppRunner(create_app(panel), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        yield f"http://127.0.0.1:{port}/api/v2", key
    finally:
        await runner.cleanup()
