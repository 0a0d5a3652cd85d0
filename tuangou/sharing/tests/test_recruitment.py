"""The recruitment QR code and poster for the console, and a leader's referral QR code."""

import pytest

from tuangou.core.testing import ok
from tuangou.leaders.models import RecruitmentPlan

from .factories import PickupPointFactory, decode_qr, given_campaign, phone_client, png_size, staff_client

pytestmark = pytest.mark.django_db


def test_recruitment_qr_and_poster_carry_the_plans_link(settings):
    settings.SITE_URL = "https://tuangou.example.cn"
    world = given_campaign()
    console = staff_client(world.shop, role="operations")
    plan = ok(console.get(f"console/shops/{world.shop.id}/recruitment-plan"))

    qr = console.get(f"console/shops/{world.shop.id}/recruitment-plan/qr.png")
    poster = console.get(f"console/shops/{world.shop.id}/recruitment-plan/poster.png")

    assert plan["link_url"] == f"https://tuangou.example.cn/h5/recruit/{world.shop.id}/{plan['public_token']}"
    assert (qr.status_code, qr["Content-Type"]) == (200, "image/png")
    assert decode_qr(qr.content) == plan["link_url"]
    assert png_size(poster.content) == (750, 1334)
    assert decode_qr(poster.content) == plan["link_url"]


def test_recruitment_images_need_leaders_view_and_are_404_for_other_shops():
    world = given_campaign()
    elsewhere = given_campaign()
    warehouse = staff_client(world.shop, role="warehouse")
    owner = staff_client(world.shop)

    denied = warehouse.get(f"console/shops/{world.shop.id}/recruitment-plan/qr.png")
    other_shop = owner.get(f"console/shops/{elsewhere.shop.id}/recruitment-plan/poster.png")

    assert (denied.status_code, denied.json()["code"]) == (403, "permission_denied")
    assert (other_shop.status_code, other_shop.json()["code"]) == (404, "not_found")
    assert not RecruitmentPlan.objects.filter(shop=elsewhere.shop).exists()


def test_referral_qr_carries_my_referral_code_on_the_recruitment_link():
    world = given_campaign()
    leader = phone_client(world.leader.user)
    me = ok(leader.get(f"shops/{world.shop.id}/leader/me"))

    qr = leader.get(f"shops/{world.shop.id}/leader/referral-qr.png")

    assert qr.status_code == 200
    assert decode_qr(qr.content) == me["referral_link"]
    assert me["referral_link"].endswith(f"?ref={world.leader.referral_code}")


def test_referral_qr_is_only_for_leaders_of_the_shop():
    world = given_campaign()
    elsewhere = given_campaign()
    other_leader = PickupPointFactory(shop=elsewhere.shop, leader__shop=elsewhere.shop).leader

    response = phone_client(other_leader.user).get(f"shops/{world.shop.id}/leader/referral-qr.png")

    assert (response.status_code, response.json()["code"]) == (404, "not_found")
