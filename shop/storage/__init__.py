"""Storage: the only place with SQL.

Open a :class:`Database`, then write inside ``async with db.transaction() as tx`` and read
inside ``async with db.read() as r``; both hand out the repositories (``tx.users``,
``tx.ledger``, ``r.orders``...). Money crosses this boundary as :class:`~decimal.Decimal`
(stored exactly as integer micro-units), moments as timezone-aware :class:`~datetime.datetime`.

The aiogram FSM storage lives in :mod:`bot.fsm_storage` (``SQLiteStorage``), imported from there so
the rest of the storage layer does not load aiogram.
"""

from shop.money import MICRO, fits_micros, from_micros, to_micros
from shop.storage.database import Database
from shop.storage.enums import (
    ACTIVE_ORDER_STATES,
    ACTIVE_REFILL_STATES,
    LedgerReason,
    OrderState,
    OutboxState,
    RefillState,
)
from shop.storage.errors import (
    ClosedError,
    ConstraintError,
    DatabaseError,
    NestedTransactionError,
    ReadOnlyError,
    SchemaTooNew,
)
from shop.storage.migrations import (
    CRYPTO_INVOICES_VERSION,
    LATEST_VERSION,
    MIGRATIONS,
    Migration,
)
from shop.storage.repositories import (
    CancelOutcome,
    CancelRequestRow,
    CategoryRow,
    CryptoInvoiceRow,
    CryptoInvoiceStatus,
    FigureReport,
    InvoiceRow,
    LedgerRow,
    ManualPaymentRow,
    ManualPaymentStatus,
    NewManualPayment,
    NewPromoCode,
    NewQuote,
    OrderRow,
    OutboxRow,
    PromoCodeRow,
    PromoKind,
    QuoteRow,
    ReceiptKind,
    RedemptionRow,
    RefillRow,
    Repositories,
    SalesFigures,
    ServiceRow,
    SyncCounts,
    TransitionRow,
    UserRow,
)
from shop.storage.times import utc_now

__all__ = [
    "ACTIVE_ORDER_STATES",
    "ACTIVE_REFILL_STATES",
    "CRYPTO_INVOICES_VERSION",
    "LATEST_VERSION",
    "MICRO",
    "MIGRATIONS",
    "CancelOutcome",
    "CancelRequestRow",
    "CategoryRow",
    "ClosedError",
    "CryptoInvoiceRow",
    "CryptoInvoiceStatus",
    "ConstraintError",
    "Database",
    "DatabaseError",
    "InvoiceRow",
    "LedgerReason",
    "LedgerRow",
    "ManualPaymentRow",
    "ManualPaymentStatus",
    "Migration",
    "NestedTransactionError",
    "NewManualPayment",
    "NewPromoCode",
    "NewQuote",
    "FigureReport",
    "OrderRow",
    "OrderState",
    "OutboxRow",
    "OutboxState",
    "PromoCodeRow",
    "PromoKind",
    "QuoteRow",
    "ReceiptKind",
    "ReadOnlyError",
    "RedemptionRow",
    "RefillRow",
    "RefillState",
    "Repositories",
    "SalesFigures",
    "SchemaTooNew",
    "ServiceRow",
    "SyncCounts",
    "TransitionRow",
    "UserRow",
    "fits_micros",
    "from_micros",
    "to_micros",
    "utc_now",
]
