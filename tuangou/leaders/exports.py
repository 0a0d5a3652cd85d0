"""The leaders list as an Excel file (openpyxl): the same rows and performance columns the console shows."""

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from tuangou.core import excel
from tuangou.core.i18n import is_english, pick
from tuangou.core.replica import reads_replica

# (header, width in characters)
COLUMNS = [
    ("ID", 8),
    ("团长", 12),
    ("手机号", 14),
    ("状态", 8),
    ("小区", 18),
    ("自提点", 20),
    ("地址", 30),
    ("线路", 10),
    ("团队", 12),
    ("区域", 12),
    ("佣金比例", 10),
    ("绑定团员", 10),
    ("下单人数", 10),
    ("订单数", 8),
    ("GMV（元）", 14),
    ("佣金（元）", 12),
    ("最近下单", 18),
    ("加入时间", 18),
]

# The headers of COLUMNS for a request in English (tuangou.core.i18n picks one).
COLUMN_NAMES_EN = [
    "ID",
    "Leader",
    "Phone",
    "Status",
    "Community",
    "Pickup point",
    "Address",
    "Route",
    "Team",
    "Region",
    "Commission rate",
    "Members",
    "Buyers",
    "Orders",
    "GMV (yuan)",
    "Commission (yuan)",
    "Last order",
    "Joined",
]


def _local(value: datetime | None, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""


def _rate(bp: int) -> str:
    return f"{Decimal(bp) / 100:g}%"


def export_file_name(*, date_from: date | None, date_to: date | None) -> str:
    period = f"_{date_from or ''}{pick('至', '_to_')}{date_to or ''}" if (date_from or date_to) else ""
    return f"{pick('团长业绩', 'leaders')}{period}.xlsx"


@reads_replica
def leaders_workbook(*, shop, leaders, date_from: date | None = None, date_to: date | None = None) -> bytes:
    tz = ZoneInfo(shop.timezone)
    book = Workbook()
    sheet = book.active
    sheet.title = pick("团长业绩", "Leaders")
    if date_from or date_to:
        period = pick(
            f"{date_from or '开始'} 至 {date_to or '今天'}", f"{date_from or 'start'} to {date_to or 'today'}"
        )
    else:
        period = pick("全部时间", "all time")
    sheet.append(excel.row(sheet, [pick(f"{shop.name} 团长业绩（{period}）", f"{shop.name} leaders ({period})")]))
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(COLUMN_NAMES_EN if is_english() else [header for header, _ in COLUMNS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8F5E9")
    for index, (_, width) in enumerate(COLUMNS, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for leader in leaders:
        point = getattr(leader, "pickup_point", None)
        sheet.append(
            excel.row(
                sheet,
                [
                    leader.id,
                    leader.name,
                    leader.phone,
                    leader.get_status_display(),
                    point.community if point else "",
                    point.name if point else "",
                    point.address if point else "",
                    point.route if point else "",
                    leader.team.name if leader.team_id else "",
                    leader.region.name if leader.region_id else "",
                    _rate(
                        shop.default_commission_rate_bp
                        if leader.commission_rate_bp is None
                        else leader.commission_rate_bp
                    ),
                    leader.member_count,
                    leader.buyer_count,
                    leader.order_count,
                    excel.Yuan(leader.gmv_fen),
                    excel.Yuan(leader.commission_fen),
                    _local(leader.last_order_at, tz),
                    _local(leader.created_at, tz),
                ],
            )
        )
    sheet.freeze_panes = "C3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
