"""One error type for business rules, and the message catalogue in both languages.

Services raise ApplicationError(code, field=..., **params); the API renders
{"code", "message", "field"} with the message in the request's language.
"""

from django.utils import translation

# code: (zh-CN, English). Params are filled with str.format.
MESSAGES: dict[str, tuple[str, str]] = {
    "not_found": ("{thing}不存在", "{thing} not found"),
    "not_authenticated": ("请先登录", "Please log in first"),
    "permission_denied": ("没有权限执行此操作", "You do not have permission to do this"),
    "invalid": ("{field_label}无效：{reason}", "{field_label} is invalid: {reason}"),
    "required": ("请填写{field_label}", "{field_label} is required"),
    "validation": ("{field_label}：{reason}", "{field_label}: {reason}"),
    "rate_limited": ("操作太频繁，请{seconds}秒后再试", "Too many attempts; try again in {seconds} s"),
    "conflict": ("{reason}", "{reason}"),
    # accounts
    "login_failed": ("用户名或密码错误", "Wrong username or password"),
    "login_locked": (
        "密码错误次数过多（{limit}次），该账号或IP已被锁定{minutes}分钟，请稍后再试或联系店主重置密码",
        "Too many wrong passwords ({limit}); this account or IP is locked for {minutes} minutes",
    ),
    "phone_invalid": ("手机号格式不正确", "Not a valid mainland China mobile number"),
    "sms_code_invalid": ("验证码错误", "Wrong verification code"),
    "sms_code_expired": ("验证码已过期，请重新获取", "The verification code has expired; request a new one"),
    "sms_code_used": ("验证码已使用，请重新获取", "The verification code was already used; request a new one"),
    "sms_code_missing": ("请先获取验证码", "Request a verification code first"),
    "sms_too_many_attempts": ("验证码错误次数过多，请重新获取", "Too many wrong codes; request a new one"),
    "sms_daily_limit": (
        "今日验证码错误次数过多，请24小时后再试",
        "Too many wrong codes for this phone today; try again in 24 hours",
    ),
    "username_taken": ("该用户名已被注册", "This username is taken"),
    "privacy_consent_required": (
        "请阅读并勾选同意《隐私政策》后登录",
        "Please read and agree to the privacy policy to log in",
    ),
    "privacy_version_outdated": (
        "《隐私政策》已更新，请刷新页面后重新阅读并同意",
        "The privacy policy has changed; reload the page and agree to the new version",
    ),
    "password_weak": ("密码不符合要求：{reason}", "Password not accepted: {reason}"),
    # shops
    "not_staff": ("您不是该店铺的员工", "You are not staff of this shop"),
    "role_invalid": ("角色无效", "Unknown role"),
    "last_owner": ("店铺至少需要一位店主", "A shop needs at least one owner"),
    # catalog
    "price_negative": ("价格不能为负数", "Price cannot be negative"),
    "stock_negative": ("库存不能小于0", "Stock cannot go below zero"),
    "stock_insufficient": ("库存不足（剩余{available}）", "Not enough stock ({available} left)"),
    "category_exists": ("分类「{name}」已存在", "The category {name} already exists"),
    "product_no_sku": ("商品至少需要一个规格", "A product needs at least one SKU"),
    "sku_spec_duplicate": ("规格「{spec}」重复", "The spec {spec} appears twice"),
    "sku_code_taken": ("商品编码{code}已被使用", "The SKU code {code} is already used"),
    "sku_inactive": ("该规格已停用", "This SKU is deactivated"),
    "product_off_shelf": ("商品「{name}」已下架", "{name} is off the shelf"),
    "image_invalid": ("请上传有效的图片（JPG、PNG、GIF或WebP）", "Upload a valid image (JPG, PNG, GIF or WebP)"),
    "image_too_large": ("图片不能超过{max_mb}MB", "The image must be at most {max_mb} MB"),
    "images_too_many": ("每个商品最多{maximum}张图片", "At most {maximum} images per product"),
    # campaigns
    "campaign_state": (
        "团购当前状态为「{status_label}」，不能{action}",
        "The campaign is {status_label}; cannot {action}",
    ),
    "cutoff_before_start": ("截单时间必须晚于开始时间", "The cut-off must be after the start"),
    "pickup_before_cutoff": ("提货时间必须晚于截单时间", "Pickup must be after the cut-off"),
    "campaign_not_live": ("团购未在进行中", "The campaign is not open for orders"),
    "campaign_empty": ("团购至少需要一个商品", "A campaign needs at least one item"),
    "campaign_item_duplicate": ("同一规格只能添加一次", "Each SKU can be added only once"),
    "campaign_no_leaders": ("请至少选择一位团长", "Choose at least one leader"),
    "cutoff_in_past": ("截单时间已过，请先修改截单时间", "The cut-off has passed; change it first"),
    "campaign_field_locked": (
        "团购已发布，不能修改{field_label}",
        "The campaign is published; {field_label} cannot change",
    ),
    "cutoff_only_extend": ("已发布的团购只能延后截单时间", "A published campaign's cut-off can only move later"),
    # leaders
    "community_taken": ("该小区已有团长", "This community already has a leader"),
    "households_too_few": ("小区户数需不少于{minimum}户", "The community needs at least {minimum} households"),
    "leader_not_active": ("该团长当前不可用", "This leader is not active"),
    "leader_not_allowed": ("该团长不能参与此团购", "This leader does not run this campaign"),
    "application_state": ("申请已处理", "The application was already reviewed"),
    "already_leader": ("您已是该店铺的团长", "You are already a leader of this shop"),
    "application_pending": ("您已提交团长申请，请等待审核", "Your leader application is waiting for review"),
    "leader_cleared": (
        "您的团长资格已被清退，如需恢复请联系商家",
        "You were cleared out as a leader; contact the shop to be reinstated",
    ),
    "leader_state": ("团长当前状态为「{status_label}」，不能{action}", "The leader is {status_label}; cannot {action}"),
    "captain_not_in_team": ("队长必须是本团队的团长", "The captain must be a leader of this team"),
    # orders
    "limit_exceeded": (
        "超出限购数量（每人限购{limit}件，已购{bought}件）",
        "Over the purchase limit ({limit} per member, {bought} bought)",
    ),
    "order_state": ("订单当前状态为「{status_label}」，不能{action}", "The order is {status_label}; cannot {action}"),
    "pickup_code_invalid": ("提货码无效", "Unknown pickup code"),
    "pickup_code_other_point": ("该提货码不属于您的自提点", "This pickup code belongs to another pickup point"),
    "refund_too_much": (
        "退款金额超过可退金额（最多{maximum}分）",
        "Refund exceeds the refundable amount ({maximum} fen)",
    ),
    "idempotency_conflict": ("相同的幂等键已用于不同的请求", "The idempotency key was used for a different request"),
    "order_items_empty": ("请至少选择一件商品", "Choose at least one item"),
    "quantity_invalid": ("购买数量至少为1件", "The quantity must be at least 1"),
    "order_item_duplicate": ("同一商品出现了两次，请合并数量", "The same item appears twice; combine the quantities"),
    "item_not_in_campaign": ("该商品不在此团购中", "This item is not part of the campaign"),
    "leader_required": ("请先选择团长", "Choose a leader first"),
    "pickup_point_unavailable": ("该团长的自提点暂不可用", "This leader's pickup point is not available"),
    "order_expired": ("订单已超时未支付，请重新下单", "The order timed out unpaid; please order again"),
    "cancel_after_cutoff": (
        "团购已截单，不能取消，请申请售后",
        "The campaign is past its cut-off; request after-sales instead",
    ),
    "refund_quantity_too_much": (
        "退款数量超过可退数量（最多{maximum}件）",
        "Refund quantity exceeds what is left ({maximum})",
    ),
    "refund_amount_invalid": ("退款金额必须大于0", "The refund amount must be greater than 0"),
    "refund_failed": ("退款失败：{reason}", "The refund failed: {reason}"),
    "payment_missing": ("订单没有已完成的支付", "The order has no completed payment"),
    "after_sale_state": ("售后申请已处理", "The after-sales request was already handled"),
    "after_sale_exists": ("该订单已有待处理的售后申请", "This order already has an open after-sales request"),
    # payments
    "signature_invalid": ("签名校验失败", "Signature verification failed"),
    "amount_mismatch": ("支付金额与订单不符", "Paid amount does not match the order"),
    "notify_invalid": ("支付通知无效：{reason}", "Invalid payment notification: {reason}"),
    "notify_expired": ("支付通知已过期", "The payment notification is too old"),
    # commissions
    "balance_insufficient": (
        "可提现余额不足（可提现{available}分）",
        "Not enough withdrawable balance ({available} fen)",
    ),
    "withdrawal_state": (
        "提现申请当前状态为「{status_label}」，不能{action}",
        "The withdrawal is {status_label}; cannot {action}",
    ),
    # fulfilment
    "shipment_not_arrived": (
        "请先确认到货，再发送提货通知",
        "Confirm the goods arrived before sending the pickup notice",
    ),
    "export_not_ready": (
        "文件还在生成中（{progress}%），完成后再下载",
        "The file is still being generated ({progress}%); download it when done",
    ),
    "export_failed": ("生成失败：{reason}", "Generation failed: {reason}"),
}


class ApplicationError(Exception):
    """A business rule said no. Nothing was changed (the service's transaction rolls back)."""

    def __init__(self, code: str, *, field: str | None = None, status: int = 400, message: str | None = None, **params):
        self.code = code
        self.field = field
        self.status = status
        self.params = params
        self._message = message
        super().__init__(f"{code} {field or ''} {params}")

    def message(self, language: str | None = None) -> str:
        if self._message:
            return self._message
        language = language or translation.get_language() or "zh-hans"
        zh, en = MESSAGES.get(self.code, (self.code, self.code))
        template = en if language.startswith("en") else zh
        try:
            return template.format(**self.params)
        except (KeyError, IndexError):
            return template


class NotFound(ApplicationError):
    def __init__(self, thing_zh: str = "对象", thing_en: str = "Object", *, field: str | None = None):
        language = translation.get_language() or "zh-hans"
        super().__init__(
            "not_found", field=field, status=404, thing=thing_en if language.startswith("en") else thing_zh
        )


class PermissionDenied(ApplicationError):
    def __init__(self):
        super().__init__("permission_denied", status=403)
