import pytest

from tuangou.core.testing import race
from tuangou.orders import services as orders
from tuangou.orders.tests.factories import given_member
from tuangou.warehouses import services
from tuangou.warehouses.models import MemberAddress, OrderDelivery

from .factories import given_delivery_campaign, stock_of

BUYERS = 12


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twelve_deliveries_at_once_take_exactly_the_pieces_the_two_warehouses_hold(require_postgres):
    world = given_delivery_campaign(near_stock=3, far_stock=2, stock=50)

    def buyer():
        member = given_member(world.shop, world.leader)
        address = MemberAddress.objects.create(
            shop=world.shop,
            member=member,
            recipient_name="邻居",
            recipient_phone="13800009999",
            community="白城小区",
            address="1号楼",
            lat=world.address.lat,
            lng=world.address.lng,
        )
        return lambda: orders.order_place(
            shop=world.shop,
            member=member,
            campaign_id=world.campaign.id,
            items=[{"campaign_item_id": world.item.id, "quantity": 1}],
            delivery={"address_id": address.id, "slot": "09:00-12:00"},
        )

    outcomes = race([buyer() for _ in range(BUYERS)])

    assert sorted(set(outcomes)) == ["delivery_out_of_stock", "done"]
    assert outcomes.count("done") == 5
    assert (stock_of(world.near, world.item.sku), stock_of(world.far, world.item.sku)) == (0, 0)
    assert OrderDelivery.objects.filter(warehouse=world.near).count() == 3
    world.item.refresh_from_db()
    assert world.item.stock_left == 45  # the rolled-back checkouts gave the campaign's pieces back


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_transfers_back_at_once_never_take_a_warehouse_below_zero(require_postgres):
    world = given_delivery_campaign(near_stock=5)
    back = {"direction": "to_central", "lines": [{"sku_id": world.item.sku.id, "quantity": 2}]}

    outcomes = race(
        [
            lambda: services.stock_transfer(shop=world.shop, actor=None, warehouse_id=world.near.id, **back)
            for _ in range(6)
        ]
    )

    assert (outcomes.count("done"), outcomes.count("stock_insufficient")) == (2, 4)
    assert stock_of(world.near, world.item.sku) == 1
