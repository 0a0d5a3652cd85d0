from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "tuangou.campaigns"
    verbose_name = "团购活动"

    def ready(self):
        from django_q.signals import post_spawn

        from tuangou.audit.approvals import approval_executor
        from tuangou.core.frontend import register_h5_page

        from .frontend import CAMPAIGN_PAGE, paint_campaign_page
        from .services import campaign_cancel_approved
        from .tasks import hot_stock_reconcile_on_worker_start

        register_h5_page(CAMPAIGN_PAGE, paint_campaign_page)
        approval_executor("campaign.cancel", campaign_cancel_approved)
        # Redis stock counters rewritten from the database whenever a job worker starts (hotstock.py).
        post_spawn.connect(hot_stock_reconcile_on_worker_start, dispatch_uid="tuangou.hot_stock")
