"""WeChat subscribe messages against the WeChat platform simulator over HTTP: the member's
acceptances at checkout are counted, each message sent through bizsend uses one, and a message WeChat
cannot carry (none left, 43101, another error) goes by SMS instead — once, even when two sends race
for the last acceptance."""

import threading

import pytest
from django.core.cache import cache
from django.db import connection

from simulators.wechat import WechatSimulator
from tuangou.accounts.models import WechatIdentity
from tuangou.core.testing import ok
from tuangou.fulfilment.tests.factories import phone_client
from tuangou.notifications import services, tasks
from tuangou.notifications.channels import WechatChannel
from tuangou.notifications.models import Delivery, Message, SubscribeAcceptance
from tuangou.shops.tests.factories import MemberUserFactory, ShopFactory

APP_ID, SECRET = "wx0123456789abcdef", "s3cr3t-official-account"
PICKUP, REFUND, RESULT, APPLICATION = "tmplPickup0001", "tmplRefund0002", "tmplResult0003", "tmplApply0004"
PICKUP_DATA = {"campaign": "周末鲜果团·红富士苹果新鲜到货限时特惠抢购中", "point": "海韵花园自提点", "code": "K7Q2"}


@pytest.fixture
def sim(settings):
    with WechatSimulator(apps={APP_ID: SECRET}) as simulator:
        simulator.add_template(APP_ID, PICKUP, ["thing1", "thing2", "character_string3", "thing4"])
        simulator.add_template(APP_ID, REFUND, ["character_string1", "amount2", "thing3"])
        simulator.add_template(APP_ID, RESULT, ["thing1", "thing2"])
        settings.WECHAT_APP_ID, settings.WECHAT_APP_SECRET = APP_ID, SECRET
        settings.WECHAT_API_BASE = settings.WECHAT_OPEN_BASE = simulator.base_url
        settings.WECHAT_SUBSCRIBE_TEMPLATES = {
            APP_ID: {"pickup_notice": PICKUP, "refund": REFUND, "campaign_result": RESULT, "application_result": ""}
        }
        settings.NOTIFICATION_CHANNELS = ["inapp", "sms", "wechat"]
        cache.clear()
        yield simulator
        cache.clear()


def a_wechat_member(sim, phone="13800008001", key="mei"):
    user = MemberUserFactory(phone=phone)
    openid = sim.login_as(key).openid(APP_ID)
    WechatIdentity.objects.create(app_id=APP_ID, openid=openid, user=user)
    return user, openid


def pickup_notice(shop, user):
    return services.notification_send(
        shop=shop, user=user, kind=Message.Kind.PICKUP_NOTICE, title="提货通知", body="请到自提点提货", data=PICKUP_DATA
    )


def sms_to(phone):
    """The kinds of the messages sent to a phone by SMS (by the console backend)."""
    rows = Delivery.objects.filter(channel="sms", to=phone, status="sent", provider_id__startswith="console-")
    return list(rows.order_by("id").values_list("message__kind", flat=True))


@pytest.mark.django_db
def test_checkout_offers_the_apps_templates_and_counts_each_acceptance(sim):
    shop = ShopFactory()
    user, _ = a_wechat_member(sim)
    client = phone_client(user)

    offered = ok(client.get(f"shops/{shop.id}/wechat/subscribe-templates"))
    first = ok(client.post(f"shops/{shop.id}/wechat/subscribe-acceptances", {"template_ids": [PICKUP, REFUND]}))
    second = ok(client.post(f"shops/{shop.id}/wechat/subscribe-acceptances", {"template_ids": [PICKUP]}))

    assert offered == {
        "app_id": APP_ID,
        "templates": [
            {"purpose": "pickup_notice", "template_id": PICKUP},
            {"purpose": "refund", "template_id": REFUND},
            {"purpose": "campaign_result", "template_id": RESULT},
        ],
    }
    assert first == {"remaining": {PICKUP: 1, REFUND: 1}}
    assert second == {"remaining": {PICKUP: 2}}
    rows = SubscribeAcceptance.objects.order_by("template_id").values_list("template_id", "remaining", "accepted_total")
    assert list(rows) == [(PICKUP, 2, 2), (REFUND, 1, 1)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "template_ids, status, field",
    [
        (["tmplSomeoneElses"], 400, "template_ids"),
        ([PICKUP, "<script>"], 400, "template_ids"),
        ([], 422, "template_ids"),
        (["a" * 65], 422, "template_ids.0"),
        ([PICKUP] * 11, 422, "template_ids"),
        (["tmpl\x00"], 422, "template_ids.0"),
    ],
)
def test_an_acceptance_of_a_template_not_the_apps_counts_nothing(sim, template_ids, status, field):
    shop = ShopFactory()
    user, _ = a_wechat_member(sim)

    response = phone_client(user).post(f"shops/{shop.id}/wechat/subscribe-acceptances", {"template_ids": template_ids})

    assert (response.status_code, response.json()["field"]) == (status, field)
    assert not SubscribeAcceptance.objects.exists()


@pytest.mark.django_db
def test_outside_a_wechat_setup_the_checkout_offers_nothing(settings):
    settings.WECHAT_APP_ID = ""
    shop, user = ShopFactory(), MemberUserFactory()

    assert ok(phone_client(user).get(f"shops/{shop.id}/wechat/subscribe-templates")) == {"app_id": "", "templates": []}


@pytest.mark.django_db
def test_a_pickup_notice_goes_by_wechat_using_the_acceptance_and_no_sms(
    sim, settings, django_capture_on_commit_callbacks
):
    shop = ShopFactory(name="鲜果小铺")
    user, openid = a_wechat_member(sim)
    SubscribeAcceptance.objects.create(user=user, app_id=APP_ID, template_id=PICKUP, remaining=1)
    sim.subscribe(APP_ID, openid, [PICKUP])

    with django_capture_on_commit_callbacks(execute=True):
        message = pickup_notice(shop, user)

    [sent] = sim.messages_to(openid)
    assert (sent["path"], sent["template_id"], sent["page"]) == (
        "/cgi-bin/message/subscribe/bizsend",
        PICKUP,
        f"{settings.SITE_URL}/h5/s/{shop.id}/messages",
    )
    assert sent["data"] == {
        "thing1": "周末鲜果团·红富士苹果新鲜到货限时特惠抢",  # a "thing" takes 20 characters
        "thing2": "海韵花园自提点",
        "character_string3": "K7Q2",
        "thing4": "鲜果小铺",
    }
    [delivery] = Delivery.objects.filter(message=message)
    assert (delivery.channel, delivery.to, delivery.status, delivery.provider_id) == (
        "wechat",
        openid,
        "sent",
        str(sent["msgid"]),
    )
    assert SubscribeAcceptance.objects.get().remaining == 0
    assert sms_to(user.phone) == []


@pytest.mark.django_db
def test_with_no_acceptance_left_the_notice_goes_by_sms_without_asking_wechat(sim, django_capture_on_commit_callbacks):
    shop = ShopFactory()
    user, openid = a_wechat_member(sim)

    with django_capture_on_commit_callbacks(execute=True):
        message = pickup_notice(shop, user)

    deliveries = list(Delivery.objects.filter(message=message).order_by("id").values_list("channel", "status", "error"))
    assert deliveries == [
        ("wechat", "failed", "WechatFallback: no subscribe acceptance left"),
        ("sms", "sent", ""),
    ]
    assert sim.calls["/cgi-bin/message/subscribe/bizsend"] == 0
    assert sms_to(user.phone) == ["pickup_notice"]
    assert tasks.deliveries_retry() == 0  # the closed WeChat delivery is not retried


@pytest.mark.django_db
def test_wechat_answering_43101_falls_back_to_sms_and_clears_the_count(sim, django_capture_on_commit_callbacks):
    shop = ShopFactory()
    user, openid = a_wechat_member(sim)
    # we counted an acceptance, but WeChat holds none (the member turned the notices off in WeChat)
    SubscribeAcceptance.objects.create(user=user, app_id=APP_ID, template_id=PICKUP, remaining=2)

    with django_capture_on_commit_callbacks(execute=True):
        message = pickup_notice(shop, user)

    deliveries = Delivery.objects.filter(message=message).order_by("id")
    assert [(d.channel, d.status) for d in deliveries] == [("wechat", "failed"), ("sms", "sent")]
    assert deliveries[0].error.startswith("WechatFallback: wechat 43101: user refuse to accept the msg")
    assert sim.calls["/cgi-bin/message/subscribe/bizsend"] == 1
    assert sim.messages_to(openid) == []
    assert SubscribeAcceptance.objects.get().remaining == 0
    assert len(sms_to(user.phone)) == 1


@pytest.mark.django_db
def test_a_wechat_outage_falls_back_to_sms_and_keeps_the_acceptance(sim, django_capture_on_commit_callbacks):
    shop = ShopFactory()
    user, openid = a_wechat_member(sim)
    SubscribeAcceptance.objects.create(user=user, app_id=APP_ID, template_id=PICKUP, remaining=1)
    sim.subscribe(APP_ID, openid, [PICKUP])
    sim.fail_next("/cgi-bin/message/subscribe/bizsend", 502)

    with django_capture_on_commit_callbacks(execute=True):
        message = pickup_notice(shop, user)

    assert [(d.channel, d.status) for d in Delivery.objects.filter(message=message).order_by("id")] == [
        ("wechat", "failed"),
        ("sms", "sent"),
    ]
    assert SubscribeAcceptance.objects.get().remaining == 1


@pytest.mark.django_db
def test_an_expired_access_token_is_renewed_once_and_the_message_sent(sim, django_capture_on_commit_callbacks):
    shop = ShopFactory()
    user, openid = a_wechat_member(sim)
    SubscribeAcceptance.objects.create(user=user, app_id=APP_ID, template_id=REFUND, remaining=1)
    sim.subscribe(APP_ID, openid, [REFUND])
    with django_capture_on_commit_callbacks(execute=True):
        pickup_notice(shop, MemberUserFactory())  # caches a token (the other member has no WeChat: SMS)
    sim.expire_access_tokens()

    with django_capture_on_commit_callbacks(execute=True):
        services.notice_send(
            shop=shop, user=user, kind=Message.Kind.ORDER, key="refund:7", title="退款成功", body="已退款",
            data={"order_number": "T20260101-0007", "amount_fen": 1290},
        )  # fmt: skip

    [sent] = sim.messages_to(openid)
    assert sent["data"] == {"character_string1": "T20260101-0007", "amount2": "12.90元", "thing3": "退款成功"}
    assert sim.calls["/cgi-bin/token"] == 1 or sim.calls["/cgi-bin/token"] == 2


@pytest.mark.django_db
def test_a_member_without_wechat_gets_sms_only_and_a_message_with_no_template_goes_by_sms(
    sim, django_capture_on_commit_callbacks
):
    shop = ShopFactory()
    plain = MemberUserFactory(phone="13800008002")
    user, _ = a_wechat_member(sim)
    SubscribeAcceptance.objects.create(user=user, app_id=APP_ID, template_id=PICKUP, remaining=1)

    with django_capture_on_commit_callbacks(execute=True):
        pickup_notice(shop, plain)
        system = services.notification_send(shop=shop, user=user, kind="system", title="欢迎", body="欢迎加入")

    assert list(Delivery.objects.filter(message__user=plain).values_list("channel", "status")) == [("sms", "sent")]
    assert list(Delivery.objects.filter(message=system).order_by("id").values_list("channel", "status", "error")) == [
        ("wechat", "failed", "WechatFallback: no subscribe template for this message"),
        ("sms", "sent", ""),
    ]
    assert SubscribeAcceptance.objects.get().remaining == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sends_racing_for_one_acceptance_make_one_wechat_message_and_one_sms(require_postgres, sim):
    shop = ShopFactory()
    user, openid = a_wechat_member(sim)
    SubscribeAcceptance.objects.create(user=user, app_id=APP_ID, template_id=PICKUP, remaining=1)
    sim.subscribe(APP_ID, openid, [PICKUP, PICKUP])  # WeChat would take two: only our count stops the second
    sim.delay = 0.2
    ids = []
    for _ in range(2):  # queued rows, as notifications_send_many writes them (its jobs would send them now)
        message = Message.objects.create(
            shop=shop, user=user, kind="pickup_notice", title="提货通知", body="-", data=PICKUP_DATA
        )
        ids.append(Delivery.objects.create(shop=shop, message=message, channel="wechat", to=openid).id)
    start = threading.Barrier(2)

    def send(delivery_id):
        try:
            start.wait()
            tasks.delivery_send(delivery_id)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(delivery_id,)) for delivery_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(sim.messages_to(openid)) == 1
    assert sorted(Delivery.objects.values_list("channel", "status")) == [
        ("sms", "sent"),
        ("wechat", "failed"),
        ("wechat", "sent"),
    ]
    assert len(sms_to(user.phone)) == 1
    assert SubscribeAcceptance.objects.get().remaining == 0


def test_the_simulator_checks_the_data_format_of_each_keyword(sim):
    token = sim.cgi_token({"grant_type": "client_credential", "appid": APP_ID, "secret": SECRET})["access_token"]
    openid = sim.login_as("mei").openid(APP_ID)
    sim.subscribe(APP_ID, openid, [PICKUP])
    good = {"thing1": {"value": "苹果"}, "thing2": {"value": "自提点"}, "thing4": {"value": "店"}}
    path = "/cgi-bin/message/subscribe/bizsend"

    def send(**changes):
        body = {"touser": openid, "template_id": PICKUP, "data": {**good, "character_string3": {"value": "K7Q2"}}}
        body.update(changes)
        return sim.subscribe_send(path, {"access_token": token}, body)["errcode"]

    assert send(data={**good, "character_string3": {"value": "提货码"}}) == 47003
    assert send(data={**good, "thing1": {"value": "苹" * 21}, "character_string3": {"value": "K"}}) == 47003
    assert send(template_id="tmplUnknown") == 40037
    assert sim.subscribe_send(path, {"access_token": "nope"}, {})["errcode"] == 40001
    assert send() == 0
    assert send() == 43101  # one acceptance, one message


def test_the_wechat_channel_builds_the_application_result_template():
    message = Message(kind="leader", title="团长申请已通过", body="-", data={"notice": "application:3:approved"})
    message.shop = ShopFactory.build(name="鲜果小铺")

    assert WechatChannel().payload(Delivery(to="o123"), message) is None  # not configured: SMS carries it
