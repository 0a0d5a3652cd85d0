"""Item 7: guessing gets no further with a new code, another web worker or a forged header."""

import threading
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone

from tuangou.accounts import services
from tuangou.accounts.models import AttemptCounter, LoginAttempt, SmsCode
from tuangou.accounts.sms import last_code_for
from tuangou.accounts.tasks import attempt_counters_purge
from tuangou.accounts.testing import PRIVACY_CONSENT, ApiClient
from tuangou.core.errors import ApplicationError
from tuangou.core.testing import ok
from tuangou.orders import services as order_services
from tuangou.orders.models import Order
from tuangou.orders.tests.factories import given_live_campaign, login, paid_order
from tuangou.shops.tests.factories import PASSWORD, StaffFactory


def wrong_code(phone: str) -> str:
    return "000000" if last_code_for(phone) != "000000" else "111111"


def a_new_code_later(client: ApiClient, phone: str) -> None:
    """The member asks for another code after the resend interval (and the hourly cap) is over."""
    later = timezone.now() - timedelta(seconds=1)
    SmsCode.objects.filter(phone=phone).update(created_at=timezone.now() - timedelta(hours=2))
    AttemptCounter.objects.filter(key__startswith="sms-send-").update(expires_at=later)
    ok(client.post("auth/sms/send", {"phone": phone}))


@pytest.mark.django_db
def test_a_new_code_does_not_reset_the_phones_daily_failure_budget(settings):
    settings.SMS_VERIFY_FAILURES_PER_PHONE_DAY = 10
    client, phone = ApiClient(), "13800003001"
    ok(client.post("auth/sms/send", {"phone": phone}))
    for _ in range(2):  # two codes, five wrong guesses each: the whole daily budget
        codes = [
            client.post("auth/sms/login", {"phone": phone, "code": wrong_code(phone), **PRIVACY_CONSENT}).json()["code"]
            for _ in range(5)
        ]
        assert codes == ["sms_code_invalid"] * 5
        a_new_code_later(client, phone)

    # when they try the third, fresh code — even the right one
    response = client.post("auth/sms/login", {"phone": phone, "code": last_code_for(phone), **PRIVACY_CONSENT})

    # then the phone is out of guesses for the day
    assert response.status_code == 429
    assert response.json() == {
        "code": "sms_daily_limit",
        "message": "今日验证码错误次数过多，请24小时后再试",
        "field": "code",
    }
    assert LoginAttempt.objects.filter(phone=phone, succeeded=False).count() == 10
    assert SmsCode.objects.filter(phone=phone, used_at__isnull=False).count() == 0


@pytest.mark.django_db
def test_a_right_code_does_not_spend_the_daily_budget(settings):
    settings.SMS_VERIFY_FAILURES_PER_PHONE_DAY = 2
    client, phone = ApiClient(), "13800003002"
    ok(client.post("auth/sms/send", {"phone": phone}))
    assert (
        client.post("auth/sms/login", {"phone": phone, "code": wrong_code(phone), **PRIVACY_CONSENT}).status_code == 400
    )
    ok(client.post("auth/sms/login", {"phone": phone, "code": last_code_for(phone), **PRIVACY_CONSENT}))
    a_new_code_later(client, phone)

    assert client.post("auth/sms/login", {"phone": phone, "code": wrong_code(phone), **PRIVACY_CONSENT}).json()[
        "code"
    ] == ("sms_code_invalid")
    assert AttemptCounter.objects.get(key=f"sms-verify-phone:{phone}").count == 2


@pytest.mark.django_db
def test_pickup_misses_are_counted_where_every_web_worker_sees_them():
    world = given_live_campaign(price_fen=1290)
    order = paid_order(world, 1)
    Order.objects.filter(pk=order.pk).update(status=Order.Status.ARRIVED)
    leader = login(world.leader.user)
    url = f"shops/{world.shop.id}/leader/pickups/verify"
    wrong = [f"{n:08d}" for n in range(1, 40) if f"{n:08d}" != order.pickup_code][
        : order_services.PICKUP_MISSES_ALLOWED
    ]
    for code in wrong:
        assert leader.post(url, {"code": code}).json()["code"] == "pickup_code_invalid"

    # when the next request lands on another worker (its local cache knows nothing)
    cache.clear()
    response = leader.post(url, {"code": order.pickup_code})

    # then it is still refused: the count lives in the database
    assert (response.status_code, response.json()["code"], response.json()["field"]) == (429, "rate_limited", "code")
    order.refresh_from_db()
    assert order.status == Order.Status.ARRIVED


@pytest.mark.django_db
def test_a_right_pickup_code_gives_its_attempt_back():
    world = given_live_campaign(price_fen=1290)
    first, second = paid_order(world, 1), paid_order(world, 1)
    Order.objects.filter(pk__in=[first.pk, second.pk]).update(status=Order.Status.ARRIVED)
    leader = login(world.leader.user)
    url = f"shops/{world.shop.id}/leader/pickups/verify"

    ok(leader.post(url, {"code": first.pickup_code}))
    ok(leader.post(url, {"code": second.pickup_code}))

    assert AttemptCounter.objects.get(key__startswith="pickup-misses:").count == 0


# --- the client's IP -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_forwarded_for_header_is_ignored_without_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = []
    client = ApiClient()

    ok(client.post("auth/sms/send", {"phone": "13800003003"}, headers={"X-Forwarded-For": "203.0.113.7"}))

    assert SmsCode.objects.get(phone="13800003003").ip == "127.0.0.1"


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_client_is_the_last_address_not_ours(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    client = ApiClient()

    ok(
        client.post(
            "auth/sms/send",
            {"phone": "13800003004"},
            headers={"X-Forwarded-For": "198.51.100.9, 203.0.113.7, 10.1.2.3"},
        )
    )

    # 198.51.100.9 was written by the client itself: only the hop our proxies saw counts
    assert SmsCode.objects.get(phone="13800003004").ip == "203.0.113.7"


# --- staff password login ---------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_login_locks_the_account_after_five_wrong_passwords_with_a_clear_message():
    staff = StaffFactory()
    client = ApiClient()
    for _ in range(4):
        response = client.post("auth/login", {"username": staff.user.username, "password": "wrong-password"})
        assert (response.status_code, response.json()["code"]) == (401, "login_failed")
    fifth = client.post("auth/login", {"username": staff.user.username, "password": "wrong-password"})

    # when the right password comes next
    response = client.post("auth/login", {"username": staff.user.username, "password": PASSWORD})

    assert fifth.status_code == 429
    assert response.status_code == 429
    assert response.json() == {
        "code": "login_locked",
        "message": "密码错误次数过多（5次），该账号或IP已被锁定15分钟，请稍后再试或联系店主重置密码",
        "field": "password",
    }


@pytest.mark.django_db
def test_an_account_is_locked_for_every_ip_and_an_ip_for_every_account(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    victim, other = StaffFactory(), StaffFactory()

    def attempt(username, password, ip):
        return ApiClient().post(
            "auth/login", {"username": username, "password": password}, headers={"X-Forwarded-For": ip}
        )

    # one guesser, one account, five addresses; another guesser, one address, five made-up accounts
    first = [attempt(victim.user.username, "wrong-password", f"203.0.113.{n + 1}").status_code for n in range(5)]
    second = [attempt(f"nobody{n}", "wrong-password", "198.51.100.9").status_code for n in range(5)]

    assert first == second == [401, 401, 401, 401, 429]

    assert attempt(victim.user.username, PASSWORD, "192.0.2.50").json()["code"] == "login_locked"
    assert attempt(other.user.username, PASSWORD, "198.51.100.9").json()["code"] == "login_locked"
    assert attempt(other.user.username, PASSWORD, "192.0.2.51").status_code == 200


@pytest.mark.django_db
def test_the_admin_login_is_locked_too_and_says_so_in_chinese():
    staff = StaffFactory()
    staff.user.is_staff = True
    staff.user.save()
    client = Client()
    for _ in range(5):
        client.post("/admin/login/", {"username": staff.user.username, "password": "wrong-password"})

    response = client.post("/admin/login/", {"username": staff.user.username, "password": PASSWORD})

    assert response.status_code == 429
    assert "密码错误次数过多（5次）" in response.content.decode()


# --- twenty at once (PostgreSQL) ---------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_taps_on_send_code_at_once_send_one_sms(require_postgres):
    phone = "13800003011"
    start = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def tap():
        try:
            start.wait()
            services.sms_code_send(phone=phone, ip="127.0.0.1")
            outcome = "sent"
        except ApplicationError as error:
            outcome = error.code
        except Exception as error:  # anything else is a bug the assertion below shows
            outcome = repr(error)
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=tap) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["rate_limited"] * 19 + ["sent"]
    assert SmsCode.objects.filter(phone=phone).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_wrong_codes_at_once_get_exactly_five_checks(require_postgres):
    phone = "13800003010"
    services.sms_code_send(phone=phone, ip="127.0.0.1")
    wrong = wrong_code(phone)
    start = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def guess():
        try:
            start.wait()
            services.sms_code_verify(phone=phone, code=wrong, ip="127.0.0.1")
            outcome = "logged_in"
        except ApplicationError as error:
            outcome = error.code
        except Exception as error:  # anything else is a bug the assertion below shows
            outcome = repr(error)
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=guess) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("sms_code_invalid") == 5, outcomes
    assert set(outcomes) <= {"sms_code_invalid", "sms_too_many_attempts", "sms_daily_limit"}, outcomes
    assert SmsCode.objects.get(phone=phone).failed_attempts == 5
    assert LoginAttempt.objects.filter(phone=phone, succeeded=False).count() == 5
    with pytest.raises(ApplicationError) as refused:
        services.sms_code_verify(phone=phone, code=last_code_for(phone), ip="127.0.0.1")
    assert refused.value.code == "sms_too_many_attempts"


@pytest.mark.django_db
def test_the_hourly_job_drops_windows_that_ended_a_day_ago_and_keeps_the_rest():
    now = timezone.now()
    AttemptCounter.objects.create(key="sms-verify-ip:203.0.113.7", count=3, expires_at=now - timedelta(days=2))
    AttemptCounter.objects.create(key="sms-verify-ip:203.0.113.8", count=3, expires_at=now - timedelta(hours=1))
    AttemptCounter.objects.create(key="sms-verify-phone:13800003012", count=9, expires_at=now + timedelta(hours=20))

    dropped = attempt_counters_purge()

    assert dropped == 1
    assert sorted(AttemptCounter.objects.values_list("key", flat=True)) == [
        "sms-verify-ip:203.0.113.8",
        "sms-verify-phone:13800003012",
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_thirty_wrong_pickup_codes_at_once_get_exactly_twenty_checks(require_postgres):
    world = given_live_campaign(price_fen=1290)
    order = paid_order(world, 1)
    Order.objects.filter(pk=order.pk).update(status=Order.Status.ARRIVED)
    wrong = [f"{n:08d}" for n in range(1, 40) if f"{n:08d}" != order.pickup_code][:30]
    start = threading.Barrier(30)
    outcomes: list[str] = []
    lock = threading.Lock()

    def guess(code):
        try:
            start.wait()
            order_services.order_pickup_verify(shop=world.shop, code=code, leader=world.leader, actor=world.leader.user)
            outcome = "picked_up"
        except ApplicationError as error:
            outcome = error.code
        except Exception as error:  # anything else is a bug the assertion below shows
            outcome = repr(error)
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=guess, args=(code,)) for code in wrong]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["pickup_code_invalid"] * 20 + ["rate_limited"] * 10
    assert AttemptCounter.objects.get(key__startswith="pickup-misses:").count == 20
