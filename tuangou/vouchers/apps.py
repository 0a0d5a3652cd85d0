from django.apps import AppConfig


class VouchersConfig(AppConfig):
    name = "tuangou.vouchers"
    verbose_name = "服务商品与核销"

    def ready(self):
        from tuangou.orders.hooks import order_paid, order_refund_planned, order_refunded

        from . import services

        order_paid.register(services.vouchers_on_paid)
        order_refund_planned.register(services.vouchers_refund_check)
        order_refunded.register(services.vouchers_on_refunded)
