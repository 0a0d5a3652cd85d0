"""Inside WeChat's browser (its user agent and a WeixinJSBridge stub standing for the app), against
the WeChat platform simulator: a new member is sent through WeChat's web authorisation silently,
shares their WeChat name and photo with a tap, verifies a phone once, and lands on the campaign,
whose share card WeChat receives through the JS-SDK; back another day, the openid alone logs them
in. Screens: h5-wechat-*.png."""

import hashlib
from urllib.parse import urlparse

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from simulators.wechat import WechatSimulator
from tuangou.accounts.models import User, WechatIdentity
from tuangou.catalog.models import ProductImage

from .conftest import _context
from .test_h5_leader import given_shipped_campaign, send_code
from .test_h5_member import given_shop_with_a_live_campaign, shot

APP_ID, SECRET = "wx5e1f0a2b3c4d5e6f", "official-account-secret"
WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/120.0.6099.193 Mobile Safari/537.36 XWEB/1200071 MMWEBSDK/20240404 "
    "MicroMessenger/8.0.50.2600(0x28003237) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64"
)
# The WeChat app's side of the JS-SDK: records every call and says ok, as WeChat does for a
# correctly signed page (the signature itself is checked by the test against the simulator's ticket).
BRIDGE_STUB = """
window.__wx = [];
window.WeixinJSBridge = {
  invoke(name, args, callback) {
    window.__wx.push({ name, args });
    setTimeout(() => callback && callback({ err_msg: name + ':ok' }), 0);
  },
  on(name, callback) { window.__wx.push({ name: 'on:' + name }); },
  call(name) { window.__wx.push({ name }); },
};
"""


@pytest.fixture
def wechat_sim(settings, live_server):
    with WechatSimulator(apps={APP_ID: SECRET}) as simulator:
        settings.WECHAT_APP_ID, settings.WECHAT_APP_SECRET = APP_ID, SECRET
        settings.WECHAT_API_BASE = settings.WECHAT_OPEN_BASE = simulator.base_url
        cache.clear()
        yield simulator
        cache.clear()


@pytest.fixture
def wechat_phone(browser, live_server, transactional_db):
    contexts = []

    def make():
        context = _context(
            browser,
            live_server,
            viewport={"width": 390, "height": 844},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            user_agent=WECHAT_UA,
        )
        context.add_init_script(BRIDGE_STUB)
        # jweixin reports to open.weixin.qq.com; nothing leaves this machine.
        context.route(lambda url: urlparse(url).hostname not in ("127.0.0.1", "localhost"), lambda route: route.abort())
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def bridge_calls(page, name: str) -> list[dict]:
    return [call["args"] for call in page.evaluate("window.__wx") if call["name"] == name]


def test_member_logs_in_through_wechat_and_the_campaign_sets_its_share_card(wechat_sim, wechat_phone, live_server):
    shop, leader, campaign = given_shop_with_a_live_campaign()
    photo = ProductImage.objects.order_by("id").last().image.url  # a picture this machine can serve
    wechat_sim.login_as("mei", nickname="梅子😀𠮷", headimgurl=f"{live_server.url}{photo}")
    campaign_path = f"/h5/s/{shop.id}/campaigns/{campaign.id}"
    page = wechat_phone()

    # Opening the login page inside WeChat goes through WeChat's authorisation without a tap.
    page.goto(f"/h5/login?next={campaign_path}?leader={leader.id}")
    page.wait_for_url(lambda url: "wechat=phone" in url)
    expect(page.locator("[data-test=wechat-phone-step]")).to_contain_text("首次登录请验证手机号")
    assert wechat_sim.calls["/sns/oauth2/access_token"] == 1
    assert WechatIdentity.objects.get().user_id is None

    # The member taps to share their WeChat name and photo (snsapi_userinfo).
    page.click("[data-test=wechat-userinfo]")
    expect(page.locator("[data-test=wechat-nickname]")).to_have_text("梅子😀𠮷")
    # Arrow functions, not expressions: Playwright evals an expression in the page, which our CSP forbids.
    page.wait_for_function("() => document.querySelector('.wechat-avatar')?.naturalWidth > 0")
    shot(page, "h5-wechat-phone-step")

    # The phone, once, by SMS code with the privacy consent.
    page.fill("input[name=phone]", "13800000088")
    page.fill("input[name=code]", send_code(page, "13800000088"))
    page.click("[data-test=agree-privacy]")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: urlparse(url).path == campaign_path, wait_until="commit")
    expect(page.locator("h1.title")).to_have_text("周末鲜果鲜蛋团")

    member = User.objects.get(phone="13800000088")
    assert member.display_name == "梅子😀𠮷"
    assert WechatIdentity.objects.get().user_id == member.id

    # The campaign page configured the JS-SDK and gave WeChat the card, attributed to the leader.
    page.wait_for_function("() => window.__wx.some((c) => c.name === 'updateTimelineShareData')")
    verify = bridge_calls(page, "preVerifyJSAPI")[0]
    signed_url = f"{live_server.url}{campaign_path}?leader={leader.id}"
    ticket = wechat_sim.ticket_for(APP_ID)
    plain = (
        f"jsapi_ticket={ticket}&noncestr={verify['verifyNonceStr']}"
        f"&timestamp={verify['verifyTimestamp']}&url={signed_url}"
    )
    assert verify["verifyAppId"] == APP_ID
    assert verify["verifySignature"] == hashlib.sha1(plain.encode()).hexdigest()
    assert sorted(verify["verifyJsApiList"]) == ["scanQRCode", "updateAppMessageShareData", "updateTimelineShareData"]
    assert verify["verifyOpenTagList"] == ["wx-open-subscribe"]
    card = bridge_calls(page, "updateAppMessageShareData")[0]
    assert card["title"] == "周末鲜果鲜蛋团"
    assert card["desc"] == "周末鲜果鲜蛋团，团购价 ¥19.90 起，快来一起买！"
    assert card["link"] == signed_url
    assert card["imgUrl"].startswith(f"{live_server.url}/media/")
    timeline = bridge_calls(page, "updateTimelineShareData")[0]
    assert (timeline["title"], timeline["link"]) == ("周末鲜果鲜蛋团", signed_url)
    shot(page, "h5-wechat-campaign")

    # Another day, a new tab: the openid alone logs the member in, no SMS.
    again = wechat_phone()
    again.goto(f"/h5/login?next={campaign_path}")
    again.wait_for_url(lambda url: urlparse(url).path == campaign_path, wait_until="commit")
    expect(again.locator("h1.title")).to_have_text("周末鲜果鲜蛋团")
    assert again.evaluate("fetch('/api/auth/me').then((r) => r.json())")["phone"] == "13800000088"
    assert wechat_sim.calls["/cgi-bin/token"] == 1  # the token and the ticket came from the cache
    assert wechat_sim.calls["/cgi-bin/ticket/getticket"] == 1


def test_leader_opens_the_share_page_in_wechat_and_its_card_carries_their_attribution(
    wechat_sim, wechat_phone, live_server, settings
):
    settings.SITE_URL = live_server.url  # share links point at this server
    shop, leader, _, campaign, _ = given_shipped_campaign()
    wechat_sim.login_as("huang")
    WechatIdentity.objects.create(app_id=APP_ID, openid=wechat_sim.current.openid(APP_ID), user=leader.user)
    share_path = f"/h5/s/{shop.id}/leader/campaigns/{campaign.id}"
    page = wechat_phone()

    # A leader page needs a login: inside WeChat the openid is enough, without a tap.
    page.goto(share_path)
    page.wait_for_url(lambda url: urlparse(url).path == share_path)
    link = f"{live_server.url}/h5/s/{shop.id}/campaigns/{campaign.id}?leader={leader.id}"
    expect(page.locator("[data-test=share-link]")).to_have_text(link)

    page.wait_for_function("() => window.__wx.some((c) => c.name === 'updateAppMessageShareData')")
    card = bridge_calls(page, "updateAppMessageShareData")[0]
    assert (card["title"], card["link"]) == (
        "【已有1人接龙】周末鲜蛋团",
        link,
    )  # the live 接龙 counts its orders in the title
    assert card["imgUrl"].startswith("http://")
    verify = bridge_calls(page, "preVerifyJSAPI")[0]
    plain = (
        f"jsapi_ticket={wechat_sim.ticket_for(APP_ID)}&noncestr={verify['verifyNonceStr']}"
        f"&timestamp={verify['verifyTimestamp']}&url={live_server.url}{page.evaluate('location.pathname + location.search')}"
    )
    assert verify["verifySignature"] == hashlib.sha1(plain.encode()).hexdigest()
    shot(page, "h5-wechat-leader-share")

    # Its share button points at WeChat's own menu, which sends the card just set.
    page.click("[data-test=share]")
    expect(page.get_by_text("点击右上角 ··· 发送给朋友或分享到朋友圈")).to_be_visible()
