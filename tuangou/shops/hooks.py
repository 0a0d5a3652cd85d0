"""What happens to a shop that upper apps act on (registered in their AppConfig.ready())."""

from tuangou.core.hooks import Hook

shop_created = Hook(
    "shop_created", "shop=: a merchant opened a shop, inside its transaction. Leaders adds a recruitment plan."
)
