"""Promo codes against the bot as a separate process: the owner makes them in the admin group,
customers redeem them in their chats, and a bonus comes with a Stars top-up."""

from __future__ import annotations

from ..support.telegram.chat import Customer
from .shop import ADMIN_CHAT, OWNER, Shop


async def test_the_owner_makes_codes_and_customers_redeem_them(shop: Shop) -> None:
    owner = Customer(shop.telegram, user_id=OWNER, first_name="Olga", chat_id=ADMIN_CHAT)
    await owner.send("/promo new GIFT 3 1")
    assert owner.last.text.startswith("✅ Promo code <code>GIFT</code> created: 3.00 USD voucher")
    await owner.send("/promo new Extra 20%")
    assert owner.last.text.startswith("✅ Promo code <code>EXTRA</code> created: +20%")

    ann = Customer(shop.telegram, user_id=9101)
    await ann.send("/start")
    await ann.click("Balance")
    await ann.click("Promo code")
    await ann.send("gift")
    assert ann.last.text == (
        "✅ <b>Promo code GIFT: 3.00 USD added to your balance.</b>\nYour balance: 3.00 USD"
    )

    ben = Customer(shop.telegram, user_id=9102)
    await ben.send("/start")
    await ben.click("Balance")
    await ben.click("Promo code")
    await ben.send("GIFT")
    assert ben.last.text == "⚠️ This promo code has been used up."

    await ann.click("Balance")
    await ann.click("Promo code")
    await ann.send("extra")
    assert ann.last.text.startswith("✅ <b>Promo code EXTRA accepted.</b>")
    await ann.click("Top up")
    await ann.click("10.00 USD")
    [invoice] = [call for call in shop.telegram.calls if call.method == "sendInvoice"]
    payload, stars = invoice.params["payload"], invoice.params["prices"][0]["amount"]
    await ann.pre_checkout("checkout-promo", payload, stars)
    await ann.send_payment(payload, stars, "charge-e2e-promo")
    assert ann.last.text == (
        "✅ <b>10.01 USD added to your balance, and 2.00 USD more from your promo code.</b>\n"
        "Your balance: 15.01 USD"
    )

    await owner.send("/promo list")
    assert owner.last.text.endswith(
        "<code>EXTRA</code> · +20% on the next top-up · used 1/∞ · no end date · active\n"
        "<code>GIFT</code> · 3.00 USD voucher · used 1/1 · no end date · used up"
    )
