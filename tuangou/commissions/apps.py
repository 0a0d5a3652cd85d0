from django.apps import AppConfig


class CommissionsConfig(AppConfig):
    name = "tuangou.commissions"
