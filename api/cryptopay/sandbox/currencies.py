"""What the Crypto Pay sandbox accepts and the rates it pays at.

The lists follow the real API's documentation; the rates are round figures chosen so that
amounts are easy to check by hand, not market data.
"""

from __future__ import annotations

from decimal import ROUND_UP, Decimal
from typing import Final

#: Crypto assets an invoice may be paid in, with the sandbox's price of one unit in USD.
USD_PER_ASSET: Final[dict[str, Decimal]] = {
    "USDT": Decimal(1),
    "TON": Decimal(4),
    "BTC": Decimal(64000),
    "ETH": Decimal(3200),
    "LTC": Decimal(80),
    "BNB": Decimal(600),
    "TRX": Decimal("0.125"),
    "USDC": Decimal(1),
}
#: Fiat currencies an invoice may be priced in, with units of each worth one USD.
FIAT_PER_USD: Final[dict[str, Decimal]] = {
    "USD": Decimal(1),
    "EUR": Decimal("0.9"),
    "RUB": Decimal(90),
    "BYN": Decimal("3.2"),
    "UAH": Decimal(40),
    "GBP": Decimal("0.8"),
    "CNY": Decimal("7.2"),
    "KZT": Decimal(480),
    "UZS": Decimal(12500),
    "GEL": Decimal("2.7"),
    "TRY": Decimal(32),
    "AMD": Decimal(400),
    "THB": Decimal(36),
    "INR": Decimal(80),
    "BRL": Decimal(5),
    "IDR": Decimal(16000),
    "AZN": Decimal("1.7"),
    "AED": Decimal("3.6"),
    "PLN": Decimal(4),
    "ILS": Decimal("3.6"),
}
ASSETS: Final = tuple(USD_PER_ASSET)
FIATS: Final = tuple(FIAT_PER_USD)
#: The smallest and largest invoice the sandbox accepts, in USD.
MIN_USD: Final = Decimal("0.01")
MAX_USD: Final = Decimal(1_000_000)
#: Crypto amounts carry this many decimals.
_CRYPTO_PLACES: Final = Decimal("0.00000001")


def in_usd(amount: Decimal, fiat: str) -> Decimal:
    """``amount`` of ``fiat`` in USD."""
    return amount / FIAT_PER_USD[fiat]


def asset_rate(asset: str, fiat: str) -> Decimal:
    """The price of one unit of ``asset`` in ``fiat``."""
    return (USD_PER_ASSET[asset] * FIAT_PER_USD[fiat]).quantize(_CRYPTO_PLACES)


def asset_amount(amount: Decimal, fiat: str, asset: str) -> Decimal:
    """How much ``asset`` pays ``amount`` of ``fiat``, rounded up to the asset's last digit
    so that a payment never falls short."""
    return (in_usd(amount, fiat) / USD_PER_ASSET[asset]).quantize(_CRYPTO_PLACES, ROUND_UP)
