"""The workbook reads and prints: full outline numbers, page set-up, rows tall enough, nothing cut silently."""

import uuid
import zipfile

import openpyxl
import pytest
from answers import store, stored_cell_answers

from consolidation.source import ExportSource
from exports import write_workbook

pytestmark = pytest.mark.once

FIGURES, COMMENTS = "Tổng hợp số liệu", "Ý kiến"
CELL_LIMIT = 32767


def export(app, tmp_path):
    path = tmp_path / f"export-{uuid.uuid4().hex}.xlsx"
    with app.app_context():
        write_workbook(path, app.extensions["survey"], ExportSource())
    return openpyxl.load_workbook(path)


def figures_row(book, code):
    sheet = book[FIGURES]
    codes = {cell.value: cell.column - 1 for cell in sheet[2] if cell.value}
    row = next(row for row in sheet.iter_rows(min_row=4) if row[codes["code"]].value == code)
    return codes, row


def column_width(sheet, column):
    """Return a column's width; the file gives neighbours of one width as one range."""
    return next(d.width for d in sheet.column_dimensions.values() if d.min <= column <= d.max)


def test_every_sheet_prints_landscape_with_its_headers_as_wide_as_a_readable_page(app, units, tmp_path):
    store(app, "BMT.TL.01", stored_cell_answers())
    book = export(app, tmp_path)
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert setup.orientation == "landscape", sheet.title
        if sheet.title in (FIGURES, "Cộng theo cấp ủy"):
            # A row per unit and a column per figure: one page wide would print at a fifth of the size.
            assert (setup.paperSize, setup.scale) == (8, 55), sheet.title
            assert not sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        else:
            assert setup.paperSize == 9 and setup.fitToWidth in (None, 1) and setup.fitToHeight == 0, sheet.title
            assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
    assert (book[FIGURES].print_title_rows, book[FIGURES].print_title_cols) == ("$1:$3", "$A:$F")
    assert book["Cộng theo cấp ủy"].print_title_cols == "$A:$B"
    assert {book[name].print_title_rows for name in ("Cộng theo cấp ủy", "Ý kiến", "Tiến độ", "Câu hỏi")} == {"$1:$1"}


def test_header_and_comment_rows_are_tall_enough_to_read(app, units, tmp_path):
    long_answer = "Chi bộ duy trì sinh hoạt đều đặn, nội dung phong phú. " * 40
    store(app, "BMT.TL.01", stored_cell_answers(uu_diem=long_answer))
    book = export(app, tmp_path)
    figures = book[FIGURES]
    needed = max(12.75 * len(cell.value or "") / column_width(figures, cell.column) for cell in figures[3])
    assert figures.row_dimensions[3].height >= min(needed, 409), "the longest label fits its column"
    comments = book[COMMENTS]
    row = next(row[0].row for row in comments.iter_rows(min_row=2) if row[9].value == long_answer)
    assert comments.row_dimensions[row].height >= 12.75 * len(long_answer) / 100
    short = next(row[0].row for row in comments.iter_rows(min_row=2) if row[1].value == "nhan_thuc")
    assert comments.row_dimensions[short].height < comments.row_dimensions[row].height


def test_comments_give_the_full_outline_number(app, units, tmp_path):
    store(app, "BMT.TL.01", stored_cell_answers())
    sections = {row[1]: row[0] for row in export(app, tmp_path)[COMMENTS].iter_rows(min_row=2, values_only=True)}
    assert sections["nhan_thuc"] == "II.1" and sections["uu_diem"] == "III.1" and sections["nen_nep"] == "II.3.2"


def test_a_text_too_long_for_its_cell_is_cut_visibly_and_given_whole_on_the_comments_sheet(app, units, tmp_path):
    text = "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh. " * 700
    store(app, "BMT.TL.01", stored_cell_answers(chuyen_de_hieu_qua=text, cau_hoi_cu=text))
    book = export(app, tmp_path)
    codes, row = figures_row(book, "BMT.TL.01")
    for code in ("chuyen_de_hieu_qua", "cau_hoi_cu"):
        shown = row[codes[code]].value
        assert len(shown) <= CELL_LIMIT and shown.endswith("[… xem toàn văn ở trang Ý kiến]"), code
        assert text.startswith(shown.removesuffix(" [… xem toàn văn ở trang Ý kiến]")), code
        pieces = [r[9] for r in book[COMMENTS].iter_rows(min_row=2, values_only=True) if r[1] == code]
        assert "".join(pieces) == text, code


def test_retired_answers_keep_their_types(app, units, tmp_path):
    store(app, "BMT.TL.01", stored_cell_answers(so_cu=12.5, danh_sach_cu=["thoi_su", "phe_binh"], co_cu=True))
    codes, row = figures_row(export(app, tmp_path), "BMT.TL.01")
    assert row[codes["so_cu"]].value == 12.5 and row[codes["so_cu"]].data_type == "n"
    assert row[codes["danh_sach_cu"]].value == "thoi_su; phe_binh"
    assert row[codes["co_cu"]].value == 1, "SQLite gives a stored true back as 1"


def test_chart_axes_of_shares_and_rates_read_as_percentages(app, units, tmp_path):
    store(app, "BMT.TL.01", stored_cell_answers())
    path = tmp_path / "charts.xlsx"
    with app.app_context():
        write_workbook(path, app.extensions["survey"], ExportSource())
    with zipfile.ZipFile(path) as archive:
        charts = [archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/charts/chart")]
    assert charts and all('<c:numFmt formatCode="0%" sourceLinked="0"/>' in chart for chart in charts)
