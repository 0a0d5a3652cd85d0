"""Loads the demo shop through the same services the API uses, so every row is one a real
merchant, leader or member could have produced: a Xiamen fresh-food shop with 22 products,
10 leaders, 200 members and campaigns in every state with orders in every status."""

import random
import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tuangou.accounts.models import User
from tuangou.accounts.services import user_get_or_create_by_phone, user_signup
from tuangou.campaigns import services as campaign_services
from tuangou.campaigns.models import Campaign
from tuangou.catalog import services as catalog_services
from tuangou.catalog.models import Product
from tuangou.commissions import services as commission_services
from tuangou.commissions.models import CommissionEntry
from tuangou.demo.delivery import COURIER, demo_delivery
from tuangou.demo.growth import demo_allotments, demo_growth_setup
from tuangou.demo.incentives import demo_incentives_assess, demo_incentives_plan
from tuangou.demo.market import SUPPLIER_OWNER, demo_market, demo_supplier_shop
from tuangou.demo.open_platform import demo_feedback, demo_open_platform
from tuangou.demo.polls import demo_polls
from tuangou.demo.vouchers import demo_vouchers
from tuangou.fulfilment import services as fulfilment_services
from tuangou.fulfilment.models import Shipment
from tuangou.leaders import services as leader_services
from tuangou.leaders.models import Leader
from tuangou.marketing import selectors as coupon_selectors
from tuangou.marketing import services as coupon_services
from tuangou.orders import services as order_services
from tuangou.orders.models import Order
from tuangou.payments import sandbox
from tuangou.payments.models import SandboxTrade, ShopPaymentSettings
from tuangou.payments.services import payment_notify_receive, payment_open
from tuangou.shops.models import Shop, Staff
from tuangou.shops.services import shop_create

from . import data, pictures

STAFF = [
    ("demo_owner", Staff.Role.OWNER, "林晓燕"),
    ("demo_admin", Staff.Role.ADMIN, "陈志远"),
    ("demo_ops", Staff.Role.OPERATIONS, "黄雅琪"),
    ("demo_warehouse", Staff.Role.WAREHOUSE, "王大海"),
    ("demo_finance", Staff.Role.FINANCE, "李会计"),
    ("demo_support", Staff.Role.SUPPORT, "周小客"),
]
MEMBER_PHONE_BASE = 13700000000


def demo_password() -> str:
    """Generated on first load and kept under var/ (no password lives in the repo)."""
    path = settings.VAR_DIR / "demo_password.txt"
    if not path.exists():
        path.write_text("demo-" + secrets.token_hex(3))
    return path.read_text().strip()


def demo_logins_text() -> str:
    shop = Shop.objects.filter(name=data.SHOP["name"]).first()
    if shop is None:
        return "  (no demo shop loaded: run `make demo`)"
    password = demo_password()
    leader = data.LEADERS[0]
    staff = "\n".join(f"    {username:<15} {role.label}" for username, role, _ in STAFF)
    return (
        f"  Demo shop 「{shop.name}」 (shop id {shop.id})\n"
        f"  Staff logins for /console/ (password for all: {password})\n{staff}\n"
        f"{_supplier_text()}"
        f"  Leaders log in with phone + SMS code: {leader[1]} ({leader[0]}, {leader[2]}) … {data.LEADERS[-1][1]}"
        f" — leader center /h5/s/{shop.id}/leader\n"
        f"  Members log in with phone + SMS code: {MEMBER_PHONE_BASE + 1} … {MEMBER_PHONE_BASE + 200}"
        f" — shop /h5/s/{shop.id}/\n"
        f"  Courier (送货上门) logs in with phone + SMS code: {COURIER[0]} ({COURIER[1]}) — /h5/s/{shop.id}/courier\n"
        "  SMS codes in development: POST /api/auth/sms/send, then read them at /dev/sms (or in the server log)\n"
        "  Platform admin (/admin/): demo_owner has no platform rights; create one with\n"
        "    .venv/bin/python manage.py createsuperuser"
    )


def _supplier_text() -> str:
    supplier = demo_supplier_shop()
    if supplier is None:
        return ""
    return (
        f"  Supplier shop 「{supplier.name}」 (shop id {supplier.id}, 分销市场/我的供货): "
        f"{SUPPLIER_OWNER[0]} (店主, same password)\n"
    )


def _pay(order: Order) -> None:
    """The payer confirms at the sandbox gateway and its signed notify comes back, as over HTTP."""
    # The loader plays the gateway (and runs in one transaction, where no provider is called).
    payment = payment_open(order=order)
    sandbox.gateway_open_trade(payment=payment)
    sandbox.gateway_pay(out_trade_no=payment.out_trade_no)
    trade = SandboxTrade.objects.get(payment=payment)
    body = sandbox.notify_body(trade)
    _, error = payment_notify_receive(provider_name="sandbox", headers=sandbox.sign_notify(body), body=body)
    assert error is None, error
    # Acknowledged: the gateway's queued delivery will find nothing left to send.
    SandboxTrade.objects.filter(pk=trade.pk).update(notified_at=timezone.now())


class DemoLoader:
    def __init__(self, *, seed: int = 20261127, members: int = 200, out=print):
        self.random = random.Random(seed)
        self.member_count = members
        self.out = out
        self.now = timezone.now()

    def run(self) -> Shop:
        password = demo_password()
        owner = user_signup(username=STAFF[0][0], password=password, display_name=STAFF[0][2])
        self.shop = shop_create(owner=owner, **data.SHOP)
        self.owner = owner
        self.owner_staff = Staff.objects.get(shop=self.shop, user=owner)
        for username, role, name in STAFF[1:]:
            user = user_signup(username=username, password=password, display_name=name)
            Staff.objects.create(shop=self.shop, user=user, role=role)
        self.load_catalogue()
        self.load_leaders()
        self.load_coupons()
        self.load_members()
        demo_incentives_plan(shop=self.shop, leaders=self.leaders)
        self.claim_coupons()
        demo_growth_setup(shop=self.shop, owner=self.owner, now=self.now)
        demo_allotments(shop=self.shop, owner=self.owner, members=self.members, random=self.random)
        self.load_campaigns()
        demo_delivery(
            shop=self.shop,
            owner=self.owner,
            members=self.members,
            skus=self.skus,
            rng=self.random,
            pay=_pay,
            now=self.now,
        )
        demo_vouchers(shop=self.shop, owner=self.owner, members=self.members, now=self.now, pay=_pay)
        demo_market(shop=self.shop, owner=self.owner, members=self.members, password=password, pay=_pay, now=self.now)
        demo_polls(
            shop=self.shop,
            owner=self.owner,
            leaders=self.leaders,
            members=self.members,
            random=self.random,
            now=self.now,
        )
        demo_payment_settings_ensure()  # after the orders: the loader itself pays at the sandbox
        demo_incentives_assess(shop=self.shop)
        demo_open_platform(shop=self.shop, owner_staff=self.owner_staff, now=self.now)
        demo_feedback(
            shop=self.shop,
            owner_staff=self.owner_staff,
            leaders=self.leaders,
            products=list(Product.objects.filter(shop=self.shop).order_by("id")[:1]),
        )
        self.out(f"Loaded demo shop 「{self.shop.name}」: {Order.objects.filter(shop=self.shop).count()} orders.")
        return self.shop

    # --- catalogue --------------------------------------------------------------------
    def load_catalogue(self):
        self.skus = {}
        for sort, (category_name, products) in enumerate(data.CATALOGUE.items()):
            category = catalog_services.category_create(shop=self.shop, name=category_name, sort=sort)
            for name, spec, price, cost, stock, unit, description in products:
                product = catalog_services.product_create(
                    shop=self.shop,
                    actor=self.owner,
                    name=name,
                    category_id=category.id,
                    description=description,
                    unit=unit,
                    purchase_limit=5 if price < 1000 else 0,
                    skus=[
                        {
                            "spec": spec,
                            "code": f"SKU{len(self.skus) + 1:03d}",
                            "price_fen": price,
                            "cost_fen": cost,
                            "stock": stock,
                        }
                    ],
                )
                self.skus[name] = product.skus.get()
                catalog_services.product_image_add(
                    shop=self.shop, product_id=product.id, upload=pictures.product_picture(name, category_name)
                )

    # --- leaders ----------------------------------------------------------------------
    def load_leaders(self):
        self.leaders = []
        for name, phone, community, point, address, lat, lng, route, households in data.LEADERS:
            user = user_get_or_create_by_phone(phone=phone, display_name=name)
            application = leader_services.application_submit(
                shop=self.shop,
                user=user,
                name=name,
                phone=phone,
                community=community,
                address=address,
                lat=Decimal(lat),
                lng=Decimal(lng),
                households=households,
                reach="小区业主微信群",
            )
            leader = leader_services.application_approve(
                shop=self.shop,
                actor=self.owner,
                application_id=application.id,
                route=route,
                point_name=point,
            )
            self.leaders.append(leader)
        team = leader_services.team_create(shop=self.shop, name="思明一队")
        leader_services.leader_update(shop=self.shop, actor=self.owner, leader_id=self.leaders[0].id, team_id=team.id)
        leader_services.team_update(shop=self.shop, team_id=team.id, captain_id=self.leaders[0].id)
        for leader in self.leaders[1:4]:
            leader_services.leader_update(shop=self.shop, actor=self.owner, leader_id=leader.id, team_id=team.id)
        region = leader_services.region_create(shop=self.shop, name="思明区", regional_leader_id=self.leaders[3].id)
        for leader in self.leaders[:4]:
            leader_services.leader_update(shop=self.shop, actor=self.owner, leader_id=leader.id, region_id=region.id)
        leader_services.leader_update(
            shop=self.shop, actor=self.owner, leader_id=self.leaders[5].id, commission_rate_bp=1200
        )
        # The review queue: two waiting, one turned down.
        waiting = [
            ("刘芳", "13950000011", "海韵台", "思明区环岛东路1888号", "24.447000", "118.172000", 900),
            ("杨静", "13950000012", "金山小区", "湖里区金山路18号", "24.510000", "118.190000", 1600),
            ("赵敏", "13950000013", "禾祥西社区", "思明区禾祥西路60号", "24.470000", "118.095000", 720),
        ]
        for index, (name, phone, community, address, lat, lng, households) in enumerate(waiting):
            user = user_get_or_create_by_phone(phone=phone, display_name=name)
            application = leader_services.application_submit(
                shop=self.shop,
                user=user,
                name=name,
                phone=phone,
                community=community,
                address=address,
                lat=Decimal(lat),
                lng=Decimal(lng),
                households=households,
                reach="快递代收点",
                referral_code=self.leaders[0].referral_code if index == 0 else "",
            )
            if index == 2:
                leader_services.application_reject(
                    shop=self.shop,
                    actor=self.owner,
                    application_id=application.id,
                    reason="该片区已有相邻自提点，暂不新增",
                )

    # --- coupons ----------------------------------------------------------------------
    def load_coupons(self):
        """A new-member coupon (every demo member gets one on binding) and a 满减 coupon running in
        the coupon centre; some demo orders use them, so the console shows used / GMV / cost."""
        common = {"percent_off_bp": 0, "max_discount_fen": 0, "scope": "all", "scope_ids": []}
        coupon_services.coupon_template_create(
            shop=self.shop,
            actor=self.owner,
            name="新人专享 无门槛减3元",
            kind="no_threshold",
            threshold_fen=0,
            reduce_fen=300,
            validity="days",
            valid_days=14,
            total=10000,
            per_member_limit=1,
            channels=["new_member"],
            **common,
        )
        self.running_coupon = coupon_services.coupon_template_create(
            shop=self.shop,
            actor=self.owner,
            name="满59减8 周末券",
            kind="reduce",
            threshold_fen=5900,
            reduce_fen=800,
            validity="days",
            valid_days=7,
            claim_starts_at=self.now - timedelta(days=1),
            claim_ends_at=self.now + timedelta(days=30),
            total=2000,
            per_member_limit=1,
            channels=["claim", "targeted"],
            **common,
        )

    def claim_coupons(self):
        for user, _ in self.random.sample(self.members, len(self.members) // 3):
            coupon_services.coupon_claim(shop=self.shop, member=user, template_id=self.running_coupon.id)

    def load_members(self):
        self.members = []
        for number in range(1, self.member_count + 1):
            name = self.random.choice(data.SURNAMES) + self.random.choice(data.GIVEN)
            user = user_get_or_create_by_phone(phone=str(MEMBER_PHONE_BASE + number), display_name=name)
            leader = self.leaders[(number - 1) % len(self.leaders)]
            leader_services.membership_bind(shop=self.shop, user=user, leader_id=leader.id)
            self.members.append((user, leader))

    # --- campaigns and orders -----------------------------------------------------------
    def _campaign(
        self,
        title,
        products,
        *,
        description,
        template="fast",
        threshold=("members", 10),
        starts_in=timedelta(minutes=-1),
        cutoff_in=timedelta(days=2),
        pickup_in=timedelta(days=3),
        discount=0.85,
    ) -> Campaign:
        items = []
        for name in products:
            sku = self.skus[name]
            items.append(
                {
                    "sku_id": sku.id,
                    "price_fen": int(sku.price_fen * discount) // 10 * 10,
                    "stock_allotted": min(sku.stock // 2, 120),
                    "purchase_limit": 5,
                }
            )
        campaign = campaign_services.campaign_create(
            shop=self.shop,
            actor=self.owner,
            title=title,
            description=description,
            template=template,
            items=items,
            starts_at=self.now + starts_in,
            cutoff_at=self.now + cutoff_in,
            pickup_at=self.now + pickup_in,
            threshold_type=threshold[0],
            threshold_value=threshold[1],
        )
        return campaign

    def _orders(self, campaign: Campaign, count: int) -> list[Order]:
        items = list(campaign.items.all())
        orders = []
        for user, leader in self.random.sample(self.members, count):
            chosen = self.random.sample(items, k=min(len(items), self.random.choice([1, 1, 2, 3])))
            wanted = [{"campaign_item_id": item.id, "quantity": self.random.choice([1, 1, 1, 2, 3])} for item in chosen]
            # Half of the members use their best coupon, as the checkout picker suggests.
            best = coupon_selectors.coupons_for_cart(shop=self.shop, member=user, campaign_id=campaign.id, items=wanted)
            use = best[0]["coupon"].id if best and best[0]["discount_fen"] and self.random.random() < 0.5 else None
            order = order_services.order_place(
                shop=self.shop,
                member=user,
                campaign_id=campaign.id,
                leader_id=leader.id,
                items=wanted,
                coupon_id=use,
            )
            orders.append(order)
        return orders

    def _time_travel(self, campaign: Campaign, *, starts, cutoff, pickup):
        """Demo only: puts a campaign's dates where a real one would be by now."""
        Campaign.objects.filter(pk=campaign.pk).update(
            starts_at=self.now + starts, cutoff_at=self.now + cutoff, pickup_at=self.now + pickup
        )
        campaign.refresh_from_db()

    def _spread_pickups(self, campaign: Campaign):
        """Demo only: the goods reached each point on the pickup day and members came over the next
        day or two (经营分析's pickup tab shows hours from arrival, which the load made all zero)."""
        for shipment in Shipment.objects.filter(campaign=campaign, arrived_at__isnull=False):
            arrived = campaign.pickup_at.replace(hour=1) + timedelta(minutes=self.random.randint(0, 240))
            Shipment.objects.filter(pk=shipment.pk).update(shipped_at=arrived - timedelta(hours=6), arrived_at=arrived)
            picked = Order.objects.filter(campaign=campaign, pickup_point_id=shipment.pickup_point_id)
            for order_id in picked.filter(picked_up_at__isnull=False).values_list("id", flat=True):
                after = timedelta(minutes=self.random.randint(30, 60 * (12 + 4 * (shipment.pickup_point_id % 7))))
                Order.objects.filter(pk=order_id).update(picked_up_at=min(arrived + after, self.now))

    def _backdate_orders(self, campaign: Campaign, *, start: timedelta, end: timedelta, only_paid: bool = False):
        """Demo only: spread a past campaign's orders over its selling days, so the dashboard and
        the order list look like a shop that has been trading (payment a few minutes later)."""
        span = (end - start).total_seconds()
        orders = Order.objects.filter(campaign=campaign)
        if only_paid:
            orders = orders.filter(paid_at__isnull=False)
        for order in orders.only("id", "paid_at"):
            placed = self.now + start + timedelta(seconds=self.random.uniform(0, span))
            Order.objects.filter(pk=order.pk).update(
                created_at=placed,
                paid_at=placed + timedelta(minutes=self.random.randint(1, 10)) if order.paid_at else None,
            )

    def load_campaigns(self):
        # 1. Last week's fruit & egg campaign: succeeded, shipped, picked up, commission settled.
        done = self._campaign(
            "鲜果鲜蛋周末团",
            ["海南金煌芒", "赣南脐橙", "农家土鸡蛋", "平和红心蜜柚", "阳光玫瑰葡萄"],
            description="产地直发，48小时内到自提点。",
            template="rich",
            threshold=("members", 20),
        )
        campaign_services.campaign_publish(campaign=done, actor=self.owner)
        orders = self._orders(done, 90)
        for order in orders[:84]:
            _pay(order)
        self._time_travel(done, starts=timedelta(days=-6), cutoff=timedelta(seconds=-1), pickup=timedelta(days=-4))
        campaign_services.campaign_close(campaign=done, actor=None)
        campaign_services.campaign_decide(campaign=Campaign.objects.get(pk=done.pk), actor=None)
        done = Campaign.objects.get(pk=done.pk)
        self._time_travel(done, starts=timedelta(days=-6), cutoff=timedelta(days=-5), pickup=timedelta(days=-4))
        self._backdate_orders(done, start=timedelta(days=-6), end=timedelta(days=-5))
        arrived_points = [leader.pickup_point.id for leader in self.leaders[:9]]
        fulfilment_services.shipments_ship(campaign=done, actor=self.owner, pickup_point_ids=arrived_points)
        for leader in self.leaders[:7]:
            fulfilment_services.shipment_confirm_arrival(leader=leader, campaign_id=done.id)
            fulfilment_services.shipment_send_pickup_notice(leader=leader, campaign_id=done.id)
        arrived = list(Order.objects.filter(campaign=done, status=Order.Status.ARRIVED).select_related("leader"))
        for order in arrived[: int(len(arrived) * 0.8)]:
            order_services.order_pickup_verify(
                shop=self.shop, code=order.pickup_code, leader=order.leader, actor=order.leader.user
            )
        # Some picked up long enough ago that the after-sales window closed: completed, commission settled.
        picked = list(Order.objects.filter(campaign=done, status=Order.Status.PICKED_UP).order_by("id"))
        old = [order.id for order in picked[: len(picked) // 2]]
        Order.objects.filter(id__in=old).update(picked_up_at=self.now - timedelta(days=8))
        CommissionEntry.objects.filter(order_id__in=old, kind=CommissionEntry.Kind.ACCRUAL).update(
            settle_after=self.now - timedelta(days=1)
        )
        order_services.orders_complete_due()
        commission_services.commissions_settle_due()
        self._spread_pickups(done)
        refund_full, refund_partial = picked[-1], picked[-2]
        order_services.order_refund(order=refund_full, actor=self.owner, reason="商品破损，全额退款")
        first_line = refund_partial.lines.first()
        order_services.order_refund(
            order=refund_partial, actor=self.owner, reason="少发1件", lines=[{"line_id": first_line.id, "quantity": 1}]
        )
        complaint = picked[-3]
        order_services.after_sale_open(
            order=complaint,
            member=complaint.member,
            reason="芒果有两个压坏了",
            line_id=complaint.lines.first().id,
            quantity=1,
        )
        earner = max(self.leaders, key=lambda leader: commission_services._withdrawable_fen(leader.id))
        withdrawable = commission_services._withdrawable_fen(earner.id)
        if withdrawable >= 100:
            commission_services.withdrawal_request(leader=earner, amount_fen=withdrawable // 2, account="微信零钱")

        # 2. This weekend's bakery & dairy campaign: live, taking orders.
        live = self._campaign(
            "烘焙乳品限时团",
            ["全麦吐司", "手撕面包", "流心蛋黄酥", "鲜牛奶", "原味酸奶", "纯牛奶整箱"],
            description="每日现烤，冷链配送到自提点。",
            threshold=("quantity", 50),
            cutoff_in=timedelta(days=2, hours=5),
            pickup_in=timedelta(days=3),
        )
        campaign_services.campaign_publish(campaign=live, actor=self.owner)
        orders = self._orders(live, 60)
        for order in orders[:45]:
            _pay(order)
        self._backdate_orders(live, start=timedelta(days=-1), end=timedelta(minutes=-30), only_paid=True)
        for order in orders[45:50]:
            order_services.order_cancel(order=order, actor=order.member, reason="买错了")
        # orders[50:] stay pending payment

        # 3. Next week's vegetables: scheduled.
        upcoming = self._campaign(
            "下周时蔬预售",
            ["本地小白菜", "有机西兰花", "云南小土豆", "铁棍山药", "沙地胡萝卜", "普罗旺斯西红柿"],
            description="周一开团，周三截单，周四到点。",
            starts_in=timedelta(days=3),
            cutoff_in=timedelta(days=5),
            pickup_in=timedelta(days=6),
        )
        campaign_services.campaign_publish(campaign=upcoming, actor=self.owner)

        # 4. An imported-fruit campaign that did not reach its threshold: failed, everyone refunded.
        failed = self._campaign(
            "进口水果拼团",
            ["佳沛绿奇异果", "丹东99草莓"],
            description="满200人成团，不成团自动退款。",
            threshold=("members", 200),
        )
        campaign_services.campaign_publish(campaign=failed, actor=self.owner)
        for order in self._orders(failed, 12):
            _pay(order)
        self._time_travel(failed, starts=timedelta(days=-3), cutoff=timedelta(seconds=-1), pickup=timedelta(days=1))
        campaign_services.campaign_close(campaign=failed, actor=None)
        campaign_services.campaign_decide(campaign=Campaign.objects.get(pk=failed.pk), actor=None)
        self._backdate_orders(failed, start=timedelta(days=-3), end=timedelta(days=-1))

        # 5. A draft the merchant is still working on.
        self._campaign(
            "中秋蛋糕预订（草稿）",
            ["六寸芝士蛋糕"],
            description="草稿，尚未发布。",
            starts_in=timedelta(days=7),
            cutoff_in=timedelta(days=9),
            pickup_in=timedelta(days=10),
        )


def demo_payment_settings_ensure() -> None:
    """The demo shop is the first sub-merchant of the simulator's service provider (支付设置), with
    the platform's default provider: `make run` pays through WeChat Pay, PAYMENT_PROVIDER=sandbox
    through the sandbox. Written directly, not through payment_settings_update: that one refuses
    partner mode while the platform is no service provider, which it is only under `make run`.
    Idempotent (`make run` calls it for a demo loaded before shops had payment settings)."""
    shop = Shop.objects.filter(name=data.SHOP["name"]).first()
    if shop is not None:
        ShopPaymentSettings.objects.get_or_create(
            shop=shop,
            defaults={
                "wechatpay_mode": ShopPaymentSettings.WechatpayMode.PARTNER,
                "wechatpay_sub_mchid": data.WECHATPAY_SUB_MCHIDS[0],
            },
        )


def load_demo(out=print) -> Shop | None:
    if settings.PRODUCTION:  # demo logins with known passwords never reach a real deployment
        out("Not loading the demo: TUANGOU_ENV=production.")
        return None
    if Shop.objects.filter(name=data.SHOP["name"]).exists():
        out("Demo shop already loaded.")
        return None
    if User.objects.filter(username=STAFF[0][0]).exists():
        out("A demo_owner user exists without the demo shop; not loading over it.")
        return None
    with transaction.atomic():
        return DemoLoader(out=out).run()


__all__ = ["load_demo", "demo_logins_text", "Leader"]
