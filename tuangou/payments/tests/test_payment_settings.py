"""Issue 8, per-shop credentials (支付设置): each shop pays through its own merchant — WeChat Pay
direct or as the platform's sub-merchant (服务商), Alipay — entered in the console, with the
secrets encrypted at rest under PAYMENT_SECRETS_KEY and never shown again; 测试连接 against the
simulators says what is wrong. On PostgreSQL (raw SQL reads the stored row)."""

import json
import logging

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.cache import cache
from django.db import connection

from tuangou.accounts.models import WechatIdentity
from tuangou.core.testing import ok
from tuangou.orders.models import Order
from tuangou.orders.tests.factories import given_live_campaign, login, place, staff_login
from tuangou.payments import secret_box
from tuangou.payments.credentials import provider_name_for
from tuangou.payments.gateway_settings import payment_secrets_rotate
from tuangou.payments.models import Payment, PaymentNotification, ShopPaymentSettings

from .alipay_world import given_alipay
from .alipay_world import pay_on_the_page as alipay_pay_on_the_page
from .wechatpay_world import SUB_MCHID, given_wechatpay, pay_on_the_page, to_our_server

pytestmark = [pytest.mark.postgres]


def other_rsa_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_of(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def settings_url(shop) -> str:
    return f"console/shops/{shop.id}/payment-settings"


def direct_body(merchant, sim, *, appid: str) -> dict:
    return {
        "provider": "wechatpay",
        "wechatpay_mode": "direct",
        "wechatpay_mchid": merchant.mchid,
        "wechatpay_appid": appid,
        "wechatpay_merchant_serial": merchant.serial,
        "wechatpay_private_key": merchant.private_key_pem,
        "wechatpay_apiv3_key": merchant.apiv3_key,
        "wechatpay_platform_keys": [{"id": key_id, "pem": pem} for key_id, pem in sim.platform_keys().items()],
    }


def raw_row(shop) -> str:
    """Every column of the shop's stored row, as PostgreSQL holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM payments_shoppaymentsettings WHERE shop_id = %s", [shop.id])
        return json.dumps([str(value) for value in cursor.fetchone()], ensure_ascii=False)


@pytest.fixture
def sim(settings, require_postgres):
    """The WeChat Pay simulator with the platform configured as a 服务商 (no shop bound yet)."""
    world = given_wechatpay(settings, mode="partner")
    yield world
    world.sim.stop()


# --- stored encrypted, never shown --------------------------------------------------------


def test_secrets_are_stored_encrypted_never_returned_and_never_logged(sim, caplog):
    caplog.set_level(logging.DEBUG)
    world = given_live_campaign()
    owner = staff_login(world.shop, role="owner")
    merchant = sim.sim.merchant_add("1900000301", appids={"wx1111111111111111"})

    shown = ok(owner.patch(settings_url(world.shop), direct_body(merchant, sim.sim, appid="wx1111111111111111")))

    stored = raw_row(world.shop)
    key_body = merchant.private_key_pem.splitlines()[1]
    assert key_body not in stored and "PRIVATE KEY" not in stored and merchant.apiv3_key not in stored
    row = ShopPaymentSettings.objects.get(shop=world.shop)
    assert secret_box.decrypt(row.wechatpay_apiv3_key_encrypted) == merchant.apiv3_key
    assert key_body in secret_box.decrypt(row.wechatpay_private_key_encrypted)
    answered = json.dumps([shown, ok(owner.get(settings_url(world.shop)))])
    assert key_body not in answered and merchant.apiv3_key not in answered and merchant.serial not in answered
    assert (shown["wechatpay_private_key_set"], shown["wechatpay_apiv3_key_set"]) == (True, True)
    assert shown["wechatpay_merchant_serial_tail"] == "…" + merchant.serial[-4:]
    assert shown["wechatpay_notify_url"] == f"http://testserver/api/payments/notify/wechatpay/{world.shop.id}"
    # A refused save (its key malformed) logs no secret either.
    refused = owner.patch(settings_url(world.shop), {"wechatpay_apiv3_key": "short", "wechatpay_private_key": "x"})
    assert refused.status_code == 400
    assert key_body not in caplog.text and merchant.apiv3_key not in caplog.text


def test_a_secret_left_out_stays_and_an_empty_one_clears(sim):
    world = given_live_campaign()
    owner = staff_login(world.shop, role="owner")
    merchant = sim.sim.merchant_add("1900000302", appids={"wx1111111111111111"})
    ok(owner.patch(settings_url(world.shop), direct_body(merchant, sim.sim, appid="wx1111111111111111")))

    shown = ok(owner.patch(settings_url(world.shop), {"wechatpay_appid": "wx2222222222222222"}))
    assert (shown["wechatpay_appid"], shown["wechatpay_private_key_set"]) == ("wx2222222222222222", True)

    cleared = owner.patch(settings_url(world.shop), {"wechatpay_apiv3_key": ""})  # direct mode needs it
    assert (cleared.status_code, cleared.json()["code"], cleared.json()["field"]) == (
        400,
        "required",
        "wechatpay_apiv3_key",
    )
    shown = ok(owner.patch(settings_url(world.shop), {"provider": "platform", "wechatpay_mode": "partner"}))
    assert shown["wechatpay_apiv3_key_set"] is True


# --- each shop pays through its own merchant -----------------------------------------------


def test_two_direct_merchants_each_shop_pays_with_its_own_keys_and_a_notify_for_a_goes_nowhere_at_b(sim):
    a, b = given_live_campaign(price_fen=1290), given_live_campaign(price_fen=990)
    merchant_a = sim.sim.merchant_add("1900000401", appids={"wx1111111111111111"})
    merchant_b = sim.sim.merchant_add("1900000402", appids={"wx2222222222222222"})
    ok(staff_login(a.shop).patch(settings_url(a.shop), direct_body(merchant_a, sim.sim, appid="wx1111111111111111")))
    ok(staff_login(b.shop).patch(settings_url(b.shop), direct_body(merchant_b, sim.sim, appid="wx2222222222222222")))
    order_a, order_b = place(a, 1), place(b, 1)

    started_a = ok(login(a.member).post(f"shops/{a.shop.id}/orders/{order_a.id}/pay"))
    started_b = ok(login(b.member).post(f"shops/{b.shop.id}/orders/{order_b.id}/pay"))

    trade_a, trade_b = sim.sim.trade(started_a["out_trade_no"]), sim.sim.trade(started_b["out_trade_no"])
    assert (trade_a.merchant.mchid, trade_a.appid, trade_a.sub_mchid) == ("1900000401", "wx1111111111111111", "")
    assert (trade_b.merchant.mchid, trade_b.appid) == ("1900000402", "wx2222222222222222")
    pay_on_the_page(started_a["pay_url"])

    def to_shop_b(url, headers, body):  # shop A's signed notify, posted to shop B's notify URL
        return to_our_server(url.replace(f"/wechatpay/{a.shop.id}", f"/wechatpay/{b.shop.id}"), headers, body)

    sim.sim.deliver(to_shop_b)

    assert [d["status"] for d in sim.sim.deliveries] == [400]  # B's APIv3 key does not open A's resource
    assert Order.objects.get(pk=order_a.pk).status == "pending_payment"
    assert list(PaymentNotification.objects.values_list("outcome", flat=True)) == ["invalid"]
    sim.sim.deliver_all(to_our_server)
    assert Order.objects.get(pk=order_a.pk).status == "paid"
    assert Order.objects.get(pk=order_b.pk).status == "pending_payment"


def test_the_scheduled_refresh_downloads_a_direct_merchant_shops_certificates_with_its_own_keys(sim):
    from tuangou.payments import reconciliation
    from tuangou.payments.providers import get_provider

    world = given_live_campaign()
    merchant = sim.sim.merchant_add("1900000403", appids={"wx3333333333333333"})
    ok(
        staff_login(world.shop).patch(
            settings_url(world.shop), direct_body(merchant, sim.sim, appid="wx3333333333333333")
        )
    )
    sim.sim.rotate("certificate")  # a new platform certificate, before its first signature reaches the shop

    assert reconciliation.wechatpay_certificates_refresh() >= 2  # the platform's and the shop's downloads

    shop_provider = get_provider("wechatpay", shop_id=world.shop.id)._provider
    assert sim.sim.signing_serial in shop_provider.certificates_downloaded()


def test_a_partner_shop_gives_only_its_sub_mchid_and_pays_as_the_platforms_sub_merchant(sim):
    world = given_live_campaign()
    sim.merchant.sub_mchids.add(SUB_MCHID)
    owner = staff_login(world.shop)
    shown = ok(
        owner.patch(
            settings_url(world.shop),
            {"provider": "wechatpay", "wechatpay_mode": "partner", "wechatpay_sub_mchid": SUB_MCHID},
        )
    )
    assert shown["partner_available"] is True
    order = place(world, 1)

    started = ok(login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/pay"))

    trade = sim.sim.trade(started["out_trade_no"])
    assert (trade.merchant.mchid, trade.sub_mchid) == (sim.config["MCHID"], SUB_MCHID)
    pay_on_the_page(started["pay_url"])
    sim.sim.deliver_all(to_our_server)
    assert Order.objects.get(pk=order.pk).status == "paid"


def test_a_shop_without_payment_settings_pays_through_the_platforms_configuration(settings, require_postgres):
    wechat = given_wechatpay(settings, mode="direct")
    try:
        world = given_live_campaign()
        order = place(world, 1)
        started = ok(login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/pay"))
        assert sim_trade_mchid(wechat, started) == wechat.config["MCHID"]
        assert not ShopPaymentSettings.objects.exists()
    finally:
        wechat.sim.stop()


def sim_trade_mchid(wechat, started) -> str:
    return wechat.sim.trade(started["out_trade_no"]).merchant.mchid


def test_with_both_gateways_wechat_pays_inside_wechat_and_alipay_outside(sim, settings):
    world = given_live_campaign()
    alipay = given_alipay(settings)
    settings.PAYMENT_PROVIDER = "sandbox"  # the platform's default is not what the shop uses
    try:
        sim.merchant.sub_mchids.add(SUB_MCHID)
        body = {
            "provider": "wechatpay_alipay",
            "wechatpay_sub_mchid": SUB_MCHID,
            "alipay_app_id": alipay.app.app_id,
            "alipay_seller_id": alipay.config["SELLER_ID"],
            "alipay_private_key": alipay.app.private_key_pem,
            "alipay_public_key": alipay.sim.alipay_public_key_pem,
        }
        ok(staff_login(world.shop).patch(settings_url(world.shop), body))
        order = place(world, 1)

        started = ok(login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/pay"))

        assert (started["provider"], started["channel"]) == ("alipay", "h5")
        assert started["pay_url"].startswith(alipay.sim.gateway_url)
        alipay_pay_on_the_page(started["pay_url"])  # the shop's app id opened the trade at Alipay
        assert alipay.sim.trade(started["out_trade_no"]).app.app_id == alipay.app.app_id
        assert Payment.objects.get(pk=started["payment_id"]).provider == "alipay"

        # The same member opens the order inside WeChat (logged in with WeChat under the platform's app id).
        WechatIdentity.objects.create(user=world.member, app_id=sim.config["APPID"], openid="oUpF8uMuAJO_M2pxb1Q9")
        inside = login(world.member).post(
            f"shops/{world.shop.id}/orders/{order.id}/pay", headers={"User-Agent": "Mozilla/5.0 MicroMessenger/8.0.50"}
        )

        started = ok(inside)
        assert (started["provider"], started["channel"]) == ("wechatpay", "jsapi")
        trade = sim.sim.trade(started["out_trade_no"])
        assert (trade.trade_type, trade.sub_mchid) == ("JSAPI", SUB_MCHID)
        statuses = dict(Payment.objects.filter(order=order).values_list("provider", "status"))
        assert statuses == {"alipay": "closed", "wechatpay": "created"}  # one open payment per order
        assert provider_name_for(shop_id=world.shop.id, channel="h5") == "alipay"
    finally:
        alipay.sim.stop()


# --- 测试连接 -------------------------------------------------------------------------------


def check(owner, shop) -> dict:
    return ok(owner.post(f"{settings_url(shop)}/check"))


def test_connection_test_passes_and_names_each_thing_that_is_wrong(sim, settings):
    world = given_live_campaign()
    owner = staff_login(world.shop)
    merchant = sim.sim.merchant_add("1900000501", appids={"wx1111111111111111"})
    ok(owner.patch(settings_url(world.shop), direct_body(merchant, sim.sim, appid="wx1111111111111111")))
    answers = {}

    answers["right"] = check(owner, world.shop)
    ok(owner.patch(settings_url(world.shop), {"wechatpay_private_key": other_rsa_pem()}))
    answers["our key wrong"] = check_again(owner, world.shop)
    ok(owner.patch(settings_url(world.shop), {"wechatpay_private_key": merchant.private_key_pem}))
    wrong_platform = [{"id": sim.sim.signing_serial, "pem": public_of(other_rsa_pem())}]
    ok(owner.patch(settings_url(world.shop), {"wechatpay_platform_keys": wrong_platform}))
    answers["platform key wrong"] = check_again(owner, world.shop)
    ok(owner.patch(settings_url(world.shop), direct_body(merchant, sim.sim, appid="wx1111111111111111")))
    ok(owner.patch(settings_url(world.shop), {"wechatpay_apiv3_key": "A" * 32}))
    answers["APIv3 key wrong"] = check_again(owner, world.shop)
    ok(owner.patch(settings_url(world.shop), direct_body(merchant, sim.sim, appid="wx1111111111111111")))
    settings.WECHATPAY = {**settings.WECHATPAY, "API_BASE": "http://127.0.0.1:9"}
    answers["unreachable"] = check_again(owner, world.shop)

    codes = {name: [(r["provider"], r["ok"], r["code"]) for r in answer["results"]] for name, answer in answers.items()}
    assert codes == {
        "right": [("wechatpay", True, "gateway_ok")],
        "our key wrong": [("wechatpay", False, "gateway_signature_refused")],
        "platform key wrong": [("wechatpay", False, "gateway_answer_unverified")],
        "APIv3 key wrong": [("wechatpay", False, "gateway_apiv3_key_wrong")],
        "unreachable": [("wechatpay", False, "gateway_unreachable")],
    }
    assert answers["our key wrong"]["results"][0]["message"].startswith("微信支付：网关拒绝了我们的签名（SIGN_ERROR")
    assert answers["right"]["settings"]["check_ok"] is True
    assert answers["unreachable"]["settings"]["check_ok"] is False
    assert "无法连接网关" in answers["unreachable"]["settings"]["check_message"]


def check_again(owner, shop) -> dict:
    """测试 once more at once (the per-shop throttle forgotten)."""
    cache.delete(f"payment-settings-check:{shop.id}")
    return check(owner, shop)


def test_connection_test_of_a_sub_mchid_not_bound_to_the_platform_says_so(sim):
    world = given_live_campaign()
    owner = staff_login(world.shop)
    ok(owner.patch(settings_url(world.shop), {"provider": "wechatpay", "wechatpay_sub_mchid": "1900000999"}))

    answer = check(owner, world.shop)

    assert [(r["ok"], r["code"]) for r in answer["results"]] == [(False, "gateway_refused")]
    assert "子商户号与服务商不存在绑定关系" in answer["results"][0]["message"]
    again = owner.post(f"{settings_url(world.shop)}/check")  # clicked twice at once: once to the gateway
    assert (again.status_code, again.json()["code"]) == (429, "rate_limited")


def test_connection_test_of_alipay_right_wrong_key_and_wrong_alipay_public_key(settings, require_postgres):
    alipay = given_alipay(settings)
    try:
        world = given_live_campaign()
        owner = staff_login(world.shop)
        body = {
            "provider": "alipay",
            "alipay_app_id": alipay.app.app_id,
            "alipay_seller_id": alipay.config["SELLER_ID"],
            # As Alipay's key tool prints it: bare base64, no PEM lines.
            "alipay_private_key": "".join(alipay.app.private_key_pem.strip().splitlines()[1:-1]),
            "alipay_public_key": alipay.sim.alipay_public_key_pem,
        }
        ok(owner.patch(settings_url(world.shop), body))
        results = [check(owner, world.shop)["results"]]
        ok(owner.patch(settings_url(world.shop), {"alipay_private_key": other_rsa_pem()}))
        results.append(check_again(owner, world.shop)["results"])
        wrong_public = public_of(other_rsa_pem())
        ok(owner.patch(settings_url(world.shop), {**body, "alipay_public_key": wrong_public}))
        results.append(check_again(owner, world.shop)["results"])

        assert [[(r["provider"], r["ok"], r["code"]) for r in result] for result in results] == [
            [("alipay", True, "gateway_ok")],
            [("alipay", False, "gateway_signature_refused")],
            [("alipay", False, "gateway_answer_unverified")],
        ]
        assert "isv.invalid-signature" in results[1][0]["message"]
    finally:
        alipay.sim.stop()


# --- key rotation ---------------------------------------------------------------------------


def test_rotating_the_secrets_key_keeps_every_shop_paying(sim, settings):
    old, new = secret_box.Fernet.generate_key().decode(), secret_box.Fernet.generate_key().decode()
    settings.PAYMENT_SECRETS_KEY = old
    world = given_live_campaign()
    owner = staff_login(world.shop)
    merchant = sim.sim.merchant_add("1900000601", appids={"wx1111111111111111"})
    ok(owner.patch(settings_url(world.shop), direct_body(merchant, sim.sim, appid="wx1111111111111111")))
    before = ShopPaymentSettings.objects.get(shop=world.shop).wechatpay_apiv3_key_encrypted

    settings.PAYMENT_SECRETS_KEY = f"{new},{old}"  # the new key first: old rows still read
    assert check(owner, world.shop)["results"][0]["ok"] is True
    assert payment_secrets_rotate() == 1
    settings.PAYMENT_SECRETS_KEY = new  # the old key dropped after the rotation

    after = ShopPaymentSettings.objects.get(shop=world.shop).wechatpay_apiv3_key_encrypted
    assert after != before and secret_box.decrypt(after) == merchant.apiv3_key
    assert check_again(owner, world.shop)["results"][0]["ok"] is True
    order = place(world, 1)
    started = ok(login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/pay"))
    assert sim.sim.trade(started["out_trade_no"]).merchant.mchid == "1900000601"

    settings.PAYMENT_SECRETS_KEY = secret_box.Fernet.generate_key().decode()  # a key that never wrote them
    refused = login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/pay")
    assert (refused.status_code, refused.json()["code"]) == (409, "payment_secret_unreadable")


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"wechatpay_sub_mchid": "1" * 33}, 422, "wechatpay_sub_mchid"),
        ({"wechatpay_private_key": "-" * 8001}, 422, "wechatpay_private_key"),
        ({"wechatpay_sub_mchid": "19000\x00201"}, 422, "wechatpay_sub_mchid"),
        ({"alipay_public_key": "MIIB\x00"}, 422, "alipay_public_key"),
        ({"wechatpay_mchid": "19000😀0201"}, 400, "wechatpay_mchid"),
        ({"wechatpay_appid": "wx𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷"}, 400, "wechatpay_appid"),
        ({"alipay_seller_id": "<b>2088</b>"}, 400, "alipay_seller_id"),
        ({"wechatpay_apiv3_key": "短" * 32}, 400, "wechatpay_apiv3_key"),
        (
            {"wechatpay_private_key": "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----"},
            400,
            "wechatpay_private_key",
        ),
        ({"alipay_private_key": "not base64 at all!"}, 400, "alipay_private_key"),
        (
            {"wechatpay_platform_keys": [{"id": "PUB_KEY_ID_0114", "pem": "-----BEGIN PUBLIC KEY-----\nAAAA\n"}]},
            400,
            "wechatpay_platform_keys.0.pem",
        ),
        ({"wechatpay_platform_keys": [{"id": "../../etc/passwd", "pem": "x"}]}, 400, "wechatpay_platform_keys.0.id"),
        ({"wechatpay_platform_keys": [{"id": "A1B2C3D4", "pem": "x"}] * 6}, 422, "wechatpay_platform_keys"),
        ({"provider": "paypal"}, 422, "provider"),
        (
            {"provider": "wechatpay", "wechatpay_mode": "direct", "wechatpay_mchid": "1900000109"},
            400,
            "wechatpay_appid",
        ),
        ({"provider": "alipay"}, 400, "alipay_app_id"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(sim, body, status, field):
    world = given_live_campaign()
    owner = staff_login(world.shop)
    sim.merchant.sub_mchids.add(SUB_MCHID)
    before = ok(owner.patch(settings_url(world.shop), {"provider": "wechatpay", "wechatpay_sub_mchid": SUB_MCHID}))

    response = owner.patch(settings_url(world.shop), body)

    assert response.status_code == status, response.content
    assert response.json()["field"] == field
    assert ok(owner.get(settings_url(world.shop))) == before


def test_a_key_file_path_is_never_taken_for_a_key(sim):
    world = given_live_campaign()
    response = staff_login(world.shop).patch(
        settings_url(world.shop), {"wechatpay_private_key": "/etc/ssl/private/key.pem"}
    )
    assert (response.status_code, response.json()["field"]) == (400, "wechatpay_private_key")


# --- who may --------------------------------------------------------------------------------


def test_only_roles_that_manage_the_shops_settings_see_or_change_them(sim):
    world = given_live_campaign()
    for role in ("operations", "finance", "support", "warehouse"):
        client = staff_login(world.shop, role=role)
        for response in (
            client.get(settings_url(world.shop)),
            client.patch(settings_url(world.shop), {"provider": "sandbox"}),
            client.post(f"{settings_url(world.shop)}/check"),
        ):
            assert (response.status_code, response.json()["code"]) == (403, "permission_denied"), role
    assert not ShopPaymentSettings.objects.exists()
    assert ok(staff_login(world.shop, role="admin").get(settings_url(world.shop)))["provider"] == "platform"


def test_partner_mode_is_refused_when_the_platform_is_no_service_provider(settings, require_postgres):
    wechat = given_wechatpay(settings, mode="direct")
    try:
        world = given_live_campaign()
        response = staff_login(world.shop).patch(
            settings_url(world.shop), {"provider": "wechatpay", "wechatpay_sub_mchid": SUB_MCHID}
        )
        assert (response.status_code, response.json()["code"], response.json()["field"]) == (
            400,
            "wechatpay_partner_unavailable",
            "wechatpay_mode",
        )
    finally:
        wechat.sim.stop()
