"""What the catalog lets upper apps decide (registered in their AppConfig.ready())."""

from tuangou.core.hooks import Hook

stock_adjusting = Hook(
    "stock_adjusting",
    "shop=, sku=: a merchant is about to adjust this SKU's stock by hand, inside the adjustment's "
    "transaction; a receiver raises ApplicationError when the SKU's stock is another app's to move "
    "(the marketplace: a seller's units come only from its supplier).",
)
