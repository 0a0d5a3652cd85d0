import io
import json
import logging
import re
import unicodedata
import warnings
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from ninja.responses import NinjaJSONEncoder
from openpyxl import load_workbook
from pypdf import PdfReader

from tuangou.campaigns.models import Campaign
from tuangou.core.testing import body, ok
from tuangou.fulfilment import exports, selectors
from tuangou.fulfilment.schemas import PurchaseSheetOut, ShippingSheetOut, SortingSheetOut
from tuangou.fulfilment.tests.factories import (
    CampaignFactory,
    CampaignItemFactory,
    PickupPointFactory,
    order_with_lines,
    staff_client,
)
from tuangou.orders.models import Order
from tuangou.shops.tests.factories import MemberUserFactory, ShopFactory

pytestmark = pytest.mark.django_db
S = Order.Status


def pdf_page_count(body: bytes) -> int:
    """Page objects in the file (fpdf2 writes the page tree uncompressed)."""
    return len(re.findall(rb"/Type /Page\b(?!s)", body))


@pytest.fixture
def sold():
    """A succeeded campaign: two points on two routes, orders in every status that matters."""
    shop = ShopFactory(name="鲜果小铺")
    campaign = CampaignFactory(shop=shop, title="周末鲜果团")
    eggs = CampaignItemFactory(
        campaign=campaign,
        price_fen=2990,
        sort=1,
        sku__product__name="土鸡蛋",
        sku__spec="30枚",
        sku__code="EGG30",
        sku__cost_fen=2000,
    )
    apples = CampaignItemFactory(
        campaign=campaign,
        price_fen=1590,
        sort=2,
        sku__product__name="红富士苹果",
        sku__spec="5斤",
        sku__code="APL5",
        sku__cost_fen=1500,
    )
    siming = PickupPointFactory(leader__shop=shop, leader__name="陈丽", route="思明线", name="海韵花园自提点")
    huli = PickupPointFactory(leader__shop=shop, leader__name="王强", route="湖里线", name="湖里万达自提点")
    zhang = MemberUserFactory(display_name="张三丰")
    orders = {
        "o1": order_with_lines(
            campaign=campaign, point=siming, member=zhang, lines=[(eggs, 2), (apples, 3)], pickup_code="100001"
        ),
        "o2": order_with_lines(campaign=campaign, point=siming, lines=[(eggs, 1)], pickup_code="100002"),
        # partially refunded: 1 of 4 eggs went back
        "o3": order_with_lines(campaign=campaign, point=huli, lines=[(eggs, 4, 1), (apples, 1)], pickup_code="100003"),
        "unpaid": order_with_lines(campaign=campaign, point=huli, lines=[(eggs, 10)], status=S.PENDING_PAYMENT),
        "refunded": order_with_lines(campaign=campaign, point=siming, lines=[(eggs, 5, 5)], status=S.REFUNDED),
        "cancelled": order_with_lines(campaign=campaign, point=huli, lines=[(apples, 7)], status=S.CANCELLED),
    }
    return {
        "shop": shop,
        "campaign": campaign,
        "eggs": eggs,
        "apples": apples,
        "siming": siming,
        "huli": huli,
        "orders": orders,
    }


def test_purchase_summary_counts_only_goods_still_to_deliver(sold, django_assert_num_queries):
    campaign = Campaign.objects.select_related("shop").get(pk=sold["campaign"].pk)

    with django_assert_num_queries(1):
        sheet = selectors.purchase_summary(campaign=campaign)

    assert [
        (
            i["product_name"],
            i["spec"],
            i["sku_code"],
            i["quantity"],
            i["cost_fen"],
            i["amount_fen"],
            i["order_count"],
            i["point_count"],
        )
        for i in sheet["items"]
    ] == [
        ("土鸡蛋", "30枚", "EGG30", 6, 12000, 5980 + 2990 + 8970, 3, 2),
        ("红富士苹果", "5斤", "APL5", 4, 6000, 4770 + 1590, 2, 2),
    ]
    assert sheet["totals"] == {"quantity": 10, "cost_fen": 18000, "amount_fen": 24300}


def test_shipping_sheet_groups_points_by_route_with_full_leader_phone(sold, django_assert_num_queries):
    campaign = Campaign.objects.select_related("shop").get(pk=sold["campaign"].pk)

    # Grouped by ids, then items, points and leaders read by id: 5 queries however many orders.
    with django_assert_num_queries(5):
        sheet = selectors.shipping_sheet(campaign=campaign)

    assert [r["route"] for r in sheet["routes"]] == ["思明线", "湖里线"]
    siming, huli = sheet["routes"][0]["points"][0], sheet["routes"][1]["points"][0]
    assert (siming["point_name"], siming["leader_name"], siming["leader_phone"], siming["order_count"]) == (
        "海韵花园自提点",
        "陈丽",
        sold["siming"].leader.phone,
        2,
    )
    assert [(i["product_name"], i["quantity"]) for i in siming["items"]] == [("土鸡蛋", 3), ("红富士苹果", 3)]
    assert [(i["product_name"], i["quantity"]) for i in huli["items"]] == [("土鸡蛋", 3), ("红富士苹果", 1)]
    assert sheet["totals"] == {"point_count": 2, "order_count": 3, "quantity": 10}


def test_sorting_list_is_per_point_by_member_with_masked_names(sold):
    campaign = Campaign.objects.select_related("shop").get(pk=sold["campaign"].pk)
    nameless = sold["orders"]["o2"].member
    nameless.__class__.objects.filter(pk=nameless.pk).update(display_name="")

    with CaptureQueriesContext(connection) as queries:
        sheet = selectors.sorting_list(campaign=campaign)
    # Four reads however many orders: the points, their leaders, the campaign's goods, the lines
    # (one read per POINTS_PER_READ points; PostgreSQL adds its savepoint and SET LOCAL).
    assert len([q for q in queries if q["sql"].lstrip().upper().startswith(("SELECT", "DECLARE"))]) == 4

    siming = next(p for p in sheet["points"] if p["pickup_point_id"] == sold["siming"].id)
    first = siming["orders"][0]
    assert [o["pickup_code"] for o in siming["orders"]] == ["100001", "100002"]
    # no nickname: shown by the masked phone, not by the login name as p***********
    assert siming["orders"][1]["member_name"] == f"{nameless.phone[:3]}****{nameless.phone[-4:]}"
    assert (first["member_name"], first["phone_tail"]) == ("张**", sold["orders"]["o1"].member.phone[-4:])
    assert [(i["product_name"], i["quantity"]) for i in first["items"]] == [("土鸡蛋", 2), ("红富士苹果", 3)]
    huli = next(p for p in sheet["points"] if p["pickup_point_id"] == sold["huli"].id)
    assert [(o["pickup_code"], o["total_quantity"]) for o in huli["orders"]] == [("100003", 4)]


def test_sorting_list_streams_points_by_route_and_name_with_no_route_last(sold):
    PickupPoint = sold["siming"].__class__
    PickupPoint.objects.filter(pk=sold["siming"].pk).update(route="", name="A点")
    PickupPoint.objects.filter(pk=sold["huli"].pk).update(route="湖里线", name="Z点")
    campaign = Campaign.objects.select_related("shop").get(pk=sold["campaign"].pk)
    listed = selectors.sorting_list(campaign=campaign)

    streamed = selectors.sheet_build(campaign=campaign, kind="sorting", stream=True)
    points = list(streamed["points"])

    assert [p["route"] for p in points] == ["湖里线", "未分配线路"]
    assert points == listed["points"] and streamed["totals"] == listed["totals"]
    assert streamed["totals"]["order_count"] == sum(len(p["orders"]) for p in points)
    with pytest.raises(RuntimeError):
        list(streamed["points"])  # read once


def test_a_sorting_list_read_a_point_at_a_time_is_the_same_list(sold, monkeypatch):
    campaign = Campaign.objects.select_related("shop").get(pk=sold["campaign"].pk)
    whole = selectors.sorting_list(campaign=campaign)
    monkeypatch.setattr(selectors, "POINTS_PER_READ", 1)

    with CaptureQueriesContext(connection) as queries:
        pieces = selectors.sorting_list(campaign=campaign)

    assert (pieces["points"], pieces["totals"]) == (whole["points"], whole["totals"])
    assert len(pieces["points"]) == 2
    assert len([q for q in queries if "ORDER BY r.column2" in q["sql"]]) == 2  # a query per point


def test_a_sorting_list_left_half_read_frees_its_reader_and_connection(sold, monkeypatch):
    monkeypatch.setattr(selectors, "POINTS_PER_READ", 1)
    campaign = Campaign.objects.select_related("shop").get(pk=sold["campaign"].pk)
    points = iter(selectors.sorting_list(campaign=campaign, stream=True)["points"])

    first = next(points)
    points.close()  # a download the member cancelled: the second point is never asked for

    assert first["pickup_point_id"] == sold["siming"].id
    assert not connection.allow_thread_sharing  # the reading thread is gone
    assert Campaign.objects.filter(pk=campaign.pk).exists()  # the connection works on


def test_a_sorting_list_whose_read_fails_raises_to_the_writer_and_frees_its_reader(sold, monkeypatch):
    campaign = Campaign.objects.select_related("shop").get(pk=sold["campaign"].pk)
    rows = selectors.SortingPoints._rows

    def fails_after_a_piece(self, db, ranked, items):
        yield from rows(self, db, ranked[:1], items)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(selectors.SortingPoints, "_rows", fails_after_a_piece)
    with pytest.raises(RuntimeError, match="went away"):
        list(selectors.sorting_list(campaign=campaign, stream=True)["points"])

    assert not connection.allow_thread_sharing
    assert Campaign.objects.filter(pk=campaign.pk).exists()


def test_sheets_json_through_the_api(sold):
    client = staff_client(sold["shop"], role="warehouse")
    base = f"console/shops/{sold['shop'].id}/campaigns/{sold['campaign'].id}/sheets"

    purchase = ok(client.get(f"{base}/purchase"))
    shipping = ok(client.get(f"{base}/shipping"))
    sorting = ok(client.get(f"{base}/sorting"))

    assert (purchase["kind_label"], purchase["shop_name"], purchase["totals"]["quantity"]) == ("采购单", "鲜果小铺", 10)
    assert shipping["totals"] == {"point_count": 2, "order_count": 3, "quantity": 10}
    assert sorting["totals"] == {"point_count": 2, "order_count": 3, "quantity": 10}
    assert client.get(f"{base}/stock").status_code == 422


def test_sorting_list_json_comes_a_page_of_points_at_a_time_with_the_whole_lists_totals(sold):
    client = staff_client(sold["shop"], role="warehouse")
    url = f"console/shops/{sold['shop'].id}/campaigns/{sold['campaign'].id}/sheets/sorting"
    whole = {"point_count": 2, "order_count": 3, "quantity": 10}

    first = ok(client.get(url, {"page": 1, "page_size": 1}))
    second = ok(client.get(url, {"page": 2, "page_size": 1}))
    past = ok(client.get(url, {"page": 3, "page_size": 1}))

    assert (first["page"], first["page_size"], first["totals"]) == (1, 1, whole)
    assert [p["point_name"] for p in first["points"]] == ["海韵花园自提点"]
    assert [o["pickup_code"] for o in first["points"][0]["orders"]] == ["100001", "100002"]
    assert [p["point_name"] for p in second["points"]] == ["湖里万达自提点"]
    assert [(o["pickup_code"], o["total_quantity"]) for o in second["points"][0]["orders"]] == [("100003", 4)]
    assert (past["points"], past["totals"]) == ([], whole)
    # The first page by default, the points of the whole list in the same order and shape.
    listed = selectors.sorting_list(campaign=Campaign.objects.select_related("shop").get(pk=sold["campaign"].pk))
    default = ok(client.get(url))
    assert default["page_size"] == 20
    assert default["points"] == json.loads(json.dumps(listed["points"], cls=NinjaJSONEncoder))


@pytest.mark.parametrize("query", [{"page_size": 51}, {"page_size": 0}, {"page": 0}, {"page": "x"}])
def test_a_sorting_page_out_of_bounds_is_a_422_naming_the_field(sold, query):
    client = staff_client(sold["shop"])
    url = f"console/shops/{sold['shop'].id}/campaigns/{sold['campaign'].id}/sheets/sorting"

    response = client.get(url, query)

    assert response.status_code == 422
    assert next(iter(query)) in json.dumps(response.json())


def test_sheets_of_a_live_campaign_are_refused(sold):
    Campaign.objects.filter(pk=sold["campaign"].pk).update(status=Campaign.Status.LIVE)
    client = staff_client(sold["shop"])

    response = client.get(f"console/shops/{sold['shop'].id}/campaigns/{sold['campaign'].id}/sheets/purchase")

    assert response.status_code == 409
    assert response.json()["code"] == "campaign_state"


def test_purchase_excel_reopens_with_the_right_cells(sold):
    client = staff_client(sold["shop"])

    response = client.get(f"console/shops/{sold['shop'].id}/campaigns/{sold['campaign'].id}/sheets/purchase.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == (
        f'attachment; filename="campaign-{sold["campaign"].id}-purchase.xlsx"; '
        f"filename*=UTF-8''{quote('周末鲜果团-采购单.xlsx')}"
    )
    workbook = load_workbook(io.BytesIO(body(response)))
    sheet = workbook["采购单"]
    assert workbook.sheetnames == ["采购单"]
    assert sheet["A1"].value == "鲜果小铺 · 周末鲜果团 · 采购单"
    assert [c.value for c in sheet[4]] == [
        "#",
        "商品",
        "规格",
        "编码",
        "数量",
        "单位",
        "采购成本",
        "销售额",
        "订单数",
        "自提点数",
    ]
    assert sheet["B4"].font.bold is True
    assert [c.value for c in sheet[5]] == [1, "土鸡蛋", "30枚", "EGG30", 6, "盒", 120, 179.4, 3, 2]
    assert [c.value for c in sheet[7]][:8] == [None, "合计", None, None, 10, None, 180, 243]
    # money is a number in 元 shown as ¥0.00, so the column sums
    assert [(c.data_type, c.number_format) for c in sheet[5][6:8]] == [("n", '"¥"#,##0.00')] * 2
    assert sum(row[7].value for row in sheet.iter_rows(min_row=5, max_row=6)) == 243
    assert sheet[7][1].font.bold is True
    assert sheet.column_dimensions["B"].width == 24


def test_shipping_and_sorting_excel_have_a_row_per_item(sold):
    client = staff_client(sold["shop"])
    base = f"console/shops/{sold['shop'].id}/campaigns/{sold['campaign'].id}/sheets"

    shipping = load_workbook(io.BytesIO(body(client.get(f"{base}/shipping.xlsx"))))["发货单"]
    sorting = load_workbook(io.BytesIO(body(client.get(f"{base}/sorting.xlsx"))))["分拣单"]

    assert [c.value for c in shipping[5]] == [
        "思明线",
        "海韵花园自提点",
        sold["siming"].community,
        "思明区海韵路8号",
        "陈丽",
        sold["siming"].leader.phone,
        2,
        "土鸡蛋",
        "30枚",
        "EGG30",
        3,
    ]
    assert shipping.max_row == 4 + 4 + 1  # header rows, 4 (point, SKU) rows, totals
    assert [c.value for c in shipping[shipping.max_row]][-1] == 10
    assert [c.value for c in sorting[5]] == [
        "思明线",
        "海韵花园自提点",
        "100001",
        "张**",
        sold["orders"]["o1"].member.phone[-4:],
        "土鸡蛋",
        "30枚",
        2,
    ]
    assert [c.value for c in sorting[sorting.max_row]][-1] == 10


@pytest.mark.parametrize("kind,pages", [("purchase", 1), ("shipping", 2), ("sorting", 2)])
def test_pdf_parses_with_a_page_per_point(sold, kind, pages):
    client = staff_client(sold["shop"])

    response = client.get(f"console/shops/{sold['shop'].id}/campaigns/{sold['campaign'].id}/sheets/{kind}.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    content = body(response)
    assert content.startswith(b"%PDF-")
    assert content.rstrip().endswith(b"%%EOF")
    assert pdf_page_count(content) == pages
    assert b"/FontFile3" in content or b"/FontFile2" in content  # the Chinese font is embedded


def test_a_long_sorting_list_repeats_its_header_across_pages(sold):
    for _ in range(60):
        order_with_lines(
            campaign=sold["campaign"], point=sold["siming"], lines=[(sold["eggs"], 1), (sold["apples"], 1)]
        )
    client = staff_client(sold["shop"])

    content = body(client.get(f"console/shops/{sold['shop'].id}/campaigns/{sold['campaign'].id}/sheets/sorting.pdf"))

    assert pdf_page_count(content) >= 3


def test_warehouse_may_view_but_support_may_not(sold):
    url = f"console/shops/{sold['shop'].id}/campaigns/{sold['campaign'].id}/sheets/purchase"

    assert staff_client(sold["shop"], role="warehouse").get(url).status_code == 200
    assert staff_client(sold["shop"], role="support").get(url).status_code == 403


def test_another_shops_campaign_is_the_same_404_as_a_missing_one(sold):
    other = CampaignFactory()
    client = staff_client(sold["shop"])
    base = f"console/shops/{sold['shop'].id}/campaigns"

    foreign = client.get(f"{base}/{other.id}/sheets/purchase")
    missing = client.get(f"{base}/999999/sheets/purchase.xlsx")

    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()


def pdf_text(body: bytes) -> str:
    # pypdf puts a NUL before each character of a font with 2-byte codes; the text is the rest
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages).replace("\x00", "")


@pytest.mark.parametrize("kind", ["purchase", "shipping", "sorting"])
def test_characters_outside_the_main_font_are_printed_in_the_pdf_not_dropped(sold, kind):
    # 𠮷 (Extension B, outside the BMP), 䶮 (Extension A), 龘, 😀: Noto Sans SC lacks 𠮷 and 😀
    Product = sold["eggs"].sku.product.__class__
    Product.objects.filter(pk=sold["eggs"].sku.product_id).update(name="𠮷䶮龘😀鸡蛋")
    OrderLine = sold["orders"]["o1"].lines.model
    OrderLine.objects.filter(campaign_item=sold["eggs"]).update(product_name="𠮷䶮龘😀鸡蛋")
    client = staff_client(sold["shop"])

    content = body(client.get(f"console/shops/{sold['shop'].id}/campaigns/{sold['campaign'].id}/sheets/{kind}.pdf"))

    text = pdf_text(content)
    assert "𠮷䶮龘😀鸡蛋" in text
    assert b"/BaseFont /MPDFAA+NotoSansJP" in content or b"NotoSansJP" in content


def test_shipping_and_sorting_excel_write_formula_like_text_as_text(sold):
    OrderLine = sold["orders"]["o1"].lines.model
    OrderLine.objects.filter(campaign_item=sold["eggs"]).update(product_name="=1+1", spec="+86 138")
    sku = sold["eggs"].sku
    sku.__class__.objects.filter(pk=sku.pk).update(spec="+86 138")
    sku.product.__class__.objects.filter(pk=sku.product_id).update(name="=1+1")
    PickupPoint = sold["siming"].__class__
    PickupPoint.objects.filter(pk=sold["siming"].pk).update(community="@SUM(A1)", address="-2+3\x07")
    client = staff_client(sold["shop"])
    base = f"console/shops/{sold['shop'].id}/campaigns/{sold['campaign'].id}/sheets"

    shipping = load_workbook(io.BytesIO(body(client.get(f"{base}/shipping.xlsx"))))["发货单"]
    sorting = load_workbook(io.BytesIO(body(client.get(f"{base}/sorting.xlsx"))))["分拣单"]

    shipped = [shipping.cell(row=5, column=c) for c in (3, 4, 8, 9)]  # 小区, 地址, 商品, 规格
    sorted_ = [sorting.cell(row=5, column=c) for c in (6, 7)]  # 商品, 规格
    assert [(c.value, c.data_type, c.quotePrefix) for c in shipped + sorted_] == [
        ("@SUM(A1)", "s", True),
        ("-2+3", "s", True),
        ("=1+1", "s", True),
        ("+86 138", "s", True),
        ("=1+1", "s", True),
        ("+86 138", "s", True),
    ]


# 80 characters each: Chinese, 𠮷 (CJK Extension B, outside the BMP) and emoji, no spaces
LONG_PRODUCT = "𠮷野家超长商品名称😀" * 8
LONG_MEMBER = "欧阳𠮷娜🍎" * 16
LONG_POINT = "海韵花园𠮷号楼😀自提点" * 7


def visible(body: bytes) -> str:
    """The PDF's text with the line breaks and spaces wrapping put in taken out."""
    return re.sub(r"\s", "", pdf_text(body))


@pytest.mark.parametrize("kind", ["purchase", "shipping", "sorting"])
def test_long_names_wrap_in_full_instead_of_being_cut(sold, kind):
    assert (len(LONG_PRODUCT), len(LONG_MEMBER), len(LONG_POINT)) == (80, 80, 77)
    campaign = Campaign.objects.select_related("shop").get(pk=sold["campaign"].pk)
    sheet = selectors.sheet_build(campaign=campaign, kind=kind)
    if kind == "purchase":
        sheet["items"][0]["product_name"] = LONG_PRODUCT
    elif kind == "shipping":
        point = sheet["routes"][0]["points"][0]
        point.update(point_name=LONG_POINT, address=LONG_POINT, leader_name=LONG_MEMBER)
        point["items"][0]["product_name"] = LONG_PRODUCT
    else:
        point = sheet["points"][0]
        point["point_name"] = LONG_POINT
        point["orders"][0]["member_name"] = LONG_MEMBER
        point["orders"][0]["items"][0]["product_name"] = LONG_PRODUCT

    text = visible(exports.sheet_pdf(kind, sheet))

    assert LONG_PRODUCT in text
    assert kind == "purchase" or (LONG_MEMBER in text and LONG_POINT in text)
    assert "…" not in text
    assert "红富士苹果" in text  # the rows after the wrapped one are all there


def test_a_long_sorting_list_of_long_names_keeps_every_name_and_its_header_on_each_page(sold):
    for n in range(40):
        order_with_lines(
            campaign=sold["campaign"],
            point=sold["siming"],
            lines=[(sold["eggs"], 1), (sold["apples"], 1)],
            pickup_code=f"2{n:05d}",
        )
    campaign = Campaign.objects.select_related("shop").get(pk=sold["campaign"].pk)
    sheet = selectors.sorting_list(campaign=campaign)
    siming = next(p for p in sheet["points"] if p["pickup_point_id"] == sold["siming"].id)
    for n, order in enumerate(siming["orders"]):
        order["member_name"] = f"{n:02d}{LONG_MEMBER}"

    body = exports.sheet_pdf("sorting", sheet)

    pages = [re.sub(r"\s", "", page.extract_text().replace("\x00", "")) for page in PdfReader(io.BytesIO(body)).pages]
    assert len(pages) >= 4
    assert all("提货码团员手机尾号商品规格数量" in page for page in pages)  # the header on every page
    text = "".join(pages)
    assert [n for n in range(len(siming["orders"])) if f"{n:02d}{LONG_MEMBER}" not in text] == []


@pytest.mark.parametrize("kind", ["shipping", "sorting"])
def test_control_characters_a_member_typed_are_left_out_of_the_pdf_without_a_warning(sold, kind, caplog):
    # NUL as well where the database keeps it (SQLite; PostgreSQL refuses it on the way in)
    nul = "" if connection.vendor == "postgresql" else "\x00"
    Order.objects.filter(pk=sold["orders"]["o1"].pk).update(contact_name=f"\x07{nul}张\x1b三丰")
    PickupPoint = sold["siming"].__class__
    PickupPoint.objects.filter(pk=sold["siming"].pk).update(
        name=f"海韵\x07花园{nul}自提点", address="思明区\x1b海韵路\u202e8号\x7f"
    )
    client = staff_client(sold["shop"])
    caplog.set_level(logging.WARNING)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        response = client.get(f"console/shops/{sold['shop'].id}/campaigns/{sold['campaign'].id}/sheets/{kind}.pdf")

    assert response.status_code == 200
    text = pdf_text(body(response))
    assert "海韵花园自提点" in text
    assert "张**" in text if kind == "sorting" else "思明区海韵路8号" in text
    assert [c for c in text if unicodedata.category(c) in ("Cc", "Cf") and c != "\n"] == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


@pytest.mark.parametrize("kind", ["shipping", "sorting"])
def test_streamed_excel_holds_every_row_of_the_sheet_with_its_layout(sold, kind):
    # Written in openpyxl's write-only mode and served from a temporary file: the same rows as the
    # JSON sheet, each bordered, under a bold grey heading that stays frozen and prints on every page.
    client = staff_client(sold["shop"])
    base = f"console/shops/{sold['shop'].id}/campaigns/{sold['campaign'].id}/sheets/{kind}"
    data = ok(client.get(base))
    response = client.get(f"{base}.xlsx")

    assert response.streaming
    sheet = load_workbook(io.BytesIO(body(response))).active
    if kind == "shipping":
        expected = [
            [route["route"], point["point_name"], item["product_name"], item["quantity"]]
            for route in data["routes"]
            for point in route["points"]
            for item in point["items"]
        ]
        picked = (0, 1, 7, 10)
    else:
        expected = [
            [point["point_name"], order["pickup_code"], item["product_name"], item["quantity"]]
            for point in data["points"]
            for order in point["orders"]
            for item in order["items"]
        ]
        picked = (1, 2, 5, 7)
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert [[row[i] for i in picked] for row in rows[:-1]] == expected
    assert rows[-1][0] == "合计" and rows[-1][-1] == data["totals"]["quantity"]
    assert sheet["A1"].font.bold and sheet["A1"].font.size == 14
    assert all(cell.font.bold and cell.fill.fgColor.rgb.endswith("E8E8E8") for cell in sheet[4])
    assert all(cell.border.left.style == "thin" for row in sheet.iter_rows(min_row=4) for cell in row)
    assert all(cell.font.bold for cell in sheet[sheet.max_row])
    assert sheet.freeze_panes == "A5"
    assert sheet.print_title_rows == "$4:$4"
    assert sheet.page_setup.paperSize == 9  # A4


@pytest.mark.parametrize(
    "kind, schema",
    [("purchase", PurchaseSheetOut), ("shipping", ShippingSheetOut), ("sorting", SortingSheetOut)],
)
def test_sheet_json_is_its_schema(sold, kind, schema):
    # The sheet's JSON is the selector's dict encoded as it is (not validated again, for speed):
    # it must hold exactly the schema's fields, nothing more (no unmasked phone slips out).
    client = staff_client(sold["shop"])
    data = ok(client.get(f"console/shops/{sold['shop'].id}/campaigns/{sold['campaign'].id}/sheets/{kind}"))

    assert json.loads(json.dumps(schema.model_validate(data).model_dump(), cls=NinjaJSONEncoder)) == data
