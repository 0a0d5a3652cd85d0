"""Writing a cell of an Excel export (openpyxl): every export's rows go through `row()`.

- Text a member or merchant typed is written as text, never as a formula: openpyxl turns a
  string starting with "=" into a live formula (and "#N/A" into an error), and Excel evaluates
  "+", "-", "@", tab or CR at the start once the cell is edited. Such a cell is a string cell
  with Excel's quote prefix (the leading-apostrophe flag): the visible text stays exactly what
  was typed, and Excel keeps it as text even when it is edited.
- Control characters Excel cannot hold (openpyxl raises IllegalCharacterError, which made the
  whole export answer 500) are dropped, so one odd name never breaks an export: the same
  `tuangou.core.text.printable` that cleans every PDF text.
- Money is a number in 元 formatted ¥0.00, so a column can be summed: pass `Yuan(fen)`.
"""

import io
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font

from .text import printable

YUAN_FORMAT = '"¥"#,##0.00'
# What a spreadsheet reads as the start of a formula (OWASP's CSV-injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Yuan:
    """An amount in fen, written as a number of 元 with the ¥0.00 format."""

    fen: int


def clean_text(value: str) -> str:
    """The text without the control characters a worksheet cannot hold (and the invisible ones
    no one can read)."""
    return printable(value)


def cell(ws, value):
    """What to append for `value`: the value itself when openpyxl writes it as it is, else a cell
    (accepted by `ws.append` in both normal and write-only worksheets)."""
    if isinstance(value, Yuan):
        money = WriteOnlyCell(ws, value=Decimal(int(value.fen)) / 100)
        money.number_format = YUAN_FORMAT
        return money
    if not isinstance(value, str):
        return value
    text = clean_text(value)
    if text.startswith(FORMULA_STARTS) or text in ERROR_CODES:
        literal = WriteOnlyCell(ws, value=text)
        literal.data_type = "s"
        literal.quotePrefix = True
        return literal
    return text


def row(ws, values) -> list:
    """A row for `ws.append`, every value written safely (see the module's note)."""
    return [cell(ws, value) for value in values]


def workbook(*sheets: tuple[str, list[str], list[list]]) -> bytes:
    """A small export (a console list, a few thousand rows at most): one sheet per (title,
    headers, rows), the header in bold, every row written through `row()`."""
    book = Workbook()
    book.remove(book.active)
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append(row(sheet, headers))
        for header in sheet[1]:
            header.font = Font(bold=True)
        for values in rows:
            sheet.append(row(sheet, values))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(content: bytes, *, ascii_name: str, name: str) -> HttpResponse:
    """The file as a download: an ASCII name for old clients, the Chinese one for the rest."""
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return response
