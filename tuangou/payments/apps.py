from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "tuangou.payments"
    verbose_name = "支付"
