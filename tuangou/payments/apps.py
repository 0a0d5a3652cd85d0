from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "tuangou.payments"
    verbose_name = "支付"

    def ready(self):
        # Payments stand above orders: orders ask for refunds through tuangou.orders.money.
        from tuangou.orders.money import money_side_register

        from . import services

        money_side_register(services)
