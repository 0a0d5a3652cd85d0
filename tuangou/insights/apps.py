from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "tuangou.insights"
    verbose_name = "数据看板"
