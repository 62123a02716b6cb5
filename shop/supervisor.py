"""Keeping the bot's background loops alive.

Every loop of the bot (catalogue sync, tracking, delivery of the outbox, housekeeping) is a
series of turns run by :func:`keep_running`. A turn that raises, for a reason foreseen or
not, is logged and followed by a growing wait; no error of a turn ends the loop. Only
cancellation, at shutdown, does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import NoReturn, TypedDict, Unpack

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Backoff:
    """The waits after failures in a row: ``first``, then twice as long each time, never
    more than ``most`` seconds."""

    first: float
    most: float

    def after(self, failures: int) -> float:
        """The wait after the ``failures``-th failure in a row (counted from 1)."""
        return min(self.most, self.first * 2.0 ** min(max(failures, 1) - 1, 32))


class LoopOptions(TypedDict, total=False):
    """How a loop of :func:`keep_running` takes failures, wakes and logs (all optional)."""

    #: Errors foreseen: a warning line, no traceback.
    expected: tuple[type[Exception], ...]
    #: Hears of each failure with its number in a row.
    on_failure: Callable[[int, Exception], Awaitable[None]]
    #: Set to cut short the wait after a turn that went well.
    wake: asyncio.Event
    #: Where the lines go: the loop's own module's logger, say.
    log: logging.Logger


async def keep_running(
    name: str,
    turn: Callable[[], Awaitable[float]],
    backoff: Backoff,
    **options: Unpack[LoopOptions],
) -> NoReturn:
    """Run ``turn`` again and again until cancelled; each turn returns the seconds to wait
    before the next one.

    A turn that raises is followed by the wait ``backoff`` gives for the failures in a row,
    and logged in one line: a warning for an ``expected`` error, else an error whose
    traceback is written for the first failure in a row only (the next ones would repeat
    it). ``on_failure`` hears of each failure with its number in a row (to alert after a
    few, say); if it fails in turn, that is logged and changes nothing. Setting ``wake``
    cuts short the wait after a turn that went well (never the wait after a failure).
    Lines go to ``log``: the loop's own module's logger, say.
    """
    expected = options.get("expected", ())
    on_failure = options.get("on_failure")
    wake = options.get("wake")
    log = options.get("log", logger)
    failures = 0
    while True:
        if wake is not None:
            wake.clear()
        try:
            wait = await turn()
        except Exception as exc:
            failures += 1
            wait = backoff.after(failures)
            _log_failure(log, name, exc, failures=failures, wait=wait, expected=expected)
            if on_failure is not None:
                await _tell(log, name, on_failure, failures, exc)
            await asyncio.sleep(wait)
            continue
        if failures:
            log.info("%s works again after %d failures in a row", name, failures)
            failures = 0
        if wake is None or wait <= 0:
            # Even a turn that asks for no wait lets the other tasks run before the next.
            await asyncio.sleep(max(wait, 0.0))
        else:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), wait)


def _log_failure(
    log: logging.Logger,
    name: str,
    exc: Exception,
    *,
    failures: int,
    wait: float,
    expected: tuple[type[Exception], ...],
) -> None:
    if isinstance(exc, expected):
        log.warning("%s failed (%d in a row): %s; trying again in %g s", name, failures, exc, wait)
        return
    log.error(
        "%s failed (%d in a row): %s: %s; trying again in %g s",
        name,
        failures,
        type(exc).__name__,
        exc,
        wait,
        exc_info=exc if failures == 1 else None,
    )


async def _tell(
    log: logging.Logger,
    name: str,
    on_failure: Callable[[int, Exception], Awaitable[None]],
    failures: int,
    exc: Exception,
) -> None:
    try:
        await on_failure(failures, exc)
    except Exception:
        log.exception("%s: reporting its failure failed", name)
