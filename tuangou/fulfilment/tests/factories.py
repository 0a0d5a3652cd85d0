"""State for fulfilment, commission and notification tests, built directly (not through the
other apps' services): a succeeded campaign, leaders with points, orders in chosen statuses."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from tuangou.accounts.testing import ApiClient
from tuangou.campaigns.models import Campaign, CampaignItem
from tuangou.catalog.models import Product, Sku
from tuangou.leaders.models import Leader, PickupPoint
from tuangou.orders.models import Order, OrderLine
from tuangou.shops.tests.factories import PASSWORD, MemberUserFactory, ShopFactory, StaffFactory


class LeaderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Leader

    shop = factory.SubFactory(ShopFactory)
    user = factory.SubFactory(MemberUserFactory)
    name = factory.Sequence(lambda n: f"林团长{n}")
    phone = factory.SelfAttribute("user.phone")


class PickupPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PickupPoint

    leader = factory.SubFactory(LeaderFactory)
    shop = factory.SelfAttribute("leader.shop")
    name = factory.Sequence(lambda n: f"海韵花园{n}号自提点")
    community = factory.Sequence(lambda n: f"海韵花园{n}期")
    address = "思明区海韵路8号"
    lat = Decimal("24.437600")
    lng = Decimal("118.096300")
    route = "思明线"


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    shop = factory.SubFactory(ShopFactory)
    name = factory.Sequence(lambda n: f"土鸡蛋{n}")
    unit = "盒"


class SkuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sku

    product = factory.SubFactory(ProductFactory)
    shop = factory.SelfAttribute("product.shop")
    spec = "30枚"
    code = factory.Sequence(lambda n: f"SKU{n:05d}")
    price_fen = 3990
    cost_fen = 2800
    stock = 1000


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    shop = factory.SubFactory(ShopFactory)
    title = factory.Sequence(lambda n: f"周末鲜果团{n}")
    status = Campaign.Status.SUCCEEDED
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=2))
    cutoff_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    pickup_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))


class CampaignItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignItem

    campaign = factory.SubFactory(CampaignFactory)
    shop = factory.SelfAttribute("campaign.shop")
    sku = factory.SubFactory(
        SkuFactory, shop=factory.SelfAttribute("..shop"), product__shop=factory.SelfAttribute("..shop")
    )
    price_fen = 2990
    stock_allotted = 500
    stock_left = 500


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    campaign = factory.SubFactory(CampaignFactory)
    shop = factory.SelfAttribute("campaign.shop")
    member = factory.SubFactory(MemberUserFactory)
    pickup_point = factory.SubFactory(PickupPointFactory, leader__shop=factory.SelfAttribute("...shop"))
    leader = factory.SelfAttribute("pickup_point.leader")
    number = factory.Sequence(lambda n: f"TG{n:010d}")
    status = Order.Status.CONFIRMED
    items_fen = 0
    total_fen = 0
    pickup_code = factory.Sequence(lambda n: f"{n + 700000:06d}")
    paid_at = factory.LazyFunction(timezone.now)


def order_with_lines(
    *, campaign, point, member=None, lines, status=Order.Status.CONFIRMED, rate_bp=1000, **fields
) -> Order:
    """An order at `point` with lines [(campaign_item, quantity) or (item, quantity, refunded_quantity)]."""
    order = OrderFactory(
        campaign=campaign,
        pickup_point=point,
        leader=point.leader,
        status=status,
        **({"member": member} if member else {}),
        **fields,
    )
    total = 0
    for spec in lines:
        item, quantity, refunded = (*spec, 0) if len(spec) == 2 else spec
        amount = item.price_fen * quantity
        total += amount
        OrderLine.objects.create(
            shop=order.shop,
            order=order,
            campaign_item=item,
            product_name=item.sku.product.name,
            spec=item.sku.spec,
            unit_price_fen=item.price_fen,
            quantity=quantity,
            amount_fen=amount,
            refunded_quantity=refunded,
            refunded_fen=item.price_fen * refunded,
            commission_rate_bp=rate_bp,
        )
    Order.objects.filter(pk=order.pk).update(items_fen=total, total_fen=total, refunded_fen=0)
    order.refresh_from_db()
    return order


def staff_client(shop, role="owner") -> ApiClient:
    staff = StaffFactory(shop=shop, role=role)
    client = ApiClient()
    client.login_password(staff.user.username, PASSWORD)
    return client


def phone_client(user) -> ApiClient:
    """Logged in with phone + SMS code, as leaders and members are."""
    client = ApiClient()
    client.login_sms(user.phone)
    return client
