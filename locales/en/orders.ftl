orders-none = You have no orders yet.
orders-line = { $icon } #{ $order_id } · { $state } · { $price }
state-submitting = being placed
state-unknown = being checked
state-pending = waiting to start
state-in-progress = in progress
state-processing = in progress
state-completed = completed
state-partial = partly delivered
state-canceled = canceled
state-refunded = refunded
state-failed = not accepted
orders-title = 📦 <b>Your orders</b>, newest first. Tap one for details.
order-not-found = This order was not found.
order-card =
    { $icon } <b>Order #{ $order_id }</b> · { $state }
    { $service }
    🔗 { $link }
    Quantity: { $quantity }
    Charged: { $price }
    Count at start: { $start_count } · Remaining: { $remains }
    Refill: { $refill }
button-refresh = 🔄 Refresh
button-refill = ♻️ Refill
button-cancel-order = ✖ Cancel order
refill-none = not requested
refill-state-requesting = being requested
refill-state-pending = waiting
refill-state-in-progress = in progress
refill-state-processing = in progress
refill-state-completed = completed
refill-state-rejected = rejected
refill-state-canceled = canceled
refill-state-error = failed
refill-state-refused = not accepted
refill-requested = ♻️ Refill requested. We will tell you when it is done.
refill-refused = ⛔ The refill was not accepted: { $reason }
cancel-requested = ✖ Cancel requested. When the provider confirms, what was not delivered comes back to your balance.
cancel-refused = ⛔ The order could not be canceled: { $reason }
action-no-answer = ⏳ The provider did not answer. Please try again in a few minutes.
action-not-found = This order was not found.
action-not-offered = This service does not offer that.
action-not-now = That is not possible for this order right now.
action-already-requested = A refill of this order is already under way.
action-already-asked = ⏳ You have already asked for this. We will tell you as soon as the provider answers.
action-too-soon = ⏳ You asked for this a moment ago. Please try again in a few minutes.
reason-shop-side = the shop cannot do this right now.
reason-active-order-for-link = another order for this link is in progress.
reason-below-minimum = the quantity is too small.
reason-above-maximum = the quantity is too large.
reason-bad-quantity = the quantity is not accepted.
reason-bad-link = the link is not accepted.
reason-service-unavailable = the service is not available.
reason-not-eligible = the order is not eligible for it.
reason-other = the provider refused.
