"""The delivery sheet (配送单) on paper and in Excel, drawn by the fulfilment sheets' machinery:
one section per route, its stops in the solver's order."""

from urllib.parse import quote

from tuangou.core import xlsx
from tuangou.core.i18n import pick
from tuangou.fulfilment.exports import SheetPdf, _pdf_table, _pdf_title, _spec, _strings, _xlsx_rows

TITLE = ("配送单", "Delivery sheet")


def _km(metres: int) -> str:
    return f"{metres / 1000:.1f} km"


def _items(stop: dict) -> str:
    return "；".join(f"{i['product_name']} {_spec(i)} ×{i['quantity']}" for i in stop["items"])


def _stop_row(stop: dict) -> list:
    return [
        stop["sequence"],
        stop["recipient_name"],
        stop["recipient_phone"],
        f"{stop['community']} {stop['address']}",
        _items(stop),
        _km(stop["leg_m"]),
        "",
    ]


HEADERS = (
    ["站", "收货人", "电话", "地址", "商品", "距上一站", "签收"],
    ["Stop", "Recipient", "Phone", "Address", "Goods", "Leg", "Signed"],
)


def _route_heading(route: dict) -> str:
    return pick(
        f"线路：{route['name']}    前置仓：{route['warehouse_name']}（{route['warehouse_address']}）\n"
        f"配送日期：{route['delivery_date']}  时段：{route['slot']}    配送员：{route['courier_name'] or '未指派'}    "
        f"{route['stop_count']}站，约{_km(route['distance_m'])}（{route['solver']}）",
        f"Route: {route['name']}    Warehouse: {route['warehouse_name']} ({route['warehouse_address']})\n"
        f"Date: {route['delivery_date']}  Slot: {route['slot']}    Courier: {route['courier_name'] or 'none'}    "
        f"{route['stop_count']} stops, about {_km(route['distance_m'])} ({route['solver']})",
    )


def delivery_sheet_pdf(sheet: dict, *, tz: str = "Asia/Shanghai") -> bytes:
    title = pick(*TITLE)
    pdf = SheetPdf(f"{sheet['shop_name']} · {sheet['campaign_title']} · {title}", _strings(sheet))
    for route in sheet["routes"] or [None]:
        pdf.add_page()
        if route is None:
            _pdf_title(pdf, sheet, tz, title, pick("暂无配送线路", "No delivery routes"))
            continue
        _pdf_title(pdf, sheet, tz, f"{title} · {route['name']}", _route_heading(route))
        _pdf_table(pdf, pick(*HEADERS), [_stop_row(stop) for stop in route["stops"]], [10, 18, 24, 50, 56, 16, 12])
    return bytes(pdf.output())


def delivery_sheet_xlsx(sheet: dict, target, *, tz: str = "Asia/Shanghai") -> None:
    headers = pick(["线路", "配送员", *HEADERS[0]], ["Route", "Courier", *HEADERS[1]])
    rows = [
        [route["name"], route["courier_name"], *_stop_row(stop)] for route in sheet["routes"] for stop in route["stops"]
    ]
    totals = sheet["totals"]
    total_row = [
        pick("合计", "Total"),
        pick(f"{totals['route_count']}条线路", f"{totals['route_count']} routes"),
        totals["stop_count"],
        "",
        "",
        "",
        "",
        _km(totals["distance_m"]),
        "",
    ]
    title = pick(*TITLE)
    xlsx.write(
        target,
        title=title,
        widths=[16, 10, 6, 10, 14, 36, 40, 10, 8],
        rows=_xlsx_rows(sheet, tz, title, headers, rows, total_row, len(rows), None),
        frozen_rows=4,
        print_title_row=4,
    )


def attachment_disposition(sheet: dict, extension: str) -> str:
    """`attachment` with an ASCII fallback and the name in the active language (RFC 5987)."""
    name = f"{sheet['campaign_title']}-{pick(*TITLE)}.{extension}"
    for bad in '/\\:*?"<>|\r\n':
        name = name.replace(bad, "_")
    fallback = f"campaign-{sheet['campaign_id']}-delivery.{extension}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
