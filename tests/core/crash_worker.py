"""A shop process that gets as far as sending one order, for the crash-recovery test.

It opens the shop's SQLite file, syncs the catalogue from the panel, creates a customer with
a top-up, quotes an order and confirms it. It prints ``quote <id>`` before confirming, then
``placed <outcome>`` if the panel ever answers; the test kills it with SIGKILL while the
panel holds the answer to ``add``.

    python tests/core/crash_worker.py --db shop.sqlite3 --url http://127.0.0.1:PORT/api/v2 \
        --key KEY --user 7 --service 101 --link https://... --quantity 100 --funds 50
"""

from __future__ import annotations

import argparse
import asyncio
from decimal import Decimal

import aiohttp

from api import DefaultOrder, PanelClient
from shop.alerts import Alerts
from shop.catalogue import sync_catalogue
from shop.ledger import credit
from shop.money import Currency
from shop.ordering import place_order, quote_order
from shop.storage import Database, LedgerReason
from shop.terms import Terms
from shop.texts import Texts


async def run(args: argparse.Namespace) -> None:
    shop = Terms(
        currency=Currency("USD", 2),
        markup_percent=Decimal(args.markup),
        admin_chat_id=args.admin_chat,
    )
    alerts = Alerts(shop, await Texts.load("en"))
    timeouts = aiohttp.ClientTimeout(total=120)
    async with (
        await Database.open(args.db) as db,
        PanelClient(args.url, args.key, timeouts=timeouts) as panel,
    ):
        await sync_catalogue(db, panel)
        async with db.transaction() as tx:
            await tx.users.upsert(args.user, f"user{args.user}", "Customer", "en")
            await credit(
                tx, args.user, Decimal(args.funds), LedgerReason.TOPUP, f"topup:{args.user}"
            )
        request = DefaultOrder(service=args.service, link=args.link, quantity=args.quantity)
        quote = await quote_order(db, shop, args.user, request)
        print(f"quote {quote.id}", flush=True)
        placement = await place_order(db, panel, alerts, args.user, quote.id, terms=shop)
        print(f"placed {placement.outcome.value}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--user", type=int, required=True)
    parser.add_argument("--service", type=int, required=True)
    parser.add_argument("--link", required=True)
    parser.add_argument("--quantity", type=int, required=True)
    parser.add_argument("--funds", required=True)
    parser.add_argument("--markup", default="30")
    parser.add_argument("--admin-chat", type=int, default=None)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
