"""Commands of the admin group. The router is only ever reached from ``ADMIN_CHAT_ID`` by a
user in ``ADMIN_IDS`` (see :func:`handlers.build_router`); anyone else gets nothing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
)
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram_i18n import I18nContext

from api import PanelClient
from handlers.background import Background
from handlers.callbacks import AdminOrderCb
from handlers.screens import answer_quietly
from handlers.telegram_stars import stars_returner
from shop.admin import (
    AdminInputError,
    OrderDetails,
    correct_balance,
    find_user,
    order_details,
    read_amount,
    read_id,
    read_percent,
    read_period,
    sales,
    set_default_markup,
    set_service_enabled,
    set_service_markup,
    shop_status,
    uncertain_orders,
    user_summary,
)
from shop.alerts import Alerts
from shop.broadcast import broadcast_progress, start_broadcast
from shop.catalogue import CatalogueSyncFailed, sync_catalogue
from shop.display import IN_LIST, PANEL_WORDS, WHOLE, escaped
from shop.ledger import InsufficientFunds
from shop.notices import Notices
from shop.order_actions import ActionRefused, request_cancel, request_refill
from shop.ordering import ResolutionRefused, attach_panel_order, refund_uncertain_order
from shop.payments import RefundRefused, refund_stars
from shop.refunds import HeldRefundProblem, HeldRefundRefused, settle_held_refund
from shop.storage import Database, OrderRow
from shop.terms import Terms
from shop.tracking import Tracker

logger = logging.getLogger(__name__)
_handlers = Router(name="admin")


def router() -> Router:
    """The admin commands, on a new router: a Router joins one parent only, and each
    Dispatcher needs a tree of its own (a restart within the process, every test)."""
    built = Router(name="admin")
    for event, observer in _handlers.observers.items():
        built.observers[event].handlers.extend(observer.handlers)
    built.callback_query.middleware(_answering_themselves)
    return built


async def _answering_themselves(
    handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
    event: TelegramObject,
    data: dict[str, Any],
) -> Any:
    """These handlers answer their callback queries themselves: the Dispatcher's answer is
    turned off for them, so none is answered twice."""
    answer = data.get("callback_answer")
    if isinstance(answer, CallbackAnswer):
        answer.disable()
    return await handler(event, data)


COMMANDS = (
    "panel", "stats", "order", "unknown", "attach", "refund", "user", "credit", "debit",
    "sync", "service", "price", "markup", "broadcast", "refundstars",
)  # fmt: skip
#: Seconds between two edits of a broadcast's progress message (groups allow 20 a minute).
PROGRESS_EVERY = 10.0
#: Characters of a list per message: Fluent refuses a placeable over 2,500 characters, and
#: Telegram a message over 4,096.
LIST_CHARS = 2000
#: Escaped characters of a link shown in a list; /order shows it whole.
LIST_LINK_CHARS = 100


def _args(command: CommandObject) -> list[str]:
    return (command.args or "").split()


def _pages(lines: list[str], limit: int = LIST_CHARS) -> list[str]:
    """``lines`` joined into as few texts of at most ``limit`` characters as they fit in."""
    pages: list[list[str]] = [[]]
    size = 0
    for line in lines:
        if pages[-1] and size + len(line) > limit:
            pages.append([])
            size = 0
        pages[-1].append(line)
        size += len(line) + 1
    return ["\n".join(page) for page in pages]


async def _usage(message: Message, i18n: I18nContext, name: str) -> None:
    await message.reply(i18n.get("admin-usage", usage=i18n.get(f"admin-usage-{name}")))


@_handlers.message(Command("help"))
async def admin_help(message: Message, i18n: I18nContext) -> None:
    lines = [i18n.get(f"admin-usage-{name}") for name in COMMANDS]
    await message.reply(i18n.get("admin-help", commands="\n".join(lines)))


@_handlers.message(Command("panel"))
async def panel_command(
    message: Message,
    *,
    i18n: I18nContext,
    db: Database,
    panel: PanelClient,
    tracker: Tracker,
    sandbox: bool,
) -> None:
    status = await shop_status(db, panel)
    balance = (
        f"{status.panel_balance.balance} {escaped(status.panel_balance.currency, PANEL_WORDS)}"
        if status.panel_balance
        else i18n.get(
            "admin-panel-unreachable", error=escaped(status.panel_error or "", PANEL_WORDS)
        )
    )
    sandbox_line = i18n.get("admin-panel-sandbox") + "\n" if sandbox else ""
    await message.reply(
        sandbox_line
        + i18n.get(
            "admin-panel",
            url=escaped(panel.url, PANEL_WORDS),
            balance=balance,
            services=status.services_for_sale,
            stored=status.services_stored,
            synced=status.synced_at or "—",
            polled=tracker.last_poll_at.isoformat(timespec="seconds")
            if tracker.last_poll_at
            else "—",
            orders=status.active_orders,
            uncertain=status.uncertain_orders,
            refills=status.active_refills,
        )
    )


@_handlers.message(Command("stats"))
async def stats_command(
    message: Message, command: CommandObject, *, i18n: I18nContext, db: Database, terms: Terms
) -> None:
    try:
        period = read_period(command.args)
    except AdminInputError:
        await _usage(message, i18n, "stats")
        return
    figures = await sales(db, period)
    money = terms.currency.format
    top = "\n".join(
        i18n.get("admin-stats-top", service_id=str(sid), name=escaped(name, IN_LIST), orders=count)
        for sid, name, count in figures.top_services
    )
    await message.reply(
        i18n.get(
            "admin-stats",
            period=period.value,
            orders=figures.orders,
            revenue=money(figures.revenue),
            cost=money(figures.panel_cost),
            margin=money(figures.margin),
            refunds=money(figures.refunded),
            customers=figures.new_customers,
            top=top or "—",
        )
    )


def _order_text(i18n: I18nContext, details: OrderDetails, terms: Terms) -> str:
    order, money = details.order, terms.currency.format
    history = "\n".join(
        f"{t.at:%Y-%m-%d %H:%M} {t.old_state.value} → {t.new_state.value}"
        for t in details.transitions
    )
    ledger = "\n".join(
        f"{row.created_at:%Y-%m-%d %H:%M} {row.reason.value} {money(row.amount)}"
        for row in details.ledger
    )
    refills = ", ".join(f"#{r.id} {r.state.value}" for r in details.refills)
    hold = ""
    if order.refund_held_at is not None:
        since = f"{order.refund_held_at:%Y-%m-%d %H:%M}"
        hold = "\n" + i18n.get("admin-order-refund-held", since=since, order_id=str(order.id))
    return i18n.get(
        "admin-order",
        order_id=str(order.id),
        panel_id=str(order.panel_order_id or "—"),
        user_id=str(order.user_id),
        service=escaped(details.service_name),
        link=escaped(order.link or "—", WHOLE),
        quantity=order.quantity,
        price=money(order.price),
        cost=money(order.cost),
        state=order.state.value,
        panel_status=escaped(order.panel_status or "—", PANEL_WORDS),
        error=escaped(order.error or "—", PANEL_WORDS),
        history=history or "—",
        ledger=ledger or "—",
        refills=refills or "—",
        hold=hold,
    )


def _order_buttons(i18n: I18nContext, order: OrderRow) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=i18n.get(f"admin-button-{action}"),
                    callback_data=AdminOrderCb(action=action, order_id=order.id).pack(),
                )
                for action in ("refresh", "refill", "cancel")
            ]
        ]
    )


@_handlers.message(Command("order"))
async def order_command(
    message: Message, command: CommandObject, *, i18n: I18nContext, db: Database, terms: Terms
) -> None:
    try:
        reference = read_id(command.args)
    except AdminInputError:
        await _usage(message, i18n, "order")
        return
    details = await order_details(db, reference)
    if details is None:
        await message.reply(i18n.get("admin-order-not-found", reference=str(reference)))
        return
    await message.reply(
        _order_text(i18n, details, terms), reply_markup=_order_buttons(i18n, details.order)
    )


@_handlers.callback_query(AdminOrderCb.filter())
async def order_action(
    callback: CallbackQuery,
    callback_data: AdminOrderCb,
    *,
    i18n: I18nContext,
    db: Database,
    panel: PanelClient,
    tracker: Tracker,
    terms: Terms,
    notices: Notices,
) -> None:
    details = await order_details(db, callback_data.order_id)
    if details is None:
        await callback.answer(
            i18n.get("admin-order-not-found", reference=str(callback_data.order_id))
        )
        return
    note = ""
    try:
        if callback_data.action == "refresh":
            await tracker.refresh_order(details.order, force=True)
        elif callback_data.action == "refill":
            result = await request_refill(db, panel, details.order.id, None)
            if result.accepted:
                # The customer did not ask for it: tell them, as the tracker would.
                async with db.transaction() as tx:
                    await notices.refill_changed(tx, result.refill)
            note = result.refill.error or i18n.get(
                f"refill-state-{result.refill.state.value.replace('_', '-')}"
            )
        elif callback_data.action == "cancel":
            cancel = await request_cancel(db, panel, details.order.id, None)
            note = cancel.request.error or i18n.get(f"admin-cancel-{cancel.request.outcome.value}")
    except ActionRefused as refused:
        note = i18n.get(f"action-{refused.problem.value.replace('_', '-')}")
    fresh = await order_details(db, details.order.id)
    assert fresh is not None
    text = _order_text(i18n, fresh, terms)
    if note:
        text += "\n\n" + escaped(note, PANEL_WORDS)
    if isinstance(callback.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await callback.message.edit_text(text, reply_markup=_order_buttons(i18n, fresh.order))
    await callback.answer()


@_handlers.callback_query()
async def outdated_button(callback: CallbackQuery, i18n: I18nContext) -> None:
    """A button of the group no handler above takes (old, or forged) still gets an answer,
    so Telegram stops its spinner."""
    await answer_quietly(callback, i18n.get("button-outdated"))


@_handlers.message(Command("unknown"))
async def unknown_command(message: Message, i18n: I18nContext, db: Database, terms: Terms) -> None:
    orders = await uncertain_orders(db)
    if not orders:
        await message.reply(i18n.get("admin-unknown-none"))
        return
    lines = [
        i18n.get(
            "admin-unknown-line",
            order_id=str(order.id),
            user_id=str(order.user_id),
            price=terms.currency.format(order.price),
            created=f"{order.created_at:%Y-%m-%d %H:%M}",
            link=escaped(order.link or "—", LIST_LINK_CHARS),
        )
        for order in orders
    ]
    first, *more = _pages(lines)
    await message.reply(i18n.get("admin-unknown", orders=first))
    for page in more:
        await message.answer(page)


@_handlers.message(Command("attach"))
async def attach_command(
    message: Message, command: CommandObject, *, i18n: I18nContext, db: Database
) -> None:
    args = _args(command)
    try:
        order_id, panel_id = read_id(args[0]), read_id(args[1])
    except (AdminInputError, IndexError):
        await _usage(message, i18n, "attach")
        return
    try:
        await attach_panel_order(db, order_id, panel_id)
    except ResolutionRefused as refused:
        await message.reply(i18n.get("admin-refused", reason=escaped(str(refused), PANEL_WORDS)))
        return
    await message.reply(i18n.get("admin-attached", order_id=str(order_id), panel_id=str(panel_id)))


@_handlers.message(Command("refund"))
async def refund_command(
    message: Message,
    command: CommandObject,
    *,
    i18n: I18nContext,
    db: Database,
    terms: Terms,
    notices: Notices,
    background: Background,
) -> None:
    args = _args(command)
    try:
        order_id = read_id(args[0])
        amount = read_amount(args[1], allow_zero=True) if len(args) == 2 else None
        if len(args) > 2 or (amount is not None and not terms.currency.is_exact(amount)):
            raise AdminInputError("admin-bad-amount")
    except (AdminInputError, IndexError):
        await _usage(message, i18n, "refund")
        return
    if amount is not None:
        await message.reply(
            await _settle_refund(order_id, amount, i18n=i18n, db=db, terms=terms, notices=notices)
        )
        background.wake_notifier()
        return
    try:
        order = await refund_uncertain_order(db, order_id, notices)
    except ResolutionRefused as refused:
        await message.reply(i18n.get("admin-refused", reason=escaped(str(refused), PANEL_WORDS)))
        return
    background.wake_notifier()
    await message.reply(
        i18n.get(
            "admin-refunded", order_id=str(order.id), price=terms.currency.format(order.price)
        )
    )


async def _settle_refund(
    order_id: int,
    amount: Decimal,
    *,
    i18n: I18nContext,
    db: Database,
    terms: Terms,
    notices: Notices,
) -> str:
    """``/refund <order> <amount>``: an admin's decision on a held refund; the reply."""
    money = terms.currency.format
    try:
        settled = await settle_held_refund(db, order_id, amount, notices)
    except HeldRefundRefused as refused:
        if refused.problem is HeldRefundProblem.ABOVE_PRICE and refused.order is not None:
            price = money(refused.order.price)
            return i18n.get("admin-refund-above-price", order_id=str(order_id), price=price)
        return i18n.get("admin-refund-not-held", order_id=str(order_id))
    key = "admin-refund-settled" if settled.amount > 0 else "admin-refund-settled-none"
    return i18n.get(key, order_id=str(order_id), amount=money(settled.amount))


@_handlers.message(Command("user"))
async def user_command(
    message: Message, command: CommandObject, *, i18n: I18nContext, db: Database, terms: Terms
) -> None:
    try:
        user = await find_user(db, command.args)
    except AdminInputError:
        await _usage(message, i18n, "user")
        return
    if user is None:
        await message.reply(i18n.get("admin-user-not-found"))
        return
    summary = await user_summary(db, user)
    recent = "\n".join(
        f"#{o.id} {o.state.value} {terms.currency.format(o.price)}" for o in summary.recent_orders
    )
    await message.reply(
        i18n.get(
            "admin-user",
            user_id=str(user.id),
            name=escaped(user.first_name or ""),
            username=escaped(f"@{user.username}" if user.username else "—"),
            language=user.language,
            blocked=i18n.get("yes" if user.blocked else "no"),
            balance=terms.currency.format(summary.balance),
            orders=summary.orders,
            recent=recent or "—",
            referrer=str(user.referrer_id or "—"),
            referrals=summary.referrals,
        )
    )


async def _adjust(
    message: Message,
    command: CommandObject,
    sign: int,
    *,
    i18n: I18nContext,
    db: Database,
    terms: Terms,
) -> None:
    name = "credit" if sign > 0 else "debit"
    args = _args(command)
    try:
        user = await find_user(db, args[0])
        amount = read_amount(args[1])
        reason = " ".join(args[2:]).strip()
        if not reason:
            raise AdminInputError("admin-bad-reason")
    except (AdminInputError, IndexError):
        await _usage(message, i18n, name)
        return
    if user is None:
        await message.reply(i18n.get("admin-user-not-found"))
        return
    if not terms.currency.is_exact(amount):
        await _usage(message, i18n, name)
        return
    try:
        movement = await correct_balance(
            db, user, amount * sign, reason, f"{message.chat.id}:{message.message_id}"
        )
    except InsufficientFunds as short:
        await message.reply(
            i18n.get("admin-debit-short", balance=terms.currency.format(short.balance))
        )
        return
    await message.reply(
        i18n.get(
            f"admin-{name}-done",
            user_id=str(user.id),
            amount=terms.currency.format(amount),
            balance=terms.currency.format(movement.balance),
        )
    )


@_handlers.message(Command("credit"))
async def credit_command(
    message: Message, command: CommandObject, *, i18n: I18nContext, db: Database, terms: Terms
) -> None:
    await _adjust(message, command, 1, i18n=i18n, db=db, terms=terms)


@_handlers.message(Command("debit"))
async def debit_command(
    message: Message, command: CommandObject, *, i18n: I18nContext, db: Database, terms: Terms
) -> None:
    await _adjust(message, command, -1, i18n=i18n, db=db, terms=terms)


@_handlers.message(Command("sync"))
async def sync_command(
    message: Message, i18n: I18nContext, db: Database, panel: PanelClient, alerts: Alerts
) -> None:
    try:
        report = await sync_catalogue(db, panel, alerts)
    except CatalogueSyncFailed as failed:
        await message.reply(i18n.get("admin-sync-failed", error=escaped(str(failed), PANEL_WORDS)))
        return
    await message.reply(
        i18n.get(
            "admin-sync-done",
            inserted=report.inserted,
            updated=report.updated,
            unchanged=report.unchanged,
            removed=report.removed,
        )
    )


@_handlers.message(Command("service"))
async def service_command(
    message: Message, command: CommandObject, *, i18n: I18nContext, db: Database
) -> None:
    args = _args(command)
    try:
        service_id = read_id(args[0])
        switch = args[1].lower()
        if switch not in ("on", "off") or len(args) != 2:
            raise AdminInputError("admin-bad-switch")
    except (AdminInputError, IndexError):
        await _usage(message, i18n, "service")
        return
    if not await set_service_enabled(db, service_id, switch == "on"):
        await message.reply(i18n.get("admin-service-not-found", service_id=str(service_id)))
        return
    await message.reply(i18n.get(f"admin-service-{switch}", service_id=str(service_id)))


@_handlers.message(Command("price"))
async def price_command(
    message: Message, command: CommandObject, *, i18n: I18nContext, db: Database
) -> None:
    args = _args(command)
    try:
        service_id = read_id(args[0])
        percent = None if args[1].lower() == "reset" else read_percent(args[1])
        if len(args) != 2:
            raise AdminInputError("admin-bad-percent")
    except (AdminInputError, IndexError):
        await _usage(message, i18n, "price")
        return
    if not await set_service_markup(db, service_id, percent):
        await message.reply(i18n.get("admin-service-not-found", service_id=str(service_id)))
        return
    if percent is None:
        await message.reply(i18n.get("admin-price-reset", service_id=str(service_id)))
    else:
        await message.reply(
            i18n.get("admin-price-set", service_id=str(service_id), percent=format(percent, "f"))
        )


@_handlers.message(Command("markup"))
async def markup_command(
    message: Message, command: CommandObject, *, i18n: I18nContext, db: Database
) -> None:
    try:
        percent = read_percent(command.args)
    except AdminInputError:
        await _usage(message, i18n, "markup")
        return
    await set_default_markup(db, percent)
    await message.reply(i18n.get("admin-markup-set", percent=format(percent, "f")))


@_handlers.message(Command("broadcast"))
async def broadcast_command(
    message: Message, *, bot: Bot, i18n: I18nContext, db: Database, background: Background
) -> None:
    source = message.reply_to_message
    text = (source.html_text if source is not None else "") or ""
    if not text.strip():
        await _usage(message, i18n, "broadcast")
        return
    kind, total = await start_broadcast(db, text, f"{message.chat.id}:{message.message_id}")
    background.wake_notifier()
    progress = await message.reply(i18n.get("admin-broadcast-started", total=total))
    background.spawn(_follow_broadcast(bot, db, i18n, progress, kind), name=f"progress-{kind}")


async def _follow_broadcast(
    bot: Bot, db: Database, i18n: I18nContext, progress: Message, kind: str
) -> None:
    """Edit the progress message as the broadcast goes, and once more when it is done."""
    last = ""
    while True:
        state = await broadcast_progress(db, kind)
        key = "admin-broadcast-done" if state.done else "admin-broadcast-progress"
        text = i18n.get(
            key,
            total=state.total,
            delivered=state.delivered,
            blocked=state.blocked,
            failed=state.failed,
        )
        if text != last:
            try:
                await bot.edit_message_text(
                    text, chat_id=progress.chat.id, message_id=progress.message_id
                )
                last = text
            except TelegramAPIError as exc:
                logger.info("broadcast progress not shown: %s", exc)
        if state.done:
            return
        await asyncio.sleep(PROGRESS_EVERY)


@_handlers.message(Command("refundstars"))
async def refund_stars_command(
    message: Message,
    command: CommandObject,
    *,
    bot: Bot,
    i18n: I18nContext,
    db: Database,
    terms: Terms,
    alerts: Alerts,
) -> None:
    args = _args(command)
    try:
        user = await find_user(db, args[0])
        charge_id = args[1]
        if len(args) != 2:
            raise AdminInputError("admin-bad-charge")
    except (AdminInputError, IndexError):
        await _usage(message, i18n, "refundstars")
        return
    if user is None:
        await message.reply(i18n.get("admin-user-not-found"))
        return

    try:
        refund = await refund_stars(db, user.id, charge_id, stars_returner(bot), alerts)
    except RefundRefused as refused:
        await message.reply(
            i18n.get(
                f"admin-refundstars-{refused.problem.value.replace('_', '-')}",
                detail=escaped(refused.detail, PANEL_WORDS),
            )
        )
        return
    await message.reply(
        i18n.get(
            f"admin-refundstars-{refund.outcome.value.replace('_', '-')}",
            user_id=str(user.id),
            stars=refund.invoice.stars,
            amount=terms.currency.format(refund.invoice.amount),
            detail=escaped(refund.detail, PANEL_WORDS),
        )
    )
