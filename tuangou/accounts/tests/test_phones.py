"""Item 6: one phone number is one account, however it is typed (full-width, spaced, +86)."""

import pytest
from django.utils import timezone

from tuangou.accounts.models import AttemptCounter, User
from tuangou.accounts.sms import last_code_for
from tuangou.accounts.testing import PRIVACY_CONSENT, ApiClient
from tuangou.core.testing import ok
from tuangou.leaders.models import LeaderApplication
from tuangou.orders.models import Order
from tuangou.orders.tests.factories import given_live_campaign, login, staff_login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "typed",
    [
        "13９００１３９０００",
        "139 0013 9000",
        "+86 139-0013-9000",
        "＋８６　１３９００１３９０００",
        "0086 13900139000",
        "8613900139000",
    ],
)
def test_every_form_of_a_phone_reaches_the_same_account(typed):
    # given a member who signed up with the plain number
    first = ApiClient()
    ok(first.post("auth/sms/send", {"phone": "13900139000"}))
    ok(first.post("auth/sms/login", {"phone": "13900139000", "code": last_code_for("13900139000"), **PRIVACY_CONSENT}))
    account = User.objects.get(phone="13900139000")
    # a day later (the resend interval and the hourly limit are over)
    AttemptCounter.objects.filter(key__startswith="sms-send-").update(expires_at=timezone.now())

    # when they come back typing it another way
    again = ApiClient()
    ok(again.post("auth/sms/send", {"phone": typed}))
    body = ok(again.post("auth/sms/login", {"phone": typed, "code": last_code_for("13900139000"), **PRIVACY_CONSENT}))

    # then it is the same account, and no second one was made
    assert body["user"]["id"] == account.id
    assert body["user"]["phone"] == "13900139000"
    assert User.objects.filter(phone__contains="139").count() == 1


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("auth/sms/send", {"phone": "13９００１３９００"}, "phone"),
        ("auth/sms/send", {"phone": "+1 415 555 0100"}, "phone"),
        ("auth/sms/login", {"phone": "١٣٩٠٠١٣٩٠٠٠", "code": "123456", **PRIVACY_CONSENT}, "phone"),
        ("auth/signup", {"username": "shop_owner_x", "password": "Gr0upBuy!2026", "phone": "139001390"}, "phone"),
    ],
)
def test_an_invalid_phone_is_refused_with_422_naming_the_field(path, payload, field):
    response = ApiClient().post(path, payload)

    assert response.status_code == 422
    assert response.json() == {"code": "phone_invalid", "message": "手机号格式不正确", "field": field}
    assert User.objects.count() == 0


def test_signup_with_a_full_width_phone_stores_it_once_and_refuses_the_same_number_typed_again():
    ok(
        ApiClient().post(
            "auth/signup",
            {
                "username": "fruit_shop",
                "password": "Gr0upBuy!2026",
                "phone": "１３８ ０００１ ２２２２",
                **PRIVACY_CONSENT,
            },
        ),
        201,
    )

    again = ApiClient().post(
        "auth/signup",
        {"username": "fruit_shop2", "password": "Gr0upBuy!2026", "phone": "+8613800012222", **PRIVACY_CONSENT},
    )

    assert User.objects.get(username="fruit_shop").phone == "13800012222"
    assert (again.status_code, again.json()["code"], again.json()["field"]) == (400, "conflict", "phone")
    assert not User.objects.filter(username="fruit_shop2").exists()


def test_a_checkout_contact_phone_is_stored_normalised_and_a_bad_one_names_the_field():
    world = given_live_campaign()
    client = login(world.member)
    order_body = {"campaign_id": world.campaign.id, "items": [{"campaign_item_id": world.item.id, "quantity": 1}]}

    bad = client.post(f"shops/{world.shop.id}/orders", {**order_body, "contact_phone": "１３９"})
    placed = ok(
        client.post(f"shops/{world.shop.id}/orders", {**order_body, "contact_phone": "+86 １３９ ０５９２ １２３４"}),
        201,
    )

    assert (bad.status_code, bad.json()["field"]) == (422, "contact_phone")
    assert Order.objects.get(pk=placed["id"]).contact_phone == "13905921234"
    assert Order.objects.count() == 1


def test_a_leader_application_with_a_full_width_phone_is_stored_normalised():
    world = given_live_campaign()
    client = login(world.member)

    response = client.post(
        f"shops/{world.shop.id}/leader-applications",
        {
            "name": "王阿姨",
            "phone": "１３９ ５９２０ ０００１",
            "community": "海韵小区",
            "address": "思明区海韵路1号",
            "lat": 24.45,
            "lng": 118.08,
            "households": 800,
        },
    )

    assert response.status_code == 201, response.content
    assert LeaderApplication.objects.get(pk=response.json()["id"]).phone == "13959200001"


def test_staff_phone_search_finds_an_order_by_any_form_of_the_number():
    world = given_live_campaign()
    client = login(world.member)
    order_body = {"campaign_id": world.campaign.id, "items": [{"campaign_item_id": world.item.id, "quantity": 1}]}
    ok(client.post(f"shops/{world.shop.id}/orders", {**order_body, "contact_phone": "13905921234"}), 201)
    staff = staff_login(world.shop)

    found = ok(staff.get(f"console/shops/{world.shop.id}/orders", {"phone": "+86 １３９０５９２１２３４"}))

    assert [o["contact_phone"] for o in found["items"]] == ["13905921234"]
