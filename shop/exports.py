"""CSV exports: a customer's own orders and balance movements, and the shop's orders, ledger
and customers for the staff.

An export is written to a file on disk from the storage's chunked readers, so memory holds
one chunk of rows whatever the export's size, and is handed over as a file to upload. A file
over Telegram's upload limit for bots is zipped; one still over it after zipping is refused
(a shorter period makes it smaller). The file is deleted when its ``async with`` block ends,
however it ends.

The cells are made for spreadsheets, where owners and customers open them: UTF-8 with a BOM
(so Excel shows Cyrillic right), money as plain decimals (``0.0045``, never a float or an
exponent), times in UTC as ``YYYY-MM-DD HH:MM:SS`` (a form Excel and Sheets read as a date
and time), and any text that a spreadsheet would take for a formula (``=``, ``+``, ``-``,
``@``, a tab or a carriage return first) prefixed with an apostrophe.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import enum
import math
import os
import re
import tempfile
import zipfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, TextIO

from shop.admin import AdminInputError
from shop.money import Currency
from shop.storage import Database, LedgerRow, Selection, utc_now
from shop.texts import Texts

#: Telegram's limit for a file a bot uploads: 50 MB.
UPLOAD_LIMIT: Final = 50 * 1000 * 1000
#: How often a customer may export their history.
CUSTOMER_INTERVAL: Final = timedelta(minutes=1)
#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
#: The columns of a customer's file, as their ``export-column-*`` texts name them.
CUSTOMER_COLUMNS: Final = (
    "kind", "date", "order", "service", "link", "quantity", "status", "charge", "refunded",
    "reason", "amount", "balance", "reference",
)  # fmt: skip
_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ExportKind(enum.StrEnum):
    """What the staff can export."""

    ORDERS = "orders"
    LEDGER = "ledger"
    CUSTOMERS = "customers"


def read_export_kind(text: str) -> ExportKind:
    """``orders``, ``ledger`` or ``customers``, in any case."""
    try:
        return ExportKind(text.strip().lower())
    except ValueError:
        raise AdminInputError("admin-bad-export-kind") from None


@dataclass(frozen=True, slots=True)
class Period:
    """Days in UTC, both ends included; ``first`` None: since the shop began."""

    first: date | None
    last: date

    @property
    def since(self) -> datetime | None:
        """The first moment of the period (None: open)."""
        return None if self.first is None else datetime.combine(self.first, time(), UTC)

    @property
    def until(self) -> datetime:
        """The first moment after the period."""
        return datetime.combine(self.last + timedelta(days=1), time(), UTC)

    def label(self) -> str:
        """``2025-01-01 – 2025-01-31``, or ``… – 2025-01-31`` when open at the start."""
        first = "…" if self.first is None else self.first.isoformat()
        return f"{first} – {self.last.isoformat()}"


def _read_date(text: str) -> date:
    # date.fromisoformat alone would also take 20250131 and 2025-W05.
    if not _DATE.match(text):
        raise AdminInputError("admin-bad-date")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise AdminInputError("admin-bad-date") from None


def read_period(text: str, today: date | None = None) -> Period:
    """``[from] [to]`` as ``YYYY-MM-DD``, both days included, in UTC: ``to`` is today when
    left out, ``from`` the shop's beginning; ``from`` after ``to`` is refused."""
    words = text.split()
    if len(words) > 2:  # noqa: PLR2004 - from and to
        raise AdminInputError("admin-bad-date")
    last = _read_date(words[1]) if len(words) > 1 else (today or utc_now().date())
    first = _read_date(words[0]) if words else None
    if first is not None and first > last:
        raise AdminInputError("admin-bad-date")
    return Period(first, last)


def text_cell(value: str | None) -> str:
    """Text as a cell no spreadsheet runs as a formula; NUL characters dropped."""
    if not value:
        return ""
    cleaned = value.replace("\x00", "")
    return f"'{cleaned}" if cleaned.startswith(FORMULA_START) else cleaned


def money_cell(amount: Decimal) -> str:
    """Money as a plain decimal, every stored digit kept: ``0.0045``, ``-1.2``, ``10``."""
    return format(amount, "f")


def time_cell(moment: datetime | None) -> str:
    """A moment in UTC as ``2025-01-31 12:00:05``."""
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _id_cell(value: int | None) -> str:
    return "" if value is None else str(value)


class ExportProblem(enum.StrEnum):
    """Why no export was made."""

    #: An export of this chat is being prepared.
    BUSY = "busy"
    #: The customer exported less than a minute ago.
    TOO_SOON = "too-soon"
    #: Over the upload limit even zipped.
    TOO_LARGE = "too-large"


class ExportRefused(Exception):
    """No export: ``problem`` says why; ``wait_seconds`` how long until a customer may ask
    again (TOO_SOON)."""

    def __init__(self, problem: ExportProblem, wait_seconds: int = 0) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.wait_seconds = wait_seconds


@dataclass(frozen=True, slots=True)
class ExportFile:
    """An export written to ``path``, to upload as ``file_name``: ``rows`` data rows,
    zipped when the CSV was over the upload limit."""

    path: Path
    file_name: str
    rows: int
    zipped: bool


#: Writes the CSV to the open file; the number of data rows written.
Writer = Callable[[TextIO], Awaitable[int]]


class ExportJob:
    """An export claimed for a chat: :meth:`written` writes it."""

    def __init__(self, folder: Path, upload_limit: int, name: str, write: Writer) -> None:
        self._folder = folder
        self._upload_limit = upload_limit
        self._name = name
        self._write = write

    @contextlib.asynccontextmanager
    async def written(self) -> AsyncIterator[ExportFile]:
        """The export as a file, deleted when the block ends; raises
        :class:`ExportRefused` (TOO_LARGE) for one over the limit even zipped."""
        self._folder.mkdir(parents=True, exist_ok=True)
        paths: list[Path] = []
        try:
            descriptor, name = tempfile.mkstemp(prefix="export-", suffix=".csv", dir=self._folder)
            path = Path(name)
            paths.append(path)
            # utf-8-sig: the BOM tells Excel the file is UTF-8; newline="": the csv module
            # ends its rows itself, with CRLF.
            with open(descriptor, "w", encoding="utf-8-sig", newline="") as stream:
                rows = await self._write(stream)
            file = ExportFile(path, f"{self._name}.csv", rows, zipped=False)
            if path.stat().st_size > self._upload_limit:
                # Deflating 50 MB takes a second or two: not on the loop, which serves everyone.
                file = await asyncio.to_thread(self._zipped, file, paths)
            yield file
        finally:
            for path in paths:
                path.unlink(missing_ok=True)

    def _zipped(self, file: ExportFile, paths: list[Path]) -> ExportFile:
        descriptor, name = tempfile.mkstemp(prefix="export-", suffix=".zip", dir=self._folder)
        os.close(descriptor)
        archive = Path(name)
        paths.append(archive)
        # ZipFile.write copies the file in chunks: the CSV is never read into memory whole.
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
            zipped.write(file.path, arcname=file.file_name)
        file.path.unlink()
        if archive.stat().st_size > self._upload_limit:
            raise ExportRefused(ExportProblem.TOO_LARGE)
        return ExportFile(archive, f"{self._name}.zip", file.rows, zipped=True)


async def _write_chunks(
    stream: TextIO, header: list[str], chunks: AsyncIterator[Iterable[list[str]]]
) -> int:
    writer = csv.writer(stream)
    writer.writerow(header)
    rows = 0
    async for chunk in chunks:
        lines = list(chunk)
        writer.writerows(lines)
        rows += len(lines)
    return rows


def folder_for(database: Path) -> Path:
    """The folder for the export files of the shop whose database is ``database``: beside
    it, on its disk (/tmp is often memory, and a file may be 50 MB), and named after it, so
    two shops with their databases in one folder never delete each other's files."""
    return database.with_name(f"{database.stem}-exports")


class Exports:
    """The CSV exports of the shop: one at a time per chat, a customer's once a minute."""

    def __init__(
        self,
        db: Database,
        currency: Currency,
        texts: Texts,
        folder: Path,
        *,
        upload_limit: int = UPLOAD_LIMIT,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        """``folder`` holds the files while they are written and sent (beside the database
        rather than in /tmp, which is often memory)."""
        self._db = db
        self._currency = currency
        self._texts = texts
        self._folder = folder
        #: The largest file sent as it is; a larger one is zipped.
        self.upload_limit = upload_limit
        #: The moment the once-a-minute limit sees.
        self.clock = clock
        self._busy: set[int] = set()
        self._last_customer_export: dict[int, datetime] = {}

    @property
    def folder(self) -> Path:
        """Where export files are written while they exist."""
        return self._folder

    def discard_leftovers(self) -> None:
        """Delete the files of exports a stopped process was writing or sending (at start,
        before any export of this one begins)."""
        for path in self._folder.glob("export-*"):
            path.unlink(missing_ok=True)

    @contextlib.asynccontextmanager
    async def _claimed(self, chat_id: int, name: str, write: Writer) -> AsyncIterator[ExportJob]:
        if chat_id in self._busy:
            raise ExportRefused(ExportProblem.BUSY)
        self._busy.add(chat_id)
        try:
            yield ExportJob(self._folder, self.upload_limit, name, write)
        finally:
            self._busy.discard(chat_id)

    @contextlib.asynccontextmanager
    async def for_customer(self, user_id: int, locale: str) -> AsyncIterator[ExportJob]:
        """The customer's own orders and balance movements, in their language. Raises
        :class:`ExportRefused` (BUSY, TOO_SOON) when they exported less than a minute ago."""
        now = self.clock()
        for user, at in list(self._last_customer_export.items()):
            if now - at >= CUSTOMER_INTERVAL:
                del self._last_customer_export[user]
        if user_id in self._busy:
            raise ExportRefused(ExportProblem.BUSY)
        last = self._last_customer_export.get(user_id)
        if last is not None:
            wait = (last + CUSTOMER_INTERVAL - now).total_seconds()
            raise ExportRefused(ExportProblem.TOO_SOON, max(1, math.ceil(wait)))
        self._last_customer_export[user_id] = now

        async def write(stream: TextIO) -> int:
            return await self._write_customer(stream, user_id, locale)

        name = f"history-{now:%Y-%m-%d}"
        async with self._claimed(user_id, name, write) as job:
            yield job

    @contextlib.asynccontextmanager
    async def for_staff(
        self, chat_id: int, kind: ExportKind, period: Period
    ) -> AsyncIterator[ExportJob]:
        """The shop's ``kind`` over ``period`` (customers: those who joined in it). Raises
        :class:`ExportRefused` (BUSY) while another export of ``chat_id`` is prepared."""
        selection = Selection(since=period.since, until=period.until)
        writers = {
            ExportKind.ORDERS: self._write_orders,
            ExportKind.LEDGER: self._write_ledger,
            ExportKind.CUSTOMERS: self._write_customers,
        }
        chosen = writers[kind]

        async def write(stream: TextIO) -> int:
            return await chosen(stream, selection)

        first = "start" if period.first is None else period.first.isoformat()
        async with self._claimed(chat_id, f"{kind}-{first}-{period.last}", write) as job:
            yield job

    # --- the staff's files ------------------------------------------------------------------

    async def _write_orders(self, stream: TextIO, selection: Selection) -> int:
        header = [
            "id", "created_utc", "customer_id", "service_id", "service_name", "panel",
            "panel_service_id", "panel_order_id", "link", "quantity", "state", "panel_status",
            "charge", "cost", "refunded", "currency",
        ]  # fmt: skip
        code = self._currency.code

        async def chunks() -> AsyncIterator[list[list[str]]]:
            async with self._db.read() as r:
                async for chunk in r.exports.orders(selection):
                    yield [
                        [
                            str(o.id),
                            time_cell(o.created_at),
                            str(o.user_id),
                            str(o.service_id),
                            text_cell(o.service_name),
                            text_cell(o.panel),
                            _id_cell(o.panel_service_id),
                            _id_cell(o.panel_order_id),
                            text_cell(o.link),
                            str(o.quantity),
                            o.state.value,
                            text_cell(o.panel_status),
                            money_cell(o.price),
                            money_cell(o.cost),
                            money_cell(o.refunded),
                            code,
                        ]  # fmt: skip
                        for o in chunk
                    ]

        return await _write_chunks(stream, header, chunks())

    async def _write_ledger(self, stream: TextIO, selection: Selection) -> int:
        header = [
            "id", "time_utc", "customer_id", "amount", "currency", "reason", "key", "order_id",
            "note",
        ]  # fmt: skip
        code = self._currency.code

        async def chunks() -> AsyncIterator[list[list[str]]]:
            async with self._db.read() as r:
                async for chunk in r.exports.ledger(selection):
                    yield [
                        [
                            str(row.id),
                            time_cell(row.created_at),
                            str(row.user_id),
                            money_cell(row.amount),
                            code,
                            row.reason.value,
                            text_cell(row.key),
                            _id_cell(row.order_id),
                            text_cell(row.note),
                        ]  # fmt: skip
                        for row in chunk
                    ]

        return await _write_chunks(stream, header, chunks())

    async def _write_customers(self, stream: TextIO, selection: Selection) -> int:
        header = [
            "id", "username", "first_name", "language", "balance", "currency", "orders",
            "spent", "joined_utc", "banned", "banned_utc", "blocked_bot",
        ]  # fmt: skip
        code = self._currency.code

        async def chunks() -> AsyncIterator[list[list[str]]]:
            async with self._db.read() as r:
                async for chunk in r.exports.customers(selection):
                    yield [
                        [
                            str(c.id),
                            text_cell(c.username),
                            text_cell(c.first_name),
                            text_cell(c.language),
                            money_cell(c.balance),
                            code,
                            str(c.orders),
                            money_cell(c.spent),
                            time_cell(c.created_at),
                            "yes" if c.banned_at is not None else "no",
                            time_cell(c.banned_at),
                            "yes" if c.blocked else "no",
                        ]  # fmt: skip
                        for c in chunk
                    ]

        return await _write_chunks(stream, header, chunks())

    # --- the customer's file ----------------------------------------------------------------

    async def _write_customer(self, stream: TextIO, user_id: int, locale: str) -> int:
        """One table for both kinds of row, told apart by the first column: one header row
        lets a spreadsheet sort and filter the whole file, where a second table below the
        first would be read as data. Orders come first, then the balance movements, each
        oldest first, the movements with the balance after each."""

        def text(key: str, **params: Any) -> str:
            return self._texts.get(locale, key, **params)

        code = self._currency.code
        header = [text(f"export-column-{name}", currency=code) for name in CUSTOMER_COLUMNS]
        selection = Selection(user_id=user_id)
        order_kind, movement_kind = text("export-kind-order"), text("export-kind-movement")

        async def orders() -> AsyncIterator[list[list[str]]]:
            async with self._db.read() as r:
                async for chunk in r.exports.orders(selection):
                    yield [
                        [
                            order_kind,
                            time_cell(o.created_at),
                            str(o.id),
                            text_cell(o.service_name),
                            text_cell(o.link),
                            str(o.quantity),
                            text(f"state-{o.state.value.replace('_', '-')}"),
                            money_cell(o.price),
                            money_cell(o.refunded),
                            "",
                            "",
                            "",
                            "",
                        ]  # fmt: skip
                        for o in chunk
                    ]

        balance = Decimal(0)

        def movement(row: LedgerRow) -> list[str]:
            nonlocal balance
            balance += row.amount
            return [
                movement_kind, time_cell(row.created_at), _id_cell(row.order_id), "", "",
                "", "", "", "", text(f"export-reason-{row.reason.value.replace('_', '-')}"),
                money_cell(row.amount), money_cell(balance), text_cell(row.key),
            ]  # fmt: skip

        async def movements() -> AsyncIterator[list[list[str]]]:
            async with self._db.read() as r:
                async for chunk in r.exports.ledger(selection):
                    yield [movement(row) for row in chunk]

        async def both() -> AsyncIterator[list[list[str]]]:
            async for chunk in orders():
                yield chunk
            async for chunk in movements():
                yield chunk

        return await _write_chunks(stream, header, both())
