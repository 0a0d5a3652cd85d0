"""WeChat login and the JS-SDK, against the WeChat platform simulator (simulators/wechat) over HTTP."""

import hashlib
import threading
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.db import transaction

from simulators.wechat import WechatSimulator
from tuangou.accounts import wechat
from tuangou.accounts.models import ConsentRecord, User, WechatIdentity
from tuangou.accounts.sms import last_code_for
from tuangou.accounts.testing import PRIVACY_CONSENT, ApiClient
from tuangou.core.testing import ok
from tuangou.core.transactions import InsideTransaction

pytestmark = pytest.mark.django_db

APP_ID, SECRET = "wx0123456789abcdef", "s3cr3t-official-account"
MP_APP_ID, MP_SECRET = "wxminiprogram00001", "s3cr3t-mini-program"


@pytest.fixture
def sim(settings):
    with WechatSimulator(apps={APP_ID: SECRET, MP_APP_ID: MP_SECRET}) as simulator:
        settings.WECHAT_APP_ID, settings.WECHAT_APP_SECRET = APP_ID, SECRET
        settings.WECHAT_MINIPROGRAM_APP_ID, settings.WECHAT_MINIPROGRAM_APP_SECRET = MP_APP_ID, MP_SECRET
        settings.WECHAT_API_BASE = settings.WECHAT_OPEN_BASE = simulator.base_url
        cache.clear()
        yield simulator
        cache.clear()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _wechat_redirects(url: str) -> str:
    """What WeChat's authorize page answers (a 302 back to us): the Location, as the phone follows it."""
    try:
        urllib.request.build_opener(_NoRedirect).open(url.split("#")[0])
    except urllib.error.HTTPError as exc:
        assert exc.code == 302
        return exc.headers["Location"]
    raise AssertionError("the authorize page did not redirect")


def _oauth(client: ApiClient, scope: str = "snsapi_base", next_path: str = "/h5/s/1/campaigns/2"):
    start = ok(client.get("auth/wechat/authorize", {"next": next_path, "scope": scope}))
    back = urlsplit(_wechat_redirects(start["url"]))
    return client.get(f"{back.path}?{back.query}"), parse_qs(back.query)


def test_new_wechat_user_verifies_a_phone_once_then_the_openid_logs_them_in(sim):
    who = sim.login_as("alice")
    client = ApiClient()

    response, _ = _oauth(client)

    assert response.status_code == 302
    assert response["Location"] == "/h5/login?next=%2Fh5%2Fs%2F1%2Fcampaigns%2F2&wechat=phone"
    assert client.get("auth/me").status_code == 401
    assert ok(client.get("auth/wechat/status"))["pending_phone"] is True
    identity = WechatIdentity.objects.get()
    assert (identity.app_id, identity.openid, identity.user_id) == (APP_ID, who.openid(APP_ID), None)

    # when the phone is verified by SMS login (with the privacy consent)
    ok(client.post("auth/sms/send", {"phone": "13800002001"}))
    body = ok(
        client.post("auth/sms/login", {"phone": "13800002001", "code": last_code_for("13800002001"), **PRIVACY_CONSENT})
    )

    user = User.objects.get(phone="13800002001")
    assert body["user"]["id"] == user.id
    assert WechatIdentity.objects.get().user_id == user.id
    assert ConsentRecord.objects.filter(user=user).count() == 1
    assert ok(client.get("auth/wechat/status"))["pending_phone"] is False

    # then a later visit in WeChat logs in by the openid alone, no SMS
    returning = ApiClient()
    response, _ = _oauth(returning)
    assert response.status_code == 302
    assert response["Location"] == "/h5/s/1/campaigns/2"
    assert ok(returning.get("auth/me"))["phone"] == "13800002001"
    assert WechatIdentity.objects.count() == 1
    assert sim.calls["/sns/oauth2/access_token"] == 2
    assert sim.calls["/sns/userinfo"] == 0  # snsapi_base asks WeChat for nothing more


def test_userinfo_scope_keeps_an_emoji_and_extension_b_nickname_and_the_avatar(sim):
    sim.login_as("bob", nickname="吉祥😀𠮷家", headimgurl="https://thirdwx.qlogo.cn/mmopen/bob/132", unionid="uBob")
    client = ApiClient()

    _oauth(client, scope="snsapi_userinfo")

    identity = WechatIdentity.objects.get()
    assert (identity.nickname, identity.avatar_url, identity.unionid, identity.scope) == (
        "吉祥😀𠮷家",
        "https://thirdwx.qlogo.cn/mmopen/bob/132",
        "uBob",
        "snsapi_userinfo",
    )
    status = ok(client.get("auth/wechat/status"))
    assert (status["nickname"], status["avatar_url"]) == ("吉祥😀𠮷家", "https://thirdwx.qlogo.cn/mmopen/bob/132")
    client.login_sms("13800002002")
    assert ok(client.get("auth/me"))["display_name"] == "吉祥😀𠮷家"


def test_refusing_to_share_the_profile_returns_to_the_phone_step_unchanged(sim):
    sim.login_as("hana", nickname="花花")
    client = ApiClient()
    _oauth(client)  # the silent snsapi_base login: a new openid, waiting for a phone
    sim.decline_next = True

    response, query = _oauth(client, scope="snsapi_userinfo")

    assert "code" not in query
    assert response.status_code == 302
    assert response["Location"] == "/h5/login?next=%2Fh5%2Fs%2F1%2Fcampaigns%2F2&wechat=phone"
    assert ok(client.get("auth/wechat/status"))["pending_phone"] is True
    assert WechatIdentity.objects.get().nickname == ""
    assert sim.calls["/sns/userinfo"] == 0


def test_wechat_is_never_called_inside_a_transaction_of_ours(sim):
    with pytest.raises(InsideTransaction), transaction.atomic():
        wechat.access_token_get(app_id=APP_ID, secret=SECRET)

    assert sim.calls["/cgi-bin/token"] == 0


def test_a_used_code_is_refused_and_logs_nobody_in(sim):
    sim.login_as("carol")
    first = ApiClient()
    _, query = _oauth(first)
    replay = ApiClient()  # someone replays the code with a good state of their own
    fresh = ok(replay.get("auth/wechat/authorize", {"next": "/h5/"}))
    state = parse_qs(urlsplit(fresh["url"].split("#")[0]).query)["state"][0]

    response = replay.get("auth/wechat/callback", {"code": query["code"][0], "state": state})

    assert response.status_code == 400
    assert response.json() == {
        "code": "wechat_code_invalid",
        "message": "微信授权已失效，请重新登录",
        "field": "code",
    }
    assert replay.get("auth/me").status_code == 401
    assert sim.calls["/sns/oauth2/access_token"] == 2


def test_a_tampered_or_foreign_state_is_refused_before_wechat_is_asked(sim):
    sim.login_as("dave")
    client = ApiClient()
    start = ok(client.get("auth/wechat/authorize", {"next": "/h5/"}))
    back = parse_qs(urlsplit(_wechat_redirects(start["url"])).query)
    state = back["state"][0]
    tampered = state[:-2] + ("AA" if not state.endswith("AA") else "BB")

    bad = client.get("auth/wechat/callback", {"code": back["code"][0], "state": tampered})
    stranger = ApiClient().get("auth/wechat/callback", {"code": back["code"][0], "state": state})  # no nonce

    assert bad.status_code == stranger.status_code == 400
    assert bad.json()["code"] == stranger.json()["code"] == "wechat_state_invalid"
    assert bad.json()["field"] == "state"
    assert sim.calls["/sns/oauth2/access_token"] == 0
    assert WechatIdentity.objects.count() == 0


def test_the_return_path_never_leaves_the_site(sim):
    sim.login_as("erin")
    client = ApiClient()
    client.login_sms("13800002005")
    WechatIdentity.objects.create(app_id=APP_ID, openid=sim.current.openid(APP_ID), user=User.objects.get())

    response, _ = _oauth(client, next_path="//evil.example/steal")

    assert response["Location"] == "/h5/"


def test_wechat_down_answers_502_with_the_error_shape(sim):
    sim.login_as("frank")
    sim.fail_next("/sns/oauth2/access_token", 502)

    response, _ = _oauth(ApiClient())

    assert response.status_code == 502
    assert response.json()["code"] == "wechat_unavailable"


def test_miniprogram_login_never_returns_the_session_key_and_binds_after_sms(sim):
    sim.login_as("gina")
    client = ApiClient()

    first = ok(client.post("auth/wechat/miniprogram", {"code": sim.issue_js_code(MP_APP_ID)}))

    assert first["needs_phone"] is True and first["user"] is None and first["token"] is None
    assert "session_key" not in str(first)
    ok(client.post("auth/sms/send", {"phone": "13800002007"}))
    code = last_code_for("13800002007")
    ok(
        client.post(
            "auth/sms/login",
            {"phone": "13800002007", "code": code, "wechat_ticket": first["wechat_ticket"], **PRIVACY_CONSENT},
        )
    )
    again = ok(ApiClient().post("auth/wechat/miniprogram", {"code": sim.issue_js_code(MP_APP_ID)}))
    assert again["needs_phone"] is False
    assert again["user"]["phone"] == "13800002007"
    assert again["token"].startswith("tg_")
    assert "session_key" not in str(again)
    used = ApiClient().post("auth/wechat/miniprogram", {"code": "not-a-code"})
    assert (used.status_code, used.json()["code"]) == (400, "wechat_code_invalid")


def test_jssdk_signature_follows_wechats_documented_example():
    # WeChat's own example (JS-SDK guide, appendix 1)
    signature = wechat.jssdk_signature(
        ticket="sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg",
        nonce_str="Wm3WZYTPz0wzccnW",
        timestamp=1414587457,
        url="http://mp.weixin.qq.com?params=value#fragment-is-not-signed",
    )

    assert signature == "0f9de62fce790f9a083d5c99e95740ceb90c27ed"


def test_jssdk_config_is_signed_with_the_simulators_ticket(sim):
    url = "http://testserver/h5/s/1/campaigns/2?leader=5"

    config = ok(ApiClient().get("auth/wechat/jssdk-config", {"url": url + "#top"}))

    ticket = sim.ticket_for(APP_ID)
    plain = f"jsapi_ticket={ticket}&noncestr={config['nonceStr']}&timestamp={config['timestamp']}&url={url}"
    assert config["appId"] == APP_ID
    assert config["signature"] == hashlib.sha1(plain.encode()).hexdigest()
    assert config["signature"] == sim.jssdk_signature(ticket, config["nonceStr"], config["timestamp"], url)


def test_jssdk_config_is_only_for_our_own_pages(sim):
    response = ApiClient().get("auth/wechat/jssdk-config", {"url": "https://evil.example/page"})

    assert response.status_code == 400
    assert response.json()["field"] == "url"
    assert sim.calls["/cgi-bin/token"] == 0


def test_token_and_ticket_are_cached_and_refetched_once_when_wechat_says_the_token_expired(sim):
    client = ApiClient()
    for _ in range(3):
        ok(client.get("auth/wechat/jssdk-config", {"url": "http://testserver/h5/"}))
    assert (sim.calls["/cgi-bin/token"], sim.calls["/cgi-bin/ticket/getticket"]) == (1, 1)

    cache.delete(f"wechat:jsapi_ticket:{APP_ID}")  # the ticket is due for refresh
    sim.expire_access_tokens()  # and WeChat revoked the cached token early (42001)
    ok(client.get("auth/wechat/jssdk-config", {"url": "http://testserver/h5/"}))

    assert (sim.calls["/cgi-bin/token"], sim.calls["/cgi-bin/ticket/getticket"]) == (2, 3)


def test_a_ticket_due_for_refresh_is_fetched_again_before_it_expires(sim, monkeypatch):
    ok(ApiClient().get("auth/wechat/jssdk-config", {"url": "http://testserver/h5/"}))
    now = wechat.time.time()
    monkeypatch.setattr(wechat.time, "time", lambda: now + 7200 - wechat.REFRESH_MARGIN_SECONDS + 1)

    ok(ApiClient().get("auth/wechat/jssdk-config", {"url": "http://testserver/h5/"}))

    assert (sim.calls["/cgi-bin/token"], sim.calls["/cgi-bin/ticket/getticket"]) == (2, 2)


def test_twenty_concurrent_requests_fetch_the_token_and_ticket_once(sim):
    sim.delay = 0.2  # WeChat is slow: every request arrives while the first fetch is in flight
    results, errors = [], []

    def one():
        try:
            results.append(wechat.jsapi_ticket_get(app_id=APP_ID, secret=SECRET))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(results) == 20 and len(set(results)) == 1
    assert (sim.calls["/cgi-bin/token"], sim.calls["/cgi-bin/ticket/getticket"]) == (1, 1)


def test_rate_limited_wechat_answers_502_and_caches_nothing(sim):
    sim.fail_next("/cgi-bin/token", 45009)

    response = ApiClient().get("auth/wechat/jssdk-config", {"url": "http://testserver/h5/"})

    assert (response.status_code, response.json()["code"]) == (502, "wechat_unavailable")
    ok(ApiClient().get("auth/wechat/jssdk-config", {"url": "http://testserver/h5/"}))
    assert sim.calls["/cgi-bin/token"] == 2


REDIS_TEST_URL = "redis://127.0.0.1:6379/6"


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="needs Redis at 127.0.0.1:6379")
def test_with_redis_twenty_concurrent_requests_fetch_once_and_share_the_ticket(sim, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_TEST_URL}
    }
    cache.clear()
    sim.delay = 0.2
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(wechat.jsapi_ticket_get(app_id=APP_ID, secret=SECRET)))
        for _ in range(20)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 20 and set(results) == {sim.ticket_for(APP_ID)}
    assert (sim.calls["/cgi-bin/token"], sim.calls["/cgi-bin/ticket/getticket"]) == (1, 1)
    assert cache.get(f"wechat:jsapi_ticket:{APP_ID}")["value"] == sim.ticket_for(APP_ID)
    cache.clear()


def test_a_member_logged_in_by_phone_who_logs_in_with_wechat_gets_the_openid_bound_without_a_second_sms(sim):
    who = sim.login_as("bo")
    client = ApiClient()
    client.login_sms("13800002011")
    user = User.objects.get(phone="13800002011")

    response, _ = _oauth(client, next_path="/h5/s/1/orders/9?pay=1")

    assert (response.status_code, response["Location"]) == (302, "/h5/s/1/orders/9?pay=1")
    identity = WechatIdentity.objects.get()
    assert (identity.openid, identity.user_id) == (who.openid(APP_ID), user.id)
    assert ok(client.get("auth/me"))["id"] == user.id
