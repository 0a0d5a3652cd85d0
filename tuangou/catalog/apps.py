from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "tuangou.catalog"
    verbose_name = "商品"
