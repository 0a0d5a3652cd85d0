from datetime import timedelta

import factory
from django.utils import timezone

from tuangou.campaigns.models import Campaign, CampaignItem
from tuangou.catalog.tests.factories import ProductFactory, SkuFactory  # noqa: F401 (re-exported for tests)
from tuangou.leaders.tests.factories import LeaderFactory  # noqa: F401 (an active leader with a pickup point)
from tuangou.orders.models import Order
from tuangou.shops.tests.factories import ShopFactory


class CampaignFactory(factory.django.DjangoModelFactory):
    """A draft starting in an hour; pass status= for another state."""

    class Meta:
        model = Campaign

    shop = factory.SubFactory(ShopFactory)
    title = factory.Sequence(lambda n: f"周末鲜果团{n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
    cutoff_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(days=1))
    pickup_at = factory.LazyAttribute(lambda o: o.cutoff_at + timedelta(days=1))


class CampaignItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignItem

    campaign = factory.SubFactory(CampaignFactory)
    shop = factory.SelfAttribute("campaign.shop")
    sku = factory.SubFactory(SkuFactory, product__shop=factory.SelfAttribute("...shop"))
    price_fen = 2990
    stock_allotted = 20
    stock_left = factory.SelfAttribute("stock_allotted")


def buy(*, item: CampaignItem, member, leader, quantity: int = 1, pay: bool = True) -> Order:
    """A member checks out through a leader and (unless pay=False) pays via the sandbox's signed
    notify: the real order flow, so stock and the campaign's paid counters move as in production."""
    from tuangou.orders.services import order_place
    from tuangou.orders.tests.factories import pay as pay_order

    order = order_place(
        shop=item.campaign.shop,
        member=member,
        campaign_id=item.campaign_id,
        leader_id=leader.id,
        items=[{"campaign_item_id": item.id, "quantity": quantity}],
    )
    if pay:
        pay_order(order)
    return order
