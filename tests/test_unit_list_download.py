"""The unit list as it stands, downloaded in the import's format (CSV and .xlsx), uploaded back unchanged:
nothing changes. And a file's problems listed all at once, each with its line."""

import csv
import io

import pytest
import sqlalchemy as sa
import xlsxwriter
from test_unit_upload import DISTRICT_MANAGER, managers, problems_of, snapshot, upload  # noqa: F401  (a fixture)
from workbooks import downloaded_workbook, workbook_bytes

from models import Unit, db
from units.list_rows import COLUMNS, LISTED_PROBLEMS, OPTIONAL_COLUMNS

pytestmark = pytest.mark.once

HEADER = list(COLUMNS + OPTIONAL_COLUMNS)
#: A contact as typed, its name one a spreadsheet would run as a formula.
CONTACT = ["@Nguyễn Thị Hoa", "Bí thư", "+84 912 345 678", "hoa.eakly@example.vn"]
#: Names a spreadsheet would run as formulas.
HOSTILE_NAMES = {"KP.EK.01": '=HYPERLINK("http://x","y")', "KP.EK.02": "+1", "KP.PA.01": "-Chi bộ",
                 "KP.PA.02": "@x"}


def downloaded_rows(response, extension):
    """Return the rows of a downloaded list, header first, as the import reads them."""
    if extension == "csv":
        assert response.status_code == 200 and response.mimetype == "text/csv"
        text = response.get_data().decode("utf-8")
        response.close()
        assert text.startswith("\ufeff"), "a BOM, so that Excel reads the accents"
        return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    sheet = downloaded_workbook(response).active
    return [[cell.value or "" for cell in row] for row in sheet.iter_rows()]


def make_hostile(app):
    with app.app_context():
        for code, name in HOSTILE_NAMES.items():
            db.session.scalar(sa.select(Unit).filter_by(code=code)).name = name
        unit = db.session.scalar(sa.select(Unit).filter_by(code="KP.EK"))
        unit.issuing_name, unit.issuing_code, unit.place = "Đảng ủy xã", "ĐU", "Ea Kly"
        unit.has_standing_committee = True
        unit.contact_name, unit.contact_role, unit.contact_phone, unit.contact_email = CONTACT
        db.session.commit()


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_current_list_downloads_in_the_import_format_and_uploads_back_changing_nothing(app, client, auth,
                                                                                          managers, extension):  # noqa: F811
    make_hostile(app)
    before = snapshot(app)
    auth.sign_in(DISTRICT_MANAGER[0])
    page = client.get("/admin/unit-list")
    assert f'href="/admin/unit-list/current.{extension}"' in page.text, "the upload page leads to it"
    response = client.get(f"/admin/unit-list/current.{extension}")
    assert response.headers["Content-Disposition"].endswith(f".{extension}")
    raw = response.get_data()
    rows = downloaded_rows(response, extension)
    assert rows[0] == HEADER
    codes = [row[0] for row in rows[1:]]
    assert codes[0] == "TU.KP" and set(codes) == {code for code in before if code.startswith("TU.KP") or
                                                    code.startswith("KP.")}, "the scope's units only"
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["TU.KP"][3] == "TU", "its own unit with its parent, outside the scope"
    assert by_code["KP.EK"][4:8] == ["Đảng ủy xã", "ĐU", "Ea Kly", "có"]
    # "+84 ..." would be a formula too: the CSV quotes it, the import drops the quote.
    quoted = [f"'{CONTACT[0]}", CONTACT[1], f"'{CONTACT[2]}", CONTACT[3]]
    assert by_code["KP.EK"][8:] == (quoted if extension == "csv" else CONTACT)
    assert by_code["KP.EK.01"][4:] == [""] * 8, "derived, and no contact: empty"
    for code, name in HOSTILE_NAMES.items():
        assert by_code[code][1] == (f"'{name}" if extension == "csv" else name), "never a live formula"
    if extension == "xlsx":
        book = downloaded_workbook(client.get("/admin/unit-list/current.xlsx"))
        cells = {row[0].value: row[1] for row in book.active.iter_rows(min_row=2)}
        assert all(cells[code].quotePrefix for code in HOSTILE_NAMES), "quote-prefixed, as the workbooks"
    again = upload(client, auth, raw, filename=f"don-vi.{extension}")
    assert again.status_code == 200, problems_of(again.text)
    assert "Không có gì thay đổi" in again.text and 'name="digest"' not in again.text
    assert snapshot(app) == before


def test_the_province_list_holds_the_province_and_a_viewer_cannot_download_it(app, client, auth, managers):  # noqa: F811
    auth.sign_in("btc")
    rows = downloaded_rows(client.get("/admin/unit-list/current.csv"), "csv")
    assert rows[1][:4] == ["TU", app_province_name(app), "tinh", ""]
    assert len(rows) - 1 == len(snapshot(app)), "every unit"
    viewer = app.test_client()
    auth.for_client(viewer).sign_in("krongpac")
    assert viewer.get("/admin/unit-list/current.csv").status_code == 403


def app_province_name(app):
    with app.app_context():
        return db.session.scalar(sa.select(Unit.name).filter_by(code="TU"))


def excel_written_cells(rows):
    """Return an .xlsx of `rows` as Excel writes one: numbers as numbers, control characters escaped."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    for row, values in enumerate(rows):
        for col, value in enumerate(values):
            sheet.write(row, col, value)
    book.close()
    return buffer.getvalue()


def test_every_problem_of_a_file_is_listed_at_once_with_its_line(app, client, auth, managers):  # noqa: F811
    before = snapshot(app)
    auth.sign_in(DISTRICT_MANAGER[0])
    rows = [list(COLUMNS),
            ["KP.EK.07", "Chi bộ thôn 7", "chi_bo", "KP.EK"],
            [7, "Chi bộ thôn 8", "chi_bo_truc_thuoc", "KP.EK"],
            ["KP.EK.09", "", "chi_bo_truc_thuoc", "KP.EK"],
            ["KP.EK.10", "Chi bộ\x01thôn 10", "chi_bo_truc_thuoc", "KP.EK"],
            ["KP.EK.11", "Chi bộ thôn 11", "chi_bo_truc_thuoc", "TU"]]
    refused = upload(client, auth, excel_written_cells(rows))
    assert refused.status_code == 422
    assert problems_of(refused.text) == [
        "dòng 3: cột code (ô A3) chứa số 7, không phải văn bản (Excel bỏ các chữ số 0 ở đầu: 001 thành 1); hãy "
        "định dạng cột là Văn bản (Text) rồi gõ lại",
        "dòng 5: cột name có ký tự điều khiển U+0001, không lưu được; hãy xóa ký tự đó",
        "dòng 2, cột level: cấp 'chi_bo' không hợp lệ; hãy ghi một trong các mã tinh, cap_huyen, dang_bo_co_so, "
        "chi_bo_co_so, chi_bo_truc_thuoc",
        "dòng 4, cột name: tên đơn vị bị bỏ trống",
        "dòng 6, cột parent_code: đơn vị cấp “Chi bộ trực thuộc đảng bộ cơ sở” phải trực thuộc đơn vị cấp “Đảng bộ "
        "cơ sở”, nhưng TU là “Tỉnh ủy” (chi bộ trực thuộc trực tiếp TU là “Chi bộ cơ sở”: ghi cấp chi_bo_co_so)",
        "dòng 6: đơn vị KP.EK.11 sẽ không còn thuộc TU.KP; parent_code phải là TU.KP hoặc một đơn vị thuộc TU.KP"]
    assert snapshot(app) == before


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_a_file_of_many_bad_lines_lists_the_first_and_counts_the_rest(app, client, auth, managers, extension):  # noqa: F811
    auth.sign_in(DISTRICT_MANAGER[0])
    bad = [[f"KP.EK.{n}", f"Chi bộ {n}", "chi_bo", "KP.EK"] for n in range(LISTED_PROBLEMS + 30)]
    if extension == "csv":
        raw = "\n".join(",".join(row) for row in [list(COLUMNS), *bad]).encode()
    else:
        raw = workbook_bytes([list(COLUMNS), *bad])
    refused = upload(client, auth, raw, filename=f"don-vi.{extension}")
    problems = problems_of(refused.text)
    assert len(problems) == LISTED_PROBLEMS + 1
    assert problems[0].startswith("dòng 2, cột level: cấp 'chi_bo' không hợp lệ")
    assert problems[-1] == ("… và 30 lỗi khác chưa liệt kê: hãy sửa các lỗi trên rồi tải tệp lên lại để xem "
                            "tiếp.")


def test_lines_with_the_wrong_number_of_columns_are_all_listed(app, client, auth, managers):  # noqa: F811
    auth.sign_in(DISTRICT_MANAGER[0])
    text = (",".join(COLUMNS) + "\nKP.EK.07,Chi bộ thôn 7,chi_bo_truc_thuoc\n"
            "KP.EK.08,Chi bộ, thôn 8,chi_bo_truc_thuoc,KP.EK\n")
    refused = upload(client, auth, text.encode(), filename="don-vi.csv")
    assert problems_of(refused.text) == ["dòng 2: cần có đúng 4 cột", "dòng 3: cần có đúng 4 cột"]
