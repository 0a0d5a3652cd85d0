from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "tuangou.payments"
