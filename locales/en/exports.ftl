button-export = 📄 Export CSV
export-preparing = ⏳ Preparing your file…
export-caption-customer = 📄 Your orders and balance history: { $rows ->
        [one] 1 row
       *[other] { $rows } rows
    }. Times are in UTC.
export-zipped = Zipped: the CSV is over Telegram's 50 MB limit for a file.
export-busy = ⏳ An export is already being prepared here. Please wait for it.
export-too-soon = ⏳ You can export once a minute. Please try again in { $seconds } s.
export-too-large = ⚠️ This export is over Telegram's 50 MB limit even zipped. Choose a shorter period.
export-not-sent = ⚠️ The file could not be sent just now. Please try again in a minute.
export-column-kind = Type
export-column-date = Date (UTC)
export-column-order = Order
export-column-service = Service
export-column-link = Link
export-column-quantity = Quantity
export-column-status = Status
export-column-charge = Charge ({ $currency })
export-column-refunded = Refunded ({ $currency })
export-column-reason = Balance change
export-column-amount = Amount ({ $currency })
export-column-balance = Balance after ({ $currency })
export-column-reference = Reference
export-kind-order = Order
export-kind-movement = Balance
export-reason-topup = Top-up by Telegram Stars
export-reason-order-charge = Order payment
export-reason-refund = Refund for an order
export-reason-admin-adjustment = Correction by the shop
export-reason-referral-bonus = Referral bonus
export-reason-stars-refund = Payment returned
export-reason-referral-reversal = Referral bonus taken back
export-reason-crypto-topup = Top-up by crypto
export-reason-manual-topup = Top-up by transfer
export-reason-promo-voucher = Promo code
export-reason-promo-bonus = Promo code bonus
admin-usage-export = /export orders|ledger|customers [from] [to] — a CSV file; days as YYYY-MM-DD in UTC, both included (from: the beginning, to: today when left out)
admin-export-caption = 📄 { $kind } · { $period } (UTC) · { $rows ->
        [one] 1 row
       *[other] { $rows } rows
    }
admin-export-kind-orders = Orders
admin-export-kind-ledger = Ledger
admin-export-kind-customers = Customers who joined
