"""Repositories: the SQL of each table family, bound to one transaction or read block."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from functools import cached_property

from shop.storage.kept_rows import KeptRows
from shop.storage.repositories.cancels import (
    CancelOutcome,
    CancelRequestRepository,
    CancelRequestRow,
)
from shop.storage.repositories.crypto_invoices import (
    CryptoInvoiceRepository,
    CryptoInvoiceRow,
    CryptoInvoiceStatus,
)
from shop.storage.repositories.exports import (
    CustomerLine,
    ExportRepository,
    OrderLine,
    Selection,
)
from shop.storage.repositories.fsm import FsmRepository
from shop.storage.repositories.invoices import InvoiceRepository, InvoiceRow
from shop.storage.repositories.ledger import LedgerRepository, LedgerRow
from shop.storage.repositories.listings import (
    CHEAPEST,
    MAIN_PANEL,
    ListingRepository,
    ListingRow,
    SyncCounts,
)
from shop.storage.repositories.manual_payments import (
    ManualPaymentRepository,
    ManualPaymentRow,
    ManualPaymentStatus,
    NewManualPayment,
    ReceiptKind,
)
from shop.storage.repositories.meta import MetaRepository
from shop.storage.repositories.orders import (
    Destination,
    FigureReport,
    Figures,
    OrderRepository,
    OrderRow,
    TransitionRow,
)
from shop.storage.repositories.outbox import OutboxRepository, OutboxRow
from shop.storage.repositories.promos import (
    NewPromoCode,
    PromoCodeRow,
    PromoKind,
    PromoRepository,
    RedemptionRow,
)
from shop.storage.repositories.quotes import NewQuote, QuoteRepository, QuoteRow
from shop.storage.repositories.refills import RefillRepository, RefillRow
from shop.storage.repositories.services import (
    CategoryRow,
    ServiceRepository,
    ServiceRow,
)
from shop.storage.repositories.stats import DailySales, SalesFigures, StatsRepository
from shop.storage.repositories.support import (
    Direction,
    OpenTicket,
    SupportRepository,
    TicketRow,
    TicketState,
)
from shop.storage.repositories.users import UserRepository, UserRow
from shop.storage.session import Session


class Repositories:
    """Every repository, bound to one session: ``tx.users``, ``tx.orders``, ``r.ledger``...

    Repositories never commit: the ``db.transaction()`` block that produced them does, once,
    when it ends without an error.
    """

    def __init__(
        self,
        session: Session,
        kept_users: KeptRows[UserRow],
        kept_services: KeptRows[ServiceRow],
    ) -> None:
        self._session = session
        self._kept_users = kept_users
        self._kept_services = kept_services

    # Each repository is made when first used: most blocks use one or two of them.

    @cached_property
    def users(self) -> UserRepository:
        return UserRepository(self._session, self._kept_users)

    @cached_property
    def services(self) -> ServiceRepository:
        return ServiceRepository(self._session, self._kept_services)

    @cached_property
    def listings(self) -> ListingRepository:
        return ListingRepository(self._session, self._kept_services)

    @cached_property
    def quotes(self) -> QuoteRepository:
        return QuoteRepository(self._session)

    @cached_property
    def orders(self) -> OrderRepository:
        return OrderRepository(self._session)

    @cached_property
    def refills(self) -> RefillRepository:
        return RefillRepository(self._session)

    @cached_property
    def cancels(self) -> CancelRequestRepository:
        return CancelRequestRepository(self._session)

    @cached_property
    def invoices(self) -> InvoiceRepository:
        return InvoiceRepository(self._session)

    @cached_property
    def manual_payments(self) -> ManualPaymentRepository:
        return ManualPaymentRepository(self._session)

    @cached_property
    def crypto_invoices(self) -> CryptoInvoiceRepository:
        return CryptoInvoiceRepository(self._session)

    @cached_property
    def stats(self) -> StatsRepository:
        return StatsRepository(self._session)

    @cached_property
    def ledger(self) -> LedgerRepository:
        return LedgerRepository(self._session)

    @cached_property
    def outbox(self) -> OutboxRepository:
        return OutboxRepository(self._session)

    @cached_property
    def meta(self) -> MetaRepository:
        return MetaRepository(self._session)

    @cached_property
    def fsm(self) -> FsmRepository:
        return FsmRepository(self._session)

    @cached_property
    def promos(self) -> PromoRepository:
        return PromoRepository(self._session)

    @cached_property
    def exports(self) -> ExportRepository:
        return ExportRepository(self._session)

    @cached_property
    def support(self) -> SupportRepository:
        return SupportRepository(self._session)

    def savepoint(self) -> AbstractAsyncContextManager[None]:
        """``async with tx.savepoint():`` a part of this transaction that an error undoes on
        its own, leaving the rest of the transaction to commit (see :meth:`Session.savepoint`).
        """
        return self._session.savepoint()


__all__ = [
    "CancelOutcome",
    "Direction",
    "OpenTicket",
    "SupportRepository",
    "TicketRow",
    "TicketState",
    "CancelRequestRepository",
    "CancelRequestRow",
    "CategoryRow",
    "CryptoInvoiceRepository",
    "CryptoInvoiceRow",
    "CryptoInvoiceStatus",
    "CustomerLine",
    "ExportRepository",
    "FsmRepository",
    "InvoiceRepository",
    "InvoiceRow",
    "LedgerRepository",
    "LedgerRow",
    "ManualPaymentRepository",
    "ManualPaymentRow",
    "ManualPaymentStatus",
    "NewManualPayment",
    "ReceiptKind",
    "MetaRepository",
    "NewPromoCode",
    "NewQuote",
    "OrderLine",
    "OrderRepository",
    "FigureReport",
    "Figures",
    "OrderRow",
    "Destination",
    "OutboxRepository",
    "OutboxRow",
    "PromoCodeRow",
    "PromoKind",
    "PromoRepository",
    "QuoteRepository",
    "QuoteRow",
    "RefillRepository",
    "RedemptionRow",
    "RefillRow",
    "Repositories",
    "DailySales",
    "SalesFigures",
    "Selection",
    "ServiceRepository",
    "StatsRepository",
    "ServiceRow",
    "SyncCounts",
    "CHEAPEST",
    "MAIN_PANEL",
    "ListingRepository",
    "ListingRow",
    "TransitionRow",
    "UserRepository",
    "UserRow",
]
