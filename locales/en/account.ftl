balance-screen =
    💰 <b>Your balance: { $balance }</b>

    { $history }
balance-no-history = No payments yet.
ledger-topup = Top-up: { $amount }
ledger-order-charge = Order #{ $order_id }: { $amount }
ledger-refund = Refund for order #{ $order_id }: { $amount }
ledger-admin-adjustment = Correction by the shop: { $amount }
ledger-referral-bonus = Referral bonus: { $amount }
ledger-stars-refund = Payment returned: { $amount }
orders-none = You have no orders yet.
orders-screen =
    📦 <b>Your orders</b>
    { $orders }
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
