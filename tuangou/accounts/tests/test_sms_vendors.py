"""Login codes through the SMS vendors' simulators (Aliyun dysmsapi, Tencent Cloud sms), over the
API: the code reaches the vendor's inbox as the login_code template with its parameter and our
signature name; a wrong key, the vendor's flow control and a refused number come back as our errors;
and after a few sends from one IP an image captcha is asked for."""

import base64
import io

import pytest
from PIL import Image

from simulators.sms import Fault
from tuangou.accounts.captcha import captcha_answer_for
from tuangou.accounts.models import SmsCode
from tuangou.accounts.testing import PRIVACY_CONSENT, ApiClient
from tuangou.core.testing import ok

from .sms_simulators import VENDORS

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["aliyun", "tencent"])
def vendor(request, settings):
    with VENDORS[request.param](settings) as simulator:
        yield request.param, simulator


def test_a_login_code_reaches_the_vendor_as_its_template_and_logs_in(vendor):
    name, simulator = vendor
    client = ApiClient()

    assert ok(client.post("auth/sms/send", {"phone": "13800006001"})) == {"ok": True}

    [sms] = simulator.inbox
    if name == "aliyun":
        code = sms.params["code"]
        assert (sms.phone, sms.sign_name, sms.template, list(sms.params)) == (
            "13800006001",
            "团购",
            "SMS_100000001",
            ["code"],
        )
    else:
        [code] = sms.params
        assert (sms.phone, sms.sign_name, sms.template) == ("+8613800006001", "团购", "1000001")
    assert len(code) == 6 and code.isdigit()
    assert sms.text == f"【团购】您的验证码为{code}，5分钟内有效，如非本人操作请忽略。"
    login = ok(client.post("auth/sms/login", {"phone": "13800006001", "code": code, **PRIVACY_CONSENT}))
    assert login["user"]["phone"] == "13800006001"


def test_a_wrong_key_is_refused_by_the_vendor_and_said_plainly(vendor, settings):
    name, simulator = vendor
    if name == "aliyun":
        settings.SMS_ALIYUN_ACCESS_KEY_SECRET = "not-the-secret"
    else:
        settings.SMS_TENCENT_SECRET_KEY = "not-the-secret"
    vendor_code = {"aliyun": "SignatureDoesNotMatch", "tencent": "AuthFailure.SignatureFailure"}[name]

    response = ApiClient().post("auth/sms/send", {"phone": "13800006002"})

    assert response.status_code == 502
    assert response.json() == {
        "code": "sms_vendor_refused",
        "message": f"短信发送失败（{vendor_code}），请稍后再试或联系客服",
        "field": None,
    }
    assert simulator.inbox == [] and simulator.requests == 1
    # Nothing was kept: no code, and the minute's claim was given back, so the fixed key sends at once.
    assert not SmsCode.objects.exists()
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET, settings.SMS_TENCENT_SECRET_KEY = "aliyun-secret-0001", "tencent-secret-0001"
    ok(ApiClient().post("auth/sms/send", {"phone": "13800006002"}))
    assert len(simulator.inbox) == 1


def test_a_signature_the_vendor_computes_differently_is_refused(vendor):
    _, simulator = vendor
    simulator.inject(Fault.BAD_SIGNATURE)

    response = ApiClient().post("auth/sms/send", {"phone": "13800006003"})

    assert (response.status_code, response.json()["code"]) == (502, "sms_vendor_refused")
    assert simulator.inbox == []


@pytest.mark.parametrize(
    "fault, status, body",
    [
        (
            Fault.BUSINESS_LIMIT,
            429,
            {"code": "sms_vendor_limited", "message": "该手机号今日接收短信过多，请稍后再试", "field": "phone"},
        ),
        (Fault.INVALID_NUMBER, 400, {"code": "phone_invalid", "message": "手机号格式不正确", "field": "phone"}),
        (
            Fault.SERVER_ERROR,
            503,
            {"code": "sms_vendor_unavailable", "message": "短信服务暂时不可用，请稍后再试", "field": None},
        ),
    ],
)
def test_the_vendors_refusals_are_our_errors(vendor, fault, status, body):
    _, simulator = vendor
    simulator.inject(fault)

    response = ApiClient().post("auth/sms/send", {"phone": "13800006004"})

    assert (response.status_code, response.json()) == (status, body)
    assert simulator.inbox == [] and not SmsCode.objects.exists()


def test_a_vendor_that_does_not_answer_in_time_is_unavailable(settings):
    settings.SMS_TIMEOUT_SECONDS = 0.5
    with VENDORS["aliyun"](settings) as simulator:
        simulator.timeout_seconds = 1.5
        simulator.inject(Fault.TIMEOUT)

        response = ApiClient().post("auth/sms/send", {"phone": "13800006005"})

    assert (response.status_code, response.json()["code"]) == (503, "sms_vendor_unavailable")


def test_after_a_few_sends_from_one_ip_a_solved_captcha_is_needed(vendor, settings):
    _, simulator = vendor
    settings.SMS_CAPTCHA_AFTER_SENDS = 2
    settings.SMS_SHOW_CODES = True
    client = ApiClient()
    ok(client.post("auth/sms/send", {"phone": "13800006011"}))
    ok(client.post("auth/sms/send", {"phone": "13800006012"}))

    asked = client.post("auth/sms/send", {"phone": "13800006013"})

    assert (asked.status_code, asked.json()) == (
        400,
        {"code": "captcha_required", "message": "请输入图形验证码", "field": "captcha"},
    )
    captcha = ok(client.get("auth/captcha"))
    assert captcha["expires_in"] == 300
    header, data = captcha["image"].split(",", 1)
    assert header == "data:image/png;base64"
    assert Image.open(io.BytesIO(base64.b64decode(data))).size == (120, 44)
    answer = captcha_answer_for(captcha["captcha_id"])
    wrong = "".join("A" if c != "A" else "C" for c in answer)

    refused = client.post(
        "auth/sms/send", {"phone": "13800006013", "captcha_id": captcha["captcha_id"], "captcha_answer": wrong}
    )
    # One check per picture: the right answer afterwards no longer opens it.
    reused = client.post(
        "auth/sms/send", {"phone": "13800006013", "captcha_id": captcha["captcha_id"], "captcha_answer": answer}
    )

    for response in (refused, reused):
        assert (response.status_code, response.json()) == (
            400,
            {"code": "captcha_invalid", "message": "图形验证码错误或已过期，请重新输入", "field": "captcha"},
        )
    assert len(simulator.inbox) == 2
    fresh = ok(client.get("auth/captcha"))
    solved = {"captcha_id": fresh["captcha_id"], "captcha_answer": captcha_answer_for(fresh["captcha_id"]).lower()}
    assert ok(client.post("auth/sms/send", {"phone": "13800006013", **solved})) == {"ok": True}
    assert [sms.phone[-11:] for sms in simulator.inbox] == ["13800006011", "13800006012", "13800006013"]


def test_a_forged_captcha_id_is_refused(settings):
    settings.SMS_CAPTCHA_AFTER_SENDS = 1
    client = ApiClient()
    ok(client.post("auth/sms/send", {"phone": "13800006021"}))

    response = client.post(
        "auth/sms/send", {"phone": "13800006022", "captcha_id": "e30:forged:sig", "captcha_answer": "ACDE"}
    )

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        400,
        "captcha_invalid",
        "captcha",
    )


def test_the_aliyun_signature_is_the_one_in_aliyuns_documentation():
    # The worked example of Aliyun's RPC signature documentation (DescribeRegions, secret "testsecret").
    from simulators.sms.aliyun import rpc_signature
    from tuangou.accounts.sms import aliyun_signature

    params = {
        "Timestamp": "2016-02-23T12:46:24Z",
        "Format": "XML",
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "Version": "2014-05-26",
        "SignatureVersion": "1.0",
    }

    assert aliyun_signature(params, "testsecret", "GET") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
    assert rpc_signature(params, "testsecret", "GET") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
