import pytest

from tuangou.core.testing import ok
from tuangou.leaders.models import Leader, LeaderEvent, Membership, PickupPoint, Region, Team
from tuangou.leaders.tests.factories import LeaderApplicationFactory, LeaderFactory, member_client, staff_client
from tuangou.shops.tests.factories import MemberUserFactory

pytestmark = pytest.mark.django_db


def test_leaders_list_filters_searches_and_counts_members():
    owner, shop = staff_client()
    team = Team.objects.create(shop=shop, name="思明一队")
    chen = LeaderFactory(shop=shop, name="陈丽", team=team, point__community="海韵花园")
    LeaderFactory(shop=shop, name="王芳", point__community="中山公园小区")
    LeaderFactory(shop=shop, name="林强", status="suspended", point__community="软件园公寓")
    LeaderFactory(name="别家团长")
    Membership.objects.create(shop=shop, user=MemberUserFactory(), leader=chen)

    everyone = ok(owner.get(f"console/shops/{shop.id}/leaders"))
    suspended = ok(owner.get(f"console/shops/{shop.id}/leaders", {"status": "suspended"}))
    by_community = ok(owner.get(f"console/shops/{shop.id}/leaders", {"search": "海韵"}))
    by_team = ok(owner.get(f"console/shops/{shop.id}/leaders", {"team_id": team.id}))

    assert everyone["count"] == 3
    assert [leader["name"] for leader in suspended["items"]] == ["林强"]
    assert [(leader["name"], leader["member_count"], leader["team_name"]) for leader in by_community["items"]] == [
        ("陈丽", 1, "思明一队")
    ]
    assert by_team["count"] == 1
    assert (by_community["items"][0]["order_count"], by_community["items"][0]["gmv_fen"]) == (0, 0)


def test_update_sets_commission_team_region_and_point_with_an_audit_row():
    owner, shop = staff_client()
    leader = LeaderFactory(shop=shop)
    team = Team.objects.create(shop=shop, name="思明一队")
    region = Region.objects.create(shop=shop, name="思明区")

    body = ok(
        owner.patch(
            f"console/shops/{shop.id}/leaders/{leader.id}",
            {
                "commission_rate_bp": 1500,
                "team_id": team.id,
                "region_id": region.id,
                "name": "海韵花园3号楼自提点",
                "route": "思明线",
                "lat": 24.4401,
                "lng": 118.0988,
            },
        )
    )

    assert (body["commission_rate_bp"], body["team_name"], body["region_name"]) == (1500, "思明一队", "思明区")
    assert (body["pickup_point"]["name"], body["pickup_point"]["route"], body["pickup_point"]["lat"]) == (
        "海韵花园3号楼自提点",
        "思明线",
        24.4401,
    )
    event = LeaderEvent.objects.get(leader=leader, type="updated")
    assert event.data["commission_rate_bp"] == [None, 1500]
    assert body["events"][0]["type"] == "updated"


def test_update_back_to_the_shop_default_rate_and_refuses_bad_values():
    owner, shop = staff_client()
    leader = LeaderFactory(shop=shop, commission_rate_bp=1500)

    too_high = owner.patch(f"console/shops/{shop.id}/leaders/{leader.id}", {"commission_rate_bp": 5001})
    bad_lat = owner.patch(f"console/shops/{shop.id}/leaders/{leader.id}", {"lat": 80, "commission_rate_bp": 100})
    default = ok(owner.patch(f"console/shops/{shop.id}/leaders/{leader.id}", {"commission_rate_bp": None}))

    assert (too_high.status_code, too_high.json()["field"]) == (422, "commission_rate_bp")
    assert (bad_lat.status_code, bad_lat.json()["field"]) == (422, "lat")
    assert (default["commission_rate_bp"], default["effective_commission_rate_bp"]) == (
        None,
        shop.default_commission_rate_bp,
    )


def test_suspend_reactivate_and_clear_out_keep_an_audit_trail():
    owner, shop = staff_client()
    leader = LeaderFactory(shop=shop, point__community="海韵花园")
    base = f"console/shops/{shop.id}/leaders/{leader.id}"

    no_reason = owner.post(f"{base}/suspend", {"reason": ""})
    suspended = ok(owner.post(f"{base}/suspend", {"reason": "连续两周无销售"}))
    again = owner.post(f"{base}/suspend", {"reason": "重复操作"})
    ok(owner.post(f"{base}/reactivate", {"reason": "已沟通，恢复开团"}))
    cleared = ok(owner.post(f"{base}/clear", {"reason": "调整期后仍不达标"}))

    assert (no_reason.status_code, no_reason.json()["field"]) == (422, "reason")
    assert (suspended["status"], suspended["status_reason"]) == ("suspended", "连续两周无销售")
    assert (again.status_code, again.json()["code"], again.json()["message"]) == (
        409,
        "leader_state",
        "团长当前状态为「已暂停」，不能暂停",
    )
    assert (cleared["status"], cleared["pickup_point"]["is_active"]) == ("cleared", False)
    assert list(LeaderEvent.objects.filter(leader=leader).values_list("type", "from_status", "to_status")) == [
        ("suspend", "active", "suspended"),
        ("reactivate", "suspended", "active"),
        ("clear", "active", "cleared"),
    ]
    assert [e["data"]["reason"] for e in cleared["events"]] == [
        "调整期后仍不达标",
        "已沟通，恢复开团",
        "连续两周无销售",
    ]


def test_clearing_out_frees_the_community_and_gives_up_captaincy():
    owner, shop = staff_client()
    leader = LeaderFactory(shop=shop, point__community="海韵花园")
    team = Team.objects.create(shop=shop, name="思明一队", captain=leader)
    leader.team = team
    leader.save()
    application = LeaderApplicationFactory(shop=shop, community="海韵花园")

    ok(owner.post(f"console/shops/{shop.id}/leaders/{leader.id}/clear", {"reason": "长期无业绩"}))
    ok(owner.post(f"console/shops/{shop.id}/leader-applications/{application.id}/approve", {}), 201)
    back = owner.post(f"console/shops/{shop.id}/leaders/{leader.id}/reactivate", {"reason": "想回来"})

    team.refresh_from_db()
    assert team.captain is None
    assert (back.status_code, back.json()["code"]) == (409, "community_taken")
    leader.refresh_from_db()
    assert leader.status == "cleared"


def test_warehouse_cannot_manage_leaders():
    owner, shop = staff_client()
    warehouse, _ = staff_client(shop=shop, role="warehouse")
    leader = LeaderFactory(shop=shop)

    listing = warehouse.get(f"console/shops/{shop.id}/leaders")
    suspend = warehouse.post(f"console/shops/{shop.id}/leaders/{leader.id}/suspend", {"reason": "试试"})

    assert listing.status_code == suspend.status_code == 403
    leader.refresh_from_db()
    assert leader.status == "active"


def test_another_shops_leader_team_and_region_are_404():
    owner, shop = staff_client()
    theirs = LeaderFactory()
    their_team = Team.objects.create(shop=theirs.shop, name="别家队")
    their_region = Region.objects.create(shop=theirs.shop, name="别家区")
    mine = LeaderFactory(shop=shop)

    responses = [
        owner.get(f"console/shops/{shop.id}/leaders/{theirs.id}"),
        owner.patch(f"console/shops/{shop.id}/leaders/{theirs.id}", {"route": "x"}),
        owner.post(f"console/shops/{shop.id}/leaders/{theirs.id}/suspend", {"reason": "x"}),
        owner.patch(f"console/shops/{shop.id}/leaders/{mine.id}", {"team_id": their_team.id}),
        owner.patch(f"console/shops/{shop.id}/leaders/{mine.id}", {"region_id": their_region.id}),
        owner.patch(f"console/shops/{shop.id}/teams/{their_team.id}", {"name": "x"}),
        owner.delete(f"console/shops/{shop.id}/regions/{their_region.id}"),
        owner.post(f"console/shops/{shop.id}/teams", {"name": "新队", "captain_id": theirs.id}),
    ]

    assert [r.status_code for r in responses] == [404] * 8
    assert Leader.objects.get(pk=theirs.id).status == "active"
    assert Team.objects.filter(shop=shop).count() == 0
    assert Region.objects.filter(pk=their_region.id).exists()
    mine.refresh_from_db()
    assert (mine.team_id, mine.region_id) == (None, None)


def test_teams_have_a_captain_from_their_own_leaders():
    owner, shop = staff_client()
    chen = LeaderFactory(shop=shop, name="陈丽")
    wang = LeaderFactory(shop=shop, name="王芳")

    first = ok(owner.post(f"console/shops/{shop.id}/teams", {"name": "思明一队", "captain_id": chen.id}), 201)
    second = ok(owner.post(f"console/shops/{shop.id}/teams", {"name": "湖里一队"}), 201)
    poached = owner.patch(f"console/shops/{shop.id}/teams/{second['id']}", {"captain_id": chen.id})
    ok(owner.patch(f"console/shops/{shop.id}/leaders/{wang.id}", {"team_id": second["id"]}))
    renamed = ok(
        owner.patch(f"console/shops/{shop.id}/teams/{second['id']}", {"name": "湖里先锋队", "captain_id": wang.id})
    )
    teams = ok(owner.get(f"console/shops/{shop.id}/teams"))

    assert (first["captain_name"], first["member_count"]) == ("陈丽", 1)
    assert (poached.status_code, poached.json()["code"], poached.json()["field"]) == (
        400,
        "captain_not_in_team",
        "captain_id",
    )
    assert (renamed["name"], renamed["captain_name"], renamed["member_count"]) == ("湖里先锋队", "王芳", 1)
    assert [(t["name"], t["captain_id"]) for t in teams["items"]] == [("思明一队", chen.id), ("湖里先锋队", wang.id)]


def test_moving_a_captain_to_another_team_leaves_the_old_team_without_one():
    owner, shop = staff_client()
    chen = LeaderFactory(shop=shop)
    first = ok(owner.post(f"console/shops/{shop.id}/teams", {"name": "一队", "captain_id": chen.id}), 201)
    second = ok(owner.post(f"console/shops/{shop.id}/teams", {"name": "二队"}), 201)

    ok(owner.patch(f"console/shops/{shop.id}/leaders/{chen.id}", {"team_id": second["id"]}))

    assert Team.objects.get(pk=first["id"]).captain_id is None


def test_regions_crud_with_a_regional_leader():
    owner, shop = staff_client()
    regional = LeaderFactory(shop=shop, name="林强")
    suspended = LeaderFactory(shop=shop, status="suspended")
    member_of_region = LeaderFactory(shop=shop)

    region = ok(
        owner.post(f"console/shops/{shop.id}/regions", {"name": "思明区", "regional_leader_id": regional.id}), 201
    )
    ok(owner.patch(f"console/shops/{shop.id}/leaders/{member_of_region.id}", {"region_id": region["id"]}))
    refused = owner.patch(f"console/shops/{shop.id}/regions/{region['id']}", {"regional_leader_id": suspended.id})
    listing = ok(owner.get(f"console/shops/{shop.id}/regions"))
    deleted = owner.delete(f"console/shops/{shop.id}/regions/{region['id']}")

    assert (region["regional_leader_name"], region["leader_count"]) == ("林强", 0)
    assert (refused.status_code, refused.json()["field"]) == (404, "regional_leader_id")
    assert [(r["name"], r["regional_leader_id"], r["leader_count"]) for r in listing["items"]] == [
        ("思明区", regional.id, 1)
    ]
    assert deleted.status_code == 204
    member_of_region.refresh_from_db()
    assert member_of_region.region_id is None


def test_leader_detail_has_referrals_and_pickup_point():
    owner, shop = staff_client()
    referrer = LeaderFactory(shop=shop)
    LeaderFactory(shop=shop, referred_by=referrer)

    detail = ok(owner.get(f"console/shops/{shop.id}/leaders/{referrer.id}"))

    assert detail["referral_count"] == 1
    assert detail["pickup_point"]["id"] == PickupPoint.objects.get(leader=referrer).id


def test_a_cleared_leader_cannot_reapply():
    leader = LeaderFactory(status="cleared")
    shop = leader.shop
    client = member_client(leader.user.phone)

    response = client.post(
        f"shops/{shop.id}/leader-applications",
        {
            "name": "陈丽",
            "phone": leader.user.phone,
            "community": "新小区",
            "address": "湖里区",
            "lat": 24.5,
            "lng": 118.1,
            "households": 900,
        },
    )

    assert (response.status_code, response.json()["code"]) == (409, "leader_cleared")


def test_leader_for_user_finds_active_and_suspended_leaders_but_not_cleared_ones():
    from tuangou.leaders.selectors import leader_for_user

    active = LeaderFactory()
    suspended = LeaderFactory(status="suspended")
    cleared = LeaderFactory(status="cleared")

    assert leader_for_user(shop=active.shop, user=active.user) == active
    assert leader_for_user(shop=suspended.shop, user=suspended.user) == suspended
    assert leader_for_user(shop=cleared.shop, user=cleared.user) is None
    assert leader_for_user(shop=suspended.shop, user=active.user) is None
