"""The 操作日志 export: one row per record, the before -> after as readable "field: value" lines.
Every cell goes through tuangou.core.excel (typed text stays text, never a formula)."""

import io
import json
from zoneinfo import ZoneInfo

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from tuangou.core import excel
from tuangou.core.i18n import is_english, pick

from .actions import ACTIONS

HEADERS = ["时间", "操作", "操作人", "IP", "对象类型", "对象", "修改前", "修改后"]
HEADERS_EN = ["Time", "Action", "By", "IP", "Target type", "Target", "Before", "After"]
WIDTHS = [17, 16, 14, 16, 12, 24, 40, 40]
MAX_ROWS = 100_000  # a bigger log is exported a date range at a time


def readable(values: dict) -> str:
    return "\n".join(
        f"{key}: {value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)}"
        for key, value in values.items()
    )


def audit_xlsx(records, *, tz: str = "Asia/Shanghai") -> bytes:
    zone = ZoneInfo(tz)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(pick("操作日志", "Audit log"))
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="E8E8E8")
    header = []
    for title in HEADERS_EN if is_english() else HEADERS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font, cell.fill = bold, fill
        header.append(cell)
    sheet.append(header)
    for record in records[:MAX_ROWS].iterator(chunk_size=1000):
        target = f"{record.target_label} #{record.target_id}" if record.target_id else record.target_label
        values = [
            record.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
            str(ACTIONS.get(record.action, record.action)),
            record.actor_name,
            record.ip or "",
            record.target_type,
            target,
            readable(record.before),
            readable(record.after),
        ]
        sheet.append(excel.row(sheet, values))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def audit_file_name(*, tz: str = "Asia/Shanghai") -> str:
    return f"audit-{timezone.now().astimezone(ZoneInfo(tz)):%Y%m%d-%H%M}.xlsx"
