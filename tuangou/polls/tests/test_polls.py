"""Group polls through the HTTP API: the merchant creates one, members vote (one each, changeable
while open), the result is live, and the winners become a draft campaign in one step."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from tuangou.campaigns.models import Campaign
from tuangou.catalog.models import Product
from tuangou.catalog.tests.factories import SkuFactory
from tuangou.core.testing import ok
from tuangou.polls import services
from tuangou.polls.models import Poll, PollEvent, PollVote
from tuangou.sharing.tests.factories import given_campaign, member, phone_client, staff_client

pytestmark = pytest.mark.django_db


def soon(hours=24):
    return (timezone.now() + timedelta(hours=hours)).isoformat()


def given_poll(world, console=None):
    """鹭岛鲜生's poll: 土鸡蛋 and 鲜牛奶 from the catalogue, and 荔枝 as free text."""
    console = console or staff_client(world.shop, role="operations")
    body = {
        "title": "下周团什么？",
        "closes_at": soon(),
        "options": [
            {"product_id": world.eggs.sku.product_id},
            {"product_id": world.milk.sku.product_id},
            {"name": "妃子笑荔枝"},
        ],
    }
    poll = ok(console.post(f"console/shops/{world.shop.id}/polls", body), 201)
    return console, poll


def option_ids(poll):
    return {row["name"]: row["option_id"] for row in poll["options"]}


def vote(client, world, poll_id, option_id):
    return client.put(f"shops/{world.shop.id}/polls/{poll_id}/vote", {"option_id": option_id})


def test_members_vote_once_each_change_it_and_see_the_live_result():
    world = given_campaign()
    console, poll = given_poll(world)
    ids = option_ids(poll)
    zhang, li = phone_client(member("张三")), phone_client(member("李四"))

    ok(vote(zhang, world, poll["poll_id"], ids["土鸡蛋"]))
    ok(vote(li, world, poll["poll_id"], ids["土鸡蛋"]))
    changed = ok(vote(li, world, poll["poll_id"], ids["妃子笑荔枝"]))  # li changes their mind
    again = ok(vote(li, world, poll["poll_id"], ids["妃子笑荔枝"]))  # and taps twice

    assert changed["my_option_id"] == ids["妃子笑荔枝"]
    assert again["total_votes"] == 2
    assert [(row["name"], row["votes"], row["percent"]) for row in again["options"]] == [
        ("土鸡蛋", 1, 50),
        ("妃子笑荔枝", 1, 50),
        ("鲜牛奶", 0, 0),
    ]
    seen_by_console = ok(console.get(f"console/shops/{world.shop.id}/polls/{poll['poll_id']}"))
    assert (seen_by_console["total_votes"], seen_by_console["my_option_id"]) == (2, None)
    assert PollVote.objects.count() == 2
    listed = ok(console.get(f"console/shops/{world.shop.id}/polls"))
    assert [(p["title"], p["vote_count"], p["status"]) for p in listed] == [("下周团什么？", 2, "open")]


def test_a_public_visitor_sees_the_result_and_must_log_in_to_vote():
    world = given_campaign()
    _, poll = given_poll(world)
    from tuangou.accounts.testing import ApiClient

    anonymous = ApiClient()
    seen = ok(anonymous.get(f"shops/{world.shop.id}/polls/{poll['poll_id']}"))
    refused = vote(anonymous, world, poll["poll_id"], poll["options"][0]["option_id"])

    assert (seen["is_open"], seen["my_option_id"]) == (True, None)
    assert refused.status_code == 401
    assert PollVote.objects.count() == 0


def test_a_closed_poll_takes_no_vote_and_a_foreign_option_is_refused():
    world, elsewhere = given_campaign(), given_campaign()
    console, poll = given_poll(world)
    _, other = given_poll(elsewhere)
    zhang = phone_client(member("张三"))

    foreign = vote(zhang, world, poll["poll_id"], other["options"][0]["option_id"])
    other_shop = zhang.get(f"shops/{world.shop.id}/polls/{other['poll_id']}")
    ok(console.post(f"console/shops/{world.shop.id}/polls/{poll['poll_id']}/close"))
    late = vote(zhang, world, poll["poll_id"], poll["options"][0]["option_id"])

    assert (foreign.status_code, foreign.json()["field"]) == (400, "option_id")
    assert (other_shop.status_code, other_shop.json()["code"]) == (404, "not_found")
    assert (late.status_code, late.json()["code"]) == (409, "poll_closed")
    assert PollVote.objects.count() == 0


def test_a_poll_past_its_closing_time_takes_no_vote():
    world = given_campaign()
    _, poll = given_poll(world)
    Poll.objects.filter(pk=poll["poll_id"]).update(closes_at=timezone.now() - timedelta(seconds=1))

    late = vote(phone_client(member("张三")), world, poll["poll_id"], poll["options"][0]["option_id"])

    assert (late.status_code, late.json()["code"]) == (409, "poll_closed")


@pytest.mark.parametrize(
    "change, field",
    [
        ({"options": [{"name": "荔枝"}]}, "options"),
        ({"closes_at": "2020-01-01T00:00:00Z"}, "closes_at"),
        ({"title": "  "}, "title"),
        ({"title": "a\x00b"}, "title"),
        ({"options": [{"name": ""}, {"name": "荔枝"}]}, "options.0.name"),
        ({"options": [{"product_id": 10**17}, {"name": "荔枝"}]}, "options.0.product_id"),
        ({"options": [{"name": "𠮷野家🍜"}] * 21}, "options"),
    ],
)
def test_bad_polls_are_refused_with_the_field_and_nothing_is_created(change, field):
    world = given_campaign()
    body = {"title": "下周团什么？", "closes_at": soon(), "options": [{"name": "a"}, {"name": "b"}], **change}

    response = staff_client(world.shop).post(f"console/shops/{world.shop.id}/polls", body)

    assert response.status_code in (400, 404, 422)
    assert field in (response.json()["field"] or "")
    assert Poll.objects.count() == 0


def test_the_winners_become_a_draft_campaign_in_one_step():
    world = given_campaign()
    console, poll = given_poll(world)
    ids = option_ids(poll)
    for name, choice in [("张三", "鲜牛奶"), ("李四", "鲜牛奶"), ("王五", "妃子笑荔枝"), ("赵六", "妃子笑荔枝")]:
        ok(vote(phone_client(member(name)), world, poll["poll_id"], ids[choice]))

    made = ok(console.post(f"console/shops/{world.shop.id}/polls/{poll['poll_id']}/campaign", {"top": 2}), 201)
    again = console.post(f"console/shops/{world.shop.id}/polls/{poll['poll_id']}/campaign", {"top": 2})

    campaign = Campaign.objects.get(pk=made["campaign_id"])
    assert campaign.status == Campaign.Status.DRAFT
    assert campaign.title == "下周团什么？"
    assert campaign.description == "群投票选出：鲜牛奶（2票），妃子笑荔枝（2票）"
    assert [(item.sku_id, item.price_fen) for item in campaign.items.all()] == [(world.milk.sku_id, 2190)]
    result = ok(console.get(f"console/shops/{world.shop.id}/polls/{poll['poll_id']}"))
    assert (result["status"], result["campaign_id"], result["is_open"]) == ("closed", campaign.pk, False)
    assert (again.status_code, again.json()["code"]) == (409, "poll_already_converted")
    assert list(PollEvent.objects.values_list("type", flat=True)) == ["created", "campaign_created"]


def test_winners_that_are_no_product_on_the_shelf_make_no_campaign():
    world = given_campaign()
    console, poll = given_poll(world)
    Product.objects.filter(pk=world.milk.sku.product_id).update(status=Product.Status.OFF_SHELF)
    ok(vote(phone_client(member("张三")), world, poll["poll_id"], option_ids(poll)["鲜牛奶"]))
    ok(vote(phone_client(member("李四")), world, poll["poll_id"], option_ids(poll)["妃子笑荔枝"]))
    none_yet = given_poll(world, console)[1]

    refused = console.post(f"console/shops/{world.shop.id}/polls/{poll['poll_id']}/campaign", {"top": 2})
    empty = console.post(f"console/shops/{world.shop.id}/polls/{none_yet['poll_id']}/campaign", {"top": 2})

    assert (refused.status_code, refused.json()["code"]) == (409, "poll_no_products")
    assert (empty.status_code, empty.json()["code"]) == (409, "poll_no_winners")
    assert Campaign.objects.count() == 1  # only the world's own
    assert Poll.objects.get(pk=poll["poll_id"]).status == Poll.Status.OPEN


def test_a_free_text_candidate_gets_an_uploaded_picture():
    world = given_campaign()
    console, poll = given_poll(world)
    lychee = option_ids(poll)["妃子笑荔枝"]
    buffer = BytesIO()
    Image.new("RGB", (60, 40), (200, 30, 30)).save(buffer, format="PNG")
    url = f"console/shops/{world.shop.id}/polls/{poll['poll_id']}/options/{lychee}/image"

    uploaded = ok(
        console.request("post", url, files={"file": SimpleUploadedFile("l.png", buffer.getvalue(), "image/png")})
    )
    junk = console.request("post", url, files={"file": SimpleUploadedFile("l.png", b"not a picture", "image/png")})

    assert uploaded["image_url"].endswith(".png")
    assert (junk.status_code, junk.json()["code"]) == (400, "image_invalid")


def test_a_leader_polls_their_group_and_the_share_card_carries_their_link(settings):
    settings.SITE_URL = "https://tuangou.example.cn"
    world = given_campaign()
    leader = phone_client(world.leader.user)
    body = {"title": "团长小调查", "closes_at": soon(), "options": [{"name": "荔枝"}, {"name": "杨梅"}]}

    poll = ok(leader.post(f"shops/{world.shop.id}/leader/polls", body), 201)
    card = ok(leader.get(f"shops/{world.shop.id}/leader/polls/{poll['poll_id']}/share"))
    mine = ok(leader.get(f"shops/{world.shop.id}/leader/polls"))
    public = ok(phone_client(member("张三")).get(f"shops/{world.shop.id}/polls/{poll['poll_id']}/share"))

    assert card["title"] == "【群投票】团长小调查"
    assert card["description"] == "候选：荔枝、杨梅"
    link = f"https://tuangou.example.cn/h5/s/{world.shop.id}/polls/{poll['poll_id']}?leader={world.leader.id}"
    assert card["link"] == public["link"] == link
    assert [(p["title"], p["leader_name"]) for p in mine] == [("团长小调查", "黄美玲")]


def test_two_votes_of_one_member_at_once_end_as_one_row():
    """The race the unique constraint settles: the insert that loses updates the winner's row."""
    world = given_campaign()
    _, poll_body = given_poll(world)
    poll = Poll.objects.get(pk=poll_body["poll_id"])
    person = member("张三")
    first, second = poll_body["options"][0]["option_id"], poll_body["options"][1]["option_id"]
    # Given another tab's vote landed between this call's UPDATE (0 rows) and its INSERT:
    original_filter = PollVote.objects.filter
    calls = {"n": 0}

    def racing_filter(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            PollVote.objects.create(shop_id=poll.shop_id, poll=poll, option_id=first, user=person)
            return original_filter(pk=-1)
        return original_filter(*args, **kwargs)

    PollVote.objects.filter = racing_filter
    try:
        services.poll_vote(poll=poll, user=person, option_id=second)
    finally:
        PollVote.objects.filter = original_filter

    assert list(PollVote.objects.values_list("user_id", "option_id")) == [(person.pk, second)]


def test_a_leaders_product_candidate_from_another_shop_is_404():
    world, elsewhere = given_campaign(), given_campaign()
    foreign = SkuFactory(product__shop=elsewhere.shop)
    body = {"title": "x", "closes_at": soon(), "options": [{"product_id": foreign.product_id}, {"name": "b"}]}

    response = phone_client(world.leader.user).post(f"shops/{world.shop.id}/leader/polls", body)

    assert (response.status_code, response.json()["field"]) == (404, "options.0.product_id")
