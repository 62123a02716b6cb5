"""Promo codes from the admin group: /promo new, /promo list, /promo off."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram_i18n import I18nContext

from handlers.admin.arguments import Argument, Arguments, keyword, word
from shop.promo_input import CodeSpec, read_code, read_spec
from shop.promos import Promos
from shop.storage import PromoCodeRow, PromoKind

#: ``CODE <amount|percent%> [uses] [days]``, read in the shop's currency.
SPEC = Argument(read_spec, rest=True)
#: A code, in any case.
CODE = word(read_code)
#: Longest reply: Telegram takes 4096 characters; the rest is room for the last line.
MAX_REPLY = 3900


def value_text(i18n: I18nContext, promos: Promos, code: PromoCodeRow) -> str:
    """What a code gives, in words: '5.00 USD voucher', '+10% on the next top-up'."""
    if code.kind is PromoKind.AMOUNT:
        return i18n.get("admin-promo-voucher", amount=promos.currency.format(code.value))
    return i18n.get("admin-promo-bonus", percent=f"{code.value:f}")


def _expiry(i18n: I18nContext, code: PromoCodeRow) -> str:
    if code.expires_at is None:
        return i18n.get("admin-promo-no-expiry")
    return i18n.get("admin-promo-expires", at=f"{code.expires_at:%Y-%m-%d %H:%M} UTC")


def _uses(i18n: I18nContext, code: PromoCodeRow) -> str:
    if code.max_uses is None:
        return i18n.get("admin-promo-uses-any")
    return i18n.get("admin-promo-uses-max", max=code.max_uses)


async def promo_new(
    message: Message, *, action: str, spec: CodeSpec, i18n: I18nContext, promos: Promos
) -> None:
    admin_id = message.from_user.id if message.from_user is not None else 0
    code = await promos.create(admin_id, spec)
    if code is None:
        await message.reply(i18n.get("admin-promo-exists", code=spec.code))
        return
    await message.reply(
        i18n.get(
            "admin-promo-created",
            code=code.code,
            value=value_text(i18n, promos, code),
            uses=_uses(i18n, code),
            expiry=_expiry(i18n, code),
        )
    )


async def promo_list(message: Message, *, action: str, i18n: I18nContext, promos: Promos) -> None:
    listed = await promos.codes()
    if not listed.codes:
        await message.reply(i18n.get("admin-promo-none"))
        return
    # Joined here, not in one Fluent placeable: those are cut at 1,000 characters.
    lines = [i18n.get("admin-promo-list", total=listed.total)]
    length = len(lines[0])
    for code in listed.codes:
        used = f"{code.uses}/{code.max_uses}" if code.max_uses is not None else f"{code.uses}/∞"
        line = i18n.get(
            "admin-promo-line",
            code=code.code,
            value=value_text(i18n, promos, code),
            used=used,
            expiry=_expiry(i18n, code),
            state=i18n.get(f"admin-promo-state-{promos.state(code).value.replace('_', '-')}"),
        )
        # Cut where the message would grow past Telegram's limit; the rest is counted.
        if length + len(line) + 1 > MAX_REPLY:
            break
        lines.append(line)
        length += len(line) + 1
    shown = len(lines) - 1
    if listed.total > shown:
        lines.append(i18n.get("admin-promo-list-more", more=listed.total - shown))
    await message.reply("\n".join(lines))


async def promo_off(
    message: Message, *, action: str, code: str, i18n: I18nContext, promos: Promos
) -> None:
    switched = await promos.disable(code)
    if switched is None:
        await message.reply(i18n.get("admin-promo-not-found", code=code))
        return
    await message.reply(i18n.get("admin-promo-off", code=switched.code))


def router() -> Router:
    """/promo new, /promo list, /promo off."""
    promo = Router(name=__name__)
    promo.message.register(
        promo_new, Command("promo"), Arguments(action=keyword("new"), spec=SPEC)
    )
    promo.message.register(promo_list, Command("promo"), Arguments(action=keyword("list")))
    promo.message.register(
        promo_off, Command("promo"), Arguments(action=keyword("off"), code=CODE)
    )
    return promo
