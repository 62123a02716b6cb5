balance-screen =
    💰 <b>Your balance: { $balance }</b>

    { $history }
balance-no-history = No payments yet.
ledger-topup = Top-up: { $amount }
ledger-order-charge = Order #{ $order_id }: { $amount }
ledger-refund = Refund for order #{ $order_id }: { $amount }
ledger-admin-adjustment = Correction by the shop: { $amount }
ledger-referral-bonus = Referral bonus: { $amount }
ledger-stars-refund = Payment returned: { $amount }
ledger-referral-reversal = Referral bonus taken back: { $amount }
ledger-crypto-topup = Top-up by crypto: { $amount }
ledger-manual-topup = Top-up by transfer: { $amount }
ledger-promo-voucher = Promo code: { $amount }
ledger-promo-bonus = Promo code bonus: { $amount }
button-promo-code = 🎟 Promo code
promo-ask = 🎟 Send your promo code.
promo-voucher-credited =
    ✅ <b>Promo code { $code }: { $amount } added to your balance.</b>
    Your balance: { $balance }
promo-bonus-granted =
    ✅ <b>Promo code { $code } accepted.</b>
    Your next top-up gets { $percent }% extra, whichever way you pay.
promo-unknown = ⚠️ There is no such promo code. Check it and send it again, or tap Cancel.
promo-disabled = ⚠️ This promo code has been switched off.
promo-expired = ⚠️ This promo code has expired.
promo-used-up = ⚠️ This promo code has been used up.
promo-already-used = ⚠️ You have used this promo code already.
promo-bonus-pending = ⚠️ You already have a promo code bonus waiting for your next top-up. Top up first, then send this code again.
promo-too-many-tries = ⏳ Too many wrong promo codes. Please try again in { $minutes } min.
balance-promo-waiting = 🎟 Your next top-up gets { $percent }% extra (promo code { $code }).
balance-page = Page { $page } of { $pages }, newest first
