"""Givens for home delivery: a live campaign offering pickup or delivery, two warehouses near
the member (Xiamen), stock in them, and a saved address."""

from decimal import Decimal

from tuangou.orders.tests.factories import given_live_campaign
from tuangou.warehouses.models import MemberAddress, Warehouse, WarehouseStock

# 厦门大学 (the leader's point), and two warehouses: one 1.1 km away, one 2.4 km away.
NEAR = (Decimal("24.447000"), Decimal("118.097000"))
FAR = (Decimal("24.459000"), Decimal("118.090000"))
HOME = (Decimal("24.437600"), Decimal("118.096300"))


def given_delivery_campaign(
    *, near_stock: int = 10, far_stock: int = 10, fee_fen: int = 500, free_above=None, stock=20
):
    world = given_live_campaign(stock=stock, price_fen=1290)
    campaign = world.campaign
    campaign.fulfilment_mode = "both"
    campaign.delivery_fee_fen = fee_fen
    campaign.delivery_free_above_fen = free_above
    campaign.delivery_slots = ["09:00-12:00", "17:00-20:00"]
    campaign.save()
    world.near = Warehouse.objects.create(
        shop=world.shop, name="思明仓", address="思明南路1号", lat=NEAR[0], lng=NEAR[1], radius_m=3000
    )
    world.far = Warehouse.objects.create(
        shop=world.shop, name="中山仓", address="中山路2号", lat=FAR[0], lng=FAR[1], radius_m=5000
    )
    for warehouse, quantity in ((world.near, near_stock), (world.far, far_stock)):
        WarehouseStock.objects.create(shop=world.shop, warehouse=warehouse, sku=world.item.sku, quantity=quantity)
    world.address = MemberAddress.objects.create(
        shop=world.shop,
        member=world.member,
        recipient_name="林小姐",
        recipient_phone="13800001111",
        community="白城小区",
        address="3号楼2单元101",
        lat=HOME[0],
        lng=HOME[1],
        is_default=True,
    )
    return world


def stock_of(warehouse, sku) -> int:
    return WarehouseStock.objects.get(warehouse=warehouse, sku=sku).quantity
