"""A transfer request's post in the admin group: the receipt copied there with a summary
and Approve / Reject buttons when it comes, the summary edited (buttons gone) once decided.

Telegram may refuse or lose any of these calls; the request is stored before and stays
pending whatever happens here, so /payments still lists it and /approve still works.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import ClientDecodeError, TelegramAPIError
from aiogram.types import InlineKeyboardMarkup, ReplyParameters

from handlers.callbacks import ManualDecisionCb
from handlers.keyboards import button
from shop.manual_payments import ManualPayments
from shop.storage import ManualPaymentRow

logger = logging.getLogger(__name__)


def decision_buttons(manual_payments: ManualPayments, request_id: int) -> InlineKeyboardMarkup:
    """Approve and Reject, in the admins' language."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                button(
                    manual_payments.admin_text("button-manual-approve"),
                    ManualDecisionCb(action="approve", request_id=request_id).pack(),
                ),
                button(
                    manual_payments.admin_text("button-manual-reject"),
                    ManualDecisionCb(action="reject", request_id=request_id).pack(),
                ),
            ]
        ]
    )


async def post_request(
    bot: Bot, request: ManualPaymentRow, manual_payments: ManualPayments
) -> bool:
    """Copy the request's receipt to the admin group and post its summary under it, with
    the decision buttons; remember the summary, so a decision edits it. False when the
    summary could not be posted."""
    group = manual_payments.admin_chat_id
    if group is None:
        return False
    reply: ReplyParameters | None = None
    try:
        copy = await bot.copy_message(group, request.receipt_chat_id, request.receipt_message_id)
        reply = ReplyParameters(message_id=copy.message_id, allow_sending_without_reply=True)
    except (TelegramAPIError, ClientDecodeError) as exc:
        logger.warning("receipt of transfer #%d not copied to the group: %s", request.id, exc)
    try:
        summary = await bot.send_message(
            group,
            await manual_payments.summary(request),
            reply_markup=decision_buttons(manual_payments, request.id),
            reply_parameters=reply,
        )
    except (TelegramAPIError, ClientDecodeError) as exc:
        logger.warning("transfer #%d not posted to the group: %s", request.id, exc)
        return False
    await manual_payments.posted(request.id, summary.message_id)
    return True


async def show_decision(
    bot: Bot, request: ManualPaymentRow, decided_by: str, manual_payments: ManualPayments
) -> None:
    """Edit the request's summary in the group to say who decided what; its buttons go."""
    group = manual_payments.admin_chat_id
    if group is None or request.post_message_id is None:
        return
    try:
        await bot.edit_message_text(
            await manual_payments.summary(request, decided_by),
            chat_id=group,
            message_id=request.post_message_id,
        )
    except (TelegramAPIError, ClientDecodeError) as exc:
        # The decision stands; only its mark on the post is missing.
        logger.warning("post of transfer #%d not edited: %s", request.id, exc)
