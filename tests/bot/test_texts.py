"""Rendering a message never fails on its values: a value Fluent refuses (over 2,500
characters in one placeable) is shortened, the message still goes out, and one warning is
logged."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from shop.texts import LOCALES_DIR, Texts


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
