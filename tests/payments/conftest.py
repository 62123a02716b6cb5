"""The payments tests' shop, with the promo codes on a clock the test drives."""

from __future__ import annotations

import pytest

from bot.runtime import Runtime

from .promo import ShopClock


@pytest.fixture
def shop_clock(services: Runtime) -> ShopClock:
    """The moment the promo codes see (expiry, the window of wrong codes): now, until the
    test moves it."""
    clock = ShopClock()
    services.promos.clock = clock
    return clock
