"""The translations hold only the language data they read: plural rules and number formats
come from a child process, the rest of babel's tables never enters the bot, and messages
read the same as with babel's full data."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from datetime import date

import pytest
from babel import Locale
from babel.dates import format_date

from shop import locale_data
from shop.texts import LOCALES_DIR, ForgivingFluentCore, Texts


@pytest.fixture
def nothing_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that has read no language data yet."""
    monkeypatch.setattr(locale_data, "_read", {})


async def _read_texts() -> Texts:
    """The catalogues read anew (the fixtures share one reading for the whole run)."""
    core = ForgivingFluentCore(LOCALES_DIR, "en")
    await core.startup()
    return Texts(core)


def _orders_alerts(texts: Texts, locale: str) -> list[str]:
    return [
        texts.get(locale, "alert-orders-at-unknown-panel", orders=count, panel="main")
        for count in (1, 3, 5, 21, 1_234_567)
    ]


ENGLISH = ["1 order still runs", "3 orders still run", "5 orders still run",
           "21 orders still run", "1,234,567 orders still run"]  # fmt: skip
RUSSIAN = ["1 заказ ещё идёт", "3 заказа ещё идут", "5 заказов ещё идут", "21 заказ ещё идёт",
           "1\xa0234\xa0567 заказов ещё идут"]  # fmt: skip


@pytest.mark.usefixtures("nothing_read")
async def test_plurals_and_numbers_read_as_with_babels_full_data() -> None:
    texts = await _read_texts()

    for text, words in zip(_orders_alerts(texts, "en"), ENGLISH, strict=True):
        assert f"<b>{words} at panel main</b>" in text
    for text, words in zip(_orders_alerts(texts, "ru"), RUSSIAN, strict=True):
        assert f"<b>{words} на панели main</b>" in text


def test_the_bot_never_holds_babels_full_tables() -> None:
    # A process of its own: others in this run may have read the tables for their tests.
    script = textwrap.dedent(
        """
        import asyncio
        import babel.core
        from babel import localedata
        from shop.texts import LOCALES_DIR, ForgivingFluentCore, Texts

        texts = asyncio.run(Texts.load("en"))
        for locale in ("en", "ru"):
            texts.get(locale, "alert-orders-at-unknown-panel", orders=21, panel="main")
        print(sorted(localedata._cache), babel.core._global_data is None)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )

    assert result.stdout.split("\n")[-2] == "[] True"


@pytest.mark.usefixtures("nothing_read")
async def test_a_field_beyond_the_lean_ones_is_read_when_asked_for() -> None:
    await locale_data.read(["ru"])
    russian = locale_data.fluent_locale("ru")

    assert isinstance(russian, locale_data.LeanLocale)
    long_date = format_date(date(2026, 12, 31), format="long", locale=russian)
    assert long_date == format_date(date(2026, 12, 31), format="long", locale=Locale("ru"))
    assert long_date == "31 декабря 2026\u202fг."


@pytest.mark.usefixtures("nothing_read")
async def test_a_locale_with_a_modifier_reads_its_other_fields_as_babel_does() -> None:
    await locale_data.read(["de_DE@euro"])
    german = locale_data.fluent_locale("de_DE@euro")

    assert isinstance(german, locale_data.LeanLocale)
    assert format_date(date(2026, 1, 2), locale=german) == format_date(
        date(2026, 1, 2), locale=Locale.parse("de_DE@euro")
    )
    assert german.get_display_name() == Locale.parse("de_DE@euro").get_display_name()


@pytest.mark.parametrize("executable", ["/bin/false", "/nonexistent/python", "/bin/echo"])
@pytest.mark.usefixtures("nothing_read")
async def test_without_the_child_the_data_is_read_in_the_bots_process(
    executable: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(locale_data.sys, "executable", executable)

    with caplog.at_level(logging.WARNING):
        texts = await _read_texts()

    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warning.getMessage().startswith("language data read in the bot's process")
    assert not isinstance(locale_data.fluent_locale("ru"), locale_data.LeanLocale)
    for text, words in zip(_orders_alerts(texts, "ru"), RUSSIAN, strict=True):
        assert f"<b>{words} на панели main</b>" in text
