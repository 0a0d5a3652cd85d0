"""What happens to a shop that upper apps act on (registered in their AppConfig.ready())."""

from tuangou.core.hooks import Hook

shop_created = Hook(
    "shop_created", "shop=: a merchant opened a shop, inside its transaction. Leaders adds a recruitment plan."
)

shop_changed = Hook(
    "shop_changed",
    "shop=, actor=, action=, target=, before=, after=: a shop setting, role or staff change to record "
    "(tuangou.audit writes the 操作日志).",
)
role_granting = Hook(
    "role_granting",
    "shop=, actor=, role=, payload=, summary=: owner or admin is about to be granted; tuangou.audit "
    "raises ApprovalRequired when the shop wants a second approval.",
)
