import pytest

from tuangou.accounts.testing import ApiClient
from tuangou.core.testing import ok
from tuangou.leaders.models import Leader, LeaderApplication, LeaderEvent, PickupPoint
from tuangou.leaders.tests.factories import (
    SOFTWARE_PARK_2,
    ZHONGSHAN_ROAD,
    LeaderApplicationFactory,
    LeaderFactory,
    application_form,
    member_client,
    staff_client,
)
from tuangou.shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


def test_application_is_stored_with_its_checks_and_the_applicant_sees_it_pending():
    shop = ShopFactory(min_households=500, min_distance_between_points_m=1000)
    referrer = LeaderFactory(shop=shop, name="王芳", point__at=ZHONGSHAN_ROAD, point__community="中山公园小区")
    applicant = member_client("13805920001")

    created = ok(
        applicant.post(
            f"shops/{shop.id}/leader-applications", application_form(referral_code=referrer.referral_code.lower())
        ),
        201,
    )

    application = LeaderApplication.objects.get(pk=created["id"])
    assert (application.phone, application.status, application.referral_code) == (
        "13805920001",
        "pending",
        referrer.referral_code,
    )
    assert application.checks["households"] == {
        "ok": True,
        "detail": "小区800户，要求不少于500户",
        "value": 800,
        "required": 500,
    }
    assert application.checks["one_per_community"] == {"ok": True, "detail": "该小区暂无团长"}
    # 厦门大学 → 中山路 is about 2.5 km: far enough for a 1 km rule.
    assert application.checks["distance"]["ok"] is True
    assert 2300 < application.checks["distance"]["nearest_m"] < 2700
    assert application.checks["referral"] == {"ok": True, "detail": "推荐人：王芳", "leader_id": referrer.id}
    mine = ok(applicant.get(f"shops/{shop.id}/leader-applications/mine"))
    assert (mine["id"], mine["status"], mine["status_label"], mine["leader_id"]) == (
        application.id,
        "pending",
        "待审核",
        None,
    )


def test_too_few_households_is_refused_naming_the_field_and_nothing_is_stored():
    shop = ShopFactory(min_households=500)
    applicant = member_client("13805920002")

    response = applicant.post(f"shops/{shop.id}/leader-applications", application_form(households=499))

    assert response.status_code == 400
    assert response.json() == {"code": "households_too_few", "message": "小区户数需不少于500户", "field": "households"}
    assert not LeaderApplication.objects.exists()


def test_a_community_that_has_a_leader_refuses_a_second_one():
    shop = ShopFactory(one_leader_per_community=True)
    LeaderFactory(shop=shop, point__community="海韵花园")
    applicant = member_client("13805920003")

    response = applicant.post(f"shops/{shop.id}/leader-applications", application_form(community=" 海韵花园 "))

    assert response.status_code == 409
    assert (response.json()["code"], response.json()["field"]) == ("community_taken", "community")
    assert not LeaderApplication.objects.exists()


def test_a_community_with_a_leader_is_open_when_the_shop_allows_several():
    shop = ShopFactory(one_leader_per_community=False)
    LeaderFactory(shop=shop, point__community="海韵花园")

    created = ok(member_client("13805920004").post(f"shops/{shop.id}/leader-applications", application_form()), 201)

    assert LeaderApplication.objects.get(pk=created["id"]).checks["one_per_community"]["ok"] is True


@pytest.mark.parametrize("field,value", [("lat", 60.1), ("lat", 2.9), ("lng", 140.0), ("lng", 72.5)])
def test_coordinates_outside_china_are_refused_naming_the_field(field, value):
    shop = ShopFactory()
    applicant = member_client("13805920005")

    response = applicant.post(f"shops/{shop.id}/leader-applications", application_form(**{field: value}))

    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == ("validation_error", field)
    assert not LeaderApplication.objects.exists()


def test_a_bad_phone_is_refused_naming_the_field():
    shop = ShopFactory()

    response = member_client("13805920006").post(
        f"shops/{shop.id}/leader-applications", application_form(phone="12345")
    )

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (422, "phone_invalid", "phone")
    assert not LeaderApplication.objects.exists()


def test_applying_needs_a_login():
    shop = ShopFactory()

    response = ApiClient().post(f"shops/{shop.id}/leader-applications", application_form())

    assert response.status_code == 401
    assert not LeaderApplication.objects.exists()


def test_a_second_application_while_one_is_pending_is_refused():
    shop = ShopFactory()
    applicant = member_client("13805920007")
    ok(applicant.post(f"shops/{shop.id}/leader-applications", application_form()), 201)

    response = applicant.post(f"shops/{shop.id}/leader-applications", application_form(community="别的小区"))

    assert (response.status_code, response.json()["code"]) == (409, "application_pending")
    assert LeaderApplication.objects.count() == 1


def test_an_existing_leader_cannot_apply_again():
    shop = ShopFactory()
    leader = LeaderFactory(shop=shop)
    client = member_client(leader.user.phone)

    response = client.post(f"shops/{shop.id}/leader-applications", application_form(community="别的小区"))

    assert (response.status_code, response.json()["code"], response.json()["message"]) == (
        409,
        "already_leader",
        "您已是该店铺的团长",
    )
    assert not LeaderApplication.objects.exists()


def test_approval_creates_leader_and_pickup_point_and_the_person_becomes_a_leader():
    owner, shop = staff_client()
    shop.default_commission_rate_bp = 1200
    shop.save()
    referrer = LeaderFactory(shop=shop, point__at=SOFTWARE_PARK_2)
    applicant = member_client("13805920008")
    application = ok(
        applicant.post(f"shops/{shop.id}/leader-applications", application_form(referral_code=referrer.referral_code)),
        201,
    )

    leader = ok(
        owner.post(f"console/shops/{shop.id}/leader-applications/{application['id']}/approve", {"route": "思明线"}), 201
    )

    assert (leader["name"], leader["phone"], leader["status"], leader["referred_by_id"]) == (
        "陈丽",
        "13805920001",
        "active",
        referrer.id,
    )
    assert (leader["commission_rate_bp"], leader["effective_commission_rate_bp"]) == (None, 1200)
    point = PickupPoint.objects.get(leader_id=leader["id"])
    assert (point.name, point.community, point.route, point.households, str(point.lat)) == (
        "海韵花园自提点",
        "海韵花园",
        "思明线",
        800,
        "24.437600",
    )
    assert ok(applicant.get("auth/me"))["leader_of"] == [
        {"shop_id": shop.id, "shop_name": shop.name, "leader_id": leader["id"], "status": "active"}
    ]
    mine = ok(applicant.get(f"shops/{shop.id}/leader-applications/mine"))
    assert (mine["status"], mine["leader_id"]) == ("approved", leader["id"])
    event = LeaderEvent.objects.get(leader_id=leader["id"])
    assert (event.type, event.to_status, event.data["application_id"]) == ("approved", "active", application["id"])


def test_approval_takes_a_given_commission_rate_and_refuses_one_above_half():
    owner, shop = staff_client()
    application = LeaderApplicationFactory(shop=shop)

    too_high = owner.post(
        f"console/shops/{shop.id}/leader-applications/{application.id}/approve", {"commission_rate_bp": 5001}
    )
    leader = ok(
        owner.post(
            f"console/shops/{shop.id}/leader-applications/{application.id}/approve", {"commission_rate_bp": 1500}
        ),
        201,
    )

    assert (too_high.status_code, too_high.json()["field"]) == (422, "commission_rate_bp")
    assert leader["effective_commission_rate_bp"] == 1500


def test_reject_needs_a_reason_and_the_applicant_sees_it():
    owner, shop = staff_client()
    application = LeaderApplicationFactory(shop=shop)
    applicant = member_client(application.user.phone)

    missing = owner.post(f"console/shops/{shop.id}/leader-applications/{application.id}/reject", {"reason": ""})
    blank = owner.post(f"console/shops/{shop.id}/leader-applications/{application.id}/reject", {"reason": "   "})
    rejected = ok(
        owner.post(
            f"console/shops/{shop.id}/leader-applications/{application.id}/reject", {"reason": "小区已有合作便利店"}
        )
    )

    assert (missing.status_code, missing.json()["field"]) == (422, "reason")
    assert (blank.status_code, blank.json()["code"], blank.json()["field"]) == (400, "required", "reason")
    assert (rejected["status"], rejected["reject_reason"]) == ("rejected", "小区已有合作便利店")
    mine = ok(applicant.get(f"shops/{shop.id}/leader-applications/mine"))
    assert (mine["status"], mine["status_label"], mine["reject_reason"]) == ("rejected", "已拒绝", "小区已有合作便利店")


def test_a_reviewed_application_cannot_be_reviewed_again():
    owner, shop = staff_client()
    application = LeaderApplicationFactory(shop=shop)
    ok(owner.post(f"console/shops/{shop.id}/leader-applications/{application.id}/reject", {"reason": "资料不全"}))

    response = owner.post(f"console/shops/{shop.id}/leader-applications/{application.id}/approve", {})

    assert (response.status_code, response.json()["code"]) == (409, "application_state")
    assert not Leader.objects.exists()


def test_two_applications_for_one_community_only_the_first_approval_passes():
    owner, shop = staff_client()
    first = LeaderApplicationFactory(shop=shop, community="海韵花园")
    second = LeaderApplicationFactory(shop=shop, community="海韵花园")

    ok(owner.post(f"console/shops/{shop.id}/leader-applications/{first.id}/approve", {}), 201)
    response = owner.post(f"console/shops/{shop.id}/leader-applications/{second.id}/approve", {})

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        409,
        "community_taken",
        "community",
    )
    second.refresh_from_db()
    assert second.status == "pending"
    assert Leader.objects.count() == 1 and PickupPoint.objects.count() == 1


def test_the_review_list_shows_checks_as_they_are_now():
    owner, shop = staff_client()
    first = LeaderApplicationFactory(shop=shop, community="海韵花园")
    second = LeaderApplicationFactory(shop=shop, community="海韵花园")
    ok(owner.post(f"console/shops/{shop.id}/leader-applications/{first.id}/approve", {}), 201)

    page = ok(owner.get(f"console/shops/{shop.id}/leader-applications", {"status": "pending"}))

    assert page["count"] == 1
    assert page["items"][0]["id"] == second.id
    assert page["items"][0]["checks"]["one_per_community"]["ok"] is False
    assert page["items"][0]["checks"]["distance"]["nearest_m"] == 0


def test_the_review_list_is_paginated():
    owner, shop = staff_client()
    LeaderApplicationFactory.create_batch(21, shop=shop)

    first = ok(owner.get(f"console/shops/{shop.id}/leader-applications"))
    second = ok(owner.get(f"console/shops/{shop.id}/leader-applications", {"page": 2}))

    assert (first["count"], len(first["items"]), len(second["items"])) == (21, 20, 1)


def test_bulk_approve_reports_each_outcome():
    owner, shop = staff_client()
    good = LeaderApplicationFactory(shop=shop, community="海韵花园")
    same_community = LeaderApplicationFactory(shop=shop, community="海韵花园")
    reviewed = LeaderApplicationFactory(shop=shop, status="rejected", reject_reason="资料不全")
    other_shop = LeaderApplicationFactory()

    outcomes = ok(
        owner.post(
            f"console/shops/{shop.id}/leader-applications/bulk-approve",
            {"application_ids": [good.id, same_community.id, reviewed.id, other_shop.id]},
        )
    )

    leader = Leader.objects.get(shop=shop)
    assert [(o["application_id"], o["ok"], o["code"]) for o in outcomes] == [
        (good.id, True, None),
        (same_community.id, False, "community_taken"),
        (reviewed.id, False, "application_state"),
        (other_shop.id, False, "not_found"),
    ]
    assert outcomes[0]["leader_id"] == leader.id
    assert outcomes[1]["message"] == "该小区已有团长"
    assert Leader.objects.count() == 1
    other_shop.refresh_from_db()
    assert other_shop.status == "pending"


def test_bulk_reject_needs_a_reason_and_reports_each_outcome():
    owner, shop = staff_client()
    pending = LeaderApplicationFactory.create_batch(2, shop=shop)
    approved_already = LeaderApplicationFactory(shop=shop, status="approved")
    ids = [pending[0].id, pending[1].id, approved_already.id]

    missing = owner.post(f"console/shops/{shop.id}/leader-applications/bulk-reject", {"application_ids": ids})
    outcomes = ok(
        owner.post(
            f"console/shops/{shop.id}/leader-applications/bulk-reject",
            {"application_ids": ids, "reason": "本期名额已满"},
        )
    )

    assert (missing.status_code, missing.json()["field"]) == (422, "reason")
    assert [(o["ok"], o["code"]) for o in outcomes] == [(True, None), (True, None), (False, "application_state")]
    assert list(LeaderApplication.objects.filter(pk__in=ids).order_by("id").values_list("status", "reject_reason")) == [
        ("rejected", "本期名额已满"),
        ("rejected", "本期名额已满"),
        ("approved", ""),
    ]


def test_warehouse_staff_cannot_review_and_finance_may_only_look():
    owner, shop = staff_client()
    warehouse, _ = staff_client(shop=shop, role="warehouse")
    finance, _ = staff_client(shop=shop, role="finance")
    application = LeaderApplicationFactory(shop=shop)

    by_warehouse = warehouse.post(f"console/shops/{shop.id}/leader-applications/{application.id}/approve", {})
    warehouse_list = warehouse.get(f"console/shops/{shop.id}/leader-applications")
    finance_list = finance.get(f"console/shops/{shop.id}/leader-applications")
    by_finance = finance.post(f"console/shops/{shop.id}/leader-applications/{application.id}/approve", {})

    assert (by_warehouse.status_code, by_warehouse.json()["code"]) == (403, "permission_denied")
    assert warehouse_list.status_code == 403
    assert ok(finance_list)["count"] == 1
    assert by_finance.status_code == 403
    application.refresh_from_db()
    assert application.status == "pending" and not Leader.objects.exists()


def test_another_shops_application_is_a_404_like_a_missing_one():
    owner, shop = staff_client()
    theirs = LeaderApplicationFactory()

    other = owner.post(f"console/shops/{shop.id}/leader-applications/{theirs.id}/approve", {})
    missing = owner.post(f"console/shops/{shop.id}/leader-applications/999999/approve", {})
    rejected = owner.post(f"console/shops/{shop.id}/leader-applications/{theirs.id}/reject", {"reason": "x"})
    their_console = owner.get(f"console/shops/{theirs.shop_id}/leader-applications")

    assert other.status_code == missing.status_code == rejected.status_code == their_console.status_code == 404
    assert other.json() == missing.json()
    theirs.refresh_from_db()
    assert theirs.status == "pending"


def test_errors_speak_english_when_asked():
    shop = ShopFactory(min_households=300)
    applicant = ApiClient(language="en")
    applicant.login_sms("13805920009")

    response = applicant.post(f"shops/{shop.id}/leader-applications", application_form(households=12))

    assert response.json() == {
        "code": "households_too_few",
        "message": "The community needs at least 300 households",
        "field": "households",
    }
