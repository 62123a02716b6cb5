"""Telegram's sending limits, as the Bot API double enforces them: a message over the global
rate, too soon after the previous one to the same chat, or over a group's per-minute
allowance is refused with ``429 Too Many Requests`` and a ``retry_after``."""

from __future__ import annotations

import collections
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RateLimits:
    """Telegram's sending limits.

    Real values by default; tests and benchmarks scale them (e.g. ``RateLimits.scaled(10)``
    allows ten times the rate in the same windows, so a run is ten times shorter).
    """

    #: Messages in any ``window_seconds`` across all chats.
    per_window: int = 30
    window_seconds: float = 1.0
    #: Least time between two messages to one chat.
    chat_interval_seconds: float = 1.0
    #: Messages to one group (chat id below zero) in any ``group_window_seconds``.
    group_per_window: int = 20
    group_window_seconds: float = 60.0

    @classmethod
    def scaled(cls, factor: float) -> RateLimits:
        """The real limits run ``factor`` times faster: ``factor`` times the global and
        group allowances, chat intervals ``factor`` times shorter."""
        return cls(
            per_window=round(30 * factor),
            chat_interval_seconds=1.0 / factor,
            group_per_window=round(20 * factor),
        )


@dataclass
class SendingWindows:
    """The messages accepted lately, measured against ``limits``."""

    limits: RateLimits
    _recent: collections.deque[float] = field(default_factory=collections.deque)
    _chat_last: dict[int, float] = field(default_factory=dict)
    _group_recent: dict[int, collections.deque[float]] = field(default_factory=dict)

    def over_limit(self, chat_id: int, now: float) -> tuple[str, float] | None:
        """The limit a message to ``chat_id`` arriving ``now`` breaks, and the seconds until
        it would not; None when it may go."""
        limits = self.limits
        while self._recent and self._recent[0] <= now - limits.window_seconds:
            self._recent.popleft()
        if len(self._recent) >= limits.per_window:
            return "global", self._recent[0] + limits.window_seconds - now
        last = self._chat_last.get(chat_id)
        if last is not None and now - last < limits.chat_interval_seconds:
            return "chat", last + limits.chat_interval_seconds - now
        if chat_id < 0:
            window = self._group_recent.setdefault(chat_id, collections.deque())
            while window and window[0] <= now - limits.group_window_seconds:
                window.popleft()
            if len(window) >= limits.group_per_window:
                return "group", window[0] + limits.group_window_seconds - now
        return None

    def accept(self, chat_id: int, now: float) -> None:
        """A message to ``chat_id`` went at ``now``."""
        self._recent.append(now)
        self._chat_last[chat_id] = now
        if chat_id < 0:
            self._group_recent.setdefault(chat_id, collections.deque()).append(now)
