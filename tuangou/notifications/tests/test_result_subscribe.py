"""Issue 8: the campaign result and the leader's application result as WeChat subscribe messages,
against the WeChat platform simulator: whoever accepted the template gets it through
/cgi-bin/message/subscribe/bizsend with the template's data; whoever has no acceptance left gets
the SMS instead."""

import pytest
from django.core.cache import cache

from simulators.wechat import WechatSimulator
from tuangou.accounts.models import WechatIdentity
from tuangou.campaigns import services as campaign_services
from tuangou.campaigns.models import Campaign
from tuangou.core.testing import ok
from tuangou.fulfilment.tests.factories import phone_client
from tuangou.leaders.tests.factories import LeaderApplicationFactory, staff_client
from tuangou.notifications.channels import sms_message_for
from tuangou.notifications.models import Delivery, Message, SubscribeAcceptance
from tuangou.orders.tests.factories import given_live_campaign, paid_order
from tuangou.shops.tests.factories import MemberUserFactory, ShopFactory

pytestmark = pytest.mark.django_db

APP_ID, SECRET = "wx0123456789abcdef", "s3cr3t-official-account"
RESULT, APPLICATION = "tmplResult0003", "tmplApply0004"


@pytest.fixture
def sim(settings):
    with WechatSimulator(apps={APP_ID: SECRET}) as simulator:
        simulator.add_template(APP_ID, RESULT, ["thing1", "thing2"])
        simulator.add_template(APP_ID, APPLICATION, ["thing1", "phrase2", "thing3"])
        settings.WECHAT_APP_ID, settings.WECHAT_APP_SECRET = APP_ID, SECRET
        settings.WECHAT_API_BASE = settings.WECHAT_OPEN_BASE = simulator.base_url
        settings.WECHAT_SUBSCRIBE_TEMPLATES = {APP_ID: {"campaign_result": RESULT, "application_result": APPLICATION}}
        settings.NOTIFICATION_CHANNELS = ["inapp", "sms", "wechat"]
        cache.clear()
        yield simulator
        cache.clear()


def wechat_person(sim, user, key: str, *, accepted: list[str]) -> str:
    """A person logged in with WeChat who tapped 允许 for `accepted` (counted as the API would)."""
    openid = sim.login_as(key).openid(APP_ID)
    WechatIdentity.objects.create(app_id=APP_ID, openid=openid, user=user)
    if accepted:
        sim.subscribe(APP_ID, openid, accepted)
        for template_id in accepted:
            SubscribeAcceptance.objects.create(user=user, app_id=APP_ID, template_id=template_id, remaining=1)
    return openid


def sent_by_sms(user) -> list[str]:
    rows = Delivery.objects.filter(channel="sms", to=user.phone, status="sent")
    return list(rows.order_by("id").values_list("message__title", flat=True))


def a_campaign_with_two_members(threshold: int):
    world = given_live_campaign(price_fen=1000)
    other = MemberUserFactory(phone="13800008002")
    orders = [paid_order(world, 2), paid_order(world, 1, member=other, leader_id=world.leader.id)]
    Campaign.objects.filter(pk=world.campaign.pk).update(
        status=Campaign.Status.CLOSED, threshold_type="members", threshold_value=threshold
    )
    world.campaign.refresh_from_db()
    return world, other, orders


def test_a_formed_campaign_tells_each_member_by_the_result_template_or_by_sms_when_none_was_accepted(
    sim, django_capture_on_commit_callbacks
):
    world, other, orders = a_campaign_with_two_members(threshold=2)
    openid = wechat_person(sim, world.member, "mei", accepted=[RESULT])
    other_openid = wechat_person(sim, other, "lin", accepted=[])

    with django_capture_on_commit_callbacks(execute=True):
        campaign_services.campaign_decide(campaign=world.campaign)

    [sent] = sim.messages_to(openid)
    assert (sent["template_id"], sent["data"]) == (
        RESULT,
        {"thing1": world.campaign.title[:20], "thing2": "团购已成团"},
    )
    assert SubscribeAcceptance.objects.get(user=world.member).remaining == 0
    assert sent_by_sms(world.member) == []  # WeChat reached them: no SMS besides
    assert sim.messages_to(other_openid) == [] and sent_by_sms(other) == ["团购已成团"]
    message = Message.objects.get(user=world.member)
    assert message.body == f"「{world.campaign.title}」已成团，您的订单{orders[0].number}正在备货，到货后会通知您提货。"
    assert message.data["link"] == f"/h5/s/{world.shop.id}/orders/{orders[0].id}"


def test_the_formed_notice_run_twice_tells_each_member_once(sim, django_capture_on_commit_callbacks):
    from tuangou.orders.notices import campaign_formed_notify

    world, _, _ = a_campaign_with_two_members(threshold=1)
    with django_capture_on_commit_callbacks(execute=True):
        campaign_services.campaign_decide(campaign=world.campaign)

    assert campaign_formed_notify(world.campaign.id) == 0
    assert Message.objects.filter(title="团购已成团").count() == 2


def test_a_failed_campaign_tells_the_member_by_the_result_template_with_the_refund(
    sim, django_capture_on_commit_callbacks
):
    world, other, orders = a_campaign_with_two_members(threshold=10)
    openid = wechat_person(sim, world.member, "mei", accepted=[RESULT])
    wechat_person(sim, other, "lin", accepted=[])

    with django_capture_on_commit_callbacks(execute=True):
        campaign_services.campaign_decide(campaign=world.campaign)

    [sent] = sim.messages_to(openid)
    assert (sent["template_id"], sent["data"]) == (
        RESULT,
        {"thing1": world.campaign.title[:20], "thing2": "团购未成团，已全额退款"},
    )
    assert sent_by_sms(world.member) == [] and sent_by_sms(other) == ["团购未成团，已全额退款"]
    # The SMS vendor's template for it is the refund's: order number and amount.
    sms = sms_message_for(Delivery.objects.get(channel="sms", to=other.phone).message)
    assert (sms.template, sms.values()) == ("refund", {"order": orders[1].number, "amount": "¥10.00"})


@pytest.mark.parametrize(
    "decision, accepted, phrase, by_sms",
    [("approve", True, "已通过", []), ("reject", False, None, ["团长申请未通过"])],
)
def test_the_leaders_application_result_goes_by_its_template_or_by_sms(
    sim, django_capture_on_commit_callbacks, decision, accepted, phrase, by_sms
):
    owner, shop = staff_client()
    application = LeaderApplicationFactory(shop=shop, community="海韵花园", user__phone="13800005001")
    openid = wechat_person(sim, application.user, "zhang", accepted=[APPLICATION] if accepted else [])
    body = {"reason": "小区已有团长"} if decision == "reject" else {}

    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(f"console/shops/{shop.id}/leader-applications/{application.id}/{decision}", body)
        ok(response, 201 if decision == "approve" else 200)

    sent = sim.messages_to(openid)
    if phrase:
        assert [(m["template_id"], m["data"]) for m in sent] == [
            (APPLICATION, {"thing1": shop.name[:20], "phrase2": phrase, "thing3": "团长申请已通过"})
        ]
    else:
        assert sent == []
    assert sent_by_sms(application.user) == by_sms


def test_applying_to_lead_offers_the_application_result_template_and_checkout_the_campaign_result(sim):
    shop = ShopFactory()
    user = MemberUserFactory(phone="13800008003")
    wechat_person(sim, user, "wang", accepted=[])
    client = phone_client(user)

    applying = ok(client.get(f"shops/{shop.id}/wechat/subscribe-templates?moment=leader_application"))
    checkout = ok(client.get(f"shops/{shop.id}/wechat/subscribe-templates"))
    unknown = client.get(f"shops/{shop.id}/wechat/subscribe-templates?moment=anything")
    accepted = ok(client.post(f"shops/{shop.id}/wechat/subscribe-acceptances", {"template_ids": [APPLICATION]}))

    assert applying == {"app_id": APP_ID, "templates": [{"purpose": "application_result", "template_id": APPLICATION}]}
    assert checkout == {"app_id": APP_ID, "templates": [{"purpose": "campaign_result", "template_id": RESULT}]}
    assert unknown.status_code == 422 and unknown.json()["field"] == "moment"
    assert accepted == {"remaining": {APPLICATION: 1}}
