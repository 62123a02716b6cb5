button-referrals = 🤝 Рефералы
button-other-amount = ✏️ Другая сумма
topup-choose =
    💰 <b>Пополнение баланса</b>
    Оплата в Telegram Stars ⭐. Выберите сумму или напишите другую, от { $min } до { $max }.
topup-ask-amount = ✏️ На сколько пополнить? От { $min } до { $max }.
topup-amount-not-a-number = ⚠️ Отправьте сумму, например 10 или 12.50.
topup-amount-too-small = ⚠️ Это меньше минимального пополнения: { $min }.
topup-amount-too-large = ⚠️ Это больше максимального пополнения: { $max }.
invoice-title = Пополнение баланса: { $amount }
invoice-description = { $amount } на ваш баланс в магазине за { $stars } Telegram Stars.
invoice-label = Пополнение { $amount }
checkout-unknown-invoice = Этот счёт больше не действует. Запросите новый.
checkout-already-paid = Этот счёт уже оплачен.
checkout-expired = Срок этого счёта истёк. Запросите новый: Баланс → Пополнить.
checkout-mismatch = Платёж не совпадает со счётом. Запросите новый.
topup-done =
    ✅ <b>{ $amount } зачислено на баланс.</b>
    Ваш баланс: { $balance }
topup-done-with-bonus =
    ✅ <b>{ $amount } зачислено на баланс и ещё { $bonus } по промокоду.</b>
    Ваш баланс: { $balance }
topup-seen-before = ✅ Этот платёж уже зачислен. Ваш баланс: { $balance }
topup-unmatched = 🕓 Мы получили вашу оплату { $stars } звёзд, но она не совпадает ни с одним вашим счётом. Сотрудники магазина проверят её и зачислят или вернут звёзды.
referral-screen =
    🤝 <b>Приглашайте друзей и получайте { $percent }%</b>
    Поделитесь своей ссылкой. Когда пришедший по ней пополняет баланс, { $percent }% от суммы приходит вам.

    Ваша ссылка: { $link }
    Пришло друзей: { $referrals }
    Заработано: { $earned }
topup-methods =
    💰 <b>Пополнение баланса</b>
    Как вы хотите оплатить?
button-topup-stars = ⭐ Telegram Stars
button-topup-crypto = 💎 Криптовалюта (CryptoBot)
button-topup-manual = 🏦 Банковский перевод
