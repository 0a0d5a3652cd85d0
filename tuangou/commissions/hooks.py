"""What happens to commissions that upper apps act on (registered in their AppConfig.ready())."""

from tuangou.core.hooks import Hook

withdrawal_paid = Hook(
    "withdrawal_paid",
    "withdrawal=: the money reached the leader (marked paid, or the WeChat transfer succeeded), "
    "inside its transaction.",
)
