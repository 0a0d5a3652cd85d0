from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "tuangou.campaigns"
    verbose_name = "团购活动"
