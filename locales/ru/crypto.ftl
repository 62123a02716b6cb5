crypto-choose =
    💎 <b>Пополнение криптовалютой</b>
    Оплата через @CryptoBot: { $assets }. Выберите сумму или напишите другую, от { $min } до { $max }.
crypto-invoice =
    💎 <b>Счёт на { $amount }</b>
    Оплатите его в @CryptoBot ({ $assets }) в течение { $minutes } мин.: нажмите кнопку ниже. Баланс пополнится, как только придёт оплата, и мы сообщим об этом здесь.
crypto-invoice-link = Оплатить: { $url }
crypto-invoice-description = Пополнение на { $amount } в { $shop }
button-crypto-pay = 💎 Оплатить { $amount }
button-crypto-check = 🔄 Проверить оплату
crypto-paid = ✅ <b>Счёт на { $amount } оплачен.</b> Деньги на вашем балансе.
crypto-paid-short = ✅ Оплачено: деньги на вашем балансе.
crypto-waiting = ⏳ Оплаты пока нет. Оплатите кнопкой выше и проверьте снова.
crypto-expired = ⌛ Срок этого счёта истёк, оплатить его уже нельзя. Запросите новый: Баланс → Пополнить.
crypto-expired-short = ⌛ Срок этого счёта истёк.
crypto-held = 🕓 Эта оплата не совпадает со счётом. Сотрудники магазина проверяют её.
crypto-unavailable = ⚠️ Crypto Pay сейчас не отвечает. Попробуйте через минуту.
crypto-refused = ⚠️ Crypto Pay не принял этот счёт. Попробуйте другую сумму или другой способ оплаты.
