"""The Crypto Pay sandbox: the rules of the API's invoices, without HTTP.

:meth:`CryptoPaySandbox.handle` answers one request as the real API would (its checks,
its error names, its HTTP statuses), on the sandbox's clock. Tests, and a shop owner
trying the bot, pay its invoices with :meth:`~CryptoPaySandbox.pay` or through the pay
page, let them expire by moving the clock, and have webhooks sent with
:meth:`~CryptoPaySandbox.send_webhook`; :mod:`api.cryptopay.sandbox.app` puts it on HTTP.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from api.cryptopay.models import CurrencyType, Invoice, InvoiceStatus
from api.cryptopay.sandbox import currencies
from api.cryptopay.sandbox.faults import Fault, Outage
from api.cryptopay.sandbox.records import RecordedCall, SandboxInvoice
from api.cryptopay.sandbox.webhooks import Forgery, deliver, update_body
from api.sandbox.clock import Clock, RealClock
from api.sandbox.encoding import JsonValue, to_json

logger = logging.getLogger(__name__)

MAX_EXPIRES_IN: Final = 2_678_400
MAX_PAYLOAD_CHARS: Final = 4096
MAX_DESCRIPTION_CHARS: Final = 1024
MAX_COUNT: Final = 1000
DEFAULT_COUNT: Final = 100
METHODS: Final = ("getMe", "createInvoice", "getInvoices", "deleteInvoice")


@dataclass(frozen=True, slots=True)
class Answer:
    """What the sandbox sends back for one request: ``delay`` seconds late, and with
    ``disconnect`` not at all (the connection is closed instead)."""

    status: int
    body: str
    content_type: str = "application/json"
    delay: float = 0.0
    disconnect: bool = False


class ApiRefusal(Exception):
    """A request the API refuses with ``ok: false``; caught inside :meth:`handle`."""

    def __init__(self, name: str, status: int = 400) -> None:
        super().__init__(name)
        self.name = name
        self.status = status


_BAD_GATEWAY_PAGE: Final = (
    "<html><head><title>502 Bad Gateway</title></head>"
    "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
)


class CryptoPaySandbox:
    """One Crypto Pay app, with ``token`` as its API token.

    ``webhook_url``, when set, receives a signed ``invoice_paid`` update whenever an
    invoice is paid through its pay page. With ``auto_pay_after`` set, opening an invoice's
    pay page pays it that many (real) seconds later, in ``auto_pay_asset`` (by default the
    first accepted asset); with ``auto_pay_on_create`` as well, so does creating it (for a
    shop whose customers cannot open a page served on the shop's own machine).
    """

    def __init__(
        self,
        token: str,
        *,
        clock: Clock | None = None,
        seed: int = 0,
        app_name: str = "Sandbox shop",
    ) -> None:
        self.token = token
        self.clock: Clock = clock or RealClock()
        self.app_name = app_name
        self.app_id = 1
        self.invoices: dict[int, SandboxInvoice] = {}
        #: Every API request received, in order, faulted ones included.
        self.requests: list[RecordedCall] = []
        #: Every webhook delivery attempted: ``(url, HTTP status or None if unreachable)``.
        self.deliveries: list[tuple[str, int | None]] = []
        self.webhook_url: str | None = None
        self.auto_pay_after: float | None = None
        self.auto_pay_asset: str | None = None
        self.auto_pay_on_create = False
        #: Where pay pages are said to be; None: the address the request came to.
        self.public_url: str | None = None
        self._faults: list[Fault] = []
        self._rng = random.Random(seed)
        self._next_id = 1
        self._next_update_id = 1

    # --- what tests and the sandbox's owner do ---------------------------------------------

    def invoice(self, invoice_id: int) -> Invoice:
        """The invoice as the API would show it now; KeyError if there is none."""
        return self._current(self.invoices[invoice_id]).to_model()

    def invoice_by_hash(self, invoice_hash: str) -> SandboxInvoice | None:
        """The invoice whose pay page is ``/pay/{invoice_hash}``, if any."""
        for invoice in self.invoices.values():
            if invoice.hash == invoice_hash:
                return self._current(invoice)
        return None

    def pay(self, invoice_id: int, asset: str | None = None) -> Invoice:
        """Pay an active invoice in ``asset`` (by default its first accepted asset).

        Raises ValueError when the invoice is not active or cannot be paid in ``asset``.
        """
        invoice = self._current(self.invoices[invoice_id])
        if invoice.status is not InvoiceStatus.ACTIVE:
            raise ValueError(f"invoice {invoice_id} is {invoice.status}, not active")
        accepted = invoice.accepted_assets or [invoice.asset or ""]
        paying = asset or accepted[0]
        if paying not in accepted:
            raise ValueError(f"invoice {invoice_id} does not accept {paying}")
        if invoice.fiat is None:
            invoice.paid_amount = invoice.amount
        else:
            invoice.paid_amount = currencies.asset_amount(invoice.amount, invoice.fiat, paying)
            invoice.paid_fiat_rate = currencies.asset_rate(paying, invoice.fiat)
        invoice.paid_asset = paying
        invoice.paid_usd_rate = currencies.USD_PER_ASSET[paying]
        invoice.paid_at = self.clock.now()
        invoice.status = InvoiceStatus.PAID
        return invoice.to_model()

    def expire(self, invoice_id: int) -> Invoice:
        """Make an active invoice expire now, whatever its expiry time."""
        invoice = self._current(self.invoices[invoice_id])
        if invoice.status is not InvoiceStatus.ACTIVE:
            raise ValueError(f"invoice {invoice_id} is {invoice.status}, not active")
        invoice.status = InvoiceStatus.EXPIRED
        return invoice.to_model()

    def fail_next(
        self,
        calls: int = 1,
        outage: Outage = Outage.HTTP_502,
        *,
        method: str | None = None,
        applied: bool = False,
    ) -> None:
        """Make the API "down" for the next ``calls`` calls (of ``method``, or of any)."""
        self._faults.append(Fault(calls=calls, method=method, outage=outage, applied=applied))

    def slow_next(self, seconds: float, calls: int = 1, *, method: str | None = None) -> None:
        """Answer the next ``calls`` calls (of ``method``, or of any) ``seconds`` late."""
        self._faults.append(Fault(calls=calls, method=method, delay=seconds))

    def clear_faults(self) -> None:
        """Forget every armed failure and delay."""
        self._faults.clear()

    def calls_of(self, method: str) -> list[RecordedCall]:
        """The recorded requests for one API method."""
        return [call for call in self.requests if call.method == method]

    def update_body(self, invoice_id: int) -> bytes:
        """The body of an ``invoice_paid`` update for a paid invoice, with a new update id."""
        invoice = self._current(self.invoices[invoice_id])
        if invoice.status is not InvoiceStatus.PAID:
            raise ValueError(f"invoice {invoice_id} is {invoice.status}, not paid")
        update_id = self._next_update_id
        self._next_update_id += 1
        return update_body(update_id, self.clock.now(), invoice.to_api())

    async def send_webhook(
        self, url: str, invoice_id: int, *, forgery: Forgery | None = None
    ) -> int | None:
        """POST an ``invoice_paid`` update for a paid invoice to ``url``, signed with the
        app's token (or forged as ``forgery`` says); the receiver's HTTP status, or None
        when it could not be reached."""
        status = await deliver(url, self.token, self.update_body(invoice_id), forgery)
        self.deliveries.append((url, status))
        return status

    async def auto_pay(self, invoice_id: int) -> None:
        """Wait ``auto_pay_after`` seconds, pay the invoice if it is still active, and tell
        ``webhook_url`` if one is set (what a customer paying in Crypto Bot amounts to)."""
        await asyncio.sleep(self.auto_pay_after or 0.0)
        invoice = self._current(self.invoices[invoice_id])
        if invoice.status is not InvoiceStatus.ACTIVE:
            return
        accepted = invoice.accepted_assets or [invoice.asset or ""]
        asset = self.auto_pay_asset
        self.pay(invoice_id, asset if asset in accepted else None)
        await self.notify_paid(invoice_id)

    async def notify_paid(self, invoice_id: int) -> None:
        """Send the paid invoice's update to ``webhook_url``, if one is set."""
        if self.webhook_url is not None:
            status = await self.send_webhook(self.webhook_url, invoice_id)
            if status != 200:
                logger.warning("webhook for invoice %s: %s", invoice_id, status)

    # --- the API ---------------------------------------------------------------------------

    def handle(
        self,
        method: str,
        token: str | None,
        fields: dict[str, Any],
        *,
        origin: str,
        http_method: str = "POST",
    ) -> Answer:
        """Answer one API request for ``method`` carrying ``token`` and ``fields``;
        ``origin`` is the address it came to (``http://127.0.0.1:8080``)."""
        self.requests.append(
            RecordedCall(method, dict(fields), token, http_method, self.clock.now())
        )
        fault = self._draw_fault(method)
        if fault is not None and fault.outage is not None and not fault.applied:
            return _outage_answer(fault.outage, fault.delay)
        answer = self._apply(method, token, fields, origin)
        if fault is None:
            return answer
        if fault.outage is not None:
            return _outage_answer(fault.outage, fault.delay)
        return Answer(answer.status, answer.body, answer.content_type, delay=fault.delay)

    def _apply(
        self, method: str, token: str | None, fields: dict[str, Any], origin: str
    ) -> Answer:
        handlers: dict[str, Callable[[dict[str, Any], str], JsonValue]] = {
            "getMe": self._get_me,
            "createInvoice": self._create_invoice,
            "getInvoices": self._get_invoices,
            "deleteInvoice": self._delete_invoice,
        }
        try:
            if token != self.token:
                raise ApiRefusal("UNAUTHORIZED", 401)
            handler = handlers.get(method)
            if handler is None:
                raise ApiRefusal("METHOD_NOT_FOUND", 405)
            result = handler(fields, origin)
        except ApiRefusal as refusal:
            error: dict[str, JsonValue] = {"code": refusal.status, "name": refusal.name}
            return Answer(refusal.status, to_json({"ok": False, "error": error}))
        return Answer(200, to_json({"ok": True, "result": result}))

    def _get_me(self, fields: dict[str, Any], origin: str) -> JsonValue:
        return {
            "app_id": self.app_id,
            "name": self.app_name,
            "payment_processing_bot_username": "CryptoTestnetBot",
        }

    def _create_invoice(self, fields: dict[str, Any], origin: str) -> JsonValue:
        currency_type = _text(fields, "currency_type") or "crypto"
        if currency_type not in ("crypto", "fiat"):
            raise ApiRefusal("CURRENCY_TYPE_INVALID")
        amount = _amount(_text(fields, "amount"))
        fiat: str | None = None
        asset: str | None = None
        accepted: list[str] = []
        if currency_type == "fiat":
            fiat = _text(fields, "fiat")
            if fiat not in currencies.FIATS:
                raise ApiRefusal("FIAT_INVALID")
            accepted = _assets(_text(fields, "accepted_assets"))
            usd = currencies.in_usd(amount, fiat)
        else:
            asset = _text(fields, "asset")
            if asset not in currencies.ASSETS:
                raise ApiRefusal("ASSET_INVALID")
            usd = amount * currencies.USD_PER_ASSET[asset]
        if usd < currencies.MIN_USD:
            raise ApiRefusal("AMOUNT_TOO_SMALL")
        if usd > currencies.MAX_USD:
            raise ApiRefusal("AMOUNT_TOO_BIG")
        expires_in = _expires_in(_text(fields, "expires_in"))
        payload = _text(fields, "payload")
        if payload is not None and len(payload) > MAX_PAYLOAD_CHARS:
            raise ApiRefusal("PAYLOAD_TOO_LONG")
        description = _text(fields, "description")
        if description is not None and len(description) > MAX_DESCRIPTION_CHARS:
            raise ApiRefusal("DESCRIPTION_TOO_LONG")
        now = self.clock.now()
        invoice_hash = self._new_hash()
        invoice = SandboxInvoice(
            invoice_id=self._next_id,
            hash=invoice_hash,
            currency_type=CurrencyType(currency_type),
            amount=amount,
            fiat=fiat,
            asset=asset,
            accepted_assets=accepted,
            payload=payload,
            description=description,
            created_at=now,
            expires_at=None if expires_in is None else now + expires_in,
            pay_url=f"{(self.public_url or origin).rstrip('/')}/pay/{invoice_hash}",
        )
        self._next_id += 1
        self.invoices[invoice.invoice_id] = invoice
        return invoice.to_api()

    def _get_invoices(self, fields: dict[str, Any], origin: str) -> JsonValue:
        wanted = _id_list(_text(fields, "invoice_ids"))
        status = _text(fields, "status")
        if status is not None and status not in {item.value for item in InvoiceStatus}:
            raise ApiRefusal("STATUS_INVALID")
        offset = _whole(_text(fields, "offset"), "OFFSET_INVALID", default=0, low=0)
        count = _whole(
            _text(fields, "count"), "COUNT_INVALID", default=DEFAULT_COUNT, low=1, high=MAX_COUNT
        )
        chosen = [
            self._current(invoice)
            for invoice_id, invoice in sorted(self.invoices.items(), reverse=True)
            if wanted is None or invoice_id in wanted
        ]
        if status is not None:
            chosen = [invoice for invoice in chosen if invoice.status.value == status]
        return {"items": [invoice.to_api() for invoice in chosen[offset : offset + count]]}

    def _delete_invoice(self, fields: dict[str, Any], origin: str) -> JsonValue:
        invoice_id = _whole(_text(fields, "invoice_id"), "INVOICE_ID_INVALID", low=1)
        if self.invoices.pop(invoice_id, None) is None:
            raise ApiRefusal("INVOICE_NOT_FOUND")
        return True

    # --- inner workings --------------------------------------------------------------------

    def _current(self, invoice: SandboxInvoice) -> SandboxInvoice:
        # Expiry happens when someone looks: the sandbox runs no timers of its own.
        if (
            invoice.status is InvoiceStatus.ACTIVE
            and invoice.expires_at is not None
            and self.clock.now() >= invoice.expires_at
        ):
            invoice.status = InvoiceStatus.EXPIRED
        return invoice

    def _new_hash(self) -> str:
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        return "IV" + "".join(self._rng.choice(alphabet) for _ in range(10))

    def _draw_fault(self, method: str) -> Fault | None:
        for fault in self._faults:
            if fault.matches(method):
                fault.calls -= 1
                self._faults = [item for item in self._faults if item.calls > 0]
                return fault
        return None


def _outage_answer(outage: Outage, delay: float) -> Answer:
    match outage:
        case Outage.DISCONNECT:
            return Answer(500, "", delay=delay, disconnect=True)
        case Outage.HTTP_500:
            error: dict[str, JsonValue] = {"code": 500, "name": "INTERNAL_ERROR"}
            return Answer(500, to_json({"ok": False, "error": error}), delay=delay)
        case Outage.HTTP_502:
            return Answer(502, _BAD_GATEWAY_PAGE, "text/html", delay=delay)
        case Outage.GARBAGE:
            return Answer(200, "Service temporarily unavailable", "text/plain", delay=delay)


def _text(fields: dict[str, Any], name: str) -> str | None:
    """A field as text, however it came: form text, or a JSON number, list or bool."""
    value = fields.get(name)
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value)


def _amount(text: str | None) -> Decimal:
    try:
        amount = Decimal((text or "").strip())
    except InvalidOperation:
        raise ApiRefusal("AMOUNT_INVALID") from None
    if not amount.is_finite() or amount <= 0:
        raise ApiRefusal("AMOUNT_INVALID")
    return amount


def _assets(text: str | None) -> list[str]:
    if text is None:
        return list(currencies.ASSETS)
    assets = [item.strip() for item in text.split(",")]
    if not assets or any(item not in currencies.ASSETS for item in assets):
        raise ApiRefusal("ACCEPTED_ASSETS_INVALID")
    return list(dict.fromkeys(assets))


def _expires_in(text: str | None) -> int | None:
    if text is None:
        return None
    return _whole(text, "EXPIRES_IN_INVALID", low=1, high=MAX_EXPIRES_IN)


def _whole(
    text: str | None, error: str, *, default: int | None = None, low: int, high: int | None = None
) -> int:
    if text is None and default is not None:
        return default
    try:
        value = int((text or "").strip())
    except ValueError:
        raise ApiRefusal(error) from None
    if value < low or (high is not None and value > high):
        raise ApiRefusal(error)
    return value


def _id_list(text: str | None) -> set[int] | None:
    if text is None:
        return None
    try:
        return {int(item) for item in text.split(",") if item.strip()}
    except ValueError:
        raise ApiRefusal("INVOICE_IDS_INVALID") from None
