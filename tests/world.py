"""A complete shop with one row of every kind, built straight with the ORM (no services), so
tenancy tests can aim one shop's callers at another shop's ids."""

from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from tuangou.accounts.models import User
from tuangou.audit.models import ApprovalRequest
from tuangou.campaigns.models import Campaign, CampaignEvent, CampaignItem, CampaignLeader
from tuangou.catalog.models import Category, Product, ProductImage, Sku, StockMovement
from tuangou.commissions.models import CommissionEntry, IncentiveAward, IncentivePlan, LeaderLevel, Withdrawal
from tuangou.feedback.models import Feedback, FeedbackReply
from tuangou.fulfilment.models import ExportJob, Shipment
from tuangou.integrations.models import ApiKey, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tuangou.leaders.models import Leader, LeaderApplication, Membership, PickupPoint, RecruitmentPlan, Region, Team
from tuangou.market import services as market_services
from tuangou.market.models import DropshipLine, DropshipOrder, MarketSettlement
from tuangou.marketing.models import Coupon, CouponTemplate, FullReduction, PaymentGift
from tuangou.notifications.models import Message
from tuangou.orders.models import AfterSaleRequest, Order, OrderEvent, OrderLine
from tuangou.payments.models import Payment, ReconciliationMismatch, ReconciliationRun, Refund, SandboxTrade
from tuangou.payments.secret_box import encrypt
from tuangou.polls.models import Poll, PollOption, PollVote
from tuangou.shops.models import Shop, Staff
from tuangou.shops.tests.factories import PASSWORD
from tuangou.vouchers.services import store_create as voucher_store_create
from tuangou.warehouses.models import (
    Courier,
    DeliveryRoute,
    MemberAddress,
    OrderDelivery,
    StockTransfer,
    Warehouse,
    WarehouseStock,
)


def build_world(tag: str, phone_base: int) -> dict:
    """Everything a shop has, named with `tag` so a leak shows in any response body."""
    now = timezone.now()
    shop = Shop.objects.create(name=f"{tag}店", city="厦门")
    owner = User.objects.create_user(username=f"{tag.lower()}_owner", password=PASSWORD, display_name=f"{tag}店主")
    Staff.objects.create(shop=shop, user=owner, role=Staff.Role.OWNER)
    leader_user = User.objects.create_user(username=f"p{phone_base}", phone=str(phone_base), display_name=f"{tag}团长")
    member = User.objects.create_user(
        username=f"p{phone_base + 1}", phone=str(phone_base + 1), display_name=f"{tag}团员"
    )
    applicant = User.objects.create_user(
        username=f"p{phone_base + 2}", phone=str(phone_base + 2), display_name=f"{tag}申请人"
    )

    plan = RecruitmentPlan.objects.create(shop=shop, title=f"{tag}招募", benefits="b", requirements="r")
    category = Category.objects.create(shop=shop, name=f"{tag}水果")
    product = Product.objects.create(shop=shop, category=category, name=f"{tag}芒果")
    sku = Sku.objects.create(shop=shop, product=product, spec="5斤", price_fen=5900, cost_fen=3000, stock=100)
    image = ProductImage.objects.create(shop=shop, product=product, image="products/probe.png")
    movement = StockMovement.objects.create(shop=shop, sku=sku, delta=100, stock_after=100, reason="initial")

    application = LeaderApplication.objects.create(
        shop=shop,
        user=applicant,
        name=f"{tag}申请人",
        phone=str(phone_base + 2),
        community=f"{tag}小区二",
        address="地址",
        lat=Decimal("24.440000"),
        lng=Decimal("118.090000"),
        households=800,
    )
    leader = Leader.objects.create(shop=shop, user=leader_user, name=f"{tag}团长", phone=str(phone_base))
    point = PickupPoint.objects.create(
        shop=shop,
        leader=leader,
        name=f"{tag}自提点",
        community=f"{tag}小区",
        address="地址",
        lat=Decimal("24.437600"),
        lng=Decimal("118.096300"),
        route="思明线",
    )
    team = Team.objects.create(shop=shop, name=f"{tag}一队", captain=leader)
    region = Region.objects.create(shop=shop, name=f"{tag}思明区", regional_leader=leader)
    Membership.objects.create(shop=shop, user=member, leader=leader, via_leader=leader)

    campaign = Campaign.objects.create(
        shop=shop,
        title=f"{tag}团购",
        status=Campaign.Status.SUCCEEDED,
        starts_at=now - timedelta(days=2),
        cutoff_at=now - timedelta(days=1),
        pickup_at=now + timedelta(days=1),
        created_by=owner,
    )
    item = CampaignItem.objects.create(
        shop=shop, campaign=campaign, sku=sku, price_fen=4900, stock_allotted=50, stock_left=48
    )
    CampaignLeader.objects.create(shop=shop, campaign=campaign, leader=leader, joined_at=now)
    CampaignEvent.objects.create(shop=shop, campaign=campaign, type="published")

    order = Order.objects.create(
        shop=shop,
        campaign=campaign,
        member=member,
        leader=leader,
        pickup_point=point,
        number=f"{tag}0001",
        status=Order.Status.ARRIVED,
        items_fen=9800,
        total_fen=9800,
        pickup_code=f"{phone_base % 100000000:08d}",
        paid_at=now,
    )
    line = OrderLine.objects.create(
        shop=shop,
        order=order,
        campaign_item=item,
        product_name=product.name,
        spec="5斤",
        unit_price_fen=4900,
        quantity=2,
        amount_fen=9800,
        commission_rate_bp=1000,
    )
    OrderEvent.objects.create(shop=shop, order=order, type="placed", to_status="pending_payment")
    payment = Payment.objects.create(
        shop=shop,
        order=order,
        provider="sandbox",
        out_trade_no=f"{tag}PAY1",
        amount_fen=9800,
        status="succeeded",
        paid_at=now,
    )
    refund = Refund.objects.create(
        shop=shop,
        order=order,
        payment=payment,
        out_refund_no=f"{tag}RF1",
        amount_fen=100,
        reason="r",
        status="succeeded",
    )
    after_sale = AfterSaleRequest.objects.create(shop=shop, order=order, line=line, quantity=1, reason="坏了")
    shipment = Shipment.objects.create(
        shop=shop, campaign=campaign, pickup_point=point, shipped_at=now, shipped_by=owner
    )
    export = ExportJob(
        shop=shop,
        campaign=campaign,
        kind="purchase",
        format="xlsx",
        status=ExportJob.Status.DONE,
        progress=100,
        orders_fingerprint="probe",
        requested_by=owner,
        finished_at=now,
    )
    export.file.save("purchase.xlsx", ContentFile(f"{tag}采购单".encode()))
    CommissionEntry.objects.create(
        shop=shop,
        leader=leader,
        kind="accrual",
        bucket="pending",
        amount_fen=980,
        order=order,
        order_line=line,
        settle_after=now,
    )
    CommissionEntry.objects.create(shop=shop, leader=leader, kind="reward", bucket="withdrawable", amount_fen=50000)
    withdrawal = Withdrawal.objects.create(shop=shop, leader=leader, amount_fen=1000)
    run = ReconciliationRun.objects.create(shop=shop, provider="wechatpay", bill_date=now.date(), status="mismatched")
    mismatch = ReconciliationMismatch.objects.create(
        shop=shop, run=run, kind="amount", subject="payment", out_trade_no=f"{tag}PAY1", bill_amount_fen=9801
    )
    IncentivePlan.objects.create(shop=shop, first_order_reward_fen=3000, tier_target_fen=100000, tier_bonus_rate_bp=200)
    level = LeaderLevel.objects.create(shop=shop, name=f"{tag}金牌", rank=1, commission_rate_bp=1500)
    IncentiveAward.objects.create(
        shop=shop, leader=leader, kind="first_order", key=f"first_order:{leader.id}", amount_fen=3000, reason="首单"
    )
    message = Message.objects.create(shop=shop, user=member, kind="system", title=f"{tag}消息", body="b")
    approval = ApprovalRequest.objects.create(
        shop=shop,
        action="refund",
        permission="orders.refund",
        payload={"order_id": order.id, "reason": "r", "lines": None, "amount_fen": None},
        summary=f"{tag}退款待复核",
        requested_by=leader_user,
    )
    template = CouponTemplate.objects.create(
        shop=shop,
        name=f"{tag}满减券",
        kind="reduce",
        threshold_fen=5000,
        reduce_fen=500,
        validity="days",
        valid_days=7,
        total=10,
        issued=1,
        channels=["claim"],
    )
    coupon = Coupon.objects.create(
        shop=shop,
        template=template,
        member=member,
        channel="claim",
        name=template.name,
        kind="reduce",
        threshold_fen=5000,
        reduce_fen=500,
        valid_from=now,
        valid_until=now + timedelta(days=7),
    )
    payment_gift = PaymentGift.objects.create(
        shop=shop,
        name=f"{tag}支付有礼",
        starts_at=now,
        ends_at=now + timedelta(days=7),
        gifts=[{"template_id": template.id, "count": 1}],
    )
    # Paused: the orders other tests place in this world keep their amounts.
    full_reduction = FullReduction.objects.create(
        shop=shop,
        name=f"{tag}满减送",
        status=FullReduction.Status.PAUSED,
        starts_at=now,
        ends_at=now + timedelta(days=7),
        tiers=[{"threshold_fen": 9900, "reduce_fen": 1000}],
    )
    warehouse = Warehouse.objects.create(
        shop=shop, name=f"{tag}前置仓", address="地址", lat=Decimal("24.440000"), lng=Decimal("118.100000")
    )
    WarehouseStock.objects.create(shop=shop, warehouse=warehouse, sku=sku, quantity=5)
    StockTransfer.objects.create(
        shop=shop,
        warehouse=warehouse,
        direction="to_warehouse",
        lines=[{"sku_id": sku.id, "product_name": product.name, "spec": sku.spec, "quantity": 5}],
        actor=owner,
    )
    address = MemberAddress.objects.create(
        shop=shop,
        member=member,
        recipient_name=f"{tag}收货人",
        recipient_phone=str(phone_base + 1),
        community=f"{tag}小区",
        address="1号楼",
        lat=Decimal("24.437600"),
        lng=Decimal("118.096300"),
        is_default=True,
    )
    courier = Courier.objects.create(shop=shop, user=member, name=f"{tag}配送员")
    route = DeliveryRoute.objects.create(
        shop=shop,
        campaign=campaign,
        warehouse=warehouse,
        delivery_date=(now + timedelta(days=1)).date(),
        slot="09:00-12:00",
        courier=courier,
    )
    OrderDelivery.objects.create(
        shop=shop,
        order=order,
        warehouse=warehouse,
        delivery_date=route.delivery_date,
        slot=route.slot,
        recipient_name=address.recipient_name,
        recipient_phone=address.recipient_phone,
        community=address.community,
        address=address.address,
        lat=address.lat,
        lng=address.lng,
        route=route,
        sequence=1,
    )

    store = voucher_store_create(shop=shop, actor=owner, name=f"{tag}核销门店", pin="2468")

    # The marketplace: the shop offers its SKU and sells a supplier's; a dropship order it ships for
    # the supplier shop (a probe row: written directly, against the world's order) and its ledger row.
    offer = market_services.offer_publish(shop=shop, actor=owner, sku_id=sku.id, supply_price_fen=3000, units=20)
    # Withdrawn: a listed offer is open to every shop by design (tuangou/market/tests cover who may take
    # it); the tenancy probe aims at one that is not.
    market_services.offer_withdraw(shop=shop, actor=owner, offer_id=offer.id)
    source = Shop.objects.create(name=f"{tag}源头", city="南平")
    source_product = Product.objects.create(shop=source, name=f"{tag}土鸡蛋")
    source_sku = Sku.objects.create(shop=source, product=source_product, spec="30枚", price_fen=3990, stock=50)
    source_offer = market_services.offer_publish(
        shop=source, actor=None, sku_id=source_sku.id, supply_price_fen=2000, units=50
    )
    link = market_services.offer_adopt(shop=shop, actor=owner, offer_id=source_offer.id, price_fen=3290, units=5)
    dropship = DropshipOrder.objects.create(
        shop=shop,
        seller=source,
        order=order,
        order_number=order.number,
        destination="pickup",
        point_name=point.name,
        recipient_name=leader.name,
        recipient_phone=leader.phone,
        address=point.address,
    )
    DropshipLine.objects.create(
        shop=shop, dropship=dropship, order_line=line, offer=offer, product_name=product.name, quantity=1,
        supply_price_fen=3000,
    )  # fmt: skip
    settlement = MarketSettlement.objects.create(
        shop=shop, supplier=source, dropship=dropship, order=order, paid_fen=4900, supply_due_fen=3000, margin_fen=1900
    )
    poll = Poll.objects.create(shop=shop, title=f"{tag}群投票", closes_at=now + timedelta(days=3), leader=leader)
    option = PollOption.objects.create(shop=shop, poll=poll, product=product, name=product.name)
    PollOption.objects.create(shop=shop, poll=poll, name=f"{tag}候选")
    PollVote.objects.create(shop=shop, poll=poll, option=option, user=member)

    api_key = ApiKey.objects.create(
        shop=shop, name=f"{tag}ERP", prefix="tk_probe", key_hash=f"{tag}-probe".encode().hex()[:64], created_by=owner
    )
    endpoint = WebhookEndpoint.objects.create(
        shop=shop, url="https://erp.example.com/hooks", events=["order.paid"], secret_encrypted=encrypt("whsec_probe")
    )
    delivery = WebhookDelivery.objects.create(
        shop=shop, endpoint=endpoint, event_id=f"evt_{tag.encode().hex()}", event_type="order.paid", body="{}"
    )
    WebhookAttempt.objects.create(shop=shop, delivery=delivery, number=1, response_status=500)
    feedback = Feedback.objects.create(shop=shop, leader=leader, kind="quality", title=f"{tag}压伤", content="c")
    FeedbackReply.objects.create(shop=shop, feedback=feedback, author=leader_user, body=f"{tag}回复")

    return {
        "shop": shop,
        "owner": owner,
        "leader_user": leader_user,
        "member": member,
        "tag": tag,
        "ids": {
            "shop_id": shop.id,
            "store_id": store.id,
            "offer_id": offer.id,
            "link_id": link.id,
            "dropship_id": dropship.id,
            "settlement_id": settlement.id,
            "plan_id": plan.id,
            "category_id": category.id,
            "product_id": product.id,
            "sku_id": sku.id,
            "image_id": image.id,
            "movement_id": movement.id,
            "application_id": application.id,
            "leader_id": leader.id,
            "point_id": point.id,
            "pickup_point_id": point.id,
            "team_id": team.id,
            "region_id": region.id,
            "campaign_id": campaign.id,
            "item_id": item.id,
            "campaign_item_id": item.id,
            "order_id": order.id,
            "line_id": line.id,
            "payment_id": payment.id,
            "refund_id": refund.id,
            "after_sale_id": after_sale.id,
            "request_id": after_sale.id,
            "shipment_id": shipment.id,
            "export_id": export.id,
            "withdrawal_id": withdrawal.id,
            "run_id": run.id,
            "mismatch_id": mismatch.id,
            "level_id": level.id,
            "message_id": message.id,
            "approval_id": approval.id,
            "template_id": template.id,
            "coupon_id": coupon.id,
            "payment_gift_id": payment_gift.id,
            "full_reduction_id": full_reduction.id,
            "warehouse_id": warehouse.id,
            "address_id": address.id,
            "courier_id": courier.id,
            "route_id": route.id,
            "poll_id": poll.id,
            "option_id": option.id,
            "key_id": api_key.id,
            "endpoint_id": endpoint.id,
            "delivery_id": delivery.id,
            "feedback_id": feedback.id,
            "staff_id": Staff.objects.get(shop=shop, user=owner).id,
            "public_token": plan.public_token,
            "token": plan.public_token,
            "kind": "purchase",
        },
    }


def add_staff(world: dict, role: str) -> Staff:
    """One more staff member of the world's shop with `role`, logging in with PASSWORD."""
    user = User.objects.create_user(
        username=f"{world['tag'].lower()}_{role}_{Staff.objects.filter(shop=world['shop']).count()}",
        password=PASSWORD,
        display_name=f"{world['tag']}{role}",
    )
    return Staff.objects.create(shop=world["shop"], user=user, role=role)


def add_live_order(world: dict, status: str, number: str) -> Order:
    """An order of one piece in a campaign still taking orders (cancel/refund paths need one);
    a paid status comes with its succeeded payment and the campaign's paid counters."""
    now = timezone.now()
    shop, paid = world["shop"], status != Order.Status.PENDING_PAYMENT
    campaign = Campaign.objects.create(
        shop=shop,
        title=f"{world['tag']}进行中{number}",
        status=Campaign.Status.LIVE,
        starts_at=now - timedelta(hours=1),
        cutoff_at=now + timedelta(days=1),
        pickup_at=now + timedelta(days=2),
        created_by=world["owner"],
        paid_orders=int(paid),
        paid_quantity=int(paid),
        paid_amount_fen=4900 if paid else 0,
    )
    sku = Sku.objects.get(pk=world["ids"]["sku_id"])
    item = CampaignItem.objects.create(
        shop=shop, campaign=campaign, sku=sku, price_fen=4900, stock_allotted=10, stock_left=9
    )
    order = Order.objects.create(
        shop=shop,
        campaign=campaign,
        member=world["member"],
        leader_id=world["ids"]["leader_id"],
        pickup_point_id=world["ids"]["point_id"],
        number=f"{world['tag']}{number}",
        status=status,
        items_fen=4900,
        total_fen=4900,
        pickup_code=f"9{number}"[-8:].rjust(8, "7"),
        paid_at=now if paid else None,
        expires_at=None if paid else now + timedelta(minutes=15),
    )
    OrderLine.objects.create(
        shop=shop,
        order=order,
        campaign_item=item,
        product_name=f"{world['tag']}芒果",
        spec="5斤",
        unit_price_fen=4900,
        quantity=1,
        amount_fen=4900,
        commission_rate_bp=1000,
    )
    if paid:
        payment = Payment.objects.create(
            shop=shop,
            order=order,
            provider="sandbox",
            out_trade_no=f"{world['tag']}PAY{number}",
            amount_fen=4900,
            status="succeeded",
            paid_at=now,
        )
        add_paid_trade(payment)
    return order


def add_paid_trade(payment: Payment, refunded_fen: int = 0) -> SandboxTrade:
    """The sandbox gateway's side of a succeeded payment, so refunds through it go through."""
    return SandboxTrade.objects.create(
        shop_id=payment.shop_id,
        payment=payment,
        out_trade_no=payment.out_trade_no,
        amount_fen=payment.amount_fen,
        state=SandboxTrade.State.SUCCESS,
        transaction_id=f"SBX{payment.out_trade_no}",
        paid_at=payment.paid_at,
        refunded_fen=refunded_fen,
    )
