"""The requests of top-ups by transfer in storage: added to an older database in place, one
request per receipt, decided once."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from shop.storage import (
    MIGRATIONS,
    Database,
    LedgerReason,
    ManualPaymentStatus,
    NewManualPayment,
    ReceiptKind,
)
from shop.storage.migrations import MANUAL_PAYMENTS_VERSION

from .factories import add_user


def _request(message_id: int = 50, amount: str = "12.50") -> NewManualPayment:
    return NewManualPayment(
        user_id=7,
        amount=Decimal(amount),
        currency="USD",
        receipt_chat_id=7,
        receipt_message_id=message_id,
        receipt_kind=ReceiptKind.PHOTO,
        comment="paid",
    )


async def test_an_older_database_gets_the_requests_and_keeps_its_ledger(db_path: Path) -> None:
    before = [m for m in MIGRATIONS if m.version < MANUAL_PAYMENTS_VERSION]
    async with await Database.open(db_path, migrations=before) as old, old.transaction() as tx:
        await add_user(tx, 7)
        await tx.ledger.append(7, Decimal(5), LedgerReason.TOPUP, "topup:1")

    async with await Database.open(db_path) as upgraded:
        async with upgraded.transaction() as tx:
            request, created = await tx.manual_payments.create(_request())
        async with upgraded.read() as r:
            assert await r.ledger.balance(7) == Decimal(5)
            assert await r.manual_payments.get(request.id) == request
    assert created
    assert (request.id, request.status, request.amount) == (
        1,
        ManualPaymentStatus.PENDING,
        Decimal("12.50"),
    )


async def test_a_receipt_makes_one_request_and_a_request_is_decided_once(db: Database) -> None:
    async with db.transaction() as tx:
        await add_user(tx, 7)
        first, created = await tx.manual_payments.create(_request())
        again, created_again = await tx.manual_payments.create(_request(amount="99"))
        other, _ = await tx.manual_payments.create(_request(message_id=51))
        assert (created, created_again) == (True, False)
        assert again == first
        assert await tx.manual_payments.count_pending(7) == 2

        assert await tx.manual_payments.approve(first.id, 1001, Decimal(10))
        assert not await tx.manual_payments.approve(first.id, 1002, Decimal(20))
        assert not await tx.manual_payments.reject(first.id, 1002, "late")
        assert await tx.manual_payments.reject(other.id, 1002, None)
        assert not await tx.manual_payments.approve(other.id, 1001, Decimal(10))
        assert not await tx.manual_payments.approve(999, 1001, Decimal(10))

        approved = await tx.manual_payments.get(first.id)
        rejected = await tx.manual_payments.get(other.id)
        assert await tx.manual_payments.pending() == []
    assert approved is not None and rejected is not None
    assert (approved.status, approved.approved_amount, approved.decided_by) == (
        ManualPaymentStatus.APPROVED,
        Decimal(10),
        1001,
    )
    assert approved.decided_at is not None
    assert (rejected.status, rejected.reject_reason, rejected.decided_by) == (
        ManualPaymentStatus.REJECTED,
        None,
        1002,
    )


async def test_the_schema_refuses_a_decision_without_its_marks(file_db: Database) -> None:
    async with file_db.transaction() as tx:
        await add_user(tx, 7)
        await tx.manual_payments.create(_request())
    with sqlite3.connect(file_db.location) as conn:
        for statement in (
            "UPDATE manual_payments SET status = 'approved'",
            "UPDATE manual_payments SET status = 'gone'",
            "UPDATE manual_payments SET amount = 0",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
                conn.execute(statement)
