from django.apps import AppConfig


class WarehousesConfig(AppConfig):
    name = "tuangou.warehouses"
    verbose_name = "前置仓与送货上门"

    def ready(self):
        from tuangou.orders.hooks import order_delivery_place, order_delivery_quote, order_goods_returned

        from . import services

        order_delivery_quote.register(services.delivery_quote)
        order_delivery_place.register(services.delivery_place)
        order_goods_returned.register(services.delivery_goods_return)
