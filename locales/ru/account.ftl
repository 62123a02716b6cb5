balance-screen =
    💰 <b>Ваш баланс: { $balance }</b>

    { $history }
balance-no-history = Платежей пока нет.
ledger-topup = Пополнение: { $amount }
ledger-order-charge = Заказ #{ $order_id }: { $amount }
ledger-refund = Возврат за заказ #{ $order_id }: { $amount }
ledger-admin-adjustment = Корректировка магазином: { $amount }
ledger-referral-bonus = Реферальный бонус: { $amount }
ledger-stars-refund = Платёж возвращён: { $amount }
orders-none = У вас пока нет заказов.
orders-screen =
    📦 <b>Ваши заказы</b>
    { $orders }
orders-line = { $icon } #{ $order_id } · { $state } · { $price }
state-submitting = оформляется
state-unknown = проверяется
state-pending = ожидает запуска
state-in-progress = выполняется
state-processing = выполняется
state-completed = выполнен
state-partial = выполнен частично
state-canceled = отменён
state-refunded = возвращён
state-failed = не принят
