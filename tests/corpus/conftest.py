"""The shop on a catalogue shaped like real panels': the shared fixtures
(``tests/conftest.py``) with the sandbox serving :func:`~api.sandbox.real_world_catalogue`
and a shop that has not synced yet (each test syncs, or tests the sync)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

import pytest

from api.sandbox import real_world_catalogue

from ..conftest import ADMIN_CHAT

#: The catalogue every test here sells from.
CORPUS = real_world_catalogue()

__all__ = ["ADMIN_CHAT", "CORPUS"]


@pytest.fixture
def panel_services() -> Sequence[Mapping[str, object]]:
    return CORPUS


@pytest.fixture
def panel_funds() -> Decimal:
    # Enough for an order of every service at its largest quantity.
    return Decimal(10) ** 12


@pytest.fixture
def catalogue_synced() -> bool:
    return False
