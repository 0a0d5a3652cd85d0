"""The two front ends load from the Django server and their login pages work."""

import re

from playwright.sync_api import expect

from tuangou.shops.tests.factories import PASSWORD, StaffFactory

from .conftest import shot


def test_merchant_logs_in_to_the_console(desktop):
    staff = StaffFactory(shop__name="鹭岛鲜生")

    desktop.goto("/console/")
    desktop.wait_for_url("**/console/login**")
    desktop.fill("input[name=username]", staff.user.username)
    desktop.fill("input[name=password]", PASSWORD)
    shot(desktop, "console-login")
    desktop.click("button[type=submit]")

    expect(desktop).to_have_url(re.compile(r"/console/dashboard$"))
    expect(desktop.get_by_text("鹭岛鲜生").first).to_be_visible()


def test_wrong_password_shows_the_api_message_at_the_field(desktop):
    staff = StaffFactory()
    desktop.goto("/console/login")
    desktop.fill("input[name=username]", staff.user.username)
    desktop.fill("input[name=password]", "not-the-password")
    desktop.click("button[type=submit]")

    expect(desktop.get_by_text("用户名或密码错误")).to_be_visible()


def test_member_logs_in_on_the_phone_with_an_sms_code(phone):
    from tuangou.accounts.sms import last_code_for

    phone.goto("/h5/login")
    phone.fill("input[name=phone]", "13800138000")
    phone.click("[data-test=send-code]")
    # The code is sent within the request: the toast and the button's countdown follow its answer.
    expect(phone.get_by_text("验证码已发送")).to_be_visible()
    expect(phone.locator("[data-test=send-code]")).to_be_disabled()
    code = last_code_for("13800138000")
    assert code is not None and len(code) == 6
    phone.fill("input[name=code]", code)
    # without ticking the privacy-policy consent the page refuses, and says why
    phone.click("button[type=submit]")
    expect(phone.locator(".consent-error")).to_have_text("请先阅读并勾选同意《隐私政策》")
    expect(phone).to_have_url(re.compile(r"/h5/login"))
    expect(phone.get_by_role("link", name="《隐私政策》")).to_have_attribute("href", "/privacy/")
    phone.click("[data-test=agree-privacy]")
    shot(phone, "h5-login")
    phone.click("button[type=submit]")

    expect(phone).to_have_url(re.compile(r"/h5/$"))
