# Пополнения переводом: сторона клиента, его уведомления и группа администраторов.
manual-choose =
    🏦 <b>Пополнение переводом</b>
    Выберите сумму или напишите другую, от { $min } до { $max }. Затем вы увидите, куда её перевести.
manual-details =
    🏦 <b>Перевод { $amount }</b>
    { $details }

    Когда оплатите, пришлите сюда чек: фото или скриншот, или файл. Подпись, если добавите, увидят сотрудники магазина.
manual-receipt-expected = ⚠️ Пришлите чек фотографией или файлом, или нажмите «Отмена».
manual-received =
    📨 <b>Чек получен: заявка #{ $request_id }, { $amount }.</b>
    Сотрудники проверят перевод; мы напишем здесь, когда деньги будут на балансе.
manual-too-many = ⏳ У вас уже { $pending } перевода на проверке. Дождитесь ответа, прежде чем отправлять новый.
notice-manual-approved =
    ✅ <b>Ваш перевод #{ $request_id } подтверждён: { $amount } зачислено на баланс.</b>
    Ваш баланс: { $balance }
notice-manual-approved-changed =
    ✅ <b>Ваш перевод #{ $request_id } подтверждён: { $amount } зачислено на баланс</b> (вы указали { $asked }).
    Ваш баланс: { $balance }
notice-manual-rejected = ❌ Ваш перевод #{ $request_id } на { $asked } не подтверждён. Если вы оплатили, напишите в магазин.
notice-manual-rejected-reason =
    ❌ Ваш перевод #{ $request_id } на { $asked } не подтверждён.
    Причина: { $reason }
manual-post =
    🏦 <b>Перевод #{ $request_id }: { $amount }</b>
    Клиент: { $name } { $username } (id { $user_id })
    Комментарий: { $comment }
    Проверьте чек выше и нажмите «Подтвердить» или «Отклонить»; или /approve { $request_id } [сумма], /reject { $request_id } [причина].
manual-post-approved = ✅ Подтвердил(а) { $admin }: зачислено { $amount }.
manual-post-rejected = ❌ Отклонил(а) { $admin }. Причина: { $reason }
button-manual-approve = ✅ Подтвердить
button-manual-reject = ❌ Отклонить
admin-manual-approved = ✅ Перевод #{ $request_id } подтверждён: { $amount } зачислено клиенту { $user_id }. Баланс: { $balance }
admin-manual-rejected = ❌ Перевод #{ $request_id } клиента { $user_id } отклонён; клиент уведомлён.
admin-manual-unknown = Заявки на перевод #{ $request_id } нет.
admin-manual-already-approved = Перевод #{ $request_id } уже подтверждён; ничего не изменено.
admin-manual-already-rejected = Перевод #{ $request_id } уже отклонён; ничего не изменено.
admin-manual-currency-changed = Перевод #{ $request_id } запрошен в другой валюте, чем магазин считает сейчас: укажите сумму для зачисления, /approve { $request_id } &lt;сумма&gt;.
admin-manual-off = Переводы выключены: MANUAL_PAYMENT_DETAILS не задан.
admin-manual-too-many-pending = У этого клиента слишком много переводов на проверке.
admin-payments-none = Переводов, ждущих решения, нет.
admin-payments =
    <b>Переводы на проверке: { $count }</b> (сначала старые)
admin-payments-line = #{ $request_id } · { $amount } · { $name } ({ $user_id }) · { $created } · { $comment }
admin-payments-more = …и ещё { $more }: сначала решите по этим.
admin-topups-by-method = ⭐ Stars { $stars } · 🪙 крипта { $crypto } · 🏦 переводы { $manual }
admin-manual-not-posted = Перевод #{ $request_id } не удалось показать в этой группе; см. журнал.
