"""What the catalog lets upper apps decide (registered in their AppConfig.ready())."""

from tuangou.core.hooks import Hook

stock_adjusting = Hook(
    "stock_adjusting",
    "shop=, sku=: a merchant is about to adjust this SKU's stock by hand, inside the adjustment's "
    "transaction; a receiver raises ApplicationError when the SKU's stock is another app's to move "
    "(the marketplace: a seller's units come only from its supplier).",
)

product_kind_changing = Hook(
    "product_kind_changing",
    "shop=, product=, kind=: a merchant is about to change this product's kind (goods, voucher, "
    "service, top-up), inside the edit's transaction; a receiver raises ApplicationError when "
    "another app relies on the kind (the marketplace ships only goods).",
)
