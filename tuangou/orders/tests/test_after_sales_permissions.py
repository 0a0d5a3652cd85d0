"""Issue 7, item 11: resolving an after-sales request with a refund follows the refund
permission (as a direct refund does); a direct refund closes the open request."""

import pytest

from tuangou.core.testing import ok
from tuangou.orders import services
from tuangou.orders.models import AfterSaleRequest, Order
from tuangou.payments.models import Refund, SandboxTrade

from .factories import given_live_campaign, paid_order, staff_login

pytestmark = pytest.mark.django_db


def given_an_open_after_sale():
    """A picked-up order of 2 × ¥12.90, one box complained about."""
    world = given_live_campaign(price_fen=1290)
    order = paid_order(world, 2)
    Order.objects.filter(pk=order.pk).update(status=Order.Status.PICKED_UP)
    line = order.lines.get()
    request = services.after_sale_open(order=order, member=world.member, reason="碎了一盒", line_id=line.id, quantity=1)
    return world, order, request


def resolve(client, world, request, action="refund"):
    return client.post(
        f"console/shops/{world.shop.id}/after-sales/{request.id}/resolve", {"action": action, "reason": "同意"}
    )


@pytest.mark.parametrize("role", ["owner", "admin", "finance"])
def test_a_role_that_may_refund_resolves_with_a_refund(role):
    world, order, request = given_an_open_after_sale()

    body = ok(resolve(staff_login(world.shop, role), world, request))

    assert (body["status"], body["refund_fen"]) == ("refunded", 1290)
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == ("picked_up", 1290)
    assert SandboxTrade.objects.get().refunded_fen == 1290


@pytest.mark.parametrize("role", ["support", "operations", "warehouse"])
def test_a_role_that_may_not_refund_cannot_resolve_with_a_refund(role):
    world, order, request = given_an_open_after_sale()

    response = resolve(staff_login(world.shop, role), world, request)

    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert AfterSaleRequest.objects.get().status == "open"
    assert Refund.objects.count() == 0


@pytest.mark.parametrize(("role", "status"), [("support", 200), ("owner", 200), ("finance", 403), ("warehouse", 403)])
def test_rejecting_follows_the_manage_permission(role, status):
    world, order, request = given_an_open_after_sale()

    response = resolve(staff_login(world.shop, role), world, request, action="reject")

    assert response.status_code == status
    assert AfterSaleRequest.objects.get().status == ("rejected" if status == 200 else "open")


def test_a_direct_refund_by_finance_closes_the_open_request_recording_who_and_why():
    world, order, request = given_an_open_after_sale()
    finance = staff_login(world.shop, "finance")

    body = ok(finance.post(f"console/shops/{world.shop.id}/orders/{order.id}/refund", {"reason": "全额退款"}))

    assert (body["status"], body["refunded_fen"]) == ("refunded", 2580)
    assert [(a["status"], a["refund_fen"], a["resolution"]) for a in body["after_sales"]] == [
        ("refunded", 2580, "全额退款")
    ]
    closed = AfterSaleRequest.objects.get()
    assert (closed.handled_by_id, closed.handled_at is not None) == (finance.user.id, True)
    resolved = order.events.get(type="after_sale_resolved")
    assert (resolved.actor_id, resolved.data["via"], resolved.data["refund_fen"]) == (
        finance.user.id,
        "direct_refund",
        2580,
    )
    again = resolve(staff_login(world.shop, "owner"), world, request)
    assert (again.status_code, again.json()["code"]) == (409, "after_sale_state")
