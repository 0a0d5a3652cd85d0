"""Factories and givens for order and payment tests: a live campaign, a leader with a point,
a member bound to them, and the helpers that pay through the sandbox's signed notify."""

from datetime import timedelta
from types import SimpleNamespace

import factory
from django.test import Client
from django.utils import timezone

from tuangou.accounts.testing import ApiClient
from tuangou.campaigns.models import Campaign, CampaignItem
from tuangou.catalog.tests.factories import SkuFactory
from tuangou.leaders.models import Membership
from tuangou.leaders.tests.factories import LeaderFactory
from tuangou.orders import services
from tuangou.payments import sandbox
from tuangou.payments.models import SandboxTrade
from tuangou.payments.services import payment_create
from tuangou.shops.tests.factories import PASSWORD, MemberUserFactory, ShopFactory, StaffFactory


class CampaignFactory(factory.django.DjangoModelFactory):
    """A live campaign: started an hour ago, cut-off tomorrow, pickup the day after."""

    class Meta:
        model = Campaign

    shop = factory.SubFactory(ShopFactory)
    title = factory.Sequence(lambda n: f"周末鲜果团{n}")
    status = Campaign.Status.LIVE
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    cutoff_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    pickup_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=2))


class CampaignItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignItem

    campaign = factory.SubFactory(CampaignFactory)
    shop = factory.SelfAttribute("campaign.shop")
    sku = factory.SubFactory(SkuFactory, product__shop=factory.SelfAttribute("...shop"))
    price_fen = 1290
    stock_allotted = 20
    stock_left = factory.SelfAttribute("stock_allotted")


def given_live_campaign(
    *, stock: int = 20, price_fen: int = 1290, purchase_limit: int = 0, shop=None
) -> SimpleNamespace:
    """A shop with a live campaign of one item, an active leader with a pickup point, and a
    member bound to that leader."""
    shop = shop or ShopFactory()
    leader = LeaderFactory(shop=shop)
    campaign = CampaignFactory(shop=shop)
    item = CampaignItemFactory(
        campaign=campaign, price_fen=price_fen, stock_allotted=stock, purchase_limit=purchase_limit
    )
    member = given_member(shop, leader)
    return SimpleNamespace(shop=shop, leader=leader, campaign=campaign, item=item, member=member)


def given_member(shop, leader):
    member = MemberUserFactory()
    Membership.objects.create(shop=shop, user=member, leader=leader, via_leader=leader)
    return member


def login(user) -> ApiClient:
    """A member or leader logs in with phone + SMS code, as the H5 does (once per test: a second
    code within a minute would be rate-limited)."""
    if getattr(user, "api_client", None) is None:
        user.api_client = ApiClient()
        user.api_client.login_sms(user.phone)
    return user.api_client


def staff_login(shop, role: str = "owner") -> ApiClient:
    staff = StaffFactory(shop=shop, role=role)
    client = ApiClient()
    client.login_password(staff.user.username, PASSWORD)
    client.user = staff.user
    return client


def place(world, quantity: int = 1, *, member=None, item=None, **kwargs):
    return services.order_place(
        shop=world.shop,
        member=member or world.member,
        campaign_id=world.campaign.id,
        items=[{"campaign_item_id": (item or world.item).id, "quantity": quantity}],
        **kwargs,
    )


def notify(payment, *, body: bytes | None = None, headers: dict | None = None):
    """The gateway's notify for a payment it took, POSTed through the test client."""
    trade = SandboxTrade.objects.get(payment=payment)
    body = body if body is not None else sandbox.notify_body(trade)
    return Client().post(
        sandbox.notify_path(),
        body,
        content_type="application/json",
        headers=headers if headers is not None else sandbox.sign_notify(body),
    )


def pay(order):
    """Open a payment, let the payer confirm at the gateway, deliver the signed notify."""
    payment = payment_create(order=order)
    sandbox.gateway_pay(out_trade_no=payment.out_trade_no)
    response = notify(payment)
    assert response.status_code == 200, response.content
    order.refresh_from_db()
    return payment


def paid_order(world, quantity: int = 1, **kwargs):
    order = place(world, quantity, **kwargs)
    pay(order)
    return order
