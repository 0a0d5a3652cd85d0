from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "tuangou.integrations"
    verbose_name = "开放平台"

    def ready(self):
        from tuangou.campaigns.hooks import campaign_closed, campaign_failed, campaign_succeeded
        from tuangou.commissions.hooks import withdrawal_paid
        from tuangou.core.api import register_token_kind
        from tuangou.orders.hooks import order_paid, order_picked_up, order_refunded

        from . import events
        from .auth import API_KEY_PREFIX, user_for_api_key

        register_token_kind(API_KEY_PREFIX, user_for_api_key)
        order_paid.register(events.on_order_paid)
        order_refunded.register(events.on_order_refunded)
        order_picked_up.register(events.on_order_picked_up)
        campaign_closed.register(events.on_campaign_closed)
        campaign_succeeded.register(events.on_campaign_succeeded)
        campaign_failed.register(events.on_campaign_failed)
        withdrawal_paid.register(events.on_withdrawal_paid)
