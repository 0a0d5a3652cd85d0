"""Every 营销 list downloads as Excel: the rows the console shows, money as 元 numbers."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tuangou.marketing import allotments, gifts, packs
from tuangou.orders.tests.factories import given_live_campaign, staff_login

from .factories import given_template
from .test_reductions import given_reduction

pytestmark = pytest.mark.django_db


def sheets(response) -> dict[str, list[tuple]]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Disposition"].startswith('attachment; filename="')
    book = load_workbook(io.BytesIO(response.content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_packs_with_deliveries_gifts_allotments_and_reductions_export_what_the_console_lists():
    world = given_live_campaign(price_fen=1290)
    world.member.display_name = "=HYPERLINK(1)"  # typed text stays text
    world.member.save(update_fields=["display_name"])
    template = given_template(world.shop, name="满50减5")
    now = timezone.now()
    packs.coupon_pack_create(
        shop=world.shop,
        actor=None,
        name="老客回馈",
        template_id=template.id,
        quantity=1,
        audience="leaders",
        params={"leader_ids": [world.leader.id]},
    )
    gifts.payment_gift_create(
        shop=world.shop,
        actor=None,
        name="付款满50送券",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
        min_paid_fen=5000,
        scope="all",
        scope_ids=[],
        gifts=[{"template_id": template.id, "count": 2}],
    )
    allotments.allotments_set(shop=world.shop, template_id=template.id, quantity=30)
    given_reduction(world.shop)
    viewer = staff_login(world.shop, "finance")  # marketing.view is enough to download
    base = f"console/shops/{world.shop.id}"

    pack_book = sheets(viewer.get(f"{base}/coupon-packs/export.xlsx"))
    gift_book = sheets(viewer.get(f"{base}/payment-gifts/export.xlsx"))
    allotment_book = sheets(viewer.get(f"{base}/coupon-allotments/export.xlsx"))
    reduction_book = sheets(viewer.get(f"{base}/full-reductions/export.xlsx"))

    assert list(pack_book) == ["定向发放", "发放明细"]
    assert pack_book["定向发放"][1][:8] == ("老客回馈", "满50减5", 1, "指定团长的会员", "已完成", 1, 1, 0)
    assert pack_book["发放明细"][1][:5] == ("老客回馈", "=HYPERLINK(1)", world.member.phone, "已发放", None)
    assert gift_book["支付有礼"][1][0] == "付款满50送券"
    assert gift_book["支付有礼"][1][4:7] == (Decimal("50"), "满50减5 × 2", 0)
    assert allotment_book["发券宝"][1][:6] == ("满50减5", world.leader.name, 30, 0, 0, Decimal("0"))
    assert reduction_book["满减送"][1][:4] == ("周末满减", "满99减10 / 满199减25", "全场", "进行中")
