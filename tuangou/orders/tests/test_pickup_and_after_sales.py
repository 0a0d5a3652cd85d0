from datetime import timedelta

import pytest
from django.utils import timezone

from tuangou.commissions.models import CommissionEntry
from tuangou.core.testing import ok
from tuangou.leaders.models import Leader
from tuangou.leaders.tests.factories import LeaderFactory
from tuangou.orders import services
from tuangou.orders.models import AfterSaleRequest, Order
from tuangou.payments.models import Refund

from .factories import given_live_campaign, given_member, login, paid_order, staff_login

pytestmark = pytest.mark.django_db


def given_order_at_point(status=Order.Status.ARRIVED, quantity=2):
    world = given_live_campaign(price_fen=1290)
    order = paid_order(world, quantity)
    Order.objects.filter(pk=order.pk).update(status=status)
    return world, order


def verify_as_leader(world, leader, code):
    return login(leader.user).post(f"shops/{world.shop.id}/leader/pickups/verify", {"code": code})


def test_the_leader_verifies_a_pickup_code_and_earns_commission():
    world, order = given_order_at_point(quantity=2)

    body = ok(verify_as_leader(world, world.leader, order.pickup_code))

    assert (body["order_id"], body["status"]) == (order.id, "picked_up")
    assert body["member_phone"] == f"{order.contact_phone[:3]}****{order.contact_phone[-4:]}"
    order.refresh_from_db()
    assert order.status == "picked_up" and order.picked_up_at is not None
    accrual = CommissionEntry.objects.get(kind="accrual")
    assert (accrual.leader_id, accrual.amount_fen, accrual.bucket) == (world.leader.id, 258, "pending")


def test_a_shipped_order_arrives_and_is_picked_up_in_one_verification():
    world, order = given_order_at_point(status=Order.Status.SHIPPED)

    ok(verify_as_leader(world, world.leader, order.pickup_code))

    events = list(order.events.values_list("type", "from_status", "to_status"))
    assert events[-2:] == [("arrived", "shipped", "arrived"), ("picked_up", "arrived", "picked_up")]


def test_another_points_code_is_refused_and_changes_nothing():
    world, order = given_order_at_point()
    neighbour_leader = LeaderFactory(shop=world.shop)

    response = verify_as_leader(world, neighbour_leader, order.pickup_code)

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        403,
        "pickup_code_other_point",
        "code",
    )
    order.refresh_from_db()
    assert order.status == "arrived"
    assert CommissionEntry.objects.count() == 0


def test_an_unknown_code_is_invalid():
    world, order = given_order_at_point()
    wrong = "00000000" if order.pickup_code != "00000000" else "11111111"

    response = verify_as_leader(world, world.leader, wrong)

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        404,
        "pickup_code_invalid",
        "code",
    )


def test_a_code_cannot_be_used_twice():
    world, order = given_order_at_point()
    ok(verify_as_leader(world, world.leader, order.pickup_code))

    again = verify_as_leader(world, world.leader, order.pickup_code)

    assert (again.status_code, again.json()["code"]) == (409, "order_state")
    assert CommissionEntry.objects.filter(kind="accrual").count() == 1


def test_a_suspended_leader_cannot_verify():
    world, order = given_order_at_point()
    Leader.objects.filter(pk=world.leader.pk).update(status=Leader.Status.SUSPENDED)

    response = verify_as_leader(world, world.leader, order.pickup_code)

    assert (response.status_code, response.json()["code"]) == (403, "leader_not_active")
    order.refresh_from_db()
    assert order.status == "arrived"


def test_shop_staff_verify_any_points_code_but_warehouse_may_not():
    world, order = given_order_at_point()
    warehouse = staff_login(world.shop, "warehouse")
    support = staff_login(world.shop, "support")

    refused = warehouse.post(f"console/shops/{world.shop.id}/orders/verify-pickup", {"code": order.pickup_code})
    body = ok(support.post(f"console/shops/{world.shop.id}/orders/verify-pickup", {"code": order.pickup_code}))

    assert refused.status_code == 403
    assert body["status"] == "picked_up"
    assert order.events.get(type="picked_up").actor_id == support.user.id


def test_another_shops_code_is_invalid_for_staff():
    world, order = given_order_at_point()
    other = given_live_campaign()

    response = staff_login(other.shop).post(
        f"console/shops/{other.shop.id}/orders/verify-pickup", {"code": order.pickup_code}
    )

    assert response.json()["code"] == "pickup_code_invalid"


def test_the_completion_job_closes_orders_whose_after_sales_window_passed():
    world, due = given_order_at_point(status=Order.Status.PICKED_UP)
    recent = paid_order(world)
    Order.objects.filter(pk=due.pk).update(picked_up_at=timezone.now() - timedelta(days=7, minutes=1))
    Order.objects.filter(pk=recent.pk).update(
        status=Order.Status.PICKED_UP, picked_up_at=timezone.now() - timedelta(days=6)
    )

    first = services.orders_complete_due()
    second = services.orders_complete_due()

    assert (first, second) == (1, 0)
    assert dict(Order.objects.values_list("id", "status")) == {due.id: "completed", recent.id: "picked_up"}


def test_an_open_after_sales_request_holds_completion():
    world, order = given_order_at_point(status=Order.Status.PICKED_UP)
    Order.objects.filter(pk=order.pk).update(picked_up_at=timezone.now() - timedelta(days=8))
    services.after_sale_open(order=order, member=world.member, reason="少了一盒")

    assert services.orders_complete_due() == 0


def test_member_asks_for_after_sales_support_sees_it_and_an_admin_refunds_the_line():
    world, order = given_order_at_point(status=Order.Status.PICKED_UP, quantity=3)
    line = order.lines.get()
    member = login(world.member)

    opened = ok(
        member.post(
            f"shops/{world.shop.id}/orders/{order.id}/after-sales",
            {"line_id": line.id, "quantity": 1, "reason": "鸡蛋碎了一盒"},
        ),
        201,
    )
    support = staff_login(world.shop, "support")
    listed = ok(support.get(f"console/shops/{world.shop.id}/after-sales", {"status": "open"}))
    admin = staff_login(world.shop, "admin")
    resolved = ok(
        admin.post(
            f"console/shops/{world.shop.id}/after-sales/{opened['id']}/resolve",
            {"action": "refund", "reason": "同意退一盒"},
        )
    )

    assert [item["id"] for item in listed["items"]] == [opened["id"]]
    assert (resolved["status"], resolved["refund_fen"], resolved["resolution"]) == ("refunded", 1290, "同意退一盒")
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == ("picked_up", 1290)
    detail = ok(member.get(f"shops/{world.shop.id}/orders/{order.id}"))
    assert detail["after_sales"][0]["status"] == "refunded"
    # Resolved first (the decision), then the money confirmed by the provider after COMMIT.
    assert [event["type"] for event in detail["events"]][-3:] == [
        "after_sale_opened",
        "after_sale_resolved",
        "partial_refund",
    ]


def test_support_rejects_an_after_sales_request_with_a_reason_and_it_cannot_be_resolved_twice():
    world, order = given_order_at_point(status=Order.Status.PICKED_UP)
    request = services.after_sale_open(order=order, member=world.member, reason="不想要了")
    support = staff_login(world.shop, "support")
    url = f"console/shops/{world.shop.id}/after-sales/{request.id}/resolve"

    rejected = ok(support.post(url, {"action": "reject", "reason": "生鲜商品提货后不支持无理由退货"}))
    again = staff_login(world.shop, "admin").post(url, {"action": "refund", "reason": "改主意"})

    assert rejected["status"] == "rejected"
    assert (again.status_code, again.json()["code"]) == (409, "after_sale_state")
    assert Refund.objects.count() == 0


def test_after_sales_for_an_unpaid_order_is_refused():
    world = given_live_campaign()
    order = services.order_place(
        shop=world.shop,
        member=world.member,
        campaign_id=world.campaign.id,
        items=[{"campaign_item_id": world.item.id, "quantity": 1}],
    )

    response = login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/after-sales", {"reason": "x"})

    assert (response.status_code, response.json()["code"]) == (409, "order_state")
    assert AfterSaleRequest.objects.count() == 0


def test_a_member_cannot_open_after_sales_on_someone_elses_order():
    world, order = given_order_at_point(status=Order.Status.PICKED_UP)
    stranger = given_member(world.shop, world.leader)

    response = login(stranger).post(f"shops/{world.shop.id}/orders/{order.id}/after-sales", {"reason": "x"})

    assert response.status_code == 404
    assert AfterSaleRequest.objects.count() == 0


def test_a_leader_who_keeps_guessing_codes_is_stopped_even_for_a_right_one():
    world, order = given_order_at_point()
    leader = login(world.leader.user)
    url = f"shops/{world.shop.id}/leader/pickups/verify"
    wrong = [f"{n:08d}" for n in range(1, 40) if f"{n:08d}" != order.pickup_code][: services.PICKUP_MISSES_ALLOWED]
    for code in wrong:
        assert leader.post(url, {"code": code}).json()["code"] == "pickup_code_invalid"

    response = leader.post(url, {"code": order.pickup_code})

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (429, "rate_limited", "code")
    order.refresh_from_db()
    assert order.status == "arrived"
