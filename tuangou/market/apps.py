from django.apps import AppConfig


class MarketConfig(AppConfig):
    name = "tuangou.market"
    verbose_name = "分销市场"

    def ready(self):
        from tuangou.catalog.hooks import product_kind_changing, stock_adjusting
        from tuangou.orders.hooks import order_paid, order_refunded

        from . import services

        order_paid.register(services.market_on_paid)
        order_refunded.register(services.market_on_refunded)
        stock_adjusting.register(services.market_on_stock_adjusting)
        product_kind_changing.register(services.market_on_product_kind_changing)
