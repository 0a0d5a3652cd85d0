from django.apps import AppConfig


class ShopsConfig(AppConfig):
    name = "tuangou.shops"
    verbose_name = "店铺"
