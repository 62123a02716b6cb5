"""The catalogues: the spec's shape, every order type, numbers in both forms."""

from __future__ import annotations

from decimal import Decimal

import pytest

from api.models import OrderType, Service
from api.sandbox import SandboxPanel, builtin_catalogue, generated_catalogue

from .sandbox_http import SandboxAPI

SPEC_KEYS = {"service", "name", "type", "category", "rate", "min", "max", "refill", "cancel"}
#: What panels add beyond the spec, on some services only.
EXTRA_KEYS = {"desc", "description", "average_time"}


def test_builtin_rows_have_the_spec_shape() -> None:
    rows = builtin_catalogue()
    assert 25 <= len(rows) <= 40
    for row in rows:
        assert SPEC_KEYS | {"dripfeed"} <= set(row) <= SPEC_KEYS | {"dripfeed"} | EXTRA_KEYS
        assert isinstance(row["service"], int)
        assert isinstance(row["name"], str)
        assert isinstance(row["category"], str)
        for flag in ("refill", "cancel", "dripfeed"):
            assert isinstance(row[flag], bool)
        service = Service.model_validate(row)
        assert service.min <= service.max
        assert service.rate > 0
    assert len({row["service"] for row in rows}) == len(rows)


def test_builtin_describes_some_services_in_both_spellings_and_not_others() -> None:
    rows = builtin_catalogue()
    described = [row for row in rows if {"desc", "description"} & set(row)]
    timed = [row for row in rows if "average_time" in row]
    assert any("desc" in row for row in described)
    assert any("description" in row for row in described)
    assert {type(row["average_time"]) for row in timed} == {str, int}
    assert len(described) < len(rows) // 2
    assert all(Service.model_validate(row).description for row in described)


def test_builtin_covers_every_order_type_and_many_categories() -> None:
    rows = builtin_catalogue()
    assert {row["type"] for row in rows} == {order_type.value for order_type in OrderType}
    categories = {row["category"] for row in rows}
    for expected in (
        "Instagram Followers",
        "Instagram Likes",
        "Instagram Comments",
        "TikTok Views",
        "TikTok Followers",
        "Telegram Members",
        "Telegram Post Views",
        "Telegram Poll Votes",
        "YouTube Views",
        "YouTube Subscriptions",
    ):
        assert expected in categories


def test_builtin_mixes_flags_and_number_forms() -> None:
    rows = builtin_catalogue()
    assert {row["refill"] for row in rows} == {True, False}
    assert {row["cancel"] for row in rows} == {True, False}
    assert any(isinstance(row["min"], int) for row in rows)
    assert any(isinstance(row["min"], str) for row in rows)
    assert any(not isinstance(row["rate"], str) for row in rows)
    string_rates = [row["rate"] for row in rows if isinstance(row["rate"], str)]
    decimals = {len(rate.partition(".")[2]) for rate in string_rates}
    assert {2, 4, 5} <= decimals
    assert max(decimals) <= 5


def test_builtin_returns_a_fresh_copy() -> None:
    rows = builtin_catalogue()
    rows[0]["name"] = "changed"
    assert builtin_catalogue()[0]["name"] != "changed"


def test_generated_catalogue_is_large_repeatable_and_complete() -> None:
    rows = generated_catalogue(10_000, seed=3)
    assert len(rows) == 10_000
    assert rows == generated_catalogue(10_000, seed=3)
    assert rows != generated_catalogue(10_000, seed=4)
    assert {row["type"] for row in rows} == {order_type.value for order_type in OrderType}
    assert len({row["category"] for row in rows}) == 40
    assert len({row["service"] for row in rows}) == 10_000
    for row in rows[:200]:
        assert SPEC_KEYS | {"dripfeed"} <= set(row) <= SPEC_KEYS | {"dripfeed"} | EXTRA_KEYS
        service = Service.model_validate(row)
        assert Decimal(0) < service.rate
        assert service.min <= service.max


def test_generated_catalogue_small_sizes() -> None:
    assert generated_catalogue(0) == []
    assert {row["type"] for row in generated_catalogue(10)} == set(OrderType)
    with pytest.raises(ValueError, match="negative"):
        generated_catalogue(-1)


async def test_services_answer_is_the_catalogue(api: SandboxAPI) -> None:
    assert await api.call("services") == builtin_catalogue()


async def test_disabled_service_is_hidden_and_refused(
    api: SandboxAPI, panel: SandboxPanel
) -> None:
    panel.disable_service(101)
    listed = await api.call("services")
    assert 101 not in {row["service"] for row in listed}
    error = await api.error_of(
        "add", service="101", link="https://instagram.com/a", quantity="100"
    )
    assert error == "Incorrect service ID"
    panel.enable_service(101)
    assert await api.order(service="101", link="https://instagram.com/a", quantity="100")


async def test_custom_catalogue_is_served_as_given(api: SandboxAPI, panel: SandboxPanel) -> None:
    rows = generated_catalogue(50, seed=1)
    panel.set_services(rows)
    assert await api.call("services") == rows
    # The panel keeps its own copy.
    expected = generated_catalogue(50, seed=1)
    rows[0]["name"] = "edited afterwards"
    assert await api.call("services") == expected


def test_duplicate_service_ids_are_rejected() -> None:
    rows = builtin_catalogue()
    with pytest.raises(ValueError, match="unique"):
        SandboxPanel(services=[*rows, rows[0]])
