form-started = 📝 Ordering <b>{ $name }</b>. Send /cancel to stop at any time.
field-link = Link
field-quantity = Quantity
field-drip-feed = Gradual delivery
field-runs = Runs
field-interval = Interval, minutes
field-comments = Comments
field-usernames = Usernames
field-hashtags = Hashtags
field-hashtag = Hashtag
field-username = Username
field-min = Minimum per post
field-max = Maximum per post
field-posts = New posts
field-old-posts = Existing posts
field-delay = Delay, minutes
field-expiry = Ends on
field-answer-number = Answer number
ask-link = 🔗 Send the link (https://…).
ask-link-telegram = 🔗 Send the link (https://t.me/…) or the @username.
ask-quantity = 🔢 How many? From { $min } to { $max }.
ask-drip-feed = 💧 Deliver gradually, in several runs?
ask-runs = 🔁 How many runs? (2 to 1000)
ask-interval = ⏱ How many minutes between runs? (1 to 10080)
ask-comments = 💬 Send the comments, one per line.
ask-comments-counted = 💬 Send the comments, one per line: from { $min } to { $max } lines. Each line is one comment.
ask-usernames = 👥 Send the usernames to mention, one per line.
ask-usernames-counted = 👥 Send the usernames to mention, one per line: from { $min } to { $max }.
ask-hashtags = #️⃣ Send the hashtags, one per line.
ask-hashtag = #️⃣ Send the hashtag to take users from.
ask-username = 👤 Send the username or profile link.
ask-min = 🔢 The least to order for each post? From { $min } to { $max }.
ask-max = 🔢 The most to order for each post? From { $min } to { $max }.
ask-posts = 📅 For how many new posts? (1 to 10000)
ask-old-posts = 🗂 For how many existing posts too? (0 to 10000), or Skip.
ask-delay = ⏳ How long after a post to start? Choose the delay in minutes.
ask-expiry = 📆 Until what date? Send it as day/month/year, like 31/12/2026, or Skip.
ask-answer-number = 🗳 Which answer to vote for? Send its number (1 for the first).
delay-button = { $minutes }
input-send-text = Please answer with text, or tap a button.
input-choose-button = Please choose one of the buttons.
input-link-too-long = ⚠️ That link is too long (at most { $limit } characters).
input-link-invalid = ⚠️ That does not look like a link. Send a full address such as https://instagram.com/yourpage.
input-link-invalid-telegram = ⚠️ That does not look like a link. Send an address such as https://t.me/yourchannel, or @yourchannel.
input-number-invalid = ⚠️ Please send a whole number, like 1000.
input-number-too-small = ⚠️ That is too few: at least { $limit }.
input-number-too-large = ⚠️ That is too many: at most { $limit }.
input-lines-too-long = ⚠️ That is too much text (at most { $limit } characters).
input-lines-empty = ⚠️ Send at least one line.
input-line-too-long = ⚠️ A line is too long (at most { $limit } characters each).
input-lines-too-few = ⚠️ { $count } lines is too few: at least { $limit }.
input-lines-too-many = ⚠️ { $count } lines is too many: at most { $limit }.
input-username-invalid = ⚠️ Send a username or a profile link, without spaces.
input-hashtag-invalid = ⚠️ Send one hashtag, like #travel, letters and digits only.
input-hashtags-invalid = ⚠️ Line { $line } is not a hashtag. Send one hashtag per line, like #travel, letters and digits only.
input-usernames-invalid = ⚠️ Line { $line } is not a username. Send one username per line, without spaces.
input-date-invalid = ⚠️ Send a real date as day/month/year, like { $example }.
input-date-past = ⚠️ That date has passed. Send a later one.
quote-summary =
    🧾 <b>Your order</b>
    { $name }
    { $details }

    Units: { $units }
    💵 Price: <b>{ $price }</b>
    💰 Your balance: { $balance }
quote-short = ⚠️ Your balance is short by <b>{ $missing }</b>. Top up, then confirm.
quote-use-buttons = Please tap ✅ Confirm or ✖ Cancel under your order above. /cancel drops it.
quote-price-changed = ⚠️ The price has changed from { $old } to { $new }. Check your order and confirm again.
quote-expired = ⌛ This price has expired. Please order again to get a fresh price.
quote-refused-service-unavailable = This service is not available any more.
quote-refused-wrong-type = This service cannot be ordered this way.
quote-refused-below-minimum = The quantity is below this service's minimum of { $limit }.
quote-refused-above-maximum = The quantity is above this service's maximum of { $limit }.
quote-refused-drip-feed-unavailable = This service cannot be delivered gradually.
quote-refused-unpriceable = This order cannot be priced as it is. Try a smaller quantity; for a subscription, give the number of posts.
button-confirm = ✅ Confirm
button-top-up = 💰 Top up
order-placed =
    ✅ <b>Order #{ $order_id } placed</b>
    Panel order: { $panel_id }
    Charged: { $price }
    Your balance: { $balance }
    We will tell you when it starts and when it is done.
order-already-placed = ℹ️ This order was placed already: order #{ $order_id }. Nothing more was charged.
order-held =
    ⏳ <b>Order #{ $order_id } is being checked</b>
    The panel did not answer in time, so we are checking whether your order went through. The { $price } stays reserved: it is either used for the order or returned to you.
order-short = ⚠️ Your balance is short by <b>{ $missing }</b>. Top up, then confirm.
order-dropped = Order dropped. Nothing was charged.
order-refused-shop-side = ⛔ The shop cannot take this order right now. { $price } is back on your balance ({ $balance }). Please try again later.
order-refused-active-order-for-link = ⛔ This link already has an order in progress for this service. Wait until it finishes, or use another link. { $price } is back on your balance ({ $balance }).
order-refused-below-minimum = ⛔ The quantity is too small for this service. { $price } is back on your balance ({ $balance }).
order-refused-above-maximum = ⛔ The quantity is too large for this service. { $price } is back on your balance ({ $balance }).
order-refused-bad-quantity = ⛔ The quantity was not accepted for this service. Try another amount, such as a round number. { $price } is back on your balance ({ $balance }).
order-refused-bad-link = ⛔ The link was not accepted. Check that it is correct and public. { $price } is back on your balance ({ $balance }).
order-refused-service-unavailable = ⛔ This service is not available right now. { $price } is back on your balance ({ $balance }).
order-refused-not-eligible = ⛔ The order was not accepted for this link. { $price } is back on your balance ({ $balance }).
order-refused-other = ⛔ The order was not accepted. { $price } is back on your balance ({ $balance }).
summary-more-lines = …and { $count } more
