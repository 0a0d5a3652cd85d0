from decimal import Decimal

import factory

from tuangou.leaders.models import Leader, LeaderApplication, PickupPoint
from tuangou.shops.tests.factories import MemberUserFactory, ShopFactory

# Real places in Xiamen (lat, lng), used across the leader tests.
XIAMEN_UNIVERSITY = (Decimal("24.437600"), Decimal("118.096300"))  # 厦门大学
ZHONGSHAN_ROAD = (Decimal("24.456000"), Decimal("118.080000"))  # 中山路
SOFTWARE_PARK_2 = (Decimal("24.489000"), Decimal("118.180000"))  # 软件园二期


class LeaderFactory(factory.django.DjangoModelFactory):
    """An active leader with a pickup point (pass point__community / point__lat ... to place it)."""

    class Meta:
        model = Leader

    shop = factory.SubFactory(ShopFactory)
    user = factory.SubFactory(MemberUserFactory)
    name = factory.Sequence(lambda n: f"团长{n}")
    phone = factory.SelfAttribute("user.phone")

    @factory.post_generation
    def point(leader, create, extracted, **kwargs):
        if not create:
            return
        lat, lng = kwargs.pop("at", XIAMEN_UNIVERSITY)
        defaults = {
            "name": f"{leader.name}的自提点",
            "community": f"{leader.name}小区",
            "address": "思明区演武路1号",
            "lat": lat,
            "lng": lng,
            "households": 800,
        }
        defaults.update(kwargs)
        PickupPoint.objects.create(shop=leader.shop, leader=leader, **defaults)


class LeaderApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeaderApplication

    shop = factory.SubFactory(ShopFactory)
    user = factory.SubFactory(MemberUserFactory)
    name = "陈丽"
    phone = factory.SelfAttribute("user.phone")
    community = factory.Sequence(lambda n: f"海韵花园{n}期")
    address = "思明区海韵路8号"
    lat = XIAMEN_UNIVERSITY[0]
    lng = XIAMEN_UNIVERSITY[1]
    households = 800
    reach = "小区业主群"


def staff_client(shop=None, role="owner"):
    """An ApiClient logged in as staff with this role (of a new shop unless given), and the shop."""
    from tuangou.accounts.testing import ApiClient
    from tuangou.shops.tests.factories import PASSWORD, StaffFactory

    staff = StaffFactory(role=role, **({"shop": shop} if shop else {}))
    client = ApiClient()
    client.login_password(staff.user.username, PASSWORD)
    return client, staff.shop


def member_client(phone: str):
    """An ApiClient logged in with phone + SMS code, as members and leaders do."""
    from tuangou.accounts.testing import ApiClient

    client = ApiClient()
    client.login_sms(phone)
    return client


def application_form(**changes) -> dict:
    form = {
        "name": "陈丽",
        "phone": "138 0592 0001",
        "community": "海韵花园",
        "address": "思明区海韵路8号",
        "lat": 24.4376,
        "lng": 118.0963,
        "households": 800,
        "reach": "业主微信群 480 人",
        "referral_code": "",
    }
    form.update(changes)
    return form
