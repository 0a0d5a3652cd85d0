"""Second approval (双人复核): one account alone cannot complete a high-risk action; another
staff member with the permission approves it, and it runs exactly once."""

import threading

import pytest
from django.db import connection

from tests.world import add_live_order, add_staff, build_world
from tuangou.audit import approvals
from tuangou.audit.models import ApprovalPolicy, ApprovalRequest, AuditRecord
from tuangou.campaigns.models import Campaign
from tuangou.commissions.models import Withdrawal
from tuangou.core.errors import ApplicationError
from tuangou.core.testing import ok
from tuangou.payments.models import Refund
from tuangou.shops.models import Staff

from .helpers import IP, client_for, draft_campaign, staff_client

A = ApprovalRequest.Status


def _refund_waiting(world, client, amount_fen: int = 4900):
    """The owner asks for a refund above the shop's ¥10 line: it waits as approval #n."""
    ApprovalPolicy.objects.create(shop=world["shop"], refund_over_fen=1000)
    order = add_live_order(world, "paid", "0201")
    response = client.post(
        f"console/shops/{world['shop'].id}/orders/{order.id}/refund", {"amount_fen": amount_fen, "reason": "整单坏了"}
    )
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "approval_pending"
    approval = ApprovalRequest.objects.filter(shop=world["shop"]).latest("id")
    assert f"#{approval.id}" in body["message"] and "¥49.00" in body["message"]
    return order, approval


@pytest.mark.django_db
def test_a_refund_over_the_line_waits_and_its_requester_cannot_approve_it():
    world = build_world("AP", 13700001000)
    owner_client = client_for(world["owner"])
    order, approval = _refund_waiting(world, owner_client)
    base = f"console/shops/{world['shop'].id}"

    assert not Refund.objects.filter(order=order).exists()
    assert (approval.status, approval.action, approval.amount_fen) == (A.PENDING, "refund", 4900)
    asked = AuditRecord.objects.get(shop=world["shop"], action="approval.request")
    assert (asked.actor_id, asked.ip, asked.after["action"]) == (world["owner"].id, IP, "refund")

    own = owner_client.post(f"{base}/approvals/{approval.id}/approve")
    assert (own.status_code, own.json()["code"]) == (403, "approval_own_request")
    mine = ok(owner_client.get(f"{base}/approvals", {"status": "pending"}))
    assert (mine[0]["id"], mine[0]["can_decide"]) == (approval.id, False)  # then the world's own request

    _, support = staff_client(world, Staff.Role.SUPPORT, ip="198.51.100.4")  # no refund permission
    assert support.post(f"{base}/approvals/{approval.id}/approve").status_code == 403
    approval.refresh_from_db()
    assert approval.status == A.PENDING and not Refund.objects.filter(order=order).exists()

    finance, finance_client = staff_client(world, Staff.Role.FINANCE, ip="198.51.100.9")
    first = ok(finance_client.get(f"{base}/approvals", {"status": "pending"}))[0]
    assert (first["id"], first["can_decide"]) == (approval.id, True)
    decided = ok(finance_client.post(f"{base}/approvals/{approval.id}/approve"))
    assert (decided["status"], decided["decided_by"]) == ("approved", finance.user.name)

    refund = Refund.objects.get(order=order)
    assert (refund.amount_fen, refund.requested_by_id) == (4900, world["owner"].id)
    approved = AuditRecord.objects.get(shop=world["shop"], action="approval.approve")
    assert (approved.actor_id, approved.ip, approved.after["status"]) == (finance.user_id, "198.51.100.9", "approved")
    assert AuditRecord.objects.get(shop=world["shop"], action="refund").after["amount_fen"] == 4900

    again = finance_client.post(f"{base}/approvals/{approval.id}/approve")
    assert (again.status_code, again.json()["code"]) == (409, "approval_decided")
    assert Refund.objects.filter(order=order).count() == 1


@pytest.mark.django_db
def test_a_refund_at_or_under_the_line_goes_through_alone():
    world = build_world("AQ", 13700001100)
    ApprovalPolicy.objects.create(shop=world["shop"], refund_over_fen=1000)
    order = add_live_order(world, "paid", "0202")
    client = client_for(world["owner"])
    ok(
        client.post(
            f"console/shops/{world['shop'].id}/orders/{order.id}/refund", {"amount_fen": 1000, "reason": "少了"}
        )
    )
    assert Refund.objects.get(order=order).amount_fen == 1000
    assert not ApprovalRequest.objects.filter(shop=world["shop"]).exclude(pk=world["ids"]["approval_id"]).exists()


@pytest.mark.django_db
def test_a_rejected_withdrawal_approval_changes_nothing_and_is_audited():
    world = build_world("AR", 13700001200)
    ApprovalPolicy.objects.create(shop=world["shop"], withdrawal_over_fen=500)
    base = f"console/shops/{world['shop'].id}"
    finance, finance_client = staff_client(world, Staff.Role.FINANCE)
    response = finance_client.post(f"{base}/withdrawals/{world['ids']['withdrawal_id']}/approve")
    assert response.json()["code"] == "approval_pending"
    approval = ApprovalRequest.objects.filter(shop=world["shop"]).latest("id")
    assert approval.permission == "withdrawals.manage"

    owner_client = client_for(world["owner"])
    assert owner_client.post(f"{base}/approvals/{approval.id}/reject", {"reason": ""}).status_code in (400, 422)
    decided = ok(owner_client.post(f"{base}/approvals/{approval.id}/reject", {"reason": "金额不对"}))
    assert (decided["status"], decided["note"]) == ("rejected", "金额不对")
    assert Withdrawal.objects.get(pk=world["ids"]["withdrawal_id"]).status == "requested"
    record = AuditRecord.objects.get(shop=world["shop"], action="approval.reject")
    assert (record.actor_id, record.before, record.after["status"]) == (
        world["owner"].id,
        {"status": "pending"},
        "rejected",
    )
    assert owner_client.post(f"{base}/approvals/{approval.id}/approve").json()["code"] == "approval_decided"


@pytest.mark.django_db
def test_an_approved_action_that_is_refused_meanwhile_ends_failed():
    world = build_world("AS", 13700001300)
    ApprovalPolicy.objects.create(shop=world["shop"], withdrawal_over_fen=500)
    base = f"console/shops/{world['shop'].id}"
    _, finance_client = staff_client(world, Staff.Role.FINANCE)
    finance_client.post(f"{base}/withdrawals/{world['ids']['withdrawal_id']}/approve")
    approval = ApprovalRequest.objects.filter(shop=world["shop"]).latest("id")
    owner_client = client_for(world["owner"])
    ok(owner_client.post(f"{base}/withdrawals/{world['ids']['withdrawal_id']}/reject", {"reason": "重复申请"}))

    decided = ok(owner_client.post(f"{base}/approvals/{approval.id}/approve"))
    assert decided["status"] == "failed" and decided["note"]
    assert Withdrawal.objects.get(pk=world["ids"]["withdrawal_id"]).status == "rejected"
    assert AuditRecord.objects.filter(shop=world["shop"], action="approval.failed").count() == 1


@pytest.mark.django_db
def test_granting_admin_or_owner_waits_for_someone_who_may_grant_it():
    world = build_world("AT", 13700001400)
    ApprovalPolicy.objects.create(shop=world["shop"], owner_admin_grant=True)
    base = f"console/shops/{world['shop'].id}"
    _, admin_client = staff_client(world, Staff.Role.ADMIN)
    clerk = add_staff(world, Staff.Role.SUPPORT)

    response = admin_client.patch(f"{base}/staff/{clerk.id}", {"role": "admin"})
    assert response.json()["code"] == "approval_pending"
    clerk.refresh_from_db()
    assert clerk.role == Staff.Role.SUPPORT
    grant = ApprovalRequest.objects.filter(shop=world["shop"]).latest("id")
    assert grant.action == "staff.grant"

    owner_client = client_for(world["owner"])
    response = owner_client.patch(f"{base}/staff/{clerk.id}", {"role": "owner"})
    owner_grant = ApprovalRequest.objects.filter(shop=world["shop"]).latest("id")
    # Only an owner makes an owner: the admin cannot approve the owner's request.
    assert admin_client.post(f"{base}/approvals/{owner_grant.id}/approve").status_code == 403

    ok(owner_client.post(f"{base}/approvals/{grant.id}/approve"))
    clerk.refresh_from_db()
    assert clerk.role == Staff.Role.ADMIN
    changed = AuditRecord.objects.get(shop=world["shop"], action="staff.update")
    assert (changed.before, changed.after) == ({"role": "support"}, {"role": "admin"})
    # Below admin nothing waits.
    ok(admin_client.patch(f"{base}/staff/{clerk.id}", {"role": "finance"}))


@pytest.mark.django_db
def test_thresholds_are_shop_settings_bounded_and_audited():
    world = build_world("AY", 13700001500)
    base = f"console/shops/{world['shop'].id}"
    owner_client = client_for(world["owner"])
    assert ok(owner_client.get(f"{base}/approvals/policy"))["refund_over_fen"] is None
    for bad in (-1, 0, 2**31, "1e3"):
        assert owner_client.patch(f"{base}/approvals/policy", {"refund_over_fen": bad}).status_code in (400, 422)
    ok(owner_client.patch(f"{base}/approvals/policy", {"refund_over_fen": 50000, "owner_admin_grant": True}))
    assert ok(owner_client.get(f"{base}/approvals/policy"))["refund_over_fen"] == 50000
    _, finance_client = staff_client(world, Staff.Role.FINANCE)
    assert finance_client.patch(f"{base}/approvals/policy", {"refund_over_fen": 1}).status_code == 403
    record = AuditRecord.objects.get(shop=world["shop"], action="approval.settings")
    assert record.after == {"refund_over_fen": 50000, "owner_admin_grant": True}


def _run_together(*functions):
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def runner(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as error:  # the outcome is asserted by the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_once_run_the_refund_once(require_postgres):
    world = build_world("AZ", 13700001600)
    order, approval = _refund_waiting(world, client_for(world["owner"]))
    deciders = [add_staff(world, Staff.Role.FINANCE), add_staff(world, Staff.Role.ADMIN)]

    results = _run_together(
        *[lambda s=s: approvals.approval_approve(staff=s, approval_id=approval.id) for s in deciders]
    )

    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], ApplicationError), results
    assert errors[0].code == "approval_decided"
    assert Refund.objects.filter(order=order).count() == 1
    assert ApprovalRequest.objects.get(pk=approval.id).status == A.APPROVED
    assert AuditRecord.objects.filter(shop=world["shop"], action="approval.approve").count() == 1


@pytest.mark.django_db
def test_cancelling_a_campaign_with_paid_orders_waits_for_a_second_approval():
    world = build_world("AC", 13700001700)
    ApprovalPolicy.objects.create(shop=world["shop"], campaign_cancel_with_paid=True)
    base = f"console/shops/{world['shop'].id}"
    campaign = draft_campaign(world)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.SCHEDULED, paid_quantity=2)
    operations, ops_client = staff_client(world, Staff.Role.OPERATIONS)

    response = ops_client.post(f"{base}/campaigns/{campaign.id}/cancel", {"reason": "供应商断货"})
    assert response.json()["code"] == "approval_pending"
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SCHEDULED
    approval = ApprovalRequest.objects.filter(shop=world["shop"]).latest("id")
    assert (approval.action, approval.requested_by_id) == ("campaign.cancel", operations.user_id)

    ok(client_for(world["owner"]).post(f"{base}/approvals/{approval.id}/approve"))
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.CANCELLED
    cancelled = AuditRecord.objects.get(shop=world["shop"], action="campaign.cancel")
    assert (cancelled.actor_id, cancelled.after["reason"]) == (operations.user_id, "供应商断货")


@pytest.mark.django_db
def test_a_members_own_cancel_is_refunded_without_waiting():
    from tuangou.orders.services import order_cancel

    world = build_world("AM", 13700001800)
    ApprovalPolicy.objects.create(shop=world["shop"], refund_over_fen=1000)
    order = add_live_order(world, "paid", "0203")

    order_cancel(order=order, actor=world["member"], reason="不要了")

    assert Refund.objects.get(order=order).amount_fen == 4900
    assert not ApprovalRequest.objects.filter(shop=world["shop"], action="refund", payload__order_id=order.id).exists()
    assert AuditRecord.objects.get(shop=world["shop"], action="refund").actor_id == world["member"].id


@pytest.mark.django_db
def test_an_after_sales_refund_over_the_line_waits_for_a_second_person():
    """The same line as an order refund: resolving an after-sales request with ¥49 back waits; the
    requester cannot approve it; finance does, and the request is resolved with the refund, once."""
    from tuangou.orders import services as order_services
    from tuangou.orders.models import AfterSaleRequest

    world = build_world("AW", 13700001700)
    ApprovalPolicy.objects.create(shop=world["shop"], refund_over_fen=1000)
    order = add_live_order(world, "picked_up", "0701")
    after_sale = order_services.after_sale_open(
        order=order, member=world["member"], reason="烂了", line_id=order.lines.get().id, quantity=1
    )
    base = f"console/shops/{world['shop'].id}"
    owner_client = client_for(world["owner"])
    waiting = owner_client.post(f"{base}/after-sales/{after_sale.id}/resolve", {"action": "refund", "reason": "同意"})
    assert (waiting.status_code, waiting.json()["code"]) == (409, "approval_pending"), waiting.content
    approval = ApprovalRequest.objects.filter(shop=world["shop"]).latest("id")
    assert (approval.action, approval.amount_fen, approval.permission) == ("after_sale.refund", 4900, "orders.refund")
    assert "售后退款" in approval.summary and "¥49.00" in waiting.json()["message"]
    after_sale.refresh_from_db()
    assert after_sale.status == AfterSaleRequest.Status.OPEN and not Refund.objects.filter(order=order).exists()

    own = owner_client.post(f"{base}/approvals/{approval.id}/approve")
    assert (own.status_code, own.json()["code"]) == (403, "approval_own_request")
    finance, finance_client = staff_client(world, Staff.Role.FINANCE, ip="198.51.100.9")
    assert ok(finance_client.post(f"{base}/approvals/{approval.id}/approve"))["status"] == "approved"
    after_sale.refresh_from_db()
    assert (after_sale.status, after_sale.refund_fen) == (AfterSaleRequest.Status.REFUNDED, 4900)
    refund = Refund.objects.get(order=order)
    assert (refund.amount_fen, refund.requested_by_id) == (4900, world["owner"].id)
    assert AuditRecord.objects.filter(shop=world["shop"], action="refund").count() == 1
    again = finance_client.post(f"{base}/approvals/{approval.id}/approve")
    assert again.json()["code"] == "approval_decided" and Refund.objects.filter(order=order).count() == 1


@pytest.mark.django_db
def test_an_after_sales_refund_at_the_line_or_a_reject_goes_through_alone():
    from tuangou.orders import services as order_services

    world = build_world("AX", 13700001800)
    ApprovalPolicy.objects.create(shop=world["shop"], refund_over_fen=4900)
    base = f"console/shops/{world['shop'].id}"
    client = client_for(world["owner"])
    for number, action in (("0801", "refund"), ("0802", "reject")):
        order = add_live_order(world, "picked_up", number)
        after_sale = order_services.after_sale_open(
            order=order, member=world["member"], reason="烂了", line_id=order.lines.get().id, quantity=1
        )
        done = ok(client.post(f"{base}/after-sales/{after_sale.id}/resolve", {"action": action, "reason": "好的"}))
        assert done["status"] == ("refunded" if action == "refund" else "rejected")
    assert not ApprovalRequest.objects.filter(shop=world["shop"], action="after_sale.refund").exists()
