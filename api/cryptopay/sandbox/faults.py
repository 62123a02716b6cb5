"""Failures the Crypto Pay sandbox can be told to simulate, call by call."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Outage(enum.StrEnum):
    """How a call fails while the API is "down"."""

    #: The connection is closed without an answer.
    DISCONNECT = "disconnect"
    #: HTTP 500 with ``{"ok": false, "error": {"code": 500, "name": "INTERNAL_ERROR"}}``.
    HTTP_500 = "http_500"
    #: HTTP 502 with a proxy's HTML page.
    HTTP_502 = "http_502"
    #: HTTP 200 with a body that is not JSON.
    GARBAGE = "garbage"


@dataclass(slots=True, kw_only=True)
class Fault:
    """A failure or a delay for the next ``calls`` matching calls.

    ``method`` limits it to one API method (None: every method). An ``outage`` with
    ``applied`` lets the request take effect and loses only the answer, as when an invoice
    is created but the connection drops before its id arrives. ``delay`` seconds are waited
    before answering.
    """

    calls: int
    method: str | None = None
    outage: Outage | None = None
    applied: bool = False
    delay: float = 0.0

    def matches(self, method: str) -> bool:
        """True when this fault applies to a call of ``method`` and has calls left."""
        return self.calls > 0 and (self.method is None or self.method == method)
