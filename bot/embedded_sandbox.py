"""A sandbox panel and a Crypto Pay double inside the bot's own process, so an owner can try
every flow with only a bot token: no panel account, no Crypto Pay app, no money."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from aiohttp import web

from api.cryptopay.sandbox import CryptoPaySandbox
from api.cryptopay.sandbox import create_app as create_crypto_pay_app
from api.sandbox import RealClock, SandboxPanel, create_app
from api.sandbox.catalogue import builtin_catalogue

#: What the sandbox account starts with, in its own play money.
OPENING_BALANCE = Decimal(1000)
#: Real seconds after it is made that a play-money invoice pays itself.
CRYPTO_AUTO_PAY_SECONDS: Final = 5.0
#: The second play panel's name, and how it differs from the first: every other service of
#: the same catalogue, under ids of its own, at this share of the first panel's rate.
SECOND_PANEL: Final = "sandbox-b"
SECOND_PANEL_IDS: Final = 5000
SECOND_PANEL_RATE: Final = Decimal("0.8")


@dataclass(frozen=True, slots=True)
class EmbeddedSandbox:
    """Where the embedded sandboxes listen, and the keys they accept."""

    panel_url: str
    panel_key: str
    #: The second play panel, sold beside the first: its catalogue overlaps the first's at
    #: other prices, so alternatives, /prefer and /panels can be tried.
    second_panel_url: str
    second_panel_key: str
    crypto_pay_url: str
    crypto_pay_token: str
    #: The Crypto Pay double itself: where it sends its webhooks can be set.
    crypto_pay: CryptoPaySandbox


@contextlib.asynccontextmanager
async def embedded_sandbox(speed: float) -> AsyncIterator[EmbeddedSandbox]:
    """Serve a sandbox panel and a Crypto Pay double on 127.0.0.1 (free ports) while the
    block runs. The panel's clock runs ``speed`` times faster than real time; the double's
    invoices pay themselves a few seconds after they are made (their pay page, on this
    machine, cannot be opened from a phone)."""
    key, second_key = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    panel = SandboxPanel(clock=RealClock(speed))
    second = SandboxPanel(clock=RealClock(speed), services=second_catalogue(), seed=2)
    for sandbox, its_key in ((panel, key), (second, second_key)):
        sandbox.record_requests = False  # a long-running panel must not keep every request
        sandbox.add_account(its_key, OPENING_BALANCE)
    token = secrets.token_urlsafe(24)
    crypto_pay = CryptoPaySandbox(token, app_name="Sandbox shop")
    crypto_pay.auto_pay_after = CRYPTO_AUTO_PAY_SECONDS
    crypto_pay.auto_pay_on_create = True
    async with contextlib.AsyncExitStack() as stack:
        panel_port = await stack.enter_async_context(_served(create_app(panel)))
        second_port = await stack.enter_async_context(_served(create_app(second)))
        crypto_port = await stack.enter_async_context(_served(create_crypto_pay_app(crypto_pay)))
        yield EmbeddedSandbox(
            panel_url=f"http://127.0.0.1:{panel_port}/api/v2",
            panel_key=key,
            second_panel_url=f"http://127.0.0.1:{second_port}/api/v2",
            second_panel_key=second_key,
            crypto_pay_url=f"http://127.0.0.1:{crypto_port}/api",
            crypto_pay_token=token,
            crypto_pay=crypto_pay,
        )


def second_catalogue() -> list[dict[str, object]]:
    """The second play panel's catalogue: every other service of the first's, under ids of
    its own, cheaper."""
    rows = []
    for index, row in enumerate(builtin_catalogue()):
        if index % 2:
            continue
        rate = Decimal(str(row["rate"])) * SECOND_PANEL_RATE
        rows.append(
            {**row, "service": int(str(row["service"])) + SECOND_PANEL_IDS, "rate": f"{rate:f}"}
        )
    return rows


@contextlib.asynccontextmanager
async def _served(app: web.Application) -> AsyncIterator[int]:
    """Serve ``app`` on 127.0.0.1 at a free port while the block runs; yields the port."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        yield int(runner.addresses[0][1])
    finally:
        await runner.cleanup()
