"""0.01元 deals at checkout (tuangou/orders/deals.py) and product kinds in the console."""

import threading

import pytest
from django.db import connection

from tuangou.core.errors import ApplicationError
from tuangou.core.testing import ok
from tuangou.orders import services as orders
from tuangou.orders.models import Order
from tuangou.orders.tests.factories import (
    CampaignFactory,
    CampaignItemFactory,
    given_member,
    paid_order,
    place,
    staff_login,
)

from .world import given_deal_item, given_service_campaign

pytestmark = pytest.mark.django_db


def test_a_new_member_buys_the_new_member_deal_once_a_paying_member_cannot():
    world = given_service_campaign(kind="physical")
    deal = given_deal_item(world, deal="new_member")

    first = place(world, item=deal)
    assert (first.total_fen, first.status) == (1, "pending_payment")
    again = pytest.raises(ApplicationError, place, world, item=deal)
    assert (again.value.code, again.value.field) == ("deal_limit_exceeded", "items.0.quantity")

    paid_order(world)  # the member then pays for a regular item: no longer new
    veteran = world.member
    Order.objects.filter(member=veteran, status="pending_payment").delete()
    refused = pytest.raises(ApplicationError, place, world, item=deal, member=veteran)
    assert (refused.value.code, refused.value.field) == ("deal_new_members_only", "items.0.campaign_item_id")


def test_once_per_member_holds_across_campaigns_and_a_cancelled_order_gives_it_back():
    world = given_service_campaign(kind="physical")
    deal = given_deal_item(world, deal="once_per_member")
    order = place(world, item=deal)
    later = CampaignFactory(shop=world.shop)
    same_product = CampaignItemFactory(campaign=later, sku=deal.sku, price_fen=1)

    refused = pytest.raises(
        ApplicationError,
        orders.order_place,
        shop=world.shop,
        member=world.member,
        campaign_id=later.id,
        items=[{"campaign_item_id": same_product.id, "quantity": 1}],
    )
    orders.order_cancel(order=order, actor=world.member)
    allowed = orders.order_place(
        shop=world.shop,
        member=world.member,
        campaign_id=later.id,
        items=[{"campaign_item_id": same_product.id, "quantity": 1}],
    )

    assert refused.value.code == "deal_limit_exceeded"
    assert "每人限购1件" in refused.value.message()
    assert allowed.total_fen == 1


def test_a_deal_limit_of_two_takes_two_in_one_order_not_three():
    world = given_service_campaign(kind="physical")
    deal = given_deal_item(world, deal="once_per_member", limit=2)
    assert place(world, 2, item=deal).total_fen == 2
    assert pytest.raises(ApplicationError, place, world, item=deal).value.code == "deal_limit_exceeded"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_of_one_member_cannot_both_take_the_deal(require_postgres):
    world = given_service_campaign(kind="physical")
    deal = given_deal_item(world, deal="new_member")
    start, outcomes, lock = threading.Barrier(2), [], threading.Lock()

    def tab():
        try:
            start.wait()
            place(world, item=deal)
            outcome = "placed"
        except ApplicationError as error:
            outcome = error.code
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=tab) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["deal_limit_exceeded", "placed"]


def test_the_product_form_saves_a_service_with_its_uses_validity_and_deal():
    world = given_service_campaign(kind="physical")
    owner = staff_login(world.shop)
    body = ok(
        owner.post(
            f"console/shops/{world.shop.id}/products",
            {
                "name": "洗车服务（3次卡）",
                "kind": "service",
                "uses_per_unit": 3,
                "valid_days": 90,
                "deal": "once_per_member",
                "skus": [{"price_fen": 9900}],
            },
        ),
        201,
    )
    assert (body["kind"], body["uses_per_unit"], body["valid_days"], body["deal"], body["deal_limit"]) == (
        "service",
        3,
        90,
        "once_per_member",
        1,
    )
    patched = ok(owner.patch(f"console/shops/{world.shop.id}/products/{body['id']}", {"kind": "voucher"}))
    assert (patched["kind"], patched["uses_per_unit"]) == ("voucher", 1)


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"kind": "topup"}, "face_value_fen"),
        ({"kind": "service", "uses_per_unit": 0}, "uses_per_unit"),
        ({"kind": "gift"}, "kind"),
        ({"valid_from": "2026-02-01", "valid_until": "2026-01-01"}, "valid_until"),
        ({"deal": "new_member", "deal_limit": 10**12}, "deal_limit"),
    ],
)
def test_a_bad_service_field_is_a_4xx_on_that_field_and_saves_nothing(fields, field):
    world = given_service_campaign(kind="physical")
    response = staff_login(world.shop).post(
        f"console/shops/{world.shop.id}/products", {"name": "券", "skus": [{"price_fen": 100}], **fields}
    )
    assert response.status_code in (400, 422)
    assert response.json()["field"].endswith(field)


def test_the_dashboard_counts_deals_as_acquisition_cost_and_new_members():
    world = given_service_campaign(kind="physical", price_fen=1290)
    deal = given_deal_item(world, deal="new_member", normal_price_fen=2990)
    newcomer = paid_order(world, item=deal)  # a new member takes the deal: 29.89 of cost
    veteran = given_member(world.shop, world.leader)
    paid_order(world, member=veteran)  # pays a regular order first ...
    regular_then_deal = given_deal_item(world, deal="once_per_member", normal_price_fen=990)
    paid_order(world, member=veteran, item=regular_then_deal)  # ... then a deal: a cost, not a new member

    body = ok(staff_login(world.shop).get(f"console/shops/{world.shop.id}/dashboard?days=7"))

    assert body["acquisition"] == {
        "deal_units": 2,
        "cost_fen": 2989 + 989,
        "paid_fen": 2,
        "new_members": 1,
        "cost_per_member_fen": 3978,
    }
    assert newcomer.total_fen == 1
