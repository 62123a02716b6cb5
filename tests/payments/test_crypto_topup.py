"""Top-ups through Crypto Pay, through the Dispatcher, against the Crypto Pay double served
over loopback HTTP: the method chooser, the invoice, and the three ways a payment is learnt
(the poll, the Check button, the webhook), which credit it once."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from aiogram.methods import EditMessageText, SendMessage
from aiohttp import web
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from api.cryptopay import CryptoPayClient
from api.cryptopay.sandbox import CryptoPaySandbox, Forgery, Outage, create_app
from api.sandbox import ManualClock
from bot.cryptopay_webhook import add_crypto_pay_route
from bot.runtime import Runtime
from handlers.callbacks import CryptoCheckCb
from shop.crypto_topups import (
    CREATE_GRACE,
    CreateProblem,
    CryptoDesk,
    InvoiceNotCreated,
    Settled,
)
from shop.storage import CryptoInvoiceRow, CryptoInvoiceStatus, LedgerReason, utc_now
from shop.topups import TopUpMethod
from shop.wallet import Wallet

from ..conftest import ADMIN_CHAT
from ..support.telegram import BotClient, RecordingSession
from ..support.telegram.failures import bad_request
from .stars import ledger_rows

CRYPTO_TOKEN = "31337:AAcryptoPayTokenOfTheShopApp"
WEBHOOK_PATH = "/cryptopay/webhook"


@pytest.fixture
def crypto_pay(clock: ManualClock) -> CryptoPaySandbox:
    return CryptoPaySandbox(CRYPTO_TOKEN, clock=clock)


@pytest.fixture
async def crypto_pay_url(crypto_pay: CryptoPaySandbox) -> AsyncIterator[str]:
    server = TestServer(create_app(crypto_pay), host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("/api"))
    await server.close()


@pytest.fixture
def settings_overrides(crypto_pay_url: str) -> dict[str, object]:
    return {"crypto_pay_token": CRYPTO_TOKEN, "crypto_pay_api_url": crypto_pay_url}


@pytest.fixture
def desk(services: Runtime) -> CryptoDesk:
    assert services.crypto is not None
    return services.crypto


@pytest.fixture
async def webhook_url(services: Runtime, desk: CryptoDesk) -> AsyncIterator[str]:
    """The shop's Crypto Pay webhook, served as the bot's webhook server serves it."""
    app = web.Application()
    add_crypto_pay_route(app, WEBHOOK_PATH, SecretStr(CRYPTO_TOKEN), desk)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url(WEBHOOK_PATH))
    await server.close()


async def ask_crypto_invoice(client: BotClient, amount: str = "10.00 USD") -> int:
    """The customer taps Balance, Top up, Crypto and an amount; Crypto Pay's invoice id."""
    await client.send("/start")
    await client.click("Balance")
    await client.click("Top up")
    await client.click("Crypto (CryptoBot)")
    await client.click(amount)
    return await invoice_id_of(client)


async def invoice_id_of(client: BotClient) -> int:
    """Crypto Pay's id of the customer's latest invoice (read back from the shop)."""
    return (await stored(client))[-1].invoice_id or 0


async def stored(client: BotClient) -> list[CryptoInvoiceRow]:
    """The customer's invoices as the shop stored them, oldest first."""
    services: Runtime = client.dispatcher["services"]
    rows = []
    async with services.db.read() as r:
        for row_id in itertools.count(1):
            row = await r.crypto_invoices.get(row_id)
            if row is None:
                return rows
            if row.user_id == client.user.id:
                rows.append(row)
    return rows


async def outbox_texts(services: Runtime, chat_id: int) -> list[str]:
    async with services.db.read() as r:
        rows = await r.outbox.due(utc_now(), 10_000)
    return [row.text for row in rows if row.chat_id == chat_id]


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 10) -> None:
    async def until() -> None:
        while not await check():
            await asyncio.sleep(0.02)

    await asyncio.wait_for(until(), seconds)


# --- the chooser and the invoice ---------------------------------------------------------------


async def test_top_up_offers_stars_and_crypto_and_stars_is_as_before(alice: BotClient) -> None:
    await alice.send("/start")
    await alice.click("Balance")
    await alice.click("Top up")
    assert alice.screen.last.text == "💰 Top up your balance\nHow would you like to pay?"
    assert alice.screen.last.buttons == [
        ["⭐ Telegram Stars"],
        ["💎 Crypto (CryptoBot)"],
        ["◀ Back"],
    ]
    await alice.click("Telegram Stars")
    assert "Payment is in Telegram Stars ⭐" in alice.screen.last.text
    assert alice.screen.last.buttons[0] == ["5.00 USD", "10.00 USD"]
    await alice.click("Back")
    assert alice.screen.last.text.endswith("How would you like to pay?")


async def test_with_stars_only_there_is_nothing_to_choose(services: Runtime) -> None:
    assert services.wallet.methods() == (TopUpMethod.STARS, TopUpMethod.CRYPTO)
    stars_only = Wallet(services.db, services.topup, services.alerts)
    assert stars_only.methods() == (TopUpMethod.STARS,)


async def test_an_invoice_is_made_in_the_shops_currency_with_pay_and_check_buttons(
    alice: BotClient, crypto_pay: CryptoPaySandbox
) -> None:
    await alice.send("/start")
    await alice.click("Balance")
    await alice.click("Top up")
    await alice.click("Crypto (CryptoBot)")
    assert alice.screen.last.text.startswith("💎 Top up with crypto\n")
    assert "in USDT, TON, BTC" in alice.screen.last.text
    await alice.click("25.00 USD")

    [create] = crypto_pay.calls_of("createInvoice")
    [row] = await stored(alice)
    assert create.token == CRYPTO_TOKEN
    assert {name: str(value) for name, value in create.fields.items()} == {
        "currency_type": "fiat",
        "fiat": "USD",
        "amount": "25",
        "accepted_assets": "USDT,TON,BTC",
        "payload": row.key,
        "description": "Top-up of 25.00 USD in Shop",
        "expires_in": "3600",
    }
    assert (row.amount, row.currency, row.status) == (
        Decimal(25),
        "USD",
        CryptoInvoiceStatus.ACTIVE,
    )
    invoice = crypto_pay.invoice(row.invoice_id or 0)
    message = alice.screen.last
    assert message.text.startswith("💎 Invoice for 25.00 USD\n")
    assert "within 60 minutes" in message.text
    assert message.buttons == [["💎 Pay 25.00 USD"], ["🔄 Check payment"]]
    assert message.button("💎 Pay 25.00 USD").url == invoice.bot_invoice_url


async def test_a_typed_amount_is_checked_as_for_stars_without_the_stars_limit(
    alice: BotClient, crypto_pay: CryptoPaySandbox
) -> None:
    await alice.send("/start")
    await alice.click("Balance")
    await alice.click("Top up")
    await alice.click("Crypto (CryptoBot)")
    await alice.click("Another amount")
    for text, reply in [
        ("lots", "⚠️ Please send an amount like 10 or 12.50."),
        ("0.5", "⚠️ That is below the smallest top-up of 1.00 USD."),
        ("100000", "⚠️ That is above the largest top-up of 500.00 USD."),
        ("1.005", "⚠️ Please send an amount like 10 or 12.50."),
    ]:
        await alice.send(text)
        assert alice.screen.last.text == reply
    assert crypto_pay.calls_of("createInvoice") == []
    # 200 USD is more than one Stars invoice may ask (10,000 stars), not more than crypto.
    await alice.send("200")
    [create] = crypto_pay.calls_of("createInvoice")
    assert Decimal(str(create.fields["amount"])) == 200
    assert alice.screen.last.text.startswith("💎 Invoice for 200.00 USD")


async def test_check_before_paying_says_no_payment_yet(alice: BotClient) -> None:
    await ask_crypto_invoice(alice)
    await alice.click("Check payment")
    assert alice.last_answer_callback().text == (
        "⏳ No payment yet. Pay with the button above, then check again."
    )


# --- a payment, learnt three ways ----------------------------------------------------------------


async def test_paid_seen_by_poll_webhook_and_button_at_once_is_credited_once(
    alice: BotClient,
    services: Runtime,
    desk: CryptoDesk,
    crypto_pay: CryptoPaySandbox,
    webhook_url: str,
) -> None:
    invoice_id = await ask_crypto_invoice(alice)
    crypto_pay.pay(invoice_id, "TON")

    _, status, _ = await asyncio.gather(
        desk.poll_once(),
        crypto_pay.send_webhook(webhook_url, invoice_id),
        alice.click("Check payment"),
    )
    # And once more each, later.
    assert await crypto_pay.send_webhook(webhook_url, invoice_id) == 200
    assert await desk.poll_once() == {}
    [row] = await stored(alice)
    await alice.click_data(CryptoCheckCb(invoice=row.id).pack())

    assert status == 200
    assert await ledger_rows(services, alice.user.id) == [(LedgerReason.CRYPTO_TOPUP, Decimal(10))]
    [notice] = await outbox_texts(services, alice.user.id)
    assert notice == (
        "✅ <b>Your crypto payment has arrived: 10.00 USD added to your balance.</b>\n"
        "Your balance: 10.00 USD"
    )
    assert alice.last_answer_callback().text == "✅ Paid: the money is on your balance."
    paid = "✅ <b>Invoice for 10.00 USD paid.</b> The money is on your balance."
    assert paid in [edit.text for edit in alice.requests_of(EditMessageText)]
    [row] = await stored(alice)
    assert (row.status, row.paid_asset) == (CryptoInvoiceStatus.PAID, "TON")
    assert row.credited_at is not None


async def test_the_poll_credits_and_tells_the_customer_in_their_language(
    make_client: Callable[..., BotClient],
    services: Runtime,
    desk: CryptoDesk,
    crypto_pay: CryptoPaySandbox,
) -> None:
    boris = make_client(user_id=212, first_name="Борис", language_code="ru")
    await boris.send("/start")
    await boris.click("Баланс")
    await boris.click("Пополнить")
    await boris.click("Криптовалюта (CryptoBot)")
    await boris.click("10.00 USD")
    invoice_id = await invoice_id_of(boris)
    assert await desk.poll_once() == {Settled.NOT_PAID: 1}
    crypto_pay.pay(invoice_id)

    assert await desk.poll_once() == {Settled.CREDITED: 1}

    assert await outbox_texts(services, boris.user.id) == [
        "✅ <b>Ваша оплата криптовалютой получена: 10.00 USD зачислено на баланс.</b>\n"
        "Ваш баланс: 10.00 USD"
    ]
    asked = [call.fields.get("invoice_ids") for call in crypto_pay.calls_of("getInvoices")]
    assert [str(ids) for ids in asked] == [str(invoice_id), str(invoice_id)]


async def test_the_poll_asks_100_invoices_a_call(
    services: Runtime, desk: CryptoDesk, crypto_pay: CryptoPaySandbox, alice: BotClient
) -> None:
    async with services.db.transaction() as tx:
        for customer in range(1000, 1150):
            await tx.users.upsert(customer, None, f"Customer {customer}", "en")
    for customer in range(1000, 1150):
        await services.wallet.crypto_invoice(customer, Decimal(5), "bulk")
    crypto_pay.requests.clear()

    assert await desk.poll_once() == {Settled.NOT_PAID: 150}

    calls = crypto_pay.calls_of("getInvoices")
    assert [len(str(call.fields["invoice_ids"]).split(",")) for call in calls] == [100, 50]


async def test_the_referrer_earns_their_percent_of_a_crypto_top_up(
    make_client: Callable[..., BotClient],
    services: Runtime,
    desk: CryptoDesk,
    crypto_pay: CryptoPaySandbox,
) -> None:
    rita = make_client(user_id=501, first_name="Rita")
    await rita.send("/start")
    fred = make_client(user_id=502, first_name="Fred")
    await fred.send("/start ref_501")
    invoice_id = await ask_crypto_invoice(fred, "50.00 USD")
    crypto_pay.pay(invoice_id, "USDT")
    await desk.poll_once()
    await desk.poll_once()
    assert await ledger_rows(services, 502) == [(LedgerReason.CRYPTO_TOPUP, Decimal(50))]
    assert await ledger_rows(services, 501) == [(LedgerReason.REFERRAL_BONUS, Decimal("2.5"))]


async def test_the_api_down_during_the_poll_loses_nothing(
    alice: BotClient,
    services: Runtime,
    desk: CryptoDesk,
    crypto_pay: CryptoPaySandbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    invoice_id = await ask_crypto_invoice(alice)
    crypto_pay.pay(invoice_id)
    crypto_pay.fail_next(1, Outage.HTTP_502, method="getInvoices")
    crypto_pay.fail_next(1, Outage.DISCONNECT, method="getInvoices")

    async def credited() -> bool:
        return bool(await ledger_rows(services, alice.user.id))

    with caplog.at_level(logging.WARNING, logger="shop.crypto_topups"):
        loop = asyncio.create_task(desk.run(every=0.05))
        try:
            await eventually(credited)
        finally:
            loop.cancel()
            await asyncio.gather(loop, return_exceptions=True)

    assert len(crypto_pay.calls_of("getInvoices")) >= 3
    assert await ledger_rows(services, alice.user.id) == [(LedgerReason.CRYPTO_TOPUP, Decimal(10))]
    failures = [r.getMessage() for r in caplog.records if "Crypto Pay poll failed" in r.message]
    assert len(failures) == 2
    assert all(CRYPTO_TOKEN not in line for line in caplog.messages)


async def test_the_button_while_the_api_is_down_says_so_and_changes_nothing(
    alice: BotClient, services: Runtime, crypto_pay: CryptoPaySandbox
) -> None:
    invoice_id = await ask_crypto_invoice(alice)
    crypto_pay.pay(invoice_id)
    crypto_pay.fail_next(1, Outage.GARBAGE, method="getInvoices")
    await alice.click("Check payment")
    assert alice.last_answer_callback().text == (
        "⚠️ Crypto Pay does not answer just now. Please try again in a minute."
    )
    assert await ledger_rows(services, alice.user.id) == []
    await alice.click("Check payment")
    assert await ledger_rows(services, alice.user.id) == [(LedgerReason.CRYPTO_TOPUP, Decimal(10))]


async def test_one_invoice_crypto_pay_shows_unreadably_holds_up_no_other(
    make_client: Callable[..., BotClient],
    services: Runtime,
    desk: CryptoDesk,
    crypto_pay: CryptoPaySandbox,
) -> None:
    ann, bob = make_client(user_id=601, first_name="Ann"), make_client(user_id=602)
    odd_id, fine_id = await ask_crypto_invoice(ann), await ask_crypto_invoice(bob)
    crypto_pay.pay(odd_id)
    crypto_pay.pay(fine_id)
    odd = crypto_pay.invoices[odd_id]
    kept_hash = odd.hash
    odd.hash = None  # type: ignore[assignment]  # a shape the shop cannot read

    # Past its lifetime, too: unreadable is not gone.
    assert await desk.poll_once(utc_now() + timedelta(days=1)) == {Settled.CREDITED: 1}
    assert await ledger_rows(services, bob.user.id) == [(LedgerReason.CRYPTO_TOPUP, Decimal(10))]
    assert await ledger_rows(services, ann.user.id) == []
    [row] = await stored(ann)
    assert row.status is CryptoInvoiceStatus.ACTIVE

    odd.hash = kept_hash  # readable again: credited then, once
    assert await desk.poll_once() == {Settled.CREDITED: 1}
    assert await ledger_rows(services, ann.user.id) == [(LedgerReason.CRYPTO_TOPUP, Decimal(10))]


async def test_a_customer_gets_three_open_invoices_at_most(
    alice: BotClient, services: Runtime, crypto_pay: CryptoPaySandbox, clock: ManualClock
) -> None:
    for _ in range(3):
        await ask_crypto_invoice(alice)
    await ask_crypto_invoice(alice)

    assert alice.screen.last.text == (
        "⚠️ You have unpaid crypto invoices already. Pay one of them above, or try again"
        " when they expire."
    )
    assert len(crypto_pay.calls_of("createInvoice")) == 3
    assert len(await stored(alice)) == 3

    # One paid, there is room again.
    [first, *_] = await stored(alice)
    assert first.invoice_id is not None
    crypto_pay.pay(first.invoice_id, "USDT")
    desk = services.crypto
    assert desk is not None
    await desk.poll_once()
    await ask_crypto_invoice(alice, "25.00 USD")
    assert len(crypto_pay.calls_of("createInvoice")) == 4


async def test_check_tapped_again_at_once_does_not_ask_crypto_pay_again(
    alice: BotClient, crypto_pay: CryptoPaySandbox
) -> None:
    await ask_crypto_invoice(alice)
    crypto_pay.requests.clear()

    for _ in range(5):
        await alice.click("Check payment")
        assert alice.last_answer_callback().text is not None

    assert len(crypto_pay.calls_of("getInvoices")) == 1


# --- invoices that must not be credited ----------------------------------------------------------


@pytest.mark.parametrize("forgery", list(Forgery))
async def test_a_forged_webhook_is_refused_and_credits_nothing(
    alice: BotClient,
    services: Runtime,
    crypto_pay: CryptoPaySandbox,
    webhook_url: str,
    forgery: Forgery,
    caplog: pytest.LogCaptureFixture,
) -> None:
    invoice_id = await ask_crypto_invoice(alice)
    crypto_pay.pay(invoice_id)
    with caplog.at_level(logging.WARNING, logger="bot.cryptopay_webhook"):
        status = await crypto_pay.send_webhook(webhook_url, invoice_id, forgery=forgery)
    assert status == 401
    assert await ledger_rows(services, alice.user.id) == []
    [refused] = [line for line in caplog.messages if "without a valid signature" in line]
    assert CRYPTO_TOKEN not in refused
    [row] = await stored(alice)
    assert row.status is CryptoInvoiceStatus.ACTIVE


async def test_a_webhook_for_an_invoice_the_shop_did_not_make_is_alerted_not_credited(
    alice: BotClient,
    services: Runtime,
    crypto_pay: CryptoPaySandbox,
    crypto_pay_url: str,
    webhook_url: str,
) -> None:
    await alice.send("/start")
    async with CryptoPayClient(CRYPTO_TOKEN, crypto_pay_url) as other_tool:
        invoice = await other_tool.create_invoice(
            Decimal(40), "USD", ["USDT"], "not-the-shops", "a donation", 600
        )
    crypto_pay.pay(invoice.invoice_id)

    assert await crypto_pay.send_webhook(webhook_url, invoice.invoice_id) == 200
    assert await crypto_pay.send_webhook(webhook_url, invoice.invoice_id) == 200

    assert await ledger_rows(services, alice.user.id) == []
    [alert] = await outbox_texts(services, ADMIN_CHAT)
    assert alert.startswith("❓ <b>A Crypto Pay payment this shop did not ask for</b>")
    assert f"<code>{invoice.invoice_id}</code>" in alert
    assert "40 USD, paid 40.00000000 USDT" in alert


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [("amount", Decimal(1000), "amount 1000, stored 10"), ("fiat", "EUR", "currency EUR")],
)
async def test_an_invoice_unlike_the_one_stored_is_alerted_not_credited(
    alice: BotClient,
    services: Runtime,
    desk: CryptoDesk,
    crypto_pay: CryptoPaySandbox,
    field: str,
    value: object,
    shown: str,
) -> None:
    invoice_id = await ask_crypto_invoice(alice)
    setattr(crypto_pay.invoices[invoice_id], field, value)
    crypto_pay.pay(invoice_id)

    assert await desk.poll_once() == {Settled.MISMATCH: 1}
    # Paid at Crypto Pay, it will not change: closed, the poll asks no more, once alerted.
    asked = len(crypto_pay.calls_of("getInvoices"))
    assert await desk.poll_once() == {}
    assert len(crypto_pay.calls_of("getInvoices")) == asked
    await alice.click("Check payment")

    assert alice.last_answer_callback().text == (
        "🕓 This payment does not match its invoice. The shop's staff are checking it."
    )
    assert await ledger_rows(services, alice.user.id) == []
    [alert] = await outbox_texts(services, ADMIN_CHAT)
    assert alert.startswith("⚠️ <b>A Crypto Pay payment differs from its invoice</b>")
    assert shown in alert


async def test_an_invoice_made_before_the_shops_currency_changed_is_alerted_not_credited(
    alice: BotClient,
    services: Runtime,
    desk: CryptoDesk,
    crypto_pay: CryptoPaySandbox,
    crypto_pay_url: str,
) -> None:
    """Made when the shop counted in EUR; the shop counts in USD now: 10 EUR paid is not
    10 USD of the shop's money."""
    await alice.send("/start")
    async with services.db.transaction() as tx:
        row = await tx.crypto_invoices.create(
            alice.user.id, Decimal(10), "EUR", timedelta(hours=1)
        )
    async with CryptoPayClient(CRYPTO_TOKEN, crypto_pay_url) as client:
        invoice = await client.create_invoice(Decimal(10), "EUR", ["USDT"], row.key, "old", 3600)
    async with services.db.transaction() as tx:
        await tx.crypto_invoices.attach(row.id, invoice.invoice_id, invoice.bot_invoice_url)
    crypto_pay.pay(invoice.invoice_id)

    assert await desk.poll_once() == {Settled.MISMATCH: 1}

    assert await ledger_rows(services, alice.user.id) == []
    [alert] = await outbox_texts(services, ADMIN_CHAT)
    assert alert.startswith("⚠️ <b>A Crypto Pay payment differs from its invoice</b>")
    assert "stored in EUR, the shop now counts in USD" in alert


async def test_an_expired_invoice_is_marked_and_its_button_answers_expired(
    alice: BotClient, services: Runtime, desk: CryptoDesk, crypto_pay: CryptoPaySandbox
) -> None:
    invoice_id = await ask_crypto_invoice(alice)
    crypto_pay.expire(invoice_id)

    assert await desk.poll_once() == {Settled.EXPIRED: 1}
    [row] = await stored(alice)
    assert row.status is CryptoInvoiceStatus.EXPIRED
    asked = len(crypto_pay.calls_of("getInvoices"))
    await alice.click("Check payment")

    assert alice.last_answer_callback().text == "⌛ This invoice has expired."
    assert alice.screen.last.text == (
        "⌛ This invoice has expired and can no longer be paid. "
        "Ask for a new one: Balance → Top up."
    )
    assert alice.screen.last.buttons == [["💰 Top up"]]
    # Expired is final: Crypto Pay is not asked again, and the poll leaves it be.
    assert len(crypto_pay.calls_of("getInvoices")) == asked
    assert await desk.poll_once() == {}
    assert await ledger_rows(services, alice.user.id) == []


# --- when creating the invoice goes wrong --------------------------------------------------------


async def test_a_lost_create_answer_leaves_an_invoice_the_poll_finds_and_credits(
    alice: BotClient, services: Runtime, desk: CryptoDesk, crypto_pay: CryptoPaySandbox
) -> None:
    # Crypto Pay makes the invoice, but its answer never arrives.
    crypto_pay.fail_next(1, Outage.DISCONNECT, method="createInvoice", applied=True)
    await alice.send("/start")
    await alice.click("Balance")
    await alice.click("Top up")
    await alice.click("Crypto (CryptoBot)")
    await alice.click("10.00 USD")
    assert alice.screen.last.text == (
        "⚠️ Crypto Pay does not answer just now. Please try again in a minute."
    )
    [row] = await stored(alice)
    assert (row.status, row.invoice_id) == (CryptoInvoiceStatus.CREATING, None)
    [made] = crypto_pay.invoices.values()
    crypto_pay.pay(made.invoice_id)

    # Its answer could still be on its way for a while; after that the poll looks for it.
    assert await desk.poll_once() == {}
    later = utc_now() + CREATE_GRACE + timedelta(seconds=1)
    assert await desk.poll_once(now=later) == {Settled.CREDITED: 1}

    [row] = await stored(alice)
    assert (row.status, row.invoice_id) == (CryptoInvoiceStatus.PAID, made.invoice_id)
    assert await ledger_rows(services, alice.user.id) == [(LedgerReason.CRYPTO_TOPUP, Decimal(10))]


async def test_a_create_never_sent_closes_the_invoice(
    alice: BotClient, services: Runtime, desk: CryptoDesk
) -> None:
    await alice.send("/start")
    # Nothing listens there: no connection is made, so Crypto Pay made nothing.
    async with CryptoPayClient(CRYPTO_TOKEN, "http://127.0.0.1:9/api") as unreachable:
        cut_off = CryptoDesk(
            services.db, unreachable, desk.terms, services.notices, services.alerts
        )
        with pytest.raises(InvoiceNotCreated) as failed:
            await cut_off.create(alice.user.id, Decimal(10), "Top-up")
    assert failed.value.problem is CreateProblem.UNAVAILABLE
    [row] = await stored(alice)
    assert row.status is CryptoInvoiceStatus.FAILED
    assert await cut_off.poll_once() == {}


async def test_a_pay_link_telegram_refuses_in_a_button_comes_in_the_text(
    alice: BotClient, session: RecordingSession, crypto_pay: CryptoPaySandbox
) -> None:
    await alice.send("/start")
    await alice.click("Balance")
    await alice.click("Top up")
    await alice.click("Crypto (CryptoBot)")
    session.fail_next(SendMessage, bad_request("BUTTON_URL_INVALID"))
    await alice.click("10.00 USD")
    [made] = crypto_pay.invoices.values()
    message = alice.screen.last
    assert message.text.startswith("💎 Invoice for 10.00 USD\n")
    assert message.text.endswith(f"Pay here: {made.pay_url}")
    assert message.buttons == [["🔄 Check payment"]]
