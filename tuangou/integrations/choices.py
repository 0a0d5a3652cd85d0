"""The events a webhook may take, with their labels (the console lists them)."""

from tuangou.core.labels import bilingual

EVENTS: dict[str, str] = {
    "order.paid": bilingual("订单已付款", "Order paid"),
    "order.refunded": bilingual("订单退款（全部或部分）", "Order refunded (in full or in part)"),
    "order.picked_up": bilingual("订单已提货（核销）", "Order picked up"),
    "campaign.closed": bilingual("团购已截单", "Campaign closed (cut-off)"),
    "campaign.succeeded": bilingual("团购成团", "Campaign succeeded"),
    "campaign.failed": bilingual("团购未成团", "Campaign failed"),
    "withdrawal.paid": bilingual("团长提现已打款", "Leader withdrawal paid"),
}
TEST_EVENT = "webhook.test"

# What a key may read: the scopes of tuangou.shops.permissions.API_KEY_SCOPES, labelled.
SCOPES: dict[str, str] = {
    "orders:read": bilingual("读取订单", "Read orders"),
    "campaigns:read": bilingual("读取团购", "Read campaigns"),
    "fulfilment:read": bilingual("读取采购/发货/分拣单", "Read purchase, shipping and sorting sheets"),
    "catalog:read": bilingual("读取商品与库存", "Read products and stock"),
    "leaders:read": bilingual("读取团长", "Read leaders"),
    "commissions:read": bilingual("读取佣金与提现", "Read commissions and withdrawals"),
}

SECRET_GRACE_HOURS = 24  # after a rotation the old webhook secret signs too, this long unless told
MAX_SECRET_GRACE_HOURS = 7 * 24
