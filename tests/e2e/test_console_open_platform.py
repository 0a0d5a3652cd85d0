"""Console 开放平台 (issue 12): the owner creates an API key (shown once), adds a webhook pointed
at a real local receiver, sends a test event and reads the delivery log. Screens: console-i12-*.png."""

import re

from playwright.sync_api import expect

from tuangou.integrations import services
from tuangou.integrations.models import ApiKey, WebhookDelivery, WebhookEndpoint
from tuangou.integrations.testing import start_receiver
from tuangou.shops.tests.factories import StaffFactory

from .conftest import shot
from .test_console_leaders_and_finance import log_in, settled


def test_owner_creates_a_key_adds_a_webhook_and_reads_its_delivery_log(desktop, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the receiver listens on 127.0.0.1
    receiver, server = start_receiver()
    page = desktop
    owner = StaffFactory(shop__name="鹭岛鲜生", role="owner")
    try:
        log_in(page, owner.user.username)
        page.goto("/console/open-platform")

        page.locator("[data-test=new-key]").click()
        page.locator("[data-test=key-name]").fill("金蝶 ERP")
        page.locator("[data-test=key-scopes]").get_by_text("读取订单").click()
        page.locator("[data-test=create-key]").click()
        secret = page.locator("[data-test=secret-value]")
        expect(secret).to_have_value(re.compile(r"^tk_"))
        key = secret.input_value()
        assert ApiKey.objects.get(shop=owner.shop).key_hash == ApiKey.hash_key(key)
        shot(settled(page), "console-i12-api-key-once")
        page.keyboard.press("Escape")
        expect(page.locator("[data-test=key-table]")).to_contain_text(key[:10])

        page.get_by_role("tab", name="Webhook").click()
        page.locator("[data-test=new-webhook]").click()
        page.locator("[data-test=hook-url]").fill(receiver.url)
        page.locator("[data-test=hook-events]").get_by_text("订单已付款").click()
        page.locator("[data-test=create-webhook]").click()
        expect(page.locator("[data-test=secret-value]")).to_have_value(re.compile(r"^whsec_"))
        page.keyboard.press("Escape")
        page.locator("[data-test=send-test]").click()
        expect(page.locator(".el-message")).to_contain_text("测试事件已发送：已送达")
        assert [request.headers["X-Tuangou-Event"] for request in receiver.requests] == ["webhook.test"]

        # The signing secret rotated: shown once, the old one signing beside it for 24 h
        first_secret = WebhookEndpoint.objects.get(shop=owner.shop)
        page.locator("[data-test=rotate-secret]").click()
        page.locator(".el-message-box").get_by_role("button", name="轮换密钥").click()
        rotated = page.locator("[data-test=secret-value]")
        expect(rotated).to_have_value(re.compile(r"^whsec_"))
        expect(page.locator("[data-test=secret-note]")).to_contain_text("旧密钥在")
        new_secret = rotated.input_value()
        shot(settled(page), "console-i12-webhook-rotated")
        page.keyboard.press("Escape")
        expect(page.locator("[data-test=old-secret-until]")).to_be_visible()
        page.locator("[data-test=send-test]").click()
        for _ in range(100):  # the first test event's message may still show: wait for the request
            if len(receiver.requests) == 2:
                break
            page.wait_for_timeout(100)
        header = receiver.requests[1].headers["X-Tuangou-Signature"]
        assert header.count("v1=") == 2
        assert new_secret != services.webhook_secret(first_secret)
        assert services.webhook_secret(WebhookEndpoint.objects.get(shop=owner.shop)) == new_secret

        page.get_by_role("tab", name="投递日志").click()
        table = page.locator("[data-test=delivery-table]")
        expect(table).to_contain_text("webhook.test")
        expect(table).to_contain_text("已送达")
        page.locator("[data-test=delivery-detail]").first.click()
        drawer = page.locator("[data-test=delivery-drawer]")
        expect(drawer.locator("[data-test=attempt]")).to_have_count(1)
        expect(drawer).to_contain_text("第 1 次")
        expect(drawer).to_contain_text('"received": true')
        shot(settled(page), "console-i12-delivery-log")
        drawer.locator("[data-test=redeliver]").click()
        expect(drawer.locator("[data-test=attempt]")).to_have_count(2)
        assert WebhookDelivery.objects.filter(shop=owner.shop).latest("id").attempt_log.count() == 2
    finally:
        server.shutdown()
        server.server_close()
