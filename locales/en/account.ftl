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
