"""The bot as a process of its own (see ``shop.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ..support.process import Launcher
from .shop import Shop, running_shop


@pytest.fixture
async def shop(tmp_path: Path, launcher: Launcher) -> AsyncIterator[Shop]:
    """The bot running against a fresh database, the sandbox panel and the Bot API double."""
    async with running_shop(tmp_path, launcher) as running:
        yield running
