button-view-order = 📦 View order
notice-in-progress =
    🔄 <b>Order #{ $order_id } has started</b>
    { $service }
    Count when it started: { $start_count }
notice-completed =
    ✅ <b>Order #{ $order_id } is completed</b>
    { $service }
notice-partial =
    ◐ <b>Order #{ $order_id } was partly delivered</b>
    { $service }
    Delivered: { $delivered }, not delivered: { $remains }.
    Refunded: { $refund }. Your balance: { $balance }
notice-canceled =
    ✖️ <b>Order #{ $order_id } was canceled</b>
    { $service }
    Refunded: { $refund }. Your balance: { $balance }
notice-not-placed =
    ↩️ <b>Order #{ $order_id } did not go through</b>
    { $service }
    The panel did not take it, so nothing was bought. Refunded: { $refund }. Your balance: { $balance }
notice-refill-accepted = ♻️ The refill of order #{ $order_id } was accepted. We will tell you when it is done.
notice-refill-completed = ♻️ ✅ The refill of order #{ $order_id } is completed.
notice-refill-rejected = ♻️ ⛔ The refill of order #{ $order_id } was rejected by the provider.
notice-topup-recovered =
    ✅ <b>Your payment of { $stars } stars has reached the shop: { $amount } added to your balance.</b>
    Your balance: { $balance }
notice-partial-by-charge =
    ◐ <b>Order #{ $order_id } was partly delivered</b>
    { $service }
    Refunded for what was not delivered: { $refund }. Your balance: { $balance }
notice-partial-held =
    ◐ <b>Order #{ $order_id } was partly delivered</b>
    { $service }
    We are checking with the provider how much was not delivered, and will tell you what comes back to your balance.
notice-refund-settled =
    ↩️ <b>Order #{ $order_id }</b>: { $refund } is back on your balance for what was not delivered.
    { $service }
    Your balance: { $balance }
notice-refund-none =
    ◐ <b>Order #{ $order_id }</b>: we checked with the provider, and nothing is owed back for it.
    { $service }
    Your balance: { $balance }
notice-crypto-topup =
    ✅ <b>Your crypto payment has arrived: { $amount } added to your balance.</b>
    Your balance: { $balance }
notice-promo-bonus = 🎁 And { $bonus } more from your promo code.
