from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "tuangou.orders"
    verbose_name = "订单"

    def ready(self):
        from tuangou.audit.approvals import approval_executor
        from tuangou.campaigns.hooks import campaign_closed, campaign_failed, campaign_order_figures, campaign_succeeded
        from tuangou.leaders.hooks import leader_stats
        from tuangou.marketing.hooks import members_by_orders

        from . import selectors, services

        campaign_closed.register(
            lambda *, campaign, actor: {
                "cancelled_unpaid_orders": services.orders_cancel_unpaid_for_campaign(campaign=campaign, actor=actor)
            }
        )
        campaign_succeeded.register(
            lambda *, campaign, actor: {"orders": services.orders_confirm_for_campaign(campaign=campaign, actor=actor)}
        )
        campaign_failed.register(
            lambda *, campaign, actor: {
                "orders": services.orders_refund_for_failed_campaign(campaign=campaign, actor=actor)
            }
        )
        leader_stats.register(selectors.leader_order_stats)
        members_by_orders.register(selectors.members_by_orders)
        campaign_order_figures.register(selectors.campaign_order_figures)
        approval_executor("refund", services.order_refund_approved)
        approval_executor("after_sale.refund", services.after_sale_refund_approved)
