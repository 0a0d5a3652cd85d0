"""The console's coupon export: one row per template with its figures (money in 元)."""

import io
from zoneinfo import ZoneInfo

from django.utils import timezone
from openpyxl import Workbook

from tuangou.core import excel
from tuangou.core.i18n import is_english, pick

HEADERS = [
    "名称",
    "类型",
    "状态",
    "门槛",
    "减免",
    "折扣",
    "发行量",
    "已发放",
    "已使用",
    "带动成交",
    "优惠成本",
    "创建时间",
]
HEADERS_EN = [
    "Name", "Type", "Status", "Threshold", "Amount off", "Percent off",
    "Quantity", "Issued", "Used", "GMV", "Cost", "Created",
]  # fmt: skip


def coupon_templates_xlsx(templates, *, tz: str = "Asia/Shanghai") -> bytes:
    zone = ZoneInfo(tz)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(pick("优惠券", "Coupons"))
    sheet.append(HEADERS_EN if is_english() else HEADERS)
    for template in templates:
        sheet.append(
            excel.row(
                sheet,
                [
                    template.name,
                    template.get_kind_display(),
                    template.get_status_display(),
                    excel.Yuan(template.threshold_fen),
                    excel.Yuan(template.reduce_fen),
                    f"{template.percent_off_bp / 100:g}%" if template.percent_off_bp else "",
                    template.total,
                    template.issued,
                    template.used,
                    excel.Yuan(template.gmv_fen),
                    excel.Yuan(template.cost_fen),
                    template.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                ],
            )
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def coupon_templates_file_name(*, tz: str = "Asia/Shanghai") -> str:
    return f"coupons-{timezone.now().astimezone(ZoneInfo(tz)):%Y%m%d-%H%M}.xlsx"
