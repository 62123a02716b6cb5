crypto-choose =
    💎 <b>Top up with crypto</b>
    Pay through @CryptoBot in { $assets }. Choose an amount, or type another from { $min } to { $max }.
crypto-invoice =
    💎 <b>Invoice for { $amount }</b>
    Pay it in @CryptoBot with { $assets } within { $minutes } minutes: tap the button below. Your balance is credited as soon as the payment arrives, and we will tell you here.
crypto-invoice-link = Pay here: { $url }
crypto-invoice-description = Top-up of { $amount } in { $shop }
button-crypto-pay = 💎 Pay { $amount }
button-crypto-check = 🔄 Check payment
crypto-paid = ✅ <b>Invoice for { $amount } paid.</b> The money is on your balance.
crypto-paid-short = ✅ Paid: the money is on your balance.
crypto-waiting = ⏳ No payment yet. Pay with the button above, then check again.
crypto-expired = ⌛ This invoice has expired and can no longer be paid. Ask for a new one: Balance → Top up.
crypto-expired-short = ⌛ This invoice has expired.
crypto-held = 🕓 This payment does not match its invoice. The shop's staff are checking it.
crypto-unavailable = ⚠️ Crypto Pay does not answer just now. Please try again in a minute.
crypto-refused = ⚠️ Crypto Pay did not accept this invoice. Please try another amount or another way to pay.
crypto-too-many = ⚠️ You have unpaid crypto invoices already. Pay one of them above, or try again when they expire.
