"""Item 20: members and leaders log in only having agreed to the privacy policy (PIPL), and the
agreement is kept with its version and time."""

import pytest
from django.test import Client

from tuangou.accounts.models import ConsentRecord, SmsCode, User
from tuangou.accounts.privacy import PRIVACY_POLICY_VERSION
from tuangou.accounts.sms import last_code_for
from tuangou.accounts.testing import ApiClient
from tuangou.core.testing import ok

pytestmark = pytest.mark.django_db


def given_a_code(phone: str) -> tuple[ApiClient, str]:
    client = ApiClient()
    ok(client.post("auth/sms/send", {"phone": phone}))
    return client, last_code_for(phone)


@pytest.mark.parametrize(
    ("consent", "expected"),
    [
        ({}, {"code": "validation_error", "field": "agree_privacy"}),
        ({"privacy_version": PRIVACY_POLICY_VERSION}, {"code": "validation_error", "field": "agree_privacy"}),
        (
            {"agree_privacy": False, "privacy_version": PRIVACY_POLICY_VERSION},
            {
                "code": "privacy_consent_required",
                "field": "agree_privacy",
                "message": "请阅读并勾选同意《隐私政策》后登录",
            },
        ),
        ({"agree_privacy": True}, {"code": "validation_error", "field": "privacy_version"}),
        (
            {"agree_privacy": True, "privacy_version": "2020-01-01"},
            {"code": "privacy_version_outdated", "field": "privacy_version"},
        ),
    ],
)
def test_login_without_agreeing_to_the_current_policy_is_refused_and_spends_nothing(consent, expected):
    client, code = given_a_code("13800004001")

    response = client.post("auth/sms/login", {"phone": "13800004001", "code": code, **consent})

    assert response.status_code == 422
    assert {key: response.json()[key] for key in expected} == expected
    assert not User.objects.filter(phone="13800004001").exists()
    assert ConsentRecord.objects.count() == 0
    sms = SmsCode.objects.get(phone="13800004001")
    assert (sms.used_at, sms.failed_attempts) == (None, 0)


def test_a_member_who_agrees_is_logged_in_and_the_agreement_kept_with_version_and_time():
    client, code = given_a_code("13800004002")
    policy = ok(client.get("auth/privacy"))

    ok(
        client.post(
            "auth/sms/login",
            {"phone": "13800004002", "code": code, "agree_privacy": True, "privacy_version": policy["version"]},
        )
    )

    record = ConsentRecord.objects.get()
    assert policy == {"version": PRIVACY_POLICY_VERSION, "url": "/privacy/"}
    assert (record.user.phone, record.document, record.version, record.ip) == (
        "13800004002",
        "privacy",
        PRIVACY_POLICY_VERSION,
        "127.0.0.1",
    )
    assert record.agreed_at is not None


def test_the_privacy_policy_page_is_served_in_chinese_with_its_version():
    response = Client().get("/privacy/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>隐私政策</h1>" in page
    assert f"版本：{PRIVACY_POLICY_VERSION}" in page
    assert "个人信息保护法" in page


def test_a_merchant_who_agrees_at_signup_has_the_agreement_kept():
    ok(
        ApiClient().post(
            "auth/signup",
            {
                "username": "ludao_fresh",
                "password": "Ludao-Fresh-2026",
                "agree_privacy": True,
                "privacy_version": PRIVACY_POLICY_VERSION,
            },
        ),
        201,
    )

    assert list(ConsentRecord.objects.values_list("user__username", "version")) == [
        ("ludao_fresh", PRIVACY_POLICY_VERSION)
    ]
