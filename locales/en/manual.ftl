# Top-ups by transfer: the customer's side, their notices, and the admin group's.
manual-choose =
    🏦 <b>Top up by transfer</b>
    Choose an amount, or type another from { $min } to { $max }. Then you will see where to send it.
manual-details =
    🏦 <b>Transfer { $amount }</b>
    { $details }

    When you have paid, send the receipt here: a photo or screenshot, or a file. A caption, if you add one, goes to the staff with it.
manual-receipt-expected = ⚠️ Please send the receipt as a photo or a file, or tap Cancel.
manual-received =
    📨 <b>Receipt received: request #{ $request_id }, { $amount }.</b>
    The staff will check the transfer; you will be told here when it is on your balance.
manual-too-many = ⏳ You have { $pending } transfers waiting for the staff's check already. Please wait for their answer before sending another.
notice-manual-approved =
    ✅ <b>Your transfer #{ $request_id } is confirmed: { $amount } added to your balance.</b>
    Your balance: { $balance }
notice-manual-approved-changed =
    ✅ <b>Your transfer #{ $request_id } is confirmed: { $amount } added to your balance</b> (you asked for { $asked }).
    Your balance: { $balance }
notice-manual-rejected = ❌ Your transfer #{ $request_id } of { $asked } was not confirmed. If you did pay, please contact the shop.
notice-manual-rejected-reason =
    ❌ Your transfer #{ $request_id } of { $asked } was not confirmed.
    Reason: { $reason }
manual-post =
    🏦 <b>Transfer #{ $request_id }: { $amount }</b>
    Customer: { $name } { $username } (id { $user_id })
    Comment: { $comment }
    Check the receipt above, then Approve or Reject; or /approve { $request_id } [amount], /reject { $request_id } [reason].
manual-post-approved = ✅ Approved by { $admin }: { $amount } credited.
manual-post-rejected = ❌ Rejected by { $admin }. Reason: { $reason }
button-manual-approve = ✅ Approve
button-manual-reject = ❌ Reject
admin-manual-approved = ✅ Transfer #{ $request_id } approved: { $amount } credited to { $user_id }. Balance: { $balance }
admin-manual-rejected = ❌ Transfer #{ $request_id } of { $user_id } rejected; the customer is told.
admin-manual-unknown = No transfer request #{ $request_id }.
admin-manual-already-approved = Transfer #{ $request_id } was approved already; nothing changed.
admin-manual-already-rejected = Transfer #{ $request_id } was rejected already; nothing changed.
admin-manual-currency-changed = Transfer #{ $request_id } was asked in another currency than the shop counts in now: give the amount to credit, /approve { $request_id } &lt;amount&gt;.
admin-manual-off = Transfers are off: MANUAL_PAYMENT_DETAILS is not set.
admin-manual-too-many-pending = This customer has too many transfers waiting.
admin-payments-none = No transfers are waiting.
admin-payments =
    <b>Transfers waiting: { $count }</b> (oldest first)
admin-payments-line = #{ $request_id } · { $amount } · { $name } ({ $user_id }) · { $created } · { $comment }
admin-payments-more = …and { $more } more: decide these first.
admin-topups-by-method = ⭐ Stars { $stars } · 🪙 crypto { $crypto } · 🏦 transfers { $manual }
admin-manual-not-posted = Transfer #{ $request_id } could not be posted in this group; see the log.
