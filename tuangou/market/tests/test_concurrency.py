import pytest

from tuangou.catalog.models import Sku
from tuangou.core.testing import race
from tuangou.shops.tests.factories import ShopFactory, StaffFactory

from .. import services
from ..models import MarketLink
from .world import given_offer

SELLERS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_shops_taking_four_units_each_of_twenty_offered_never_oversell(require_postgres):
    supply = given_offer(stock=100, units=20)
    sellers = [ShopFactory() for _ in range(SELLERS)]
    owners = [StaffFactory(shop=shop, role="owner").user for shop in sellers]
    links = [
        services.offer_adopt(shop=shop, actor=owner, offer_id=supply.offer.id, price_fen=3000)
        for shop, owner in zip(sellers, owners, strict=True)
    ]

    outcomes = race(
        [
            lambda shop=shop, owner=owner, link=link: services.link_allot(
                shop=shop, actor=owner, link_id=link.id, units=4
            )
            for shop, owner, link in zip(sellers, owners, links, strict=True)
        ]
    )

    assert sorted(outcomes) == ["done"] * 5 + ["market_units_short"] * 3
    supply.offer.refresh_from_db()
    supply.sku.refresh_from_db()
    assert (supply.offer.units_left, supply.offer.units_allotted, supply.sku.stock) == (0, 20, 80)
    held = sorted(Sku.objects.filter(market_link__in=MarketLink.objects.all()).values_list("stock", flat=True))
    assert held == [0, 0, 0, 4, 4, 4, 4, 4]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_allotting_and_handing_back_at_once_keeps_both_sides_whole(require_postgres):
    supply = given_offer(stock=40, units=40)
    shops = [ShopFactory() for _ in range(2)]
    owners = [StaffFactory(shop=shop, role="owner").user for shop in shops]
    links = [
        services.offer_adopt(shop=shop, actor=owner, offer_id=supply.offer.id, price_fen=3000, units=10)
        for shop, owner in zip(shops, owners, strict=True)
    ]
    jobs = []
    for _ in range(3):
        jobs.append(lambda: services.link_allot(shop=shops[0], actor=owners[0], link_id=links[0].id, units=2))
        jobs.append(lambda: services.link_return(shop=shops[1], actor=owners[1], link_id=links[1].id, units=2))

    outcomes = race(jobs)

    assert outcomes == ["done"] * 6
    supply.offer.refresh_from_db()
    supply.sku.refresh_from_db()
    stocks = [Sku.objects.get(pk=link.sku_id).stock for link in links]
    assert stocks == [16, 4]
    assert (supply.offer.units_left, supply.sku.stock) == (20, 20)
