"""What handlers may ask of the running bot besides the shop's services: deliver the
outbox now, run a job in the background. The composition root provides it."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, Protocol


class Background(Protocol):
    """The running bot's background work, as handlers see it."""

    def wake_notifier(self) -> None:
        """Something was queued for sending: deliver it now rather than at the next tick."""
        ...

    def spawn(self, job: Coroutine[Any, Any, None], name: str) -> None:
        """Run ``job`` in the background until it ends or the bot stops."""
        ...
