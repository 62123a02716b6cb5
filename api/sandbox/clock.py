"""Time sources for the sandbox panel.

The panel never runs background tasks: every order moves along its lifecycle when the
panel is asked something, by comparing the clock with the order's schedule. Tests drive a
:class:`ManualClock` by hand; a person trying the bot uses a :class:`RealClock`, possibly
sped up so that an order completes in seconds rather than minutes.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the time as Unix seconds."""

    def now(self) -> float:
        """The current time, in seconds since the Unix epoch."""
        ...


class ManualClock:
    """A clock that moves only when told to, so lifecycles are exact in tests."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self._now = float(start)

    def now(self) -> float:
        """The time reached by the last :meth:`advance`."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward; a panel never sees time run backwards."""
        if seconds < 0:
            raise ValueError(f"a clock cannot go back ({seconds} s)")
        self._now += seconds


class RealClock:
    """Wall time, running ``speed`` times faster than real time from the clock's creation."""

    def __init__(self, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be positive, not {speed}")
        self.speed = speed
        self._wall_start = time.time()
        # Measured on the monotonic clock so that a wall-clock jump cannot reorder events.
        self._monotonic_start = time.monotonic()

    def now(self) -> float:
        """The wall time at creation plus the scaled time elapsed since."""
        return self._wall_start + (time.monotonic() - self._monotonic_start) * self.speed
