from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "tuangou.campaigns"
    verbose_name = "团购活动"

    def ready(self):
        from tuangou.core.frontend import register_h5_page

        from .frontend import CAMPAIGN_PAGE, paint_campaign_page

        register_h5_page(CAMPAIGN_PAGE, paint_campaign_page)
