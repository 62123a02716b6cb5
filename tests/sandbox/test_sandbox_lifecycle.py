"""Orders on the clock: pending, in progress, and how they end; refunds paid once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from api.models import OrderStatus
from api.sandbox import ManualClock, SandboxPanel

from .sandbox_http import KEY, SandboxAPI

LINK = "https://instagram.com/p/abc"


async def _place(api: SandboxAPI, link: str = LINK, quantity: int = 900) -> int:
    # Service 101: rate 0.90, so 900 units cost 0.81.
    return await api.order(service="101", link=link, quantity=str(quantity))


async def test_pending_then_in_progress_then_completed(
    api: SandboxAPI, clock: ManualClock, panel: SandboxPanel
) -> None:
    order_id = await _place(api)
    status = await api.call("status", order=str(order_id))
    assert status == {
        "charge": "0.81000",
        "start_count": "0",
        "status": "Pending",
        "remains": "900",
        "currency": "USD",
    }
    clock.advance(59.9)
    assert (await api.call("status", order=str(order_id)))["status"] == "Pending"
    clock.advance(0.1)
    started = await api.call("status", order=str(order_id))
    assert started["status"] == "In progress"
    assert started["remains"] == "900"
    start_count = started["start_count"]
    assert int(start_count) > 0
    clock.advance(100)
    third = await api.call("status", order=str(order_id))
    assert third["remains"] == "600"
    assert third["start_count"] == start_count
    clock.advance(200)
    done = await api.call("status", order=str(order_id))
    assert done == {
        "charge": "0.81000",
        "start_count": start_count,
        "status": "Completed",
        "remains": "0",
        "currency": "USD",
    }
    assert panel.balance_of(KEY) == Decimal("99.19")


async def test_start_count_depends_on_the_link_only(api: SandboxAPI, clock: ManualClock) -> None:
    first = await _place(api)
    second = await api.order(service="102", link=LINK, quantity="100")
    clock.advance(61)
    answers = await api.call("status", orders=f"{first},{second}")
    assert answers[str(first)]["start_count"] == answers[str(second)]["start_count"]


async def test_partial_refunds_the_remains_once(
    api: SandboxAPI, clock: ManualClock, panel: SandboxPanel
) -> None:
    order_id = await _place(api, LINK + "?sandbox=partial")
    assert panel.balance_of(KEY) == Decimal("99.19")
    clock.advance(60 + 150)
    halfway = await api.call("status", order=str(order_id))
    assert halfway["status"] == "In progress"
    assert halfway["remains"] == "600"  # half of the 600 to deliver
    clock.advance(150)
    for _ in range(10):
        status = await api.call("status", order=str(order_id))
        assert status["status"] == "Partial"
        assert status["remains"] == "300"
        # Shown charge: the delivered two thirds of 0.81.
        assert status["charge"] == "0.54000"
    assert panel.balance_of(KEY) == Decimal("99.46")
    order = panel.orders[order_id]
    assert (order.charged, order.refunded, order.charge) == (
        Decimal("0.81"),
        Decimal("0.27"),
        Decimal("0.54"),
    )
    assert await api.call("balance") == {"balance": "99.46000", "currency": "USD"}


async def test_panel_cancel_refunds_everything_once(
    api: SandboxAPI, clock: ManualClock, panel: SandboxPanel
) -> None:
    order_id = await _place(api, LINK + "&sandbox=cancel")
    clock.advance(59)
    assert (await api.call("status", order=str(order_id)))["status"] == "Pending"
    clock.advance(1)
    for _ in range(10):
        assert await api.call("status", order=str(order_id)) == {
            "charge": "0.00000",
            "start_count": "0",
            "status": "Canceled",
            "remains": "900",
            "currency": "USD",
        }
        clock.advance(1000)
    assert panel.balance_of(KEY) == Decimal(100)


async def test_refund_happens_even_if_nobody_asks_for_the_status(
    api: SandboxAPI, clock: ManualClock
) -> None:
    await _place(api, LINK + "?sandbox=cancel")
    clock.advance(3600)
    assert await api.call("balance") == {"balance": "100.00000", "currency": "USD"}


async def test_multi_status_mixes_answers_and_errors(
    api: SandboxAPI, clock: ManualClock, panel: SandboxPanel
) -> None:
    first = await _place(api)
    second = await _place(api, LINK + "/2")
    panel.add_account("someone-else")
    foreign = panel.respond(
        "someone-else", "add", {"service": "101", "link": LINK, "quantity": "100"}
    )
    assert foreign == {"order": 23503}
    clock.advance(60)
    answer = await api.call("status", orders=f"{first}, {second},23503,10,abc,")
    assert list(answer) == [str(first), str(second), "23503", "10", "abc"]
    assert answer[str(first)]["status"] == "In progress"
    assert answer[str(second)]["remains"] == "900"
    for missing in ("23503", "10", "abc"):
        assert answer[missing] == {"error": "Incorrect order ID"}


async def test_status_id_limits(api: SandboxAPI) -> None:
    assert await api.error_of("status", order="23501") == "Incorrect order ID"
    assert await api.error_of("status", order="x") == "Incorrect order ID"
    assert await api.error_of("status") == "Incorrect request"
    hundred = ",".join(str(23501 + i) for i in range(100))
    answer = await api.call("status", orders=hundred)
    assert len(answer) == 100
    assert await api.error_of("status", orders=hundred + ",1") == "Incorrect request"


def test_outcome_mix_is_drawn_from_the_seed() -> None:
    def outcomes(seed: int) -> list[OrderStatus]:
        clock = ManualClock()
        panel = SandboxPanel(clock=clock, seed=seed)
        panel.add_account("k", Decimal(10_000))
        panel.outcome_mix = {"completed": 0.6, "partial": 0.2, "canceled": 0.2}
        for i in range(200):
            form = {"service": "101", "link": f"https://x/{i}", "quantity": "300"}
            assert panel.respond("k", "add", form) == {"order": 23501 + i}
        clock.advance(1000)
        panel.tick()
        return [order.status for order in panel.orders.values()]

    first = outcomes(1)
    assert first == outcomes(1)
    assert first != outcomes(2)
    counts = {status: first.count(status) for status in set(first)}
    assert set(counts) == {OrderStatus.COMPLETED, OrderStatus.PARTIAL, OrderStatus.CANCELED}
    assert 90 <= counts[OrderStatus.COMPLETED] <= 150


async def test_force_outcome(api: SandboxAPI, clock: ManualClock, panel: SandboxPanel) -> None:
    partial = await _place(api, LINK + "/p")
    canceled = await _place(api, LINK + "/c")
    completed = await _place(api, LINK + "/x?sandbox=partial")
    panel.force_outcome(partial, "partial", remains=100)
    panel.force_outcome(canceled, "canceled")
    panel.force_outcome(completed, "completed")
    with pytest.raises(ValueError, match="between 1 and 899"):
        panel.force_outcome(partial, "partial", remains=900)
    with pytest.raises(ValueError, match="partial"):
        panel.force_outcome(partial, "completed", remains=5)
    clock.advance(360)
    answer = await api.call("status", orders=f"{partial},{canceled},{completed}")
    assert answer[str(partial)]["status"] == "Partial"
    assert answer[str(partial)]["remains"] == "100"
    assert answer[str(partial)]["charge"] == "0.72000"
    assert answer[str(canceled)]["status"] == "Canceled"
    assert answer[str(completed)]["status"] == "Completed"
    assert panel.balance_of(KEY) == Decimal(100) - Decimal("0.72") - Decimal("0.81")
    with pytest.raises(ValueError, match="already ended"):
        panel.force_outcome(partial, "canceled")


async def test_status_answers_can_be_overridden_field_by_field(
    api: SandboxAPI, clock: ManualClock, panel: SandboxPanel
) -> None:
    odd = await _place(api, LINK + "/odd")
    plain = await _place(api, LINK + "/plain")
    panel.override_status(odd, status="Partial", remains=None, charge="-1")
    clock.advance(360)
    answer = await api.call("status", orders=f"{odd},{plain}")
    assert sorted(answer[str(odd)]) == ["charge", "currency", "start_count", "status"]
    assert (answer[str(odd)]["status"], answer[str(odd)]["charge"]) == ("Partial", "-1")
    assert answer[str(plain)]["status"] == "Completed"
    # The order itself ended as usual, and answers as it is once the override is gone.
    panel.override_status(odd)
    assert (await api.call("status", order=str(odd)))["status"] == "Completed"
    assert panel.balance_of(KEY) == Decimal(100) - 2 * Decimal("0.81")


async def test_forced_cancel_of_a_running_order_ends_it_canceled(
    api: SandboxAPI, clock: ManualClock, panel: SandboxPanel
) -> None:
    order_id = await _place(api)
    clock.advance(120)
    panel.force_outcome(order_id, "canceled")
    assert (await api.call("status", order=str(order_id)))["remains"] == "900"
    clock.advance(300)
    assert (await api.call("status", order=str(order_id)))["status"] == "Canceled"
    assert panel.balance_of(KEY) == Decimal(100)


async def test_schedule_is_configurable(
    api: SandboxAPI, clock: ManualClock, panel: SandboxPanel
) -> None:
    panel.pending_seconds = 5
    panel.progress_seconds = 10
    order_id = await _place(api)
    clock.advance(5)
    assert (await api.call("status", order=str(order_id)))["status"] == "In progress"
    clock.advance(10)
    assert (await api.call("status", order=str(order_id)))["status"] == "Completed"


async def test_alternate_spellings(
    api: SandboxAPI, clock: ManualClock, panel: SandboxPanel
) -> None:
    panel.alternate_spellings = True
    running = await _place(api)
    canceled = await _place(api, LINK + "?sandbox=cancel")
    clock.advance(60)
    answer = await api.call("status", orders=f"{running},{canceled}")
    assert answer[str(running)]["status"] == "In Progress"
    assert answer[str(canceled)]["status"] == "Cancelled"


async def test_numbers_as_json_numbers(
    api: SandboxAPI, clock: ManualClock, panel: SandboxPanel
) -> None:
    panel.numbers_as_json_numbers = True
    order_id = await _place(api)
    clock.advance(400)
    status = await api.send("status", {"order": str(order_id)})
    assert '"charge":0.81000' in status.text
    assert status.json()["remains"] == 0
    assert isinstance(status.json()["start_count"], int)
    balance = await api.send("balance")
    assert balance.text == '{"balance":99.19000,"currency":"USD"}'
    assert await api.call("refill", order=str(order_id)) == {"refill": 1}


async def test_strings_are_the_default_form(api: SandboxAPI, clock: ManualClock) -> None:
    order_id = await _place(api)
    clock.advance(400)
    assert await api.call("refill", order=str(order_id)) == {"refill": "1"}
    status = await api.call("status", order=str(order_id))
    assert all(isinstance(value, str) for value in status.values())
