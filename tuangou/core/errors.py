"""One error type for business rules, and the message catalogue in both languages.

Services raise ApplicationError(code, field=..., **params); the API renders
{"code", "message", "field"} with the message in the request's language (tuangou.core.i18n).
Parameters are codes or values, never words of one language: an `action` is a key of ACTIONS, a
`reason` may be a key of REASONS, and the field's label comes from FIELD_LABELS (by the last part of
`field`, so items.0.price_fen is labelled 价格 / Price). All are translated when the message is written.
"""

from django.utils import translation

from .i18n import ENGLISH, bilingual, current_language, normalize

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
    "json_invalid": ("请求体必须是有效的 JSON 对象", "The body must be a valid JSON object"),
    "body_too_large": ("请求内容太大（最多{max_mb}MB）", "The request body is too large (at most {max_mb} MB)"),
    "service_unavailable": (
        "系统正忙，请{seconds}秒后重试",
        "The service is briefly unavailable; please try again in {seconds} seconds",
    ),
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
    "wechat_not_configured": ("本店暂未开通微信登录", "WeChat login is not set up"),
    "wechat_state_invalid": (
        "微信登录链接无效或已过期，请重新登录",
        "The WeChat login link is invalid or expired; log in again",
    ),
    "wechat_code_invalid": ("微信授权已失效，请重新登录", "The WeChat authorisation expired or was used; log in again"),
    "wechat_unavailable": ("微信服务暂时不可用，请稍后再试", "WeChat is unavailable right now; try again later"),
    "wechat_url_invalid": ("页面地址不正确", "Not a page address of this site"),
    "wxacode_not_configured": ("本店暂未开通微信小程序", "The WeChat mini-program is not set up"),
    "wechat_login_required": (
        "请先用微信登录，再在微信内支付",
        "Log in with WeChat first to pay inside WeChat",
    ),
    "payment_channel_unavailable": (
        "本店暂不支持该支付方式",
        "This shop cannot take payment this way",
    ),
    "sms_too_many_attempts": ("验证码错误次数过多，请重新获取", "Too many wrong codes; request a new one"),
    "sms_daily_limit": (
        "今日验证码错误次数过多，请24小时后再试",
        "Too many wrong codes for this phone today; try again in 24 hours",
    ),
    "sms_vendor_refused": (
        "短信发送失败（{vendor_code}），请稍后再试或联系客服",
        "The SMS could not be sent ({vendor_code}); try again later or contact support",
    ),
    "sms_vendor_limited": (
        "该手机号今日接收短信过多，请稍后再试",
        "This phone has received too many messages; try again later",
    ),
    "sms_vendor_unavailable": ("短信服务暂时不可用，请稍后再试", "The SMS service is unavailable; try again shortly"),
    "captcha_required": ("请输入图形验证码", "Enter the characters in the picture"),
    "captcha_invalid": ("图形验证码错误或已过期，请重新输入", "Wrong or expired picture code; try the new one"),
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
    "stock_too_large": ("库存超出上限（最多{maximum}件）", "Stock would exceed the limit ({maximum} pieces)"),
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
    # polls
    "poll_closed": ("投票已结束", "The poll has closed"),
    "poll_options_too_few": ("至少需要两个候选", "A poll needs at least two candidates"),
    "poll_option_invalid": ("不是本投票的候选", "Not a candidate of this poll"),
    "poll_no_winners": ("还没有得票的候选", "No candidate has votes yet"),
    "poll_no_products": (
        "胜出的候选中没有可上架的商品（需为在售且有库存的商品）",
        "None of the winners is a product on the shelf with stock",
    ),
    "poll_already_converted": ("该投票已生成团购", "This poll already became a campaign"),
    "member_no_leader": ("请先选择你的团长", "Choose your leader first"),
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
    "cutoff_extend_with_reason": (
        "进行中的团购请用「延长截单」修改截单和提货时间，并填写原因",
        "A live campaign's cut-off and pickup change through Extend cut-off, with a reason",
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
    "deal_new_members_only": (
        "该商品为新人专享，仅限在本店未下过单的新会员购买",
        "This deal is for new members only (no paid order in this shop yet)",
    ),
    "deal_limit_exceeded": (
        "该引流商品每人限购{limit}件，您已购{bought}件",
        "This deal sells {limit} per member; you have {bought}",
    ),
    "voucher_code_invalid": ("券码无效", "Unknown voucher code"),
    "voucher_void": ("该券码已退款或订单已取消", "This voucher was refunded or its order cancelled"),
    "voucher_used_up": ("该券码已用完", "This voucher is used up"),
    "voucher_not_yet_valid": ("该券码尚未到使用日期", "This voucher is not valid yet"),
    "voucher_expired": ("该券码已过期", "This voucher has expired"),
    "voucher_uses_too_many": ("该券码仅剩{left}次可用", "Only {left} uses are left on this voucher"),
    "voucher_refund_used": (
        "「{product}」已核销的份数不能退款，最多可退{maximum}份",
        "Redeemed units of {product} cannot be refunded; at most {maximum} can",
    ),
    "store_name_taken": ("已有名为「{name}」的核销门店", "A partner store named {name} exists"),
    "store_pin_invalid": ("核销链接或PIN码错误", "Wrong redeem link or PIN"),
    "topup_callback_invalid": ("充值回调签名无效", "The top-up callback's signature is invalid"),
    "order_state": ("订单当前状态为「{status_label}」，不能{action}", "The order is {status_label}; cannot {action}"),
    # home delivery (tuangou/warehouses)
    "delivery_slots_required": ("送货上门需要至少一个配送时段", "Home delivery needs at least one delivery slot"),
    "delivery_slot_invalid": ("配送时段的开始须早于结束", "A delivery slot must start before it ends"),
    "delivery_slot_duplicate": ("配送时段重复", "This delivery slot is listed twice"),
    "delivery_required": ("本团购仅支持送货上门，请选择收货地址", "This campaign only delivers: choose an address"),
    "delivery_not_offered": ("本团购不支持送货上门", "This campaign does not offer home delivery"),
    "delivery_slot_unknown": ("请选择本团购提供的配送时段", "Choose one of the campaign's delivery slots"),
    "delivery_not_covered": (
        "该地址不在任何前置仓的配送范围内，请选择自提",
        "No front warehouse delivers to this address; choose self-pickup",
    ),
    "delivery_out_of_stock": (
        "附近前置仓库存不足，暂时无法送货上门",
        "The warehouses near this address do not have these goods; choose self-pickup",
    ),
    "address_location_required": (
        "请定位收货地址（或先选择团长）",
        "Locate the address (or choose a leader first)",
    ),
    "address_too_many": ("最多保存{maximum}个地址", "At most {maximum} addresses can be saved"),
    "warehouse_name_taken": ("前置仓「{name}」已存在", "The warehouse {name} already exists"),
    "delivery_started": (
        "已有订单送达，线路不能重新规划",
        "Deliveries have started: the routes can no longer be re-planned",
    ),
    "courier_not_active": ("该配送员已停用", "This courier is disabled"),
    "delivery_code_invalid": ("该码不属于本线路的订单", "This code is not an order on this route"),
    "delivery_already_confirmed": ("该订单已确认送达", "This order was already confirmed delivered"),
    "pickup_code_invalid": ("提货码无效", "Unknown pickup code"),
    "pickup_code_other_point": ("该提货码不属于您的自提点", "This pickup code belongs to another pickup point"),
    "refund_too_much": (
        "退款金额超过可退金额（最多{maximum}）",
        "Refund exceeds the refundable amount (at most {maximum})",
    ),
    "idempotency_conflict": ("相同的幂等键已用于不同的请求", "The idempotency key was used for a different request"),
    "order_items_empty": ("请至少选择一件商品", "Choose at least one item"),
    "quantity_invalid": ("购买数量至少为1件", "The quantity must be at least 1"),
    "amount_too_large": ("金额超出上限（单笔订单最多{maximum}）", "The amount is over the limit ({maximum} per order)"),
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
    "provider_refused": ("支付渠道拒绝了请求：{reason}", "The payment provider refused the request: {reason}"),
    "provider_unavailable": (
        "支付渠道暂时无法连接，请稍后再试",
        "The payment provider is unreachable; try again shortly",
    ),
    "payment_unconfigured": ("本店尚未开通微信支付", "This shop has no WeChat Pay merchant yet"),
    "alipay_unconfigured": ("本店尚未开通支付宝支付", "This shop has no Alipay app yet"),
    "wechatpay_partner_unavailable": (
        "平台未开通微信支付服务商模式，请选择直连商户并填写商户号与密钥",
        "The platform is not a WeChat Pay service provider; choose direct merchant and enter your own keys",
    ),
    "payment_secret_unreadable": (
        "支付密钥无法解密（平台密钥已更换），请重新填写支付设置",
        "The payment secrets cannot be decrypted (the platform key changed); enter them again",
    ),
    # 测试连接 (payments/connection_check.py); {gateway} 微信支付 / 支付宝
    "gateway_ok": ("{gateway}：连接正常，签名与验签均通过", "{gateway}: connected; signing and verification work"),
    "gateway_unconfigured": ("{gateway}：尚未填写完整的商户信息", "{gateway}: the merchant details are incomplete"),
    "gateway_unreachable": (
        "{gateway}：无法连接网关（{reason}）",
        "{gateway}: the gateway cannot be reached ({reason})",
    ),
    "gateway_error": (
        "{gateway}：网关暂时出错（{reason}），请稍后再试",
        "{gateway}: the gateway failed ({reason}); try later",
    ),
    "gateway_signature_refused": (
        "{gateway}：网关拒绝了我们的签名（{reason}），请检查商户号/AppID、证书序列号与私钥是否匹配",
        "{gateway}: the gateway refused our signature ({reason}); check the merchant id / app id, serial and private key",
    ),
    "gateway_answer_unverified": (
        "{gateway}：网关应答的签名无法用已填写的平台公钥验证，请重新下载平台证书/公钥",
        "{gateway}: the gateway's answer does not verify with the public key entered; download it again",
    ),
    "gateway_apiv3_key_wrong": (
        "{gateway}：APIv3 密钥不对（平台证书无法解密，支付通知也将无法解密），请核对商户平台上设置的 APIv3 密钥",
        "{gateway}: the APIv3 key is wrong (the platform certificates, like every notify, do not decrypt)",
    ),
    "gateway_refused": (
        "{gateway}：网关拒绝了请求（{reason}）",
        "{gateway}: the gateway refused the request ({reason})",
    ),
    "gateway_key_unreadable": (
        "{gateway}：私钥无法读取，请重新填写",
        "{gateway}: the private key cannot be read; enter it again",
    ),
    "reconciliation_unsupported": ("该支付渠道不提供对账单", "This payment provider offers no bill to reconcile"),
    "mismatch_resolved": ("该对账差异已处理", "This mismatch is resolved already"),
    "bill_date_invalid": (
        "账单日期须是今天以前、三个月以内的一天",
        "The bill date must be a day before today, within three months",
    ),
    # commissions
    "transfer_amount_too_large": (
        "微信转账单笔不能超过{maximum}（更大金额需收款人实名，请改为线下打款）",
        "A WeChat transfer is at most {maximum} (larger ones need the payee's real name); pay it by hand",
    ),
    "leader_openid_missing": (
        "该团长还没有在微信内登录过，无法通过微信转账打款（请让团长在微信中打开本店登录一次）",
        "This leader has never logged in inside WeChat, so no WeChat transfer can reach them",
    ),
    "balance_insufficient": (
        "可提现余额不足（可提现{available}）",
        "Not enough withdrawable balance ({available})",
    ),
    "balance_offset_pending": (
        "有{owed}待抵扣（退款冲回了已结算的佣金），抵扣完成前暂不能提现",
        "{owed} is owed (a refund took back settled commission); withdrawals wait until it is covered",
    ),
    "withdrawal_state": (
        "提现申请当前状态为「{status_label}」，不能{action}",
        "The withdrawal is {status_label}; cannot {action}",
    ),
    # leader incentives (团长激励)
    "level_rank_taken": ("已有级别为{rank}的团长等级", "A leader level of rank {rank} already exists"),
    "level_limit": ("团长等级最多{maximum}个", "At most {maximum} leader levels"),
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
    # audit: second approval
    "approval_required": ("{summary}需要另一位员工复核", "{summary} needs a second approval"),
    "approval_pending": (
        "{summary}：已提交复核（#{approval_id}），等待另一位有权限的员工在「待审批」中通过",
        "{summary}: sent for a second approval (#{approval_id}); another staff member must approve it",
    ),
    "approval_decided": ("该审批已处理（{status_label}）", "This request was already decided ({status_label})"),
    "approval_own_request": ("不能审批自己提交的申请", "You cannot approve your own request"),
    "approval_unknown_action": ("无法执行该操作", "This action cannot be carried out"),
    # marketing
    "coupon_unavailable": (
        "该优惠券不可用（已使用、已被其他订单占用或不在有效期内）",
        "This coupon cannot be used (used, held by another order, or outside its validity)",
    ),
    "coupon_not_applicable": (
        "订单中适用商品未满{threshold}，不能使用该优惠券",
        "The coupon's products in this order do not reach {threshold}",
    ),
    "coupon_out_of_stock": ("优惠券已领完（剩余{left}张）", "Not enough coupons left ({left})"),
    "coupon_limit_reached": ("每人限领{limit}张，您已领满", "At most {limit} per member; you have them all"),
    "coupon_paused": ("该优惠券已暂停发放", "This coupon is paused"),
    "coupon_claim_closed": ("不在领取时间内", "Not open for claiming now"),
    "coupon_channel_closed": ("该优惠券不能通过此渠道发放", "This coupon cannot be issued this way"),
    "coupon_reduce_too_large": (
        "减免金额须小于门槛{threshold}",
        "The amount off must be below the threshold of {threshold}",
    ),
    # 发券宝
    "allotment_exhausted": ("团长的这张券已发完", "This leader has handed out all of this coupon"),
    "allotment_below_claimed": (
        "分配张数不能少于已领取的{claimed}张",
        "The quantity cannot be below the {claimed} already claimed",
    ),
    # open platform (tuangou.integrations)
    "api_key_invalid": ("API 密钥无效或已吊销", "The API key is invalid or revoked"),
    "api_key_read_only": (
        "API 密钥只能读取本店后台数据（GET /api/console/shops/{shop_id}/…）",
        "An API key only reads its shop's console data (GET /api/console/shops/{shop_id}/…)",
    ),
    "api_key_scope": (
        "此 API 密钥的权限范围（{scopes}）不包括该操作",
        "This API key's scopes ({scopes}) do not cover this operation",
    ),
    "api_key_revoked": ("该 API 密钥已吊销", "This API key is already revoked"),
    "webhook_url_invalid": ("Webhook 地址须是 http(s) 网址", "The webhook URL must be an http(s) address"),
    "webhook_url_private": (
        "Webhook 地址不能指向内网、本机或保留地址（{host}）",
        "The webhook URL cannot point to a private, loopback or reserved address ({host})",
    ),
    "webhook_secret_unreadable": (
        "无法解密该 Webhook 的签名密钥，请删除后重新添加",
        "This webhook's signing secret cannot be decrypted; delete it and add it again",
    ),
    "webhook_events_unknown": ("未知的事件：{events}", "Unknown events: {events}"),
    "webhook_endpoints_too_many": ("每个店铺最多{maximum}个 Webhook", "A shop has at most {maximum} webhooks"),
    # leader feedback (tuangou.feedback)
    "feedback_photos_too_many": ("每条反馈最多{maximum}张图片", "At most {maximum} photos per feedback"),
    "feedback_resolved": ("该反馈已解决，不能再修改", "This feedback is resolved and cannot change"),
    # the supply marketplace (tuangou.market)
    "market_offer_physical_only": ("只有实物商品可以供货", "Only physical goods can be offered"),
    "market_price_below_supply": (
        "售价不能低于供货价",
        "The price cannot be below the supply price",
    ),
    "market_below_min_order": ("起订量为{minimum}件", "Take at least {minimum} units"),
    "market_units_short": ("供货数量不足（可供{available}件）", "Not enough units offered ({available} left)"),
    "market_offer_adopted": ("本店已采购该供货商品", "This shop already sells this offer"),
    "market_return_too_many": ("最多可退回{maximum}件", "At most {maximum} units can go back"),
    "market_supplier_stock_full": (
        "供货商库存已达上限（最多{maximum}件），暂不能退回",
        "The supplier's stock is at its limit ({maximum} pieces): units cannot go back now",
    ),
    "market_tracking_invalid": (
        "运单号应为6到30位字母、数字或-",
        "A tracking number is 6 to 30 letters, digits or dashes",
    ),
    "market_settlement_not_due": ("只能结算“可结算”的记录", "Only due rows can be settled"),
    "market_offer_resale": (
        "分销采购的商品不能再次供货（货在供货商处）",
        "Goods taken from a supplier cannot be offered again (the supplier holds them)",
    ),
    "market_offer_withdrawn": (
        "该供货商品已下架或供货店铺已停用，不能再采购",
        "The offer was withdrawn or its supplier suspended: no more units",
    ),
    "market_kind_locked": (
        "分销市场中的商品只能是实物（由供货商发货）",
        "A marketplace product stays goods (its supplier ships it)",
    ),
    "market_stock_managed": (
        "分销商品的库存只能向供货商采购或退回",
        "A marketplace item's stock only comes from, and goes back to, its supplier",
    ),
    "dropshiporder_state": (
        "代发订单当前状态为「{status_label}」，不能{action}",
        "The dropship order is {status_label}; cannot {action}",
    ),
}


# The `action` of the *_state errors ("the order is Paid; cannot cancel").
ACTIONS: dict[str, tuple[str, str]] = {
    # orders
    "pay": ("支付", "pay"),
    "cancel": ("取消", "cancel"),
    "confirm": ("确认", "confirm"),
    "ship": ("发货", "ship"),
    "arrive": ("确认到货", "mark as arrived"),
    "pick_up": ("核销提货", "verify the pickup"),
    "complete": ("完成", "complete"),
    "refund": ("退款", "refund"),
    "after_sale": ("申请售后", "request after-sales"),
    # campaigns
    "edit": ("修改", "edit"),
    "publish": ("发布", "publish"),
    "start": ("开始", "start"),
    "close": ("截单", "close"),
    "extend_cutoff": ("延长截单", "extend the cut-off"),
    "decide": ("判定成团", "decide whether it reached its threshold"),
    "succeed": ("判定成团", "decide whether it reached its threshold"),
    "fail": ("判定成团", "decide whether it reached its threshold"),
    "join": ("参团", "join"),
    # fulfilment
    "make_sheets": ("生成采购/发货/分拣单", "make the purchase, shipping and sorting sheets"),
    # leaders
    "suspend": ("暂停", "suspend"),
    "reactivate": ("恢复", "reactivate"),
    "clear": ("清退", "clear out"),
    # withdrawals
    "approve": ("批准", "approve"),
    "reject": ("拒绝", "reject"),
    "mark_paid": ("标记已打款", "mark as paid"),
    "transfer": ("微信转账打款", "pay by WeChat transfer"),
    "transfer_succeed": ("确认转账成功", "complete the transfer"),
    "transfer_fail": ("确认转账失败", "fail the transfer"),
}

# What a field is called, by the last part of its name (items.0.price_fen -> price_fen).
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "name": ("名称", "Name"),
    "title": ("标题", "Title"),
    "closes_at": ("截止时间", "Closing time"),
    "options": ("候选", "Candidates"),
    "option_id": ("候选", "Candidate"),
    "price_fen": ("价格", "Price"),
    "purchase_limit": ("限购数量", "Purchase limit"),
    "image_ids": ("图片顺序", "Image order"),
    "reason": ("原因", "Reason"),
    "delta": ("变动数量", "Change"),
    "amount_fen": ("金额", "Amount"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "threshold_value": ("成团目标", "Threshold"),
    "threshold_type": ("成团方式", "Threshold type"),
    "starts_at": ("开始时间", "Start"),
    "cutoff_at": ("截单时间", "Cut-off"),
    "delivery": ("送货上门", "Home delivery"),
    "delivery_slots": ("配送时段", "Delivery slots"),
    "slot": ("配送时段", "Delivery slot"),
    "address_id": ("收货地址", "Address"),
    "recipient_name": ("收货人", "Recipient"),
    "recipient_phone": ("收货人电话", "Recipient phone"),
    "communities": ("覆盖小区", "Communities"),
    "radius_m": ("配送半径", "Radius"),
    "courier_id": ("配送员", "Courier"),
    "pickup_at": ("提货时间", "Pickup time"),
    "items": ("团购商品", "Campaign items"),
    "stock_allotted": ("团购库存", "Campaign stock"),
    "commission_rate_bp": ("佣金比例", "Commission rate"),
    "first_order_count": ("首单奖励单数", "First orders rewarded"),
    "rank": ("等级级别", "Level rank"),
    "benefits": ("团长权益", "Leader benefits"),
    "requirements": ("申请条件", "Requirements"),
    "application_ids": ("申请", "Applications"),
    "address": ("地址", "Address"),
    "date_to": ("结束日期", "End date"),
    "action": ("操作", "Action"),
    "category_name": ("分类名称", "Category name"),
    "product_name": ("商品名称", "Product name"),
    "withdrawal_amount": ("提现金额", "Withdrawal amount"),
    "reject_reason": ("拒绝原因", "Reason for rejecting"),
    "resolution_note": ("处理说明", "Resolution note"),
    "shop_name": ("店铺名称", "Shop name"),
    "initial_password": ("初始密码", "Initial password"),
    "campaign_title": ("团购标题", "Campaign title"),
    "person_name": ("姓名", "Name"),
    "community": ("小区名称", "Community"),
    "pickup_point_name": ("自提点名称", "Pickup point name"),
    "team_name": ("团队名称", "Team name"),
    "region_name": ("区域名称", "Region name"),
    "default_commission_rate_bp": ("默认佣金比例", "Default commission rate"),
    "pickup_notice_text": ("提货通知文案", "Pickup notice text"),
    "phone": ("手机号", "Phone"),
    "code": ("验证码", "Code"),
    "captcha": ("图形验证码", "Picture code"),
    "body": ("请求内容", "Request body"),
    "quantity": ("数量", "Quantity"),
    "stock": ("库存", "Stock"),
    "cost_fen": ("成本价", "Cost"),
    "spec": ("规格", "Spec"),
    "description": ("描述", "Description"),
    "contact_name": ("联系人", "Contact"),
    "contact_phone": ("联系电话", "Contact phone"),
    "note": ("备注", "Note"),
    "page": ("页码", "Page"),
    "lat": ("纬度", "Latitude"),
    "lng": ("经度", "Longitude"),
    "households": ("小区户数", "Households"),
    "provider": ("支付渠道", "Payment provider"),
    "wechatpay_mode": ("微信支付接入方式", "WeChat Pay mode"),
    "wechatpay_sub_mchid": ("子商户号", "Sub-merchant id"),
    "wechatpay_sub_appid": ("子商户 AppID", "Sub-merchant app id"),
    "wechatpay_mchid": ("微信支付商户号", "WeChat Pay merchant id"),
    "wechatpay_appid": ("AppID", "App id"),
    "wechatpay_merchant_serial": ("商户证书序列号", "Merchant certificate serial"),
    "wechatpay_private_key": ("商户 API 私钥", "Merchant API private key"),
    "wechatpay_apiv3_key": ("APIv3 密钥", "APIv3 key"),
    "wechatpay_platform_keys": ("微信支付平台证书/公钥", "WeChat Pay platform keys"),
    "id": ("编号", "Id"),
    "pem": ("公钥内容", "Public key"),
    "alipay_app_id": ("支付宝 AppID", "Alipay app id"),
    "alipay_seller_id": ("支付宝 PID", "Alipay partner id"),
    "alipay_private_key": ("应用私钥", "App private key"),
    "alipay_public_key": ("支付宝公钥", "Alipay public key"),
    "template_ids": ("订阅消息模板", "Subscribe message templates"),
    "coupon_id": ("优惠券", "Coupon"),
    "template_id": ("优惠券", "Coupon"),
    "threshold_fen": ("使用门槛", "Threshold"),
    "reduce_fen": ("减免金额", "Amount off"),
    "percent_off_bp": ("折扣", "Percent off"),
    "max_discount_fen": ("最多优惠", "Maximum discount"),
    "scope_ids": ("适用商品/分类", "Products or categories"),
    "valid_from": ("生效时间", "Valid from"),
    "valid_until": ("失效时间", "Valid until"),
    "valid_days": ("有效天数", "Days valid"),
    "claim_ends_at": ("结束领取时间", "Claiming ends"),
    "channels": ("发放渠道", "Channels"),
    "total": ("发行量", "Quantity issued"),
    "per_member_limit": ("每人限领", "Limit per member"),
    "leader_id": ("团长", "Leader"),
    "leader_ids": ("团长", "Leaders"),
    "allotment_id": ("团长发券", "Leader coupon"),
    "face_value_fen": ("充值面额", "Face value"),
    "uses": ("核销次数", "Uses"),
    "pin": ("PIN码", "PIN"),
    "sku_id": ("商品规格", "SKU"),
    "offer_id": ("供货商品", "Offer"),
    "supply_price_fen": ("供货价", "Supply price"),
    "retail_price_fen": ("建议零售价", "Suggested retail price"),
    "min_order": ("起订量", "Minimum order"),
    "units": ("数量", "Units"),
    "carrier": ("快递公司", "Carrier"),
    "tracking_no": ("运单号", "Tracking number"),
    "settlement_ids": ("结算记录", "Settlements"),
}

# Reasons a value is refused; {params} come from the error's own parameters.
REASONS: dict[str, tuple[str, str]] = {
    "at_least_1": ("至少为1", "must be at least 1"),
    "receipt_push_invalid": ("不是有效的短信回执", "not a valid SMS receipt push"),
    "subscribe_template_unknown": ("不是本公众号的订阅消息模板", "not a subscribe template of this WeChat app"),
    "not_negative": ("不能小于0", "cannot be below 0"),
    "not_zero": ("不能为0", "cannot be 0"),
    "positive": ("必须大于0", "must be greater than 0"),
    "too_short_3": ("至少3个字符", "must have at least 3 characters"),
    "between": ("应在{low}到{high}之间", "must be between {low} and {high}"),
    "one_of": ("可选值为：{choices}", "must be one of: {choices}"),
    "at_most_50_percent": ("不能超过50%", "cannot exceed 50%"),
    "needs_code_placeholder": ("需包含 {{code}}（提货码）", "must contain {{code}} (the pickup code)"),
    "every_image_once": ("必须列出该商品的全部图片，且每张一次", "must list every image of the product once"),
    "at_most_per_request": ("一次最多{maximum}条", "at most {maximum} at a time"),
    "not_before_start": ("不能早于开始日期", "cannot be before the start date"),
    "pin_digits": ("应为4到8位数字", "must be 4 to 8 digits"),
    "already_staff": ("该用户已是本店员工", "This person is already staff of the shop"),
    "phone_registered": ("该手机号已注册，请直接登录", "This phone number is registered; log in instead"),
    "order_number_failed": ("订单号生成失败，请重试", "Could not number the order; try again"),
    "mchid_format": ("应为8到12位数字", "must be 8 to 12 digits"),
    "wx_appid_format": ("应为 wx 开头的18位 AppID", "must be an 18-character app id starting with wx"),
    "serial_format": ("应为十六进制的证书序列号", "must be a hexadecimal certificate serial"),
    "key_id_format": (
        "应为平台证书序列号或 PUB_KEY_ID_ 开头的公钥ID",
        "must be a certificate serial or a PUB_KEY_ID_ public key id",
    ),
    "apiv3_key_format": ("应为32个字符（字母、数字或符号）", "must be 32 characters (letters, digits or symbols)"),
    "pem_private_key": ("不是有效的 RSA 私钥（PEM 格式）", "is not a valid RSA private key (PEM)"),
    "pem_public_key": ("不是有效的 RSA 公钥或证书（PEM 格式）", "is not a valid RSA public key or certificate (PEM)"),
    "rsa_2048": ("应为 2048 位及以上的 RSA 密钥", "must be an RSA key of at least 2048 bits"),
    "alipay_app_id_format": ("应为16位数字", "must be 16 digits"),
    "alipay_pid_format": ("应为2088开头的16位数字", "must be 16 digits starting with 2088"),
    "not_in_shop": ("包含本店不存在的项", "names something that is not in this shop"),
    "after_start": ("须晚于开始时间", "must be after the start"),
    "in_future": ("须晚于现在", "must be in the future"),
    "at_most": ("最多{maximum}项", "takes at most {maximum} entries"),
}


def field_label(field: str | None, language: str | None = None) -> str | None:
    """What a field is called for people (用户名 / Username), by the last part of its name; the
    name itself when the catalogue does not know it, None for no field."""
    if not field:
        return None
    label = FIELD_LABELS.get(field.rsplit(".", 1)[-1])
    return _text(label, normalize(language) if language else current_language()) if label else field


def _text(pair: tuple[str, str], language: str) -> str:
    return pair[1] if language == ENGLISH else pair[0]


def _format(template: str, params: dict) -> str:
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


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
        """The message in `language` (default: the request's), with every code parameter translated."""
        if self._message:
            return self._message
        language = normalize(language) if language else current_language()
        # Lazy labels among the parameters (a status label) resolve in the same language.
        with translation.override(language):
            params = {key: str(value) if value is not None else "" for key, value in self.params.items()}
            if "action" in params and params["action"] in ACTIONS:
                params["action"] = _text(ACTIONS[params["action"]], language)
            if "reason" in params and params["reason"] in REASONS:
                params["reason"] = _format(_text(REASONS[params["reason"]], language), params)
            if "field_label" not in params and self.field:
                params["field_label"] = field_label(self.field, language)
            elif params.get("field_label") in FIELD_LABELS:
                params["field_label"] = _text(FIELD_LABELS[params["field_label"]], language)
            return _format(_text(MESSAGES.get(self.code, (self.code, self.code)), language), params)


class NotFound(ApplicationError):
    def __init__(self, thing_zh: str = "对象", thing_en: str = "Object", *, field: str | None = None):
        super().__init__("not_found", field=field, status=404, thing=bilingual(thing_zh, thing_en))


class PermissionDenied(ApplicationError):
    def __init__(self):
        super().__init__("permission_denied", status=403)
