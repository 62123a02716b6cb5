"""Fixtures: a sandbox panel on a manual clock, served over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from api.sandbox import ManualClock, SandboxPanel, create_app

from .sandbox_http import KEY, SandboxAPI


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def panel(clock: ManualClock) -> SandboxPanel:
    panel = SandboxPanel(clock=clock, seed=7)
    panel.add_account(KEY, Decimal("100"))
    return panel


@pytest.fixture
async def server(panel: SandboxPanel) -> AsyncIterator[TestServer]:
    test_server = TestServer(create_app(panel), host="127.0.0.1")
    await test_server.start_server()
    yield test_server
    await test_server.close()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def api(server: TestServer, session: aiohttp.ClientSession) -> SandboxAPI:
    return SandboxAPI(session, server.make_url("/api/v2"))
