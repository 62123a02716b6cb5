"""The layers import one way: the Telegram runtime (``bot``) over the handlers, the
handlers over the shop's domain (``shop``), the domain over the panel's protocol (``api``).
Every module of every layer is read, and every import it makes is checked."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: Each layer, and the layers of this project it may import (its own included).
MAY_IMPORT = {
    "bot": {"bot", "handlers", "shop", "api"},
    "handlers": {"handlers", "shop", "api"},
    "shop": {"shop", "api"},
    "api": {"api"},
}
#: Outside packages a layer must not import: the domain and the protocol know nothing of
#: Telegram (translations come from aiogram_i18n's Fluent core, not from aiogram).
FORBIDDEN = {"shop": {"aiogram"}, "api": {"aiogram", "aiogram_i18n"}}


def modules(layer: str) -> list[Path]:
    return sorted(path for path in (ROOT / layer).rglob("*.py") if "__pycache__" not in path.parts)


def imported(path: Path) -> Iterator[tuple[int, str]]:
    """``(line, top-level package)`` of every absolute import in the module."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]


@pytest.mark.parametrize("layer", sorted(MAY_IMPORT))
def test_each_layer_imports_only_the_layers_below_it(layer: str) -> None:
    ours = set(MAY_IMPORT)
    upward = [
        f"{path.relative_to(ROOT)}:{line} imports {package}"
        for path in modules(layer)
        for line, package in imported(path)
        if (package in ours and package not in MAY_IMPORT[layer])
        or package in FORBIDDEN.get(layer, set())
    ]
    assert modules(layer), f"no modules found in {layer}/"
    assert upward == []


def test_an_upward_import_is_caught(tmp_path: Path) -> None:
    module = tmp_path / "upward.py"
    module.write_text("from handlers import keyboards\nimport aiogram.types\n")
    assert [package for _, package in imported(module)] == ["handlers", "aiogram"]
