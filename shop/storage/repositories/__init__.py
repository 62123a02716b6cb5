"""Repositories: the SQL of each table family, bound to one transaction or read block."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

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

    def __init__(self, session: Session) -> None:
        self._session = session
        self.users = UserRepository(session)
        self.services = ServiceRepository(session)
        self.listings = ListingRepository(session)
        self.quotes = QuoteRepository(session)
        self.orders = OrderRepository(session)
        self.refills = RefillRepository(session)
        self.cancels = CancelRequestRepository(session)
        self.invoices = InvoiceRepository(session)
        self.manual_payments = ManualPaymentRepository(session)
        self.crypto_invoices = CryptoInvoiceRepository(session)
        self.stats = StatsRepository(session)
        self.ledger = LedgerRepository(session)
        self.outbox = OutboxRepository(session)
        self.meta = MetaRepository(session)
        self.fsm = FsmRepository(session)
        self.promos = PromoRepository(session)
        self.exports = ExportRepository(session)
        self.support = SupportRepository(session)

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
