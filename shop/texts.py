"""Translations: Fluent catalogues under ``locales/<language>/``, for handlers and services."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, NamedTuple

from aiogram_i18n.cores import FluentRuntimeCore
from aiogram_i18n.exceptions import FluentMessageError
from babel import Locale
from fluent.runtime import FluentBundle, resolver
from fluent.runtime.types import FluentInt
from fluent.syntax import FluentParser

from shop import locale_data

logger = logging.getLogger(__name__)

#: The catalogues shipped with the bot, one folder per language.
LOCALES_DIR: Final = Path(__file__).resolve().parent.parent / "locales"
SUPPORTED_LOCALES: Final = ("en", "ru")
#: Characters of a value kept when a message is rendered again after Fluent refused it.
FALLBACK_VALUE_LENGTH: Final = 1000
#: Messages rendered with values that are kept, and the longest text value kept with one.
KEPT_RENDERS: Final = 2048
KEPT_VALUE_LENGTH: Final = 200
_TAG: Final = re.compile(r"<[^>]*>")


def _fallback_value(value: Any) -> Any:
    """A text value shortened to :data:`FALLBACK_VALUE_LENGTH`, cut outside any entity and
    without its tags, so the message stays valid HTML; other values as they are."""
    if not isinstance(value, str) or len(value) <= FALLBACK_VALUE_LENGTH:
        return value
    cut = value[: FALLBACK_VALUE_LENGTH - 1]
    if (entity := cut.rfind("&")) > cut.rfind(";"):
        cut = cut[:entity]
    if (tag := cut.rfind("<")) > cut.rfind(">"):
        cut = cut[:tag]
    return _TAG.sub("", cut) + "…"


def _as_key(kwargs: dict[str, Any]) -> tuple[tuple[str, type, object], ...] | None:
    """Values that render one way only, as a key; None for any other (a date, a float, a
    long text), which is rendered each time. A Decimal is kept by its digits: 1.5 and 1.50
    are equal, and a message may show them differently."""
    key = []
    for name, value in kwargs.items():
        kind = type(value)
        if kind is Decimal:
            key.append((name, kind, str(value)))
        elif kind is int or (kind is str and len(value) <= KEPT_VALUE_LENGTH):
            key.append((name, kind, value))
        else:
            return None
    return tuple(key)


class _Value(NamedTuple):
    """A part of a message that is the value of ``$name``."""

    name: str


#: A message as its parts, in order: texts, and values put in as they are.
_Parts = tuple[str | _Value, ...]


def _parts(pattern: object) -> _Parts | None:
    """The parts of a compiled message made of text and values (``{ $name }``) alone; None
    for one with anything else (a selector, a function, a reference to another message)."""
    if isinstance(pattern, resolver.Pattern):
        elements: list[object] = list(pattern.elements)
    elif isinstance(pattern, resolver.Literal | resolver.NeverIsolatingPlaceable):
        elements = [pattern]
    else:
        return None
    if len(elements) > resolver.Pattern.MAX_PARTS:
        return None
    parts: list[str | _Value] = []
    for element in elements:
        if isinstance(element, resolver.TextElement):
            text = element.value
        elif isinstance(element, resolver.StringLiteral):
            text = element.parse()["value"]
        elif isinstance(
            element, resolver.Placeable | resolver.NeverIsolatingPlaceable
        ) and isinstance(element.expression, resolver.VariableReference):
            parts.append(_Value(element.expression.id.name))
            continue
        else:
            return None
        if len(text) > resolver.MAX_PART_LENGTH:
            return None
        parts.append(text)
    return tuple(parts)


class _Bundle(FluentBundle):
    """A catalogue whose language data holds only what rendering reads
    (:mod:`shop.locale_data`), and which puts its plain messages together itself."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plain_parts: dict[str, _Parts | None] = {}

    def _get_babel_locale(self) -> Locale:
        return locale_data.fluent_locale(self.locales[0])

    def format_plain(self, message_id: str, values: Mapping[str, Any]) -> str | None:
        """Message ``message_id`` with ``values``, when it is made of text and values alone
        (most of the catalogue is) and each value it puts in is a whole number or a text
        (of at most Fluent's 2,500 characters); else None, and Fluent renders it.

        The text is Fluent's own, numbers written by Fluent's own type, without the work
        of Fluent's resolver for each part and of turning every value passed into a Fluent
        type, those the message does not show too: a fifth of a poll's time went to the
        notices' texts."""
        if message_id in self._plain_parts:
            parts = self._plain_parts[message_id]
        else:
            parts = None
            if not self.use_isolating and self.has_message(message_id):
                parts = _parts(self.get_message(message_id).value)
            self._plain_parts[message_id] = parts
        if parts is None:
            return None
        texts: list[str] = []
        for part in parts:
            if isinstance(part, str):
                texts.append(part)
                continue
            value = values.get(part.name)
            # As Fluent takes values: a text as it is, a whole number as its own type. (A
            # subclass of str goes to Fluent, which hands a lone value back as it came.)
            if type(value) is str and len(value) <= resolver.MAX_PART_LENGTH:
                texts.append(value)
            elif isinstance(value, int):
                texts.append(FluentInt(value).format(self._babel_locale))
            else:
                return None
        return "".join(texts)


class ForgivingFluentCore(FluentRuntimeCore):
    """Fluent catalogues whose messages always render: where Fluent refuses the values
    (a placeable over 2,500 characters, a value missing), the message is rendered again with
    long values shortened, and a warning is logged. A panel's text never stops a message.

    An unknown key still raises: that is a mistake in the code, not in the data.

    The catalogues are read without the source positions Fluent's parser keeps for tools,
    and each message is compiled when first used, and each language holds only the part of
    babel's locale data that rendering reads (:mod:`shop.locale_data`): 1.5 MiB for the
    catalogues, where aiogram-i18n's own reading takes 9.8 MiB.
    """

    def __init__(self, path: Path, default_locale: str) -> None:
        super().__init__(path=path, default_locale=default_locale, pre_compile=False)
        # Messages without values as rendered, by key and catalogue: three in four of the
        # texts a conversation shows (button labels, questions) are such. Their text cannot
        # change (no catalogue message calls a function, and the bot speaks HTML only).
        self._plain: dict[tuple[str, str], str] = {}
        # The latest messages rendered with values, by key, catalogue and values: the same
        # service card, question or price is shown to many customers.
        self._recent: dict[tuple[str, str, tuple[tuple[str, type, object], ...]], str] = {}

    async def startup(self) -> None:
        """Read the catalogues, once: aiogram-i18n's middleware asks again as the dispatcher
        starts, and the shop's services read them before that."""
        if not self.locales:
            await locale_data.read(self._extract_locales(self.path))
            await super().startup()

    async def shutdown(self) -> None:
        """Keep the catalogues: aiogram-i18n's middleware empties them as the dispatcher
        stops, before the shop's own shutdown has stopped the tracker and the notifier,
        which still render notices and alerts."""

    def find_locales(self) -> dict[str, FluentBundle]:
        parser = FluentParser(with_spans=False)
        bundles: dict[str, FluentBundle] = {}
        found = self._find_locales(self.path, self._extract_locales(self.path), ".ftl")
        for locale, paths in found.items():
            bundle = _Bundle(
                locales=[locale], use_isolating=self.use_isolating, functions=self.functions
            )
            for path in paths:
                bundle.add_resource(parser.parse(path.read_text(encoding="utf8")))
            bundles[locale] = bundle
        return bundles

    def get(self, message_id: str, locale: str | None = None, /, **kwargs: Any) -> str:
        if kwargs:
            return self._render_with(message_id, locale, kwargs)
        key = (message_id, self.get_locale(locale=locale))
        if (text := self._plain.get(key)) is None:
            text = self._plain[key] = self._render(message_id, locale, kwargs)
        return text

    def _render_with(self, message_id: str, locale: str | None, kwargs: dict[str, Any]) -> str:
        values = _as_key(kwargs)
        if values is None:
            return self._render(message_id, locale, kwargs)
        key = (message_id, self.get_locale(locale=locale), values)
        text = self._recent.pop(key, None)
        if text is None:
            text = self._render(message_id, locale, kwargs)
        self._recent[key] = text
        if len(self._recent) > KEPT_RENDERS:
            del self._recent[next(iter(self._recent))]
        return text

    def _render(self, message_id: str, locale: str | None, kwargs: dict[str, Any]) -> str:
        translator = self.get_translator(locale=self.get_locale(locale=locale))
        if isinstance(translator, _Bundle):
            plain = translator.format_plain(message_id, kwargs)
            if plain is not None:
                return plain
        try:
            return super().get(message_id, locale, **kwargs)
        except FluentMessageError as exc:
            logger.warning(
                "message %s rendered with shortened values: %s",
                message_id,
                "; ".join(str(error) for error in exc.errors),
            )
        translator = self.get_translator(locale=self.get_locale(locale=locale))
        pattern = translator.get_message(message_id).value
        if pattern is None:  # Not so: the message was found and rendered above.
            return message_id
        shortened = {name: _fallback_value(value) for name, value in kwargs.items()}
        text, _ = translator.format_pattern(pattern, shortened)
        return str(text)


class Texts:
    """Every message the bot sends, by key and language.

    Services use it to render messages that are queued for later (notifications, alerts),
    in the recipient's language; handlers get the same catalogues through aiogram-i18n.
    """

    def __init__(self, core: ForgivingFluentCore) -> None:
        self.core = core

    @classmethod
    async def load(cls, default_locale: str, path: Path = LOCALES_DIR) -> Texts:
        """Read the catalogues; ``default_locale`` serves languages we have no catalogue for."""
        core = ForgivingFluentCore(path=path, default_locale=default_locale)
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
        """The message ``key`` in ``locale`` (or the default language), with ``params``;
        never an error for the values of ``params`` (see :class:`ForgivingFluentCore`)."""
        return self.core.get(key, self.locale_for(locale), **params)
