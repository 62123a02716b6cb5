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
notice-partial-by-charge =
    ◐ <b>Заказ #{ $order_id } выполнен частично</b>
    { $service }
    Возвращено за невыполненное: { $refund }. Ваш баланс: { $balance }
notice-partial-held =
    ◐ <b>Заказ #{ $order_id } выполнен частично</b>
    { $service }
    Мы уточняем у поставщика, сколько не выполнено, и сообщим, что вернётся на ваш баланс.
notice-refund-settled =
    ↩️ <b>Заказ #{ $order_id }</b>: { $refund } возвращено на ваш баланс за невыполненное.
    { $service }
    Ваш баланс: { $balance }
notice-refund-none =
    ◐ <b>Заказ #{ $order_id }</b>: мы проверили у поставщика — возвращать за него нечего.
    { $service }
    Ваш баланс: { $balance }
notice-crypto-topup =
    ✅ <b>Ваша оплата криптовалютой получена: { $amount } зачислено на баланс.</b>
    Ваш баланс: { $balance }
notice-promo-bonus = 🎁 И ещё { $bonus } по промокоду.
