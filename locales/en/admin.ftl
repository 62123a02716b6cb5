admin-usage = Usage: { $usage }
admin-help = <b>Shop commands</b> (this group only)
admin-usage-panel = /panel — the panel's balance and the shop's state
admin-usage-stats = /stats [today|7d|30d|90d] — sales, costs, margin, refunds, customers, and a chart of them by day
admin-usage-order = /order &lt;shop or panel order id&gt; — an order with its history and money
admin-usage-unknown = /unknown — orders whose placement is uncertain
admin-usage-attach = /attach &lt;order id&gt; &lt;panel order id&gt; — an uncertain order was placed
admin-usage-refund = /refund &lt;order id&gt; [amount] — refund an uncertain order, or settle a held refund
admin-usage-user = /user &lt;telegram id or @username&gt; — a customer
admin-usage-credit = /credit &lt;user&gt; &lt;amount&gt; &lt;reason&gt; — add to a balance
admin-usage-debit = /debit &lt;user&gt; &lt;amount&gt; &lt;reason&gt; — take from a balance
admin-usage-sync = /sync — take the catalogue from the panel now
admin-usage-service = /service &lt;id&gt; [on|off] — sell a service or not; alone: where it is sold from, its alternatives
admin-usage-price = /price &lt;id&gt; &lt;markup %&gt;|reset — a service's own markup
admin-usage-markup = /markup &lt;percent&gt; — the default markup
admin-usage-desc = /desc &lt;service&gt; [text|reset] — the shop's own description of a service, shown instead of the panel's; alone: both
admin-usage-link = /link &lt;service&gt; &lt;panel&gt;:&lt;panel service&gt; — sell a panel's service as an alternative of a service
admin-usage-unlink = /unlink &lt;panel&gt;:&lt;panel service&gt; — a panel's service is no longer an alternative: it becomes a service of its own
admin-usage-prefer = /prefer &lt;service&gt; &lt;panel&gt;|cheapest — the panel a service is sold from
admin-usage-broadcast = /broadcast (as a reply to a message) — send it to every customer
admin-usage-refundstars = /refundstars &lt;user&gt; &lt;charge id&gt; — return a Stars payment
admin-usage-payments = /payments — transfers waiting for a decision
admin-usage-approve = /approve &lt;request&gt; [amount] — confirm a transfer, crediting the amount asked or another
admin-usage-reject = /reject &lt;request&gt; [reason] — turn a transfer down; the customer is told the reason
admin-usage-receipt = /receipt &lt;request&gt; — post a waiting transfer's receipt and buttons again
admin-panel =
    <b>Panel</b> { $url }
    Balance: { $balance }
    Services for sale: { $services } (of { $stored } known)
    Catalogue taken: { $synced }
    Last status check: { $polled }
    Active orders: { $orders } · uncertain: { $uncertain } · refills: { $refills }
admin-panel-unreachable = not available ({ $error })
admin-stats =
    <b>Figures for { $period }</b>
    Orders: { $orders }
    Revenue: { $revenue }
    Panel cost: { $cost }
    Margin: { $margin }
    Refunds: { $refunds }
    Top-ups: { $topups }
    Promo credits: { $promo }
    New customers: { $customers }
    Top services:
    { $top }
admin-stats-top = #{ $service_id } { $name }: { $orders }
admin-order =
    <b>Order #{ $order_id }</b> (panel { $panel_id }) · customer { $user_id }
    { $service }
    🔗 { $link }
    Quantity: { $quantity } · price { $price } · panel cost { $cost }
    State: { $state } (panel: { $panel_status })
    Error: { $error }
    <b>History</b>
    { $history }
    <b>Money</b>
    { $ledger }
    Refills: { $refills }{ $hold }
admin-button-refresh = 🔄 Refresh
admin-button-refill = ♻️ Refill
admin-button-cancel = ✖ Cancel
admin-order-not-found = No order { $reference }.
admin-unknown-none = No uncertain orders. 👍
admin-unknown =
    <b>Uncertain orders</b> — check each at the panel, then /attach or /refund it:
    { $orders }
admin-unknown-line = #{ $order_id } · customer { $user_id } · { $price } · { $created } · { $link }
    <code>/attach { $order_id } PANEL_ID</code> or <code>/refund { $order_id }</code>
admin-refused = Not done: { $reason }
admin-attached = ✅ Order #{ $order_id } is panel order { $panel_id }; it is followed again.
admin-refunded = ✅ Order #{ $order_id } refunded: { $price } back to the customer.
admin-user-not-found = No such customer.
admin-user =
    <b>Customer { $user_id }</b> { $name } { $username }
    Language: { $language } · blocked the bot: { $blocked }
    Balance: { $balance }
    Top-ups: { $topups }
    Orders: { $orders }
    { $recent }
    Referred by: { $referrer } · referrals: { $referrals }
admin-credit-done = ✅ { $amount } added to { $user_id }. Balance: { $balance }
admin-debit-done = ✅ { $amount } taken from { $user_id }. Balance: { $balance }
admin-debit-short = Not done: the balance is only { $balance }.
admin-sync-done = ✅ Catalogue taken: { $inserted } new, { $updated } changed, { $unchanged } unchanged, { $removed } gone.
admin-sync-failed = ⚠️ The catalogue could not be taken ({ $error }); the last one stays.
admin-service-not-found = No service { $service_id }.
admin-service-on = ✅ Service { $service_id } is for sale.
admin-service-off = ✅ Service { $service_id } is not for sale any more.
admin-desc-set = ✅ Service { $service_id } now shows your description.
admin-desc-reset = ✅ Service { $service_id } shows the panel's description again.
admin-desc-too-long = ⚠️ That description has { $length } characters; at most { $limit } fit. Nothing changed.
admin-desc-info =
    <b>Service { $service_id }</b> { $name }
    <b>From panel { $panel }:</b> { $panel_description }
    <b>The shop's own:</b> { $own_description }
    Customers see { $shown }.
admin-desc-none = none
admin-desc-source-own = the shop's own description
admin-desc-source-panel = the panel's description
admin-desc-source-none = no description
admin-price-set = ✅ Service { $service_id } now has a markup of { $percent }%.
admin-price-reset = ✅ Service { $service_id } uses the default markup again.
admin-markup-set = ✅ The default markup is { $percent }%.
admin-link-done = ✅ Service { $service_id } is also sold as service { $panel_service_id } of panel { $panel }. Sold from: { $shown }.
admin-unlink-done = ✅ Service { $panel_service_id } of panel { $panel } is a service of its own again: { $service_id }.
admin-prefer-done = ✅ Service { $service_id } is sold from { $choice }: now service { $panel_service_id } of panel { $panel }, at { $rate } per 1000.
admin-link-no-service = No service { $service_id }.
admin-link-no-panel = No panel is named { $panel }.
admin-link-not-listed = Panel { $panel } lists no such service.
admin-link-already-at-panel = Service { $service_id } is sold at panel { $panel } already: /unlink that first.
admin-link-other-type = Service { $panel_service_id } of panel { $panel } takes another kind of order than service { $service_id }: it cannot be an alternative of it.
admin-link-last-listing = Service { $panel_service_id } of panel { $panel } is the only way its service is sold: there is nothing to unlink.
admin-broadcast-started = 📣 Broadcast to { $total } customers started.
admin-broadcast-progress = 📣 Broadcast: { $delivered } of { $total } delivered, { $blocked } blocked the bot, { $failed } failed.
admin-broadcast-done = 📣 Broadcast finished: { $delivered } delivered, { $blocked } blocked the bot, { $failed } failed (of { $total }).
admin-refundstars-returned = ✅ { $stars } stars returned to { $user_id }; { $amount } taken off their balance.
admin-refundstars-returned-before = ✅ Telegram had returned these { $stars } stars to { $user_id } already; { $amount } taken off their balance.
admin-refundstars-uncertain = ⚠️ Telegram's answer was lost ({ $detail }): the { $stars } stars may or may not have been returned to { $user_id }. { $amount } stays taken off their balance. Send the same command again later to finish it: Telegram returns stars only once, and the balance is not debited twice.
admin-refundstars-unknown-payment = Not done: this customer has no such payment.
admin-refundstars-already-refunded = Not done: this payment was returned already.
admin-refundstars-balance-too-low = Not done: the customer's balance ({ $detail }) no longer covers the payment.
admin-refundstars-telegram-refused = Not done: Telegram refused ({ $detail }); the balance is as it was.
admin-panel-sandbox = 🧪 <b>SANDBOX</b>: the panel is a sandbox inside the bot. Nothing real is bought; balances are play money.
admin-cancel-requesting = cancel being asked for
admin-cancel-accepted = cancel accepted by the panel
admin-cancel-refused = cancel refused by the panel
admin-cancel-unknown = the panel did not answer the cancel
admin-order-refund-held = ⏸ Refund waiting for a decision since { $since }: <code>/refund { $order_id } AMOUNT</code>
admin-refund-settled = ✅ Order #{ $order_id }: { $amount } refunded to the customer; the refund is settled.
admin-refund-settled-none = ✅ Order #{ $order_id }: nothing refunded; the customer is told and the refund is settled.
admin-refund-not-held = Not done: order #{ $order_id } has no refund waiting for a decision.
admin-refund-above-price = Not done: at most { $price } can be refunded for order #{ $order_id }.
admin-usage-promo = /promo new &lt;CODE&gt; &lt;amount|percent%&gt; [uses] [days] · /promo list · /promo off &lt;CODE&gt; — promo codes: an amount credited at once, or a percent on the next top-up
admin-promo-created = ✅ Promo code <code>{ $code }</code> created: { $value }; { $uses }; { $expiry }.
admin-promo-exists = Not done: the promo code { $code } exists already.
admin-promo-not-found = No promo code { $code }.
admin-promo-off = ✅ Promo code { $code } is off: nobody can redeem it any more. Bonuses it granted already still apply to those customers' next top-up.
admin-promo-none = No promo codes yet.
admin-promo-list = <b>Promo codes</b> ({ $total }), newest first:
admin-promo-list-more = … and { $more } older not shown.
admin-promo-line = <code>{ $code }</code> · { $value } · used { $used } · { $expiry } · { $state }
admin-promo-voucher = { $amount } voucher
admin-promo-bonus = +{ $percent }% on the next top-up
admin-promo-uses-any = any number of customers
admin-promo-uses-max = { $max } customers at most
admin-promo-expires = until { $at }
admin-promo-no-expiry = no end date
admin-promo-state-active = active
admin-promo-state-off = off
admin-promo-state-expired = expired
admin-promo-state-used-up = used up
admin-usage-ban = /ban &lt;user&gt; [reason] — serve a customer nothing more; their running orders go on, their balance stays
admin-usage-unban = /unban &lt;user&gt; — serve a banned customer again
admin-usage-banned = /banned — the banned customers, latest first
admin-ban-done = 🚫 { $user_id } is banned: the shop serves them nothing more. Their running orders go on and their balance stays.
admin-ban-already = { $user_id } is banned already; nothing changed.
admin-unban-done = ✅ { $user_id } is served again.
admin-unban-already = { $user_id } was not banned; nothing changed.
admin-banned-none = Nobody is banned.
admin-banned = <b>Banned: { $count }</b> (latest first)
admin-banned-line = { $user_id } · { $name } · since { $since } · { $reason }
admin-banned-more = …and { $more } more.
admin-usage-panels = /panels — each panel: its balance, whether it answers, its services and active orders
admin-panels = <b>Panels</b>
admin-panels-line =
    <b>{ $name }</b> { $url }
    Balance: { $balance } · services for sale: { $services } (of { $known } known) · active orders: { $orders }
admin-stats-panel = Panel { $panel }: revenue { $revenue } · cost { $cost } · margin { $margin }
admin-service-info = <b>Service { $service_id }</b> { $name }
    Sold from: { $sold_from } (chosen: { $prefer })
    Description: { $description }
admin-service-listing = · { $panel }:{ $panel_service_id } · { $rate } per 1000 · min { $min }, max { $max } · { $state }
admin-listing-listed = listed by its panel
admin-listing-gone = no longer listed
