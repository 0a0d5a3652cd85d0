from django.apps import AppConfig


class CommissionsConfig(AppConfig):
    name = "tuangou.commissions"
    verbose_name = "佣金"

    def ready(self):
        from tuangou.audit.approvals import approval_executor
        from tuangou.leaders.hooks import leader_stats
        from tuangou.orders.hooks import order_picked_up, order_refunded

        from . import incentives, selectors, services

        order_picked_up.register(services.commission_accrue_for_order)
        order_refunded.register(services.commission_reverse_for_refund)
        # 团长激励 after commission: rewards read the lines as commission left them.
        order_picked_up.register(incentives.incentives_on_pickup)
        order_refunded.register(incentives.incentives_on_refund)
        leader_stats.register(selectors.leader_commission_stats)
        approval_executor("withdrawal.approve", services.withdrawal_approve_approved)
