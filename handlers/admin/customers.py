"""Any customer from the admin group: /user, corrections of a balance (/credit, /debit)
and the return of a Stars payment (/refundstars)."""

from __future__ import annotations

from decimal import Decimal

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram_i18n import I18nContext

from handlers.admin.arguments import AMOUNT, REASON, TEXT, USER, USER_LINE, Arguments
from handlers.telegram_stars import stars_returner
from shop.admin import UserReference
from shop.admin_desk import AdminDesk
from shop.display import PANEL_WORDS, escaped
from shop.ledger import InsufficientFunds
from shop.payments import RefundRefused


async def user_command(
    message: Message, *, user: UserReference, i18n: I18nContext, admin_desk: AdminDesk
) -> None:
    summary = await admin_desk.customer(user)
    if summary is None:
        await message.reply(i18n.get("admin-user-not-found"))
        return
    money, customer = admin_desk.currency.format, summary.user
    recent = "\n".join(f"#{o.id} {o.state.value} {money(o.price)}" for o in summary.recent_orders)
    await message.reply(
        i18n.get(
            "admin-user",
            user_id=str(customer.id),
            name=escaped(customer.first_name or ""),
            username=escaped(f"@{customer.username}" if customer.username else "—"),
            language=customer.language,
            blocked=i18n.get("yes" if customer.blocked else "no"),
            balance=money(summary.balance),
            orders=summary.orders,
            recent=recent or "—",
            referrer=str(customer.referrer_id or "—"),
            referrals=summary.referrals,
            topups=i18n.get(
                "admin-topups-by-method",
                **{method.value: money(total) for method, total in summary.top_ups.items()},
            ),
        )
    )


async def credit_command(
    message: Message,
    *,
    user: UserReference,
    amount: Decimal,
    reason: str,
    i18n: I18nContext,
    admin_desk: AdminDesk,
) -> None:
    await _correct(
        message, user=user, amount=amount, reason=reason, i18n=i18n, admin_desk=admin_desk
    )


async def debit_command(
    message: Message,
    *,
    user: UserReference,
    amount: Decimal,
    reason: str,
    i18n: I18nContext,
    admin_desk: AdminDesk,
) -> None:
    await _correct(
        message, user=user, amount=-amount, reason=reason, i18n=i18n, admin_desk=admin_desk
    )


async def _correct(
    message: Message,
    *,
    user: UserReference,
    amount: Decimal,
    reason: str,
    i18n: I18nContext,
    admin_desk: AdminDesk,
) -> None:
    """/credit (``amount`` above 0) or /debit (below 0), and the reply."""
    name = "credit" if amount > 0 else "debit"
    money = admin_desk.currency.format
    try:
        correction = await admin_desk.correct_balance(
            user, amount, reason, f"{message.chat.id}:{message.message_id}"
        )
    except InsufficientFunds as short:
        await message.reply(i18n.get("admin-debit-short", balance=money(short.balance)))
        return
    if correction is None:
        await message.reply(i18n.get("admin-user-not-found"))
        return
    await message.reply(
        i18n.get(
            f"admin-{name}-done",
            user_id=str(correction.user_id),
            amount=money(abs(amount)),
            balance=money(correction.balance),
        )
    )


async def refund_stars_command(
    message: Message,
    *,
    user: UserReference,
    charge_id: str,
    bot: Bot,
    i18n: I18nContext,
    admin_desk: AdminDesk,
) -> None:
    try:
        refund = await admin_desk.refund_stars(user, charge_id, stars_returner(bot))
    except RefundRefused as refused:
        await message.reply(
            i18n.get(
                f"admin-refundstars-{refused.problem.value.replace('_', '-')}",
                detail=escaped(refused.detail, PANEL_WORDS),
            )
        )
        return
    if refund is None:
        await message.reply(i18n.get("admin-user-not-found"))
        return
    await message.reply(
        i18n.get(
            f"admin-refundstars-{refund.outcome.value.replace('_', '-')}",
            user_id=str(refund.invoice.user_id),
            stars=refund.invoice.stars,
            amount=admin_desk.currency.format(refund.taken),
            detail=escaped(refund.detail, PANEL_WORDS),
        )
    )


def router() -> Router:
    """/user, /credit, /debit, /refundstars."""
    customers = Router(name=__name__)
    customers.message.register(user_command, Command("user"), Arguments(user=USER_LINE))
    for name, correct in (("credit", credit_command), ("debit", debit_command)):
        customers.message.register(
            correct, Command(name), Arguments(user=USER, amount=AMOUNT, reason=REASON)
        )
    customers.message.register(
        refund_stars_command, Command("refundstars"), Arguments(user=USER, charge_id=TEXT)
    )
    return customers
