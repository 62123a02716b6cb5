"""Conversations as a customer has them: the shared fixtures (``tests/conftest.py``) give
the real Dispatcher, a recording Telegram session, a sandbox panel over loopback HTTP and a
real SQLite file; ``alice`` is the customer."""

from __future__ import annotations

from ..support.shop import top_up

__all__ = ["top_up"]
