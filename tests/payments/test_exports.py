"""/export in the private chat, and the Balance screen's "Export CSV": the customer gets one
CSV document with their own orders (refunds included) and balance movements, opened right
by a spreadsheet, at most once a minute; the file is gone from the disk afterwards."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from aiogram import Bot, Dispatcher
from aiogram.fsm.context import FSMContext
from aiogram.methods import SendDocument

from api import OrderType
from api.sandbox import CANCEL_MARKER, ManualClock, SandboxPanel, builtin_catalogue
from bot.runtime import Runtime
from shop.catalogue import sync_catalogue
from shop.ledger import credit
from shop.storage import LedgerReason, OrderState

from ..admin.shop import add_customer, order, place
from ..conversation.shopping import reach_summary, service_of_type, start_order
from ..support.telegram import BotClient, ScreenMessage, TelegramFailure
from .promo import ShopClock

BOM = b"\xef\xbb\xbf"
#: A service as real panels name them: a formula's first character, markup, quotes, commas
#: and Cyrillic; and a rate of 0.0045 per 1000.
ODD_SERVICE = 7401
ODD_NAME = '=1+2 "Likes" <b>&</b>, ; ✓ Лайки'
ODD_ROW = {
    "service": ODD_SERVICE,
    "name": ODD_NAME,
    "type": "Default",
    "category": "Instagram",
    "rate": "0.0045",
    "min": "100",
    "max": "10000000",
}
FOLLOWERS_NAME = "Instagram Followers [Real] [30 days refill]"
ENGLISH_HEADER = [
    "Type", "Date (UTC)", "Order", "Service", "Link", "Quantity", "Status", "Charge (USD)",
    "Refunded (USD)", "Balance change", "Amount (USD)", "Balance after (USD)", "Reference",
]  # fmt: skip


def csv_rows(message: ScreenMessage) -> list[list[str]]:
    """The rows of the CSV document ``message`` carries, which starts with a UTF-8 BOM."""
    assert message.kind == "document", message.describe()
    assert message.content is not None
    assert message.content.startswith(BOM)
    return list(csv.reader(io.StringIO(message.content.decode("utf-8-sig"), newline="")))


def without_dates(rows: list[list[str]]) -> list[list[str]]:
    """``rows`` with the second column (the date) left out."""
    return [row[:1] + row[2:] for row in rows]


@pytest.fixture
def shop_clock(services: Runtime) -> ShopClock:
    """The moment the export's once-a-minute limit sees."""
    clock = ShopClock()
    services.exports.clock = clock
    return clock


async def test_the_customer_gets_their_orders_with_refunds_and_then_their_balance_movements(
    alice: BotClient, services: Runtime, panel: SandboxPanel, clock: ManualClock
) -> None:
    panel.set_services([*builtin_catalogue(), ODD_ROW])
    await sync_catalogue(services.db, services.panel)
    await alice.send("/start")
    await add_customer(services, alice.user.id, funds=Decimal(20))
    async with services.db.transaction() as tx:
        await credit(
            tx, alice.user.id, Decimal("5.5"), LedgerReason.CRYPTO_TOPUP, "topup:crypto:77"
        )
    kept = await place(services, alice.user.id, link='=HYPERLINK("http://x")')
    canceled = await place(
        services, alice.user.id, link=f"https://instagram.com/p/c?{CANCEL_MARKER}"
    )
    odd = await place(services, alice.user.id, service_id=ODD_SERVICE, quantity=100)
    # Someone else's order is not in her file.
    await add_customer(services, 222, funds=Decimal(5))
    await place(services, 222)
    clock.advance(panel.pending_seconds + panel.progress_seconds + 1)
    await services.tracker.poll_once()
    assert (await order(services, canceled.order.id)).state is OrderState.CANCELED

    sent = await alice.send("/export")

    assert [m.text for m in sent.messages] == ["⏳ Preparing your file…"]
    [upload] = sent.of(SendDocument)
    document = alice.screen.last
    assert document.text == "📄 Your orders and balance history: 9 rows. Times are in UTC."
    assert (document.file_name or "").startswith("history-")
    assert (document.file_name or "").endswith(".csv")
    rows = csv_rows(document)
    assert rows[0] == ENGLISH_HEADER
    assert without_dates(rows[1:]) == [
        ["Order", str(kept.order.id), FOLLOWERS_NAME, "'=HYPERLINK(\"http://x\")",
         "1000", "completed", "1.17",
         "0", "", "", "", ""],
        ["Order", str(canceled.order.id), FOLLOWERS_NAME,
         f"https://instagram.com/p/c?{CANCEL_MARKER}", "1000", "canceled", "1.17", "1.17", "",
         "", "", ""],
        ["Order", str(odd.order.id), f"'{ODD_NAME}", "https://instagram.com/shop.alice", "100",
         "completed", "0.01", "0", "",
         "", "", ""],
        ["Balance", "", "", "", "", "", "", "", "Top-up by Telegram Stars", "20", "20",
         f"topup:test:{alice.user.id}"],
        ["Balance", "", "", "", "", "", "", "", "Top-up by crypto", "5.5", "25.5",
         "topup:crypto:77"],
        ["Balance", str(kept.order.id), "", "", "", "", "", "", "Order payment", "-1.17",
         "24.33", f"charge:order:{kept.order.id}"],
        ["Balance", str(canceled.order.id), "", "", "", "", "", "", "Order payment", "-1.17",
         "23.16", f"charge:order:{canceled.order.id}"],
        ["Balance", str(odd.order.id), "", "", "", "", "", "", "Order payment", "-0.01",
         "23.15", f"charge:order:{odd.order.id}"],
        ["Balance", str(canceled.order.id), "", "", "", "", "", "", "Refund for an order",
         "1.17", "24.32", f"refund:order:{canceled.order.id}"],
    ]  # fmt: skip
    assert upload.caption == document.html
    assert rows[1][1] == f"{kept.order.created_at:%Y-%m-%d %H:%M:%S}"
    assert list(services.exports.folder.iterdir()) == []


async def test_a_russian_customer_gets_russian_headers_and_cyrillic_that_excel_reads(
    make_client: Callable[..., BotClient], services: Runtime
) -> None:
    boris = make_client(user_id=333, first_name="Борис", language_code="ru")
    await boris.send("/start")
    await add_customer(services, boris.user.id, funds=Decimal(3))

    await boris.send("/export")

    document = boris.screen.last
    assert document.text == "📄 Ваши заказы и история баланса: строк — 1. Время указано в UTC."
    header, row = csv_rows(document)
    assert header == [
        "Тип", "Дата (UTC)", "Заказ", "Услуга", "Ссылка", "Количество", "Статус",
        "Списано (USD)", "Возвращено (USD)", "Изменение баланса", "Сумма (USD)",
        "Баланс после (USD)", "Номер операции",
    ]  # fmt: skip
    assert row[0] == "Баланс"
    assert row[9:12] == ["Пополнение звёздами Telegram", "3", "3"]


async def test_the_balance_screen_has_an_export_button_that_sends_the_file_below_it(
    alice: BotClient, services: Runtime
) -> None:
    await alice.send("/start")
    await add_customer(services, alice.user.id, funds=Decimal("12.34"))
    await alice.click("Balance")
    assert ["🎟 Promo code", "📄 Export CSV"] in alice.screen.last.buttons
    screen = alice.screen.last

    await alice.click("Export CSV")

    assert alice.screen.get(screen.message_id) is not None  # the Balance screen stays
    header, row = csv_rows(alice.screen.last)
    assert header == ENGLISH_HEADER
    assert row[9:12] == ["Top-up by Telegram Stars", "12.34", "12.34"]


async def test_a_customer_without_history_gets_the_header_alone(
    alice: BotClient, services: Runtime
) -> None:
    await alice.send("/start")

    await alice.send("/export")

    assert alice.screen.last.text == (
        "📄 Your orders and balance history: 0 rows. Times are in UTC."
    )
    assert csv_rows(alice.screen.last) == [ENGLISH_HEADER]


async def test_a_customer_may_export_once_a_minute(
    alice: BotClient, services: Runtime, shop_clock: ShopClock
) -> None:
    await alice.send("/start")
    await alice.send("/export")
    shop_clock.advance(timedelta(seconds=15))

    sent = await alice.send("/export")

    assert [m.text for m in sent.messages] == [
        "⏳ You can export once a minute. Please try again in 45 s."
    ]
    assert not sent.of(SendDocument)
    shop_clock.advance(timedelta(seconds=45))
    sent = await alice.send("/export")
    assert len(sent.of(SendDocument)) == 1


async def test_while_a_customers_export_is_prepared_another_is_refused(
    alice: BotClient, services: Runtime
) -> None:
    await alice.send("/start")

    async with services.exports.for_customer(alice.user.id, "en"):
        sent = await alice.send("/export")

    assert [m.text for m in sent.messages] == [
        "⏳ An export is already being prepared here. Please wait for it."
    ]
    assert not sent.of(SendDocument)


async def test_a_file_telegram_refuses_is_told_and_deleted_all_the_same(
    alice: BotClient, services: Runtime
) -> None:
    await alice.send("/start")
    await add_customer(services, alice.user.id, funds=Decimal(1))
    alice.session.fail_next(SendDocument, TelegramFailure(413, "Request Entity Too Large"))

    sent = await alice.send("/export")

    assert [m.text for m in sent.messages] == [
        "⏳ Preparing your file…",
        "⚠️ The file could not be sent just now. Please try again in a minute.",
    ]
    [upload] = [call for call in sent.calls if isinstance(call.method, SendDocument)]
    assert not upload.ok
    assert upload.uploads["document"].content.startswith(BOM)
    assert list(services.exports.folder.iterdir()) == []


# --- in the middle of an order ------------------------------------------------------------------


def _form_of(dispatcher: Dispatcher, bot: Bot, client: BotClient) -> FSMContext:
    return dispatcher.fsm.get_context(bot, chat_id=client.chat.id, user_id=client.user.id)


async def _where(context: FSMContext) -> tuple[str | None, dict[str, object]]:
    return await context.get_state(), await context.get_data()


async def test_export_in_the_middle_of_an_order_form_sends_the_file_and_the_form_goes_on(
    alice: BotClient,
    services: Runtime,
    panel: SandboxPanel,
    dispatcher: Dispatcher,
    bot: Bot,
) -> None:
    service = service_of_type(panel, OrderType.DEFAULT, lambda service: not service.dripfeed)
    await alice.send("/start")
    await add_customer(services, alice.user.id, funds=Decimal(10))
    await start_order(alice, panel, service)
    assert alice.screen.last.text == "🔗 Send the link (https://…)."
    form = _form_of(dispatcher, bot, alice)
    before = await _where(form)
    assert before[0] is not None

    sent = await alice.send("/export")

    assert [m.text for m in sent.messages] == ["⏳ Preparing your file…"]
    assert len(sent.of(SendDocument)) == 1
    assert csv_rows(alice.screen.last)[0] == ENGLISH_HEADER
    assert await _where(form) == before
    # The question is still the one asked: the link is taken as its answer.
    await alice.send("https://instagram.com/shop.alice")
    assert alice.screen.last.text == f"🔢 How many? From {service.min:,} to {service.max:,}."
    await alice.send("1000")
    summary = alice.screen.last.text or ""
    assert "Link: https://instagram.com/shop.alice\nQuantity: 1000" in summary
    assert alice.screen.last.buttons == [["✅ Confirm", "✖ Cancel"]]


async def test_export_with_a_quote_waiting_sends_the_file_and_the_quote_can_still_be_confirmed(
    alice: BotClient,
    services: Runtime,
    panel: SandboxPanel,
    dispatcher: Dispatcher,
    bot: Bot,
) -> None:
    service = service_of_type(panel, OrderType.DEFAULT, lambda service: not service.dripfeed)
    await alice.send("/start")
    await add_customer(services, alice.user.id, funds=Decimal(10))
    summary = await reach_summary(alice, panel, service)
    form = _form_of(dispatcher, bot, alice)
    before = await _where(form)

    sent = await alice.send("/export")

    assert len(sent.of(SendDocument)) == 1
    assert [row[0] for row in csv_rows(alice.screen.last)[1:]] == ["Balance"]
    assert await _where(form) == before
    await alice.click("Confirm")
    placed = alice.screen.get(summary.message_id)
    assert placed is not None
    assert (placed.text or "").startswith("✅ Order #1 placed")
