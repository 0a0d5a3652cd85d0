"""The console's order export (订单导出): one row per order line, written with openpyxl's
write-only mode so a campaign of 10^5 orders streams rows instead of holding cells. Every cell goes
through tuangou.core.excel: typed text stays text (no formulas), money is a number in 元."""

import io
from zoneinfo import ZoneInfo

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from tuangou.core import excel
from tuangou.core.i18n import is_english, pick
from tuangou.core.replica import reads_replica

ORDER_HEADERS = [
    "订单号",
    "状态",
    "团购",
    "团长",
    "自提点",
    "联系人",
    "联系电话",
    "商品",
    "规格",
    "单价",
    "数量",
    "行金额",
    "已退件数",
    "订单实付",
    "订单已退",
    "下单时间",
    "支付时间",
    "提货码",
]
# The same columns for a request in English (tuangou.core.i18n picks one).
ORDER_HEADERS_EN = [
    "Order number",
    "Status",
    "Campaign",
    "Leader",
    "Pickup point",
    "Contact",
    "Phone",
    "Product",
    "Spec",
    "Unit price",
    "Quantity",
    "Line amount",
    "Refunded pieces",
    "Order paid",
    "Order refunded",
    "Ordered at",
    "Paid at",
    "Pickup code",
]
WIDTHS = [22, 8, 20, 10, 16, 10, 14, 20, 10, 10, 6, 10, 8, 10, 10, 17, 17, 10]


def _local(value, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""


@reads_replica
def orders_xlsx(orders, *, tz: str = "Asia/Shanghai") -> bytes:
    """`orders` is the console's filtered queryset (lines prefetched); the order's own columns
    repeat on each of its lines so the sheet can be filtered and summed per product."""
    zone = ZoneInfo(tz)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(pick("订单", "Orders"))
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="E8E8E8")
    header = []
    for title in ORDER_HEADERS_EN if is_english() else ORDER_HEADERS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font, cell.fill = bold, fill
        header.append(cell)
    sheet.append(header)
    for order in orders.iterator(chunk_size=1000):
        head = [
            order.number,
            order.get_status_display(),
            order.campaign.title,
            order.leader.name,
            order.pickup_point.name,
            order.contact_name,
            order.contact_phone,
        ]
        tail = [
            excel.Yuan(order.total_fen),
            excel.Yuan(order.refunded_fen),
            _local(order.created_at, zone),
            _local(order.paid_at, zone),
            order.pickup_code,
        ]
        for line in order.lines.all():
            sheet.append(
                excel.row(
                    sheet,
                    head
                    + [
                        line.product_name,
                        line.spec,
                        excel.Yuan(line.unit_price_fen),
                        line.quantity,
                        excel.Yuan(line.amount_fen),
                        line.refunded_quantity,
                    ]
                    + tail,
                )
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def orders_file_name(*, tz: str = "Asia/Shanghai") -> str:
    return f"orders-{timezone.now().astimezone(ZoneInfo(tz)):%Y%m%d-%H%M}.xlsx"
