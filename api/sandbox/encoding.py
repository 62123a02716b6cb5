"""JSON text of the sandbox's answers, with :class:`~decimal.Decimal` written exactly.

The standard encoder cannot write a Decimal as a JSON number, and going through float
would show binary rounding that no real panel shows, so answers are written here.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TypeAlias

JsonValue: TypeAlias = (
    Mapping[str, "JsonValue"] | Sequence["JsonValue"] | str | int | float | Decimal | None
)


def to_json(value: JsonValue) -> str:
    """Compact JSON text of ``value``; Decimals become numbers with their exact digits."""
    # The standard encoder is much faster and suffices whenever there is no Decimal.
    with contextlib.suppress(TypeError):
        return json.dumps(value, separators=(",", ":"), allow_nan=False)
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts)


def _write(value: JsonValue, out: list[str]) -> None:
    # bool before int: True is an int in Python but must stay ``true`` in JSON.
    if value is None or isinstance(value, bool | int | float | str):
        out.append(json.dumps(value, allow_nan=False))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a JSON number: {value}")
        out.append(format(value, "f"))
    elif isinstance(value, Mapping):
        out.append("{")
        for index, (name, item) in enumerate(value.items()):
            if index:
                out.append(",")
            out.append(json.dumps(str(name)))
            out.append(":")
            _write(item, out)
        out.append("}")
    else:
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _write(item, out)
        out.append("]")
