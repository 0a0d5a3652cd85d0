from datetime import timedelta

import pytest
from django.utils import timezone

from tuangou.accounts.models import SmsCode, User
from tuangou.accounts.sms import last_code_for
from tuangou.accounts.testing import PRIVACY_CONSENT, ApiClient
from tuangou.core.testing import ok
from tuangou.shops.tests.factories import PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db


def test_member_logs_in_with_phone_and_sms_code_and_is_created_once():
    client = ApiClient()
    ok(client.post("auth/sms/send", {"phone": "138 0000 1111"}))
    code = last_code_for("13800001111")

    body = ok(client.post("auth/sms/login", {"phone": "13800001111", "code": code, **PRIVACY_CONSENT}))

    assert body["user"]["phone"] == "13800001111"
    assert User.objects.filter(phone="13800001111").count() == 1
    assert ok(client.get("auth/me"))["phone"] == "13800001111"


def test_sms_code_is_single_use():
    client = ApiClient()
    ok(client.post("auth/sms/send", {"phone": "13800001112"}))
    code = last_code_for("13800001112")
    ok(client.post("auth/sms/login", {"phone": "13800001112", "code": code, **PRIVACY_CONSENT}))

    again = ApiClient().post("auth/sms/login", {"phone": "13800001112", "code": code, **PRIVACY_CONSENT})

    assert again.status_code == 400
    assert again.json()["code"] == "sms_code_used"


def test_expired_sms_code_is_refused_with_the_field_named():
    client = ApiClient()
    ok(client.post("auth/sms/send", {"phone": "13800001113"}))
    SmsCode.objects.filter(phone="13800001113").update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.post(
        "auth/sms/login", {"phone": "13800001113", "code": last_code_for("13800001113"), **PRIVACY_CONSENT}
    )

    assert response.status_code == 400
    assert response.json() == {"code": "sms_code_expired", "message": "验证码已过期，请重新获取", "field": "code"}
    assert not User.objects.filter(phone="13800001113").exists()


def test_wrong_codes_are_counted_and_lock_the_code_after_five():
    client = ApiClient()
    ok(client.post("auth/sms/send", {"phone": "13800001114"}))
    right = last_code_for("13800001114")
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        assert (
            client.post("auth/sms/login", {"phone": "13800001114", "code": wrong, **PRIVACY_CONSENT}).json()["code"]
            == "sms_code_invalid"
        )

    response = client.post("auth/sms/login", {"phone": "13800001114", "code": right, **PRIVACY_CONSENT})

    assert response.json()["code"] == "sms_too_many_attempts"


def test_sending_is_rate_limited_per_phone():
    client = ApiClient()
    ok(client.post("auth/sms/send", {"phone": "13800001115"}))

    response = client.post("auth/sms/send", {"phone": "13800001115"})

    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert SmsCode.objects.filter(phone="13800001115").count() == 1


def test_sending_is_rate_limited_per_ip(settings):
    settings.SMS_SEND_LIMIT_PER_IP_HOUR = 2
    client = ApiClient()
    ok(client.post("auth/sms/send", {"phone": "13800002001"}))
    ok(client.post("auth/sms/send", {"phone": "13800002002"}))

    response = client.post("auth/sms/send", {"phone": "13800002003"})

    assert response.status_code == 429
    assert not SmsCode.objects.filter(phone="13800002003").exists()


def test_bad_phone_number_is_refused_in_english_when_asked():
    response = ApiClient(language="en").post("auth/sms/send", {"phone": "12345"})

    assert response.status_code == 422
    assert response.json() == {
        "code": "phone_invalid",
        "message": "Not a valid mainland China mobile number",
        "field": "phone",
    }


def test_staff_password_login_and_bearer_token():
    staff = StaffFactory()
    client = ApiClient()
    body = ok(client.post("auth/login", {"username": staff.user.username, "password": PASSWORD, "issue_token": True}))

    api_client = ApiClient()
    api_client.token = body["token"]
    me = ok(api_client.get("auth/me"))

    assert me["staff_of"][0]["shop_id"] == staff.shop_id
    assert me["staff_of"][0]["role"] == "owner"


def test_wrong_password_is_refused():
    staff = StaffFactory()
    response = ApiClient().post("auth/login", {"username": staff.user.username, "password": "nope-nope"})
    assert response.status_code == 401
    assert response.json()["code"] == "login_failed"


def test_session_writes_need_the_csrf_token():
    staff = StaffFactory()
    client = ApiClient()
    client.login_password(staff.user.username, PASSWORD)
    client.csrf = "forged"

    response = client.patch(f"console/shops/{staff.shop_id}/settings", {"city": "泉州"})

    assert response.status_code in (401, 403)
    staff.shop.refresh_from_db()
    assert staff.shop.city == "厦门"


def test_anonymous_is_told_to_log_in():
    response = ApiClient().get("auth/me")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
