"""Issue 8, inside WeChat's browser (its user agent + a WeixinJSBridge stub whose scanQRCode answers
with the code the camera saw): the leader scans a member's pickup QR with WeChat's own scanner
(iPhones have no BarcodeDetector) and the goods are picked up. Screen: h5-wxscan-verified.png."""

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tuangou.accounts.sms import last_code_for
from tuangou.accounts.testing import PRIVACY_CONSENT

from .conftest import _context
from .test_h5_leader import given_shipped_campaign
from .test_h5_member import shot
from .test_h5_wechat import WECHAT_UA, wechat_sim  # noqa: F401 — the WeChat platform simulator fixture
from .test_h5_wechat_subscribe import LOGIN_BY_PHONE

SCAN_BRIDGE_STUB = """
window.__wx = [];
window.WeixinJSBridge = {
  invoke(name, args, callback) {
    window.__wx.push({ name, args });
    const answer = { err_msg: name + ':ok' };
    if (name === 'scanQRCode') answer.resultStr = window.__scanned;  // what WeChat's camera read
    setTimeout(() => callback && callback(answer), 0);
  },
  on() {},
  call() {},
};
"""


@pytest.mark.e2e
def test_inside_wechat_the_leader_scans_the_pickup_code_with_wechats_scanner(
    browser,
    live_server,
    transactional_db,
    wechat_sim,  # noqa: F811 — the fixture imported above
):
    shop, leader, member, campaign, order = given_shipped_campaign()
    context = _context(
        browser,
        live_server,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        user_agent=WECHAT_UA,
    )
    context.add_init_script(SCAN_BRIDGE_STUB)
    context.route(lambda url: urlparse(url).hostname not in ("127.0.0.1", "localhost"), lambda route: route.abort())
    page = context.new_page()
    page.goto(f"/h5/s/{shop.id}/campaigns/{campaign.id}")
    assert page.evaluate(LOGIN_BY_PHONE, ["send", {"phone": leader.phone}]) == 200
    login = {"phone": leader.phone, "code": last_code_for(leader.phone), **PRIVACY_CONSENT}
    assert page.evaluate(LOGIN_BY_PHONE, ["login", login]) == 200

    page.goto(f"/h5/s/{shop.id}/leader/verify")
    page.evaluate("code => { window.__scanned = code; }", f"{live_server.url}/h5/pickup?code={order.pickup_code}")
    page.locator("[data-test=scan]").click()  # shown: headless Chromium has no BarcodeDetector, WeChat scans

    verified = page.locator("[data-test=verified]")
    expect(verified).to_contain_text("核销成功")
    expect(verified).to_contain_text("土鸡蛋")
    shot(page, "h5-wxscan-verified")
    (scan,) = [call["args"] for call in page.evaluate("window.__wx") if call["name"] == "scanQRCode"]
    assert (scan["needResult"], scan["scanType"]) == (1, ["qrCode"])
    order.refresh_from_db()
    assert order.status == "picked_up"
    context.close()
