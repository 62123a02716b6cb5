button-view-order = 📦 Открыть заказ
notice-in-progress =
    🔄 <b>Заказ #{ $order_id } запущен</b>
    { $service }
    Начальное значение: { $start_count }
notice-completed =
    ✅ <b>Заказ #{ $order_id } выполнен</b>
    { $service }
notice-partial =
    ◐ <b>Заказ #{ $order_id } выполнен частично</b>
    { $service }
    Выполнено: { $delivered }, не выполнено: { $remains }.
    Возвращено: { $refund }. Ваш баланс: { $balance }
notice-canceled =
    ✖️ <b>Заказ #{ $order_id } отменён</b>
    { $service }
    Возвращено: { $refund }. Ваш баланс: { $balance }
notice-not-placed =
    ↩️ <b>Заказ #{ $order_id } не был размещён</b>
    { $service }
    Панель его не приняла, ничего не куплено. Возвращено: { $refund }. Ваш баланс: { $balance }
notice-refill-accepted = ♻️ Докрутка заказа #{ $order_id } принята. Мы сообщим, когда она будет выполнена.
notice-refill-completed = ♻️ ✅ Докрутка заказа #{ $order_id } выполнена.
notice-refill-rejected = ♻️ ⛔ Поставщик отклонил докрутку заказа #{ $order_id }.
notice-topup-recovered =
    ✅ <b>Ваша оплата { $stars } звёзд дошла до магазина: { $amount } зачислено на баланс.</b>
    Ваш баланс: { $balance }
