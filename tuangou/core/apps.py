from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tuangou.core"
    verbose_name = "基础"
