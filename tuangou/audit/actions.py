"""Every action the log records, with its label (the console filters and shows these)."""

from tuangou.core.labels import bilingual

ACTIONS: dict[str, str] = {
    "login": bilingual("登录", "Log in"),
    "login_failed": bilingual("登录失败", "Failed login"),
    "refund": bilingual("退款", "Refund"),
    "after_sale.refund": bilingual("售后退款", "After-sales refund"),
    "withdrawal.approve": bilingual("批准提现", "Approve withdrawal"),
    "withdrawal.reject": bilingual("拒绝提现", "Reject withdrawal"),
    "withdrawal.mark_paid": bilingual("提现标记已打款", "Mark withdrawal paid"),
    "staff.add": bilingual("添加员工", "Add staff"),
    "staff.update": bilingual("修改员工角色/状态", "Change staff role or status"),
    "product.update": bilingual("修改商品/价格", "Change product or price"),
    "stock.adjust": bilingual("调整库存", "Adjust stock"),
    "stock.transfer": bilingual("前置仓调拨", "Transfer stock with a warehouse"),
    "campaign.update": bilingual("修改团购（价格/库存）", "Change campaign (prices, stock)"),
    "campaign.cancel": bilingual("取消团购", "Cancel campaign"),
    "shop.settings": bilingual("修改店铺设置", "Change shop settings"),
    "payment.settings": bilingual("修改支付设置", "Change payment settings"),
    "approval.settings": bilingual("修改审批规则", "Change approval rules"),
    "export.orders": bilingual("导出订单（会员数据）", "Export orders (member data)"),
    "export.leaders": bilingual("导出团长", "Export leaders"),
    "bulk.applications": bilingual("批量审核团长申请", "Bulk review of applications"),
    "staff.grant": bilingual("授予店主/管理员", "Grant owner or admin"),
    "approval.request": bilingual("提交复核", "Ask for a second approval"),
    "approval.approve": bilingual("复核通过", "Second approval given"),
    "approval.reject": bilingual("复核拒绝", "Second approval refused"),
    "approval.failed": bilingual("复核通过但执行失败", "Approved, but the action failed"),
    "voucher.redeem": bilingual("核销券码", "Redeem a voucher"),
    "voucher_store.create": bilingual("添加核销门店", "Add a partner store"),
    "voucher_store.update": bilingual("修改核销门店", "Change a partner store"),
}
