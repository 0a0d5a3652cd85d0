"""What each staff role may do, declared per domain. The API checks one of these on every staff call."""

from .models import Staff

# domain.action — the whole list of staff permissions.
PERMISSIONS = {
    "shop.view": "进入店铺后台",
    "dashboard.view": "查看数据看板（成交额）",
    "settings.view": "查看店铺设置",
    "shop.settings": "修改店铺设置",
    "staff.view": "查看角色与权限",
    "staff.manage": "管理员工与角色",
    "catalog.view": "查看商品",
    "catalog.manage": "管理商品、规格与价格",
    "catalog.stock": "调整库存（盘点、入库、损耗）",
    "campaigns.view": "查看团购",
    "campaigns.manage": "创建与管理团购",
    "leaders.view": "查看团长",
    "leaders.manage": "招募、审核与管理团长",
    "orders.view": "查看订单",
    "orders.manage": "取消订单、处理售后",
    "orders.refund": "退款",
    "marketing.view": "查看营销活动（优惠券）",
    "marketing.manage": "创建与管理营销活动（优惠券）",
    "fulfilment.view": "查看采购/发货/分拣单",
    "fulfilment.ship": "标记发货",
    "warehouses.manage": "管理前置仓、配送员与配送线路",
    "commissions.view": "查看佣金",
    "withdrawals.manage": "审核提现",
    "payments.reconcile": "对账（查看与处理账单差异）",
    "audit.view": "查看操作日志",
    "integrations.manage": "开放平台：API 密钥与 Webhook",
    "feedback.view": "查看团长反馈",
    "feedback.manage": "处理与回复团长反馈",
    # Deciding a request also needs the request's own permission (退款, 审核提现, ...).
    "approvals.decide": "审批他人提交的复核申请",
}

R = Staff.Role
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    R.OWNER: frozenset(PERMISSIONS),
    R.ADMIN: frozenset(PERMISSIONS),
    R.OPERATIONS: frozenset(
        {
            "shop.view",
            "dashboard.view",
            "settings.view",
            "catalog.view",
            "catalog.manage",
            "catalog.stock",
            "campaigns.view",
            "campaigns.manage",
            "leaders.view",
            "leaders.manage",
            "orders.view",
            "fulfilment.view",
            "marketing.view",
            "marketing.manage",
            "approvals.decide",
            "feedback.view",
            "feedback.manage",
        }
    ),
    R.WAREHOUSE: frozenset(
        {
            "shop.view",
            "catalog.view",
            "catalog.stock",
            "campaigns.view",
            "orders.view",
            "fulfilment.view",
            "fulfilment.ship",
            "warehouses.manage",
        }
    ),
    R.FINANCE: frozenset(
        {
            "shop.view",
            "dashboard.view",
            "campaigns.view",
            "orders.view",
            "orders.refund",
            "leaders.view",
            "commissions.view",
            "withdrawals.manage",
            "payments.reconcile",
            "marketing.view",
            "approvals.decide",
        }
    ),
    R.SUPPORT: frozenset(
        {
            "shop.view",
            "catalog.view",
            "campaigns.view",
            "leaders.view",
            "orders.view",
            "orders.manage",
            "feedback.view",
            "feedback.manage",
        }
    ),
}
# Only these roles may hand out the owner/admin roles.
ROLE_GRANTORS = {R.OWNER: set(R.values), R.ADMIN: set(R.values) - {R.OWNER}}


# What a shop's API key (tuangou.integrations) may read: scope -> the console permissions it stands
# for. Keys read only (GET); each request is also checked against its creator's role.
API_KEY_SCOPES: dict[str, frozenset[str]] = {
    "orders:read": frozenset({"orders.view"}),
    "campaigns:read": frozenset({"campaigns.view"}),
    "fulfilment:read": frozenset({"fulfilment.view"}),
    "catalog:read": frozenset({"catalog.view"}),
    "leaders:read": frozenset({"leaders.view"}),
    "commissions:read": frozenset({"commissions.view"}),
}


def role_has(role: str, permission: str) -> bool:
    assert permission in PERMISSIONS, permission
    return permission in ROLE_PERMISSIONS.get(role, frozenset())
