"""Fixtures for the storage tests: a fresh in-memory database and a file database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from shop.storage import Database


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    async with await Database.open(":memory:") as database:
        yield database


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "bot.sqlite3"


@pytest.fixture
async def file_db(db_path: Path) -> AsyncIterator[Database]:
    async with await Database.open(db_path) as database:
        yield database
