"""Whatever JSON a panel sends, the parsers return typed values or raise our error."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from api import responses
from api.errors import PanelError

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["", "0", "1", "0.90", "1e999", "NaN", "-5", "12,5", " 7 ", "In Progress"]),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.text(max_size=8), children, max_size=5),
    ),
    max_leaves=25,
)
# Objects shaped like real answers, with values of any type: these reach the field parsers.
field_names = st.sampled_from(
    [
        "service", "name", "type", "category", "rate", "min", "max", "refill", "cancel",
        "dripfeed", "order", "status", "charge", "start_count", "remains", "currency",
        "balance", "error", "1", "10", "100",
    ]
)  # fmt: skip
answer_like = st.one_of(
    st.dictionaries(field_names, json_values, max_size=10),
    st.lists(st.dictionaries(field_names, json_values, max_size=10), max_size=5),
    json_values,
)

SINGLE_PARSERS: list[Callable[[Any], object]] = [
    responses.parse_services,
    responses.parse_order_created,
    responses.parse_refill_created,
    responses.parse_balance,
    responses.parse_status,
    responses.parse_refill_status,
]
MULTI_PARSERS: list[Callable[[Any, list[int]], object]] = [
    responses.parse_multi_status,
    responses.parse_multi_refill_status,
    responses.parse_multi_refill,
    responses.parse_cancel,
]


def _parses_or_raises_panel_error(call: Callable[[], object]) -> None:
    with contextlib.suppress(PanelError):
        call()


@settings(max_examples=400)
@given(answer_like)
def test_single_parsers_never_raise_a_foreign_exception(data: Any) -> None:
    for parse in SINGLE_PARSERS:
        _parses_or_raises_panel_error(lambda parse=parse: parse(data))  # type: ignore[misc]


@settings(max_examples=400)
@given(answer_like, st.lists(st.integers(min_value=1, max_value=200), max_size=5))
def test_multi_parsers_answer_every_requested_id(data: Any, ids: list[int]) -> None:
    for parse in MULTI_PARSERS:
        try:
            result = parse(data, ids)
        except PanelError:
            continue
        assert isinstance(result, dict)
        assert set(result) == set(ids)


@settings(max_examples=300)
@given(st.integers(min_value=100, max_value=599), st.binary(max_size=200) | answer_like)
def test_decode_of_any_body_returns_json_or_raises_panel_error(status: int, body: Any) -> None:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    _parses_or_raises_panel_error(lambda: responses.decode("status", status, raw))


def test_decode_survives_absurdly_deep_nesting() -> None:
    _parses_or_raises_panel_error(lambda: responses.decode("status", 200, b"[" * 100_000))
