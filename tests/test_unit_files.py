"""The unit list as an Excel workbook: the same rows, checks, messages and line numbers as the CSV file, and
every way a workbook can hide what the committee typed refused with a message saying what to do."""

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from workbooks import csv_rows, excel_written, workbook_bytes, workbook_of

from models import Unit, db
from models.unit import NAME_MAX_LENGTH
from units.changes import import_units
from units.list_files import COLUMNS, ImportRefused, read_unit_file, write_template
from units.list_rows import CONTACT_COLUMNS, OPTIONAL_COLUMNS

DATA = Path(__file__).parent / "data"
HEADER = "code,name,level,parent_code\n"
PROVINCE = "TU,Tỉnh ủy,tinh,\nH1,Huyện ủy Krông Pắc,cap_huyen,TU\nD1,Đảng bộ xã Ea Kly,dang_bo_co_so,H1\n"


def all_units(app):
    with app.app_context():
        return {u.code: (u.name, u.level, u.parent.code if u.parent else None)
                for u in db.session.scalars(sa.select(Unit))}


def refused_problems(app, raw):
    with app.app_context(), pytest.raises(ImportRefused) as refused:
        import_units(raw)
    return refused.value.problems


def imported(app, raw):
    with app.app_context():
        return import_units(raw)


@pytest.mark.parametrize("shape", ["seed", "2025"])
def test_a_workbook_imports_the_same_units_as_the_csv_file(app, demo_units_csv, runner, tmp_path):
    text = demo_units_csv.read_text(encoding="utf-8")
    book = tmp_path / "units.xlsx"
    book.write_bytes(workbook_of(text))
    result = runner.invoke(args=["units", "import", str(book)])
    assert result.exit_code == 0, result.output
    expected = {code: (name, level, parent or None) for code, name, level, parent in csv_rows(text)[1:]}
    assert all_units(app) == expected


def test_a_unit_listed_above_its_new_parent_gets_that_parent(app):
    rows = "C1,Chi bộ thôn 3,chi_bo_truc_thuoc,D2\nD2,Đảng bộ xã Hòa Đông,dang_bo_co_so,H1\n"
    imported(app, workbook_of(HEADER + PROVINCE + rows))
    assert all_units(app)["C1"] == ("Chi bộ thôn 3", "chi_bo_truc_thuoc", "D2")
    assert all_units(app)["D2"][2] == "H1"


#: Bad rows that the CSV tests refuse, and a few more: a workbook must get the very same messages.
BAD_ROWS = [
    "C1,Chi bộ,chi_bo,D1\n",
    "C1,Chi bộ,chi_bo_truc_thuoc,NOPE\n",
    "C1,Chi bộ,chi_bo_truc_thuoc,H1\n",
    "D1,Trùng mã,dang_bo_co_so,H1\n",
    "c1,Chi bộ,chi_bo_truc_thuoc,D1\nC1,Chi bộ khác,chi_bo_truc_thuoc,D1\n",
    "C 1,Chi bộ,chi_bo_truc_thuoc,D1\n",
    "C1,,chi_bo_truc_thuoc,D1\n",
    "C1," + "ư" * (NAME_MAX_LENGTH + 1) + ",chi_bo_truc_thuoc,D1\n",
    "C" * 51 + ",Chi bộ,chi_bo_truc_thuoc,D1\n",
    "C1,Chi bộ\x00thôn 3,chi_bo_truc_thuoc,D1\n",
    "C1\x01,Chi bộ thôn 3,chi_bo_truc_thuoc,D1\n",
    "C1,Chi bộ thôn 3,chi_bo_truc_thuoc\x1b,D1\n",
]


@pytest.mark.parametrize("rows", BAD_ROWS, ids=range(len(BAD_ROWS)))
def test_a_workbook_is_refused_with_the_csv_files_messages_and_line_numbers(app, rows):
    text = HEADER + PROVINCE + rows
    from_csv = refused_problems(app, text.encode())
    assert from_csv and refused_problems(app, excel_written(text)) == from_csv
    assert all_units(app) == {}


def test_rows_are_numbered_as_in_the_sheet_and_empty_rows_are_skipped(app):
    rows = [*csv_rows(HEADER + PROVINCE), [], [None, "  ", None, None], ["C1", "Chi bộ", "chi_bo", "D1"]]
    assert refused_problems(app, workbook_bytes(rows))[0].startswith("dòng 7, cột level: ")
    rows[-1][2] = "chi_bo_truc_thuoc"
    assert imported(app, workbook_bytes(rows)).created == 4


def test_columns_may_come_in_any_order_and_blank_columns_after_them_are_ignored(app):
    def column_f_formatted(sheet):
        sheet["F2"].number_format = "@"  # formatted, empty: Excel keeps such cells
    rows = [["name", "code", "parent_code", "level", None], ["Tỉnh ủy", "TU", None, "tinh", "  "]]
    imported(app, workbook_bytes(rows, edit=column_f_formatted))
    assert all_units(app) == {"TU": ("Tỉnh ủy", "tinh", None)}


def test_text_is_read_as_typed_including_an_escape_excel_wrote_for_an_underscore(app):
    # Excel writes a typed "_x0041_" as "_x005F_x0041_" so that it is not read as "A".
    rows = [list(COLUMNS), ["TU", "  Tỉnh ủy _x005F_x0041_ ", "tinh", None]]
    imported(app, workbook_bytes(rows))
    assert all_units(app)["TU"][0] == "Tỉnh ủy _x0041_"


def cell_problem(app, value, column="code", number_format=None):
    """Put `value` in one cell of a good row and return the problems of the import."""
    def set_cell(sheet):
        cell = sheet.cell(row=3, column=COLUMNS.index(column) + 1, value=value)
        if number_format:
            cell.number_format = number_format
    return refused_problems(app, workbook_of(HEADER + PROVINCE, edit=set_cell))


@pytest.mark.parametrize(("value", "number_format", "expected"), [
    (1, "000", "dòng 3: cột code (ô A3) chứa số 1, không phải văn bản (Excel bỏ các chữ số 0 ở đầu: 001 thành 1); "
               "hãy định dạng cột là Văn bản (Text) rồi gõ lại"),
    (1.5, None, "dòng 3: cột code (ô A3) chứa số 1.5, không phải văn bản"),
    (dt.datetime(2025, 1, 2), "dd/mm/yyyy", "dòng 3: cột code (ô A3) chứa ngày hoặc giờ, không phải văn bản; "
                                            "hãy định dạng cột là Văn bản (Text) rồi gõ lại"),
    (True, None, "dòng 3: cột code (ô A3) chứa TRUE hoặc FALSE, không phải văn bản"),
    ('="H"&"1"', None, "dòng 3: cột code (ô A3) chứa công thức; hãy gõ chính giá trị, hoặc sao chép cột rồi dán "
                       "chỉ giá trị"),
    ("#N/A", None, "dòng 3: cột code (ô A3) chứa lỗi #N/A; hãy gõ chính giá trị"),
], ids=["number-001", "decimal", "date", "boolean", "formula", "error"])
def test_a_cell_that_is_not_text_is_refused_never_guessed(app, value, number_format, expected):
    problems = cell_problem(app, value, number_format=number_format)
    assert len(problems) == 1 and problems[0].startswith(expected), problems
    assert all_units(app) == {}


def test_a_number_in_the_parent_code_or_name_column_is_refused_too(app):
    assert cell_problem(app, 7, column="parent_code")[0].startswith("dòng 3: cột parent_code (ô D3) chứa số 7")
    assert cell_problem(app, 2025, column="name")[0].startswith("dòng 3: cột name (ô B3) chứa số 2025")


def test_merged_cells_are_refused_with_their_rows(app):
    def merge(sheet):
        sheet.merge_cells("D3:D4")
    problems = refused_problems(app, workbook_of(HEADER + PROVINCE + "C1,Chi bộ,chi_bo_truc_thuoc,D1\n", edit=merge))
    assert problems == ["dòng 3: các ô D3:D4 đang được gộp; hãy bỏ gộp ô và điền đủ từng ô",
                        "dòng 4, cột parent_code: đơn vị cấp “Đảng bộ cơ sở” phải có parent_code"], \
        "and what the merge left empty"


def test_a_value_outside_the_columns_is_refused(app):
    problems = refused_problems(app, workbook_bytes([list(COLUMNS), ["TU", "Tỉnh ủy", "tinh", None, "ghi chú"]]))
    assert problems == ["dòng 2: ô E2 nằm ngoài các cột code,name,level,parent_code; hãy xóa ô đó"]


def test_a_second_sheet_with_data_is_refused_and_empty_ones_are_not(app):
    two = workbook_of(HEADER + PROVINCE, more_sheets=[("Ghi chú", [["Cập nhật tháng 7"]])])
    assert refused_problems(app, two) == [
        "Tệp Excel có 2 trang tính có dữ liệu (Đơn vị, Ghi chú); hãy chỉ giữ lại trang tính danh sách đơn vị rồi "
        "thử lại."]
    assert all_units(app) == {}
    # Excel's Sheet2 and Sheet3, left empty, and the units on the second sheet.
    book = workbook_bytes([], sheet="Sheet1", more_sheets=[("Units", csv_rows(HEADER + PROVINCE)), ("Sheet3", [])])
    assert imported(app, book).created == 3


@pytest.mark.parametrize(("rows", "expected"), [
    ([], "Tệp Excel không có dữ liệu: dòng đầu tiên phải ghi tên các cột code,name,level,parent_code."),
    ([list(COLUMNS)], "Tệp không có đơn vị nào."),
    ([["code", "name", "level"], ["TU", "Tỉnh ủy", "tinh"]],
     "dòng 1: các cột phải là code,name,level,parent_code, có thể thêm cột nào trong "
     f"{','.join(OPTIONAL_COLUMNS)}, không phải code,name,level"),
    ([[None], ["code", "name", "level", "parent_code"]],
     "dòng 1: các cột phải là code,name,level,parent_code, có thể thêm cột nào trong "
     f"{','.join(OPTIONAL_COLUMNS)}, không phải —"),
], ids=["empty", "header-only", "missing-column", "header-not-in-row-1"])
def test_an_empty_sheet_or_a_wrong_header_is_refused(app, rows, expected):
    assert refused_problems(app, workbook_bytes(rows)) == [expected]


def zip_of(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def with_sheet_xml(raw, xml):
    """Return the workbook `raw` with its first sheet's XML replaced."""
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    files["xl/worksheets/sheet1.xml"] = xml
    return zip_of(files)


NOT_A_WORKBOOK = ("Tệp không phải là tệp Excel (.xlsx) đọc được. Hãy mở tệp trong Excel và lưu thành Sổ làm việc "
                  "Excel (.xlsx) hoặc “CSV UTF-8”.")
GOOD = workbook_of(HEADER + PROVINCE)


@pytest.mark.parametrize(("raw", "expected"), [
    (zip_of({"units.txt": HEADER + PROVINCE}), NOT_A_WORKBOOK),
    (GOOD[: len(GOOD) // 2], NOT_A_WORKBOOK),
    (with_sheet_xml(GOOD, b"<worksheet><sheetData><row>"), NOT_A_WORKBOOK),
    ((DATA / "units-password.xlsx").read_bytes(),
     "Tệp Excel được bảo vệ bằng mật khẩu nên không đọc được. Hãy mở tệp trong Excel, gỡ mật khẩu (Tệp, Thông "
     "tin, Bảo vệ Sổ làm việc) rồi lưu lại."),
    ((DATA / "units-old.xls").read_bytes(),
     "Tệp ở định dạng Excel cũ (.xls). Hãy lưu thành Sổ làm việc Excel (.xlsx) hoặc “CSV UTF-8” rồi thử lại."),
    (zip_of({"[Content_Types].xml": "", "padding": b"\0" * (65 * 1024 * 1024)}),
     "Tệp Excel quá lớn, không thể là một danh sách đơn vị: 65 MB khi giải nén, trong khi giới hạn là 64 MB."),
], ids=["zip-of-text", "truncated", "broken-xml", "password", "old-xls", "too-large-unpacked"])
def test_a_file_that_is_no_readable_workbook_is_refused_with_what_to_do(app, raw, expected):
    assert refused_problems(app, raw) == [expected]
    assert all_units(app) == {}


def test_the_import_command_takes_a_workbook_and_refuses_a_bad_one_without_a_traceback(app, runner, tmp_path):
    bad = tmp_path / "units.xlsx"
    bad.write_bytes(workbook_of(HEADER + PROVINCE, edit=lambda sheet: sheet.cell(row=3, column=1, value=1)))
    result = runner.invoke(args=["units", "import", str(bad)])
    assert (result.exit_code, result.exception.__class__) == (1, SystemExit), result.output
    assert result.output.splitlines()[:2] == ["Tệp bị từ chối; không có đơn vị nào bị thay đổi:",
                                              "  dòng 3: cột code (ô A3) chứa số 1, không phải văn bản (Excel bỏ các "
                                              "chữ số 0 ở đầu: 001 thành 1); hãy định dạng cột là Văn bản (Text) rồi "
                                              "gõ lại"]
    assert all_units(app) == {}


def test_the_template_is_one_sheet_of_text_columns_that_reads_back(app):
    buffer = io.BytesIO()
    with app.app_context():
        write_template(buffer)
        assert read_template_problem(buffer.getvalue()) == "Tệp không có đơn vị nào."
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames == ["Danh sách đơn vị"]
    sheet = book.active
    assert [cell.value for cell in sheet[1]] == [*COLUMNS, *CONTACT_COLUMNS]
    assert [sheet.column_dimensions[letter].number_format for letter in "ABCDEFGH"] == ["@"] * 8
    assert sheet.data_validations.dataValidation[0].formula1 == '"tinh,cap_huyen,dang_bo_co_so,chi_bo_co_so,' \
                                                               'chi_bo_truc_thuoc"'


def read_template_problem(raw):
    with pytest.raises(ImportRefused) as refused:
        read_unit_file(raw)
    return refused.value.problems[0]
