"""The panels the shop sells from, by name.

An order records the panel it was placed at, and every later call for it (status, refill,
refill status, cancel) goes to that panel: :meth:`Panels.client` is how the domain finds it.
The panel of PANEL_API_URL is named :data:`MAIN_PANEL` and comes first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping

from api import PanelClient
from shop.storage import CHEAPEST, MAIN_PANEL

__all__ = ["CHEAPEST", "MAIN_PANEL", "Panels", "UnknownPanel"]


class UnknownPanel(LookupError):
    """A stored order or listing names a panel the settings no longer have."""


class Panels:
    """The shop's panel clients by name, ``main`` first (when there is one)."""

    def __init__(self, clients: Mapping[str, PanelClient]) -> None:
        if not clients:
            raise ValueError("a shop needs at least one panel")
        ordered = sorted(clients.items(), key=lambda item: item[0] != MAIN_PANEL)
        self._clients: dict[str, PanelClient] = dict(ordered)

    @classmethod
    def of(cls, panels: Panels | PanelClient) -> Panels:
        """``panels`` itself, or a single client as the shop's only panel, ``main``."""
        return panels if isinstance(panels, Panels) else cls({MAIN_PANEL: panels})

    @property
    def names(self) -> tuple[str, ...]:
        """The panels' names, ``main`` first, then as configured."""
        return tuple(self._clients)

    @property
    def first(self) -> PanelClient:
        """The first panel's client (``main``'s)."""
        return next(iter(self._clients.values()))

    def client(self, name: str) -> PanelClient:
        """The client of panel ``name``; :class:`UnknownPanel` when there is none."""
        try:
            return self._clients[name]
        except KeyError:
            raise UnknownPanel(f"no panel named {name!r} is configured") from None

    def __contains__(self, name: object) -> bool:
        return name in self._clients

    def __iter__(self) -> Iterator[tuple[str, PanelClient]]:
        return iter(self._clients.items())

    def __len__(self) -> int:
        return len(self._clients)

    async def aclose(self) -> None:
        """Close every client (each, whatever happens to the others)."""
        results = await asyncio.gather(
            *(client.aclose() for client in self._clients.values()), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result
