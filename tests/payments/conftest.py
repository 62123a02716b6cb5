"""The conversation fixtures: the real Dispatcher, a recording session, a sandbox panel."""

from ..conversation.conftest import (
    alice,
    bot,
    clock,
    dispatcher,
    make_client,
    panel,
    services,
    session,
    settings_overrides,
)

__all__ = [
    "alice",
    "bot",
    "clock",
    "dispatcher",
    "make_client",
    "panel",
    "services",
    "session",
    "settings_overrides",
]
