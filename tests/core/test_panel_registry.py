"""The shop's panels: one client per configured panel, ``main`` first, each reaching its own
panel with its own key."""

from __future__ import annotations

import pytest

from api.sandbox import SandboxPanel
from bot.runtime import Runtime
from shop.panels import Panels, UnknownPanel


@pytest.fixture
def settings_overrides(two_panels: dict[str, object]) -> dict[str, object]:
    return two_panels


async def test_every_configured_panel_has_a_client_main_first(services: Runtime) -> None:
    assert services.panels.names == ("main", "second")
    assert services.panels.first is services.panel


async def test_each_client_asks_its_own_panel_with_its_own_key(
    services: Runtime, panel: SandboxPanel, second_panel: SandboxPanel
) -> None:
    panel.requests.clear()
    second_panel.requests.clear()

    await services.panels.client("second").balance()

    assert [r.action for r in second_panel.requests] == ["balance"]
    assert second_panel.requests[0].key == "second-key-7c4e19b2"
    assert panel.requests == []


async def test_a_panel_that_is_not_configured_is_named_in_the_error(services: Runtime) -> None:
    with pytest.raises(UnknownPanel, match="'gone'"):
        services.panels.client("gone")


def test_main_comes_first_whatever_the_order_given(services: Runtime) -> None:
    clients = dict(services.panels)
    reordered = Panels({"second": clients["second"], "main": clients["main"]})
    assert reordered.names == ("main", "second")
