"""The 操作日志: every high-risk action leaves one record with who, from where, on what and
before -> after; nothing can change or remove a record."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from openpyxl import load_workbook

from tests.world import add_live_order, add_staff, build_world
from tuangou.accounts.testing import ApiClient
from tuangou.audit.actions import ACTIONS
from tuangou.audit.models import AppendOnly, AuditRecord
from tuangou.commissions.models import Withdrawal
from tuangou.core.testing import ok
from tuangou.shops.models import Staff
from tuangou.warehouses.models import Warehouse, WarehouseStock

from .helpers import IP, client_for, draft_campaign

pytestmark = pytest.mark.django_db

# Recorded by code on other branches or through the approval tests (test_approvals.py).
NOT_WALKED_HERE = {
    "staff.grant",
    "after_sale.refund",  # waits for approval only; the refund itself is recorded as "refund" (walked)
    "approval.request",
    "approval.approve",
    "approval.reject",
    "approval.failed",
    # Walked with their apps: vouchers (redeem), integrations (keys, webhooks).
    "voucher.redeem",
    "api_key.create",
    "api_key.revoke",
    "webhook.create",
    "webhook.update",
    "webhook.delete",
    "webhook.rotate_secret",
    # The supply marketplace: tuangou/market/tests/test_market.py walks them.
    "market.publish",
    "market.withdraw",
    "market.adopt",
    "market.allot",
    "market.return",
    "market.ship",
    "market.deliver",
    "market.settle",
}


def _last(shop, action: str) -> AuditRecord:
    record = AuditRecord.objects.filter(shop=shop, action=action).order_by("-id").first()
    assert record is not None, f"no audit record for {action}"
    return record


def test_every_high_risk_action_is_recorded_with_actor_ip_target_and_before_after():
    world = build_world("AU", 13700000000)
    shop, owner, ids = world["shop"], world["owner"], world["ids"]
    base = f"console/shops/{shop.id}"
    walked = {}

    # logins: a wrong password, then the right one
    stranger = ApiClient()
    stranger.client.defaults["REMOTE_ADDR"] = IP
    assert stranger.post("auth/login", {"username": owner.username, "password": "wrong"}).status_code == 401
    walked["login_failed"] = ({}, {"username": owner.username, "locked_out": False}, None)
    client = client_for(owner)
    walked["login"] = ({}, {}, owner)

    order = add_live_order(world, "paid", "0101")
    ok(client.post(f"{base}/orders/{order.id}/refund", {"amount_fen": 100, "reason": "坏果"}))
    refund = _last(shop, "refund")
    assert (refund.before, refund.after["refunded_fen"]) == ({"refunded_fen": 0}, 100)
    assert refund.after["amount_fen"] == 100 and refund.after["reason"] == "坏果"
    assert (refund.target_type, refund.target_id, refund.target_label) == ("order", str(order.id), order.number)
    walked["refund"] = (refund.before, refund.after, owner)

    ok(client.post(f"{base}/withdrawals/{ids['withdrawal_id']}/approve"))
    walked["withdrawal.approve"] = ({"status": "requested"}, {"status": "approved", "amount_fen": 1000}, owner)
    ok(client.post(f"{base}/withdrawals/{ids['withdrawal_id']}/paid"))
    walked["withdrawal.mark_paid"] = ({"status": "approved"}, {"status": "paid", "amount_fen": 1000}, owner)
    other = Withdrawal.objects.create(shop=shop, leader_id=ids["leader_id"], amount_fen=500)
    ok(client.post(f"{base}/withdrawals/{other.id}/reject", {"reason": "账户有误"}))
    walked["withdrawal.reject"] = (
        {"status": "requested"},
        {"status": "rejected", "amount_fen": 500, "reason": "账户有误"},
        owner,
    )

    staff_in = {"username": "au_cashier", "role": "finance", "password": "Pw-12345678"}
    added = ok(client.post(f"{base}/staff", staff_in), 201)
    walked["staff.add"] = ({}, {"role": "finance"}, owner)
    ok(client.patch(f"{base}/staff/{added['id']}", {"role": "support"}))
    walked["staff.update"] = ({"role": "finance"}, {"role": "support"}, owner)

    skus = [{"id": ids["sku_id"], "price_fen": 6500}]
    ok(client.patch(f"{base}/products/{ids['product_id']}", {"name": "AU大芒果", "skus": skus}))
    walked["product.update"] = (
        {"name": "AU芒果", f"skus.{ids['sku_id']}.price_fen": 5900},
        {"name": "AU大芒果", f"skus.{ids['sku_id']}.price_fen": 6500},
        owner,
    )
    ok(client.post(f"{base}/skus/{ids['sku_id']}/stock-adjustments", {"delta": -3, "reason": "damage"}), 201)
    stock = _last(shop, "stock.adjust")
    walked["stock.adjust"] = ({"stock": stock.after["stock"] + 3}, {**stock.after, "reason": "damage"}, owner)

    campaign = draft_campaign(world)
    items = [{"sku_id": ids["sku_id"], "price_fen": 3900, "stock_allotted": 20}]
    ok(client.patch(f"{base}/campaigns/{campaign.id}", {"items": items}))
    sku = ids["sku_id"]
    walked["campaign.update"] = (
        {f"items.{sku}.price_fen": 4900, f"items.{sku}.stock_allotted": 10},
        {f"items.{sku}.price_fen": 3900, f"items.{sku}.stock_allotted": 20},
        owner,
    )
    ok(client.post(f"{base}/campaigns/{campaign.id}/cancel", {"reason": "货源断了"}))
    walked["campaign.cancel"] = ({"status": "draft"}, {"status": "cancelled", "reason": "货源断了"}, owner)

    ok(client.patch(f"{base}/settings", {"city": "泉州", "after_sales_days": 3}))
    walked["shop.settings"] = ({"city": "厦门", "after_sales_days": 7}, {"city": "泉州", "after_sales_days": 3}, owner)
    ok(client.patch(f"{base}/payment-settings", {"provider": "sandbox"}))
    paid = _last(shop, "payment.settings")
    assert "alipay_private_key_encrypted" not in paid.after  # no secret changed, none named
    walked["payment.settings"] = (
        {"provider": "platform"},
        {"provider": "sandbox"},
        owner,
    )
    ok(client.patch(f"{base}/approvals/policy", {"refund_over_fen": 50000}))
    walked["approval.settings"] = ({"refund_over_fen": None}, {"refund_over_fen": 50000}, owner)

    assert client.get(f"{base}/orders/export.xlsx", {"phone": "137"}).status_code == 200
    walked["export.orders"] = ({}, {"phone": "137"}, owner)
    assert client.get(f"{base}/leaders/export.xlsx").status_code == 200
    walked["export.leaders"] = ({}, {}, owner)

    ok(
        client.post(
            f"{base}/leader-applications/bulk-reject", {"application_ids": [ids["application_id"]], "reason": "x"}
        )
    )
    walked["bulk.applications"] = ({}, {"approve": False, "done": [ids["application_id"]], "failed": 0}, owner)

    # Partner stores (核销门店): a new PIN is changed, never written down
    store = ok(client.post(f"{base}/voucher-stores", {"name": "AU洗车行", "pin": "2468"}), 201)
    walked["voucher_store.create"] = ({}, {"name": "AU洗车行"}, owner)
    ok(client.patch(f"{base}/voucher-stores/{store['id']}", {"is_active": False, "pin": "1357"}))
    walked["voucher_store.update"] = ({}, {"is_active": False, "new_link": False}, owner)
    assert "pin" not in _last(shop, "voucher_store.update").after

    # Stock moved to a front warehouse and part of it back to the central store
    warehouse = Warehouse.objects.get(pk=ids["warehouse_id"])  # holds 5 of the SKU
    transfers = f"{base}/warehouses/{warehouse.id}/transfers"
    line = {"sku_id": ids["sku_id"], "quantity": 5}
    ok(client.post(transfers, {"direction": "to_warehouse", "lines": [line]}), 201)
    ok(client.post(transfers, {"direction": "to_central", "lines": [{**line, "quantity": 2}], "note": "滞销"}), 201)
    moved = _last(shop, "stock.transfer")
    assert (moved.target_type, moved.target_id, moved.target_label) == ("warehouse", str(warehouse.id), warehouse.name)
    assert [(row["sku_id"], row["quantity"]) for row in moved.after["lines"]] == [(ids["sku_id"], 2)]
    walked["stock.transfer"] = ({}, {"direction": "to_central", "note": "滞销"}, owner)
    assert AuditRecord.objects.filter(shop=shop, action="stock.transfer").count() == 2
    assert WarehouseStock.objects.get(warehouse=warehouse, sku_id=ids["sku_id"]).quantity == 5 + 5 - 2

    # The list of actions is walked whole: a new action needs its line here.
    assert set(walked) == set(ACTIONS) - NOT_WALKED_HERE
    for action, (before, after, actor) in walked.items():
        record = _last(shop, action)
        assert record.ip == IP, action
        assert record.actor_id == (actor.id if actor else None), action
        assert record.created_at is not None and record.request_id, action
        assert {key: record.before.get(key) for key in before} == before, action
        assert {key: record.after.get(key) for key in after} == after, action


def test_an_unchanged_edit_is_not_recorded_and_a_refused_one_leaves_nothing():
    world = build_world("AV", 13700000100)
    client = client_for(world["owner"])
    base = f"console/shops/{world['shop'].id}"
    ok(client.patch(f"{base}/settings", {"city": "厦门"}))
    response = client.patch(f"{base}/settings", {"city": "泉州", "default_commission_rate_bp": 9000})
    assert response.status_code == 400
    assert not AuditRecord.objects.filter(shop=world["shop"], action="shop.settings").exists()


def test_records_cannot_be_changed_or_removed_through_the_model():
    world = build_world("AW", 13700000200)
    client_for(world["owner"])
    record = AuditRecord.objects.get(shop=world["shop"], action="login")
    record.action = "refund"
    with pytest.raises(AppendOnly):
        record.save()
    with pytest.raises(AppendOnly):
        record.delete()
    with pytest.raises(AppendOnly):
        AuditRecord.objects.filter(pk=record.pk).update(ip="10.0.0.1")
    with pytest.raises(AppendOnly):
        AuditRecord.objects.filter(pk=record.pk).delete()
    record.refresh_from_db()
    assert (record.action, record.ip) == ("login", IP)


@pytest.mark.postgres
def test_postgresql_refuses_update_and_delete_of_a_record_from_any_client(require_postgres):
    world = build_world("AX", 13700000300)
    client_for(world["owner"])
    record = AuditRecord.objects.get(shop=world["shop"], action="login")
    for sql in (
        "UPDATE audit_auditrecord SET ip = '10.0.0.1' WHERE id = %s",
        "DELETE FROM audit_auditrecord WHERE id = %s",
    ):
        with pytest.raises(DatabaseError) as refused, transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [record.pk])
        assert "append-only" in str(refused.value)
    assert AuditRecord.objects.filter(pk=record.pk, ip=IP).exists()


def test_the_console_log_filters_exports_and_is_for_owner_and_admin_only():
    world = build_world("AK", 13700000400)
    shop, base = world["shop"], f"console/shops/{world['shop'].id}"
    owner = client_for(world["owner"])
    ok(owner.patch(f"{base}/settings", {"city": "泉州"}))
    admin = add_staff(world, Staff.Role.ADMIN)
    client_for(admin.user)

    everything = ok(owner.get(f"{base}/audit"))
    # newest first; build_world added a partner store (vouchers) and market rows before anyone logged in
    assert [row["action"] for row in everything["items"]] == [
        "login",
        "shop.settings",
        "login",
        "market.adopt",
        "market.withdraw",
        "market.publish",
        "voucher_store.create",
    ]
    settings_row = ok(owner.get(f"{base}/audit", {"action": "shop.settings"}))["items"]
    assert [(r["action_label"], r["before"], r["after"]) for r in settings_row] == [
        ("修改店铺设置", {"city": "厦门"}, {"city": "泉州"})
    ]
    assert ok(owner.get(f"{base}/audit", {"actor_id": admin.user_id}))["count"] == 1
    assert ok(owner.get(f"{base}/audit", {"target_type": "shop"}))["count"] == 1
    today = timezone.localdate(timezone=timezone.get_fixed_timezone(8 * 60))
    assert ok(owner.get(f"{base}/audit", {"date_from": today, "date_to": today}))["count"] == 7
    assert ok(owner.get(f"{base}/audit", {"date_to": today - timedelta(days=1)}))["count"] == 0
    filters = ok(owner.get(f"{base}/audit/filters"))
    assert {"value": "refund", "label": "退款"} in filters["actions"] and filters["target_types"] == [
        "market_link",
        "redemptionstore",
        "shop",
        "supply_offer",
        "user",
    ]

    exported = owner.get(f"{base}/audit/export.xlsx", {"action": "shop.settings"})
    assert exported.status_code == 200
    sheet = load_workbook(BytesIO(exported.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("时间", "操作", "操作人", "IP", "对象类型", "对象", "修改前", "修改后")
    assert rows[1][1:] == ("修改店铺设置", "AK店主", IP, "shop", f"AK店 #{shop.id}", "city: 厦门", "city: 泉州")

    finance = add_staff(world, Staff.Role.FINANCE)
    assert client_for(finance.user).get(f"{base}/audit").status_code == 403
    assert client_for(admin.user).get(f"{base}/audit").status_code == 200
    assert owner.get(f"{base}/audit", {"actor_id": 2**63}).status_code in (400, 422)


def test_failed_logins_of_unknown_names_and_phones_keep_who_tried_and_from_where():
    """No account, no shop: kept for the platform with the name or phone tried and the IP. A wrong
    SMS code of a staff member goes into their shop's log."""
    from tuangou.accounts.testing import PRIVACY_CONSENT

    world = build_world("AF", 13700000300)
    owner = world["owner"]
    owner.phone = "13700000399"
    owner.save(update_fields=["phone"])
    stranger = ApiClient()
    stranger.client.defaults["REMOTE_ADDR"] = IP
    assert stranger.post("auth/login", {"username": "no_such_person", "password": "guess-1234"}).status_code == 401
    record = AuditRecord.objects.filter(action="login_failed").latest("id")
    assert (record.shop_id, record.actor_id, record.actor_name, record.ip) == (None, None, "no_such_person", IP)
    assert record.after == {"username": "no_such_person", "locked_out": False}

    def sms_login(phone: str, code: str, send: bool = True) -> AuditRecord:
        if send:
            assert stranger.post("auth/sms/send", {"phone": phone}).status_code == 200
        answer = stranger.post("auth/sms/login", {"phone": phone, "code": code, **PRIVACY_CONSENT})
        assert answer.status_code == 400, answer.content
        return AuditRecord.objects.filter(action="login_failed").latest("id")

    unknown = sms_login("13912345670", "000000")
    assert (unknown.shop_id, unknown.actor_id, unknown.actor_name, unknown.ip) == (None, None, "13912345670", IP)
    assert unknown.after == {"phone": "13912345670", "reason": "sms_code_invalid"}

    staff = sms_login(owner.phone, "000000")
    assert (staff.shop_id, staff.actor_name, staff.ip) == (world["shop"].id, owner.phone, IP)
    assert (staff.target_type, staff.target_id) == ("user", str(owner.id))

    missing = sms_login("13912345671", "123456", send=False)  # no code was ever sent
    assert (missing.actor_name, missing.after["reason"], missing.ip) == ("13912345671", "sms_code_missing", IP)
