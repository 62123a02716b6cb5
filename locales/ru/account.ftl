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
ledger-referral-reversal = Реферальный бонус отменён: { $amount }
ledger-crypto-topup = Пополнение криптовалютой: { $amount }
ledger-manual-topup = Пополнение переводом: { $amount }
ledger-promo-voucher = Промокод: { $amount }
ledger-promo-bonus = Бонус по промокоду: { $amount }
