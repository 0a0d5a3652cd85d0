import io

import pytest
from openpyxl import load_workbook

from tuangou.orders.models import Order
from tuangou.orders.tests.factories import given_live_campaign, given_member, paid_order, place, staff_login

pytestmark = pytest.mark.django_db


def _rows(response) -> list[tuple]:
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_the_export_has_a_row_per_line_of_the_searched_orders():
    world = given_live_campaign(price_fen=1290)
    paid = paid_order(world, 2, contact_name="王芳", contact_phone="13812345678")
    place(world, 1, member=given_member(world.shop, world.leader))  # pending payment: filtered out

    response = staff_login(world.shop).get(f"console/shops/{world.shop.id}/orders/export.xlsx", {"status": "paid"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="orders-')
    rows = _rows(response)
    assert rows[0][:4] == ("订单号", "状态", "团购", "团长")
    assert len(rows) == 2
    product = world.item.sku.product
    assert rows[1][:12] == (
        paid.number,
        "已付款",
        world.campaign.title,
        world.leader.name,
        world.leader.pickup_point.name,
        "王芳",
        "13812345678",
        product.name,
        world.item.sku.spec,
        "¥12.90",
        2,
        "¥25.80",
    )
    assert rows[1][13:15] == ("¥25.80", "¥0.00")


def test_the_export_takes_the_list_filters_and_the_shop():
    world = given_live_campaign()
    paid_order(world, 1)
    other = given_live_campaign()
    paid_order(other, 1)

    client = staff_login(world.shop)
    everything = _rows(client.get(f"console/shops/{world.shop.id}/orders/export.xlsx"))
    none_for_phone = _rows(client.get(f"console/shops/{world.shop.id}/orders/export.xlsx", {"phone": "13000000000"}))

    assert [row[0] for row in everything[1:]] == list(
        Order.objects.filter(shop=world.shop).values_list("number", flat=True)
    )
    assert len(none_for_phone) == 1  # the header only


def test_staff_without_orders_view_and_outsiders_cannot_export():
    world = given_live_campaign()
    outsider = given_live_campaign()

    assert staff_login(outsider.shop).get(f"console/shops/{world.shop.id}/orders/export.xlsx").status_code == 404
    # Every role holds orders.view, the warehouse included.
    assert (
        staff_login(world.shop, role="warehouse").get(f"console/shops/{world.shop.id}/orders/export.xlsx").status_code
        == 200
    )
