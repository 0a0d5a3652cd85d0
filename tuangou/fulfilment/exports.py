"""Downloads of the sheets: Excel (SpreadsheetML streamed into the zip, tuangou.core.xlsx) and
printable A4 PDF (fpdf2 + Noto Sans SC; table rows of one line written straight into the page).

Both take the dict a selector built, so the files always say what the JSON says.
"""

import io
import tempfile
import zlib
from collections.abc import Callable, Iterable
from datetime import datetime
from itertools import chain
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.enums import PDFResourceType
from fpdf.output import OutputProducer, PDFPage
from fpdf.syntax import Name, PDFArray, PDFContentStream, build_obj_dict

from tuangou.core import excel, fonts, xlsx
from tuangou.core.i18n import pick
from tuangou.core.money import format_fen
from tuangou.core.text import printable
from tuangou.core.xlsx import Style

FONT = "NotoSansSC"  # the chain's main font (tuangou.core.fonts)
_FONT_KEY = FONT.lower()  # as fpdf2 names it
# Pages deflated fast (fpdf2's own setting; only the sheets use fpdf2): a 5,000-page sorting list
# spent a second in zlib at its default level 6, for a file a fifth smaller.
PDFContentStream._COMPRESSION_LEVEL = 1
DEFLATE_LEVEL = PDFContentStream._COMPRESSION_LEVEL

# Every word on a sheet is picked in the active language (tuangou.core.i18n): the request's for a
# direct download, the job's (translation.override) for a file built in the background.
KIND_FILE_NAMES = {"purchase": "采购单", "shipping": "发货单", "sorting": "分拣单"}
KIND_FILE_NAMES_EN = {"purchase": "Purchase summary", "shipping": "Shipping sheet", "sorting": "Sorting list"}


def kind_name(kind: str) -> str:
    """The sheet's name in the active language: its title and the download's file name."""
    return pick(KIND_FILE_NAMES[kind], KIND_FILE_NAMES_EN[kind])


def _dates(sheet: dict, tz: str) -> str:
    pickup, cutoff, generated = (
        _local(sheet["pickup_at"], tz)[:10],
        _local(sheet["cutoff_at"], tz),
        _local(sheet["generated_at"], tz),
    )
    return pick(
        f"提货日期：{pickup}    截单：{cutoff}    生成时间：{generated}",
        f"Pickup date: {pickup}    Cut-off: {cutoff}    Generated: {generated}",
    )


# progress(rows written, rows in all): called every PROGRESS_EVERY rows and at each pickup point.
Progress = Callable[[int, int], None]
PROGRESS_EVERY = 500


class _RowCounter:
    def __init__(self, total: int, progress: Progress | None):
        self.total, self.done, self.progress = total, 0, progress

    def tick(self):
        self.done += 1
        if self.progress and self.done % PROGRESS_EVERY == 0:
            self.progress(self.done, self.total)

    def report(self):
        if self.progress:
            self.progress(self.done, self.total)


def font_path() -> str:
    return fonts.primary().path


def _strings(value):
    """Every text in a sheet dict, for the fonts it needs."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _point_texts(point: dict) -> list[str]:
    """The texts a sorting list's point prints (what `_strings` finds in it, faster)."""
    texts = [point["route"], point["point_name"], point["address"], point["leader_name"]]
    for order in point["orders"]:
        texts += (order["pickup_code"], order["member_name"], order["phone_tail"])
        texts += [text for item in order["items"] for text in (item["product_name"], item["spec"])]
    return texts


def _local(value: datetime | None, tz: str) -> str:
    return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M") if value else ""


def _spec(item: dict) -> str:
    return item.get("spec") or "—"


# --- tables: (headers, column widths in mm for the PDF / characters for Excel, rows, totals) ---


def _purchase_table(sheet: dict, money: Callable = format_fen):
    """`money` writes an amount: ¥12.90 on paper, excel.Yuan (a number formatted ¥0.00) in Excel."""
    headers = pick(
        ["#", "商品", "规格", "编码", "数量", "单位", "采购成本", "销售额", "订单数", "自提点数"],
        ["#", "Product", "Spec", "Code", "Quantity", "Unit", "Cost", "Sales", "Orders", "Pickup points"],
    )
    rows = [
        [
            n,
            i["product_name"],
            _spec(i),
            i["sku_code"],
            i["quantity"],
            i["unit"],
            money(i["cost_fen"]),
            money(i["amount_fen"]),
            i["order_count"],
            i["point_count"],
        ]
        for n, i in enumerate(sheet["items"], 1)
    ]
    totals = [
        "",
        pick("合计", "Total"),
        "",
        "",
        sheet["totals"]["quantity"],
        "",
        money(sheet["totals"]["cost_fen"]),
        money(sheet["totals"]["amount_fen"]),
        "",
        "",
    ]
    return headers, rows, totals


def _shipping_point_rows(point: dict) -> list[list]:
    return [[n, i["product_name"], _spec(i), i["sku_code"], i["quantity"]] for n, i in enumerate(point["items"], 1)]


def _sorting_point_rows(point: dict) -> list[list]:
    """A row per item; the order's columns only on its first row (on paper; Excel repeats them
    on every row, so the sheet can be filtered and sorted)."""
    rows = []
    for order in point["orders"]:
        for n, item in enumerate(order["items"]):
            first = n == 0
            rows.append(
                [
                    order["pickup_code"] if first else "",
                    order["member_name"] if first else "",
                    order["phone_tail"] if first else "",
                    item["product_name"],
                    _spec(item),
                    item["quantity"],
                ]
            )
    return rows


# --- Excel ------------------------------------------------------------------------------


def _xlsx_rows(sheet: dict, tz: str, title: str, headers, rows: Iterable[list], totals, total_rows: int, progress):
    """(values, style) of every row of a sheet: title, dates, a blank row, the heading (row 4,
    frozen and printed on every page), the body, the totals."""
    yield [f"{sheet['shop_name']} · {sheet['campaign_title']} · {title}"], Style.TITLE
    yield [_dates(sheet, tz)], Style.PLAIN
    yield [], Style.PLAIN
    yield headers, Style.HEADING
    counter = _RowCounter(total_rows() if callable(total_rows) else total_rows, progress)
    for row in rows:
        yield row, Style.BODY
        counter.tick()
    counter.report()
    yield totals() if callable(totals) else totals, Style.TOTAL  # a streamed sheet's totals: known now


def _sorting_row_count(sheet: dict, progress: Progress | None):
    """The sorting list's rows for the progress: counted in the database for a streamed sheet
    (whose points are read once, as they are written), and only when someone follows it."""
    points = sheet["points"]
    if isinstance(points, list):
        return sum(len(order["items"]) for point in points for order in point["orders"])
    return points.row_count() if progress else 0


def _xlsx_write(kind: str, sheet: dict, target, tz: str, progress: Progress | None) -> None:
    """The sheet as SpreadsheetML streamed into the zip (tuangou.core.xlsx): a row is written
    as it is made, so a 10^5-order sorting list is never held as cells."""
    title = kind_name(kind)
    if kind == "purchase":
        headers, rows, totals = _purchase_table(sheet, money=excel.Yuan)
        widths, count = [5, 24, 12, 14, 8, 6, 12, 12, 8, 9], len(rows)
    elif kind == "shipping":
        headers = pick(
            ["线路", "自提点", "小区", "地址", "团长", "团长电话", "订单数", "商品", "规格", "编码", "数量"],
            [
                "Route",
                "Pickup point",
                "Community",
                "Address",
                "Leader",
                "Leader phone",
                "Orders",
                "Product",
                "Spec",
                "Code",
                "Quantity",
            ],
        )

        def shipping_rows():
            for route in sheet["routes"]:
                for point in route["points"]:
                    head = [
                        route["route"],
                        point["point_name"],
                        point["community"],
                        point["address"],
                        point["leader_name"],
                        point["leader_phone"],
                        point["order_count"],
                    ]
                    for item in point["items"]:
                        yield head + [item["product_name"], _spec(item), item["sku_code"], item["quantity"]]

        t = sheet["totals"]
        points = pick(f"{t['point_count']}个自提点", f"{t['point_count']} pickup points")
        totals = [pick("合计", "Total"), points, "", "", "", "", t["order_count"], "", "", "", t["quantity"]]
        count = sum(len(point["items"]) for route in sheet["routes"] for point in route["points"])
        rows, widths = shipping_rows(), [12, 18, 14, 28, 10, 14, 8, 22, 10, 12, 8]
    else:
        headers = pick(
            ["线路", "自提点", "提货码", "团员", "手机尾号", "商品", "规格", "数量"],
            ["Route", "Pickup point", "Pickup code", "Member", "Phone (last 4)", "Product", "Spec", "Quantity"],
        )

        def sorting_rows():
            # The point's and the order's cells are written once for all their rows, an item's
            # once for every bag it is in (a sorting list is 2x10^5 rows of a few products).
            items: dict[tuple, xlsx.Cells] = {}
            for point in sheet["points"]:
                head = xlsx.cells([point["route"], point["point_name"]])
                for order in point["orders"]:
                    who = xlsx.cells([order["pickup_code"], order["member_name"], order["phone_tail"]])
                    for item in order["items"]:
                        key = (item["product_name"], _spec(item), item["quantity"])
                        what = items.get(key)
                        if what is None:
                            what = items[key] = xlsx.cells(key)
                            if len(items) > 10_000:
                                items.clear()
                        yield [head, who, what]

        def totals():
            t = sheet["totals"]
            return [
                pick("合计", "Total"),
                pick(f"{t['point_count']}个自提点", f"{t['point_count']} pickup points"),
                pick(f"{t['order_count']}单", f"{t['order_count']} orders"),
                "",
                "",
                "",
                "",
                t["quantity"],
            ]

        rows, widths, count = sorting_rows(), [12, 18, 12, 10, 10, 22, 10, 8], _sorting_row_count(sheet, progress)
    xlsx.write(
        target,
        title=title,
        widths=widths,
        rows=_xlsx_rows(sheet, tz, title, headers, rows, totals, count, progress),
        frozen_rows=4,
        print_title_row=4,
    )


def sheet_xlsx(kind: str, sheet: dict, *, tz: str = "Asia/Shanghai", progress: Progress | None = None) -> bytes:
    buffer = io.BytesIO()
    _xlsx_write(kind, sheet, buffer, tz, progress)
    return buffer.getvalue()


def sheet_xlsx_file(kind: str, sheet: dict, *, tz: str = "Asia/Shanghai"):
    """The workbook in an anonymous temporary file, rewound: a download streams it from disk."""
    target = tempfile.TemporaryFile()
    _xlsx_write(kind, sheet, target, tz, None)
    target.seek(0)
    return target


# --- PDF --------------------------------------------------------------------------------


class _Deflated(bytes):
    """A finished page's operators, deflated as soon as the page is done: fpdf2 holds every page
    as text until output (a 5,000-page sorting list: 90 MiB, where the file is 9)."""


def _deflate(contents: bytearray) -> _Deflated:
    return _Deflated(zlib.compress(contents, DEFLATE_LEVEL))


class _PageStream(PDFContentStream):
    """A page's content stream whose dictionary is built from its two keys: fpdf2 builds every
    object's from dir() and getattr (a fifth of a 5,000-page list's output went there)."""

    def _build_obj_dict(self, security_handler=None):
        return build_obj_dict({"filter": self.filter, "length": self.length}, security_handler, self.id)

    def serialize(self, obj_dict=None, _security_handler=None) -> str:
        """What fpdf2's serialize writes for it, formatted at once (two of every page's three objects)."""
        if obj_dict is not None or _security_handler is not None:
            return super().serialize(obj_dict, _security_handler)
        head = f"{self.id} 0 obj\n<<\n" + ("/Filter /FlateDecode\n" if self.filter is not None else "")
        return f"{head}/Length {self.length}\n>>\nstream\n{self._contents.decode('latin-1')}\nendstream\nendobj"


class _Page(PDFPage):
    """A page whose dictionary is built from its slots, as `_PageStream`'s."""

    __slots__ = ()
    KEYS = sorted(key for key in PDFPage.__slots__ if not key.startswith("_"))  # dir()'s order

    def _build_obj_dict(self, security_handler=None):
        return build_obj_dict({key: getattr(self, key) for key in self.KEYS}, security_handler, self.id)


class _SheetOutput(OutputProducer):
    """fpdf2's output of a SheetPdf: each page's deflated operators are written as they are (not
    deflated again), and its page number (known at the end) follows as a second content stream."""

    def _add_pages(self, _slice=slice(0, None)):
        bodies = []
        for page in list(self._iter_pages_in_order())[_slice]:
            contents = page.contents
            bodies.append(contents if isinstance(contents, _Deflated) else _deflate(contents))
            page.contents = bytearray()  # fpdf2 makes the page's (empty) stream: ours goes in it
        pages = super()._add_pages(_slice)
        for page, body in zip(pages, bodies):
            page.__class__, stream = _Page, page.contents
            stream.__class__ = _PageStream
            stream._contents, stream.length, stream.filter = body, len(body), Name("FlateDecode")
            foot = self.fpdf.page_feet.get(page.index())
            if foot:
                number = _PageStream(contents=foot, compress=False)
                self._add_pdf_obj(number, "pages")
                page.contents = PDFArray([stream, number])
        return pages


class SheetPdf(FPDF):
    """A4 portrait, Noto Sans SC, a running head and 第 n / N 页 at the foot of every page.

    A character Noto Sans SC lacks (𠮷, 😀) is set in the next font of the chain that has it
    (fpdf2's fallback fonts), so it is printed and in the text layer instead of dropped.
    Every text goes through `normalize_text`, so a control character a member typed (which
    fpdf2 only logs as a missing glyph) is dropped from whatever the sheet prints.

    What repeats thousands of times in a 5,000-page sorting list (a table row, its heading, the
    running head, the page number) is written straight into the page as PDF operators, each piece
    made once (`cell_ops`): fpdf2's cell() lays out every text again and took most of its 19 s."""

    def __init__(self, running_head: str, texts=()):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.running_head = printable(running_head, one_line=True)
        self.add_font(FONT, fname=font_path())
        self._fallbacks: list = []
        self.cover([running_head, *texts])
        self.set_auto_page_break(auto=True, margin=16)
        self.set_margins(12, 14, 12)
        self.alias_nb_pages(None)  # the page count is written by _page_numbers, not substituted
        # One /Resources dictionary for every page (fpdf2's option): the pages all use the same
        # fonts, and a dictionary per page was 5,000 more objects to build and write.
        self.single_resources_object = True
        self._glyph_tables: dict[int, tuple[dict, dict]] = {}  # per font: each character's code, width
        self._font_ops: dict[tuple, str] = {}
        self._frames: dict[tuple, tuple[str, str, str]] = {}  # cell_ops around the text, per column
        self.rows: dict[tuple, str] = {}  # ops of the rows drawn so far (bounded)
        self.columns: dict[tuple, dict] = {}  # per table shape and column: ops of each value's cell (bounded)
        self.row_places: dict[float, str] = {}  # the operators that move a row to its height, per height
        self.page_feet: dict[int, bytes] = {}  # each page's number, written at the end (_page_numbers)

    def _beginpage(self, *args, **kwargs):
        self._deflate_page()
        super()._beginpage(*args, **kwargs)

    def _deflate_page(self) -> None:
        """The page just finished, deflated now (_Deflated); nothing is written into it after.
        (A thread deflating pages while the next is laid out made the list a second slower: the
        two threads took turns on the GIL.)"""
        page = self.pages.get(self.page)
        if page is not None and not isinstance(page.contents, _Deflated):
            page.contents = _deflate(page.contents)

    def cover(self, texts) -> None:
        """Registers the fallback fonts `texts` need that are not registered yet: before the
        texts are printed (a streamed sorting list is covered a point at a time)."""
        new = [font for font in fonts.fallbacks_needed(texts) if font not in self._fallbacks]
        if new:
            for fallback in new:
                self.add_font(fallback.family, fname=fallback.path)
            self._fallbacks = [font for font in fonts.chain() if font in {*self._fallbacks, *new}]
            self.set_fallback_fonts([fallback.family for fallback in self._fallbacks])

    def set_font(self, family=None, style="", size=0) -> None:
        """fpdf2's, but the main font asked for as it is already selected returns at once: the
        sheets ask for it several times a page, and fpdf2 normalises its arguments every time."""
        if (
            family in (FONT, _FONT_KEY)  # fpdf2's add_page restores it by its lower-case key
            and not style  # "" or TextEmphasis.NONE
            and size == self.font_size_pt
            and self.font_family == _FONT_KEY
            and not (self.font_style or self.underline or self.strikethrough)
            and self.current_font is not None
            and self.current_font.fontkey == _FONT_KEY
        ):
            return
        super().set_font(family, style, size)

    def normalize_text(self, text: str) -> str:
        # Line breaks stay for multi_cell (a cell's text is made one line before it gets here).
        return super().normalize_text(printable(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))

    def use_font_size(self, size: float) -> None:
        """The main font at `size`, selected in the page too: the operators written straight
        (`cell_ops`) are set in whatever font the page last selected."""
        self.set_font(FONT, size=size)
        if not self.current_font_is_set_on_page:
            self._out(self._set_font_for_page(self.current_font, self.font_size_pt))

    def font_ops(self) -> str:
        """Selects the current font in a row's own graphics state: a cell fpdf2 drew before it
        may have left a fallback font selected in the page."""
        key = (self.current_font.i, self.font_size_pt)
        ops = self._font_ops.get(key)
        if ops is None:
            ops = self._font_ops[key] = f"BT /F{key[0]} {key[1]:.2f} Tf ET"
        return ops

    def _glyphs(self, text: str) -> tuple[str, int] | None:
        """`text` in the current font's codes and its width in thousandths of the size, or None
        when a character is not in that font (fpdf2 then sets it in a fallback font). Known per
        character and translated by str.translate: a sorting list's 10^5 pickup codes are all
        different texts."""
        font = self.current_font
        tables = self._glyph_tables.get(font.i)
        if tables is None:
            tables = self._glyph_tables[font.i] = ({}, {})
        codes, widths = tables
        new = set(text).difference(widths)
        if new:
            for char in new:
                if font.is_symbol or ord(char) not in font.cmap:
                    return None
                # Picking the glyph puts it in the font's subset, as fpdf2's encode_text does.
                codes[ord(char)] = font.escape_text(chr(font.subset.pick(ord(char))))
                widths[char] = font.cw[ord(char)]
        return text.translate(codes), sum(map(widths.__getitem__, text))

    def fast_width(self, text: str) -> float | None:
        """The width of `text` in the current font, or None when a character of it is not in
        that font (the row is then drawn by fpdf2, which sets it in a fallback font)."""
        glyphs = self._glyphs(text)
        return None if glyphs is None else glyphs[1] * self.font_size_pt * 0.001 / self.k

    def cell_ops(
        self, text: str, x: float, width: float, height: float, align: str = "L", border="S", fill=None
    ) -> str | None:
        """What `cell(border=1)` writes for a one-line cell at x (mm) in a row whose top is at the
        top of the page (`place_row` moves it down to where it goes), in the current font and
        size: a box (`border` "S"; "" none; filled in grey `fill` 0–1) and the text, black. None
        when the text needs a fallback font or does not fit (fpdf2 draws that one)."""
        glyphs = self._glyphs(text)
        if glyphs is None:
            return None
        size = self.font_size_pt
        code, text_width = glyphs[0], glyphs[1] * size * 0.001 / self.k
        if text_width > width - 2 * self.c_margin:
            return None
        frame_key = (x, width, height, align, border, fill, size)
        frame = self._frames.get(frame_key)
        if frame is None:  # what a cell of this column writes around its text
            self.current_font.biggest_size_pt = max(self.current_font.biggest_size_pt, size)  # as get_text_width
            k, page_h = self.k, self.h
            box = f"{x * k:.2f} {page_h * k:.2f} {width * k:.2f} {-height * k:.2f} re"
            box = (f"{fill:.3f} g {box} B 0 g " if fill is not None else f"{box} {border} ") if border else ""
            base = f"{(page_h - 0.5 * height - 0.3 * self.font_size) * k:.2f}"
            frame = self._frames[frame_key] = (box, base, f"{box}BT {(x + self.c_margin) * k:.2f} {base} Td (")
        box, base, left = frame
        if not text:
            return box.rstrip()
        if align == "L":
            return f"{left}{code}) Tj ET"
        dx = width - self.c_margin - text_width if align == "R" else (width - text_width) / 2
        return f"{box}BT {(x + dx) * self.k:.2f} {base} Td ({code}) Tj ET"

    def row_ops(self, cells: list[str], font: str | None = None) -> str:
        """A row of cells (`cell_ops`) as one string of operators, in the current font (`font`:
        its font_ops, when the caller has them), black."""
        return " ".join([font or self.font_ops(), "0 g", *cells])

    def place_row(self, ops: str, height: float) -> None:
        """A row of `row_ops` at the current position (in its own graphics state, so the fill
        colour of the heading row stays as it was); then on to the next line, as `ln` does."""
        self._out(f"q 1 0 0 1 0 {-self.y * self.k:.2f} cm {ops} Q")
        self.x, self.y = self.l_margin, self.y + height
        self._lasth = height

    def header(self):
        self.set_font(FONT, size=8)
        self.set_text_color(110)
        _line(self, 4, self.running_head, align="R")
        self.set_text_color(0)
        self.ln(2)

    def footer(self):
        pass  # written when the page count is known (_page_numbers)

    def _page_numbers(self) -> None:
        """第 n / N 页 at the foot of every page, now that N is known: fpdf2's {nb} alias is
        substituted into every page by searching it, and its cell() costs a page's rows."""
        self.set_font(FONT, size=9)
        font, total = self.current_font, self.pages_count
        select = f"BT /F{font.i} 9.00 Tf ET"
        for number in range(1, total + 1):
            text = pick(f"第 {number} / {total} 页", f"Page {number} / {total}")
            width = font.get_text_width(text, 9, None)[1] / self.k
            x = self.l_margin + (self.epw - width) / 2
            base = (self.h - (self.h - 12) - 0.5 * 6 - 0.3 * self.font_size) * self.k
            code = font.encode_text(text)
            self._resource_catalog.add(PDFResourceType.FONT, font.i, number)
            self.page_feet[number] = f"\nq {select} 0 g BT {x * self.k:.2f} {base:.2f} Td {code} ET Q\n".encode(
                "latin-1"
            )

    def output(self, *args, **kwargs):
        if not self.buffer:
            self._page_numbers()
        return super().output(*args, output_producer_class=_SheetOutput, **kwargs)


_ROW_HEIGHT = 6  # a table row of one line
_LINE_HEIGHT = 4.5  # the lines of a wrapped cell, with the rest of _ROW_HEIGHT above and below them
_PAD = (_ROW_HEIGHT - _LINE_HEIGHT) / 2


def _pdf_title(pdf: SheetPdf, sheet: dict, tz: str, title: str, subtitle: str = ""):
    pdf.set_font(FONT, size=16)
    _line(pdf, 8, title)
    pdf.ln(1)
    pdf.set_font(FONT, size=10)
    lines = [
        pick(
            f"店铺：{sheet['shop_name']}    团购：{sheet['campaign_title']}",
            f"Shop: {sheet['shop_name']}    Campaign: {sheet['campaign_title']}",
        ),
        _dates(sheet, tz),
    ]
    if subtitle:
        lines.append(subtitle)
    for text in lines:
        for line in text.split("\n"):
            _line(pdf, 6, line)
    pdf.ln(2)


def _line(pdf: SheetPdf, height: float, text: str, align: str = "L"):
    """A line across the page, wrapped onto more when too long. Written straight when it fits
    in the main font; else a cell when it fits: multi_cell breaks every text into lines first,
    which took a third of a 1,000-page shipping sheet."""
    if "\n" not in text:
        ops = pdf.cell_ops(text, pdf.l_margin, pdf.epw, height, align, border="")
        if ops is not None:
            pdf.use_font_size(pdf.font_size_pt)
            pdf.place_row(f"{pdf.font_ops()} {pdf.text_color.serialize().lower()} {ops}", height)
            return
    if "\n" not in text and pdf.get_string_width(text) <= pdf.epw - 2 * pdf.c_margin:
        pdf.cell(0, height, text, align=align, new_x="LMARGIN", new_y="NEXT")
    else:
        pdf.multi_cell(0, height, text, align=align, new_x="LMARGIN", new_y="NEXT")


def _pdf_table(pdf: SheetPdf, headers, rows, widths, totals=None, counter: _RowCounter | None = None):
    """A bordered table whose heading row repeats at the top of every page it runs onto.

    A text too long for its column wraps onto more lines (the whole row grows, and moves to the
    next page when it does not fit: a row is split only when it is taller than a page, and then
    goes on under the repeated heading). Rows of one line, nearly all of them, are drawn cell by
    cell: fpdf2's table() lays out every row as a multi-line block and is about four times slower,
    which matters for a sorting list of 10^5 orders.
    """
    pdf.set_font(FONT, size=9)
    pdf.set_fill_color(232)
    ticking = counter is not None and counter.progress is not None  # a download has no progress bar
    room = [width - 2 * pdf.c_margin for width in widths]
    top = 0.0  # where the rows of the current page start
    heading_texts = [str(text) for text in headers]
    lefts = [pdf.l_margin + sum(widths[:n]) for n in range(len(widths))]
    heading_cells = [
        pdf.cell_ops(text, x, width, _ROW_HEIGHT, "C", fill=232 / 255)
        for text, x, width in zip(heading_texts, lefts, widths)
    ]
    heading_row = None if None in heading_cells else pdf.row_ops(heading_cells)

    def heading():
        nonlocal top
        pdf.use_font_size(9)
        if heading_row is not None:
            pdf.place_row(heading_row, _ROW_HEIGHT)
        else:
            for text, width in zip(heading_texts, widths):
                pdf.cell(width, _ROW_HEIGHT, text, border=1, fill=True, align="C")
            pdf.ln(_ROW_HEIGHT)
        top = pdf.get_y()

    def cell(column: int, value):
        """A value's cell in its column, made once (a row's cells repeat far more than rows do)."""
        text = printable(str(value), one_line=True)
        align = "R" if isinstance(value, int) else "L"
        ops = pdf.cell_ops(text, lefts[column], widths[column], _ROW_HEIGHT, align)
        cells = made[column]
        if len(cells) >= 20_000:
            cells.clear()
        cells[value] = ops
        return ops

    heading()
    shape, k = tuple(widths), pdf.k
    placed: list[str] = []  # the rows of one-line cells placed on this page, written together

    def place_rows():
        if placed:
            pdf._out("\n".join(placed))
            placed.clear()

    made = [pdf.columns.setdefault((shape, column), {}) for column in range(len(widths))]
    font = pdf.font_ops()  # the table's rows are all in its font and size (the heading's)
    known, at = pdf.rows, pdf.row_places
    for row in rows + ([totals] if totals else []):
        key = (shape, *row)
        ops = known.get(key)
        if ops is None:
            cells = [cells.get(value, 0) for cells, value in zip(made, row)]
            if 0 in cells:
                cells = [
                    cell(column, value) if ops == 0 else ops for column, (ops, value) in enumerate(zip(cells, row))
                ]
            if None not in cells:
                ops = pdf.row_ops(cells, font)
                if len(pdf.rows) >= 20_000:
                    pdf.rows.clear()
                pdf.rows[key] = ops
        if ops is not None:
            if pdf.y + _ROW_HEIGHT > pdf.page_break_trigger and pdf.will_page_break(_ROW_HEIGHT):
                place_rows()
                pdf.add_page()
                heading()
            # As place_row, for every row of the page at once; the pages' rows are at the same
            # few heights, each formatted once.
            place = at.get(pdf.y)
            if place is None:
                place = at[pdf.y] = f"q 1 0 0 1 0 {-pdf.y * k:.2f} cm "
            placed.append(f"{place}{ops} Q")
            pdf.y += _ROW_HEIGHT
            if ticking and row is not totals:
                counter.tick()
            continue
        place_rows()
        texts = [printable(str(value), one_line=True) for value in row]
        aligns = ["R" if isinstance(value, int) else "L" for value in row]
        if all(pdf.get_string_width(text) <= space for text, space in zip(texts, room)):
            if pdf.will_page_break(_ROW_HEIGHT):
                pdf.add_page()
                heading()
            for text, width, align in zip(texts, widths, aligns):
                pdf.cell(width, _ROW_HEIGHT, text, border=1, align=align)
            pdf.ln(_ROW_HEIGHT)
        else:
            lines = [
                pdf.multi_cell(width, _LINE_HEIGHT, text, dry_run=True, output="LINES")
                if pdf.get_string_width(text) > space
                else [text]
                for text, width, space in zip(texts, widths, room)
            ]
            _pdf_wrapped_row(pdf, lines, widths, aligns, lambda: top, heading)
        if ticking and row is not totals:
            counter.tick()
    place_rows()
    pdf.x, pdf._lasth = pdf.l_margin, _ROW_HEIGHT
    if counter:
        counter.report()


def _pdf_wrapped_row(pdf: SheetPdf, lines: list[list[str]], widths, aligns, top: Callable[[], float], heading):
    """A row whose cells hold `lines`: on this page when it fits, else from the top of the next
    one; a row taller than a page goes on over as many pages as it needs."""
    done, count = 0, max(len(cell) for cell in lines)
    while done < count:
        fits = int((pdf.page_break_trigger - pdf.get_y() - 2 * _PAD) // _LINE_HEIGHT)
        if fits < count - done and pdf.get_y() > top():
            pdf.add_page()
            heading()
            continue
        take = max(1, min(fits, count - done))
        height = take * _LINE_HEIGHT + 2 * _PAD
        x, y = pdf.l_margin, pdf.get_y()
        for cell, width, align in zip(lines, widths, aligns):
            pdf.rect(x, y, width, height)
            for n, line in enumerate(cell[done : done + take]):
                pdf.set_xy(x, y + _PAD + n * _LINE_HEIGHT)
                pdf.cell(width, _LINE_HEIGHT, line, align=align)
            x += width
        pdf.set_xy(pdf.l_margin, y + height)
        done += take


def sheet_pdf(kind: str, sheet: dict, *, tz: str = "Asia/Shanghai", progress: Progress | None = None) -> bytes:
    return bytes(_sheet_pdf(kind, sheet, tz, progress).output())


def sheet_pdf_file(kind: str, sheet: dict, *, tz: str = "Asia/Shanghai"):
    """The PDF in an anonymous temporary file, rewound: a download streams it from disk (no copy
    of the document held beside fpdf2's own)."""
    target = tempfile.TemporaryFile()
    _sheet_pdf(kind, sheet, tz, None).output(target)
    target.seek(0)
    return target


def _sheet_pdf(kind: str, sheet: dict, tz: str, progress: Progress | None) -> SheetPdf:
    title = kind_name(kind)
    # The fonts a sheet needs: of all its texts, but a sorting list's points' as each is printed
    # (they may be streamed: read once, as they are printed).
    texts = _strings({key: value for key, value in sheet.items() if key != "points"})
    pdf = SheetPdf(f"{sheet['shop_name']} · {sheet['campaign_title']} · {title}", texts)
    if kind == "purchase":
        pdf.add_page()
        _pdf_title(pdf, sheet, tz, pick(f"{title}（以销定采）", f"{title} (buy what was sold)"))
        headers, rows, totals = _purchase_table(sheet)
        _pdf_table(
            pdf, headers, rows, [8, 38, 18, 20, 14, 10, 22, 22, 16, 18], totals, _RowCounter(len(rows), progress)
        )
    elif kind == "shipping":
        points = [(route["route"], point) for route in sheet["routes"] for point in route["points"]] or [(None, None)]
        counter = _RowCounter(sum(len(point["items"]) for _, point in points if point), progress)
        for route, point in points:
            pdf.add_page()  # one point per section, each from a fresh page
            if point is None:
                _pdf_title(pdf, sheet, tz, title, pick("暂无需要发货的订单", "No orders to ship"))
                continue
            _pdf_title(
                pdf,
                sheet,
                tz,
                f"{title} · {point['point_name']}",
                pick(
                    f"线路：{route}    小区：{point['community']}    地址：{point['address']}\n"
                    f"团长：{point['leader_name']}  {point['leader_phone']}    订单数：{point['order_count']}",
                    f"Route: {route}    Community: {point['community']}    Address: {point['address']}\n"
                    f"Leader: {point['leader_name']}  {point['leader_phone']}    Orders: {point['order_count']}",
                ),
            )
            _pdf_table(
                pdf,
                pick(["#", "商品", "规格", "编码", "数量"], ["#", "Product", "Spec", "Code", "Quantity"]),
                _shipping_point_rows(point),
                [10, 80, 36, 40, 20],
                ["", pick("合计", "Total"), "", "", point["total_quantity"]],
                counter,
            )
            pdf.ln(8)
            pdf.set_font(FONT, size=10)
            pdf.cell(
                0,
                8,
                pick(
                    "配送员签字：____________    团长签收：____________    签收时间：____________",
                    "Courier: ____________    Received by leader: ____________    Time: ____________",
                ),
            )
    else:
        counter = _RowCounter(_sorting_row_count(sheet, progress), progress)
        empty = True
        for point in chain(sheet["points"], [None]):  # None: the page of an empty list
            if point is None and not empty:
                break
            empty = False
            pdf.add_page()
            if point is None:
                _pdf_title(pdf, sheet, tz, title, pick("暂无需要分拣的订单", "No orders to sort"))
                continue
            pdf.cover(_point_texts(point))
            _pdf_title(
                pdf,
                sheet,
                tz,
                f"{title} · {point['point_name']}",
                pick(
                    f"线路：{point['route']}    地址：{point['address']}    团长：{point['leader_name']}    "
                    f"订单数：{point['order_count']}",
                    f"Route: {point['route']}    Address: {point['address']}    Leader: {point['leader_name']}    "
                    f"Orders: {point['order_count']}",
                ),
            )
            _pdf_table(
                pdf,
                pick(
                    ["提货码", "团员", "手机尾号", "商品", "规格", "数量"],
                    ["Pickup code", "Member", "Phone (last 4)", "Product", "Spec", "Quantity"],
                ),
                _sorting_point_rows(point),
                [26, 24, 22, 64, 30, 20],
                [pick("合计", "Total"), "", "", "", "", point["total_quantity"]],
                counter,
            )
    return pdf


def attachment_disposition(kind: str, sheet: dict, extension: str) -> str:
    """`attachment` with an ASCII fallback and the name in the active language as RFC 5987 filename*."""
    name = f"{sheet['campaign_title']}-{kind_name(kind)}.{extension}"
    for bad in '/\\:*?"<>|\r\n':
        name = name.replace(bad, "_")
    fallback = f"campaign-{sheet['campaign_id']}-{kind}.{extension}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
