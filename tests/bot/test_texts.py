"""Rendering a message never fails on its values: a value Fluent refuses (over 2,500
characters in one placeable) is shortened, the message still goes out, and one warning is
logged."""

from __future__ import annotations

import logging
import re
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from aiogram_i18n.cores import FluentRuntimeCore
from fluent.runtime import FluentBundle
from fluent.syntax import FluentSerializer

from shop.texts import KEPT_RENDERS, KEPT_VALUE_LENGTH, LOCALES_DIR, ForgivingFluentCore, Texts


@pytest.fixture
async def texts() -> Texts:
    return await Texts.load("en")


async def test_a_value_too_long_for_fluent_is_shortened_not_refused(
    texts: Texts, caplog: pytest.LogCaptureFixture
) -> None:
    name = "&quot;" * 500

    with caplog.at_level(logging.WARNING):
        text = texts.get("en", "notice-completed", order_id="7", service=name)

    assert text.startswith("✅ <b>Order #7 is completed</b>\n&quot;&quot;")
    assert text.endswith("…")
    assert len(text) < 2500
    # Cut between whole entities: the message stays valid HTML.
    assert text.removesuffix("…").endswith("&quot;")
    [record] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "notice-completed" in record.getMessage()


async def test_the_same_value_renders_in_every_language_and_in_handlers(texts: Texts) -> None:
    # Shortened, and without the tags it could leave open.
    assert texts.get("en", "search-nothing", query="<b>" * 1000).startswith("Nothing matches “…”")
    assert texts.get("ru", "search-nothing", query="<b>" * 1000).startswith("По запросу «…»")
    # Handlers render through the same core (aiogram-i18n's I18nContext calls it).
    assert texts.core.get("search-nothing", "en", query="x" * 3000).startswith("Nothing")


async def test_a_missing_value_still_renders_the_message(texts: Texts) -> None:
    text = texts.get("en", "notice-completed", order_id="7")
    assert text.startswith("✅ <b>Order #7 is completed</b>")


async def test_the_catalogues_are_read_once_though_the_dispatcher_starts_them_again(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, folder)
    texts = await Texts.load("en", folder)
    shutil.rmtree(folder)

    # aiogram-i18n's middleware starts the core again when the dispatcher starts.
    await texts.core.startup()

    assert texts.get("ru", "menu-title", name="Алиса").startswith(
        "👋 <b>Здравствуйте, Алиса!</b>\n"
    )


async def test_the_catalogues_outlive_the_dispatchers_shutdown(texts: Texts) -> None:
    # aiogram-i18n's middleware shuts the core down as the dispatcher stops; the tracker
    # and the notifier may still render texts until the shop's own shutdown stops them.
    await texts.core.shutdown()

    assert (
        texts.get("en", "notice-refill-completed", order_id=7)
        == "♻️ ✅ The refill of order #7 is completed."
    )
    assert texts.get("ru", "notice-refill-completed", order_id=7) == (
        "♻️ ✅ Докрутка заказа #7 выполнена."
    )


@pytest.fixture
async def priced(tmp_path: Path) -> Texts:
    """Catalogues with one message of values, in two languages."""
    for language, line in (("en", "Pay { $amount } for { $units } × { $name }"),
                           ("ru", "Оплатите { $amount } за { $units } × { $name }")):  # fmt: skip
        folder = tmp_path / "locales" / language
        folder.mkdir(parents=True)
        (folder / "shop.ftl").write_text(f"price = {line}\n", encoding="utf8")
    return await Texts.load("en", tmp_path / "locales")


def _formats(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The languages of the messages rendered from now on (not taken from those kept)."""
    formatted: list[str] = []
    original = ForgivingFluentCore._render

    def counted(
        self: ForgivingFluentCore, message_id: str, locale: str | None, kwargs: dict[str, Any]
    ) -> str:
        formatted.append(str(locale))
        return original(self, message_id, locale, kwargs)

    monkeypatch.setattr(ForgivingFluentCore, "_render", counted)
    return formatted


def _fluent_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The languages of the messages Fluent's own resolver formats from now on."""
    formatted: list[str] = []
    original = FluentBundle.format_pattern

    def counted(self: FluentBundle, pattern: Any, args: Any = None) -> Any:
        formatted.append(self.locales[0])
        return original(self, pattern, args)

    monkeypatch.setattr(FluentBundle, "format_pattern", counted)
    return formatted


async def test_a_message_shown_again_with_the_same_values_is_not_formatted_again(
    priced: Texts, monkeypatch: pytest.MonkeyPatch
) -> None:
    formatted = _formats(monkeypatch)
    first = priced.get("en", "price", amount="0.0045 USD", units=1000, name='<"&>')
    again = priced.get("en", "price", amount="0.0045 USD", units=1000, name='<"&>')
    russian = priced.get("ru", "price", amount="0.0045 USD", units=1000, name='<"&>')

    assert first == again == 'Pay 0.0045 USD for 1,000 × <"&>'
    assert russian == 'Оплатите 0.0045 USD за 1\xa0000 × <"&>'
    assert formatted == ["en", "ru"]


async def test_values_equal_in_python_each_get_the_text_fluent_gives_them(
    priced: Texts,
) -> None:
    values: list[tuple[object, object]] = [
        (Decimal("1.5"), 1000),
        (Decimal("1.50"), "1000"),
        (Decimal("1.5"), 1000.0),
        (Decimal("1.5"), True),
        (1, 1),
        (Decimal("1.5"), 1000),
    ]
    texts = [
        priced.get("en", "price", amount=amount, units=units, name="x") for amount, units in values
    ]
    fresh = await Texts.load("en", priced.core.path)

    assert texts[:2] == ["Pay 1.5 for 1,000 × x", "Pay 1.5 for 1000 × x"]
    assert texts == [
        # Fluent's own rendering, as aiogram-i18n's core makes it.
        FluentRuntimeCore.get(fresh.core, "price", "en", amount=amount, units=units, name="x")
        for amount, units in values
    ]


def _variables(language: str) -> set[str]:
    """The names of the values the messages of a catalogue put in."""
    names: set[str] = set()
    for path in (LOCALES_DIR / language).glob("*.ftl"):
        names.update(re.findall(r"\$([A-Za-z][\w-]*)", path.read_text(encoding="utf8")))
    return names


#: Values as the shop passes them: texts with HTML in them (a service's name), whole numbers
#: (counts, which Fluent writes with the language's grouping), and others Fluent alone takes.
VALUE_SETS: list[dict[str, Any]] = [
    {"text": 'Likes <b>&amp;</b> "Real" [30d]'},
    {"number": 1234567},
    {"number": -1500},
    {"number": 0},
    {"number": True},
    {"text": "", "number": 42},
    {"other": Decimal("0.0045")},
    {"other": 1234.5},
]


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("values", VALUE_SETS, ids="-".join)
async def test_every_message_renders_as_fluent_renders_it(
    texts: Texts, language: str, values: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Messages of text and values alone are put together without Fluent's resolver; each
    reads exactly as Fluent makes it, whatever the values."""
    names = sorted(_variables(language))
    kinds = list(values.values())
    given = {name: kinds[index % len(kinds)] for index, name in enumerate(names)}
    bundle = texts.core.get_translator(language)
    keys = sorted(bundle._messages)  # every message of the catalogue
    expected = [FluentRuntimeCore.get(texts.core, key, language, **given) for key in keys]
    fluent = _fluent_calls(monkeypatch)

    assert [texts.core._render(key, language, given) for key in keys] == expected
    if "other" not in values:
        # Most messages never reach Fluent's resolver.
        assert len(fluent) < len(keys) / 4
    else:
        serializer = FluentSerializer()
        with_values = [
            key for key in keys if "{ $" in serializer.serialize_entry(bundle._messages[key])
        ]
        assert len(with_values) > len(keys) / 3
        assert len(fluent) >= len(with_values)


async def test_values_missing_or_refused_are_rendered_by_fluent(tmp_path: Path) -> None:
    folder = tmp_path / "locales" / "en"
    folder.mkdir(parents=True)
    (folder / "shop.ftl").write_text(
        "lone = { $name }\n"
        'braces = {"{"}{ $name }{"}"}\n'
        "plain = Just text\n"
        "chosen = { $count ->\n    [one] one item\n   *[other] { $count } items\n}\n"
        "nested = { lone } and { $name }\n",
        encoding="utf8",
    )
    texts = await Texts.load("en", tmp_path / "locales")

    assert texts.get("en", "lone", name="<b>") == "<b>"
    assert texts.get("en", "braces", name=7) == "{7}"
    assert texts.get("en", "plain") == "Just text"
    assert texts.get("en", "chosen", count=1) == "one item"
    assert texts.get("en", "chosen", count=1500) == "1,500 items"
    assert texts.get("en", "nested", name="x") == "x and x"
    # Missing, or a value Fluent refuses: Fluent's own path, forgiving as ever (a missing
    # value is written as its name).
    assert texts.get("en", "lone") == "name"
    assert texts.get("en", "nested") == "name and name"
    assert texts.get("en", "lone", name="y" * 3000) == "y" * 999 + "…"
    # A text of a subclass of str goes to Fluent too, which hands a lone value back as it came.
    shown = _Shown("x")
    assert texts.get("en", "lone", name=shown) is shown
    assert texts.get("en", "braces", name=shown) == "{x}"


class _Shown(str):
    __slots__ = ()


async def test_long_values_and_dates_are_formatted_each_time_and_old_texts_make_room(
    priced: Texts, monkeypatch: pytest.MonkeyPatch
) -> None:
    formatted = _formats(monkeypatch)
    long_name = "n" * (KEPT_VALUE_LENGTH + 1)
    for _ in range(2):
        assert priced.get("en", "price", amount=1, units=1, name=long_name).endswith(long_name)
    assert len(formatted) == 2

    formatted.clear()
    for units in range(KEPT_RENDERS + 1):
        priced.get("en", "price", amount=1, units=units, name="x")
    priced.get("en", "price", amount=1, units=KEPT_RENDERS, name="x")  # the latest: kept
    assert len(formatted) == KEPT_RENDERS + 1
    assert priced.get("en", "price", amount=1, units=0, name="x") == "Pay 1 for 0 × x"
    assert len(formatted) == KEPT_RENDERS + 2
