button-referrals = 🤝 Referrals
button-other-amount = ✏️ Another amount
topup-choose =
    💰 <b>Top up your balance</b>
    Payment is in Telegram Stars ⭐. Choose an amount, or type another from { $min } to { $max }.
topup-ask-amount = ✏️ How much to top up? From { $min } to { $max }.
topup-amount-not-a-number = ⚠️ Please send an amount like 10 or 12.50.
topup-amount-too-small = ⚠️ That is below the smallest top-up of { $min }.
topup-amount-too-large = ⚠️ That is above the largest top-up of { $max }.
invoice-title = Balance top-up: { $amount }
invoice-description = { $amount } on your balance in the shop, for { $stars } Telegram Stars.
invoice-label = Top-up { $amount }
checkout-unknown-invoice = This invoice is not valid any more. Please ask for a new one.
checkout-already-paid = This invoice is paid already.
checkout-expired = This invoice has expired. Please ask for a new one: Balance → Top up.
checkout-mismatch = This payment does not match the invoice. Please ask for a new one.
topup-done =
    ✅ <b>{ $amount } added to your balance.</b>
    Your balance: { $balance }
topup-done-with-bonus =
    ✅ <b>{ $amount } added to your balance, and { $bonus } more from your promo code.</b>
    Your balance: { $balance }
topup-seen-before = ✅ This payment is on your balance already. Your balance: { $balance }
topup-unmatched = 🕓 We received your payment of { $stars } stars, but it matches none of your invoices. The shop's staff will check it and credit it, or return the stars.
referral-screen =
    🤝 <b>Invite friends, earn { $percent }%</b>
    Share your link. When someone who joined through it tops up, { $percent }% of it comes to your balance.

    Your link: { $link }
    Friends joined: { $referrals }
    Earned: { $earned }
topup-methods =
    💰 <b>Top up your balance</b>
    How would you like to pay?
button-topup-stars = ⭐ Telegram Stars
button-topup-crypto = 💎 Crypto (CryptoBot)
button-topup-manual = 🏦 Bank transfer
