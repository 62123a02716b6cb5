admin-usage = Использование: { $usage }
admin-help = <b>Команды магазина</b> (только в этой группе)
admin-usage-panel = /panel — баланс панели и состояние магазина
admin-usage-stats = /stats [today|7d|30d|90d] — продажи, затраты, маржа, возвраты, клиенты и их график по дням
admin-usage-order = /order &lt;номер заказа магазина или панели&gt; — заказ с историей и деньгами
admin-usage-unknown = /unknown — заказы, о которых неизвестно, созданы ли они
admin-usage-attach = /attach &lt;номер заказа&gt; &lt;номер в панели&gt; — заказ под вопросом создан
admin-usage-refund = /refund &lt;номер заказа&gt; [сумма] — вернуть деньги за заказ под вопросом или решить отложенный возврат
admin-usage-user = /user &lt;telegram id или @имя&gt; — клиент
admin-usage-credit = /credit &lt;клиент&gt; &lt;сумма&gt; &lt;причина&gt; — пополнить баланс
admin-usage-debit = /debit &lt;клиент&gt; &lt;сумма&gt; &lt;причина&gt; — списать с баланса
admin-usage-sync = /sync — загрузить каталог из панели сейчас
admin-usage-service = /service &lt;id&gt; [on|off] — продавать услугу или нет; без on|off: откуда она продаётся и её альтернативы
admin-usage-price = /price &lt;id&gt; &lt;наценка %&gt;|reset — своя наценка услуги
admin-usage-markup = /markup &lt;процент&gt; — наценка по умолчанию
admin-usage-desc = /desc &lt;услуга&gt; [текст|reset] — своё описание услуги вместо описания панели; без текста: оба описания
admin-usage-link = /link &lt;услуга&gt; &lt;панель&gt;:&lt;услуга панели&gt; — продавать услугу панели как замену услуги
admin-usage-unlink = /unlink &lt;панель&gt;:&lt;услуга панели&gt; — услуга панели больше не замена: она становится отдельной услугой
admin-usage-prefer = /prefer &lt;услуга&gt; &lt;панель&gt;|cheapest — панель, через которую продаётся услуга
admin-usage-broadcast = /broadcast (ответом на сообщение) — разослать его всем клиентам
admin-usage-refundstars = /refundstars &lt;клиент&gt; &lt;charge id&gt; — вернуть оплату в Stars
admin-usage-payments = /payments — переводы, ждущие решения
admin-usage-approve = /approve &lt;заявка&gt; [сумма] — подтвердить перевод, зачислив запрошенную сумму или другую
admin-usage-reject = /reject &lt;заявка&gt; [причина] — отклонить перевод; клиент узнает причину
admin-usage-receipt = /receipt &lt;заявка&gt; — снова показать чек ждущего перевода и кнопки
admin-panel =
    <b>Панель</b> { $url }
    Баланс: { $balance }
    Услуг в продаже: { $services } (из { $stored } известных)
    Каталог загружен: { $synced }
    Последняя проверка статусов: { $polled }
    Активных заказов: { $orders } · под вопросом: { $uncertain } · докруток: { $refills }
admin-panel-unreachable = недоступен ({ $error })
admin-stats =
    <b>Показатели за { $period }</b>
    Заказов: { $orders }
    Выручка: { $revenue }
    Затраты в панели: { $cost }
    Маржа: { $margin }
    Возвраты: { $refunds }
    Пополнения: { $topups }
    Зачисления по промокодам: { $promo }
    Новых клиентов: { $customers }
    Популярные услуги:
    { $top }
admin-stats-top = #{ $service_id } { $name }: { $orders }
admin-order =
    <b>Заказ #{ $order_id }</b> (панель { $panel_id }) · клиент { $user_id }
    { $service }
    🔗 { $link }
    Количество: { $quantity } · цена { $price } · затраты { $cost }
    Состояние: { $state } (панель: { $panel_status })
    Ошибка: { $error }
    <b>История</b>
    { $history }
    <b>Деньги</b>
    { $ledger }
    Докрутки: { $refills }{ $hold }
admin-button-refresh = 🔄 Обновить
admin-button-refill = ♻️ Докрутка
admin-button-cancel = ✖ Отменить
admin-order-not-found = Заказа { $reference } нет.
admin-unknown-none = Заказов под вопросом нет. 👍
admin-unknown =
    <b>Заказы под вопросом</b> — проверьте каждый в панели, затем /attach или /refund:
    { $orders }
admin-unknown-line = #{ $order_id } · клиент { $user_id } · { $price } · { $created } · { $link }
    <code>/attach { $order_id } ID_В_ПАНЕЛИ</code> или <code>/refund { $order_id }</code>
admin-refused = Не выполнено: { $reason }
admin-attached = ✅ Заказ #{ $order_id } — это заказ { $panel_id } в панели; отслеживание возобновлено.
admin-refunded = ✅ Заказ #{ $order_id } возвращён: { $price } снова на балансе клиента.
admin-user-not-found = Такого клиента нет.
admin-user =
    <b>Клиент { $user_id }</b> { $name } { $username }
    Язык: { $language } · заблокировал бота: { $blocked }
    Баланс: { $balance }
    Пополнения: { $topups }
    Заказов: { $orders }
    { $recent }
    Пригласил: { $referrer } · приглашённых: { $referrals }
admin-credit-done = ✅ { $amount } зачислено клиенту { $user_id }. Баланс: { $balance }
admin-debit-done = ✅ { $amount } списано у клиента { $user_id }. Баланс: { $balance }
admin-debit-short = Не выполнено: на балансе только { $balance }.
admin-sync-done = ✅ Каталог загружен: новых { $inserted }, изменено { $updated }, без изменений { $unchanged }, исчезло { $removed }.
admin-sync-failed = ⚠️ Каталог не загружен ({ $error }); остаётся прежний.
admin-service-not-found = Услуги { $service_id } нет.
admin-service-on = ✅ Услуга { $service_id } в продаже.
admin-service-off = ✅ Услуга { $service_id } снята с продажи.
admin-desc-set = ✅ Услуга { $service_id } теперь показывает ваше описание.
admin-desc-reset = ✅ Услуга { $service_id } снова показывает описание панели.
admin-desc-too-long = ⚠️ Длина описания — { $length }, а помещается не больше { $limit } символов. Ничего не изменено.
admin-desc-info =
    <b>Услуга { $service_id }</b> { $name }
    <b>От панели { $panel }:</b> { $panel_description }
    <b>Своё:</b> { $own_description }
    Покупатели видят { $shown }.
admin-desc-none = нет
admin-desc-source-own = своё описание магазина
admin-desc-source-panel = описание панели
admin-desc-source-none = без описания
admin-price-set = ✅ У услуги { $service_id } теперь наценка { $percent }%.
admin-price-reset = ✅ Услуга { $service_id } снова с наценкой по умолчанию.
admin-markup-set = ✅ Наценка по умолчанию: { $percent }%.
admin-link-done = ✅ Услуга { $service_id } продаётся также как услуга { $panel_service_id } панели { $panel }. Продаётся через: { $shown }.
admin-unlink-done = ✅ Услуга { $panel_service_id } панели { $panel } снова отдельная услуга: { $service_id }.
admin-prefer-done = ✅ Услуга { $service_id } продаётся через { $choice }: сейчас это услуга { $panel_service_id } панели { $panel }, по { $rate } за 1000.
admin-link-no-service = Нет услуги { $service_id }.
admin-link-no-panel = Нет панели с именем { $panel }.
admin-link-not-listed = У панели { $panel } нет такой услуги.
admin-link-already-at-panel = Услуга { $service_id } уже продаётся через панель { $panel }: сначала /unlink.
admin-link-other-type = Услуга { $panel_service_id } панели { $panel } принимает заказы другого вида, чем услуга { $service_id }: заменой ей она быть не может.
admin-link-last-listing = Услуга { $panel_service_id } панели { $panel } — единственный способ продать её услугу: отвязывать нечего.
admin-broadcast-started = 📣 Рассылка на { $total } клиентов начата.
admin-broadcast-progress = 📣 Рассылка: доставлено { $delivered } из { $total }, заблокировали бота { $blocked }, ошибок { $failed }.
admin-broadcast-done = 📣 Рассылка завершена: доставлено { $delivered }, заблокировали бота { $blocked }, ошибок { $failed } (из { $total }).
admin-refundstars-returned = ✅ { $stars } звёзд возвращено клиенту { $user_id }; { $amount } списано с баланса.
admin-refundstars-returned-before = ✅ Telegram уже вернул эти { $stars } звёзд клиенту { $user_id } раньше; { $amount } списано с баланса.
admin-refundstars-uncertain = ⚠️ Ответ Telegram потерян ({ $detail }): неизвестно, вернулись ли { $stars } звёзд клиенту { $user_id }. { $amount } остаётся списанным с баланса. Отправьте ту же команду позже, чтобы завершить возврат: Telegram возвращает звёзды только один раз, и баланс дважды не спишется.
admin-refundstars-unknown-payment = Не выполнено: у клиента нет такого платежа.
admin-refundstars-already-refunded = Не выполнено: этот платёж уже возвращён.
admin-refundstars-balance-too-low = Не выполнено: баланс клиента ({ $detail }) уже не покрывает платёж.
admin-refundstars-telegram-refused = Не выполнено: Telegram отказал ({ $detail }); баланс не изменён.
admin-panel-sandbox = 🧪 <b>ПЕСОЧНИЦА</b>: панель — песочница внутри бота. Ничего настоящего не покупается; балансы игровые.
admin-cancel-requesting = отмена запрашивается
admin-cancel-accepted = панель приняла отмену
admin-cancel-refused = панель отказала в отмене
admin-cancel-unknown = панель не ответила на отмену
admin-order-refund-held = ⏸ Возврат ждёт решения с { $since }: <code>/refund { $order_id } СУММА</code>
admin-refund-settled = ✅ Заказ #{ $order_id }: { $amount } возвращено клиенту; возврат решён.
admin-refund-settled-none = ✅ Заказ #{ $order_id }: ничего не возвращено; клиенту сообщено, возврат решён.
admin-refund-not-held = Не выполнено: у заказа #{ $order_id } нет возврата, ждущего решения.
admin-refund-above-price = Не выполнено: по заказу #{ $order_id } можно вернуть не больше { $price }.
admin-usage-promo = /promo new &lt;КОД&gt; &lt;сумма|процент%&gt; [использований] [дней] · /promo list · /promo off &lt;КОД&gt; — промокоды: сумма на баланс сразу или процент к следующему пополнению
admin-promo-created = ✅ Промокод <code>{ $code }</code> создан: { $value }; { $uses }; { $expiry }.
admin-promo-exists = Не выполнено: промокод { $code } уже есть.
admin-promo-not-found = Промокода { $code } нет.
admin-promo-off = ✅ Промокод { $code } отключён: больше его никто не активирует. Уже выданные по нему бонусы по-прежнему добавятся к следующему пополнению этих клиентов.
admin-promo-none = Промокодов пока нет.
admin-promo-list = <b>Промокоды</b> ({ $total }), сначала новые:
admin-promo-list-more = … и ещё { $more } старых не показано.
admin-promo-line = <code>{ $code }</code> · { $value } · использован { $used } · { $expiry } · { $state }
admin-promo-voucher = { $amount } на баланс
admin-promo-bonus = +{ $percent }% к следующему пополнению
admin-promo-uses-any = любое число клиентов
admin-promo-uses-max = не больше { $max } клиентов
admin-promo-expires = до { $at }
admin-promo-no-expiry = без срока
admin-promo-state-active = действует
admin-promo-state-off = отключён
admin-promo-state-expired = истёк
admin-promo-state-used-up = израсходован
admin-usage-ban = /ban &lt;пользователь&gt; [причина] — больше не обслуживать клиента; его заказы идут дальше, баланс сохраняется
admin-usage-unban = /unban &lt;пользователь&gt; — снова обслуживать заблокированного клиента
admin-usage-banned = /banned — заблокированные клиенты, сначала последние
admin-ban-done = 🚫 { $user_id } заблокирован: магазин больше его не обслуживает. Его заказы идут дальше, баланс сохраняется.
admin-ban-already = { $user_id } уже заблокирован; ничего не изменилось.
admin-unban-done = ✅ { $user_id } снова обслуживается.
admin-unban-already = { $user_id } не был заблокирован; ничего не изменилось.
admin-banned-none = Заблокированных нет.
admin-banned = <b>Заблокировано: { $count }</b> (сначала последние)
admin-banned-line = { $user_id } · { $name } · с { $since } · { $reason }
admin-banned-more = …и ещё { $more }.
admin-usage-panels = /panels — каждая панель: баланс, отвечает ли она, услуги и активные заказы
admin-panels = <b>Панели</b>
admin-panels-line =
    <b>{ $name }</b> { $url }
    Баланс: { $balance } · услуг в продаже: { $services } (из { $known } известных) · активных заказов: { $orders }
admin-stats-panel = Панель { $panel }: выручка { $revenue } · затраты { $cost } · маржа { $margin }
admin-service-info = <b>Услуга { $service_id }</b> { $name }
    Продаётся с: { $sold_from } (выбрано: { $prefer })
    Описание: { $description }
admin-service-listing = · { $panel }:{ $panel_service_id } · { $rate } за 1000 · мин { $min }, макс { $max } · { $state }
admin-listing-listed = есть у панели
admin-listing-gone = панель её больше не показывает
