from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "tuangou.orders"
    verbose_name = "订单"
