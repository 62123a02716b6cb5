# График /stats: простой текст на картинке (без HTML).
admin-chart-title = Показатели за { $period } ({ $first } – { $last }), { $currency }
admin-chart-sales = Выручка, затраты в панели и маржа по дням
admin-chart-credits = Пополнения по способам оплаты по дням
admin-chart-revenue = Выручка
admin-chart-cost = Затраты в панели
admin-chart-margin = Маржа
admin-chart-stars = Stars
admin-chart-crypto = Крипта
admin-chart-manual = Переводы
admin-chart-promo = Промокоды
admin-chart-days = День (UTC)
admin-chart-amount = Сумма, { $currency }
admin-chart-no-sales = Нет продаж за этот период
admin-chart-no-credits = Нет пополнений за этот период
