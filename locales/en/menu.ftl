menu-title =
    👋 <b>Hello, { $name }!</b>
    Order followers, likes, views and more for your social networks. Choose below, or just type what you are looking for.
menu-new-order = 🛒 New order
menu-my-orders = 📦 My orders
menu-balance = 💰 Balance
menu-language = 🌐 Language
menu-help = ❓ Help
button-menu = 🏠 Menu
button-back = ◀ Back
button-cancel = ✖ Cancel
button-yes = Yes
button-no = No
button-skip = Skip ⏭
button-outdated = This button is out of date. Open the menu to start again.
yes = yes
no = no
page-of = { $page } / { $pages }
form-cancelled = Cancelled. Nothing was ordered.
language-choose = Choose your language:
language-changed = ✅ Language changed to English.
help-text =
    <b>How ordering works</b>
    1. Tap <b>New order</b>, pick a category and a service (or type a service's name or number).
    2. Answer the questions: the link, the quantity and so on. /cancel stops at any step.
    3. Check the price and tap <b>Confirm</b>. The price is taken from your balance.
    4. The bot tells you when your order starts, finishes, or if part of it is refunded.

    <b>Refill</b>: if a service has a guarantee and the count drops, ask for a refill from <b>My orders</b>.
    <b>Cancel</b>: some services can be cancelled while they run; what was not delivered is refunded.
command-start = Open the shop menu
command-cancel = Stop the current order
command-help = How ordering works
command-export = Your orders and balance as a CSV file
help-export = <b>Your history</b>: /export sends your orders and balance movements as a CSV file (also <b>Export CSV</b> under <b>Balance</b>).
help-contact = 💬 Questions? Write to { $contact }.
command-unknown = I don't know that command. /start opens the menu, /help tells how ordering works, /cancel stops an order.
banned-notice = 🚫 Sorry, this shop no longer serves you.
