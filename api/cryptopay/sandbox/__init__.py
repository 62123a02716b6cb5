"""A Crypto Pay double speaking the API over HTTP, for tests and the shop's sandbox mode.

It keeps an app's invoices on a clock (so tests decide when they expire), checks requests
as the real API does, serves a pay page for each invoice, pays invoices when told to (or by
itself a little after its pay page is opened), sends signed or forged ``invoice_paid``
webhooks, records every request, and fails on demand::

    sandbox = CryptoPaySandbox("app-token", clock=ManualClock())
    app = create_app(sandbox)  # serves /api/{method} and /pay/{hash}
"""

from api.cryptopay.sandbox.app import create_app
from api.cryptopay.sandbox.cryptopay import Answer, CryptoPaySandbox
from api.cryptopay.sandbox.currencies import ASSETS, FIAT_PER_USD, FIATS, USD_PER_ASSET
from api.cryptopay.sandbox.faults import Fault, Outage
from api.cryptopay.sandbox.records import RecordedCall, SandboxInvoice
from api.cryptopay.sandbox.webhooks import Forgery

__all__ = [
    "ASSETS",
    "FIATS",
    "FIAT_PER_USD",
    "USD_PER_ASSET",
    "Answer",
    "CryptoPaySandbox",
    "Fault",
    "Forgery",
    "Outage",
    "RecordedCall",
    "SandboxInvoice",
    "create_app",
]
