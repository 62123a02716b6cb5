alert-order-unknown =
    ⚠️ <b>Order #{ $order_id } is uncertain</b>
    Customer { $user_id } paid { $price }. The panel's answer was lost ({ $reason }), so the order may or may not have been placed. The money stays held.
    Check the panel, then: <code>/attach { $order_id } PANEL_ORDER_ID</code> if it was placed, or <code>/refund { $order_id }</code> if not.
alert-panel-problem =
    🛑 <b>The panel refused an order for a reason on the shop's side</b>
    { $message }
    Order #{ $order_id } was refunded to the customer.
alert-order-failover = ↪️ <b>Order #{ $order_id }</b>: panel { $refused_by } refused it ({ $message }), so it was sent to panel { $panel } instead. <code>/order { $order_id }</code>
alert-order-item-error =
    ⚠️ <b>The panel keeps refusing to report order #{ $order_id }</b> (panel order { $panel_id }): { $error }
    Check it with <code>/order { $order_id }</code>.
alert-polls-failing =
    🛑 <b>The panel has not answered { $polls } status checks in a row</b>: { $error }
    Orders are not being followed until it answers again; nothing is lost.
alert-large-order = 💰 <b>Large order #{ $order_id }</b>: { $price } from customer { $user_id }. <code>/order { $order_id }</code>
alert-service-unpriced =
    🚫 <b>Service { $service_id } is not for sale</b>: { $name }
    The panel lists it at a rate of { $rate }, so it cannot be priced. Customers do not see it until the panel gives it a rate above zero.
alert-service-limits =
    🚫 <b>Service { $service_id } is not for sale</b>: { $name }
    The panel lists it from { $min } to { $max }, so no quantity fits. Customers do not see it until the panel corrects its limits.
alert-panel-balance = 🪫 <b>The panel's balance is low</b>: { $balance } (alert below { $threshold }). Top it up, or orders will be refused.
alert-panel-balance-named = 🪫 <b>The balance of panel { $panel } is low</b>: { $balance } (alert below { $threshold }). Top it up, or orders there will be refused.
alert-stars-refund-uncertain =
    ⚠️ <b>A Stars refund is uncertain</b>
    Telegram's answer to the refund of { $stars } stars to customer { $user_id } (payment <code>{ $charge_id }</code>) was lost ({ $error }): the stars may or may not have been returned. { $amount } stays taken off the customer's balance.
    Ask again: <code>/refundstars { $user_id } { $charge_id }</code>. Telegram returns stars only once, and says so if they are back already; the balance is not debited twice.
alert-referral-bonus-kept =
    ⚠️ <b>A referral bonus was not taken back</b>
    The top-up <code>{ $charge_id }</code> of customer { $user_id } was refunded, but their referrer { $referrer_id } has spent the { $bonus } bonus it earned (balance { $balance }): nothing was taken from them. Decide with <code>/user { $referrer_id }</code>.
alert-star-payment-recovered = 💫 A Stars payment had not been credited: customer { $user_id }, { $stars } stars (payment <code>{ $charge_id }</code>). { $amount } is now on their balance.
alert-refund-held =
    ⏸ <b>Order #{ $order_id } ended { $status }; its refund waits for an admin</b>
    Customer { $user_id } paid { $price }. The panel said: remains { $remains }, charge { $charge }. That does not tell what was not delivered, so nothing was refunded.
    Check it at the panel, then: <code>/refund { $order_id } AMOUNT</code> (from 0 to { $price }; 0 if nothing is owed).
alert-star-payment-unmatched =
    ❓ <b>A Stars payment matches no invoice</b>: customer { $user_id } paid { $stars } stars (payment <code>{ $charge_id }</code>, invoice <code>{ $payload }</code>), and nothing was credited.
    Credit it with <code>/credit { $user_id } AMOUNT</code>, or return the stars with <code>/refundstars { $user_id } { $charge_id }</code>.
alert-star-payment-unsettled = ⚠️ The Stars transaction <code>{ $charge_id }</code> could not be checked against the shop's books ({ $error }) and was passed over. Look it up in the bot's Stars transactions and settle it by hand.
alert-crypto-payment-unknown =
    ❓ <b>A Crypto Pay payment this shop did not ask for</b>: invoice <code>{ $invoice_id }</code> ({ $details }) was paid, but the shop made no such invoice. Nothing was credited. Look it up in @CryptoBot → Crypto Pay.
alert-crypto-payment-mismatch =
    ⚠️ <b>A Crypto Pay payment differs from its invoice</b>: invoice <code>{ $invoice_id }</code>, { $details }. Nothing was credited. Look it up in @CryptoBot → Crypto Pay, and credit the customer with /credit if it is right.
alert-crypto-pay-refuses =
    ⚠️ <b>Crypto Pay refuses the shop's requests</b>: { $error }. Customers cannot pay by crypto until this is fixed. Check CRYPTO_PAY_TOKEN, and CRYPTO_PAY_API_URL (the test network has tokens of its own).
alert-orders-at-unknown-panel = ⚠️ <b>{ $orders ->
        [one] 1 order still runs
       *[other] { $orders } orders still run
    } at panel { $panel }</b>, which PANELS no longer names: nothing tracks them, so their customers are not told how they end. Put the panel back in PANELS until they are done.
alert-channel-unchecked =
    ⚠️ <b>The bot cannot check who is in { $channel }</b>: { $detail }. Until it can, everyone may order, members or not. Make the bot an admin of the channel (no rights are needed), or fix REQUIRED_CHANNEL.
alert-topics-refused =
    ⚠️ <b>The bot may not create topics in the admin group</b>: { $detail }. Customers' messages come under a header in General instead (answer by replying to them). For a topic per customer, give the bot the “Manage topics” right.
