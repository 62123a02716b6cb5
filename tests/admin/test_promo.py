"""/promo new, /promo list and /promo off from an admin in the admin group: each kind of code
created, the list with every state, newest first and within Telegram's length, a code
switched off, and arguments that cannot make a code answered with the usage."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from aiogram.methods import SendMessage

from bot.runtime import Runtime
from shop.promo_input import read_spec
from shop.promos import PromoProblem, PromoRefused
from shop.storage import LedgerReason, PromoKind
from shop.topups import Payment, TopUpMethod, credit_top_up

from ..payments.promo import ShopClock, add_customers, code_row, redeem_in_chat, rows
from ..support.telegram import BotClient
from .conftest import ADMIN_CHAT, OWNER

ALICE, BOB = 111, 222
MOMENT = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
USAGE = (
    "Usage: /promo new <CODE> <amount|percent%> [uses] [days] · /promo list · "
    "/promo off <CODE> — promo codes: an amount credited at once, or a percent on the next "
    "top-up"
)


@pytest.fixture
def shop_clock(services: Runtime) -> ShopClock:
    clock = ShopClock()
    clock.now = MOMENT
    services.promos.clock = clock
    return clock


async def _codes(services: Runtime) -> list[str]:
    async with services.db.read() as r:
        return [code.code for code in await r.promos.newest(1000)]


@pytest.mark.usefixtures("shop_clock")
async def test_promo_new_creates_a_voucher_for_anyone_for_ever(
    owner: BotClient, services: Runtime
) -> None:
    requests = await owner.send("/promo new Summer-25 5")

    [reply] = requests.of(SendMessage)
    assert reply.chat_id == ADMIN_CHAT
    assert owner.screen.last.text == (
        "✅ Promo code SUMMER-25 created: 5.00 USD voucher; any number of customers; no end date."
    )
    code = await code_row(services, "SUMMER-25")
    assert (code.kind, code.value, code.max_uses, code.expires_at, code.created_by) == (
        PromoKind.AMOUNT,
        Decimal(5),
        None,
        None,
        OWNER,
    )


@pytest.mark.usefixtures("shop_clock")
async def test_promo_new_creates_a_percent_code_with_uses_and_days(
    owner: BotClient, services: Runtime
) -> None:
    await owner.send("/promo new bonus_10 12.5% 100 30")

    assert owner.screen.last.text == (
        "✅ Promo code BONUS_10 created: +12.5% on the next top-up; 100 customers at most; "
        "until 2025-03-31 12:00 UTC."
    )
    code = await code_row(services, "BONUS_10")
    assert (code.kind, code.value, code.max_uses, code.uses) == (
        PromoKind.PERCENT,
        Decimal("12.5"),
        100,
        0,
    )
    assert code.expires_at == MOMENT + timedelta(days=30)


async def test_a_code_that_exists_in_any_case_is_not_made_again(
    owner: BotClient, services: Runtime
) -> None:
    await owner.send("/promo new WELCOME 5")

    await owner.send("/promo new welcome 50% 1 1")

    assert owner.screen.last.text == "Not done: the promo code WELCOME exists already."
    code = await code_row(services, "WELCOME")
    assert (code.kind, code.value, code.max_uses) == (PromoKind.AMOUNT, Decimal(5), None)
    assert await _codes(services) == ["WELCOME"]


async def test_promo_list_shows_every_code_newest_first_with_its_state(
    owner: BotClient,
    make_client: Callable[..., BotClient],
    services: Runtime,
    shop_clock: ShopClock,
) -> None:
    await owner.send("/promo list")
    assert owner.screen.last.text == "No promo codes yet."

    for command in (
        "/promo new ACTIVE 2 10",
        "/promo new GONE 3",
        "/promo new SHORT 5% 5 1",
        "/promo new SOLO 1 1",
        "/promo new FRESH 25% 3 7",
    ):
        await owner.send(command)
    await owner.send("/promo off gone")
    await redeem_in_chat(make_client(user_id=ALICE), "ACTIVE")
    await redeem_in_chat(make_client(user_id=BOB), "SOLO")
    shop_clock.advance(timedelta(days=2))

    await owner.send("/promo list")

    assert owner.screen.last.text == (
        "Promo codes (5), newest first:\n"
        "FRESH · +25% on the next top-up · used 0/3 · until 2025-03-08 12:00 UTC · active\n"
        "SOLO · 1.00 USD voucher · used 1/1 · no end date · used up\n"
        "SHORT · +5% on the next top-up · used 0/5 · until 2025-03-02 12:00 UTC · expired\n"
        "GONE · 3.00 USD voucher · used 0/∞ · no end date · off\n"
        "ACTIVE · 2.00 USD voucher · used 1/10 · no end date · active"
    )


async def test_a_long_list_is_cut_within_telegrams_limit_and_says_how_many_more(
    owner: BotClient, services: Runtime
) -> None:
    for number in range(150):
        await services.promos.create(
            OWNER,
            read_spec(f"CODE-{number:03}-{'X' * 20} 12.5% 1000000 36500", services.terms.currency),
        )

    await owner.send("/promo list")

    [reply] = [m for m in owner.requests_of(SendMessage) if m.text.startswith("<b>Promo")]
    assert len(reply.text) <= 4096
    text = owner.screen.last.text or ""
    shown = [line for line in text.splitlines() if line.startswith("CODE-")]
    # Newest first, without a gap.
    assert shown == sorted(shown, reverse=True)
    assert shown[0].startswith("CODE-149-")
    assert text.startswith("Promo codes (150), newest first:\n")
    assert text.endswith(f"\n… and {150 - len(shown)} older not shown.")
    assert 20 < len(shown) < 100


async def test_promo_off_stops_new_redemptions_but_not_a_bonus_granted(
    owner: BotClient, make_client: Callable[..., BotClient], services: Runtime
) -> None:
    await add_customers(services, BOB)
    await owner.send("/promo new LAUNCH 10%")
    alice = make_client(user_id=ALICE)
    await redeem_in_chat(alice, "launch")

    await owner.send("/promo off Launch")

    assert owner.screen.last.text == (
        "✅ Promo code LAUNCH is off: nobody can redeem it any more. Bonuses it granted "
        "already still apply to those customers' next top-up."
    )
    with pytest.raises(PromoRefused) as refused:
        await services.promos.redeem(BOB, "LAUNCH")
    assert refused.value.problem is PromoProblem.DISABLED
    # Switching it off again changes nothing and says the same.
    await owner.send("/promo off LAUNCH")
    assert (owner.screen.last.text or "").startswith("✅ Promo code LAUNCH is off")
    # Alice's bonus was granted before: her next top-up still gets it.
    async with services.db.transaction() as tx:
        await credit_top_up(
            tx, services.topup, ALICE, Decimal(20), Payment(TopUpMethod.MANUAL, "m-1")
        )
    assert await rows(services, ALICE) == [
        (LedgerReason.MANUAL_TOPUP, Decimal(20)),
        (LedgerReason.PROMO_BONUS, Decimal(2)),
    ]


async def test_promo_off_of_an_unknown_code_says_so(owner: BotClient, services: Runtime) -> None:
    await owner.send("/promo off NOPE")
    assert owner.screen.last.text == "No promo code NOPE."
    assert await _codes(services) == []


BAD_COMMANDS = [
    "/promo",
    "/promo bogus",
    "/promo list now",
    "/promo new",
    "/promo new CODE",
    "/promo new AB 5",
    "/promo new CO.DE 5",
    "/promo new КОД-1 5",
    "/promo new " + "A" * 33 + " 5",
    "/promo new CODE 0",
    "/promo new CODE -5",
    "/promo new CODE 5.001",
    "/promo new CODE abc",
    "/promo new CODE NaN",
    "/promo new CODE 1e30",
    "/promo new CODE 2000000000",
    "/promo new CODE 0%",
    "/promo new CODE 0.5%",
    "/promo new CODE 101%",
    "/promo new CODE 12.345%",
    "/promo new CODE Infinity%",
    "/promo new CODE %",
    "/promo new CODE 5 0",
    "/promo new CODE 5 -1",
    "/promo new CODE 5 1.5",
    "/promo new CODE 5 many",
    "/promo new CODE 5 99999999999",
    "/promo new CODE 5 10 0",
    "/promo new CODE 5 10 x",
    "/promo new CODE 5 10 36501",
    "/promo new CODE 5 10 3 extra",
    "/promo off",
    "/promo off A!",
    "/promo off CODE now",
]


async def test_bad_arguments_get_the_usage_text_and_change_nothing(
    owner: BotClient, services: Runtime
) -> None:
    for command in BAD_COMMANDS:
        requests = await owner.send(command)

        [reply] = requests.of(SendMessage)
        assert (reply.chat_id, owner.screen.last.text) == (ADMIN_CHAT, USAGE), command

    assert await _codes(services) == []
