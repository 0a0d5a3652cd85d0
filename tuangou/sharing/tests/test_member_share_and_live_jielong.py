"""Members share a campaign too (card and poster), credited to their own leader; the 接龙 comes as
parts a chat accepts; a leader's mini-program code carries their attribution."""

import pytest
from django.core.cache import cache

from simulators.wechat import WechatSimulator
from tuangou.core.testing import ok
from tuangou.leaders.models import Leader, Membership
from tuangou.orders.models import Order
from tuangou.sharing.selectors import CHAT_MESSAGE_LIMIT, chat_messages

from .factories import decode_qr, given_campaign, member, order_with_lines, paid_at, phone_client

pytestmark = pytest.mark.django_db
MP_APP_ID, MP_SECRET = "wxminiprogram00001", "s3cr3t-mini-program"


def bound(world, name="张三"):
    person = member(name)
    Membership.objects.create(shop=world.shop, user=person, leader=world.leader, via_leader=world.leader)
    return person


def test_a_members_share_card_and_poster_carry_their_own_leader(settings):
    settings.SITE_URL = "https://tuangou.example.cn"
    world = given_campaign()
    client = phone_client(bound(world))
    base = f"shops/{world.shop.id}/campaigns/{world.campaign.id}"

    card = ok(client.get(f"{base}/share"))
    poster = client.get(f"{base}/poster.png")

    link = f"https://tuangou.example.cn/h5/s/{world.shop.id}/campaigns/{world.campaign.id}?leader={world.leader.id}"
    assert (card["link"], card["leader_name"], card["point_name"]) == (link, "黄美玲", "西村快递驿站")
    assert card["poster_url"] == f"/api/{base}/poster.png"
    assert (poster.status_code, poster["Content-Type"]) == (200, "image/png")
    assert decode_qr(poster.content) == link


@pytest.mark.parametrize("case", ["no_membership", "no_leader", "suspended"])
def test_a_member_without_an_active_leader_is_asked_to_choose_one(case):
    world = given_campaign()
    person = member("张三")
    if case != "no_membership":
        Membership.objects.create(shop=world.shop, user=person, leader=None if case == "no_leader" else world.leader)
    if case == "suspended":
        Leader.objects.filter(pk=world.leader.pk).update(status=Leader.Status.SUSPENDED)

    response = phone_client(person).get(f"shops/{world.shop.id}/campaigns/{world.campaign.id}/share")

    assert (response.status_code, response.json()["code"]) == (409, "member_no_leader")


def test_a_member_cannot_share_a_draft_or_another_shops_campaign():
    world, elsewhere = given_campaign(), given_campaign()
    client = phone_client(bound(world))

    other = client.get(f"shops/{world.shop.id}/campaigns/{elsewhere.campaign.id}/share")
    world.campaign.status = "draft"
    world.campaign.save()
    draft = client.get(f"shops/{world.shop.id}/campaigns/{world.campaign.id}/poster.png")

    assert (other.status_code, draft.status_code) == (404, 404)


def test_the_share_card_counts_the_jielong_so_far():
    world = given_campaign()
    leader = phone_client(world.leader.user)
    url = f"shops/{world.shop.id}/leader/campaigns/{world.campaign.id}/share"
    before = ok(leader.get(url))["order_count"]
    order_with_lines(
        campaign=world.campaign,
        point=world.point,
        lines=[(world.eggs, 1)],
        paid_at=paid_at(5),
        status=Order.Status.PAID,
    )

    assert (before, ok(leader.get(url))["order_count"]) == (0, 1)


def test_a_long_jielong_comes_as_parts_under_the_chat_limit_split_at_lines():
    world = given_campaign()
    for minute in range(120):
        order_with_lines(
            campaign=world.campaign,
            point=world.point,
            member=member(f"邻居{minute}"),
            lines=[(world.eggs, 1), (world.milk, 2)],
            paid_at=paid_at(minute),
            status=Order.Status.PAID,
        )

    body = ok(
        phone_client(world.leader.user).get(f"shops/{world.shop.id}/leader/campaigns/{world.campaign.id}/jielong")
    )

    assert body["order_count"] == 120
    assert len(body["messages"]) > 1
    assert all(len(part) <= CHAT_MESSAGE_LIMIT for part in body["messages"])
    assert "\n".join(body["messages"]) == body["text"]  # nothing lost, no line cut in two


def test_chat_messages_cut_only_a_line_longer_than_the_limit():
    assert chat_messages(["ab", "cd", "efghij"], limit=5) == ["ab\ncd", "efghi", "j"]
    assert chat_messages([], limit=5) == [""]
    assert chat_messages(["𠮷" * 3, "🍜"], limit=4) == ["𠮷𠮷𠮷", "🍜"]  # characters, not bytes


def test_a_leaders_mini_program_code_carries_their_attribution_and_is_fetched_once(settings):
    world = given_campaign()
    with WechatSimulator(apps={MP_APP_ID: MP_SECRET}) as sim:
        settings.WECHAT_MINIPROGRAM_APP_ID, settings.WECHAT_MINIPROGRAM_APP_SECRET = MP_APP_ID, MP_SECRET
        settings.WECHAT_API_BASE = sim.base_url
        cache.clear()
        leader = phone_client(world.leader.user)
        url = f"shops/{world.shop.id}/leader/campaigns/{world.campaign.id}/wxacode.png"

        first, second = leader.get(url), leader.get(url)

        scene = f"c{world.shop.id}.{world.campaign.id}.{world.leader.id}"
        assert decode_qr(first.content) == f"wxacode:{MP_APP_ID}:pages/campaign/index?scene={scene}"
        assert second.content == first.content
        assert sim.calls["/wxa/getwxacodeunlimit"] == 1
        cache.clear()
