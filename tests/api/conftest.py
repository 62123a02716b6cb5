"""The shared sandbox panel over real loopback HTTP (``tests/conftest.py``), with 1000 on
the account, and a client pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import aiohttp
import pytest

from api import PanelClient

from ..conftest import PANEL_KEY


@pytest.fixture
def panel_funds() -> Decimal:
    return Decimal(1000)


@pytest.fixture
async def client(panel_url: str) -> AsyncIterator[PanelClient]:
    async with PanelClient(
        panel_url, PANEL_KEY, timeouts=aiohttp.ClientTimeout(total=0.5)
    ) as panel_client:
        yield panel_client
