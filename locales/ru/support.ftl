## Support conversations: the customer's side.
menu-support = 💬 Поддержка
command-support = Написать сотрудникам магазина
button-support-done = ✅ Готово
button-ask-order = 💬 Вопрос по заказу
support-prompt =
    💬 <b>Написать сотрудникам магазина</b>
    Отправьте вопрос сюда: текст, фото, файлы или голосовые сообщения. Сотрудники ответят в этом чате.
    Когда закончите, нажмите <b>Готово</b>.
support-prompt-order =
    💬 <b>Вопрос по заказу #{ $order_id }</b>
    Отправьте его сюда: текст, фото, файлы или голосовые сообщения. Сотрудники увидят заказ и ответят в этом чате.
    Когда закончите, нажмите <b>Готово</b>.
support-received = ✅ Ваше сообщение получено сотрудниками магазина. Ответ придёт сюда; можно продолжать писать.
support-wait = ⏳ Слишком много сразу: подождите минуту и отправьте остальное.
support-unavailable = 💬 В этом магазине пока нельзя написать сотрудникам.
support-done = 👌 Спасибо. Сотрудники ответят в этом чате; чтобы написать снова, ответьте на их сообщение.
support-closed = ✅ Сотрудники закрыли ваше обращение. Если понадобится, нажмите <b>Поддержка</b> в меню (или отправьте /support).

## Support conversations: the admin group's side.
support-header =
    💬 <b>{ $name }</b>{ $username } · id <code>{ $user_id }</code> · обращение #{ $ticket_id }
    Заказы и баланс: /user { $user_id }
support-header-order =
    📦 <b>Заказ #{ $order_id }</b>: { $service }
    { $link }
    Количество { $quantity } · { $status } · { $charge }
support-undelivered = ⚠️ Не доставлено: { $name } (<code>{ $user_id }</code>) заблокировал(а) бота.
support-age-minutes = { $minutes } мин
support-age-hours = { $hours } ч { $minutes } мин
support-age-days = { $days } д { $hours } ч
admin-close-done = ✅ Обращение #{ $ticket_id } ({ $name }) закрыто, клиенту сообщено. Новое сообщение от клиента откроет новое обращение.
admin-close-none = Здесь нет открытого обращения. Отправьте /close в теме клиента или ответом на его сообщение.
admin-tickets = <b>Открытые обращения: { $count }</b> (сначала старые)
admin-tickets-line = #{ $ticket_id } · { $name } · <code>{ $user_id }</code>{ $order } · { $age } · сообщений: { $messages }
admin-tickets-none = Открытых обращений нет.
admin-tickets-more = …и ещё { $more }.
admin-usage-tickets = /tickets — открытые обращения в поддержку, сначала старые
admin-usage-close = /close — в теме клиента (или ответом на его сообщение): закрыть обращение
