"""Issue 8: `make run` pays through the WeChat Pay simulator — `manage.py serve` starts it as a child
and hands its merchant configuration to the server and the worker — unless the environment picks
a payment provider."""

import json
import urllib.request

import pytest

from config.management.commands.serve import Command


@pytest.mark.django_db  # the banner lists the demo logins
def test_serve_starts_the_wechatpay_simulator_and_gives_the_server_its_merchant_configuration(monkeypatch, tmp_path):
    monkeypatch.delenv("PAYMENT_PROVIDER", raising=False)
    monkeypatch.delenv("WECHATPAY_SIM_PORT", raising=False)
    command = Command()

    child, env = command.wechatpay_sim_start("http://127.0.0.1:8124", env_path=tmp_path / "wechatpay.env")
    try:
        assert child is not None and child.poll() is None
        assert (env["PAYMENT_PROVIDER"], env["WECHATPAY_MODE"], env["WECHATPAY_MCHID"]) == (
            "wechatpay",
            "direct",
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
