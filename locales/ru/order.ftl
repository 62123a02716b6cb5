form-started = 📝 Заказ: <b>{ $name }</b>. Отправьте /cancel, чтобы прервать в любой момент.
field-link = Ссылка
field-quantity = Количество
field-drip-feed = Постепенно
field-runs = Запусков
field-interval = Интервал, минут
field-comments = Комментарии
field-usernames = Имена пользователей
field-hashtags = Хэштеги
field-hashtag = Хэштег
field-username = Имя пользователя
field-min = Минимум на пост
field-max = Максимум на пост
field-posts = Новых постов
field-old-posts = Старых постов
field-delay = Задержка, минут
field-expiry = До даты
field-answer-number = Номер ответа
ask-link = 🔗 Отправьте ссылку (https://…).
ask-link-telegram = 🔗 Отправьте ссылку (https://t.me/…) или @имя.
ask-quantity = 🔢 Сколько? От { $min } до { $max }.
ask-drip-feed = 💧 Выполнять постепенно, в несколько запусков?
ask-runs = 🔁 Сколько запусков? (от 2 до 1000)
ask-interval = ⏱ Сколько минут между запусками? (от 1 до 10080)
ask-comments = 💬 Отправьте комментарии, по одному в строке.
ask-comments-counted = 💬 Отправьте комментарии, по одному в строке: от { $min } до { $max } строк. Каждая строка — один комментарий.
ask-usernames = 👥 Отправьте имена пользователей для упоминания, по одному в строке.
ask-usernames-counted = 👥 Отправьте имена пользователей для упоминания, по одному в строке: от { $min } до { $max }.
ask-hashtags = #️⃣ Отправьте хэштеги, по одному в строке.
ask-hashtag = #️⃣ Отправьте хэштег, по которому искать пользователей.
ask-username = 👤 Отправьте имя пользователя или ссылку на профиль.
ask-min = 🔢 Минимум на каждый пост? От { $min } до { $max }.
ask-max = 🔢 Максимум на каждый пост? От { $min } до { $max }.
ask-posts = 📅 На сколько новых постов? (от 1 до 10000)
ask-old-posts = 🗂 И на сколько уже опубликованных? (от 0 до 10000) — или Пропустить.
ask-delay = ⏳ Через сколько минут после поста начинать? Выберите задержку.
ask-expiry = 📆 До какой даты? Отправьте в виде день/месяц/год, например 31/12/2026, или Пропустить.
ask-answer-number = 🗳 За какой ответ голосовать? Отправьте его номер (1 — первый).
delay-button = { $minutes }
input-send-text = Ответьте текстом или нажмите кнопку.
input-choose-button = Выберите одну из кнопок.
input-link-too-long = ⚠️ Ссылка слишком длинная (не больше { $limit } символов).
input-link-invalid = ⚠️ Это не похоже на ссылку. Отправьте полный адрес, например https://instagram.com/yourpage.
input-link-invalid-telegram = ⚠️ Это не похоже на ссылку. Отправьте адрес вида https://t.me/yourchannel или @yourchannel.
input-number-invalid = ⚠️ Отправьте целое число, например 1000.
input-number-too-small = ⚠️ Слишком мало: не меньше { $limit }.
input-number-too-large = ⚠️ Слишком много: не больше { $limit }.
input-lines-too-long = ⚠️ Слишком много текста (не больше { $limit } символов).
input-lines-empty = ⚠️ Отправьте хотя бы одну строку.
input-line-too-long = ⚠️ Одна из строк слишком длинная (не больше { $limit } символов).
input-lines-too-few = ⚠️ { $count } строк — слишком мало: нужно не меньше { $limit }.
input-lines-too-many = ⚠️ { $count } строк — слишком много: не больше { $limit }.
input-username-invalid = ⚠️ Отправьте имя пользователя или ссылку на профиль без пробелов.
input-hashtag-invalid = ⚠️ Отправьте один хэштег, например #travel, только буквы и цифры.
input-hashtags-invalid = ⚠️ Строка { $line } — не хэштег. Отправьте по одному хэштегу в строке, например #travel, только буквы и цифры.
input-usernames-invalid = ⚠️ Строка { $line } — не имя пользователя. Отправьте по одному имени в строке, без пробелов.
input-date-invalid = ⚠️ Отправьте настоящую дату в виде день/месяц/год, например { $example }.
input-date-past = ⚠️ Эта дата уже прошла. Отправьте более позднюю.
quote-summary =
    🧾 <b>Ваш заказ</b>
    { $name }
    { $details }

    Единиц: { $units }
    💵 Цена: <b>{ $price }</b>
    💰 Ваш баланс: { $balance }
quote-short = ⚠️ На балансе не хватает <b>{ $missing }</b>. Пополните его, затем подтвердите.
quote-use-buttons = Нажмите ✅ Подтвердить или ✖ Отмена под заказом выше. /cancel отменяет его.
quote-price-changed = ⚠️ Цена изменилась: было { $old }, стало { $new }. Проверьте заказ и подтвердите снова.
quote-expired = ⌛ Срок действия цены истёк. Оформите заказ заново, чтобы получить новую цену.
quote-refused-service-unavailable = Эта услуга больше недоступна.
quote-refused-wrong-type = Эту услугу нельзя заказать таким образом.
quote-refused-below-minimum = Количество меньше минимума этой услуги: { $limit }.
quote-refused-above-maximum = Количество больше максимума этой услуги: { $limit }.
quote-refused-drip-feed-unavailable = Эту услугу нельзя выполнять постепенно.
quote-refused-unpriceable = Такой заказ нельзя оценить. Попробуйте меньшее количество; для подписки укажите число постов.
button-confirm = ✅ Подтвердить
button-top-up = 💰 Пополнить
order-placed =
    ✅ <b>Заказ #{ $order_id } оформлен</b>
    Заказ в панели: { $panel_id }
    Списано: { $price }
    Ваш баланс: { $balance }
    Мы сообщим, когда он начнётся и когда будет выполнен.
order-already-placed = ℹ️ Этот заказ уже оформлен: заказ #{ $order_id }. Повторно ничего не списано.
order-held =
    ⏳ <b>Заказ #{ $order_id } проверяется</b>
    Панель не ответила вовремя, поэтому мы проверяем, прошёл ли заказ. Сумма { $price } зарезервирована: она либо пойдёт на заказ, либо вернётся вам.
order-short = ⚠️ На балансе не хватает <b>{ $missing }</b>. Пополните его, затем подтвердите.
order-dropped = Заказ отменён. Ничего не списано.
order-refused-shop-side = ⛔ Магазин сейчас не может принять этот заказ. { $price } возвращено на баланс ({ $balance }). Попробуйте позже.
order-refused-active-order-for-link = ⛔ По этой ссылке уже выполняется заказ этой услуги. Дождитесь его завершения или используйте другую ссылку. { $price } возвращено на баланс ({ $balance }).
order-refused-below-minimum = ⛔ Слишком маленькое количество для этой услуги. { $price } возвращено на баланс ({ $balance }).
order-refused-above-maximum = ⛔ Слишком большое количество для этой услуги. { $price } возвращено на баланс ({ $balance }).
order-refused-bad-quantity = ⛔ Такое количество для этой услуги не принято. Попробуйте другое, например круглое число. { $price } возвращено на баланс ({ $balance }).
order-refused-bad-link = ⛔ Ссылка не принята. Проверьте, что она верная и открытая. { $price } возвращено на баланс ({ $balance }).
order-refused-service-unavailable = ⛔ Эта услуга сейчас недоступна. { $price } возвращено на баланс ({ $balance }).
order-refused-not-eligible = ⛔ Заказ для этой ссылки не принят. { $price } возвращено на баланс ({ $balance }).
order-refused-other = ⛔ Заказ не принят. { $price } возвращено на баланс ({ $balance }).
summary-more-lines = …и ещё { $count }
