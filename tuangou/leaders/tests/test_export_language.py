"""The leaders sheet follows the request's language like every other answer."""

import io

import pytest
from openpyxl import load_workbook

from tuangou.leaders.exports import COLUMN_NAMES_EN
from tuangou.orders.tests.factories import given_live_campaign, paid_order, staff_login

pytestmark = pytest.mark.django_db


def test_an_english_request_gets_the_leaders_sheet_in_english():
    world = given_live_campaign(price_fen=1290)
    paid_order(world, 1)
    owner = staff_login(world.shop)
    owner.language = "en"

    response = owner.get(f"console/shops/{world.shop.id}/leaders/export.xlsx")

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == f"{world.shop.name} leaders (all time)"
    assert rows[1] == tuple(COLUMN_NAMES_EN)
    assert rows[2][3] == "Active"
    assert response["Content-Disposition"].startswith('attachment; filename="leaders.xlsx"')
