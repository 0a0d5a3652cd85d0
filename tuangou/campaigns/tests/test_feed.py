"""他们都在买 over server-sent events, through the real async view (Django's AsyncClient)."""

import asyncio
import json
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.test import AsyncClient, Client
from django.utils import timezone

from tuangou.campaigns.tests.factories import CampaignFactory, CampaignItemFactory, LeaderFactory, buy
from tuangou.orders import feed
from tuangou.orders.models import OrderEvent
from tuangou.shops.tests.factories import MemberUserFactory

# The feed reads on other threads, which see only committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fast_polls(monkeypatch):
    monkeypatch.setattr(feed, "POLL_SECONDS", 0.05)
    monkeypatch.setattr(feed, "HEARTBEAT_SECONDS", 0.3)


def given_live_campaign():
    campaign = CampaignFactory(status="live", starts_at=timezone.now() - timedelta(hours=1))
    item = CampaignItemFactory(campaign=campaign, sku__product__name="土鸡蛋", sku__spec="30枚", stock_allotted=50)
    leader = LeaderFactory(shop=campaign.shop)
    return campaign, item, leader


def member(name):
    return MemberUserFactory(display_name=name)


class Feed:
    """An open feed: reads the SSE body chunk by chunk, as EventSource does."""

    def __init__(self, response):
        assert response.status_code == 200
        assert response["Content-Type"] == "text/event-stream; charset=utf-8"
        self.chunks = aiter(response.streaming_content)
        self.response = response

    async def next_chunk(self, timeout=5.0) -> str:
        chunk = await asyncio.wait_for(anext(self.chunks), timeout)
        return chunk.decode() if isinstance(chunk, bytes) else chunk

    async def events(self, count: int) -> list[dict]:
        found = []
        while len(found) < count:
            chunk = await self.next_chunk()
            if chunk.startswith("id: "):
                event_id, data = chunk.strip().split("\n")
                body = json.loads(data.removeprefix("data: "))
                assert event_id == f"id: {body['id']}"
                found.append(body)
        return found

    async def close(self):
        await self.chunks.aclose()


async def open_feed(campaign, **headers) -> Feed:
    response = await AsyncClient().get(f"/api/shops/{campaign.shop_id}/campaigns/{campaign.id}/feed", headers=headers)
    return Feed(response)


def paid_event_id(order) -> int:
    return OrderEvent.objects.get(order=order, to_status="paid").id


def test_feed_sends_paid_purchases_with_masked_names_and_never_unpaid_ones():
    campaign, item, leader = given_live_campaign()
    first = buy(item=item, member=member("张三丰"), leader=leader, quantity=2)
    buy(item=item, member=member("李四"), leader=leader, pay=False)
    second = buy(item=item, member=member("王小明"), leader=leader)

    async def scenario():
        stream = await open_feed(campaign)
        assert await stream.next_chunk() == "retry: 3000\n\n"
        events = await stream.events(2)
        await stream.close()
        return events

    events = asyncio.run(scenario())

    assert [(e["id"], e["name"], e["items"]) for e in events] == [
        (paid_event_id(first), "张**", [{"product_name": "土鸡蛋", "spec": "30枚", "quantity": 2}]),
        (paid_event_id(second), "王**", [{"product_name": "土鸡蛋", "spec": "30枚", "quantity": 1}]),
    ]
    assert "李" not in json.dumps(events, ensure_ascii=False)


def test_a_purchase_paid_while_the_feed_is_open_arrives_without_reconnecting():
    campaign, item, leader = given_live_campaign()
    buy(item=item, member=member("张三丰"), leader=leader)
    # An order placed before the page opened but paid after it must still show up.
    late = buy(item=item, member=member("赵六"), leader=leader, pay=False)

    async def scenario():
        stream = await open_feed(campaign)
        backlog = await stream.events(1)
        await sync_to_async(buy)(item=item, member=await sync_to_async(member)("钱七"), leader=leader, quantity=3)
        from tuangou.orders.tests.factories import pay

        await sync_to_async(pay)(late)
        live = await stream.events(2)
        await stream.close()
        return backlog, live

    backlog, live = asyncio.run(scenario())

    assert [e["name"] for e in backlog] == ["张**"]
    assert [(e["name"], e["items"][0]["quantity"]) for e in live] == [("钱*", 3), ("赵*", 1)]


def test_last_event_id_resumes_after_the_last_purchase_seen():
    campaign, item, leader = given_live_campaign()
    seen = buy(item=item, member=member("张三丰"), leader=leader)
    missed = buy(item=item, member=member("王小明"), leader=leader)
    last_seen = paid_event_id(seen)

    async def scenario():
        stream = await open_feed(campaign, **{"Last-Event-ID": str(last_seen)})
        events = await stream.events(1)
        await stream.close()
        return events

    events = asyncio.run(scenario())

    assert [(e["id"], e["name"]) for e in events] == [(paid_event_id(missed), "王**")]


def test_an_idle_feed_sends_heartbeats_and_ends_after_its_lifetime(monkeypatch):
    campaign, _, _ = given_live_campaign()
    monkeypatch.setattr(feed, "LIFETIME_SECONDS", 0.5)

    async def scenario():
        stream = feed.purchase_stream(
            shop_id=campaign.shop_id, campaign_id=campaign.id, last_event_id=None, lifetime=0.5
        )
        return [chunk async for chunk in stream]

    chunks = asyncio.run(scenario())

    assert chunks[0] == "retry: 3000\n\n"
    assert chunks[1:] and set(chunks[1:]) == {": ping\n\n"}


def test_the_feed_of_a_draft_or_another_shops_campaign_is_a_404():
    draft = CampaignFactory(status="draft")
    other_shop_campaign = CampaignFactory(status="live")

    async def scenario():
        client = AsyncClient()
        hidden = await client.get(f"/api/shops/{draft.shop_id}/campaigns/{draft.id}/feed")
        foreign = await client.get(f"/api/shops/{draft.shop_id}/campaigns/{other_shop_campaign.id}/feed")
        return hidden, foreign

    hidden, foreign = asyncio.run(scenario())

    assert (hidden.status_code, json.loads(hidden.content)["code"]) == (404, "not_found")
    assert (foreign.status_code, json.loads(foreign.content)["code"]) == (404, "not_found")


def test_under_a_wsgi_server_the_feed_answers_at_once_and_the_browser_reconnects():
    campaign, item, leader = given_live_campaign()
    seen = buy(item=item, member=member("张三丰"), leader=leader)
    missed = buy(item=item, member=member("王小明"), leader=leader)

    response = Client().get(
        f"/api/shops/{campaign.shop_id}/campaigns/{campaign.id}/feed",
        headers={"Last-Event-ID": str(paid_event_id(seen))},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream; charset=utf-8"
    assert body.startswith("retry: 3000\n\n")
    assert f"id: {paid_event_id(missed)}\n" in body
    assert "王**" in body and "张**" not in body
