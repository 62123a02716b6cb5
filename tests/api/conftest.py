"""A sandbox panel over real loopback HTTP, and a client pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from api import PanelClient
from api.sandbox import ManualClock, SandboxPanel, create_app

KEY = "test-key-3f9a2c71d0"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def panel(clock: ManualClock) -> SandboxPanel:
    sandbox = SandboxPanel(clock=clock)
    sandbox.add_account(KEY, Decimal(1000))
    return sandbox


@pytest.fixture
async def panel_url(panel: SandboxPanel) -> AsyncIterator[str]:
    server = TestServer(create_app(panel), host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("/api/v2"))
    await server.close()


@pytest.fixture
async def client(panel_url: str) -> AsyncIterator[PanelClient]:
    async with PanelClient(
        panel_url, KEY, timeouts=aiohttp.ClientTimeout(total=0.5)
    ) as panel_client:
        yield panel_client
