"""The limits of promo codes: the total uses under concurrent redemptions (in one process and
across two), one use per customer however fast they send it twice, expiry by days, and
the throttling of wrong guesses with its window."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot.runtime import Runtime
from shop.promos import WRONG_CODES_WINDOW, PromoProblem, PromoRefused, Promos, Redeemed
from shop.storage import Database, LedgerReason

from ..support.telegram import BotClient
from .promo import (
    ShopClock,
    add_customers,
    assert_promos_consistent,
    code_row,
    ledger,
    new_code,
    open_promo_form,
    rows,
)

ALICE, BOB = 111, 222
UNKNOWN = "⚠️ There is no such promo code. Check it and send it again, or tap Cancel."
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def _outcomes(results: list[Redeemed | BaseException]) -> tuple[int, list[PromoProblem]]:
    """How many redemptions were credited, and the problems of the others."""
    problems: list[PromoProblem] = []
    for result in results:
        if isinstance(result, PromoRefused):
            problems.append(result.problem)
        elif isinstance(result, BaseException):
            raise result
    return sum(isinstance(result, Redeemed) for result in results), problems


async def _vouchers(services: Runtime, user_ids: range) -> int:
    """How many vouchers these customers were credited, in all."""
    count = 0
    for user_id in user_ids:
        count += [reason for reason, _ in await rows(services, user_id)].count(
            LedgerReason.PROMO_VOUCHER
        )
    return count


# --- the total uses -----------------------------------------------------------------------------


async def test_a_code_for_three_is_credited_three_times_when_thirty_redeem_at_once(
    services: Runtime,
) -> None:
    customers = range(1000, 1030)
    await add_customers(services, *customers)
    await new_code(services, "THREE 5 3")

    results = await asyncio.gather(
        *(services.promos.redeem(user_id, "three") for user_id in customers),
        return_exceptions=True,
    )

    credited, problems = _outcomes(results)
    assert credited == 3
    assert problems == [PromoProblem.USED_UP] * 27
    assert await _vouchers(services, customers) == 3
    assert (await code_row(services, "THREE")).uses == 3
    assert_promos_consistent(services)


async def test_customers_racing_in_the_chat_get_three_credits_and_clear_refusals(
    make_client: Callable[..., BotClient], services: Runtime
) -> None:
    await new_code(services, "CHAT3 2 3")
    clients = [make_client(user_id=user_id) for user_id in range(2000, 2012)]
    for client in clients:
        await open_promo_form(client)

    await asyncio.gather(*(client.send("chat3") for client in clients))

    replies = [client.screen.last.text or "" for client in clients]
    assert sum(reply.startswith("✅ Promo code CHAT3: 2.00 USD added") for reply in replies) == 3
    assert replies.count("⚠️ This promo code has been used up.") == 9
    assert await _vouchers(services, range(2000, 2012)) == 3
    assert_promos_consistent(services)


async def test_two_processes_redeeming_at_once_stay_within_the_limit(
    services: Runtime,
) -> None:
    """Another bot process on the same database file: its transactions and this one's take
    SQLite's write lock in turn, and the conditional update holds the limit between them."""
    customers = range(3000, 3040)
    await add_customers(services, *customers)
    await new_code(services, "SHARED 1 3")
    async with await Database.open(services.settings.database_path) as other_db:
        other = Promos(other_db, services.terms.currency)
        results = await asyncio.gather(
            *(
                (services.promos if user_id % 2 else other).redeem(user_id, "SHARED")
                for user_id in customers
            ),
            return_exceptions=True,
        )

    credited, problems = _outcomes(results)
    assert credited == 3
    assert problems == [PromoProblem.USED_UP] * 37
    assert await _vouchers(services, customers) == 3
    assert_promos_consistent(services)


async def test_a_customer_sending_a_code_twice_at_once_is_credited_once(
    services: Runtime,
) -> None:
    await add_customers(services, ALICE)
    await new_code(services, "TWICE 4")

    results = await asyncio.gather(
        services.promos.redeem(ALICE, "TWICE"),
        services.promos.redeem(ALICE, "twice"),
        return_exceptions=True,
    )

    assert _outcomes(results) == (1, [PromoProblem.ALREADY_USED])
    assert await rows(services, ALICE) == [(LedgerReason.PROMO_VOUCHER, Decimal(4))]
    assert (await code_row(services, "TWICE")).uses == 1
    assert_promos_consistent(services)


async def test_a_customer_in_two_processes_at_once_is_credited_once(services: Runtime) -> None:
    await add_customers(services, ALICE)
    await new_code(services, "BOTH 4")
    async with await Database.open(services.settings.database_path) as other_db:
        other = Promos(other_db, services.terms.currency)
        results = await asyncio.gather(
            *(promos.redeem(ALICE, "both") for promos in (services.promos, other) * 3),
            return_exceptions=True,
        )

    assert _outcomes(results) == (1, [PromoProblem.ALREADY_USED] * 5)
    assert await rows(services, ALICE) == [(LedgerReason.PROMO_VOUCHER, Decimal(4))]


async def test_two_percent_codes_at_once_grant_one_bonus(services: Runtime) -> None:
    await add_customers(services, ALICE)
    await new_code(services, "PCT1 10%")
    await new_code(services, "PCT2 20%")

    results = await asyncio.gather(
        services.promos.redeem(ALICE, "PCT1"),
        services.promos.redeem(ALICE, "PCT2"),
        return_exceptions=True,
    )

    assert _outcomes(results) == (1, [PromoProblem.BONUS_PENDING])
    uses = [(await code_row(services, code)).uses for code in ("PCT1", "PCT2")]
    assert sorted(uses) == [0, 1]
    assert_promos_consistent(services)


# --- expiry --------------------------------------------------------------------------------------


async def test_a_code_for_one_day_expires_a_day_after_it_was_made(
    services: Runtime, shop_clock: ShopClock
) -> None:
    await add_customers(services, ALICE, BOB)
    made = await new_code(services, "DAY 1 10 1")
    assert made.expires_at == shop_clock.now + timedelta(days=1)

    shop_clock.advance(timedelta(days=1) - timedelta(microseconds=1))
    await services.promos.redeem(ALICE, "DAY")
    shop_clock.advance(timedelta(microseconds=1))
    with pytest.raises(PromoRefused) as refused:
        await services.promos.redeem(BOB, "DAY")

    assert refused.value.problem is PromoProblem.EXPIRED
    assert await rows(services, BOB) == []
    assert (await code_row(services, "DAY")).uses == 1


# --- wrong guesses -------------------------------------------------------------------------------


async def test_after_five_wrong_codes_even_the_right_one_waits_for_the_window(
    alice: BotClient, services: Runtime, shop_clock: ShopClock
) -> None:
    await new_code(services, "RIGHT 5")
    await open_promo_form(alice)
    for guess in range(5):
        await alice.send(f"GUESS{guess}")
        assert alice.screen.last.text == UNKNOWN
        shop_clock.advance(timedelta(minutes=1))

    # The first wrong code was 5 minutes ago: it leaves the 10-minute window in 5.
    await alice.send("RIGHT")

    assert alice.screen.last.text == "⏳ Too many wrong promo codes. Please try again in 5 min."
    assert alice.screen.last.buttons == [["💰 Balance"], ["🏠 Menu"]]
    assert await alice.fsm_state() is None
    assert await ledger(services, ALICE) == []
    assert (await code_row(services, "RIGHT")).uses == 0

    shop_clock.advance(timedelta(minutes=5) - timedelta(seconds=1))
    await open_promo_form(alice)
    await alice.send("RIGHT")
    assert alice.screen.last.text == "⏳ Too many wrong promo codes. Please try again in 1 min."

    # The window has passed the first wrong code: four are left in it, one less than five.
    shop_clock.advance(timedelta(seconds=1))
    await open_promo_form(alice)
    await alice.send("RIGHT")
    assert (alice.screen.last.text or "").startswith("✅ Promo code RIGHT: 5.00 USD added")
    assert_promos_consistent(services)


async def test_a_right_code_and_a_code_used_already_are_not_wrong_guesses(
    services: Runtime, shop_clock: ShopClock
) -> None:
    await add_customers(services, ALICE)
    await new_code(services, "GOOD 1")

    async def attempt(text: str) -> PromoProblem | None:
        try:
            await services.promos.redeem(ALICE, text)
        except PromoRefused as refused:
            return refused.problem
        return None

    assert [await attempt(f"BAD{n}") for n in range(4)] == [PromoProblem.UNKNOWN] * 4
    assert await attempt("GOOD") is None
    assert await attempt("good") is PromoProblem.ALREADY_USED
    # The fifth wrong code is still checked; after it, nothing is.
    assert await attempt("BAD4") is PromoProblem.UNKNOWN
    assert await attempt("BAD5") is PromoProblem.TOO_MANY_TRIES


@pytest.mark.parametrize("problem", [PromoProblem.DISABLED, PromoProblem.EXPIRED])
async def test_guessing_codes_that_exist_but_give_nothing_counts_too(
    services: Runtime, shop_clock: ShopClock, problem: PromoProblem
) -> None:
    await add_customers(services, ALICE)
    await new_code(services, "OLD 1 100 1")
    if problem is PromoProblem.DISABLED:
        await services.promos.disable("OLD")
    else:
        shop_clock.advance(timedelta(days=2))
    for _ in range(5):
        with pytest.raises(PromoRefused, match=problem.value):
            await services.promos.redeem(ALICE, "OLD")
    with pytest.raises(PromoRefused, match=PromoProblem.TOO_MANY_TRIES.value):
        await services.promos.redeem(ALICE, "OLD")


async def test_wrong_guesses_are_counted_per_customer_and_survive_a_restart(
    services: Runtime, shop_clock: ShopClock
) -> None:
    await add_customers(services, ALICE, BOB)
    await new_code(services, "MINE 3")
    for guess in range(5):
        with pytest.raises(PromoRefused):
            await services.promos.redeem(ALICE, f"NOPE{guess}")

    # Bob's guesses are his own.
    assert (await services.promos.redeem(BOB, "MINE")).credited == Decimal(3)
    # A restart: the same database, opened again by a new process.
    services_db_path = services.settings.database_path
    async with await Database.open(services_db_path) as reopened:
        restarted = Promos(reopened, services.terms.currency, shop_clock)
        with pytest.raises(PromoRefused) as refused:
            await restarted.redeem(ALICE, "MINE")
        assert refused.value.problem is PromoProblem.TOO_MANY_TRIES
        assert refused.value.retry_in == WRONG_CODES_WINDOW

        shop_clock.advance(WRONG_CODES_WINDOW)
        assert (await restarted.redeem(ALICE, "MINE")).credited == Decimal(3)
    # The guesses that left the window are forgotten, not kept for ever.
    async with services.db.read() as r:
        assert await r.promos.wrong_attempts_since(ALICE, EPOCH) == []
    assert_promos_consistent(services)
