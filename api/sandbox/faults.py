"""Failures the sandbox panel can be told to simulate.

A :class:`Fault` describes one kind of misbehaviour seen from real panels and the proxies
in front of them; a :class:`FaultPlan` holds the faults armed on a panel and decides, for
each request, which of them fire.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TypedDict, Unpack


class FaultKind(enum.StrEnum):
    """What a fault does to the answer."""

    #: Wait ``seconds`` before answering (the request is applied straight away).
    LATENCY = "latency"
    #: HTTP 502 with an HTML page, as a CDN in front of a dead panel answers.
    HTML_502 = "html_502"
    #: No answer at all until the server shuts down.
    TIMEOUT = "timeout"
    #: HTTP 200 with ``{"error": message}``: a definite refusal.
    ERROR = "error"
    #: HTTP 200 with a body that is not JSON (a PHP warning, say).
    GARBAGE = "garbage"
    #: An arbitrary HTTP status with an arbitrary body.
    HTTP_STATUS = "http_status"


#: Kinds whose answer is lost or unreadable, so the request may have been applied first.
LOSSY_KINDS = frozenset(
    {FaultKind.HTML_502, FaultKind.TIMEOUT, FaultKind.GARBAGE, FaultKind.HTTP_STATUS}
)


class Firing(TypedDict, total=False):
    """When a fault fires; each option as :class:`Fault` describes it."""

    action: str | None
    ratio: float
    times: int | None
    skip: int


class LossyFiring(Firing, total=False):
    """When a fault that loses the answer fires, and whether the request is applied first."""

    after_apply: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Fault:
    """One simulated failure.

    ``action`` limits it to one API action (None: every action); ``ratio`` is the share of
    matching requests it hits, drawn from the panel's seeded generator; ``times`` is how
    many more times it may fire (None: no limit); ``skip`` is how many matching requests
    it lets through untouched before it starts firing ("the second status call fails").
    With ``after_apply`` the request is applied to the panel first and only the answer is
    lost: an order is placed and paid for although the caller never learns its id.
    """

    kind: FaultKind
    action: str | None = None
    ratio: float = 1.0
    times: int | None = None
    skip: int = 0
    after_apply: bool = False
    seconds: float = 0.0
    message: str = ""
    status: int = 200
    body: str | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.ratio <= 1.0:
            raise ValueError(f"ratio must be between 0 and 1, not {self.ratio}")
        if self.times is not None and self.times < 0:
            raise ValueError(f"times must not be negative, not {self.times}")
        if self.skip < 0:
            raise ValueError(f"skip must not be negative, not {self.skip}")
        if self.seconds < 0:
            raise ValueError(f"seconds must not be negative, not {self.seconds}")
        if self.after_apply and self.kind not in LOSSY_KINDS:
            # A latency still answers and an error answer says nothing was done.
            raise ValueError(f"after_apply makes no sense for a {self.kind} fault")
        if not 100 <= self.status <= 599:
            raise ValueError(f"not an HTTP status: {self.status}")

    @classmethod
    def latency(cls, seconds: float, **firing: Unpack[Firing]) -> Fault:
        """Answer ``seconds`` late; the request itself is applied on arrival."""
        return cls(kind=FaultKind.LATENCY, seconds=seconds, **firing)

    @classmethod
    def html_502(cls, **firing: Unpack[LossyFiring]) -> Fault:
        """Answer HTTP 502 with a CDN's HTML error page."""
        return cls(kind=FaultKind.HTML_502, status=502, **firing)

    @classmethod
    def timeout(cls, **firing: Unpack[LossyFiring]) -> Fault:
        """Never answer; the connection is held open until the server shuts down."""
        return cls(kind=FaultKind.TIMEOUT, **firing)

    @classmethod
    def error(cls, message: str, **firing: Unpack[Firing]) -> Fault:
        """Refuse with HTTP 200 ``{"error": message}`` without applying the request."""
        return cls(kind=FaultKind.ERROR, message=message, **firing)

    @classmethod
    def garbage(cls, body: str | None = None, **firing: Unpack[LossyFiring]) -> Fault:
        """Answer HTTP 200 with a body that is not JSON.

        Without ``body`` the answer is a PHP warning; after ``after_apply`` the real answer
        follows the warning, which is how a noisy PHP panel breaks its own JSON.
        """
        return cls(kind=FaultKind.GARBAGE, body=body, **firing)

    @classmethod
    def http_status(cls, status: int, body: str = "", **firing: Unpack[LossyFiring]) -> Fault:
        """Answer with HTTP ``status`` and ``body`` as they are."""
        return cls(kind=FaultKind.HTTP_STATUS, status=status, body=body, **firing)

    def matches(self, action: str) -> bool:
        """True when this fault applies to requests for ``action``."""
        return self.action is None or self.action == action


@dataclass(slots=True)
class _Armed:
    fault: Fault
    remaining: int | None = field(default=None)
    to_skip: int = 0


@dataclass(frozen=True, slots=True)
class Triggered:
    """The faults that fire for one request: summed latency and at most one failure."""

    delay: float = 0.0
    failure: Fault | None = None


class FaultPlan:
    """The faults armed on a panel, in the order they were added.

    Every matching latency fault adds its delay; of the other kinds only the first one that
    fires applies, so two failures never mix in one answer.
    """

    def __init__(self) -> None:
        self._armed: list[_Armed] = []

    def add(self, fault: Fault) -> Fault:
        """Arm ``fault``; it is returned so a test can keep a handle on it."""
        self._armed.append(_Armed(fault, fault.times, fault.skip))
        return fault

    def clear(self) -> None:
        """Disarm every fault."""
        self._armed.clear()

    def __iter__(self) -> Iterator[Fault]:
        return (armed.fault for armed in self._armed)

    def __len__(self) -> int:
        return len(self._armed)

    def draw(self, action: str, rng: random.Random) -> Triggered:
        """Decide which faults fire for one request for ``action``."""
        delay = 0.0
        failure: Fault | None = None
        for armed in self._armed:
            fault = armed.fault
            is_latency = fault.kind is FaultKind.LATENCY
            if not fault.matches(action) or (failure is not None and not is_latency):
                continue
            if armed.remaining == 0:
                continue
            if armed.to_skip > 0:
                armed.to_skip -= 1
                continue
            # A ratio of 1 draws nothing, so a plan of certain faults leaves the sequence of
            # random numbers (and so every other random choice of the panel) untouched.
            if fault.ratio < 1.0 and rng.random() >= fault.ratio:
                continue
            if armed.remaining is not None:
                armed.remaining -= 1
            if is_latency:
                delay += fault.seconds
            else:
                failure = fault
        self._armed = [armed for armed in self._armed if armed.remaining != 0]
        return Triggered(delay=delay, failure=failure)
