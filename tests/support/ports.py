"""A loopback port for a server a test starts in another process."""

from __future__ import annotations

import random
import socket

#: Below Linux's ephemeral range (32768-60999 by default): the system never hands these
#: out as the local port of an outgoing connection, which could otherwise take a port
#: between the probe and the child's bind ("address already in use").
_LOWEST, _HIGHEST = 20_000, 32_767


def free_port() -> int:
    """A loopback port nothing listens on or connects from (until a test serves there)."""
    while True:
        port = random.randint(_LOWEST, _HIGHEST)  # noqa: S311 - not for security
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
