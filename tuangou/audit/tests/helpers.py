from datetime import timedelta

from django.utils import timezone

from tests.world import add_staff
from tuangou.accounts.testing import ApiClient
from tuangou.campaigns.models import Campaign, CampaignItem
from tuangou.catalog.models import Sku
from tuangou.shops.tests.factories import PASSWORD

IP = "203.0.113.7"  # the test client's REMOTE_ADDR (no trusted proxy: the address itself is the client)


def client_for(user, ip: str = IP) -> ApiClient:
    client = ApiClient()
    client.client.defaults["REMOTE_ADDR"] = ip
    client.login_password(user.username, PASSWORD)
    return client


def staff_client(world, role: str, ip: str = IP):
    staff = add_staff(world, role)
    return staff, client_for(staff.user, ip)


def draft_campaign(world, title: str = "草稿团") -> Campaign:
    now = timezone.now()
    campaign = Campaign.objects.create(
        shop=world["shop"],
        title=title,
        status=Campaign.Status.DRAFT,
        starts_at=now + timedelta(days=1),
        cutoff_at=now + timedelta(days=2),
        pickup_at=now + timedelta(days=3),
        created_by=world["owner"],
    )
    sku = Sku.objects.get(pk=world["ids"]["sku_id"])
    CampaignItem.objects.create(
        shop=world["shop"], campaign=campaign, sku=sku, price_fen=4900, stock_allotted=10, stock_left=10
    )
    return campaign
