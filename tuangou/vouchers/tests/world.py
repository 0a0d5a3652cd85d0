"""Givens for service goods: a live campaign selling a voucher or service product."""

from tuangou.catalog.models import Product
from tuangou.orders.tests.factories import CampaignItemFactory, given_live_campaign


def given_service_campaign(*, kind: str = "service", uses: int = 3, price_fen: int = 9900, **product_fields):
    """A live campaign whose one item is a service product (3 uses per unit unless told)."""
    world = given_live_campaign(stock=20, price_fen=price_fen)
    Product.objects.filter(pk=world.item.sku.product_id).update(kind=kind, uses_per_unit=uses, **product_fields)
    return world


def given_deal_item(world, *, deal: str, normal_price_fen: int = 2990, limit: int = 1):
    """A 0.01元 item in the world's campaign: its SKU's normal price, sold at 1 fen."""
    item = CampaignItemFactory(campaign=world.campaign, price_fen=1, stock_allotted=50)
    item.sku.price_fen = normal_price_fen
    item.sku.save()
    Product.objects.filter(pk=item.sku.product_id).update(deal=deal, deal_limit=limit)
    return item
