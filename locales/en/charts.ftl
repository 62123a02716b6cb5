# The /stats chart: plain text drawn on a picture (no HTML here).
admin-chart-title = Figures for { $period } ({ $first } – { $last }), { $currency }
admin-chart-sales = Revenue, panel cost and margin per day
admin-chart-credits = Top-ups by method per day
admin-chart-revenue = Revenue
admin-chart-cost = Panel cost
admin-chart-margin = Margin
admin-chart-stars = Stars
admin-chart-crypto = Crypto
admin-chart-manual = Transfers
admin-chart-promo = Promo codes
admin-chart-days = Day (UTC)
admin-chart-amount = Amount, { $currency }
admin-chart-no-sales = No sales in this period
admin-chart-no-credits = No top-ups in this period
