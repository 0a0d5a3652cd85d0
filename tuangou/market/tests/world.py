"""Givens for the marketplace: a supplier shop with eggs in stock, a seller shop with a live
campaign, a leader and a member; the seller adopts the supplier's offer and sells it."""

from types import SimpleNamespace

from tuangou.catalog.tests.factories import SkuFactory
from tuangou.orders.tests.factories import CampaignItemFactory, given_live_campaign
from tuangou.shops.tests.factories import ShopFactory, StaffFactory

from .. import services

SUPPLY_PRICE = 2000  # ¥20.00 a box
SELLER_PRICE = 3290


def given_offer(*, stock: int = 100, units: int = 50, supply_price_fen: int = SUPPLY_PRICE, min_order: int = 1):
    supplier = ShopFactory(name="山野源头供应链")
    owner = StaffFactory(shop=supplier, role="owner").user
    sku = SkuFactory(product__shop=supplier, product__name="散养土鸡蛋", spec="30枚", stock=stock)
    offer = services.offer_publish(
        shop=supplier,
        actor=owner,
        sku_id=sku.id,
        supply_price_fen=supply_price_fen,
        retail_price_fen=3990,
        units=units,
        min_order=min_order,
        description="产地直发，破损包赔",
    )
    return SimpleNamespace(supplier=supplier, supplier_owner=owner, sku=sku, offer=offer)


def given_market_sale(*, allot: int = 10, campaign_stock: int = 10, price_fen: int = SELLER_PRICE):
    """The supplier's offer; the seller adopted it, took `allot` units and sells them in a live campaign."""
    world = given_live_campaign()
    supply = given_offer()
    seller_owner = StaffFactory(shop=world.shop, role="owner").user
    link = services.offer_adopt(
        shop=world.shop, actor=seller_owner, offer_id=supply.offer.id, price_fen=price_fen, units=allot
    )
    item = CampaignItemFactory(
        campaign=world.campaign, sku=link.sku, price_fen=price_fen, stock_allotted=campaign_stock
    )
    return SimpleNamespace(**vars(world), **vars(supply), seller_owner=seller_owner, link=link, market_item=item)
