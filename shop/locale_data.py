"""The part of a language's CLDR data the translations use: plural rules and number formats.

Fluent takes each catalogue's language from babel, and babel reads a language's data whole:
the names of every language, territory, currency and time zone, with its shared tables
besides, about 6 MiB for English and Russian. Of that, rendering a message reads the plural
rules and how numbers are written. So the data is read in a short-lived child process
(``python -m shop.locale_data en ru``), which hands over only those fields
(:data:`FIELDS`), and the bot never holds the rest. A field a catalogue asks for beyond
them (a date format, say) is read from babel's full data when first asked for; where the
child cannot run, the data is read here as babel reads it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pickle
import sys
from collections.abc import Iterable, Mapping
from typing import Any, Final, cast

from babel import Locale, UnknownLocaleError, localedata
from babel.core import parse_locale

logger = logging.getLogger(__name__)

#: What Fluent's plural selection and babel's number formatting read of a language.
FIELDS: Final = (
    "plural_form",
    "number_symbols",
    "default_numbering_system",
    "decimal_formats",
    "percent_formats",
    "currency_formats",
    "scientific_formats",
    "currency_symbols",
)
#: Seconds the child may take before the data is read in this process instead.
CHILD_TIMEOUT: Final = 30.0

#: The lean data read so far, by language code: the locale's identifier and its fields.
_read: dict[str, tuple[str, dict[str, Any]]] = {}


class _FieldsOrFull(dict[str | int | None, Any]):
    """The fields handed over, and any other field read from babel's full data on demand."""

    def __init__(self, identifier: str, fields: Mapping[str, Any]) -> None:
        super().__init__()
        for field, value in fields.items():
            self[field] = value
        # As babel's Locale finds its data: without a modifier ("@euro") it has none of its own.
        self.identifier = (
            identifier if localedata.exists(identifier) else identifier.partition("@")[0]
        )

    def __missing__(self, key: str | int | None) -> Any:
        value = localedata.load(self.identifier)[cast(str, key)]
        self[key] = value
        return value


class LeanLocale(Locale):
    """A babel locale that holds the fields read by the child instead of the whole data."""

    def __init__(self, identifier: str, fields: Mapping[str, Any]) -> None:
        super().__init__(*parse_locale(identifier))
        self._fields = localedata.LocaleDataDict(_FieldsOrFull(identifier, fields))

    @property
    def _data(self) -> localedata.LocaleDataDict:
        return self._fields


def fluent_locale(code: str) -> Locale:
    """The babel locale Fluent uses for a catalogue in ``code`` (``"ru"``, ``"pt-BR"``):
    from the data :func:`read` brought, or else as Fluent finds it."""
    if (found := _read.get(code)) is not None:
        return LeanLocale(*found)
    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.default()


async def read(codes: Iterable[str]) -> None:
    """Bring the lean data of the languages ``codes`` from a child process, once for the
    process; a failure is logged and leaves those languages to :func:`fluent_locale`'s
    reading in this process."""
    wanted = sorted(set(codes) - _read.keys())
    if not wanted:
        return
    try:
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-P",  # The working folder first on the path could shadow the shop's packages.
            "-m",
            __name__,
            *wanted,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    except OSError as exc:
        logger.warning("language data read in the bot's process: %s", exc)
        return
    try:
        output, errors = await asyncio.wait_for(child.communicate(), CHILD_TIMEOUT)
    except TimeoutError:
        child.kill()
        await child.wait()
        logger.warning("language data read in the bot's process: the reader took too long")
        return
    except asyncio.CancelledError:
        with contextlib.suppress(ProcessLookupError):
            child.kill()
        raise
    if child.returncode != 0:
        logger.warning(
            "language data read in the bot's process: the reader failed: %s",
            errors.decode(errors="replace").strip()[-500:],
        )
        return
    try:
        found = pickle.loads(output)
        _read.update(
            {code: (str(identifier), dict(fields)) for code, (identifier, fields) in found.items()}
        )
    except Exception as exc:  # Whatever the child wrote, the bot reads the data itself.
        logger.warning("language data read in the bot's process: the reader's answer: %r", exc)


def _plain(value: Any) -> Any:
    """``value`` with babel's aliases resolved, as plain dicts."""
    if isinstance(value, localedata.LocaleDataDict):
        return {key: _plain(value[key]) for key in value}
    return value


def lean(code: str) -> tuple[str, dict[str, Any]]:
    """The identifier and :data:`FIELDS` of the locale Fluent would use for ``code``."""
    locale = fluent_locale(code)
    fields = {field: _plain(locale._data[field]) for field in FIELDS if field in locale._data}
    return str(locale), fields


if __name__ == "__main__":
    sys.stdout.buffer.write(pickle.dumps({code: lean(code) for code in sys.argv[1:]}))
