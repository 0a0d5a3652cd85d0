"""The 接龙 text and the share card of a leader's campaign, and who may fetch them."""

import pytest

from tuangou.accounts.testing import ApiClient
from tuangou.campaigns.models import Campaign, CampaignLeader
from tuangou.core.testing import ok
from tuangou.orders.models import Order

from .factories import (
    PickupPointFactory,
    decode_qr,
    given_campaign,
    member,
    order_with_lines,
    paid_at,
    phone_client,
    product_photo,
)

pytestmark = pytest.mark.django_db
S = Order.Status


def jielong(client, world):
    return client.get(f"shops/{world.shop.id}/leader/campaigns/{world.campaign.id}/jielong")


def test_jielong_lists_every_paid_order_of_my_point_in_order_of_payment(settings):
    settings.SITE_URL = "https://tuangou.example.cn"
    world = given_campaign()
    at = dict(campaign=world.campaign, point=world.point)
    # Given orders at my point, paid in this order: 李 (later), 张 (first, two goods), 王 (picked up)
    order_with_lines(**at, member=member("李小红"), lines=[(world.milk, 1)], paid_at=paid_at(30), status=S.PAID)
    order_with_lines(
        **at, member=member("张三丰"), lines=[(world.eggs, 2), (world.milk, 1)], paid_at=paid_at(10), status=S.CONFIRMED
    )
    order_with_lines(**at, member=member("王芳"), lines=[(world.eggs, 3, 1)], paid_at=paid_at(40), status=S.PICKED_UP)
    # ... and ones that are not part of the chain: unpaid, refunded, cancelled, another point's
    order_with_lines(**at, member=member("赵六"), lines=[(world.eggs, 1)], paid_at=None, status=S.PENDING_PAYMENT)
    order_with_lines(**at, member=member("钱七"), lines=[(world.eggs, 1)], paid_at=paid_at(5), status=S.REFUNDED)
    order_with_lines(**at, member=member("孙八"), lines=[(world.eggs, 1)], paid_at=None, status=S.CANCELLED)
    other_point = PickupPointFactory(shop=world.shop, leader__shop=world.shop)
    order_with_lines(
        campaign=world.campaign, point=other_point, member=member("周九"), lines=[(world.eggs, 1)], paid_at=paid_at(1)
    )

    body = ok(jielong(phone_client(world.leader.user), world))

    assert body.pop("messages") == [body["text"]]  # short enough for one chat message
    assert body == {
        "campaign_id": world.campaign.id,
        "order_count": 3,
        "text": "\n".join(
            [
                "【接龙】周末鲜蛋团",
                "截单：11月29日 20:00",
                "自提点：西村快递驿站（思明区大学路168号）",
                "提货时间：11月30日 10:30",
                "——————————",
                "1. 张** 土鸡蛋(30枚)×2，鲜牛奶×1",
                "2. 李** 鲜牛奶×1",
                "3. 王* 土鸡蛋(30枚)×2",
                "——————————",
                f"还没下单的邻居，点链接一起参团：https://tuangou.example.cn/h5/s/{world.shop.id}/campaigns/{world.campaign.id}?leader={world.leader.id}",
            ]
        ),
    }


def test_jielong_grows_as_orders_come_in_and_shows_a_call_before_the_first():
    world = given_campaign()
    leader = phone_client(world.leader.user)

    before = ok(jielong(leader, world))
    order_with_lines(
        campaign=world.campaign,
        point=world.point,
        member=member("陈丽"),
        lines=[(world.eggs, 1)],
        paid_at=paid_at(0),
        status=S.PAID,
    )
    after = ok(jielong(leader, world))

    assert before["order_count"] == 0
    assert "还没有人接龙，快来抢第一单！" in before["text"].splitlines()
    assert after["order_count"] == 1
    assert "1. 陈* 土鸡蛋(30枚)×1" in after["text"].splitlines()


def test_jielong_names_a_member_without_a_name_by_their_masked_phone():
    world = given_campaign()
    buyer = member("")
    order_with_lines(
        campaign=world.campaign,
        point=world.point,
        member=buyer,
        lines=[(world.milk, 2)],
        paid_at=paid_at(0),
        contact_name=buyer.username,
    )

    text = ok(jielong(phone_client(world.leader.user), world))["text"]

    assert f"1. {buyer.phone[:3]}****{buyer.phone[-4:]} 鲜牛奶×2" in text.splitlines()


def test_share_card_has_the_title_the_lowest_price_the_photo_and_my_link(settings):
    settings.SITE_URL = "https://tuangou.example.cn"
    world = given_campaign(description="农家散养，现捡现发\n第二行")
    photo = product_photo(world.shop, world.eggs.sku.product)

    card = ok(phone_client(world.leader.user).get(f"shops/{world.shop.id}/leader/campaigns/{world.campaign.id}/share"))

    assert card == {
        "campaign_id": world.campaign.id,
        "title": "周末鲜蛋团",
        "description": "农家散养，现捡现发",
        "price_from_fen": 1890,
        "original_price_fen": 2190,
        "has_several_prices": True,
        "image_url": f"https://tuangou.example.cn/media/{photo.image.name}",
        "link": f"https://tuangou.example.cn/h5/s/{world.shop.id}/campaigns/{world.campaign.id}?leader={world.leader.id}",
        "poster_url": f"/api/shops/{world.shop.id}/leader/campaigns/{world.campaign.id}/poster.png",
        "cutoff_at": "2026-11-29T12:00:00Z",
        "leader_name": "黄美玲",
        "point_name": "西村快递驿站",
        "order_count": 0,
    }


# --- who may fetch them ---------------------------------------------------------------------

ENDPOINTS = ["poster.png", "jielong", "share"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_leader_not_running_the_campaign_gets_404(endpoint):
    world = given_campaign(all_leaders=False)
    CampaignLeader.objects.create(shop=world.shop, campaign=world.campaign, leader=world.leader)
    outsider = PickupPointFactory(shop=world.shop, leader__shop=world.shop).leader

    response = phone_client(outsider.user).get(f"shops/{world.shop.id}/leader/campaigns/{world.campaign.id}/{endpoint}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert (
        phone_client(world.leader.user)
        .get(f"shops/{world.shop.id}/leader/campaigns/{world.campaign.id}/{endpoint}")
        .status_code
        == 200
    )


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_another_shops_campaign_or_shop_is_the_same_404(endpoint):
    world = given_campaign()
    elsewhere = given_campaign()
    leader = phone_client(world.leader.user)

    other_campaign = leader.get(f"shops/{world.shop.id}/leader/campaigns/{elsewhere.campaign.id}/{endpoint}")
    other_shop = leader.get(f"shops/{elsewhere.shop.id}/leader/campaigns/{elsewhere.campaign.id}/{endpoint}")

    assert (other_campaign.status_code, other_shop.status_code) == (404, 404)
    assert other_campaign.json()["code"] == other_shop.json()["code"] == "not_found"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_member_who_is_not_a_leader_gets_404_and_a_stranger_401(endpoint):
    world = given_campaign()
    path = f"shops/{world.shop.id}/leader/campaigns/{world.campaign.id}/{endpoint}"

    assert phone_client(member("路人")).get(path).status_code == 404
    assert ApiClient().get(path).status_code == 401


def test_a_draft_campaign_cannot_be_shared():
    world = given_campaign(status=Campaign.Status.DRAFT)

    response = phone_client(world.leader.user).get(f"shops/{world.shop.id}/leader/campaigns/{world.campaign.id}/share")

    assert response.status_code == 404


def test_poster_decodes_for_each_leader_to_their_own_link():
    world = given_campaign()
    second = PickupPointFactory(shop=world.shop, leader__shop=world.shop).leader

    mine = phone_client(world.leader.user).get(f"shops/{world.shop.id}/leader/campaigns/{world.campaign.id}/poster.png")
    theirs = phone_client(second.user).get(f"shops/{world.shop.id}/leader/campaigns/{world.campaign.id}/poster.png")

    assert decode_qr(mine.content).endswith(f"?leader={world.leader.id}")
    assert decode_qr(theirs.content).endswith(f"?leader={second.id}")
