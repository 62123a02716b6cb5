"""How answers of real panels, in all their spellings, are read."""

from __future__ import annotations

from decimal import Decimal

import pytest

from api import responses
from api.errors import PanelBadResponse, PanelRefusal, PanelServerError
from api.models import ItemError, OrderStatus, OrderType, RefillStatus


def test_error_object_is_a_definite_refusal_with_the_panels_words() -> None:
    with pytest.raises(PanelRefusal) as caught:
        responses.decode("add", 200, b'{"error": "Not enough funds on balance"}')
    assert caught.value.message == "Not enough funds on balance"
    assert not caught.value.ambiguous


def test_http_4xx_with_an_error_body_is_a_refusal() -> None:
    with pytest.raises(PanelRefusal) as caught:
        responses.decode("add", 400, b'{"error": "Incorrect service ID"}')
    assert caught.value.http_status == 400


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (502, b"<html><head><title>502 Bad Gateway</title></head></html>"),
        (500, b'{"error": "Internal"}'),
        (403, b"<!DOCTYPE html><title>Just a moment...</title>"),
        (404, b""),
    ],
)
def test_5xx_and_4xx_without_an_error_are_ambiguous(status: int, body: bytes) -> None:
    with pytest.raises(PanelServerError) as caught:
        responses.decode("add", status, body)
    assert caught.value.ambiguous


@pytest.mark.parametrize("body", [b"<html>maintenance</html>", b"", b"Warning: mysql {", b"{"])
def test_unreadable_200_is_ambiguous(body: bytes) -> None:
    with pytest.raises(PanelBadResponse) as caught:
        responses.decode("add", 200, body)
    assert caught.value.ambiguous


def test_byte_order_mark_before_json_is_tolerated() -> None:
    assert responses.decode("add", 200, b'\xef\xbb\xbf{"order": 5}') == {"order": 5}


@pytest.mark.parametrize("value", [23501, "23501", 23501.0, " 23501 "])
def test_order_id_as_number_or_string(value: object) -> None:
    assert responses.parse_order_created({"order": value}) == 23501


def test_add_answer_without_an_order_id_is_ambiguous() -> None:
    with pytest.raises(PanelBadResponse):
        responses.parse_order_created({"status": "ok"})


@pytest.mark.parametrize("value", [0, "0", -5, "-23501", 0.0, None, True, ""])
def test_an_id_that_is_not_a_positive_whole_number_is_ambiguous(value: object) -> None:
    with pytest.raises(PanelBadResponse) as order:
        responses.parse_order_created({"order": value})
    assert order.value.ambiguous
    with pytest.raises(PanelBadResponse) as refill:
        responses.parse_refill_created({"refill": value})
    assert refill.value.ambiguous


def test_a_refill_id_inside_a_multi_answer_must_be_positive() -> None:
    refills = responses.parse_multi_refill(
        [{"order": 1, "refill": 0}, {"order": 2, "refill": "-7"}, {"order": 3, "refill": 8}],
        [1, 2, 3],
    )
    assert refills == {
        1: ItemError(error=responses.UNREADABLE_ITEM),
        2: ItemError(error=responses.UNREADABLE_ITEM),
        3: 8,
    }


def test_service_with_strings_numbers_and_unknown_type() -> None:
    [followers, custom] = responses.parse_services(
        [
            {
                "service": "1", "name": "Followers", "type": "Default", "category": "IG",
                "rate": "0.90", "min": "50", "max": 10000, "refill": True, "cancel": "1",
            },
            {
                "service": 2, "name": "Invites", "type": "Invites From Groups", "category": "TG",
                "rate": 1.25, "min": 10.0, "max": "1500", "refill": 0, "cancel": False,
            },
        ]
    )  # fmt: skip
    assert followers.id == 1
    assert followers.rate == Decimal("0.90")
    assert (followers.min, followers.max) == (50, 10000)
    assert followers.refill and followers.cancel
    assert followers.order_type is OrderType.DEFAULT
    assert custom.rate == Decimal("1.25")
    assert custom.type == "Invites From Groups"
    assert custom.order_type is None


def test_unreadable_service_is_skipped_not_fatal() -> None:
    services = responses.parse_services(
        [
            {"service": 1, "name": "A", "rate": "1", "min": 1, "max": 2},
            {"service": "x", "name": "B", "rate": "abc"},
        ]
    )
    assert [service.id for service in services] == [1]


def test_rate_is_never_a_binary_float() -> None:
    [service] = responses.parse_services(
        [{"service": 1, "name": "A", "rate": 0.1, "min": 1, "max": 2}]
    )
    assert service.rate == Decimal("0.1")


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("In progress", OrderStatus.IN_PROGRESS),
        ("In Progress", OrderStatus.IN_PROGRESS),
        ("in_progress", OrderStatus.IN_PROGRESS),
        ("Canceled", OrderStatus.CANCELED),
        ("Cancelled", OrderStatus.CANCELED),
        ("Partial", OrderStatus.PARTIAL),
        ("Processing", OrderStatus.PROCESSING),
        ("Refunded", OrderStatus.REFUNDED),
        ("Fail", OrderStatus.FAILED),
        ("Waiting for moon", OrderStatus.UNRECOGNISED),
    ],
)
def test_status_spellings_normalise_and_keep_the_raw_text(raw: str, status: OrderStatus) -> None:
    info = responses.parse_status({"status": raw, "charge": "0.27819", "remains": "157"})
    assert info.status is status
    assert info.status_raw == raw


def test_status_with_numbers_and_blanks() -> None:
    info = responses.parse_status(
        {"charge": 0.27819, "start_count": "", "status": "Partial", "remains": 157}
    )
    assert info.charge == Decimal("0.27819")
    assert info.start_count is None
    assert info.remains == 157
    assert info.status.is_final


def test_multi_status_keeps_per_item_errors_and_reports_missing_ids() -> None:
    result = responses.parse_multi_status(
        {
            "1": {"charge": "0.27819", "start_count": "3572", "status": "Partial",
                  "remains": "157", "currency": "USD"},
            "10": {"error": "Incorrect order ID"},
            "100": "garbage",
        },
        [1, 10, 100, 1000],
    )  # fmt: skip
    assert not isinstance(result[1], ItemError)
    assert result[1].start_count == 3572
    assert result[10] == ItemError(error="Incorrect order ID")
    assert result[100] == ItemError(error=responses.UNREADABLE_ITEM)
    assert result[1000] == ItemError(error=responses.MISSING_ITEM)


def test_multi_refill_and_refill_status_and_cancel_shapes() -> None:
    refills = responses.parse_multi_refill(
        [{"order": 1, "refill": 1}, {"order": "2", "refill": "2"},
         {"order": 3, "refill": {"error": "Incorrect order ID"}}],
        [1, 2, 3],
    )  # fmt: skip
    assert refills == {1: 1, 2: 2, 3: ItemError(error="Incorrect order ID")}
    statuses = responses.parse_multi_refill_status(
        [{"refill": 1, "status": "Completed"}, {"refill": 2, "status": "Rejected"},
         {"refill": 3, "status": {"error": "Refill not found"}}],
        [1, 2, 3],
    )  # fmt: skip
    first, second = statuses[1], statuses[2]
    assert not isinstance(first, ItemError)
    assert first.status is RefillStatus.COMPLETED
    assert not isinstance(second, ItemError)
    assert second.status is RefillStatus.REJECTED
    assert statuses[3] == ItemError(error="Refill not found")
    cancels = responses.parse_cancel(
        [{"order": 9, "cancel": {"error": "Incorrect order ID"}}, {"order": 2, "cancel": 1},
         {"order": 4, "cancel": 0}],
        [2, 4, 9],
    )  # fmt: skip
    assert cancels[2] is True
    assert cancels[4] == ItemError(error=responses.UNREADABLE_ITEM)
    assert cancels[9] == ItemError(error="Incorrect order ID")


def test_balance_as_string_or_number() -> None:
    assert responses.parse_balance({"balance": "100.84292", "currency": "USD"}).balance == (
        Decimal("100.84292")
    )
    assert responses.parse_balance({"balance": 7, "currency": "EUR"}).balance == Decimal(7)
    with pytest.raises(PanelBadResponse):
        responses.parse_balance({"currency": "USD"})
