"""Translations: Fluent catalogues under ``locales/<language>/``, for handlers and services."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from aiogram_i18n.cores import FluentRuntimeCore

#: The catalogues shipped with the bot, one folder per language.
LOCALES_DIR: Final = Path(__file__).resolve().parent.parent / "locales"
SUPPORTED_LOCALES: Final = ("en", "ru")


class Texts:
    """Every message the bot sends, by key and language.

    Services use it to render messages that are queued for later (notifications, alerts),
    in the recipient's language; handlers get the same catalogues through aiogram-i18n.
    """

    def __init__(self, core: FluentRuntimeCore) -> None:
        self.core = core

    @classmethod
    async def load(cls, default_locale: str, path: Path = LOCALES_DIR) -> Texts:
        """Read the catalogues; ``default_locale`` serves languages we have no catalogue for."""
        core = FluentRuntimeCore(path=path, default_locale=default_locale)
        await core.startup()
        return cls(core)

    @property
    def default_locale(self) -> str:
        return self.core.default_locale or SUPPORTED_LOCALES[0]

    def locale_for(self, language_code: str | None) -> str:
        """The catalogue for a Telegram ``language_code`` (``"ru-RU"`` -> ``"ru"``)."""
        language = (language_code or "").split("-")[0].lower()
        return language if language in self.core.available_locales else self.default_locale

    def get(self, locale: str, key: str, /, **params: Any) -> str:
        """The message ``key`` in ``locale`` (or the default language), with ``params``."""
        return self.core.get(key, self.locale_for(locale), **params)
