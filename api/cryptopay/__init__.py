"""Paying by crypto through CryptoBot's Crypto Pay API: client, models, errors, webhooks.

``api.cryptopay.sandbox`` holds a double of the API for tests and the sandbox mode. Like
the rest of :mod:`api`, nothing here knows of Telegram or of the shop's database.
"""

from api.cryptopay.client import (
    DEFAULT_TIMEOUTS,
    MAINNET_URL,
    MAX_INVOICE_IDS_PER_CALL,
    TESTNET_URL,
    CryptoPayClient,
)
from api.cryptopay.errors import (
    CryptoPayBadResponse,
    CryptoPayConnectionError,
    CryptoPayError,
    CryptoPayRefusal,
    CryptoPayServerError,
    CryptoPayTimeout,
    CryptoPayUnavailable,
    CryptoPayUnreachable,
    InvalidSignature,
    InvalidUpdate,
)
from api.cryptopay.models import App, CurrencyType, Invoice, InvoicePaidUpdate, InvoiceStatus
from api.cryptopay.webhook import (
    SIGNATURE_HEADER,
    parse_update,
    read_update,
    sign,
    verify_signature,
)

__all__ = [
    "DEFAULT_TIMEOUTS",
    "MAINNET_URL",
    "MAX_INVOICE_IDS_PER_CALL",
    "SIGNATURE_HEADER",
    "TESTNET_URL",
    "App",
    "CryptoPayBadResponse",
    "CryptoPayClient",
    "CryptoPayConnectionError",
    "CryptoPayError",
    "CryptoPayRefusal",
    "CryptoPayServerError",
    "CryptoPayTimeout",
    "CryptoPayUnavailable",
    "CryptoPayUnreachable",
    "CurrencyType",
    "InvalidSignature",
    "InvalidUpdate",
    "Invoice",
    "InvoicePaidUpdate",
    "InvoiceStatus",
    "parse_update",
    "read_update",
    "sign",
    "verify_signature",
]
