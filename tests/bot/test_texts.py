"""Rendering a message never fails on its values: a value Fluent refuses (over 2,500
characters in one placeable) is shortened, the message still goes out, and one warning is
logged."""

from __future__ import annotations

import logging
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fluent.runtime import FluentBundle

from shop.texts import KEPT_RENDERS, KEPT_VALUE_LENGTH, LOCALES_DIR, Texts


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
    """The messages Fluent formats from now on."""
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
        fresh.core._render("price", "en", {"amount": amount, "units": units, "name": "x"})
        for amount, units in values
    ]


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
