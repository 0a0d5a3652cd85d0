"""The H5 login page asks for the image captcha when the API does, and sends the code once it is
solved — through the Aliyun SMS simulator."""

from playwright.sync_api import expect

from tuangou.accounts.captcha import last_captcha_answer
from tuangou.accounts.testing import ApiClient
from tuangou.accounts.tests.sms_simulators import aliyun
from tuangou.core.testing import ok

from .conftest import shot


def test_the_login_page_shows_the_captcha_when_asked_and_sends_once_solved(phone, settings):
    settings.SMS_CAPTCHA_AFTER_SENDS = 1
    settings.SMS_SHOW_CODES = True
    with aliyun(settings) as simulator:
        ok(ApiClient().post("auth/sms/send", {"phone": "13800138100"}))  # an earlier send from this network

        phone.goto("/h5/login")
        phone.fill("input[name=phone]", "13800138101")
        phone.click("[data-test=send-code]")

        expect(phone.locator("[data-test=captcha-image]")).to_be_visible()
        expect(phone.get_by_text("请输入图形验证码")).to_be_visible()
        assert phone.locator("[data-test=captcha-image]").get_attribute("src").startswith("data:image/png;base64,")
        shot(phone, "h5-login-captcha")
        phone.fill("input[name=captcha]", last_captcha_answer())
        phone.click("[data-test=send-code]")

        expect(phone.get_by_text("验证码已发送")).to_be_visible()
        expect(phone.locator("[data-test=captcha-image]")).to_have_count(0)
        assert [sms.phone for sms in simulator.inbox] == ["13800138100", "13800138101"]
        assert simulator.inbox[1].template == "SMS_100000001"
