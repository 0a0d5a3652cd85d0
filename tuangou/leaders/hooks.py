"""Where the apps above leaders add to leaders' data (registered in their AppConfig.ready())."""

from tuangou.core.hooks import Hook

leader_stats = Hook(
    "leader_stats",
    "shop=, start=, end= (the period; None is open): answers {column: expression per leader (OuterRef('pk'))} "
    "to annotate leaders with — orders: order_count, buyer_count, gmv_fen, last_order_at; commissions: commission_fen.",
)
member_joined = Hook(
    "member_joined",
    "shop=, user=: a person became a member of the shop (their first binding), inside its transaction. "
    "Marketing issues new-member coupons.",
)
