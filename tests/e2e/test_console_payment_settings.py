"""Merchant console, issue 8: 支付设置 — the owner makes the shop a sub-merchant of the platform's
WeChat Pay service provider (only the sub_mchid), tests the connection against the simulator,
and sees a malformed key refused under its field. Screens saved as console-i8-payment-*.png."""

from playwright.sync_api import expect

from tuangou.payments.models import ShopPaymentSettings
from tuangou.payments.tests.wechatpay_world import SUB_MCHID, given_wechatpay
from tuangou.shops.tests.factories import ShopFactory, StaffFactory

from .conftest import shot
from .test_console_leaders_and_finance import log_in, settled


def test_the_owner_enters_the_sub_mchid_tests_the_connection_and_a_bad_key_is_refused_by_field(desktop, settings):
    page = desktop
    wechat = given_wechatpay(settings, mode="partner")
    try:
        wechat.merchant.sub_mchids.add(SUB_MCHID)
        shop = ShopFactory()
        owner = StaffFactory(shop=shop, role="owner")
        log_in(page, owner.user.username)

        page.goto("/console/settings/payments")
        expect(page.get_by_text("平台默认当前为：微信支付")).to_be_visible()
        page.get_by_text("微信支付", exact=True).first.click()
        page.locator("input[name=wechatpay_sub_mchid]").fill(SUB_MCHID)
        page.locator("[data-test=save-payment]").click()
        expect(page.locator(".el-message__content")).to_have_text("已保存")
        page.locator("[data-test=test-payment]").click()
        results = page.locator("[data-test=check-results]")
        expect(results).to_contain_text("微信支付：连接正常，签名与验签均通过")
        shot(settled(page), "console-i8-payment-partner-ok")
        assert ShopPaymentSettings.objects.get(shop=shop).check_ok is True

        page.get_by_text("直连商户").click()
        page.locator("input[name=wechatpay_mchid]").fill("1900000109")
        page.locator("input[name=wechatpay_appid]").fill("wx8888888888888888")
        page.locator("textarea").first.fill("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----")
        page.locator("[data-test=save-payment]").click()
        expect(page.locator(".el-form-item__error")).to_have_text("商户 API 私钥无效：不是有效的 RSA 私钥（PEM 格式）")
        shot(settled(page), "console-i8-payment-direct-bad-key")
        assert ShopPaymentSettings.objects.get(shop=shop).wechatpay_mode == "partner"  # nothing changed
    finally:
        wechat.sim.stop()
