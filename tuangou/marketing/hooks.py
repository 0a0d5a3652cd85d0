"""What marketing asks of the apps above it (registered in their AppConfig.ready())."""

from tuangou.core.hooks import Hook

members_by_orders = Hook(
    "members_by_orders",
    "shop=, idle_days= or category_id=: answers the ids of the shop's members who placed no paid order "
    "in idle_days, or who bought from category_id — orders answers, for targeted coupon packs.",
)
