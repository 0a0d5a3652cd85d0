import random
from decimal import Decimal

import pytest

from tuangou.accounts.testing import ApiClient
from tuangou.core.geo import distance_m
from tuangou.core.testing import ok
from tuangou.leaders.models import LeaderEvent, Membership, PickupPoint, RecruitmentPlan
from tuangou.leaders.selectors import pickup_points_nearby
from tuangou.leaders.services import recruitment_plan_create_default
from tuangou.leaders.tests.factories import (
    SOFTWARE_PARK_2,
    XIAMEN_UNIVERSITY,
    ZHONGSHAN_ROAD,
    LeaderFactory,
    member_client,
    staff_client,
)
from tuangou.shops.tests.factories import MemberUserFactory, ShopFactory

pytestmark = pytest.mark.django_db


# --- recruitment plan -----------------------------------------------------------------------


def test_owner_edits_the_plan_from_a_template_and_the_public_link_shows_it(settings):
    settings.SITE_URL = "https://tg.example.cn"
    owner, shop = staff_client()

    plan = ok(owner.get(f"console/shops/{shop.id}/recruitment-plan"))
    templates = ok(owner.get(f"console/shops/{shop.id}/recruitment-plan/templates"))
    store = next(t for t in templates if t["name"] == "便利店店主版")
    saved = ok(
        owner.put(
            f"console/shops/{shop.id}/recruitment-plan",
            {
                "title": store["title"],
                "benefits": store["benefits"],
                "requirements": store["requirements"],
                "referral_reward_fen": 50000,
                "referral_gmv_target_fen": 500000,
                "referral_window_days": 60,
                "is_published": True,
            },
        )
    )
    public = ok(ApiClient().get(f"shops/{shop.id}/recruitment/{plan['public_token']}"))

    assert plan["link_url"] == f"https://tg.example.cn/h5/recruit/{shop.id}/{plan['public_token']}"
    assert [t["name"] for t in templates] == ["宝妈副业版", "便利店店主版", "快递代收点版"]
    assert "0资金、0囤货、0风险" in store["benefits"] and "技能培训、宣传物料、营销活动、售后服务" in store["benefits"]
    assert "5000元，推荐人可获得500元现金奖励" in store["benefits"]
    assert "所在小区500户以上" in store["requirements"]
    assert saved["title"] == store["title"]
    assert (public["shop_name"], public["title"], public["min_households"], public["link_url"]) == (
        shop.name,
        store["title"],
        500,
        plan["link_url"],
    )
    assert ok(ApiClient().get(f"shops/{shop.id}/recruitment"))["public_token"] == plan["public_token"]


def test_a_wrong_token_or_unpublished_plan_is_not_found():
    owner, shop = staff_client()
    plan = ok(owner.get(f"console/shops/{shop.id}/recruitment-plan"))
    other = ShopFactory()

    wrong_token = ApiClient().get(f"shops/{shop.id}/recruitment/nope")
    other_shop = ApiClient().get(f"shops/{other.id}/recruitment/{plan['public_token']}")
    ok(
        owner.put(
            f"console/shops/{shop.id}/recruitment-plan",
            {
                **{
                    k: plan[k]
                    for k in (
                        "title",
                        "benefits",
                        "requirements",
                        "referral_reward_fen",
                        "referral_gmv_target_fen",
                        "referral_window_days",
                    )
                },
                "is_published": False,
            },
        )
    )
    unpublished = ApiClient().get(f"shops/{shop.id}/recruitment/{plan['public_token']}")

    assert wrong_token.status_code == other_shop.status_code == unpublished.status_code == 404


def test_plan_changes_need_leaders_manage_and_bad_values_change_nothing():
    owner, shop = staff_client()
    support, _ = staff_client(shop=shop, role="support")
    recruitment_plan_create_default(shop=shop)
    body = {
        "title": "新标题",
        "benefits": "b",
        "requirements": "r",
        "referral_reward_fen": 100,
        "referral_gmv_target_fen": 0,
        "referral_window_days": 30,
    }

    by_support = support.put(f"console/shops/{shop.id}/recruitment-plan", body)
    negative = owner.put(f"console/shops/{shop.id}/recruitment-plan", {**body, "referral_reward_fen": -1})
    support_may_read = support.get(f"console/shops/{shop.id}/recruitment-plan")

    assert by_support.status_code == 403
    assert (negative.status_code, negative.json()["field"]) == (422, "referral_reward_fen")
    assert support_may_read.status_code == 200
    assert RecruitmentPlan.objects.get(shop=shop).title == "招募社区团长，在家轻松赚钱"


# --- nearby pickup points -----------------------------------------------------------------


def test_nearby_points_are_sorted_by_distance_with_masked_phones():
    shop = ShopFactory()
    campus = LeaderFactory(
        shop=shop,
        name="陈丽",
        phone="13805921111",
        point__at=XIAMEN_UNIVERSITY,
        point__community="厦大西村",
        point__route="思明线",
    )
    old_town = LeaderFactory(
        shop=shop, name="王芳", phone="13805922222", point__at=ZHONGSHAN_ROAD, point__community="中山路步行街"
    )
    park = LeaderFactory(
        shop=shop, name="林强", phone="13805923333", point__at=SOFTWARE_PARK_2, point__community="软件园二期"
    )
    LeaderFactory(shop=shop, status="suspended", point__at=ZHONGSHAN_ROAD)
    LeaderFactory(point__at=ZHONGSHAN_ROAD)  # another shop

    # Standing on 中山路: itself, then 厦门大学 (~2.5 km), then 软件园二期 (~10.9 km).
    near = ok(
        ApiClient().get(
            f"shops/{shop.id}/pickup-points/nearby", {"lat": "24.4560", "lng": "118.0800", "radius_m": 20000}
        )
    )
    small = ok(
        ApiClient().get(
            f"shops/{shop.id}/pickup-points/nearby", {"lat": "24.4560", "lng": "118.0800", "radius_m": 3000}
        )
    )

    assert [p["leader_id"] for p in near] == [old_town.id, campus.id, park.id]
    assert near[0]["distance_m"] == 0
    assert 2300 < near[1]["distance_m"] < 2700
    assert 10000 < near[2]["distance_m"] < 11500
    assert near[1] | {"distance_m": 0} == {
        "pickup_point_id": campus.pickup_point.id,
        "leader_id": campus.id,
        "community": "厦大西村",
        "name": "陈丽的自提点",
        "address": "思明区演武路1号",
        "lat": 24.4376,
        "lng": 118.0963,
        "route": "思明线",
        "leader_name": "陈丽",
        "leader_phone": "138****1111",
        "distance_m": 0,
    }
    assert [p["leader_id"] for p in small] == [old_town.id, campus.id]


def test_nearby_honours_the_limit_and_refuses_a_radius_beyond_50_km():
    shop = ShopFactory()
    for at in (XIAMEN_UNIVERSITY, ZHONGSHAN_ROAD, SOFTWARE_PARK_2):
        LeaderFactory(shop=shop, point__at=at)

    limited = ok(
        ApiClient().get(f"shops/{shop.id}/pickup-points/nearby", {"lat": 24.4376, "lng": 118.0963, "limit": 1})
    )
    too_far = ApiClient().get(
        f"shops/{shop.id}/pickup-points/nearby", {"lat": 24.4376, "lng": 118.0963, "radius_m": 50001}
    )
    no_lat = ApiClient().get(f"shops/{shop.id}/pickup-points/nearby", {"lng": 118.0963})

    assert [p["distance_m"] for p in limited] == [0]
    assert (too_far.status_code, too_far.json()["field"]) == (422, "radius_m")
    assert (no_lat.status_code, no_lat.json()["field"]) == (422, "lat")


# --- my leader ----------------------------------------------------------------------------


def test_member_binds_to_a_leader_and_can_change():
    shop = ShopFactory()
    first = LeaderFactory(shop=shop, name="陈丽", phone="13805921111")
    second = LeaderFactory(shop=shop, name="王芳", point__at=ZHONGSHAN_ROAD)
    member = member_client("13905920001")

    before = member.get(f"shops/{shop.id}/my-leader")
    bound = ok(member.put(f"shops/{shop.id}/my-leader", {"leader_id": first.id}))
    ok(member.put(f"shops/{shop.id}/my-leader", {"leader_id": second.id}))
    now = ok(member.get(f"shops/{shop.id}/my-leader"))

    assert (before.status_code, before.json()) == (200, None)
    assert (bound["leader_name"], bound["leader_phone"], bound["leader_status"]) == ("陈丽", "138****1111", "active")
    assert now["leader_id"] == second.id
    membership = Membership.objects.get(shop=shop)
    assert (membership.leader_id, membership.via_leader_id) == (second.id, first.id)


def test_a_suspended_leader_cannot_be_chosen():
    shop = ShopFactory()
    suspended = LeaderFactory(shop=shop, status="suspended")
    member = member_client("13905920002")

    response = member.put(f"shops/{shop.id}/my-leader", {"leader_id": suspended.id})

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        400,
        "leader_not_active",
        "leader_id",
    )
    assert not Membership.objects.exists()


def test_another_shops_leader_cannot_be_chosen():
    shop = ShopFactory()
    theirs = LeaderFactory()
    member = member_client("13905920003")

    other = member.put(f"shops/{shop.id}/my-leader", {"leader_id": theirs.id})
    missing = member.put(f"shops/{shop.id}/my-leader", {"leader_id": 999999})

    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()
    assert not Membership.objects.exists()


def test_my_leader_needs_a_login():
    shop = ShopFactory()

    assert ApiClient().get(f"shops/{shop.id}/my-leader").status_code == 401


# --- leader center --------------------------------------------------------------------------


def test_leader_sees_their_profile_and_referral_link(settings):
    settings.SITE_URL = "https://tg.example.cn"
    shop = ShopFactory(default_commission_rate_bp=1200)
    plan = recruitment_plan_create_default(shop=shop)
    leader = LeaderFactory(shop=shop, name="陈丽", point__community="海韵花园")
    Membership.objects.create(shop=shop, user=MemberUserFactory(), leader=leader)
    client = member_client(leader.user.phone)

    me = ok(client.get(f"shops/{shop.id}/leader/me"))

    assert (me["name"], me["status"], me["commission_rate_bp"], me["member_count"]) == ("陈丽", "active", 1200, 1)
    assert (
        me["referral_link"]
        == f"https://tg.example.cn/h5/recruit/{shop.id}/{plan.public_token}?ref={leader.referral_code}"
    )
    assert me["pickup_point"]["community"] == "海韵花园"


def test_leader_corrects_their_pickup_point_but_not_when_suspended():
    shop = ShopFactory()
    leader = LeaderFactory(shop=shop)
    client = member_client(leader.user.phone)

    updated = ok(
        client.patch(
            f"shops/{shop.id}/leader/me/pickup-point", {"name": "海韵花园北门", "address": "思明区海韵路8号北门"}
        )
    )
    leader.status = "suspended"
    leader.save()
    refused = client.patch(f"shops/{shop.id}/leader/me/pickup-point", {"name": "改不了"})

    assert (updated["name"], updated["address"]) == ("海韵花园北门", "思明区海韵路8号北门")
    assert (refused.status_code, refused.json()["code"]) == (403, "leader_not_active")
    assert PickupPoint.objects.get(leader=leader).name == "海韵花园北门"
    assert LeaderEvent.objects.filter(leader=leader, type="updated").count() == 1


def test_a_member_who_is_not_a_leader_gets_404_in_the_leader_center():
    shop = ShopFactory()
    LeaderFactory(shop=shop)
    member = member_client("13905920005")

    assert member.get(f"shops/{shop.id}/leader/me").status_code == 404


def test_nearby_by_growing_rings_finds_what_measuring_every_point_finds():
    """Points scattered over ~12 km: for each place, radius and limit, the answer is the nearest
    `limit` of all points within the radius, whichever ring they were found in."""
    shop = ShopFactory()
    rng = random.Random(3)
    for _ in range(40):
        at = (Decimal(f"{24.40 + rng.uniform(0, 0.1):.6f}"), Decimal(f"{118.05 + rng.uniform(0, 0.1):.6f}"))
        LeaderFactory(shop=shop, point__at=at)
    LeaderFactory(shop=shop, status="suspended", point__at=ZHONGSHAN_ROAD)
    points = list(PickupPoint.objects.filter(shop=shop, leader__status="active"))
    for lat, lng in (ZHONGSHAN_ROAD, XIAMEN_UNIVERSITY, SOFTWARE_PARK_2):
        for radius_m, limit in ((800, 20), (5000, 3), (5000, 20), (20000, 40), (50000, 100)):
            found = pickup_points_nearby(shop=shop, lat=float(lat), lng=float(lng), radius_m=radius_m, limit=limit)
            everything = sorted(
                (metres, p.id) for p in points if (metres := distance_m(lat, lng, p.lat, p.lng)) <= radius_m
            )
            assert [(row["distance_m"], row["point"].id) for row in found] == everything[:limit]
