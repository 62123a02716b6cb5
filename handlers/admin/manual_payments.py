"""Transfers the admins approve or reject: the Approve / Reject buttons of a request's post,
/approve, /reject, and /payments, the requests waiting."""

from __future__ import annotations

from decimal import Decimal

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message, User
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram_i18n import I18nContext

from handlers.admin.arguments import AMOUNT, ID, NOTE, Arguments, optional
from handlers.background import Background
from handlers.callbacks import ManualDecisionCb
from handlers.manual_posts import post_request, show_decision
from shop.display import IN_LIST, escaped
from shop.manual_payments import Decision, ManualPayments, ManualRefused
from shop.storage import ManualPaymentStatus

#: Characters of a comment in a line of /payments.
LIST_COMMENT_CHARS = 80
#: A Telegram message's length, and what the line counting the unlisted requests needs.
MESSAGE_CHARS = 4096
MORE_LINE_CHARS = 100


def _admin_name(user: User | None) -> str:
    if user is None:
        return "—"
    return user.first_name or (f"@{user.username}" if user.username else str(user.id))


def _refused_text(i18n: I18nContext, request_id: int, refused: ManualRefused) -> str:
    return i18n.get(
        f"admin-manual-{refused.problem.value.replace('_', '-')}", request_id=str(request_id)
    )


def _decided_text(i18n: I18nContext, decision: Decision, manual_payments: ManualPayments) -> str:
    request, money = decision.request, manual_payments.currency.format
    if request.status is ManualPaymentStatus.APPROVED:
        assert request.approved_amount is not None and decision.credited is not None
        return i18n.get(
            "admin-manual-approved",
            request_id=str(request.id),
            user_id=str(request.user_id),
            amount=money(request.approved_amount),
            balance=money(decision.credited.balance),
        )
    return i18n.get(
        "admin-manual-rejected", request_id=str(request.id), user_id=str(request.user_id)
    )


async def decision_button(
    callback: CallbackQuery,
    callback_data: ManualDecisionCb,
    *,
    i18n: I18nContext,
    manual_payments: ManualPayments,
    background: Background,
    callback_answer: CallbackAnswer,
) -> None:
    """Approve (the amount asked) or Reject (without a reason) from the request's post."""
    request_id, admin = callback_data.request_id, callback.from_user
    try:
        if callback_data.action == "approve":
            decision = await manual_payments.approve(request_id, admin.id)
        else:
            decision = await manual_payments.reject(request_id, admin.id)
    except ManualRefused as refused:
        callback_answer.text = _refused_text(i18n, request_id, refused)
        return
    background.wake_notifier()
    callback_answer.text = _decided_text(i18n, decision, manual_payments)
    if callback.bot is not None:
        await show_decision(callback.bot, decision.request, _admin_name(admin), manual_payments)


async def approve_command(
    message: Message,
    *,
    request_id: int,
    amount: Decimal | None,
    i18n: I18nContext,
    manual_payments: ManualPayments,
    background: Background,
) -> None:
    """``/approve <request> [amount]``: credit the amount asked, or ``amount``."""
    try:
        decision = await manual_payments.approve(request_id, _sender_id(message), amount)
    except ManualRefused as refused:
        await message.reply(_refused_text(i18n, request_id, refused))
        return
    background.wake_notifier()
    await message.reply(_decided_text(i18n, decision, manual_payments))
    if message.bot is not None:
        await show_decision(
            message.bot, decision.request, _admin_name(message.from_user), manual_payments
        )


async def reject_command(
    message: Message,
    *,
    request_id: int,
    reason: str,
    i18n: I18nContext,
    manual_payments: ManualPayments,
    background: Background,
) -> None:
    """``/reject <request> [reason]``: the customer is told the reason, if one is given."""
    try:
        decision = await manual_payments.reject(request_id, _sender_id(message), reason.strip())
    except ManualRefused as refused:
        await message.reply(_refused_text(i18n, request_id, refused))
        return
    background.wake_notifier()
    await message.reply(_decided_text(i18n, decision, manual_payments))
    if message.bot is not None:
        await show_decision(
            message.bot, decision.request, _admin_name(message.from_user), manual_payments
        )


def _sender_id(message: Message) -> int:
    # The admin group's router lets through messages of admins only, who have an id.
    assert message.from_user is not None
    return message.from_user.id


async def payments_command(
    message: Message, *, i18n: I18nContext, manual_payments: ManualPayments
) -> None:
    """The requests waiting for a decision, oldest first."""
    waiting, total = await manual_payments.pending()
    if not waiting:
        await message.reply(i18n.get("admin-payments-none"))
        return
    money = manual_payments.currency.format
    lines = [
        i18n.get(
            "admin-payments-line",
            request_id=str(item.request.id),
            amount=money(item.request.amount),
            user_id=str(item.request.user_id),
            name=escaped((item.customer.first_name if item.customer else None) or "—", IN_LIST),
            created=f"{item.request.created_at:%Y-%m-%d %H:%M}",
            comment=escaped(item.request.comment or "—", LIST_COMMENT_CHARS),
        )
        for item in waiting
    ]
    # Joined here, not in one Fluent placeable, which Fluent cuts at 1,000 characters; whole
    # lines only, and room kept for the line that counts the rest.
    text = i18n.get("admin-payments", count=total)
    shown = 0
    for line in lines:
        if len(text) + 1 + len(line) > MESSAGE_CHARS - MORE_LINE_CHARS:
            break
        text += "\n" + line
        shown += 1
    if total > shown:
        text += "\n" + i18n.get("admin-payments-more", more=total - shown)
    await message.reply(text)


async def receipt_command(
    message: Message, *, request_id: int, i18n: I18nContext, manual_payments: ManualPayments
) -> None:
    """``/receipt <request>``: post a waiting request's receipt and buttons again (its post
    failed, or is far up the chat)."""
    try:
        request = await manual_payments.waiting(request_id)
    except ManualRefused as refused:
        await message.reply(_refused_text(i18n, request_id, refused))
        return
    if message.bot is None or not await post_request(message.bot, request, manual_payments):
        await message.reply(i18n.get("admin-manual-not-posted", request_id=str(request_id)))


def router() -> Router:
    """The decision buttons, /approve, /reject, /payments, /receipt."""
    manual = Router(name=__name__)
    manual.callback_query.register(
        decision_button, ManualDecisionCb.filter(F.action.in_({"approve", "reject"}))
    )
    manual.message.register(
        approve_command, Command("approve"), Arguments(request_id=ID, amount=optional(AMOUNT))
    )
    manual.message.register(
        reject_command, Command("reject"), Arguments(request_id=ID, reason=NOTE)
    )
    manual.message.register(payments_command, Command("payments"))
    manual.message.register(receipt_command, Command("receipt"), Arguments(request_id=ID))
    return manual
