"""What panels add to a service beyond the spec: a description (``desc`` or
``description``) and an average time, read as the panel wrote them, whatever their type;
an odd one costs the field, never the service."""

from __future__ import annotations

import json

import pytest

from api import responses
from api.models import Service

TERMS: dict[str, object] = {
    "service": 1,
    "name": "Followers",
    "type": "Default",
    "category": "Instagram",
    "rate": "0.0045",
    "min": "10",
    "max": "1000",
}


def read(**extra: object) -> Service:
    """The service as the client reads it from a ``services`` answer on the wire."""
    body = json.dumps([{**TERMS, **extra}]).encode()
    [service] = responses.parse_services(responses.decode("services", 200, body))
    return service


def test_a_description_is_kept_as_the_panel_wrote_it_html_and_all() -> None:
    text = 'Real <b>HQ</b> &amp; "fast" <br>\nStart: 0-1h ' + "x" * 5000

    assert read(desc=text).description == text.strip()
    assert read(description=text).description == text.strip()


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("1 hour 20 minutes", "1 hour 20 minutes"),
        ("  45 min ", "45 min"),
        (45, "45"),
        ("45", "45"),
        (12.5, "12.5"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_an_average_time_is_text_as_the_panel_gives_it(value: object, kept: str | None) -> None:
    assert read(average_time=value).average_time == kept


def test_a_service_without_the_extra_fields_has_none() -> None:
    service = read()

    assert (service.description, service.average_time) == (None, None)


@pytest.mark.parametrize("odd", [["a", "list"], {"en": "words"}, True, False])
def test_an_odd_value_costs_the_field_not_the_service(odd: object) -> None:
    service = read(desc=odd, average_time=odd)

    assert (service.id, str(service.rate)) == (1, "0.0045")
    assert (service.description, service.average_time) == (None, None)
