alert-order-unknown =
    ⚠️ <b>Заказ #{ $order_id } под вопросом</b>
    Клиент { $user_id } оплатил { $price }. Ответ панели потерян ({ $reason }), поэтому неизвестно, создан ли заказ. Деньги удерживаются.
    Проверьте панель, затем: <code>/attach { $order_id } ID_ЗАКАЗА_В_ПАНЕЛИ</code>, если заказ создан, или <code>/refund { $order_id }</code>, если нет.
alert-panel-problem =
    🛑 <b>Панель отклонила заказ по причине на стороне магазина</b>
    { $message }
    Заказ #{ $order_id } возвращён клиенту.
alert-order-failover = ↪️ <b>Заказ #{ $order_id }</b>: панель { $refused_by } отклонила его ({ $message }), поэтому он отправлен в панель { $panel }. <code>/order { $order_id }</code>
alert-order-item-error =
    ⚠️ <b>Панель не сообщает состояние заказа #{ $order_id }</b> (заказ в панели { $panel_id }): { $error }
    Проверьте его командой <code>/order { $order_id }</code>.
alert-polls-failing =
    🛑 <b>Панель не ответила на { $polls } проверки состояния подряд</b>: { $error }
    Заказы не отслеживаются, пока она не ответит; ничего не потеряно.
alert-large-order = 💰 <b>Крупный заказ #{ $order_id }</b>: { $price } от клиента { $user_id }. <code>/order { $order_id }</code>
alert-service-unpriced =
    🚫 <b>Услуга { $service_id } не продаётся</b>: { $name }
    Панель указывает цену { $rate }, поэтому её нельзя оценить. Покупатели её не видят, пока панель не назначит цену больше нуля.
alert-service-limits =
    🚫 <b>Услуга { $service_id } не продаётся</b>: { $name }
    Панель указывает количество от { $min } до { $max }, и ни одно количество не подходит. Покупатели её не видят, пока панель не исправит пределы.
alert-panel-balance = 🪫 <b>Баланс панели низкий</b>: { $balance } (порог { $threshold }). Пополните его, иначе заказы будут отклоняться.
alert-panel-balance-named = 🪫 <b>Баланс панели { $panel } низкий</b>: { $balance } (порог { $threshold }). Пополните его, иначе заказы там будут отклоняться.
alert-stars-refund-uncertain =
    ⚠️ <b>Возврат звёзд под вопросом</b>
    Ответ Telegram на возврат { $stars } звёзд клиенту { $user_id } (платёж <code>{ $charge_id }</code>) потерян ({ $error }): неизвестно, вернулись ли звёзды. { $amount } остаётся списанным с баланса клиента.
    Повторите: <code>/refundstars { $user_id } { $charge_id }</code>. Telegram возвращает звёзды только один раз и сообщит, если они уже возвращены; баланс дважды не спишется.
alert-referral-bonus-kept =
    ⚠️ <b>Реферальный бонус не списан</b>
    Пополнение <code>{ $charge_id }</code> клиента { $user_id } возвращено, но его реферер { $referrer_id } уже потратил полученный за него бонус { $bonus } (баланс { $balance }): у него ничего не списано. Решите сами: <code>/user { $referrer_id }</code>.
alert-star-payment-recovered = 💫 Оплата в Stars не была зачислена: клиент { $user_id }, { $stars } звёзд (платёж <code>{ $charge_id }</code>). { $amount } теперь на его балансе.
alert-refund-held =
    ⏸ <b>Заказ #{ $order_id } завершён со статусом { $status }; возврат ждёт решения</b>
    Клиент { $user_id } оплатил { $price }. Панель сообщила: остаток { $remains }, списано { $charge }. Из этого не понять, сколько не выполнено, поэтому ничего не возвращено.
    Проверьте заказ в панели, затем: <code>/refund { $order_id } СУММА</code> (от 0 до { $price }; 0, если возвращать нечего).
alert-star-payment-unmatched =
    ❓ <b>Оплата в Stars не совпадает ни с одним счётом</b>: клиент { $user_id } заплатил { $stars } звёзд (платёж <code>{ $charge_id }</code>, счёт <code>{ $payload }</code>), ничего не зачислено.
    Зачислите её: <code>/credit { $user_id } СУММА</code>, или верните звёзды: <code>/refundstars { $user_id } { $charge_id }</code>.
alert-star-payment-unsettled = ⚠️ Транзакцию Stars <code>{ $charge_id }</code> не удалось сверить с учётом магазина ({ $error }), она пропущена. Найдите её в транзакциях Stars бота и разберитесь вручную.
alert-crypto-payment-unknown =
    ❓ <b>Оплата Crypto Pay, которую магазин не запрашивал</b>: счёт <code>{ $invoice_id }</code> ({ $details }) оплачен, но магазин такого счёта не создавал. Ничего не зачислено. Проверьте его в @CryptoBot → Crypto Pay.
alert-crypto-payment-mismatch =
    ⚠️ <b>Оплата Crypto Pay не совпадает со счётом</b>: счёт <code>{ $invoice_id }</code>, { $details }. Ничего не зачислено. Проверьте его в @CryptoBot → Crypto Pay и, если всё верно, зачислите клиенту через /credit.
alert-crypto-pay-refuses =
    ⚠️ <b>Crypto Pay отклоняет запросы магазина</b>: { $error }. Клиенты не смогут платить криптовалютой, пока это не исправлено. Проверьте CRYPTO_PAY_TOKEN и CRYPTO_PAY_API_URL (у тестовой сети свои токены).
alert-orders-at-unknown-panel = ⚠️ <b>{ $orders ->
        [one] { $orders } заказ ещё идёт
        [few] { $orders } заказа ещё идут
       *[other] { $orders } заказов ещё идут
    } на панели { $panel }</b>, которой больше нет в PANELS: их никто не отслеживает, и клиенты не узнают, чем они закончились. Верните панель в PANELS, пока они не завершатся.
alert-channel-unchecked =
    ⚠️ <b>Бот не может проверить, кто подписан на { $channel }</b>: { $detail }. Пока это так, заказывать могут все, подписчики или нет. Сделайте бота администратором канала (права не нужны) или исправьте REQUIRED_CHANNEL.
alert-topics-refused =
    ⚠️ <b>Бот не может создавать темы в группе администраторов</b>: { $detail }. Сообщения клиентов приходят в «Общую» тему под заголовком (отвечайте на них ответом). Чтобы у каждого клиента была своя тема, дайте боту право «Управление темами».
