"""The shared sandbox panel over loopback HTTP (``tests/conftest.py``), seeded and with an
account of its own, and a bare HTTP caller for it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from api.sandbox import ManualClock, SandboxPanel

from .sandbox_http import KEY, SandboxAPI


@pytest.fixture
def panel(clock: ManualClock) -> SandboxPanel:
    panel = SandboxPanel(clock=clock, seed=7)
    panel.add_account(KEY, Decimal("100"))
    return panel


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def api(panel_server: TestServer, session: aiohttp.ClientSession) -> SandboxAPI:
    return SandboxAPI(session, panel_server.make_url("/api/v2"))
