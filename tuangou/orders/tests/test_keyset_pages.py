"""The console's order list by cursor and by page number: every order once, in order, however the
timestamps tie; the count capped for huge lists (core/pagination.py KeysetPagination)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tuangou.core.pagination import KeysetPagination
from tuangou.core.testing import ok
from tuangou.orders.models import Order

from .factories import given_live_campaign, place, staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = given_live_campaign(stock=100)
    world.orders = [place(world, 1) for _ in range(23)]
    # All created in the same instant: an ordering by time alone would tie on every row.
    Order.objects.filter(shop=world.shop).update(created_at=timezone.now())
    world.client = staff_login(world.shop)
    world.url = f"console/shops/{world.shop.id}/orders"
    return world


def _walk(client, url, page_size: int, **filters) -> list[int]:
    body = ok(client.get(url, {"page_size": page_size, **filters}))
    seen = [row["id"] for row in body["items"]]
    while body["next_cursor"]:
        body = ok(client.get(url, {"page_size": page_size, "cursor": body["next_cursor"], **filters}))
        seen += [row["id"] for row in body["items"]]
    return seen


def test_walking_by_cursor_lists_every_order_once_newest_first_under_equal_timestamps(world):
    expected = sorted((order.id for order in world.orders), reverse=True)
    for page_size in (1, 4, 5, 23, 100):
        assert _walk(world.client, world.url, page_size) == expected


def test_page_numbers_still_work_and_match_the_cursor_pages_from_either_end(world):
    expected = sorted((order.id for order in world.orders), reverse=True)
    pages = [ok(world.client.get(world.url, {"page": page, "page_size": 5})) for page in range(1, 7)]
    assert [row["id"] for page in pages for row in page["items"]] == expected
    assert {page["count"] for page in pages} == {23}
    assert not any(page["count_capped"] for page in pages)
    assert pages[0]["next_cursor"] == expected[4]
    assert pages[4]["next_cursor"] is None and pages[5]["items"] == []


def test_a_cursor_with_filters_keeps_to_them_and_a_bad_cursor_is_a_422_naming_it(world):
    for order in world.orders[:10]:
        Order.objects.filter(pk=order.pk).update(status=Order.Status.CANCELLED)
    seen = _walk(world.client, world.url, 3, status="cancelled")
    assert seen == sorted((order.id for order in world.orders[:10]), reverse=True)
    answer = world.client.get(world.url, {"cursor": "abc"})
    assert answer.status_code == 422 and "cursor" in answer.content.decode()
    assert world.client.get(world.url, {"cursor": 0}).status_code == 422


def test_the_count_stops_at_the_cap_and_says_so(world, monkeypatch):
    monkeypatch.setattr(KeysetPagination, "COUNT_CAP", 10)
    first = ok(world.client.get(world.url, {"page_size": 4}))
    assert (first["count"], first["count_capped"]) == (10, True)
    # Pages past the capped count are still read (by skipping from the newest end).
    expected = sorted((order.id for order in world.orders), reverse=True)
    beyond = ok(world.client.get(world.url, {"page": 4, "page_size": 4}))
    assert [row["id"] for row in beyond["items"]] == expected[12:16]


def test_a_page_costs_the_same_statements_for_5_orders_as_for_20_and_none_reads_other_orders_lines(world):
    # has_goods comes from the page's prefetched lines: an EXISTS per row let PostgreSQL hash every
    # line of the shop (0.8 s a page at 1.2 million lines, bench/scale.py).
    def statements(page_size: int) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            body = ok(world.client.get(world.url, {"page_size": page_size}))
        assert len(body["items"]) == page_size and all(row["has_goods"] for row in body["items"])
        return [query["sql"] for query in captured.captured_queries]

    few, many = statements(5), statements(20)
    assert len(few) == len(many)
    assert not any("EXISTS" in sql.upper() for sql in many)
