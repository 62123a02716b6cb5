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
button-promo-code = 🎟 Промокод
promo-ask = 🎟 Отправьте промокод.
promo-voucher-credited =
    ✅ <b>Промокод { $code }: { $amount } зачислено на баланс.</b>
    Ваш баланс: { $balance }
promo-bonus-granted =
    ✅ <b>Промокод { $code } принят.</b>
    К следующему пополнению добавится { $percent }%, каким бы способом вы ни платили.
promo-unknown = ⚠️ Такого промокода нет. Проверьте его и отправьте ещё раз или нажмите «Отмена».
promo-disabled = ⚠️ Этот промокод отключён.
promo-expired = ⚠️ Срок действия этого промокода истёк.
promo-used-up = ⚠️ Этот промокод уже израсходован.
promo-already-used = ⚠️ Вы уже использовали этот промокод.
promo-bonus-pending = ⚠️ У вас уже есть бонус по промокоду, который ждёт следующего пополнения. Сначала пополните баланс, потом отправьте этот код снова.
promo-too-many-tries = ⏳ Слишком много неверных промокодов. Попробуйте снова через { $minutes } мин.
balance-promo-waiting = 🎟 К следующему пополнению добавится { $percent }% (промокод { $code }).
balance-page = Страница { $page } из { $pages }, сначала новые
