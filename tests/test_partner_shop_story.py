"""Issue 8's "Done when", as one story over real HTTP against a running server, the WeChat Pay
simulator (v3: signed requests, signed and AEAD-encrypted notifies that reach the server by HTTP)
and the WeChat platform simulator (web authorisation, subscribe messages):

a shop that is the platform's sub-merchant (服务商 partner mode, only its sub_mchid entered) →
a member logs in with WeChat, accepts the pickup notice, orders two items and pays in WeChat's pay
sheet (JSAPI) → the merchant refunds one line → shipped, arrived, the pickup notice arrives as a
WeChat subscribe message, picked up → the leader's commission settles, the leader withdraws it and
the transfer goes out from the shop's sub-merchant.
"""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from simulators.wechat import WechatSimulator
from tuangou.accounts.testing import HttpApiClient
from tuangou.campaigns.models import Campaign
from tuangou.campaigns.tests.factories import CampaignFactory, CampaignItemFactory
from tuangou.commissions.tasks import commissions_settle_due
from tuangou.core.testing import ok
from tuangou.leaders.tests.factories import LeaderFactory
from tuangou.payments import reconciliation
from tuangou.payments.tests.wechatpay_world import SP_APPID, SUB_MCHID, given_wechatpay, sim_post
from tuangou.shops.tests.factories import PASSWORD, ShopFactory, StaffFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SECRET = "official-account-secret"
PICKUP = "tmplPickupStory01"
WECHAT_UA = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Mobile Safari/537.36 MicroMessenger/8.0.50"


@pytest.fixture
def wechatpay(settings, live_server, require_postgres):
    """The platform is a WeChat Pay service provider; its notifies come to the live server over HTTP."""
    world = given_wechatpay(settings, mode="partner")
    world.config["NOTIFY_BASE"] = live_server.url
    settings.WITHDRAWAL_PAYOUT = "wechat_transfer"
    yield world
    world.sim.stop()


@pytest.fixture
def wechat(settings, live_server):
    """WeChat itself: the platform's official account (the app id WeChat Pay trades are opened with)."""
    with WechatSimulator(apps={SP_APPID: SECRET}) as simulator:
        settings.WECHAT_APP_ID, settings.WECHAT_APP_SECRET = SP_APPID, SECRET
        settings.WECHAT_API_BASE = settings.WECHAT_OPEN_BASE = simulator.base_url
        settings.NOTIFICATION_CHANNELS = ["inapp", "sms", "wechat"]
        settings.WECHAT_SUBSCRIBE_TEMPLATES = {SP_APPID: {"pickup_notice": PICKUP}}
        simulator.add_template(SP_APPID, PICKUP, ["thing1", "thing2", "character_string3", "thing4"])
        yield simulator


def given_a_shop_with_a_live_campaign():
    shop = ShopFactory(name="鹭岛鲜生")
    leader = LeaderFactory(shop=shop, name="黄美玲", point__name="西村快递驿站")
    now = timezone.now()
    campaign = CampaignFactory(
        shop=shop,
        title="周末鲜果鲜蛋团",
        status=Campaign.Status.LIVE,
        threshold_value=1,
        starts_at=now - timedelta(hours=1),
        cutoff_at=now + timedelta(hours=2),
        pickup_at=now + timedelta(days=1),
    )
    eggs = CampaignItemFactory(campaign=campaign, price_fen=3290, sku__product__name="土鸡蛋", sku__spec="30枚")
    fruit = CampaignItemFactory(campaign=campaign, price_fen=1990, sku__product__name="红心火龙果", sku__spec="2个装")
    owner = StaffFactory(shop=shop, role="owner")
    return shop, leader, campaign, eggs, fruit, owner


def login_with_wechat(client: HttpApiClient, wechat, who, phone: str, next_path: str) -> None:
    """Inside WeChat's browser: WeChat's web authorisation, back to us with a code; a person new to
    us verifies their phone once by SMS, which binds the openid."""
    wechat.login_as(who)
    start = ok(client.get("auth/wechat/authorize", {"next": next_path}))
    at_wechat = client.raw("get", start["url"])
    assert at_wechat.status_code == 302, at_wechat.content
    back = client.raw("get", at_wechat["Location"])
    assert back.status_code == 302 and "wechat=phone" in back["Location"], back["Location"]
    assert ok(client.get("auth/wechat/status"))["pending_phone"] is True
    client.login_sms(phone)
    assert ok(client.get("auth/wechat/status"))["pending_phone"] is False


def test_a_partner_shop_takes_payment_refunds_notifies_and_pays_its_leader(live_server, wechatpay, wechat, settings):
    sim = wechatpay.sim
    shop, leader, campaign, eggs, fruit, owner_staff = given_a_shop_with_a_live_campaign()
    shop_path, console = f"shops/{shop.id}", f"console/shops/{shop.id}"

    # 1. The owner enters only the shop's sub_mchid (partner mode); 测试连接 passes.
    merchant = HttpApiClient(live_server.url)
    merchant.login_password(owner_staff.user.username, PASSWORD)
    ok(merchant.patch(f"{console}/settings", {"after_sales_days": 0, "default_commission_rate_bp": 1000}))
    shown = ok(
        merchant.patch(
            f"{console}/payment-settings",
            {"provider": "wechatpay", "wechatpay_mode": "partner", "wechatpay_sub_mchid": SUB_MCHID},
        )
    )
    assert (shown["partner_available"], shown["wechatpay_sub_mchid"]) == (True, SUB_MCHID)
    checked = ok(merchant.post(f"{console}/payment-settings/check"))
    assert [r["code"] for r in checked["results"]] == ["gateway_ok"]

    # The leader logs in with WeChat too (their openid is where the withdrawal is paid) and joins.
    leader_client = HttpApiClient(live_server.url)
    login_with_wechat(leader_client, wechat, "mei", leader.user.phone, "/h5/leader")
    ok(leader_client.post(f"{shop_path}/leader/campaigns/{campaign.id}/join"))

    # 2. A member logs in with WeChat, accepts the pickup notice, orders two items and pays in
    #    WeChat's pay sheet; WeChat Pay's notify marks the order paid.
    member = HttpApiClient(live_server.url)
    login_with_wechat(member, wechat, "lan", "13700000077", f"/h5/s/{shop.id}/campaigns/{campaign.id}")
    openid = wechat.users["lan"].openid(SP_APPID)
    ok(member.put(f"{shop_path}/my-leader", {"leader_id": leader.id}))
    offered = ok(member.get(f"{shop_path}/wechat/subscribe-templates"))
    assert offered["templates"] == [{"purpose": "pickup_notice", "template_id": PICKUP}]
    wechat.subscribe(SP_APPID, openid, [PICKUP])  # the tap on 允许, as WeChat records it
    assert ok(member.post(f"{shop_path}/wechat/subscribe-acceptances", {"template_ids": [PICKUP]}))["remaining"]
    order = ok(
        member.post(
            f"{shop_path}/orders",
            {
                "campaign_id": campaign.id,
                "items": [{"campaign_item_id": eggs.id, "quantity": 2}, {"campaign_item_id": fruit.id, "quantity": 1}],
            },
            headers={"Idempotency-Key": "story-order-1"},
        ),
        201,
    )
    assert order["total_fen"] == 2 * 3290 + 1990
    started = ok(member.post(f"{shop_path}/orders/{order['id']}/pay", headers={"User-Agent": WECHAT_UA}))
    assert (started["provider"], started["channel"], started["amount_fen"]) == ("wechatpay", "jsapi", 8570)
    assert started["jsapi"]["appId"] == SP_APPID and started["jsapi"]["signType"] == "RSA"
    assert sim_post(sim, "/sim/pay_sheet", started["jsapi"]) == (200, {"state": "SUCCESS"})  # paySign checked
    sim.deliver_all()  # TRANSACTION.SUCCESS, signed and AEAD-encrypted, to the live server
    assert ok(member.get(f"{shop_path}/orders/{order['id']}"))["status"] == "paid"
    trade = sim.trade(started["out_trade_no"])
    assert (trade.merchant.mchid, trade.sub_mchid, trade.openid, trade.amount) == (
        wechatpay.config["MCHID"],
        SUB_MCHID,
        openid,
        8570,
    )

    # 3. The merchant refunds the dragon fruit line; WeChat Pay's refund notify completes it.
    detail = ok(merchant.get(f"{console}/orders/{order['id']}"))
    fruit_line = next(line for line in detail["lines"] if line["product_name"] == "红心火龙果")
    refunded = ok(
        merchant.post(
            f"{console}/orders/{order['id']}/refund",
            {"lines": [{"line_id": fruit_line["id"], "quantity": 1}], "reason": "火龙果缺货"},
        )
    )
    assert refunded["status"] == "paid"  # the eggs are still coming
    [refund] = sim.refunds.values()
    assert (refund.amount, refund.status) == (1990, "PROCESSING")
    sim.refunds_settle()
    sim.deliver_all()
    detail = ok(merchant.get(f"{console}/orders/{order['id']}"))
    assert [(r["amount_fen"], r["status"]) for r in detail["refunds"]] == [(1990, "succeeded")]
    assert detail["refunded_fen"] == 1990
    assert ok(member.get(f"{shop_path}/orders/{order['id']}"))["refunded_fen"] == 1990  # what the member sees

    # 4. Cut-off, shipped, arrived: the pickup notice arrives as the WeChat subscribe message.
    ok(merchant.post(f"{console}/campaigns/{campaign.id}/close"))
    ok(merchant.post(f"{console}/campaigns/{campaign.id}/ship", {"pickup_point_ids": None}))
    ok(leader_client.post(f"{shop_path}/leader/campaigns/{campaign.id}/arrived"))
    notice = ok(leader_client.post(f"{shop_path}/leader/campaigns/{campaign.id}/pickup-notice"))
    assert notice["notified_members"] == 1
    pickup_code = ok(member.get(f"{shop_path}/orders/{order['id']}"))["pickup_code"]
    [sent] = wechat.messages_to(openid)
    assert (sent["template_id"], sent["touser"]) == (PICKUP, openid)
    assert sent["data"] == {
        "thing1": "周末鲜果鲜蛋团",
        "thing2": "西村快递驿站",
        "character_string3": pickup_code,
        "thing4": "鹭岛鲜生",
    }
    assert pickup_code in ok(member.get(f"{shop_path}/messages"))["items"][0]["body"]  # and in 消息中心
    ok(leader_client.post(f"{shop_path}/leader/pickups/verify", {"code": pickup_code}))
    assert ok(member.get(f"{shop_path}/orders/{order['id']}"))["status"] == "picked_up"

    # 5. The commission on what was kept settles; the leader withdraws it, finance approves, and the
    #    transfer goes from the shop's sub-merchant; its notify marks the withdrawal paid.
    kept = 8570 - 1990
    expected = kept * 1000 // 10000
    commissions_settle_due()  # the scheduled job, as the worker runs it (a zero-day after-sales window)
    assert ok(leader_client.get(f"{shop_path}/leader/commission"))["withdrawable_fen"] == expected
    withdrawal = ok(
        leader_client.post(f"{shop_path}/leader/withdrawals", {"amount_fen": expected, "account": "微信零钱"}), 201
    )
    ok(merchant.post(f"{console}/withdrawals/{withdrawal['id']}/approve"))
    [bill] = sim.transfers.values()
    assert (bill.sub_mchid, bill.appid, bill.amount, bill.openid) == (
        SUB_MCHID,
        SP_APPID,
        expected,
        wechat.users["mei"].openid(SP_APPID),
    )
    sim.transfers_finish()
    sim.deliver_all()
    [mine] = ok(leader_client.get(f"{shop_path}/leader/withdrawals"))["items"]
    assert (mine["status"], mine["status_label"]) == ("paid", "已打款")
    assert ok(leader_client.get(f"{shop_path}/leader/commission"))["withdrawable_fen"] == 0

    # Every call went through WeChat Pay's v3 API, the partner (服务商) operations where there are some.
    called = {(r["method"], r["path"].split("?")[0]) for r in sim.requests}
    assert {
        ("POST", "/v3/pay/partner/transactions/jsapi"),
        ("POST", "/v3/refund/domestic/refunds"),
        ("POST", "/v3/fund-app/mch-transfer/partner/transfer-bills"),
    } <= called, called
    deliveries = [(d["event_type"], d["status"]) for d in sim.deliveries]
    assert deliveries == [
        ("TRANSACTION.SUCCESS", 200),
        ("REFUND.SUCCESS", 200),
        ("MCHTRANSFER.BILL.FINISHED", 200),
    ]  # each notify taken the first time

    # The money: what WeChat Pay took less what it gave back is what the order and the day's trade
    # bill (对账单 of the shop's sub-merchant, reconciled as the daily job does) say was kept.
    assert trade.amount - refund.amount == kept
    bill_of_order = ok(merchant.get(f"{console}/orders/{order['id']}"))
    assert bill_of_order["total_fen"] - bill_of_order["refunded_fen"] == kept
    sim.bill_today_allowed = True  # the console reconciles past days only; today's bill holds the story
    reconciliation.reconciliation_run(shop=shop, bill_date=datetime.now(reconciliation.CST).date())
    [run] = ok(merchant.get(f"{console}/reconciliation/runs"))["items"]
    assert (run["status"], run["error"], run["open_mismatches"]) == ("matched", "", 0), run
    assert run["bill_payments_fen"] - run["bill_refunds_fen"] == kept
    assert (run["our_payments_fen"], run["our_refunds_fen"]) == (run["bill_payments_fen"], run["bill_refunds_fen"])
