"""Role matrix: every staff role tries every console operation of its own shop.

The permission each operation checks is declared here, once; the OpenAPI document is the list
of operations, so a new console endpoint fails this file until its permission is declared.
A role without the permission gets 403 permission_denied and changes nothing; a role with it
gets past the check (whatever the world then allows: 200, 404, 409, 422).
"""

import io
import json
import re

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from config.api import api
from tuangou.accounts.models import User
from tuangou.accounts.testing import ApiClient
from tuangou.campaigns.models import Campaign
from tuangou.core.testing import body as read_body
from tuangou.core.testing import ok
from tuangou.orders.models import AfterSaleRequest, Order
from tuangou.payments.models import Payment
from tuangou.shops.models import Shop, Staff
from tuangou.shops.permissions import PERMISSIONS, ROLE_GRANTORS, ROLE_PERMISSIONS, role_has
from tuangou.shops.tests.factories import PASSWORD

from .openapi_bodies import request_body
from .world import add_live_order, add_paid_trade, add_staff, build_world

pytestmark = pytest.mark.django_db
PARAM = re.compile(r"{(\w+)}")
CONSOLE = "/api/console/shops/{shop_id}"
ROLES = list(Staff.Role.values)

# The permission each console operation checks first (access_shop_as_staff(request, shop_id, ...)).
OPERATION_PERMISSIONS = {
    # shops/api.py
    f"GET {CONSOLE}/settings": "settings.view",
    f"PATCH {CONSOLE}/settings": "shop.settings",
    f"GET {CONSOLE}/roles": "staff.view",
    f"GET {CONSOLE}/permissions": "staff.view",
    f"GET {CONSOLE}/staff": "staff.manage",
    f"POST {CONSOLE}/staff": "staff.manage",
    f"PATCH {CONSOLE}/staff/{{staff_id}}": "staff.manage",
    # catalog/api.py
    f"GET {CONSOLE}/categories": "catalog.view",
    f"POST {CONSOLE}/categories": "catalog.manage",
    f"PATCH {CONSOLE}/categories/{{category_id}}": "catalog.manage",
    f"DELETE {CONSOLE}/categories/{{category_id}}": "catalog.manage",
    f"GET {CONSOLE}/products": "catalog.view",
    f"POST {CONSOLE}/products": "catalog.manage",
    f"GET {CONSOLE}/products/{{product_id}}": "catalog.view",
    f"PATCH {CONSOLE}/products/{{product_id}}": "catalog.manage",
    f"POST {CONSOLE}/products/{{product_id}}/on-shelf": "catalog.manage",
    f"POST {CONSOLE}/products/{{product_id}}/off-shelf": "catalog.manage",
    f"POST {CONSOLE}/products/{{product_id}}/images": "catalog.manage",
    f"PUT {CONSOLE}/products/{{product_id}}/images/order": "catalog.manage",
    f"DELETE {CONSOLE}/products/{{product_id}}/images/{{image_id}}": "catalog.manage",
    f"POST {CONSOLE}/skus/{{sku_id}}/stock-adjustments": "catalog.stock",
    f"GET {CONSOLE}/skus/{{sku_id}}": "catalog.view",
    f"GET {CONSOLE}/skus/{{sku_id}}/stock-movements": "catalog.view",
    # campaigns/api.py
    f"GET {CONSOLE}/campaigns": "campaigns.view",
    f"POST {CONSOLE}/campaigns": "campaigns.manage",
    f"GET {CONSOLE}/campaigns/{{campaign_id}}": "campaigns.view",
    f"PATCH {CONSOLE}/campaigns/{{campaign_id}}": "campaigns.manage",
    f"POST {CONSOLE}/campaigns/{{campaign_id}}/publish": "campaigns.manage",
    f"POST {CONSOLE}/campaigns/{{campaign_id}}/start": "campaigns.manage",
    f"POST {CONSOLE}/campaigns/{{campaign_id}}/close": "campaigns.manage",
    f"POST {CONSOLE}/campaigns/{{campaign_id}}/extend-cutoff": "campaigns.manage",
    f"POST {CONSOLE}/campaigns/{{campaign_id}}/decide": "campaigns.manage",
    f"POST {CONSOLE}/campaigns/{{campaign_id}}/cancel": "campaigns.manage",
    f"POST {CONSOLE}/campaigns/{{campaign_id}}/duplicate": "campaigns.manage",
    # leaders/api.py
    f"GET {CONSOLE}/recruitment-plan": "leaders.view",
    f"PUT {CONSOLE}/recruitment-plan": "leaders.manage",
    f"GET {CONSOLE}/recruitment-plan/templates": "leaders.view",
    # sharing/api.py
    f"GET {CONSOLE}/recruitment-plan/qr.png": "leaders.view",
    f"GET {CONSOLE}/recruitment-plan/poster.png": "leaders.view",
    f"GET {CONSOLE}/leader-applications": "leaders.view",
    f"POST {CONSOLE}/leader-applications/bulk-approve": "leaders.manage",
    f"POST {CONSOLE}/leader-applications/bulk-reject": "leaders.manage",
    f"POST {CONSOLE}/leader-applications/{{application_id}}/approve": "leaders.manage",
    f"POST {CONSOLE}/leader-applications/{{application_id}}/reject": "leaders.manage",
    f"GET {CONSOLE}/leaders": "leaders.view",
    f"GET {CONSOLE}/leaders/export.xlsx": "leaders.view",
    f"GET {CONSOLE}/leaders/{{leader_id}}": "leaders.view",
    f"PATCH {CONSOLE}/leaders/{{leader_id}}": "leaders.manage",
    f"POST {CONSOLE}/leaders/{{leader_id}}/suspend": "leaders.manage",
    f"POST {CONSOLE}/leaders/{{leader_id}}/reactivate": "leaders.manage",
    f"POST {CONSOLE}/leaders/{{leader_id}}/clear": "leaders.manage",
    f"GET {CONSOLE}/teams": "leaders.view",
    f"POST {CONSOLE}/teams": "leaders.manage",
    f"PATCH {CONSOLE}/teams/{{team_id}}": "leaders.manage",
    f"DELETE {CONSOLE}/teams/{{team_id}}": "leaders.manage",
    f"GET {CONSOLE}/regions": "leaders.view",
    f"POST {CONSOLE}/regions": "leaders.manage",
    f"PATCH {CONSOLE}/regions/{{region_id}}": "leaders.manage",
    f"DELETE {CONSOLE}/regions/{{region_id}}": "leaders.manage",
    # orders/api.py
    f"GET {CONSOLE}/orders": "orders.view",
    f"POST {CONSOLE}/orders/verify-pickup": "orders.manage",
    f"GET {CONSOLE}/orders/{{order_id}}": "orders.view",
    f"POST {CONSOLE}/orders/{{order_id}}/cancel": "orders.manage",  # + orders.refund unless unpaid: SECOND_CHECKS
    f"POST {CONSOLE}/orders/{{order_id}}/refund": "orders.refund",
    f"GET {CONSOLE}/after-sales": "orders.view",
    f"GET {CONSOLE}/orders/export.xlsx": "orders.view",
    # insights/api.py
    f"GET {CONSOLE}/dashboard": "dashboard.view",
    f"GET {CONSOLE}/analytics/margins": "dashboard.view",
    f"GET {CONSOLE}/campaigns/{{campaign_id}}/forecast": "fulfilment.view",
    f"GET {CONSOLE}/analytics/repeat": "dashboard.view",
    f"GET {CONSOLE}/analytics/pickup": "dashboard.view",
    f"GET {CONSOLE}/analytics/export.xlsx": "dashboard.view",
    f"GET {CONSOLE}/analytics/idle-leaders": "leaders.view",
    f"POST {CONSOLE}/analytics/idle-leaders/nudge": "leaders.manage",
    # vouchers/api.py
    f"GET {CONSOLE}/vouchers": "orders.view",
    f"GET {CONSOLE}/orders/{{order_id}}/vouchers": "orders.view",
    f"GET {CONSOLE}/vouchers/lookup": "orders.manage",
    f"POST {CONSOLE}/vouchers/redeem": "orders.manage",
    f"GET {CONSOLE}/voucher-stores": "orders.view",
    f"POST {CONSOLE}/voucher-stores": "shop.settings",
    f"PATCH {CONSOLE}/voucher-stores/{{store_id}}": "shop.settings",
    # market/api.py
    f"GET {CONSOLE}/market/offers": "catalog.view",
    f"POST {CONSOLE}/market/offers/{{offer_id}}/adopt": "catalog.manage",
    f"GET {CONSOLE}/market/links": "catalog.view",
    f"POST {CONSOLE}/market/links/{{link_id}}/allot": "catalog.stock",
    f"POST {CONSOLE}/market/links/{{link_id}}/return": "catalog.stock",
    f"GET {CONSOLE}/market/settlements": "payments.reconcile",
    f"POST {CONSOLE}/market/settlements/settle": "payments.reconcile",
    f"GET {CONSOLE}/orders/{{order_id}}/dropships": "orders.view",
    f"GET {CONSOLE}/supply/offers": "catalog.view",
    f"POST {CONSOLE}/supply/offers": "catalog.manage",
    f"POST {CONSOLE}/supply/offers/{{offer_id}}/withdraw": "catalog.manage",
    f"GET {CONSOLE}/supply/dropships": "orders.view",
    f"POST {CONSOLE}/supply/dropships/{{dropship_id}}/ship": "fulfilment.ship",
    f"POST {CONSOLE}/supply/dropships/{{dropship_id}}/deliver": "fulfilment.ship",
    f"GET {CONSOLE}/supply/settlements": "payments.reconcile",
    f"GET {CONSOLE}/topups": "orders.view",
    # the generated body asks for action=refund (the first choice): the refund permission alone;
    # action=reject needs orders.manage (tested below)
    f"POST {CONSOLE}/after-sales/{{after_sale_id}}/resolve": "orders.refund",
    # fulfilment/api.py
    f"GET {CONSOLE}/campaigns/{{campaign_id}}/sheets/{{kind}}.xlsx": "fulfilment.view",
    f"GET {CONSOLE}/campaigns/{{campaign_id}}/sheets/{{kind}}.pdf": "fulfilment.view",
    f"GET {CONSOLE}/campaigns/{{campaign_id}}/sheets/{{kind}}": "fulfilment.view",
    f"POST {CONSOLE}/campaigns/{{campaign_id}}/ship": "fulfilment.ship",
    f"GET {CONSOLE}/campaigns/{{campaign_id}}/shipments": "fulfilment.view",
    f"POST {CONSOLE}/campaigns/{{campaign_id}}/exports": "fulfilment.view",
    f"GET {CONSOLE}/exports/{{export_id}}": "fulfilment.view",
    f"GET {CONSOLE}/exports/{{export_id}}/download": "fulfilment.view",
    # warehouses/api.py
    f"GET {CONSOLE}/warehouses": "fulfilment.view",
    f"POST {CONSOLE}/warehouses": "warehouses.manage",
    f"GET {CONSOLE}/warehouses/{{warehouse_id}}": "fulfilment.view",
    f"PATCH {CONSOLE}/warehouses/{{warehouse_id}}": "warehouses.manage",
    f"GET {CONSOLE}/warehouses/{{warehouse_id}}/stock": "fulfilment.view",
    f"GET {CONSOLE}/warehouses/{{warehouse_id}}/transfers": "fulfilment.view",
    f"POST {CONSOLE}/warehouses/{{warehouse_id}}/transfers": "catalog.stock",
    f"GET {CONSOLE}/couriers": "fulfilment.view",
    f"POST {CONSOLE}/couriers": "warehouses.manage",
    f"PATCH {CONSOLE}/couriers/{{courier_id}}": "warehouses.manage",
    f"GET {CONSOLE}/campaigns/{{campaign_id}}/delivery-sheet.xlsx": "fulfilment.view",
    f"GET {CONSOLE}/campaigns/{{campaign_id}}/delivery-sheet.pdf": "fulfilment.view",
    f"GET {CONSOLE}/campaigns/{{campaign_id}}/delivery-routes": "fulfilment.view",
    f"POST {CONSOLE}/campaigns/{{campaign_id}}/delivery-routes": "warehouses.manage",
    f"PATCH {CONSOLE}/delivery-routes/{{route_id}}": "warehouses.manage",
    # commissions/api.py: leader incentives
    f"GET {CONSOLE}/incentives/plan": "leaders.view",
    f"PATCH {CONSOLE}/incentives/plan": "leaders.manage",
    f"GET {CONSOLE}/incentives/levels": "leaders.view",
    f"POST {CONSOLE}/incentives/levels": "leaders.manage",
    f"GET {CONSOLE}/incentives/levels/export.xlsx": "leaders.view",
    f"PATCH {CONSOLE}/incentives/levels/{{level_id}}": "leaders.manage",
    f"DELETE {CONSOLE}/incentives/levels/{{level_id}}": "leaders.manage",
    f"POST {CONSOLE}/incentives/level-assessments": "leaders.manage",
    f"GET {CONSOLE}/incentives/referrals": "leaders.view",
    f"GET {CONSOLE}/incentives/referrals/export.xlsx": "leaders.view",
    f"GET {CONSOLE}/incentives/leaderboard": "leaders.view",
    f"GET {CONSOLE}/incentives/leaderboard/export.xlsx": "leaders.view",
    f"GET {CONSOLE}/incentives/awards": "commissions.view",
    f"GET {CONSOLE}/incentives/awards/export.xlsx": "commissions.view",
    # payments/api.py: 支付设置
    f"GET {CONSOLE}/payment-settings": "shop.settings",
    f"PATCH {CONSOLE}/payment-settings": "shop.settings",
    f"POST {CONSOLE}/payment-settings/check": "shop.settings",
    # sharing/api.py: mini-program codes
    f"GET {CONSOLE}/recruitment-plan/wxacode.png": "leaders.view",
    f"GET {CONSOLE}/campaigns/{{campaign_id}}/wxacode.png": "campaigns.view",
    # polls/api.py: 群投票
    f"GET {CONSOLE}/polls": "campaigns.view",
    f"POST {CONSOLE}/polls": "campaigns.manage",
    f"GET {CONSOLE}/polls/{{poll_id}}": "campaigns.view",
    f"POST {CONSOLE}/polls/{{poll_id}}/options/{{option_id}}/image": "campaigns.manage",
    f"POST {CONSOLE}/polls/{{poll_id}}/close": "campaigns.manage",
    f"POST {CONSOLE}/polls/{{poll_id}}/campaign": "campaigns.manage",
    f"GET {CONSOLE}/polls/{{poll_id}}/share": "campaigns.view",
    # audit/api.py
    f"GET {CONSOLE}/audit": "audit.view",
    f"GET {CONSOLE}/audit/filters": "audit.view",
    f"GET {CONSOLE}/audit/export.xlsx": "audit.view",
    f"GET {CONSOLE}/approvals": "shop.view",
    f"POST {CONSOLE}/approvals/{{approval_id}}/approve": "approvals.decide",
    f"POST {CONSOLE}/approvals/{{approval_id}}/reject": "approvals.decide",
    f"GET {CONSOLE}/approvals/policy": "settings.view",
    f"PATCH {CONSOLE}/approvals/policy": "shop.settings",
    # marketing/api.py
    f"GET {CONSOLE}/payment-gifts": "marketing.view",
    f"POST {CONSOLE}/payment-gifts": "marketing.manage",
    f"POST {CONSOLE}/payment-gifts/{{payment_gift_id}}/status": "marketing.manage",
    f"GET {CONSOLE}/coupon-templates": "marketing.view",
    f"GET {CONSOLE}/coupon-templates/export.xlsx": "marketing.view",
    f"POST {CONSOLE}/coupon-templates": "marketing.manage",
    f"POST {CONSOLE}/coupon-templates/{{template_id}}/status": "marketing.manage",
    f"GET {CONSOLE}/coupon-packs": "marketing.view",
    f"POST {CONSOLE}/coupon-packs": "marketing.manage",
    f"GET {CONSOLE}/coupon-allotments": "marketing.view",
    f"POST {CONSOLE}/coupon-allotments": "marketing.manage",
    f"GET {CONSOLE}/full-reductions": "marketing.view",
    f"GET {CONSOLE}/full-reductions/export.xlsx": "marketing.view",
    f"GET {CONSOLE}/coupon-packs/export.xlsx": "marketing.view",
    f"GET {CONSOLE}/payment-gifts/export.xlsx": "marketing.view",
    f"GET {CONSOLE}/coupon-allotments/export.xlsx": "marketing.view",
    f"POST {CONSOLE}/full-reductions": "marketing.manage",
    f"POST {CONSOLE}/full-reductions/{{full_reduction_id}}/status": "marketing.manage",
    # commissions/api.py
    f"GET {CONSOLE}/commissions/leaders": "commissions.view",
    f"GET {CONSOLE}/commissions/leaders/{{leader_id}}/entries": "commissions.view",
    f"GET {CONSOLE}/withdrawals": "withdrawals.manage",
    f"POST {CONSOLE}/withdrawals/{{withdrawal_id}}/approve": "withdrawals.manage",
    f"POST {CONSOLE}/withdrawals/{{withdrawal_id}}/reject": "withdrawals.manage",
    f"POST {CONSOLE}/withdrawals/{{withdrawal_id}}/paid": "withdrawals.manage",
    f"GET {CONSOLE}/reconciliation/runs": "payments.reconcile",
    f"POST {CONSOLE}/reconciliation/runs": "payments.reconcile",
    f"GET {CONSOLE}/reconciliation/runs/{{run_id}}/mismatches": "payments.reconcile",
    f"GET {CONSOLE}/reconciliation/runs/{{run_id}}/export.csv": "payments.reconcile",
    f"POST {CONSOLE}/reconciliation/mismatches/{{mismatch_id}}/resolve": "payments.reconcile",
    # integrations/api.py: 开放平台
    f"GET {CONSOLE}/open-platform/options": "integrations.manage",
    f"GET {CONSOLE}/api-keys": "integrations.manage",
    f"POST {CONSOLE}/api-keys": "integrations.manage",
    f"POST {CONSOLE}/api-keys/{{key_id}}/revoke": "integrations.manage",
    f"GET {CONSOLE}/webhooks": "integrations.manage",
    f"POST {CONSOLE}/webhooks": "integrations.manage",
    f"PATCH {CONSOLE}/webhooks/{{endpoint_id}}": "integrations.manage",
    f"DELETE {CONSOLE}/webhooks/{{endpoint_id}}": "integrations.manage",
    f"GET {CONSOLE}/webhooks/{{endpoint_id}}/secret": "integrations.manage",
    f"POST {CONSOLE}/webhooks/{{endpoint_id}}/rotate-secret": "integrations.manage",
    f"POST {CONSOLE}/webhooks/{{endpoint_id}}/test": "integrations.manage",
    f"GET {CONSOLE}/webhook-deliveries": "integrations.manage",
    f"GET {CONSOLE}/webhook-deliveries/{{delivery_id}}": "integrations.manage",
    f"POST {CONSOLE}/webhook-deliveries/{{delivery_id}}/redeliver": "integrations.manage",
    # feedback/api.py: 团长反馈
    f"GET {CONSOLE}/feedback": "feedback.view",
    f"GET {CONSOLE}/feedback/counts": "feedback.view",
    f"GET {CONSOLE}/feedback/{{feedback_id}}": "feedback.view",
    f"POST {CONSOLE}/feedback/{{feedback_id}}/replies": "feedback.manage",
    f"POST {CONSOLE}/feedback/{{feedback_id}}/status": "feedback.manage",
}

# Operations that check a second permission depending on the object. The world's order is
# paid (arrived), so in the matrix both checks apply; test_cancel_* cover each branch.
SECOND_CHECKS = {
    f"POST {CONSOLE}/orders/{{order_id}}/cancel": "orders.refund",
    # The world's pending approval is a refund: deciding it needs the refund permission too.
    f"POST {CONSOLE}/approvals/{{approval_id}}/approve": "orders.refund",
    f"POST {CONSOLE}/approvals/{{approval_id}}/reject": "orders.refund",
}


def console_operations():
    schema = api.get_openapi_schema()
    components = schema.get("components", {}).get("schemas", {})
    for path, methods in schema["paths"].items():
        if path.startswith(CONSOLE + "/") or path == CONSOLE:
            for method, operation in methods.items():
                yield f"{method.upper()} {path}", method, path, operation, components


def shop_rows(shop: Shop) -> dict:
    """The shop, its staff and every shop-scoped row, plus who has an account (staff_add creates one)."""
    rows = {"shop": json.dumps(Shop.objects.filter(pk=shop.pk).values().get(), default=str, sort_keys=True)}
    for model in apps.get_models():
        if any(f.name == "shop" for f in model._meta.fields):
            rows[model._meta.label] = sorted(
                json.dumps(row, default=str, sort_keys=True) for row in model.objects.filter(shop=shop).values()
            )
    rows["usernames"] = sorted(User.objects.values_list("username", flat=True))
    return rows


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before if before[name] != after[name])


def png_upload() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "orange").save(buffer, format="PNG")
    return SimpleUploadedFile("probe.png", buffer.getvalue(), content_type="image/png")


def staff_world(tag: str = "甲", phone_base: int = 13911110000) -> dict:
    """A world with one logged-in client per role, and a clerk whose staff row the staff
    operations aim at (an owner's row can only be changed by an owner: see its own test)."""
    world = build_world(tag, phone_base)
    # The world's paid order can really be refunded: the gateway holds its money and the
    # campaign counts it (build_world leaves both out).
    add_paid_trade(Payment.objects.get(pk=world["ids"]["payment_id"]))
    Campaign.objects.filter(pk=world["ids"]["campaign_id"]).update(paid_orders=1, paid_quantity=2, paid_amount_fen=9800)
    world["staff"] = {Staff.Role.OWNER: Staff.objects.get(shop=world["shop"], user=world["owner"])}
    for role in ROLES:
        if role != Staff.Role.OWNER:
            world["staff"][role] = add_staff(world, role)
    world["clerk"] = add_staff(world, Staff.Role.SUPPORT)
    world["ids"] = {**world["ids"], "staff_id": world["clerk"].id}
    world["clients"] = {}
    for role, staff in world["staff"].items():
        client = ApiClient()
        client.login_password(staff.user.username, PASSWORD)
        world["clients"][role] = client
    return world


def console_url(world: dict, path: str) -> str:
    return PARAM.sub(lambda m: str(world["ids"][m.group(1)]), path)


def call(client: ApiClient, method: str, url: str, operation: dict, components: dict):
    kind, body = request_body(operation, components)
    if kind == "multipart":
        return client.request(method, url, files={"file": png_upload()})
    if method == "get":
        return client.get(url)
    return client.request(method, url, body if body is not None else {})


def required_permissions(key: str) -> set[str]:
    return {OPERATION_PERMISSIONS[key]} | ({SECOND_CHECKS[key]} if key in SECOND_CHECKS else set())


# --- the declaration covers the API -------------------------------------------------------


def test_every_console_operation_declares_its_permission():
    documented = {key for key, *_ in console_operations()}

    undeclared = sorted(documented - set(OPERATION_PERMISSIONS))
    stale = sorted(set(OPERATION_PERMISSIONS) - documented)

    assert not undeclared, "console operations without a declared permission in tests/test_roles.py:\n" + "\n".join(
        undeclared
    )
    assert not stale, "declared operations that are not in the API any more:\n" + "\n".join(stale)
    unknown = sorted({p for key in OPERATION_PERMISSIONS for p in required_permissions(key)} - set(PERMISSIONS))
    assert not unknown, f"permissions not in shops/permissions.py: {unknown}"
    assert set(SECOND_CHECKS) <= set(OPERATION_PERMISSIONS)
    assert len(documented) >= 70  # the declaration above is the exact list


# --- the matrix ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(role):
    world = staff_world()
    client = world["clients"][role]
    assert Order.objects.get(pk=world["ids"]["order_id"]).status == Order.Status.ARRIVED  # paid: SECOND_CHECKS apply
    mismatches, denied, allowed = [], 0, 0

    for key, method, path, operation, components in console_operations():
        if key not in OPERATION_PERMISSIONS:
            continue  # reported by test_every_console_operation_declares_its_permission
        url = console_url(world, path)
        may = all(role_has(role, p) for p in required_permissions(key))
        before = None if may else shop_rows(world["shop"])

        response = call(client, method, url, operation, components)

        is_json = response.get("Content-Type", "").startswith("application/json")
        text = read_body(response).decode(errors="replace")[:200] if is_json else ""  # a sorting list streams
        if may:
            allowed += 1
            if response.status_code == 403:
                mismatches.append(f"{key}: {role} holds {sorted(required_permissions(key))} but got 403 {text}")
        else:
            denied += 1
            body = response.json() if text else None
            code = body.get("code") if isinstance(body, dict) else None
            if response.status_code != 403 or code != "permission_denied":
                needed = sorted(required_permissions(key))
                mismatches.append(f"{key}: {role} lacks {needed} but got {response.status_code} {text}")
            changes = changed_tables(before, shop_rows(world["shop"]))
            if changes:
                mismatches.append(f"{key}: {role} was denied but changed {changes}")

    assert not mismatches, f"{len(mismatches)} mismatches for role {role}:\n" + "\n".join(mismatches)
    assert allowed + denied == len(OPERATION_PERMISSIONS)
    expected_denied = sum(
        1 for key in OPERATION_PERMISSIONS if not all(role_has(role, p) for p in required_permissions(key))
    )
    assert denied == expected_denied
    if role in (Staff.Role.OWNER, Staff.Role.ADMIN):
        assert denied == 0


# --- the second check of cancel -----------------------------------------------------------


def cancel(world, role, order):
    return world["clients"][role].post(
        f"/api/console/shops/{world['shop'].id}/orders/{order.id}/cancel", {"reason": "客户要求"}
    )


def test_support_cancels_an_unpaid_order_with_orders_manage_alone():
    world = staff_world()
    order = add_live_order(world, Order.Status.PENDING_PAYMENT, "0002")

    body = ok(cancel(world, Staff.Role.SUPPORT, order))

    assert body["status"] == "cancelled"
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert order.refunded_fen == 0


def test_support_cannot_cancel_a_paid_order_because_that_refunds():
    world = staff_world()
    order = add_live_order(world, Order.Status.PAID, "0003")
    before = shop_rows(world["shop"])

    response = cancel(world, Staff.Role.SUPPORT, order)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert shop_rows(world["shop"]) == before


def test_finance_cannot_cancel_even_an_unpaid_order_without_orders_manage():
    world = staff_world()
    order = add_live_order(world, Order.Status.PENDING_PAYMENT, "0004")
    before = shop_rows(world["shop"])

    response = cancel(world, Staff.Role.FINANCE, order)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert shop_rows(world["shop"]) == before


def test_admin_cancels_a_paid_order_with_both_permissions_and_refunds_it():
    world = staff_world()
    order = add_live_order(world, Order.Status.PAID, "0005")

    body = ok(cancel(world, Staff.Role.ADMIN, order))

    assert body["status"] == "refunded"
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == (Order.Status.REFUNDED, 4900)


# --- after-sales: resolving with a refund moves money --------------------------------------


def resolve(world, role, action):
    url = f"/api/console/shops/{world['shop'].id}/after-sales/{world['ids']['after_sale_id']}/resolve"
    return world["clients"][role].post(url, {"action": action, "reason": "核实"})


def test_support_rejects_an_after_sale_request_with_orders_manage():
    world = staff_world()

    body = ok(resolve(world, Staff.Role.SUPPORT, "reject"))

    assert body["status"] == "rejected"
    assert AfterSaleRequest.objects.get(pk=world["ids"]["after_sale_id"]).status == AfterSaleRequest.Status.REJECTED


def test_support_cannot_refund_through_after_sales():
    world = staff_world()
    before = shop_rows(world["shop"])

    response = resolve(world, Staff.Role.SUPPORT, "refund")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert shop_rows(world["shop"]) == before


def test_finance_resolves_after_sales_with_a_refund_as_it_may_refund_directly():
    world = staff_world()

    body = ok(resolve(world, Staff.Role.FINANCE, "refund"))

    assert body["status"] == "refunded"
    assert AfterSaleRequest.objects.get(pk=world["ids"]["after_sale_id"]).status == AfterSaleRequest.Status.REFUNDED


def test_finance_cannot_reject_an_after_sale_request_without_orders_manage():
    world = staff_world()
    before = shop_rows(world["shop"])

    response = resolve(world, Staff.Role.FINANCE, "reject")

    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert shop_rows(world["shop"]) == before


# --- staff: granting roles ------------------------------------------------------------------


def test_admin_cannot_make_anyone_owner():
    world = staff_world()
    admin = world["clients"][Staff.Role.ADMIN]
    base = f"/api/console/shops/{world['shop'].id}/staff"
    before = shop_rows(world["shop"])

    promoted = admin.patch(f"{base}/{world['clerk'].id}", {"role": "owner"})
    invited = admin.post(base, {"username": "new_owner", "role": "owner", "password": "a-strong-pw-123"})

    assert (promoted.status_code, promoted.json()["code"]) == (403, "permission_denied")
    assert (invited.status_code, invited.json()["code"]) == (403, "permission_denied")
    assert shop_rows(world["shop"]) == before


def test_admin_cannot_change_the_owner_but_the_owner_can_make_an_owner():
    world = staff_world()
    base = f"/api/console/shops/{world['shop'].id}/staff"
    owner_row = world["staff"][Staff.Role.OWNER]
    before = shop_rows(world["shop"])

    demoted = world["clients"][Staff.Role.ADMIN].patch(f"{base}/{owner_row.id}", {"role": "support"})

    assert (demoted.status_code, demoted.json()["code"]) == (403, "permission_denied")
    assert shop_rows(world["shop"]) == before

    promoted = ok(world["clients"][Staff.Role.OWNER].patch(f"{base}/{world['clerk'].id}", {"role": "owner"}))

    assert promoted["role"] == "owner"
    assert Staff.objects.get(pk=world["clerk"].id).role == Staff.Role.OWNER


def test_admin_grants_every_role_but_owner():
    world = staff_world()
    admin = world["clients"][Staff.Role.ADMIN]
    url = f"/api/console/shops/{world['shop'].id}/staff/{world['clerk'].id}"

    granted = [ok(admin.patch(url, {"role": role}))["role"] for role in ROLES if role != Staff.Role.OWNER]

    assert granted == ["admin", "operations", "warehouse", "finance", "support"]


# --- the declared table: 角色分离、权限隔离 ----------------------------------------------------


def test_warehouse_cannot_refund_nor_approve_withdrawals():
    warehouse = ROLE_PERMISSIONS[Staff.Role.WAREHOUSE]

    assert "orders.refund" not in warehouse
    assert "withdrawals.manage" not in warehouse
    assert "fulfilment.ship" in warehouse


def test_finance_cannot_edit_products_nor_campaigns():
    finance = ROLE_PERMISSIONS[Staff.Role.FINANCE]

    assert "catalog.manage" not in finance
    assert "campaigns.manage" not in finance
    assert {"orders.refund", "withdrawals.manage"} <= finance


def test_support_cannot_refund_nor_ship():
    support = ROLE_PERMISSIONS[Staff.Role.SUPPORT]

    assert "orders.refund" not in support
    assert "fulfilment.ship" not in support
    assert "orders.manage" in support


def test_only_owner_and_admin_manage_staff_and_settings():
    for permission in ("staff.manage", "shop.settings"):
        holders = {role for role in ROLES if role_has(role, permission)}
        assert holders == {Staff.Role.OWNER, Staff.Role.ADMIN}, permission


def test_warehouse_and_support_cannot_read_settings_roles_nor_the_gmv_dashboard():
    for role in (Staff.Role.WAREHOUSE, Staff.Role.SUPPORT):
        assert not ROLE_PERMISSIONS[role] & {"settings.view", "staff.view", "dashboard.view"}, role
    assert {role for role in ROLES if role_has(role, "dashboard.view")} == {"owner", "admin", "operations", "finance"}
    assert {role for role in ROLES if role_has(role, "settings.view")} == {"owner", "admin", "operations"}
    assert {role for role in ROLES if role_has(role, "staff.view")} == {"owner", "admin"}


@pytest.mark.parametrize("role", [Staff.Role.WAREHOUSE, Staff.Role.SUPPORT])
def test_warehouse_and_support_get_403_on_settings_roles_permissions_and_dashboard(role):
    world = staff_world()
    client = world["clients"][role]
    base = f"/api/console/shops/{world['shop'].id}"

    answers = {path: client.get(f"{base}/{path}") for path in ("settings", "roles", "permissions", "dashboard")}

    assert {path: (r.status_code, r.json()["code"]) for path, r in answers.items()} == {
        "settings": (403, "permission_denied"),
        "roles": (403, "permission_denied"),
        "permissions": (403, "permission_denied"),
        "dashboard": (403, "permission_denied"),
    }


def test_finance_reads_the_dashboard_but_not_the_settings_nor_the_roles():
    world = staff_world()
    client = world["clients"][Staff.Role.FINANCE]
    base = f"/api/console/shops/{world['shop'].id}"

    answers = {path: client.get(f"{base}/{path}").status_code for path in ("settings", "roles", "dashboard")}

    assert answers == {"settings": 403, "roles": 403, "dashboard": 200}


def test_only_the_owner_grants_the_owner_role():
    grantors = {role for role, grantable in ROLE_GRANTORS.items() if Staff.Role.OWNER in grantable}

    assert grantors == {Staff.Role.OWNER}
    assert ROLE_GRANTORS[Staff.Role.ADMIN] == set(ROLES) - {Staff.Role.OWNER}
    assert set(ROLE_GRANTORS) == {Staff.Role.OWNER, Staff.Role.ADMIN}


def test_every_role_declares_known_permissions_and_everyone_sees_the_shop():
    assert set(ROLE_PERMISSIONS) == set(ROLES)
    for role, permissions in ROLE_PERMISSIONS.items():
        assert permissions <= set(PERMISSIONS), role
        assert "shop.view" in permissions, role
    assert ROLE_PERMISSIONS[Staff.Role.OWNER] == ROLE_PERMISSIONS[Staff.Role.ADMIN] == frozenset(PERMISSIONS)
