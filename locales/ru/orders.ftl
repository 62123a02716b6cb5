orders-none = У вас пока нет заказов.
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
orders-title = 📦 <b>Ваши заказы</b>, сначала новые. Нажмите на заказ, чтобы открыть его.
order-not-found = Заказ не найден.
order-card =
    { $icon } <b>Заказ #{ $order_id }</b> · { $state }
    { $service }
    🔗 { $link }
    Количество: { $quantity }
    Списано: { $price }
    На старте: { $start_count } · Осталось: { $remains }
    Докрутка: { $refill }
button-refresh = 🔄 Обновить
button-refill = ♻️ Докрутка
button-cancel-order = ✖ Отменить заказ
refill-none = не запрошена
refill-state-requesting = запрашивается
refill-state-pending = ожидает
refill-state-in-progress = выполняется
refill-state-processing = выполняется
refill-state-completed = выполнена
refill-state-rejected = отклонена
refill-state-canceled = отменена
refill-state-error = не удалась
refill-state-refused = не принята
refill-requested = ♻️ Докрутка запрошена. Мы сообщим, когда она будет выполнена.
refill-refused = ⛔ Докрутка не принята: { $reason }
cancel-requested = ✖ Отмена запрошена. Когда поставщик подтвердит, невыполненная часть вернётся на баланс.
cancel-refused = ⛔ Заказ не удалось отменить: { $reason }
action-no-answer = ⏳ Поставщик не ответил. Попробуйте ещё раз через несколько минут.
action-not-found = Заказ не найден.
action-not-offered = Эта услуга такого не предусматривает.
action-not-now = Для этого заказа это сейчас невозможно.
action-already-requested = Докрутка этого заказа уже выполняется.
action-already-asked = ⏳ Вы уже отправили этот запрос. Мы сообщим, как только поставщик ответит.
action-too-soon = ⏳ Вы только что отправляли этот запрос. Попробуйте снова через несколько минут.
reason-shop-side = магазин сейчас не может это сделать.
reason-active-order-for-link = по этой ссылке уже выполняется другой заказ.
reason-below-minimum = слишком маленькое количество.
reason-above-maximum = слишком большое количество.
reason-bad-quantity = такое количество не принимается.
reason-bad-link = ссылка не принята.
reason-service-unavailable = услуга недоступна.
reason-not-eligible = заказ для этого не подходит.
reason-other = поставщик отказал.
