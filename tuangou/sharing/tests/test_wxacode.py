"""Mini-program codes (getwxacodeunlimit) for the recruitment page and campaigns, against the WeChat
platform simulator over HTTP: a real PNG carrying the scene, fetched once per scene, and WeChat's
JSON errors as a clear answer."""

import pytest
from django.core.cache import cache

from simulators.wechat import WechatSimulator
from tuangou.accounts import wechat

from .factories import decode_qr, given_campaign, png_size, staff_client

pytestmark = pytest.mark.django_db
MP_APP_ID, MP_SECRET = "wxminiprogram00001", "s3cr3t-mini-program"


@pytest.fixture
def sim(settings):
    with WechatSimulator(apps={MP_APP_ID: MP_SECRET}) as simulator:
        settings.WECHAT_MINIPROGRAM_APP_ID, settings.WECHAT_MINIPROGRAM_APP_SECRET = MP_APP_ID, MP_SECRET
        settings.WECHAT_API_BASE = simulator.base_url
        cache.clear()
        yield simulator
        cache.clear()


def test_the_console_gets_the_recruitment_and_campaign_codes_once_per_scene(sim):
    world = given_campaign()
    console = staff_client(world.shop, role="operations")
    base = f"console/shops/{world.shop.id}"

    recruit = console.get(f"{base}/recruitment-plan/wxacode.png")
    again = console.get(f"{base}/recruitment-plan/wxacode.png")
    campaign = console.get(f"{base}/campaigns/{world.campaign.id}/wxacode.png")

    assert (recruit.status_code, recruit["Content-Type"]) == (200, "image/png")
    assert again.content == recruit.content
    assert png_size(recruit.content) == (430, 430)
    assert decode_qr(recruit.content) == f"wxacode:{MP_APP_ID}:pages/recruit/index?scene=r{world.shop.id}"
    assert decode_qr(campaign.content) == (
        f"wxacode:{MP_APP_ID}:pages/campaign/index?scene=c{world.shop.id}.{world.campaign.id}"
    )
    assert [(c["scene"], c["page"]) for c in sim.wxacodes] == [
        (f"r{world.shop.id}", "pages/recruit/index"),
        (f"c{world.shop.id}.{world.campaign.id}", "pages/campaign/index"),
    ]
    assert sim.calls["/wxa/getwxacodeunlimit"] == 2


def test_a_wechat_error_is_a_clear_502_and_nothing_is_cached(sim):
    world = given_campaign()
    console = staff_client(world.shop)
    url = f"console/shops/{world.shop.id}/recruitment-plan/wxacode.png"
    sim.fail_next("/wxa/getwxacodeunlimit", 45009)

    refused = console.get(url)
    retried = console.get(url)

    assert (refused.status_code, refused.json()["code"]) == (502, "wechat_unavailable")
    assert (retried.status_code, retried["Content-Type"]) == (200, "image/png")


def test_without_a_mini_program_the_console_is_told_so(settings):
    settings.WECHAT_MINIPROGRAM_APP_ID = ""
    world = given_campaign()

    response = staff_client(world.shop).get(f"console/shops/{world.shop.id}/recruitment-plan/wxacode.png")

    assert (response.status_code, response.json()["code"]) == (400, "wxacode_not_configured")


def test_campaign_codes_need_campaigns_view_and_are_404_for_other_shops(sim):
    world, elsewhere = given_campaign(), given_campaign()

    denied = staff_client(world.shop, role="warehouse").get(
        f"console/shops/{world.shop.id}/recruitment-plan/wxacode.png"
    )
    other = staff_client(world.shop).get(f"console/shops/{world.shop.id}/campaigns/{elsewhere.campaign.id}/wxacode.png")

    assert denied.status_code == 403
    assert (other.status_code, other.json()["code"]) == (404, "not_found")
    assert sim.calls["/wxa/getwxacodeunlimit"] == 0


@pytest.mark.parametrize("scene", ["a" * 33, "", "提货", "a b"])
def test_the_simulator_refuses_a_bad_scene_with_a_json_error(sim, scene):
    with pytest.raises(wechat.WechatError) as refused:
        wechat.wxacode_unlimited(app_id=MP_APP_ID, secret=MP_SECRET, scene=scene, page="pages/recruit/index")

    assert refused.value.errcode == 40097


def test_the_simulator_refuses_an_unreleased_page(sim):
    sim.pages[MP_APP_ID] = {"pages/index/index"}

    with pytest.raises(wechat.WechatError) as refused:
        wechat.wxacode_unlimited(app_id=MP_APP_ID, secret=MP_SECRET, scene="r1", page="pages/recruit/index")

    assert refused.value.errcode == 41030
