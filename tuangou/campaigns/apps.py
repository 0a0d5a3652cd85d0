from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "tuangou.campaigns"
