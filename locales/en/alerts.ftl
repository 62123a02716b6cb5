alert-order-unknown =
    ⚠️ <b>Order #{ $order_id } is uncertain</b>
    Customer { $user_id } paid { $price }. The panel's answer was lost ({ $reason }), so the order may or may not have been placed. The money stays held.
    Check the panel, then: <code>/attach { $order_id } PANEL_ORDER_ID</code> if it was placed, or <code>/refund { $order_id }</code> if not.
alert-panel-problem =
    🛑 <b>The panel refused an order for a reason on the shop's side</b>
    { $message }
    Order #{ $order_id } was refunded to the customer.
