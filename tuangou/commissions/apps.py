from django.apps import AppConfig


class CommissionsConfig(AppConfig):
    name = "tuangou.commissions"
    verbose_name = "佣金"
