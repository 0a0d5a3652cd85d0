from django.apps import AppConfig


class FulfilmentConfig(AppConfig):
    name = "tuangou.fulfilment"
