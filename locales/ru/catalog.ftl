catalog-categories = 🛒 <b>Выберите категорию</b>
    Можно также написать название или номер услуги, чтобы найти её.
catalog-services = 📂 <b>{ $category }</b>
    Цены указаны за 1000 или за пакет.
catalog-empty = Каталог сейчас пуст. Загляните позже.
category-button = { $name } ({ $count })
service-button = { $name } — { $price }
service-unavailable = Эта услуга больше недоступна.
service-card =
    <b>{ $name }</b>
    📂 { $category } · { $kind }
    💵 { $price }
    ♻️ Докрутка: { $refill } · ✖ Отмена: { $cancel }{ $details }

    Понадобится: { $asked }.
card-price = { $price } за 1000 · от { $min } до { $max }
card-price-package = { $price } за пакет
card-dripfeed = 💧 Можно выполнять постепенно (drip-feed)
card-average-time = ⏱ Среднее время: { $time }
card-average-minutes = { $minutes } мин
button-order = 🛒 Заказать
search-results = 🔎 Услуги по запросу «{ $query }»:
search-nothing = По запросу «{ $query }» ничего не найдено. Попробуйте другое слово или откройте каталог.
search-too-long = Слишком длинный запрос. Напишите пару слов или номер услуги.
type-default = Обычная
type-package = Пакет
type-custom-comments = Свои комментарии
type-mentions-with-hashtags = Упоминания с хэштегами
type-mentions-custom-list = Упоминания по списку
type-mentions-hashtag = Упоминания по хэштегу
type-mentions-user-followers = Упоминания подписчиков
type-subscriptions = Подписка
type-custom-comments-package = Пакет комментариев
type-poll = Голоса в опросе
channel-required =
    📢 Чтобы заказывать, сначала подпишитесь на { $channel }.
    Затем нажмите «Проверить ещё раз».
channel-not-yet = Вы ещё не подписаны на канал. Подпишитесь и нажмите «Проверить ещё раз».
channel-joined = ✅ Спасибо за подписку! Нажмите кнопку ещё раз, чтобы продолжить заказ.
button-join-channel = 📢 Подписаться на канал
button-check-channel = 🔄 Проверить ещё раз
