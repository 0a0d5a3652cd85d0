"""The whole group-buy loop, driven over real HTTP against a running server, by the three roles:

merchant creates a product and a campaign → a leader applies and is approved → a member finds
the nearby leader, orders and pays (signed callback from the sandbox gateway) → cut-off →
sheets → shipped → arrival and pickup notice → pickup by code → commission settles after the
after-sales window → the leader withdraws it.
"""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.utils import timezone

from tuangou.accounts.testing import HttpApiClient
from tuangou.commissions.tasks import commissions_settle_due
from tuangou.core.testing import body, ok

pytestmark = pytest.mark.django_db(transaction=True)

XIADA = {"lat": 24.4376, "lng": 118.0963}  # 厦门大学


def test_the_whole_loop_over_http(live_server, settings):
    settings.SITE_URL = live_server.url  # the payment gateway calls us back here
    url = live_server.url

    # Given a merchant who signs up and opens a shop
    merchant = HttpApiClient(url)
    ok(
        merchant.post(
            "auth/signup", {"username": "lin_xiaoyan", "password": "Ludao-Fresh-2026", "display_name": "林晓燕"}
        ),
        201,
    )
    shop = ok(merchant.post("shops", {"name": "鹭岛鲜生", "category": "生鲜果蔬", "city": "厦门"}), 201)
    console = f"console/shops/{shop['id']}"
    ok(merchant.patch(f"{console}/settings", {"after_sales_days": 0, "default_commission_rate_bp": 1000}))

    # ... with a product of two specs, in fen
    category = ok(merchant.post(f"{console}/categories", {"name": "蛋品"}), 201)
    product = ok(
        merchant.post(
            f"{console}/products",
            {
                "name": "农家土鸡蛋",
                "category_id": category["id"],
                "unit": "盒",
                "skus": [
                    {"spec": "30枚装", "price_fen": 3990, "cost_fen": 2600, "stock": 100},
                    {"spec": "15枚装", "price_fen": 2190, "cost_fen": 1400, "stock": 50},
                ],
            },
        ),
        201,
    )
    big, small = product["skus"]

    # A neighbour applies to be a leader from the recruitment page, and is approved
    leader = HttpApiClient(url)
    leader.login_sms("13950000001")
    plan = ok(leader.get(f"shops/{shop['id']}/recruitment"))
    assert plan["title"]
    application = ok(
        leader.post(
            f"shops/{shop['id']}/leader-applications",
            {
                "name": "黄美玲",
                "phone": "13950000001",
                "community": "厦大西村",
                "address": "思明区大学路168号",
                **XIADA,
                "households": 800,
                "reach": "小区业主微信群",
            },
        ),
        201,
    )
    assert ok(merchant.get(f"{console}/leader-applications", {"status": "pending"}))["count"] == 1
    approved = ok(
        merchant.post(
            f"{console}/leader-applications/{application['id']}/approve",
            {"route": "思明线", "point_name": "西村快递驿站"},
        ),
        201,
    )
    leader_id = approved["id"]
    assert approved["status"] == "active"
    assert ok(leader.get("auth/me"))["leader_of"][0]["leader_id"] == leader_id

    # The merchant opens a campaign of both specs and publishes it; the leader joins it
    now = timezone.now()
    campaign = ok(
        merchant.post(
            f"{console}/campaigns",
            {
                "title": "周末鲜蛋团",
                "template": "fast",
                "threshold_type": "members",
                "threshold_value": 1,
                "starts_at": (now - timedelta(minutes=1)).isoformat(),
                "cutoff_at": (now + timedelta(hours=2)).isoformat(),
                "pickup_at": (now + timedelta(days=1)).isoformat(),
                "items": [
                    {"sku_id": big["id"], "price_fen": 3290, "stock_allotted": 20, "purchase_limit": 3},
                    {"sku_id": small["id"], "price_fen": 1890, "stock_allotted": 10, "purchase_limit": 3},
                ],
            },
        ),
        201,
    )
    assert ok(merchant.post(f"{console}/campaigns/{campaign['id']}/publish"))["status"] == "live"
    ok(leader.post(f"shops/{shop['id']}/leader/campaigns/{campaign['id']}/join"))

    # A member nearby finds the leader, binds to them, and orders two items
    member = HttpApiClient(url)
    member.login_sms("13700000001")
    nearby = ok(member.get(f"shops/{shop['id']}/pickup-points/nearby", {"lat": 24.4390, "lng": 118.0950}))
    nearest = nearby[0]
    assert nearest["community"] == "厦大西村"
    assert nearest["distance_m"] < 300
    assert "****" in nearest["leader_phone"]
    ok(member.put(f"shops/{shop['id']}/my-leader", {"leader_id": leader_id}))
    detail = ok(member.get(f"shops/{shop['id']}/campaigns/{campaign['id']}"))
    items = {item["spec"]: item["id"] for item in detail["items"]}
    order = ok(
        member.post(
            f"shops/{shop['id']}/orders",
            {
                "campaign_id": campaign["id"],
                "items": [
                    {"campaign_item_id": items["30枚装"], "quantity": 2},
                    {"campaign_item_id": items["15枚装"], "quantity": 1},
                ],
            },
            headers={"Idempotency-Key": "loop-order-1"},
        ),
        201,
    )
    assert order["total_fen"] == 2 * 3290 + 1890
    assert order["status"] == "pending_payment"

    # ... and pays on the sandbox page; the gateway's signed notify reaches the server over HTTP
    payment = ok(member.post(f"shops/{shop['id']}/orders/{order['id']}/pay"))
    page = member.raw("get", payment["pay_url"])
    assert page.status_code == 200 and "确认支付" in page.content.decode()
    confirmed = member.post_form(payment["pay_url"], {"action": "confirm"})
    assert confirmed.status_code == 200 and "支付成功" in confirmed.content.decode()
    paid = ok(member.get(f"shops/{shop['id']}/orders/{order['id']}"))
    assert paid["status"] == "paid"
    pickup_code = paid["pickup_code"]

    # Cut-off: the merchant closes the campaign; one member reached the threshold of one
    ok(merchant.post(f"{console}/campaigns/{campaign['id']}/close"))
    assert ok(merchant.get(f"{console}/campaigns/{campaign['id']}"))["status"] == "succeeded"
    assert ok(member.get(f"shops/{shop['id']}/orders/{order['id']}"))["status"] == "confirmed"

    # Sheets: buy what was sold, ship per point, sort per member — as JSON, Excel and PDF
    purchase = ok(merchant.get(f"{console}/campaigns/{campaign['id']}/sheets/purchase"))
    quantities = {row["spec"]: row["quantity"] for row in purchase["items"]}
    assert quantities == {"30枚装": 2, "15枚装": 1}
    shipping = ok(merchant.get(f"{console}/campaigns/{campaign['id']}/sheets/shipping"))
    assert "西村快递驿站" in str(shipping)
    sorting = ok(merchant.get(f"{console}/campaigns/{campaign['id']}/sheets/sorting"))
    assert pickup_code in str(sorting)
    excel = merchant.get(f"{console}/campaigns/{campaign['id']}/sheets/purchase.xlsx")
    assert excel.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(body(excel)))
    cells = [cell for row in workbook.active.iter_rows(values_only=True) for cell in row]
    assert "农家土鸡蛋" in cells
    pdf = merchant.get(f"{console}/campaigns/{campaign['id']}/sheets/sorting.pdf")
    assert pdf.status_code == 200 and body(pdf).startswith(b"%PDF")

    # Shipped to the point; the leader confirms arrival and sends the one-click notice
    ok(merchant.post(f"{console}/campaigns/{campaign['id']}/ship", {"pickup_point_ids": None}))
    ok(leader.post(f"shops/{shop['id']}/leader/campaigns/{campaign['id']}/arrived"))
    notice = ok(leader.post(f"shops/{shop['id']}/leader/campaigns/{campaign['id']}/pickup-notice"))
    assert notice["notified_members"] == 1
    messages = ok(member.get(f"shops/{shop['id']}/messages"))
    assert messages["unread_count"] == 2  # the campaign formed at cut-off, then the pickup notice
    assert pickup_code in messages["items"][0]["body"]
    assert messages["items"][1]["title"] == "团购已成团"

    # The member shows the code; a wrong code is refused, the right one verifies
    wrong = leader.post(
        f"shops/{shop['id']}/leader/pickups/verify", {"code": "00000000" if pickup_code != "00000000" else "11111111"}
    )
    assert wrong.status_code == 404
    assert wrong.json() == {"code": "pickup_code_invalid", "message": "提货码无效", "field": "code"}
    ok(leader.post(f"shops/{shop['id']}/leader/pickups/verify", {"code": pickup_code}))
    assert ok(member.get(f"shops/{shop['id']}/orders/{order['id']}"))["status"] == "picked_up"

    # Commission: 10 % of what was paid, pending until the (zero-day) after-sales window closes
    expected = (2 * 3290 + 1890) * 1000 // 10000
    commission = ok(leader.get(f"shops/{shop['id']}/leader/commission"))
    assert (commission["pending_fen"], commission["withdrawable_fen"]) == (expected, 0)
    commissions_settle_due()  # the scheduled job, as the worker runs it
    commission = ok(leader.get(f"shops/{shop['id']}/leader/commission"))
    assert (commission["pending_fen"], commission["withdrawable_fen"]) == (0, expected)

    # The leader withdraws it; finance (the owner here) approves and pays
    withdrawal = ok(
        leader.post(f"shops/{shop['id']}/leader/withdrawals", {"amount_fen": expected, "account": "微信零钱"}), 201
    )
    ok(merchant.post(f"{console}/withdrawals/{withdrawal['id']}/approve"))
    assert ok(merchant.post(f"{console}/withdrawals/{withdrawal['id']}/paid"))["status"] == "paid"
    assert ok(leader.get(f"shops/{shop['id']}/leader/commission"))["withdrawable_fen"] == 0

    # Every transition of the order is on record
    events = [e["type"] for e in ok(merchant.get(f"{console}/orders/{order['id']}"))["events"]]
    assert events[0] == "placed" and "paid" in events and "shipped" in events and "picked_up" in events
