"""The demo's supply marketplace: a second shop, 山野源头供应链, offers two goods; the demo shop took
units of its mountain eggs and sold them in a campaign that ran last week. Of its three dropship
orders one is still to ship, one shipped, one delivered — that order completed after the
after-sales window and its ledger row is settled."""

from datetime import timedelta

from tuangou.accounts.services import user_signup
from tuangou.campaigns import services as campaign_services
from tuangou.campaigns.models import Campaign
from tuangou.catalog import services as catalog_services
from tuangou.fulfilment import services as fulfilment_services
from tuangou.market import services as market_services
from tuangou.market.models import DropshipOrder
from tuangou.orders import services as order_services
from tuangou.orders.models import Order
from tuangou.shops.models import Shop
from tuangou.shops.services import shop_create

from .pictures import product_picture

SUPPLIER = {
    "name": "山野源头供应链",
    "category": "农产品供应链",
    "city": "南平",
    "contact_name": "赵山野",
    "contact_phone": "13960000000",
}
SUPPLIER_OWNER = ("demo_supplier", "赵山野")
# name, spec, unit, description, stock, supply price, suggested retail price, units offered
OFFERS = [
    ("高山散养土鸡蛋", "30枚", "盒", "武夷山海拔800米林下散养，蛋黄橙红。破损包赔。", 600, 2600, 3990, 400),
    ("武夷山高山红茶", "250g", "罐", "正山小种，当季新茶，一件代发到自提点或家门口。", 200, 6800, 9800, 150),
]


def demo_supplier_shop() -> Shop | None:
    return Shop.objects.filter(name=SUPPLIER["name"]).first()


def demo_market(*, shop, owner, members, password, pay, now) -> Shop:
    supplier_owner = user_signup(username=SUPPLIER_OWNER[0], password=password, display_name=SUPPLIER_OWNER[1])
    supplier = shop_create(owner=supplier_owner, **SUPPLIER)
    offers = []
    for name, spec, unit, description, stock, supply, retail, units in OFFERS:
        product = catalog_services.product_create(
            shop=supplier,
            actor=supplier_owner,
            name=name,
            unit=unit,
            description=description,
            skus=[{"spec": spec, "price_fen": retail, "cost_fen": supply * 7 // 10, "stock": stock}],
        )
        catalog_services.product_image_add(
            shop=supplier, product_id=product.id, upload=product_picture(name[:6], "源头")
        )
        offers.append(
            market_services.offer_publish(
                shop=supplier,
                actor=supplier_owner,
                sku_id=product.skus.get().id,
                supply_price_fen=supply,
                retail_price_fen=retail,
                units=units,
                min_order=10,
                description=description,
            )
        )

    # The demo shop sells the eggs at its own price, 80 boxes taken.
    link = market_services.offer_adopt(shop=shop, actor=owner, offer_id=offers[0].id, price_fen=3690, units=80)
    campaign = campaign_services.campaign_create(
        shop=shop,
        actor=owner,
        title="源头好货·高山土鸡蛋",
        description="山野源头供应链一件代发，产地直送自提点。",
        template="fast",
        items=[{"sku_id": link.sku_id, "price_fen": 3490, "stock_allotted": 40, "purchase_limit": 5}],
        starts_at=now - timedelta(minutes=1),
        cutoff_at=now + timedelta(days=1),
        pickup_at=now + timedelta(days=2),
        threshold_type="members",
        threshold_value=1,
    )
    campaign_services.campaign_publish(campaign=campaign, actor=owner)
    item = campaign.items.get()
    buyers, seen = [], set()
    for user, leader in members:
        if leader.id not in seen:
            seen.add(leader.id)
            buyers.append((user, leader))
        if len(buyers) == 3:
            break
    orders = []
    for quantity, (user, leader) in enumerate(buyers, start=1):
        order = order_services.order_place(
            shop=shop,
            member=user,
            campaign_id=campaign.id,
            leader_id=leader.id,
            items=[{"campaign_item_id": item.id, "quantity": quantity}],
        )
        pay(order)
        orders.append(order)
    # Demo only: the campaign ran last week and formed.
    Campaign.objects.filter(pk=campaign.pk).update(
        starts_at=now - timedelta(days=12), cutoff_at=now - timedelta(seconds=1), pickup_at=now - timedelta(days=10)
    )
    campaign_services.campaign_close(campaign=Campaign.objects.get(pk=campaign.pk), actor=None)
    campaign_services.campaign_decide(campaign=Campaign.objects.get(pk=campaign.pk), actor=None)
    Campaign.objects.filter(pk=campaign.pk).update(
        starts_at=now - timedelta(days=12), cutoff_at=now - timedelta(days=11), pickup_at=now - timedelta(days=10)
    )

    delivered, shipped, _to_ship = (DropshipOrder.objects.get(order=order) for order in orders)
    for dropship, tracking in ((delivered, "SF1402788812345"), (shipped, "SF1402788867890")):
        market_services.dropship_ship(
            shop=supplier, actor=supplier_owner, dropship_id=dropship.id, carrier="顺丰速运", tracking_no=tracking
        )
    market_services.dropship_deliver(shop=supplier, actor=supplier_owner, dropship_id=delivered.id)

    # The delivered order was picked up ten days ago: completed, its ledger row due, then settled.
    first = Order.objects.select_related("leader").get(pk=orders[0].pk)
    fulfilment_services.shipments_ship(campaign=campaign, actor=owner, pickup_point_ids=[first.pickup_point_id])
    fulfilment_services.shipment_confirm_arrival(leader=first.leader, campaign_id=campaign.id)
    order_services.order_pickup_verify(shop=shop, code=first.pickup_code, leader=first.leader, actor=first.leader.user)
    Order.objects.filter(pk=first.pk).update(picked_up_at=now - timedelta(days=10))
    order_services.orders_complete_due()
    market_services.settlements_advance(now=now)
    market_services.settlements_settle(shop=shop, actor=owner)
    return supplier
