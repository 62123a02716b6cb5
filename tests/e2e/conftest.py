from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from .shop import Shop, running_shop


@pytest.fixture
async def shop(tmp_path: Path) -> AsyncIterator[Shop]:
    """The bot running against a fresh database, the sandbox panel and the Bot API double."""
    async with running_shop(tmp_path) as running:
        yield running
