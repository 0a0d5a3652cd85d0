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
