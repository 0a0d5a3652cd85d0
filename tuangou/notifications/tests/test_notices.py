"""Messages sent on events (issue 7, item 13): the applicant hears the review, the member hears
of a refund or a failed campaign, the leader hears a withdrawal was paid. Each arrives in the
member's message center (over the API) and in the development SMS inbox (/dev/sms), after commit."""

import pytest
from django.test import Client

from tuangou.campaigns.models import Campaign
from tuangou.commissions import services as commission_services
from tuangou.commissions.tests.test_withdrawals import leader_with_withdrawable
from tuangou.core.testing import ok
from tuangou.fulfilment.tests.factories import phone_client
from tuangou.fulfilment.tests.factories import staff_client as console
from tuangou.leaders.tests.factories import LeaderApplicationFactory, staff_client
from tuangou.notifications.models import Delivery, Message
from tuangou.notifications.services import notification_send
from tuangou.orders import services as order_services
from tuangou.orders.tests.factories import given_live_campaign, notify, paid_order, place, staff_login
from tuangou.payments import sandbox
from tuangou.payments import tasks as payment_tasks
from tuangou.payments.models import Refund
from tuangou.payments.services import payment_create

pytestmark = pytest.mark.django_db


def inbox(user, shop_id):
    return ok(phone_client(user).get(f"shops/{shop_id}/messages"))["items"]


def dev_sms_page() -> str:
    return Client().get("/dev/sms").content.decode()


def test_an_approved_applicant_is_told_in_app_and_by_sms(django_capture_on_commit_callbacks):
    owner, shop = staff_client()
    application = LeaderApplicationFactory(shop=shop, community="海韵花园", user__phone="13800005001")

    with django_capture_on_commit_callbacks(execute=True):
        ok(owner.post(f"console/shops/{shop.id}/leader-applications/{application.id}/approve", {}), 201)

    [message] = inbox(application.user, shop.id)
    expected_body = f"恭喜！您在{shop.name}的团长申请已通过，海韵花园自提点已开通，快去团长中心看看吧。"
    assert (message["kind"], message["kind_label"], message["title"], message["body"]) == (
        "leader",
        "团长消息",
        "团长申请已通过",
        expected_body,
    )
    assert message["link"] == f"/h5/s/{shop.id}/leader"
    assert Delivery.objects.get().status == "sent"
    # Vendors send approved templates only: the application_result template, with the platform's signature.
    assert f"【团购】您在{shop.name}的团长申请已通过，详情请进入团长中心查看。" in dev_sms_page()


def test_a_rejected_applicant_is_told_the_reason(django_capture_on_commit_callbacks):
    owner, shop = staff_client()
    application = LeaderApplicationFactory(shop=shop)

    with django_capture_on_commit_callbacks(execute=True):
        ok(
            owner.post(
                f"console/shops/{shop.id}/leader-applications/{application.id}/reject", {"reason": "小区已有团长"}
            )
        )

    [message] = inbox(application.user, shop.id)
    assert (message["title"], message["body"]) == (
        "团长申请未通过",
        f"很抱歉，您在{shop.name}的团长申请未通过。原因：小区已有团长",
    )
    assert message["link"] == f"/h5/s/{shop.id}/leader-application"


def test_a_refused_action_tells_nobody(django_capture_on_commit_callbacks):
    owner, shop = staff_client()
    application = LeaderApplicationFactory(shop=shop)

    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(f"console/shops/{shop.id}/leader-applications/{application.id}/reject", {"reason": "   "})

    assert response.status_code == 400
    assert not Message.objects.exists()


def test_a_refunded_member_is_told_the_amount_and_the_message_opens_the_order(django_capture_on_commit_callbacks):
    world = given_live_campaign(price_fen=1290)
    order = paid_order(world, 2)
    finance = staff_login(world.shop, "finance")

    with django_capture_on_commit_callbacks(execute=True):
        ok(
            finance.post(
                f"console/shops/{world.shop.id}/orders/{order.id}/refund", {"amount_fen": 1000, "reason": "破损"}
            )
        )

    [message] = inbox(world.member, world.shop.id)
    assert (message["kind"], message["title"], message["body"]) == (
        "order",
        "退款成功",
        f"您的订单{order.number}（{world.campaign.title}）已退款¥10.00，将原路退回。",
    )
    assert message["link"] == f"/h5/s/{world.shop.id}/orders/{order.id}"
    assert "已退款¥10.00" in dev_sms_page()


def test_members_of_a_failed_campaign_are_told_it_missed_its_threshold(django_capture_on_commit_callbacks):
    world = given_live_campaign(price_fen=1000)
    Campaign.objects.filter(pk=world.campaign.pk).update(threshold_value=10, threshold_type="members")
    order = paid_order(world, 2)
    Campaign.objects.filter(pk=world.campaign.pk).update(status=Campaign.Status.FAILED)
    world.campaign.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        order_services.orders_refund_for_failed_campaign(campaign=world.campaign)

    [message] = inbox(world.member, world.shop.id)
    assert (message["title"], message["body"]) == (
        "团购未成团，已全额退款",
        f"「{world.campaign.title}」未达到成团条件（10人成团），您的订单{order.number}已全额退款¥20.00，将原路退回。",
    )
    assert message["link"] == f"/h5/s/{world.shop.id}/orders/{order.id}"


def test_the_refund_job_run_twice_sends_one_message(django_capture_on_commit_callbacks):
    world = given_live_campaign(price_fen=1000)
    order = paid_order(world)
    with django_capture_on_commit_callbacks(execute=True):
        order_services.order_refund(order=order, actor=None, reason="缺货")

    payment_tasks.refund_notify(Refund.objects.get().id)

    assert Message.objects.filter(user=world.member).count() == 1


def test_a_leader_is_told_when_the_withdrawal_is_paid(django_capture_on_commit_callbacks):
    leader = leader_with_withdrawable()
    withdrawal = commission_services.withdrawal_request(leader=leader, amount_fen=1000, account="微信 chenli")
    finance = console(leader.shop, role="finance")
    base = f"console/shops/{leader.shop_id}/withdrawals/{withdrawal.id}"

    with django_capture_on_commit_callbacks(execute=True):
        ok(finance.post(f"{base}/approve"))
        approved_only = Message.objects.filter(user=leader.user).count()
        ok(finance.post(f"{base}/paid"))

    [message] = inbox(leader.user, leader.shop_id)
    assert approved_only == 0
    assert (message["kind"], message["title"], message["body"]) == (
        "leader",
        "提现已到账",
        f"您的提现申请#{withdrawal.id}（¥10.00）已打款至微信 chenli，请注意查收。",
    )
    assert message["link"] == f"/h5/s/{leader.shop_id}/leader/commission"


def test_a_pickup_notice_for_one_order_opens_that_order():
    world = given_live_campaign()
    order = paid_order(world)
    notification_send(
        shop=world.shop,
        user=world.member,
        kind="pickup_notice",
        title="提货通知",
        body="请凭提货码提货",
        data={"order_ids": [order.id], "campaign_id": world.campaign.id},
    )
    notification_send(
        shop=world.shop,
        user=world.member,
        kind="pickup_notice",
        title="提货通知",
        body="两单",
        data={"order_ids": [1, 2]},
    )

    two, one = inbox(world.member, world.shop.id)

    assert one["link"] == f"/h5/s/{world.shop.id}/orders/{order.id}"
    assert two["link"] == f"/h5/s/{world.shop.id}/orders?status=arrived"


def test_money_that_arrives_after_the_order_was_cancelled_is_returned_and_the_member_told(
    django_capture_on_commit_callbacks,
):
    world = given_live_campaign(price_fen=1000)
    order = place(world)
    payment = payment_create(order=order)
    order_services.order_cancel(order=order, actor=world.member)
    sandbox.gateway_pay(out_trade_no=payment.out_trade_no)

    with django_capture_on_commit_callbacks(execute=True):
        assert notify(payment).status_code == 200

    [message] = inbox(world.member, world.shop.id)
    assert (message["title"], message["body"]) == (
        "订单已取消，款项已退回",
        f"您的订单{order.number}在付款到账前已取消（超时未付或已截单），支付的¥10.00将原路退回。",
    )
