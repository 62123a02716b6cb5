"""/export orders|ledger|customers [from] [to] in the admin group: a CSV document of the
shop's orders, ledger or customers over whole UTC days, safe to open in a spreadsheet,
zipped over Telegram's upload limit, one at a time; the file is gone afterwards."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from aiogram.methods import SendDocument

from api.sandbox import CANCEL_MARKER, ManualClock, SandboxPanel, builtin_catalogue
from bot.app import open_runtime
from bot.config import Settings
from bot.runtime import Runtime
from shop.catalogue import sync_catalogue
from shop.exports import ExportKind, Period
from shop.storage import OrderState, utc_now

from ..support.telegram import BotClient, RecordingSession, ScreenMessage, TelegramFailure
from .conftest import ADMIN_CHAT
from .shop import FOLLOWERS, add_customer, order, place

BOM = b"\xef\xbb\xbf"
#: A day in the past the first order and its charge are dated on.
PAST = datetime(2025, 1, 15, 23, 59, 59, tzinfo=UTC)
CHEAP = 7402
CHEAP_NAME = '+Views <i>"fast"</i> & cheap, ; Просмотры'
CHEAP_ROW = {
    "service": CHEAP,
    "name": CHEAP_NAME,
    "type": "Default",
    "category": "YouTube",
    "rate": "0.0045",
    "min": "100",
    "max": "10000000",
}
ORDERS_HEADER = [
    "id", "created_utc", "customer_id", "service_id", "service_name", "panel",
    "panel_service_id", "panel_order_id", "link", "quantity", "state", "panel_status",
    "charge", "cost", "refunded", "currency",
]  # fmt: skip
CUSTOMER = 301
#: A name that would run as a formula, with markup, a comma, a newline and a semicolon.
NAME = '=cmd|" /C calc"!A0 <b>&</b>,\n;'
RUSSIAN = 302


def csv_rows(message: ScreenMessage) -> list[list[str]]:
    """The rows of the CSV document ``message`` carries, which starts with a UTF-8 BOM."""
    assert message.kind == "document", message.describe()
    assert message.content is not None
    return _rows(message.content)


def _rows(content: bytes) -> list[list[str]]:
    assert content.startswith(BOM)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


@pytest.fixture
async def shop(
    services: Runtime,
    panel: SandboxPanel,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, int]:
    """Two customers; an order of 2025-01-15 (its charge too), one canceled and refunded
    today, and one today of a service priced 0.0045 per 1000. The order ids by name."""
    panel.set_services([*builtin_catalogue(), CHEAP_ROW])
    await sync_catalogue(services.db, services.panel)
    await add_customer(services, CUSTOMER, username="mallory", first_name=NAME, funds=Decimal(30))
    await add_customer(services, RUSSIAN, first_name="Анна «Ёж»", language="ru")
    with monkeypatch.context() as past:
        for module in ("orders", "ledger"):
            past.setattr(f"shop.storage.repositories.{module}.utc_now", lambda: PAST)
        old = await place(services, CUSTOMER, link='@once, "again"; here')
    canceled = await place(services, CUSTOMER, link=f"https://youtu.be/x?{CANCEL_MARKER}")
    cheap = await place(services, CUSTOMER, service_id=CHEAP, quantity=1000)
    clock.advance(panel.pending_seconds + panel.progress_seconds + 1)
    await services.tracker.poll_once()
    assert (await order(services, canceled.order.id)).state is OrderState.CANCELED
    return {"old": old.order.id, "canceled": canceled.order.id, "cheap": cheap.order.id}


async def test_the_orders_export_has_every_order_with_its_panel_money_and_refunds(
    owner: BotClient, services: Runtime, shop: dict[str, int]
) -> None:
    today = utc_now().date()

    sent = await owner.send("/export orders")

    assert [m.text for m in sent.messages] == ["⏳ Preparing your file…"]
    document = owner.screen.last
    assert document.text == f"📄 Orders · … – {today} (UTC) · 3 rows"
    assert document.file_name == f"orders-start-{today}.csv"
    rows = csv_rows(document)
    assert rows[0] == ORDERS_HEADER
    old, canceled, cheap = [await order(services, shop[name]) for name in shop]
    followers = "Instagram Followers [Real] [30 days refill]"
    assert rows[1:] == [
        [str(old.id), "2025-01-15 23:59:59", str(CUSTOMER), str(FOLLOWERS), followers, "main",
         str(FOLLOWERS), str(old.panel_order_id), '\'@once, "again"; here', "1000", "completed",
         "Completed", "1.17", "0.9", "0", "USD"],
        [str(canceled.id), f"{canceled.created_at:%Y-%m-%d %H:%M:%S}", str(CUSTOMER),
         str(FOLLOWERS), followers, "main", str(FOLLOWERS), str(canceled.panel_order_id),
         f"https://youtu.be/x?{CANCEL_MARKER}", "1000", "canceled", "Canceled", "1.17", "0.9",
         "1.17", "USD"],
        [str(cheap.id), f"{cheap.created_at:%Y-%m-%d %H:%M:%S}", str(CUSTOMER), str(CHEAP),
         f"'{CHEAP_NAME}", "main", str(CHEAP), str(cheap.panel_order_id),
         "https://instagram.com/shop.alice", "1000", "completed", "Completed", "0.01",
         "0.0045", "0", "USD"],
    ]  # fmt: skip
    assert list(services.exports.folder.iterdir()) == []


@pytest.mark.parametrize(
    ("arguments", "orders"),
    [
        ("2025-01-01 2025-01-31", ["old"]),
        ("2025-01-15 2025-01-15", ["old"]),
        ("2025-01-14 2025-01-14", []),
        ("2025-01-16", ["canceled", "cheap"]),
        ("2000-01-01", ["old", "canceled", "cheap"]),
    ],
)
async def test_an_export_over_a_period_takes_the_orders_of_its_whole_utc_days(
    owner: BotClient, shop: dict[str, int], arguments: str, orders: list[str]
) -> None:
    await owner.send(f"/export orders {arguments}")

    rows = csv_rows(owner.screen.last)
    assert [row[0] for row in rows[1:]] == [str(shop[name]) for name in orders]
    first = arguments.split(maxsplit=1)[0]
    assert (owner.screen.last.text or "").startswith(f"📄 Orders · {first} – ")
    counted = "1 row" if len(orders) == 1 else f"{len(orders)} rows"
    assert (owner.screen.last.text or "").endswith(f" · {counted}")


async def test_the_ledger_export_has_every_balance_change_with_its_reason_and_key(
    owner: BotClient, services: Runtime, shop: dict[str, int]
) -> None:
    await owner.send(f"/credit {RUSSIAN} 2.50 =SUM(A1:A9) goodwill, sorry")

    await owner.send("/export ledger")

    rows = csv_rows(owner.screen.last)
    assert rows[0] == [
        "id", "time_utc", "customer_id", "amount", "currency", "reason", "key", "order_id",
        "note",
    ]  # fmt: skip
    assert [row[2:6] + row[7:] for row in rows[1:]] == [
        [str(CUSTOMER), "30", "USD", "topup", "", ""],
        [str(CUSTOMER), "-1.17", "USD", "order_charge", str(shop["old"]), ""],
        [str(CUSTOMER), "-1.17", "USD", "order_charge", str(shop["canceled"]), ""],
        [str(CUSTOMER), "-0.01", "USD", "order_charge", str(shop["cheap"]), ""],
        [str(CUSTOMER), "1.17", "USD", "refund", str(shop["canceled"]), ""],
        [str(RUSSIAN), "2.5", "USD", "admin_adjustment", "", "'=SUM(A1:A9) goodwill, sorry"],
    ]
    assert rows[2][1] == "2025-01-15 23:59:59"
    assert rows[5][6] == f"refund:order:{shop['canceled']}"
    assert (owner.screen.last.text or "").endswith(" · 6 rows")

    await owner.send("/export ledger 2025-01-15 2025-01-15")
    assert [row[0] for row in csv_rows(owner.screen.last)[1:]] == [rows[2][0]]


async def test_the_customers_export_has_balances_orders_spending_and_bans(
    owner: BotClient, services: Runtime, shop: dict[str, int]
) -> None:
    await owner.send(f"/ban {RUSSIAN} chargebacks")

    await owner.send("/export customers")

    rows = csv_rows(owner.screen.last)
    assert rows[0] == [
        "id", "username", "first_name", "language", "balance", "currency", "orders", "spent",
        "joined_utc", "banned", "banned_utc", "blocked_bot",
    ]  # fmt: skip
    assert [row[:8] + [row[9], row[11]] for row in rows[1:]] == [
        [str(CUSTOMER), "mallory", f"'{NAME}", "en", "28.82", "USD", "3", "1.18", "no", "no"],
        [str(RUSSIAN), "", "Анна «Ёж»", "ru", "0", "USD", "0", "0", "yes", "no"],
    ]
    assert rows[1][10] == ""
    assert rows[2][10].startswith(f"{utc_now():%Y-%m-%d}")
    assert (owner.screen.last.text or "").startswith("📄 Customers who joined · … – ")

    await owner.send("/export customers 2000-01-01 2000-12-31")
    assert csv_rows(owner.screen.last) == [rows[0]]


@pytest.mark.parametrize(
    "arguments",
    [
        "",
        "invoices",
        "orders 2025-13-01",
        "orders 20250101",
        "orders 2025-02-01 2025-01-31",
        "orders 2025-01-01 2025-01-31 2025-02-28",
        "orders yesterday",
    ],
)
async def test_arguments_that_do_not_read_get_the_usage_and_no_file(
    owner: BotClient, services: Runtime, arguments: str
) -> None:
    sent = await owner.send(f"/export {arguments}".strip())

    assert [m.text for m in sent.messages] == [
        "Usage: /export orders|ledger|customers [from] [to] — a CSV file; days as YYYY-MM-DD"
        " in UTC, both included (from: the beginning, to: today when left out)"
    ]
    assert not sent.of(SendDocument)


async def test_a_csv_over_the_upload_limit_is_sent_zipped(
    owner: BotClient, services: Runtime, shop: dict[str, int]
) -> None:
    await owner.send("/export orders")
    plain = owner.screen.last.content
    assert plain is not None
    services.exports.upload_limit = len(plain) - 1

    await owner.send("/export orders")

    document = owner.screen.last
    today = utc_now().date()
    assert document.file_name == f"orders-start-{today}.zip"
    assert document.text == (
        f"📄 Orders · … – {today} (UTC) · 3 rows\n"
        "Zipped: the CSV is over Telegram's 50 MB limit for a file."
    )
    assert document.content is not None
    with zipfile.ZipFile(io.BytesIO(document.content)) as archive:
        assert archive.namelist() == [f"orders-start-{today}.csv"]
        assert archive.infolist()[0].compress_type == zipfile.ZIP_DEFLATED
        rows = _rows(archive.read(archive.namelist()[0]))
    assert rows[0] == ORDERS_HEADER
    assert [row[0] for row in rows[1:]] == [str(order_id) for order_id in shop.values()]
    assert list(services.exports.folder.iterdir()) == []


async def test_an_export_over_the_limit_even_zipped_is_refused_and_deleted(
    owner: BotClient, services: Runtime, shop: dict[str, int]
) -> None:
    services.exports.upload_limit = 50

    sent = await owner.send("/export orders")

    assert [m.text for m in sent.messages] == [
        "⏳ Preparing your file…",
        "⚠️ This export is over Telegram's 50 MB limit even zipped. Choose a shorter period.",
    ]
    assert not sent.of(SendDocument)
    assert list(services.exports.folder.iterdir()) == []


async def test_one_export_at_a_time_in_the_group(owner: BotClient, services: Runtime) -> None:
    period = Period(None, utc_now().date())
    async with services.exports.for_staff(ADMIN_CHAT, ExportKind.LEDGER, period):
        sent = await owner.send("/export orders")

    assert [m.text for m in sent.messages] == [
        "⏳ An export is already being prepared here. Please wait for it."
    ]
    assert not sent.of(SendDocument)
    await owner.send("/export orders")
    assert owner.screen.last.kind == "document"


async def test_the_export_of_a_stranger_or_of_another_chat_is_nothing(
    stranger: BotClient, owner_in_private: BotClient, services: Runtime, shop: dict[str, int]
) -> None:
    sent = await stranger.send("/export orders")
    assert list(sent) == []

    # In private, the owner is a customer like any other: their own file, no one else's.
    await owner_in_private.send("/export")
    rows = csv_rows(owner_in_private.screen.last)
    assert len(rows) == 1
    assert [m.thread_id for m in _bot_messages(owner_in_private)] == [None, None]


async def test_the_files_of_a_stopped_export_are_deleted_at_start(
    services: Runtime, owner: BotClient
) -> None:
    folder = services.exports.folder
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "export-abc123.csv").write_bytes(b"left by a process killed mid-export")
    (folder / "notes.txt").write_text("the owner's own file")

    services.exports.discard_leftovers()

    assert sorted(path.name for path in folder.iterdir()) == ["notes.txt"]


# --- in a forum topic ---------------------------------------------------------------------------

#: A topic the staff keep for reports, in the admin group with topics on (as support uses it).
REPORTS = 77


def _bot_messages(client: BotClient) -> list[ScreenMessage]:
    return [message for message in client.screen.messages if message.from_bot]


@pytest.fixture
def reports_topic(session: RecordingSession) -> int:
    """The admin group is a forum with the topic :data:`REPORTS`."""
    session.make_forum(ADMIN_CHAT)
    session.topics[ADMIN_CHAT][REPORTS] = "Reports"
    return REPORTS


async def test_an_export_asked_in_a_topic_comes_into_that_topic(
    owner: BotClient, shop: dict[str, int], reports_topic: int
) -> None:
    sent = await owner.send("/export ledger", thread_id=reports_topic)

    [upload] = sent.of(SendDocument)
    assert upload.message_thread_id == reports_topic
    answers = _bot_messages(owner)
    assert [(m.kind, m.text, m.thread_id) for m in answers] == [
        ("text", "⏳ Preparing your file…", reports_topic),
        ("document", answers[1].text, reports_topic),
    ]
    assert [row[0] for row in csv_rows(answers[1])[:1]] == ["id"]

    # Asked in General, it is answered in General.
    await owner.send("/export orders")
    assert [m.thread_id for m in _bot_messages(owner)[2:]] == [None, None]


async def test_why_no_file_came_is_told_in_the_topic_the_export_was_asked_in(
    owner: BotClient, services: Runtime, shop: dict[str, int], reports_topic: int
) -> None:
    owner.session.fail_next(SendDocument, TelegramFailure(413, "Request Entity Too Large"))
    await owner.send("/export orders", thread_id=reports_topic)
    services.exports.upload_limit = 50
    await owner.send("/export orders", thread_id=reports_topic)
    async with services.exports.for_staff(
        ADMIN_CHAT, ExportKind.LEDGER, Period(None, utc_now().date())
    ):
        await owner.send("/export orders", thread_id=reports_topic)

    assert [(m.text, m.thread_id) for m in _bot_messages(owner)] == [
        ("⏳ Preparing your file…", reports_topic),
        ("⚠️ The file could not be sent just now. Please try again in a minute.", reports_topic),
        ("⏳ Preparing your file…", reports_topic),
        (
            "⚠️ This export is over Telegram's 50 MB limit even zipped. Choose a shorter period.",
            reports_topic,
        ),
        ("⏳ An export is already being prepared here. Please wait for it.", reports_topic),
    ]
    assert list(services.exports.folder.iterdir()) == []


# --- the folder ---------------------------------------------------------------------------------


async def test_each_database_has_its_own_export_folder_that_another_shop_leaves_alone(
    services: Runtime, settings: Settings
) -> None:
    database = settings.database_path
    period = Period(None, utc_now().date())
    second = settings.model_copy(update={"database_path": database.parent / "second.sqlite3"})

    job = services.exports.for_staff(ADMIN_CHAT, ExportKind.LEDGER, period)
    async with job as claimed, claimed.written() as export:
        # A second shop with its database in the same folder starts while this file is
        # being sent: its start-up deletes its own leftovers, not this file.
        other = await open_runtime(second)
        try:
            assert export.path.read_bytes().startswith(BOM)
            assert other.exports.folder != services.exports.folder
        finally:
            await other.aclose()

    assert services.exports.folder == database.parent / f"{database.stem}-exports"
    assert other.exports.folder == database.parent / "second-exports"
    assert list(services.exports.folder.iterdir()) == []
