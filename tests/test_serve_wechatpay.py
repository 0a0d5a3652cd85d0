"""Issue 8: `make run` pays through the WeChat Pay simulator — `manage.py serve` starts it as a child
and hands its merchant configuration to the server and the worker — unless the environment picks
a payment provider."""

import json
import urllib.request

import pytest

from config.management.commands.serve import Command
from tuangou.demo import data
from tuangou.demo.loader import demo_payment_settings_ensure
from tuangou.payments.connection_check import payment_settings_check
from tuangou.payments.models import ShopPaymentSettings
from tuangou.shops.tests.factories import ShopFactory


@pytest.mark.django_db  # the banner lists the demo logins
def test_serve_starts_the_wechatpay_simulator_and_gives_the_server_its_merchant_configuration(
    monkeypatch, tmp_path, settings
):
    monkeypatch.delenv("PAYMENT_PROVIDER", raising=False)
    monkeypatch.delenv("WECHATPAY_SIM_PORT", raising=False)
    command = Command()

    child, env = command.wechatpay_sim_start("http://127.0.0.1:8124", env_path=tmp_path / "wechatpay.env")
    try:
        assert child is not None and child.poll() is None
        # The platform is the service provider (服务商); the demo's shops are its sub-merchants.
        assert (env["PAYMENT_PROVIDER"], env["WECHATPAY_MODE"], env["WECHATPAY_MCHID"]) == (
            "wechatpay",
            "partner",
            "1900000109",
        )
        assert env["WECHATPAY_NOTIFY_BASE"] == "http://127.0.0.1:8124"
        assert env["WECHATPAY_API_BASE"].startswith("http://127.0.0.1:")
        assert len(json.loads(env["WECHATPAY_PLATFORM_KEYS"])) == 1
        assert (tmp_path / ".wechatpay-apiclient_key.pem").read_text().startswith("-----BEGIN PRIVATE KEY-----")
        # The simulator is up: its pay page answers (a prepay id it does not know: 404).
        try:
            urllib.request.urlopen(env["WECHATPAY_API_BASE"] + "/pay/h5?prepay_id=wx0", timeout=5)
        except urllib.error.HTTPError as error:
            assert error.code == 404
        # The demo shop (and a shop made during the demo) pays as the simulator's sub-merchant: its
        # 测试连接 gets a signed ORDER_NOT_EXIST; a sub_mchid the simulator does not bind is refused.
        settings.WECHATPAY = {
            **settings.WECHATPAY,
            "API_BASE": env["WECHATPAY_API_BASE"],
            "MODE": env["WECHATPAY_MODE"],
            "MCHID": env["WECHATPAY_MCHID"],
            "APPID": env["WECHATPAY_APPID"],
            "MERCHANT_SERIAL": env["WECHATPAY_MERCHANT_SERIAL"],
            "MERCHANT_PRIVATE_KEY": env["WECHATPAY_MERCHANT_PRIVATE_KEY"],
            "APIV3_KEY": env["WECHATPAY_APIV3_KEY"],
            "PLATFORM_KEYS": json.loads(env["WECHATPAY_PLATFORM_KEYS"]),
        }
        settings.PAYMENT_PROVIDER = "wechatpay"
        demo, other = ShopFactory(name=data.SHOP["name"]), ShopFactory()
        demo_payment_settings_ensure()
        ShopPaymentSettings.objects.create(shop=other, wechatpay_sub_mchid="1900000299")
        assert [r["code"] for r in payment_settings_check(shop=demo)] == ["gateway_ok"]
        assert [r["code"] for r in payment_settings_check(shop=other)] == ["gateway_refused"]
        command.wechatpay_base = env["WECHATPAY_API_BASE"]
        assert f"through the WeChat Pay simulator on {env['WECHATPAY_API_BASE']}" in command.banner("http://x")
    finally:
        child.terminate()
        child.wait(timeout=10)


def test_serve_keeps_the_provider_the_environment_picks(monkeypatch, tmp_path):
    monkeypatch.setenv("PAYMENT_PROVIDER", "sandbox")

    child, env = Command().wechatpay_sim_start("http://127.0.0.1:8124", env_path=tmp_path / "wechatpay.env")

    assert (child, env) == (None, {})
    assert not (tmp_path / "wechatpay.env").exists()
