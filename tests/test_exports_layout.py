"""What a reader sees of every sheet of every download: each row's cells aligned alike (at the top), no label
cut by the cell beside it, and no internal key (`district`) where the product says "cấp trên cơ sở"."""

import math
import re

import pytest
from answers import store, stored_cell_answers, stored_committee_answers
from workbooks import downloaded_workbook

from schema.levels import LEVEL_LABELS

pytestmark = pytest.mark.once

#: The downloads a committee gets: the workbook, the links to send, and the unit list as shown.
DOWNLOADS = ("/admin/export.xlsx", "/admin/links.xlsx", "/admin/units.xlsx")
#: A narrative answer long enough to wrap over many lines beside a unit's one-line name.
LONG_ANSWER = "Chi bộ duy trì nền nếp sinh hoạt, nội dung bám sát nhiệm vụ chính trị của địa phương. " * 12
#: The height of one line of 10-point text, in points, a little under what any spreadsheet gives it.
LINE_POINTS = 12
DEFAULT_ROW_POINTS = 15


@pytest.fixture
def answered(app, accounts, auth):
    """The demo province with a few reports in, long texts among them, and its manager signed in."""
    cells = sorted(code for code, unit in accounts.items() if unit.level in ("chi_bo_co_so", "chi_bo_truc_thuoc"))
    committees = sorted(code for code, unit in accounts.items() if unit.level == "dang_bo_co_so")
    for code in cells[:3]:
        store(app, code, stored_cell_answers(nhan_thuc=LONG_ANSWER, dac_diem_tinh_hinh=LONG_ANSWER))
    store(app, committees[0], stored_committee_answers(thuc_trang=LONG_ANSWER))
    auth.sign_in("btc")
    return accounts


def download(client, url, language):
    return downloaded_workbook(client.get(url, query_string={"lang": language}))


def text_cells(book):
    """Yield (sheet, cell) for every cell of the workbook holding a non-empty text."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value:
                    yield sheet, cell


@pytest.mark.parametrize("shape", ["seed", "2025"])
@pytest.mark.parametrize("url", DOWNLOADS)
def test_every_cell_of_every_sheet_aligns_at_the_top(client, answered, url):
    book = download(client, url, "vi")
    misaligned = [(sheet.title, cell.coordinate, cell.alignment.vertical)
                  for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
                  if cell.value not in (None, "") and cell.alignment.vertical != "top"]
    assert misaligned == []


def column_width(sheet, cell):
    """The width of a cell's column, in characters: openpyxl groups columns of one width under the first."""
    for dimension in sheet.column_dimensions.values():
        if dimension.min <= cell.column <= dimension.max and dimension.width:
            return dimension.width
    return 8.43


def lines_needed(text, width):
    """The fewest lines a text takes in a column `width` characters wide (a character per unit of width)."""
    return sum(max(1, math.ceil(len(paragraph) / width)) for paragraph in text.split("\n"))


def cut_labels(sheet, answer_columns):
    """Return the cells of a sheet whose text is cut: longer than its column and not wrapped while the cell to
    its right holds something, or wrapped in a row too low for its lines. `answer_columns` (the figures
    sheet's answers, data rather than labels) are left out."""
    cut = []
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type != "s" or not cell.value or cell.column in answer_columns:
                continue
            width = column_width(sheet, cell)
            if cell.alignment.wrap_text:
                height = sheet.row_dimensions[cell.row].height or DEFAULT_ROW_POINTS
                if height < LINE_POINTS * lines_needed(cell.value, width):
                    cut.append((cell.coordinate, cell.value[:40], "row too low"))
            elif len(cell.value) > width:
                neighbour = sheet.cell(cell.row, cell.column + 1).value
                if neighbour not in (None, ""):
                    cut.append((cell.coordinate, cell.value[:40], "runs under the next cell"))
    return cut


def answer_columns(sheet):
    """The figures sheet's columns of answers: those after the unit's own (its code row's keys, up to
    `submitted_at`)."""
    keys = [cell.value for cell in sheet[2]]
    if "submitted_at" not in keys:
        return set()
    return set(range(keys.index("submitted_at") + 2, len(keys) + 1))


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("shape", ["seed", "2025"])
@pytest.mark.parametrize("url", DOWNLOADS)
def test_no_label_is_cut_by_the_cell_beside_it(client, answered, url, language):
    book = download(client, url, language)
    cut = {sheet.title: cut_labels(sheet, answer_columns(sheet)) for sheet in book.worksheets}
    assert cut == {sheet.title: [] for sheet in book.worksheets}


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("shape", ["seed", "2025"])
@pytest.mark.parametrize("url", DOWNLOADS)
def test_no_cell_names_the_district_level_by_its_internal_key(client, answered, url, language):
    book = download(client, url, language)
    # The English name of the level above grassroots lists "district or city committee" among its kinds:
    # words the person reads. A key (district, district_code) is not.
    allowed = {str(label) for label in LEVEL_LABELS.values()} if language == "en" else set()
    keys = [(sheet.title, cell.coordinate, cell.value) for sheet, cell in text_cells(book)
            if re.search(r"district", cell.value, re.IGNORECASE)
            and not any(label in cell.value for label in allowed if "district" in label)]
    assert keys == []
