import pytest

from tuangou.accounts.testing import ApiClient
from tuangou.core.testing import ok
from tuangou.leaders.models import RecruitmentPlan
from tuangou.shops.models import Shop, Staff
from tuangou.shops.tests.factories import PASSWORD, ShopFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_merchant_signs_up_and_opens_a_shop():
    client = ApiClient()
    ok(client.post("auth/signup", {"username": "laowang", "password": "Xiamen-2026!", "display_name": "老王"}), 201)
    client._refresh_csrf()

    shop = ok(client.post("shops", {"name": "老王鲜果", "category": "生鲜果蔬", "city": "厦门"}), 201)

    assert Staff.objects.get(shop_id=shop["id"]).role == "owner"
    assert RecruitmentPlan.objects.filter(shop_id=shop["id"]).count() == 1
    assert ok(client.get("auth/me"))["staff_of"][0]["shop_name"] == "老王鲜果"


def test_signup_rejects_weak_password_and_creates_nothing():
    response = ApiClient().post("auth/signup", {"username": "laoli", "password": "12345678"})
    assert response.status_code == 400
    assert response.json()["field"] == "password"
    assert not Shop.objects.exists()


def test_owner_changes_settings_and_bad_values_change_nothing():
    staff = StaffFactory()
    client = ApiClient()
    client.login_password(staff.user.username, PASSWORD)

    ok(client.patch(f"console/shops/{staff.shop_id}/settings", {"min_households": 300, "after_sales_days": 3}))
    bad = client.patch(f"console/shops/{staff.shop_id}/settings", {"payment_timeout_minutes": 0, "city": "泉州"})

    assert bad.status_code == 422
    assert bad.json()["field"] == "payment_timeout_minutes"
    staff.shop.refresh_from_db()
    assert (staff.shop.min_households, staff.shop.after_sales_days, staff.shop.city) == (300, 3, "厦门")


def test_owner_invites_staff_who_then_logs_in_with_their_role():
    owner = StaffFactory()
    client = ApiClient()
    client.login_password(owner.user.username, PASSWORD)

    ok(
        client.post(
            f"console/shops/{owner.shop_id}/staff",
            {"username": "cangku01", "role": "warehouse", "password": "Cangku-2026!"},
        ),
        201,
    )

    warehouse = ApiClient()
    me = warehouse.login_password("cangku01", "Cangku-2026!")
    assert me["user"]["staff_of"][0]["role"] == "warehouse"
    assert warehouse.patch(f"console/shops/{owner.shop_id}/settings", {"city": "泉州"}).status_code == 403


def test_the_last_owner_cannot_be_demoted():
    owner = StaffFactory()
    client = ApiClient()
    client.login_password(owner.user.username, PASSWORD)

    response = client.patch(f"console/shops/{owner.shop_id}/staff/{owner.id}", {"role": "admin"})

    assert response.json()["code"] == "last_owner"
    owner.refresh_from_db()
    assert owner.role == "owner"


def test_another_shops_staff_get_404_not_403():
    mine = StaffFactory()
    other_shop = ShopFactory()
    client = ApiClient()
    client.login_password(mine.user.username, PASSWORD)

    response = client.get(f"console/shops/{other_shop.id}/settings")
    missing = client.get("console/shops/999999/settings")

    assert response.status_code == missing.status_code == 404
    assert response.json() == missing.json()


def test_healthz_checks_the_database():
    response = ApiClient().client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


def test_unknown_endpoints_and_methods_answer_the_error_shape():
    client = ApiClient(language="en")

    missing = client.get("no-such-thing")
    wrong_method = client.delete("auth/me")

    assert missing.status_code == 404
    assert missing.json() == {"code": "not_found", "message": "No such endpoint", "field": None}
    assert wrong_method.status_code == 405
    assert wrong_method.json()["code"] == "method_not_allowed"


def test_choice_labels_follow_the_requested_language():
    owner = StaffFactory()
    client = ApiClient(language="en")
    client.login_password(owner.user.username, PASSWORD)

    english = ok(client.get(f"console/shops/{owner.shop_id}/staff"))
    client.language = None
    chinese = ok(client.get(f"console/shops/{owner.shop_id}/staff"))

    assert (english[0]["role_label"], chinese[0]["role_label"]) == ("Owner", "店主")


def test_the_openapi_document_is_served_and_lists_the_console():
    client = ApiClient()

    first = client.get("/api/openapi.json")
    second = client.get("/api/openapi.json")

    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert "/api/console/shops/{shop_id}/orders" in first.json()["paths"]
