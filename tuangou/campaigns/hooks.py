"""What happens to a campaign that upper apps act on (registered in their AppConfig.ready()).
Receivers answer a dict that is added to the campaign's event data."""

from tuangou.core.hooks import Hook

campaign_closed = Hook(
    "campaign_closed", "campaign=, actor=: the cut-off passed (status saved). Orders cancels the unpaid ones."
)
campaign_succeeded = Hook(
    "campaign_succeeded", "campaign=, actor=: it reached its threshold. Orders confirms the paid ones."
)
campaign_failed = Hook("campaign_failed", "campaign=, actor=: it missed its threshold. Orders refunds the paid ones.")
campaign_order_figures = Hook(
    "campaign_order_figures",
    "leader= (or None): answers {column: expression per campaign (OuterRef('pk'))} to annotate campaigns with — "
    "orders: paid_members (distinct members with a paid, not refunded, order: the 成团人数), and for a leader "
    "my_orders and my_amount_fen (their paid orders in it). Orders owns what counts as paid.",
)
