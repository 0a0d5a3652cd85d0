"""Sheets follow the request's language like every other answer: an English request gets English
headers and labels, not a Chinese sheet with an English status in it."""

import io
import re

import pytest
from openpyxl import load_workbook

from tuangou.orders.exports import ORDER_HEADERS_EN

from .factories import given_live_campaign, paid_order, staff_login

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def test_an_english_request_gets_the_orders_sheet_in_english():
    world = given_live_campaign(price_fen=1290)
    paid_order(world, 2)
    owner = staff_login(world.shop)
    owner.language = "en"

    response = owner.get(f"console/shops/{world.shop.id}/orders/export.xlsx")

    book = load_workbook(io.BytesIO(response.content))
    header, row = list(book.active.iter_rows(values_only=True))
    assert (book.active.title, header, row[1]) == ("Orders", tuple(ORDER_HEADERS_EN), "Paid")
    assert header[:4] == ("Order number", "Status", "Campaign", "Leader")
    assert not any(CJK.search(title) for title in header)
