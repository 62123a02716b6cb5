"""Top-ups by a transfer the admins approve: the customer pays to the owner's card or bank
account, sends the receipt in the chat, and an admin approves the request in the admin
group (crediting it once, by the request's number) or rejects it.

A request is stored when its receipt arrives, once per receipt message. An approval is one
transaction: the request leaves ``pending`` by a conditional UPDATE that only one caller can
win (two admins tapping at once, or a tap and a command, make one credit), then the top-up is
credited through :func:`shop.topups.credit_top_up` and the customer's notice queued.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

from shop.display import IN_MESSAGE, WHOLE, escaped
from shop.money import Currency
from shop.notices import Notices
from shop.payments import TopUpTerms, read_amount
from shop.storage import (
    Database,
    ManualPaymentRow,
    ManualPaymentStatus,
    NewManualPayment,
    ReceiptKind,
    UserRow,
)
from shop.terms import Terms
from shop.texts import Texts
from shop.topups import Credited, Payment, TopUpMethod, credit_top_up

#: Requests /payments lists at most; the oldest come first.
PENDING_LISTED = 30


@dataclass(frozen=True, slots=True)
class ManualTerms:
    """How top-ups by transfer work in this shop."""

    #: What customers see: the card or bank details and instructions ("" turns it off).
    details: str = ""
    #: Requests a customer may have waiting for a decision at once.
    max_pending: int = 3


class ManualProblem(enum.StrEnum):
    """Why a request was not opened or decided."""

    OFF = "off"
    TOO_MANY_PENDING = "too_many_pending"
    UNKNOWN = "unknown"
    ALREADY_APPROVED = "already_approved"
    ALREADY_REJECTED = "already_rejected"
    #: Asked in a currency the shop no longer counts in: the amount must be given.
    CURRENCY_CHANGED = "currency_changed"


class ManualRefused(Exception):
    """Nothing was done; ``problem`` says why, ``request`` is the one concerned, if any."""

    def __init__(self, problem: ManualProblem, request: ManualPaymentRow | None = None) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.request = request


@dataclass(frozen=True, slots=True)
class Receipt:
    """The message a customer sent as the receipt of their transfer."""

    chat_id: int
    message_id: int
    kind: ReceiptKind
    comment: str | None = None
    #: The form it answered (the details shown once for one amount): one request per form.
    form_key: str | None = None


@dataclass(frozen=True, slots=True)
class Opened:
    """A request stored for a receipt; ``created`` False: the receipt came before."""

    request: ManualPaymentRow
    created: bool


@dataclass(frozen=True, slots=True)
class Decision:
    """A request decided now, and what its approval credited (None for a rejection)."""

    request: ManualPaymentRow
    credited: Credited | None = None


@dataclass(frozen=True, slots=True)
class PendingRequest:
    """A request waiting for a decision, with its customer as the shop knows them."""

    request: ManualPaymentRow
    customer: UserRow | None


def _refusal_for(request: ManualPaymentRow) -> ManualRefused:
    """Why a request that is no longer pending cannot be decided again."""
    problem = (
        ManualProblem.ALREADY_APPROVED
        if request.status is ManualPaymentStatus.APPROVED
        else ManualProblem.ALREADY_REJECTED
    )
    return ManualRefused(problem, request)


class ManualPayments:
    """Top-ups by transfer: the customer's requests and the admins' decisions."""

    def __init__(
        self,
        db: Database,
        terms: Terms,
        topup: TopUpTerms,
        manual: ManualTerms,
        notices: Notices,
        texts: Texts,
    ) -> None:
        self._db = db
        self._terms = terms
        self._topup = topup
        self._manual = manual
        self._notices = notices
        self._texts = texts

    @property
    def enabled(self) -> bool:
        """True when the owner gave payment details and there is a group to decide in."""
        return bool(self._manual.details.strip()) and self._terms.admin_chat_id is not None

    @property
    def details(self) -> str:
        """The owner's payment details, as HTML-escaped text."""
        return escaped(self._manual.details.strip(), WHOLE)

    @property
    def admin_chat_id(self) -> int | None:
        """The group where the requests are posted and decided."""
        return self._terms.admin_chat_id

    @property
    def admin_locale(self) -> str:
        """The language of what the bot posts to the admin group by itself."""
        return self._terms.admin_locale

    @property
    def max_pending(self) -> int:
        """Requests a customer may have waiting at once."""
        return self._manual.max_pending

    @property
    def currency(self) -> Currency:
        """The shop's currency, in which transfers are asked and credited."""
        return self._topup.currency

    def read_amount(self, text: str) -> Decimal:
        """An amount to transfer, as the customer typed or tapped it; raises
        :class:`~shop.payments.AmountRefused` outside TOPUP_MIN..TOPUP_MAX or in more
        decimals than the currency has."""
        return read_amount(text, self._topup, TopUpMethod.MANUAL)

    async def check_room(self, user_id: int) -> None:
        """Raises :class:`ManualRefused` when the customer may not open a request now (the
        method is off, or they have MANUAL_PAYMENT_MAX_PENDING waiting)."""
        if not self.enabled:
            raise ManualRefused(ManualProblem.OFF)
        async with self._db.read() as r:
            waiting = await r.manual_payments.count_pending(user_id)
        if waiting >= self._manual.max_pending:
            raise ManualRefused(ManualProblem.TOO_MANY_PENDING)

    async def open(self, user_id: int, amount: Decimal, receipt: Receipt) -> Opened:
        """Store the request ``receipt`` makes for ``amount``, once per receipt message.
        Raises :class:`ManualRefused` when the customer has too many waiting already."""
        if not self.enabled:
            raise ManualRefused(ManualProblem.OFF)
        async with self._db.transaction() as tx:
            existing = await tx.manual_payments.get_by_receipt(receipt.chat_id, receipt.message_id)
            if existing is None and receipt.form_key is not None:
                existing = await tx.manual_payments.get_by_form(user_id, receipt.form_key)
            if existing is not None:
                return Opened(existing, created=False)
            if await tx.manual_payments.count_pending(user_id) >= self._manual.max_pending:
                raise ManualRefused(ManualProblem.TOO_MANY_PENDING)
            request, created = await tx.manual_payments.create(
                NewManualPayment(
                    user_id=user_id,
                    amount=amount,
                    currency=self._topup.currency.code,
                    receipt_chat_id=receipt.chat_id,
                    receipt_message_id=receipt.message_id,
                    receipt_kind=receipt.kind,
                    comment=receipt.comment or None,
                    form_key=receipt.form_key,
                )
            )
        return Opened(request, created)

    async def posted(self, request_id: int, message_id: int) -> None:
        """The request's summary is in the admin group as ``message_id``."""
        async with self._db.transaction() as tx:
            await tx.manual_payments.set_post(request_id, message_id)

    async def waiting(self, request_id: int) -> ManualPaymentRow:
        """The request with this number, waiting for a decision. Raises
        :class:`ManualRefused` for an unknown request or one decided before."""
        request = await self.get(request_id)
        if request is None:
            raise ManualRefused(ManualProblem.UNKNOWN)
        if request.status is not ManualPaymentStatus.PENDING:
            raise _refusal_for(request)
        return request

    async def get(self, request_id: int) -> ManualPaymentRow | None:
        """The request with this number, or None."""
        async with self._db.read() as r:
            return await r.manual_payments.get(request_id)

    async def approve(
        self, request_id: int, admin_id: int, amount: Decimal | None = None
    ) -> Decision:
        """Approve a pending request and credit ``amount`` (default: the amount asked),
        once, and tell the customer. Raises :class:`ManualRefused` for an unknown request
        or one decided before, and for one asked in a currency the shop no longer counts in
        without ``amount``; nothing changes then."""
        async with self._db.transaction() as tx:
            request = await tx.manual_payments.get(request_id)
            if request is None:
                raise ManualRefused(ManualProblem.UNKNOWN)
            if amount is None and request.currency != self._topup.currency.code:
                raise ManualRefused(ManualProblem.CURRENCY_CHANGED, request)
            given = request.amount if amount is None else amount
            if not await tx.manual_payments.approve(request_id, admin_id, given):
                raise _refusal_for(request)
            credited = await credit_top_up(
                tx,
                self._topup,
                request.user_id,
                given,
                Payment(TopUpMethod.MANUAL, str(request_id)),
                note=f"transfer #{request_id}",
            )
            decided = await tx.manual_payments.get(request_id)
            assert decided is not None
            await self._notices.manual_payment_decided(
                tx, decided, credited.balance, credited.promo_bonus
            )
        return Decision(decided, credited)

    async def reject(self, request_id: int, admin_id: int, reason: str | None = None) -> Decision:
        """Reject a pending request (with the admin's reason, if given) and tell the
        customer. Raises :class:`ManualRefused` for an unknown request or one decided
        before; nothing changes then."""
        async with self._db.transaction() as tx:
            request = await tx.manual_payments.get(request_id)
            if request is None:
                raise ManualRefused(ManualProblem.UNKNOWN)
            if not await tx.manual_payments.reject(request_id, admin_id, reason or None):
                raise _refusal_for(request)
            decided = await tx.manual_payments.get(request_id)
            assert decided is not None
            balance = await tx.ledger.balance(request.user_id)
            await self._notices.manual_payment_decided(tx, decided, balance)
        return Decision(decided)

    async def pending(self, limit: int = PENDING_LISTED) -> tuple[list[PendingRequest], int]:
        """Up to ``limit`` requests waiting for a decision, oldest first, with how many
        there are in all."""
        async with self._db.read() as r:
            rows = await r.manual_payments.pending(limit)
            total = await r.manual_payments.count_pending()
            return [PendingRequest(row, await r.users.get(row.user_id)) for row in rows], total

    async def summary(self, request: ManualPaymentRow, decided_by: str | None = None) -> str:
        """The request as the admin group's post shows it, in the admins' language: the
        customer, the amount, the comment; once decided, who decided (``decided_by``, a
        name) and how."""
        async with self._db.read() as r:
            customer = await r.users.get(request.user_id)
        text = self.admin_text(
            "manual-post",
            request_id=str(request.id),
            amount=self._topup.currency.format(request.amount),
            user_id=str(request.user_id),
            name=escaped((customer.first_name if customer else None) or "—"),
            username=escaped(
                f"@{customer.username}" if customer is not None and customer.username else "—"
            ),
            comment=escaped(request.comment or "—", IN_MESSAGE),
        )
        if request.status is ManualPaymentStatus.PENDING:
            return text
        who = escaped(decided_by or str(request.decided_by or "—"))
        if request.status is ManualPaymentStatus.APPROVED:
            assert request.approved_amount is not None
            outcome = self.admin_text(
                "manual-post-approved",
                admin=who,
                amount=self._topup.currency.format(request.approved_amount),
            )
        else:
            outcome = self.admin_text(
                "manual-post-rejected",
                admin=who,
                reason=escaped(request.reject_reason or "—", IN_MESSAGE),
            )
        return f"{text}\n\n{outcome}"

    def admin_text(self, key: str, **params: object) -> str:
        """The message ``key`` in the admins' language."""
        return self._texts.get(self._terms.admin_locale, key, **params)
