"""A one-sheet Excel workbook written as SpreadsheetML straight into its zip, row by row.

For the big sheets (a sorting list of 10^5 orders is 2x10^5 rows): openpyxl builds a cell object
per value, even in write-only mode, and took 50 s for 1.6x10^6 cells; here a row is one string
streamed into the compressed sheet part, so the time is the text and the compression, and memory
stays the size of a row whatever the sheet holds. Everything it writes reads back in openpyxl,
Excel, WPS and LibreOffice: inline strings, a fixed style table (`Style`), column widths, the
heading frozen and printed on every page, A4 paper.

Values follow `tuangou.core.excel`'s rules: text has the characters a worksheet cannot hold
dropped (`printable`) and text that a spreadsheet would read as a formula (or an error code) is
written as text with Excel's quote prefix; `excel.Yuan` is a number of 元 formatted ¥0.00; an int
is a number; None and "" are an empty (still styled, so bordered) cell.
"""

import zipfile
from collections.abc import Iterable
from decimal import Decimal
from enum import IntEnum
from xml.sax.saxutils import escape, quoteattr

from openpyxl.cell.cell import ERROR_CODES

from .excel import FORMULA_STARTS, Yuan
from .text import printable


class Style(IntEnum):
    """Index into the workbook's cellXfs (`_STYLES`); each has a money and a quoted-text twin."""

    PLAIN = 0
    TITLE = 1  # bold 14 pt
    HEADING = 2  # bold, grey fill, thin border, centred
    BODY = 3  # thin border
    TOTAL = 4  # bold, thin border


_KINDS = len(Style)
_MONEY = _KINDS  # + style: the same with the ¥0.00 number format
_QUOTED = 2 * _KINDS  # + style: the same with the quote prefix (text that looks like a formula)

# (fontId, fillId, borderId, horizontal alignment) per Style.
_XF = {
    Style.PLAIN: (0, 0, 0, None),
    Style.TITLE: (2, 0, 0, None),
    Style.HEADING: (1, 2, 1, "center"),
    Style.BODY: (0, 0, 1, None),
    Style.TOTAL: (1, 0, 1, None),
}


def _xf(style: Style, num_fmt: int = 0, quote: bool = False) -> str:
    font, fill, border, horizontal = _XF[style]
    attributes = f'numFmtId="{num_fmt}" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0"'
    attributes += ' applyNumberFormat="1"' if num_fmt else ""
    attributes += ' applyFont="1"' if font else ""
    attributes += ' applyFill="1"' if fill else ""
    attributes += ' applyBorder="1"' if border else ""
    attributes += ' quotePrefix="1"' if quote else ""
    if horizontal:
        return f'<xf {attributes} applyAlignment="1"><alignment horizontal="{horizontal}"/></xf>'
    return f"<xf {attributes}/>"


_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="&quot;¥&quot;#,##0.00"/></numFmts>'
    '<fonts count="3"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="14"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="00E8E8E8"/></patternFill></fill></fills>'
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"><color rgb="00999999"/></left><right style="thin"><color rgb="00999999"/></right>'
    '<top style="thin"><color rgb="00999999"/></top><bottom style="thin"><color rgb="00999999"/></bottom>'
    "<diagonal/></border></borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    f'<cellXfs count="{3 * _KINDS}">'
    + "".join(_xf(s) for s in Style)
    + "".join(_xf(s, 164) for s in Style)
    + "".join(_xf(s, quote=True) for s in Style)
    + "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/app.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    "</Types>"
)

_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)

_APP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>Microsoft Excel</Application></Properties>"
)

_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'styles" Target="styles.xml"/>'
    "</Relationships>"
)


def _workbook(title: str, print_title_row: int | None) -> str:
    names = ""
    if print_title_row:
        quoted = "'" + title.replace("'", "''") + "'"
        names = (
            '<definedNames><definedName name="_xlnm.Print_Titles" localSheetId="0">'
            f"{escape(quoted)}!${print_title_row}:${print_title_row}</definedName></definedNames>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f'<sheets><sheet name={quoteattr(title)} sheetId="1" r:id="rId1"/></sheets>'
        f"{names}</workbook>"
    )


def sheet_title(text: str) -> str:
    """A valid worksheet name: at most 31 characters, none of []:*?/\\."""
    for bad in "[]:*?/\\":
        text = text.replace(bad, " ")
    return printable(text, one_line=True)[:31] or "Sheet1"


class Cells(str):
    """Cells already written as XML (`cells`), put in a row as they are: the columns a sheet
    repeats on many rows (a point, an order) are written once, not once per row."""


def cells(values: Iterable, style: "Style" = None) -> Cells:
    """Some consecutive cells of a row, as `SheetWriter.row` writes them (in the BODY style)."""
    style = Style.BODY if style is None else style
    return Cells("".join([_CELLS.cell(value, style) for value in values]))


class SheetWriter:
    """Rows into the worksheet part of an open zip: `row(values, style)`, then `close()`."""

    def __init__(self, stream):
        self._stream = stream
        self._number = 0
        self._buffer: list[str] = []
        # The <c> element of each text in each style: the words of a sheet repeat thousands of
        # times, a member's code and name on each of their rows. Emptied when it grows.
        self._texts: list[dict[str, str]] = [{} for _ in Style]

    def row(self, values: Iterable, style: Style = Style.BODY) -> None:
        self._number += 1
        texts = self._texts[style]
        parts = [f'<row r="{self._number}">']
        for value in values:
            kind = type(value)
            if kind is Cells:
                cell = value
            elif kind is str:
                cell = texts.get(value)
                if cell is None:
                    cell = self._text(value, style, texts)
            elif kind is int:
                cell = f'<c s="{style}"><v>{value}</v></c>'
            else:
                cell = self._other(value, style)
            parts.append(cell)
        parts.append("</row>")
        self._buffer.append("".join(parts))
        if len(self._buffer) >= 512:
            self.flush()

    def cell(self, value, style: Style) -> str:
        """One value's <c> element."""
        kind = type(value)
        if kind is str:
            return self._texts[style].get(value) or self._text(value, style, self._texts[style])
        if kind is int:
            return f'<c s="{style}"><v>{value}</v></c>'
        return self._other(value, style)

    def flush(self) -> None:
        self._stream.write("".join(self._buffer).encode())
        self._buffer.clear()

    @staticmethod
    def _text(value: str, style: Style, texts: dict) -> str:
        if value == "":
            cell = f'<c s="{style}"/>'
        else:
            text = printable(value)
            index = style + _QUOTED if text.startswith(FORMULA_STARTS) or text in ERROR_CODES else style
            space = ' xml:space="preserve"' if text != text.strip() else ""
            cell = f'<c s="{index}" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'
        if len(texts) >= 20_000:
            texts.clear()
        texts[value] = cell
        return cell

    @staticmethod
    def _other(value, style: Style) -> str:
        if value is None:
            return f'<c s="{style}"/>'
        if isinstance(value, bool):
            return f'<c s="{style}" t="b"><v>{int(value)}</v></c>'
        if isinstance(value, Yuan):
            return f'<c s="{style + _MONEY}"><v>{Decimal(int(value.fen)) / 100}</v></c>'
        if isinstance(value, int | float | Decimal):
            return f'<c s="{style}"><v>{value}</v></c>'
        return SheetWriter._text(str(value), style, {})


_CELLS = SheetWriter(None)  # renders `cells` (its text cache is bounded)


def write(
    target,
    *,
    title: str,
    widths: list[float],
    rows: Iterable[tuple[list, Style]],
    frozen_rows: int = 0,
    print_title_row: int | None = None,
    compresslevel: int = 1,
) -> None:
    """A workbook of one sheet into `target` (a binary file): `rows` are (values, style), streamed.

    `frozen_rows` stay on screen when scrolling; `print_title_row` (1-based) is printed at the top
    of every page. Deflate level 1: the sheet's XML repeats itself, so it still shrinks about
    tenfold, at a fraction of the default level's time.
    """
    title = sheet_title(title)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("docProps/app.xml", _APP)
        archive.writestr("xl/workbook.xml", _workbook(title, print_title_row))
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", _STYLES)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            pane = ""
            if frozen_rows:
                below = f"A{frozen_rows + 1}"
                pane = (
                    f'<pane ySplit="{frozen_rows}" topLeftCell="{below}" activePane="bottomLeft" state="frozen"/>'
                    f'<selection pane="bottomLeft" activeCell="{below}" sqref="{below}"/>'
                )
            columns = "".join(
                f'<col min="{n}" max="{n}" width="{width}" customWidth="1"/>' for n, width in enumerate(widths, 1)
            )
            part.write(
                (
                    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                    '<sheetPr><pageSetUpPr fitToPage="0"/></sheetPr>'
                    f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'
                    '<sheetFormatPr defaultRowHeight="15"/>'
                    f"<cols>{columns}</cols><sheetData>"
                ).encode()
            )
            writer = SheetWriter(part)
            for values, style in rows:
                writer.row(values, style)
            writer.flush()
            part.write(
                b'</sheetData><pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
                b'<pageSetup paperSize="9" orientation="portrait"/></worksheet>'
            )
