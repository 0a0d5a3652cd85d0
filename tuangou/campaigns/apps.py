from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "tuangou.campaigns"
    verbose_name = "团购活动"

    def ready(self):
        from tuangou.audit.approvals import approval_executor
        from tuangou.core.frontend import register_h5_page

        from .frontend import CAMPAIGN_PAGE, paint_campaign_page
        from .services import campaign_cancel_approved

        register_h5_page(CAMPAIGN_PAGE, paint_campaign_page)
        approval_executor("campaign.cancel", campaign_cancel_approved)
