"""Faults: each kind, aimed by action, ratio and count, and lost answers after applying."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest
from aiohttp.test_utils import TestServer

from api.sandbox import Fault, FaultKind, FaultPlan, ManualClock, SandboxPanel

from .sandbox_http import KEY, SandboxAPI

ADD = {"service": "101", "link": "https://instagram.com/p/abc", "quantity": "1000"}


async def test_latency_delays_the_answer(api: SandboxAPI, panel: SandboxPanel) -> None:
    panel.faults.add(Fault.latency(0.05, action="balance"))
    started = time.perf_counter()
    assert (await api.call("balance"))["balance"] == "100.00000"
    assert time.perf_counter() - started >= 0.05


async def test_html_502(api: SandboxAPI, panel: SandboxPanel) -> None:
    panel.faults.add(Fault.html_502(action="balance", times=1))
    answer = await api.send("balance")
    assert answer.status == 502
    assert answer.content_type == "text/html"
    assert "502: Bad gateway" in answer.text
    assert "Cloudflare Ray ID" in answer.text
    with pytest.raises(json.JSONDecodeError):
        answer.json()
    # Fired once; both requests are on record.
    assert (await api.call("balance"))["currency"] == "USD"
    assert [request.action for request in panel.requests] == ["balance", "balance"]


async def test_html_502_before_apply_places_nothing(api: SandboxAPI, panel: SandboxPanel) -> None:
    panel.faults.add(Fault.html_502(action="add"))
    assert (await api.send("add", ADD)).status == 502
    assert panel.orders == {}
    assert panel.balance_of(KEY) == Decimal(100)
    assert panel.requests[0].fields == ADD


async def test_html_502_after_apply_places_the_order(api: SandboxAPI, panel: SandboxPanel) -> None:
    panel.faults.add(Fault.html_502(action="add", after_apply=True, times=1))
    assert (await api.send("add", ADD)).status == 502
    assert panel.orders[23501].link == ADD["link"]
    assert panel.balance_of(KEY) == Decimal("99.10")
    # The next attempt meets the order the caller never heard of.
    assert await api.error_of("add", **ADD) == (
        "You have active order with this link. Please wait until order being completed."
    )


async def test_timeout_after_apply(
    api: SandboxAPI, panel: SandboxPanel, panel_server: TestServer
) -> None:
    panel.faults.add(Fault.timeout(action="add", after_apply=True, times=1))
    with pytest.raises(TimeoutError):
        await api.send("add", ADD, timeout=0.2)
    assert panel.orders[23501].charged == Decimal("0.9")
    assert panel.balance_of(KEY) == Decimal("99.10")
    assert (await api.call("balance"))["balance"] == "99.10000"
    # The held request must not keep the server from stopping.
    started = time.perf_counter()
    await panel_server.close()
    assert time.perf_counter() - started < 2


async def test_timeout_before_apply(api: SandboxAPI, panel: SandboxPanel) -> None:
    panel.faults.add(Fault.timeout(action="add"))
    with pytest.raises(TimeoutError):
        await api.send("add", ADD, timeout=0.2)
    assert panel.orders == {}
    assert panel.balance_of(KEY) == Decimal(100)


async def test_error_fault(api: SandboxAPI, panel: SandboxPanel) -> None:
    panel.faults.add(Fault.error("Invalid API key", action="balance"))
    assert await api.error_of("balance") == "Invalid API key"
    assert await api.error_of("balance") == "Invalid API key"
    assert await api.order(**ADD) == 23501


async def test_garbage(api: SandboxAPI, panel: SandboxPanel) -> None:
    panel.faults.add(Fault.garbage(action="balance", times=1))
    answer = await api.send("balance")
    assert answer.status == 200
    assert "<b>Warning</b>" in answer.text
    with pytest.raises(json.JSONDecodeError):
        answer.json()
    assert (await api.call("balance"))["balance"] == "100.00000"


async def test_garbage_after_apply_carries_the_answer_behind_a_warning(
    api: SandboxAPI, panel: SandboxPanel
) -> None:
    panel.faults.add(Fault.garbage(action="add", after_apply=True))
    answer = await api.send("add", ADD)
    assert answer.status == 200
    assert answer.text.startswith("<br />")
    assert answer.text.endswith('{"order":23501}')
    assert panel.balance_of(KEY) == Decimal("99.10")


async def test_garbage_with_a_given_body(api: SandboxAPI, panel: SandboxPanel) -> None:
    panel.faults.add(Fault.garbage('{"order": 235', action="add"))
    assert (await api.send("add", ADD)).text == '{"order": 235'
    assert panel.orders == {}


async def test_http_status(api: SandboxAPI, panel: SandboxPanel) -> None:
    panel.faults.add(Fault.http_status(500, body='{"error":"x"}', times=1))
    answer = await api.send("status", {"order": "1"})
    assert (answer.status, answer.content_type) == (500, "application/json")
    assert answer.json() == {"error": "x"}
    panel.faults.add(Fault.http_status(403, body="<html>Forbidden</html>", after_apply=True))
    forbidden = await api.send("add", ADD)
    assert (forbidden.status, forbidden.content_type) == (403, "text/html")
    assert 23501 in panel.orders
    panel.faults.clear()
    panel.faults.add(Fault.http_status(429))
    limited = await api.send("balance")
    assert (limited.status, limited.text, limited.content_type) == (429, "", "text/plain")


def _hits(seed: int, ratio: float, requests: int = 400) -> list[int]:
    panel = SandboxPanel(clock=ManualClock(), seed=seed)
    panel.add_account("k")
    panel.faults.add(Fault.html_502(ratio=ratio))
    return [
        index
        for index in range(requests)
        if panel.handle({"key": "k", "action": "balance"}).status == 502
    ]


def test_ratio_hits_a_repeatable_share() -> None:
    hits = _hits(seed=5, ratio=0.25)
    assert 70 <= len(hits) <= 130
    assert hits == _hits(seed=5, ratio=0.25)
    assert hits != _hits(seed=6, ratio=0.25)
    assert _hits(seed=5, ratio=0.0) == []
    assert len(_hits(seed=5, ratio=1.0)) == 400


def test_plan_order_times_and_actions() -> None:
    panel = SandboxPanel(clock=ManualClock())
    panel.add_account("k")
    plan = panel.faults
    plan.add(Fault.latency(0.5, action="balance", times=2))
    plan.add(Fault.latency(0.25))
    plan.add(Fault.http_status(503, action="balance", times=1))
    plan.add(Fault.html_502(action="balance"))
    first = panel.handle({"key": "k", "action": "balance"})
    assert (first.status, first.delay) == (503, 0.75)
    second = panel.handle({"key": "k", "action": "balance"})
    assert (second.status, second.delay) == (502, 0.75)
    third = panel.handle({"key": "k", "action": "balance"})
    assert (third.status, third.delay) == (502, 0.25)
    other = panel.handle({"key": "k", "action": "services"})
    assert (other.status, other.delay) == (200, 0.25)
    assert len(plan) == 2
    plan.clear()
    assert panel.handle({"key": "k", "action": "balance"}).status == 200


def test_skip_lets_the_first_matching_requests_through() -> None:
    panel = SandboxPanel(clock=ManualClock())
    panel.add_account("k")
    panel.faults.add(Fault.html_502(action="balance", skip=1, times=1))
    statuses = [
        panel.handle({"key": "k", "action": action}).status
        for action in ("services", "balance", "services", "balance", "balance")
    ]
    assert statuses == [200, 200, 200, 502, 200]
    assert len(panel.faults) == 0


def test_timeout_reply_hangs_without_http() -> None:
    panel = SandboxPanel(clock=ManualClock())
    panel.faults.add(Fault.timeout())
    assert panel.handle({"action": "balance"}).hang


def test_fault_validation() -> None:
    with pytest.raises(ValueError, match="ratio"):
        Fault.html_502(ratio=1.5)
    with pytest.raises(ValueError, match="times"):
        Fault.timeout(times=-1)
    with pytest.raises(ValueError, match="skip"):
        Fault.error("x", skip=-1)
    with pytest.raises(ValueError, match="after_apply"):
        Fault(kind=FaultKind.ERROR, message="x", after_apply=True)
    with pytest.raises(ValueError, match="HTTP status"):
        Fault.http_status(42)
    with pytest.raises(ValueError, match="negative"):
        Fault.latency(-1)
    assert Fault.error("Invalid API key", action="balance").message == "Invalid API key"
    assert len(FaultPlan()) == 0
