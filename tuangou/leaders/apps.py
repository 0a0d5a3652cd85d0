from django.apps import AppConfig


class LeadersConfig(AppConfig):
    name = "tuangou.leaders"
    verbose_name = "团长"
