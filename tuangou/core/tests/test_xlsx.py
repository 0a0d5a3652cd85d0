import io

from openpyxl import load_workbook

from tuangou.core import xlsx
from tuangou.core.excel import Yuan


def written(rows, **options) -> bytes:
    target = io.BytesIO()
    xlsx.write(target, title=options.pop("title", "分拣单"), widths=[12, 20, 8], rows=rows, **options)
    return target.getvalue()


def test_odd_text_reads_back_as_it_was_typed_and_formulas_stay_text():
    texts = ["<b>&amp;</b>", "𠮷野家😀", "  两端空格  ", "=1+1", "#N/A", "a\x00b\x07c", "-2+3"]
    sheet = load_workbook(io.BytesIO(written([(texts, xlsx.Style.BODY)]))).active

    cells = list(sheet[1])
    assert [c.value for c in cells] == ["<b>&amp;</b>", "𠮷野家😀", "  两端空格  ", "=1+1", "#N/A", "abc", "-2+3"]
    assert [c.data_type for c in cells] == ["s"] * 7
    assert [c.quotePrefix for c in cells] == [False, False, False, True, True, False, True]


def test_numbers_money_and_empty_cells_keep_their_type_and_border():
    rows = [([10**18, Yuan(12345), None, "", 0], xlsx.Style.TOTAL)]
    sheet = load_workbook(io.BytesIO(written(rows))).active

    cells = list(sheet[1])
    assert [c.value for c in cells] == [10**18, 123.45, None, None, 0]
    assert cells[1].number_format == '"¥"#,##0.00'
    assert all(c.font.bold and c.border.left.style == "thin" for c in cells)


def test_layout_and_a_title_excel_would_refuse():
    rows = [(["标题"], xlsx.Style.TITLE), ([], xlsx.Style.PLAIN), (["表头"], xlsx.Style.HEADING)]
    rows += [([xlsx.cells(["a", 1])], xlsx.Style.BODY)] * 3  # cells written once, put in rows as they are
    book = load_workbook(io.BytesIO(written(rows, title="a/b:c*?'s [x]" * 4, frozen_rows=3, print_title_row=3)))
    sheet = book.active

    assert len(sheet.title) <= 31 and not set("[]:*?/\\") & set(sheet.title)
    assert sheet["A1"].font.size == 14 and sheet["A3"].fill.fgColor.rgb.endswith("E8E8E8")
    assert sheet.freeze_panes == "A4" and sheet.print_title_rows == "$3:$3"
    assert sheet.column_dimensions["B"].width == 20 and sheet.page_setup.paperSize == 9
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=4)] == [["a", 1]] * 3
