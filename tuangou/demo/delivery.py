"""The demo's home delivery (送货上门): two front warehouses stocked from the central store, a
formed campaign offering pickup or delivery with home-delivery orders, their routes planned by
the solver with a courier assigned, and the first stops confirmed at the door."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from tuangou.accounts.services import user_get_or_create_by_phone
from tuangou.campaigns import services as campaign_services
from tuangou.campaigns.models import Campaign
from tuangou.orders import services as order_services
from tuangou.orders.models import Order
from tuangou.warehouses import services as warehouse_services
from tuangou.warehouses.models import MemberAddress

# Among the demo's 思明线 points, each naming the communities it serves beyond its radius.
WAREHOUSES = [
    ("曾厝垵前置仓", "思明区环岛南路3088号", "24.437000", "118.115000", 3500, ["曾厝垵社区", "厦大西村"]),
    ("中山路前置仓", "思明区中山路218号", "24.462000", "118.090000", 3000, ["镇海小区", "白鹭洲花园", "瑞景新村"]),
]
COURIER = ("13960000001", "李师傅")
PRODUCTS = ["海南金煌芒", "农家土鸡蛋", "鲜牛奶", "赣南脐橙"]
SLOTS = ["09:00-12:00", "17:00-20:00"]


def demo_delivery(*, shop, owner, members, skus, rng, pay, now=None) -> Campaign:
    now = now or timezone.now()
    warehouses = [
        warehouse_services.warehouse_create(
            shop=shop,
            actor=owner,
            name=name,
            address=address,
            lat=float(lat),
            lng=float(lng),
            radius_m=radius,
            communities=communities,
        )
        for name, address, lat, lng, radius, communities in WAREHOUSES
    ]
    for warehouse in warehouses:
        warehouse_services.stock_transfer(
            shop=shop,
            actor=owner,
            warehouse_id=warehouse.pk,
            direction="to_warehouse",
            lines=[{"sku_id": skus[name].pk, "quantity": 20} for name in PRODUCTS],
            note="每日补货",
        )
    campaign = campaign_services.campaign_create(
        shop=shop,
        actor=owner,
        title="社区到家·次日达",
        description="前置仓发货，可选送货上门（满59元免配送费）或到团长处自提。",
        items=[
            {
                "sku_id": skus[name].pk,
                "price_fen": int(skus[name].price_fen * 0.9) // 10 * 10,
                "stock_allotted": 40,
                "purchase_limit": 5,
            }
            for name in PRODUCTS
        ],
        starts_at=now - timedelta(minutes=1),
        cutoff_at=now + timedelta(days=1),
        pickup_at=now + timedelta(days=2),
        threshold_type="members",
        threshold_value=5,
        fulfilment_mode=Campaign.FulfilmentMode.BOTH,
        delivery_fee_fen=500,
        delivery_free_above_fen=5900,
        delivery_slots=SLOTS,
    )
    campaign_services.campaign_publish(campaign=campaign, actor=owner)
    items = list(campaign.items.all())
    near = [(user, leader) for user, leader in members if leader.pickup_point.route == "思明线"]
    for user, leader in rng.sample(near or members, min(14, len(near or members))):
        point = leader.pickup_point
        address = MemberAddress.objects.create(
            shop=shop,
            member=user,
            recipient_name=user.name,
            recipient_phone=user.phone,
            community=point.community,
            address=f"{rng.randint(1, 30)}号楼{rng.randint(1, 3)}单元{rng.randint(1, 18)}0{rng.randint(1, 4)}",
            lat=point.lat + Decimal(rng.randint(-300, 300)) / 100000,
            lng=point.lng + Decimal(rng.randint(-300, 300)) / 100000,
            is_default=True,
        )
        order = order_services.order_place(
            shop=shop,
            member=user,
            campaign_id=campaign.pk,
            leader_id=leader.pk,
            items=[{"campaign_item_id": rng.choice(items).pk, "quantity": 1}],
            delivery={"address_id": address.pk, "slot": rng.choice(SLOTS)},
        )
        pay(order)
    # A few neighbours pick up as usual.
    for user, leader in rng.sample(members, 4):
        pay(
            order_services.order_place(
                shop=shop,
                member=user,
                campaign_id=campaign.pk,
                leader_id=leader.pk,
                items=[{"campaign_item_id": items[0].pk, "quantity": 1}],
            )
        )
    # Cut off and formed: the orders are confirmed and the routes can be planned.
    Campaign.objects.filter(pk=campaign.pk).update(
        starts_at=now - timedelta(days=1), cutoff_at=now - timedelta(seconds=1), pickup_at=now + timedelta(hours=20)
    )
    campaign.refresh_from_db()
    campaign_services.campaign_close(campaign=campaign, actor=None)
    campaign_services.campaign_decide(campaign=Campaign.objects.get(pk=campaign.pk), actor=None)
    campaign.refresh_from_db()
    courier_user = user_get_or_create_by_phone(phone=COURIER[0], display_name=COURIER[1])
    courier = warehouse_services.courier_create(shop=shop, actor=owner, phone=courier_user.phone, name=COURIER[1])
    routes = warehouse_services.routes_plan(shop=shop, actor=owner, campaign=campaign, max_stops=5)
    for route in routes:
        warehouse_services.route_assign(shop=shop, actor=owner, route_id=route.pk, courier_id=courier.pk)
    first = max(routes, key=lambda route: (route.stops.count(), -route.pk))  # 14 stops in 4 groups: one has 4
    for stop in first.stops.order_by("sequence")[:2]:
        code = Order.objects.get(pk=stop.order_id).pickup_code
        warehouse_services.delivery_confirm(shop=shop, courier=courier, route_id=first.pk, code=code)
    return campaign
