## Support conversations: the customer's side.
menu-support = 💬 Support
command-support = Write to the shop's staff
button-support-done = ✅ Done
button-ask-order = 💬 Ask about this order
support-prompt =
    💬 <b>Write to the shop's staff</b>
    Send your question here: text, photos, files or voice messages. The staff answer in this chat.
    Tap <b>Done</b> when you have finished.
support-prompt-order =
    💬 <b>A question about order #{ $order_id }</b>
    Send it here: text, photos, files or voice messages. The staff see the order and answer in this chat.
    Tap <b>Done</b> when you have finished.
support-received = ✅ Your message reached the shop's staff. They answer here; you may keep writing.
support-wait = ⏳ That is a lot at once: please wait a minute, then send the rest.
support-unavailable = 💬 Writing to the staff is not available in this shop yet.
support-done = 👌 Thank you. The staff answer in this chat; reply to their answer to write again.
support-closed = ✅ The staff closed your conversation. Tap <b>Support</b> in the menu (or send /support) whenever you need them again.

## Support conversations: the admin group's side.
support-header =
    💬 <b>{ $name }</b>{ $username } · id <code>{ $user_id }</code> · ticket #{ $ticket_id }
    Orders and balance: /user { $user_id }
support-header-order =
    📦 <b>Order #{ $order_id }</b>: { $service }
    { $link }
    Quantity { $quantity } · { $status } · { $charge }
support-undelivered = ⚠️ Not delivered: { $name } (<code>{ $user_id }</code>) has blocked the bot.
support-age-minutes = { $minutes } min
support-age-hours = { $hours } h { $minutes } min
support-age-days = { $days } d { $hours } h
admin-close-done = ✅ Ticket #{ $ticket_id } of { $name } is closed; they were told. A new message from them opens a new ticket.
admin-close-none = No open ticket here. Send /close in a customer's topic, or in reply to their message.
admin-tickets = <b>Open tickets: { $count }</b> (oldest first)
admin-tickets-line = #{ $ticket_id } · { $name } · <code>{ $user_id }</code>{ $order } · { $age } · { $messages } msg
admin-tickets-none = No open tickets.
admin-tickets-more = …and { $more } more.
admin-usage-tickets = /tickets — open support conversations, oldest first
admin-usage-close = /close — in a customer's topic (or in reply to their message): end their conversation
