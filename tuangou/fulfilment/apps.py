from django.apps import AppConfig


class FulfilmentConfig(AppConfig):
    name = "tuangou.fulfilment"
    verbose_name = "履约与发货"
