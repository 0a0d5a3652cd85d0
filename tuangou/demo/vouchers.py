"""The demo's service goods: a car-wash card of 3 uses sold in a live campaign, one code redeemed
once at a partner store; a 0.01元 new-member deal bought by members who had not paid before (the
dashboard's acquisition card counts them)."""

from datetime import timedelta

from tuangou.campaigns import services as campaign_services
from tuangou.catalog import services as catalog_services
from tuangou.orders import services as order_services
from tuangou.orders.models import Order
from tuangou.vouchers import services as voucher_services
from tuangou.vouchers.models import VoucherCode

from .pictures import product_picture

STORE_PIN = "2468"  # the demo store's redeem PIN (printed by `make demo`)


def demo_vouchers(*, shop, owner, members, now, pay) -> None:
    wash = catalog_services.product_create(
        shop=shop,
        actor=owner,
        name="社区洗车3次卡",
        description="小区门口洗车行，凭券码到店洗车，每次核销1次，90天内有效。",
        unit="张",
        kind="service",
        uses_per_unit=3,
        valid_days=90,
        skus=[{"spec": "3次", "code": "SRV001", "price_fen": 9900, "cost_fen": 4500, "stock": 200}],
    )
    eggs = catalog_services.product_create(
        shop=shop,
        actor=owner,
        name="新人专享 土鸡蛋10枚",
        description="在本店首次下单的新会员0.01元抢购，每人限1份。",
        unit="盒",
        deal="new_member",
        deal_limit=1,
        skus=[{"spec": "10枚", "code": "NEW001", "price_fen": 1990, "cost_fen": 1200, "stock": 300}],
    )
    for product, category in ((wash, "本地服务"), (eggs, "蛋品")):
        catalog_services.product_image_add(
            shop=shop, product_id=product.id, upload=product_picture(product.name[:6], category)
        )
    campaign = campaign_services.campaign_create(
        shop=shop,
        actor=owner,
        title="到店服务·新人福利",
        description="洗车卡到店核销；新会员0.01元领鸡蛋。",
        template="fast",
        items=[
            {"sku_id": wash.skus.get().id, "price_fen": 6900, "stock_allotted": 100, "purchase_limit": 2},
            {"sku_id": eggs.skus.get().id, "price_fen": 1, "stock_allotted": 100, "purchase_limit": 1},
        ],
        starts_at=now - timedelta(minutes=1),
        cutoff_at=now + timedelta(days=5),
        pickup_at=now + timedelta(days=6),
        threshold_type="members",
        threshold_value=1,
    )
    campaign_services.campaign_publish(campaign=campaign, actor=owner)
    wash_item, egg_item = campaign.items.order_by("id")
    paid_before = set(Order.objects.filter(shop=shop, paid_at__isnull=False).values_list("member_id", flat=True))
    newcomers = [(user, leader) for user, leader in members if user.pk not in paid_before][:6]
    buyers = [(user, leader) for user, leader in members if user.pk in paid_before][:5]
    for user, leader in buyers:
        pay(
            order_services.order_place(
                shop=shop,
                member=user,
                campaign_id=campaign.id,
                leader_id=leader.id,
                items=[{"campaign_item_id": wash_item.id, "quantity": 1}],
            )
        )
    for user, leader in newcomers:
        pay(
            order_services.order_place(
                shop=shop,
                member=user,
                campaign_id=campaign.id,
                leader_id=leader.id,
                items=[{"campaign_item_id": egg_item.id, "quantity": 1}],
            )
        )
    store = voucher_services.store_create(
        shop=shop, actor=owner, name="阳光洗车行（小区北门）", pin=STORE_PIN, address="阳光小区北门商铺12号"
    )
    first = VoucherCode.objects.filter(shop=shop).order_by("id").first()
    if first is not None:
        voucher_services.voucher_redeem(shop=shop, code=first.code, uses=1, store=store)
