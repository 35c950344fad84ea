"""The Organisation Committee's workbook, read back with openpyxl: values, types, formulas, safety."""

import datetime as dt
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from answers import LONG_TEXT_IDS, store, stored_cell_answers, stored_committee_answers

from consolidation.source import ExportSource
from downloads.workbooks import workbook_download
from exports import write_workbook
from models import Unit, db

VI_SHEETS = ["Tổng hợp số liệu", "Cộng theo cấp ủy", "Chênh lệch", "Ý kiến", "Cụm từ chính", "Trích dẫn đã chọn",
             "Tiến độ", "Báo cáo bị trả lại", "Thống kê", "Câu hỏi"]
EN_SHEETS = ["Figures", "Totals by committee", "Differences", "Comments", "Main key phrases", "Chosen excerpts",
             "Progress", "Returned reports", "Statistics", "Questions"]
(FIGURES, TOTALS, DIFFERENCES, COMMENTS, KEY_PHRASES, EXCERPTS, PROGRESS, RETURNED, STATISTICS,
 QUESTIONS) = VI_SHEETS
FIRST_DATA_ROW = 4  # 1-based: title, codes, labels, then units; the total row last
CELL_LEVELS = ("chi_bo_co_so", "chi_bo_truc_thuoc")


def export(app, tmp_path, scope_code=None, **options):
    """Write the workbook and return (openpyxl workbook, summary)."""
    path = tmp_path / f"export-{uuid.uuid4().hex}.xlsx"
    with app.app_context():
        scope = db.session.scalar(sa.select(Unit).filter_by(code=scope_code)) if scope_code else None
        summary = write_workbook(path, app.extensions["survey"], ExportSource(scope), **options)
    return openpyxl.load_workbook(path), summary


def table(sheet, header_row):
    """Return {header: column letter index} and the data rows below the header row, as cells."""
    headers = {cell.value: cell.column for cell in sheet[header_row] if cell.value is not None}
    return headers, list(sheet.iter_rows(min_row=header_row + 1))


def excel_text(value):
    """Read a string as Excel does: openpyxl leaves the OOXML escapes (_xHHHH_) in place."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda match: chr(int(match.group(1), 16)), value)


def figures_rows(book):
    sheet = book[FIGURES]
    codes = {cell.value: cell.column - 1 for cell in sheet[2] if cell.value}
    rows = list(sheet.iter_rows(min_row=FIRST_DATA_ROW))[:-1]
    return sheet, codes, {row[codes["code"]].value: row for row in rows}


@pytest.fixture
def province(app, units):
    store(app, "BMT.TL.01", stored_cell_answers())
    store(app, "BMT.TL.02", stored_cell_answers(so_dang_vien=31, ty_le_tham_du=80, da_lay_y_kien=False,
                                                ngay_thao_luan=None, noi_dung_sinh_hoat=["thoi_su", "phe_binh"],
                                                noi_dung_tap_trung="phe_binh"))
    store(app, "KP.EK.01", stored_cell_answers(so_dang_vien=12, linh_vuc="khac", linh_vuc__other="Hợp tác xã"))
    store(app, "KP.EK.02", stored_cell_answers(so_dang_vien=99), action="save")
    return units


def test_sheets_are_named_in_the_interface_language(app, province, tmp_path):
    assert export(app, tmp_path)[0].sheetnames == VI_SHEETS
    assert export(app, tmp_path, language="en")[0].sheetnames == EN_SHEETS


def test_figures_have_one_row_per_unit_in_hierarchy_order(app, province, tmp_path):
    book, summary = export(app, tmp_path)
    sheet, codes, rows = figures_rows(book)
    order = list(rows)
    assert summary.units == len(order) == 26, "every reporting unit, the province itself left out"
    assert order.index("TU.BMT") < order.index("BMT.HT") < order.index("BMT.HT.01") < order.index("BMT.TL")
    assert order.index("BMT.TL") < order.index("BMT.TL.01") < order.index("BMT.VP") < order.index("TU.KCQ")
    row = rows["BMT.TL.01"]
    assert row[codes["above_grassroots"]].value == "Thành ủy Buôn Ma Thuột"
    assert row[codes["grassroots"]].value == "Đảng bộ phường Tân Lợi"
    assert row[codes["grassroots_code"]].value == "BMT.TL"
    assert sheet.freeze_panes == "G4"
    assert sheet.auto_filter.ref.startswith("A3:") and sheet.auto_filter.ref.endswith(str(sheet.max_row - 1))


#: The committees that get a row on the totals sheet (a grassroots cell is its own figure).
COMMITTEE_LEVELS = ("cap_huyen", "dang_bo_co_so")


def submit_cells(app, hierarchy, units):
    """Submit a report for every cell, each with its own number of members; return members by code."""
    members = {}
    for number, code in enumerate(hierarchy.in_order(), start=10):
        if units[code].level in CELL_LEVELS:
            store(app, code, stored_cell_answers(so_dang_vien=number))
            members[code] = number
    return members


@pytest.mark.parametrize("shape", ["seed", "2025"])
def test_every_sheet_places_each_unit_under_its_committees(app, units, hierarchy, tmp_path):
    submit_cells(app, hierarchy, units)
    book, _ = export(app, tmp_path)
    order = hierarchy.in_order()

    def committees(code):
        district = hierarchy.ancestor_at(code, ("cap_huyen",))
        grassroots = hierarchy.ancestor_at(code, ("dang_bo_co_so", "chi_bo_co_so"))
        return district, hierarchy.name(district), grassroots, hierarchy.name(grassroots)

    _sheet, codes, rows = figures_rows(book)
    assert list(rows) == order
    for code, row in rows.items():
        placed = [row[codes[key]].value
                  for key in ("above_grassroots_code", "above_grassroots", "grassroots_code", "grassroots")]
        assert placed == list(committees(code)), code
    headers, progress = table(book[PROGRESS], 1)
    assert [headers[key] for key in ("Cấp trên cơ sở", "Đảng bộ, chi bộ cơ sở", "Mã đơn vị")] == [1, 2, 3]
    assert [row[2].value for row in progress] == order
    for row in progress:
        _d, district, _g, grassroots = committees(row[2].value)
        assert [row[0].value, row[1].value] == [district, grassroots], row[2].value  # None: an empty cell
    headers, comments = table(book[COMMENTS], 1)
    place = [headers[key] - 1 for key in ("Cấp trên cơ sở", "Đảng bộ, chi bộ cơ sở", "Mã đơn vị")]
    answered = [row for row in comments if row[headers["Mã câu hỏi"] - 1].value == "dac_diem_tinh_hinh"]
    assert [row[place[2]].value for row in answered] == [c for c in order if units[c].level in CELL_LEVELS]
    for row in answered:
        _d, district, _g, grassroots = committees(row[place[2]].value)
        assert [row[place[0]].value, row[place[1]].value] == [district, grassroots]


@pytest.mark.parametrize("shape", ["seed", "2025"])
def test_totals_list_each_committee_once_with_the_units_under_it(app, units, hierarchy, tmp_path):
    members = submit_cells(app, hierarchy, units)
    path = tmp_path / "totals.xlsx"
    with app.app_context():
        write_workbook(path, app.extensions["survey"], ExportSource())
    values = openpyxl.load_workbook(path, data_only=True)[TOTALS]
    headers = [cell.value for cell in values[1]]
    column = next(i for i, h in enumerate(headers) if h and h.startswith("so_dang_vien\n"))
    rows = [[cell.value for cell in row] for row in values.iter_rows(min_row=2)]
    committees = [c for c in hierarchy.in_order() if units[c].level in COMMITTEE_LEVELS]
    assert [row[1] for row in rows[:-1]] == committees, "each committee once, in hierarchy order"
    for row in rows[:-1]:
        subtree = hierarchy.in_order(row[1])
        assert row[0] == units[row[1]].name
        assert row[3:5] == [len(subtree), sum(code in members for code in subtree)], row[1]
        assert row[column] == sum(members.get(code, 0) for code in subtree), row[1]
    assert rows[-1][0] == "Toàn bộ" and rows[-1][3] == len(hierarchy.in_order())
    assert rows[-1][column] == sum(members.values())


def test_figures_are_typed_for_adding_up(app, province, tmp_path):
    book, _ = export(app, tmp_path)
    _sheet, codes, rows = figures_rows(book)
    row = rows["BMT.TL.01"]
    assert row[codes["so_dang_vien"]].value == 25 and row[codes["so_dang_vien"]].data_type == "n"
    assert row[codes["ty_le_tham_du"]].value == pytest.approx(0.925)
    assert "%" in row[codes["ty_le_tham_du"]].number_format
    assert row[codes["so_chuyen_de"]].value == 2.5
    assert row[codes["ngay_thao_luan"]].value == dt.datetime(2027, 4, 2)
    assert row[codes["da_lay_y_kien"]].value == 1 and rows["BMT.TL.02"][codes["da_lay_y_kien"]].value == 0
    assert row[codes["linh_vuc"]].value == "Xã, thôn, bản (nông thôn)"
    assert rows["KP.EK.01"][codes["linh_vuc"]].value == "Khác"
    assert rows["KP.EK.01"][codes["linh_vuc__other"]].value == "Hợp tác xã"
    assert row[codes["noi_dung_sinh_hoat.thoi_su"]].value == 1
    assert row[codes["noi_dung_sinh_hoat.dan_van"]].value == 0
    assert "Tự phê bình và phê bình" in row[codes["noi_dung_sinh_hoat"]].value
    assert rows["BMT.TL.01"][codes["status"]].value == "Đã gửi"
    assert rows["KP.EK.02"][codes["so_dang_vien"]].value is None, "a draft's answers are not counted"
    assert rows["BMT.HT.01"][codes["status"]].value == "Chưa mở"


def test_a_committees_counts_and_a_cells_own_figures_have_their_columns(app, units, tmp_path):
    store(app, "BMT.TL.01", stored_cell_answers(chu_de_hieu_qua="khac", chu_de_hieu_qua__other="Chuyển đổi số"))
    store(app, "BMT.TL", stored_committee_answers())
    book, _ = export(app, tmp_path)
    _sheet, codes, rows = figures_rows(book)
    cell, committee = rows["BMT.TL.01"], rows["BMT.TL"]
    assert committee[codes["so_ky_sinh_hoat_binh_quan"]].value == 11.5
    assert committee[codes["so_chi_bo_du_12_ky"]].value == 6
    assert committee[codes["so_chi_bo_chuyen_de_hang_quy"]].value == 5
    assert committee[codes["so_buoi_sinh_hoat"]].value is None and committee[codes["noi_dung_tap_trung"]].value is None
    assert cell[codes["so_buoi_sinh_hoat"]].value == 12 and cell[codes["so_chi_bo_du_12_ky"]].value is None
    assert committee[codes["chu_de_hieu_qua"]].value == "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"
    other = cell[codes["chu_de_hieu_qua"]].value, cell[codes["chu_de_hieu_qua__other"]].value
    assert other == ("Khác", "Chuyển đổi số")


def test_comments_are_grouped_by_question_then_unit(app, province, tmp_path):
    book, _ = export(app, tmp_path)
    headers, rows = table(book[COMMENTS], 1)
    question_col, unit_col, answer_col = headers["Mã câu hỏi"] - 1, headers["Mã đơn vị"] - 1, headers["Ý kiến"] - 1
    questions = [row[question_col].value for row in rows]
    assert questions == sorted(questions, key=list(LONG_TEXT_IDS).index)
    first_block = [row[unit_col].value for row in rows if row[question_col].value == "dac_diem_tinh_hinh"]
    assert first_block == ["BMT.TL.01", "BMT.TL.02", "KP.EK.01"]
    answer = rows[0][answer_col]
    assert answer.value == "Ý kiến về “dac_diem_tinh_hinh”." and answer.alignment.wrap_text


@pytest.mark.parametrize(("length", "pieces"), [(32767, 1), (32768, 2), (100000, 4)])
def test_long_answers_continue_on_the_next_rows(app, units, tmp_path, length, pieces):
    text = ("Đảng viên góp ý. " * 7000)[:length - 1] + "Z"
    store(app, "BMT.TL.01", stored_cell_answers(uu_diem=text))
    book, summary = export(app, tmp_path)
    headers, rows = table(book[COMMENTS], 1)
    parts = [row for row in rows if row[headers["Mã câu hỏi"] - 1].value == "uu_diem"]
    assert len(parts) == pieces
    assert "".join(row[headers["Ý kiến"] - 1].value for row in parts) == text
    assert summary.split_answers == (pieces > 1)
    labels = [row[headers["Phần"] - 1].value for row in parts]
    if pieces == 1:
        assert labels == [None], "an answer in one cell needs no part number: its cell is left empty"
    else:
        assert labels == [f"1/{pieces}"] + [f"tiếp theo, {n}/{pieces}" for n in range(2, pieces + 1)]


def test_emoji_count_double_against_the_cell_limit(app, units, tmp_path):
    text = "😀" * 20000
    store(app, "BMT.TL.01", stored_cell_answers(uu_diem=text))
    book, _summary = export(app, tmp_path)
    headers, rows = table(book[COMMENTS], 1)
    parts = [row[headers["Ý kiến"] - 1].value for row in rows if row[headers["Mã câu hỏi"] - 1].value == "uu_diem"]
    assert "".join(parts) == text and len(parts) == 2


HOSTILE = [
    "=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "＝1+1", "{=1+1}", '=HYPERLINK("http://x","y")',
    "http://example.com/" + "a" * 2100, "_x0041_", "emoji 😀🇻🇳", "[]:*?/\\",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_what_units_typed_stays_text(app, units, tmp_path, hostile):
    store(app, "BMT.TL.01", stored_cell_answers(uu_diem=hostile, chuyen_de_hieu_qua=hostile))
    book, _ = export(app, tmp_path)
    _sheet, codes, rows = figures_rows(book)
    short = rows["BMT.TL.01"][codes["chuyen_de_hieu_qua"]]
    assert excel_text(short.value) == hostile and short.data_type == "s" and short.hyperlink is None
    headers, comment_rows = table(book[COMMENTS], 1)
    comment = next(row[headers["Ý kiến"] - 1] for row in comment_rows
                   if row[headers["Mã câu hỏi"] - 1].value == "uu_diem")
    assert excel_text(comment.value) == hostile and comment.data_type == "s"
    if hostile[0] in "=+-@\t＝{":
        assert short.quotePrefix and comment.quotePrefix


def test_control_characters_are_dropped_and_the_rest_kept(app, units, tmp_path):
    store(app, "BMT.TL.01", stored_cell_answers(uu_diem="Trước\x01\x07giữa\x1fsau\ufffe hết"))
    book, _ = export(app, tmp_path)
    headers, rows = table(book[COMMENTS], 1)
    texts = [row[headers["Ý kiến"] - 1].value for row in rows if row[headers["Mã câu hỏi"] - 1].value == "uu_diem"]
    assert texts == ["Trướcgiữasau hết"]


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","y")', "Chi bộ [A]:*?/\\ thôn 3", "-Chi bộ"])
def test_unit_names_are_user_input_too(app, units, tmp_path, name):
    with app.app_context():
        db.session.execute(sa.update(Unit).filter_by(code="BMT.TL.01").values(name=name))
        db.session.commit()
    book, _ = export(app, tmp_path)
    _sheet, codes, rows = figures_rows(book)
    cell = rows["BMT.TL.01"][codes["name"]]
    assert cell.value == name and cell.data_type == "s"
    progress_names = [row[3].value for row in book[PROGRESS].iter_rows(min_row=2)]
    assert name in progress_names


def test_progress_lists_every_unit_and_marks_overdue(app, units, tmp_path, clock):
    clock.after_last_day("cap_huyen")
    store(app, "BMT.TL.01", stored_cell_answers())
    book, _ = export(app, tmp_path)
    headers, rows = table(book[PROGRESS], 1)
    by_code = {row[headers["Mã đơn vị"] - 1].value: row for row in rows}
    assert len(by_code) == 26
    late = by_code["BMT.TL.01"][headers["Tình trạng"] - 1]
    assert late.value == "Gửi muộn"
    overdue = by_code["BMT.TL.02"][headers["Tình trạng"] - 1]
    assert overdue.value == "Quá hạn" and overdue.fill.fgColor.rgb.endswith("F8CBAD")
    assert by_code["BMT.TL.01"][headers["Các phiên bản"] - 1].value == 1
    last_day = clock.survey.last_day("chi_bo_truc_thuoc")
    assert by_code["BMT.TL.02"][headers["Hạn nộp"] - 1].value == dt.datetime.combine(last_day, dt.time())


def test_statistics_and_charts(app, province, tmp_path):
    path = tmp_path / "stats.xlsx"
    with app.app_context():
        write_workbook(path, app.extensions["survey"], ExportSource())
    sheet = openpyxl.load_workbook(path)[STATISTICS]
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    start = next(i for i, row in enumerate(cells) if row[0] and str(row[0]).startswith("so_dang_vien —"))
    assert cells[start + 2][1:5] == [3, 12, pytest.approx((25 + 31 + 12) / 3), 31]
    with app.app_context():
        types = [question.type for question in app.extensions["survey"].outline_questions()]
    # One chart of the mean per district for each percentage (two districts answered), one per choice question
    # of the outline (the document's details have none).
    expected = types.count("percentage") + sum(t in ("single_choice", "multiple_choice", "yes_no") for t in types)
    assert expected >= 2 and len(sheet._charts) == expected


def test_retired_questions_keep_their_answers(app, units, tmp_path):
    store(app, "BMT.TL.01", stored_cell_answers(cau_hoi_cu="Câu trả lời cũ"))
    book, summary = export(app, tmp_path)
    assert summary.retired_questions == ("cau_hoi_cu",)
    _sheet, codes, rows = figures_rows(book)
    assert rows["BMT.TL.01"][codes["cau_hoi_cu"]].value == "Câu trả lời cũ"
    dictionary = [row[0].value for row in book[QUESTIONS].iter_rows(min_row=2)]
    assert "cau_hoi_cu" in dictionary and "ty_le_tham_du" in dictionary


def test_scope_limits_the_export_to_a_subtree(app, province, tmp_path):
    book, _summary = export(app, tmp_path, scope_code="TU.KP")
    _sheet, _codes, rows = figures_rows(book)
    assert set(rows) == {"TU.KP", "KP.PA", "KP.PA.01", "KP.PA.02", "KP.EK", "KP.EK.01", "KP.EK.02", "KP.BV"}
    book, _ = export(app, tmp_path, scope_code="KP.EK")
    assert set(figures_rows(book)[2]) == {"KP.EK", "KP.EK.01", "KP.EK.02"}


def test_queries_do_not_grow_with_the_number_of_units(make_app, tmp_path):
    counts = []
    for units in (60, 400):
        app = make_app()
        with app.app_context():
            for table_name in ("revisions", "responses", "units"):
                db.session.execute(sa.text(f"DELETE FROM {table_name}"))
            db.session.commit()
        demo = app.test_cli_runner().invoke(args=["demo", "--units", str(units)])
        assert demo.exit_code == 0, demo.output
        statements = []

        def count(_connection, _cursor, statement, *_args, seen=statements):
            seen.append(statement)

        with app.app_context():
            sa.event.listen(db.engine, "before_cursor_execute", count)
            summary = write_workbook(tmp_path / f"{units}.xlsx", app.extensions["survey"], ExportSource())
            sa.event.remove(db.engine, "before_cursor_execute", count)
        assert summary.units == units - 1, "every unit but the province is written"
        counts.append(len(statements))
    assert counts[0] == counts[1] > 0


BUON_MA_THUOT = ["TU.BMT", "BMT.HT", "BMT.HT.01", "BMT.HT.02", "BMT.TL", "BMT.TL.01", "BMT.TL.02", "BMT.TL.03",
                 "BMT.VP"]


def test_export_command(runner, province, tmp_path):
    path = tmp_path / "cli.xlsx"
    result = runner.invoke(args=["export", "xlsx", str(path), "--scope", "TU.BMT"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"Đã ghi 9 đơn vị vào {path}.",
        "0 câu trả lời dài hơn sức chứa của một ô Excel và được ghi tiếp ở các dòng sau của trang Ý kiến."]
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == VI_SHEETS
    _sheet, codes, rows = figures_rows(book)
    assert list(rows) == BUON_MA_THUOT
    assert [rows[code][codes["so_dang_vien"]].value for code in ("BMT.TL.01", "BMT.TL.02")] == [25, 31]
    bad = runner.invoke(args=["export", "xlsx", str(path), "--scope", "NOPE"])
    assert bad.exit_code == 2, bad.output
    assert bad.output.splitlines()[-1] == "Error: Invalid value for --scope: không có đơn vị nào mang mã NOPE"


#: A file size limit every write of the command hits past it (SQLite's shared-memory file needs 32 KB).
FILE_SIZE_LIMIT = 32 * 1024


def limit_file_size():
    """Make writes past FILE_SIZE_LIMIT fail with EFBIG, as they fail with ENOSPC on a full disk (the
    signal that would kill the process instead is ignored). Runs in the child, before the command."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))


def database_url_for_a_command(app):
    """Return a DATABASE_URL that reaches the test's database, its PostgreSQL schema included."""
    url = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    options = app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}).get("connect_args", {}).get("options")
    if options:
        url = url.update_query_dict({"options": options})
    return url.render_as_string(hide_password=False)


def test_export_command_on_a_full_disk_keeps_the_previous_file_and_leaves_nothing(app, runner, province, tmp_path):
    folder, system_tmp = tmp_path / "out", tmp_path / "system-tmp"
    folder.mkdir()
    system_tmp.mkdir()
    path = folder / "tong-ket.xlsx"
    assert runner.invoke(args=["export", "xlsx", str(path)]).exit_code == 0
    previous = path.read_bytes()
    assert len(previous) > FILE_SIZE_LIMIT, "the new workbook, as large, cannot be written"
    env = {**os.environ, "DATABASE_URL": database_url_for_a_command(app), "SECRET_KEY": "test-secret",
           "TMPDIR": str(system_tmp)}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "export", "xlsx", str(path)],
                            cwd=Path(__file__).resolve().parent.parent, env=env, preexec_fn=limit_file_size,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"Error: Không ghi được {path}: File too large. Không có gì bị thay đổi: tệp đã có ở đó (nếu có) vẫn giữ "
        "nguyên.")
    assert path.read_bytes() == previous
    assert os.listdir(folder) == [path.name], "no temporary file beside it"
    assert os.listdir(system_tmp) == [], "none of XlsxWriter's in the system's temporary folder"


def test_a_download_that_fails_leaves_no_temporary_file(app, province, tmp_path, monkeypatch):
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    # A report stored when the number of members was free text (before a config edit): the export raises.
    store(app, "KP.EK.01", stored_cell_answers(so_dang_vien="hai mươi lăm"))
    with app.test_request_context(), app.app_context(), pytest.raises(TypeError):
        workbook_download(app.extensions["survey"], db.session.scalar(sa.select(Unit).filter_by(code="TU.KP")))
    assert list(system_tmp.iterdir()) == [], "neither the half-written file nor XlsxWriter's"


def test_download_offers_a_vietnamese_safe_file_name(app, province):
    with app.test_request_context(), app.app_context():
        scope = db.session.scalar(sa.select(Unit).filter_by(code="TU.KP"))
        response = workbook_download(app.extensions["survey"], scope)
        response.direct_passthrough = False
        body = response.get_data()
        response.close()
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''t%E1%BB%95ng-k%E1%BA%BFt" in disposition
    assert "Huy%E1%BB%87n-%E1%BB%A7y-Kr%C3%B4ng-P%E1%BA%AFc" in disposition
    assert "filename=tong-ket-chi-thi-10_Huyen-uy-Krong-Pac_" in disposition
    assert body[:2] == b"PK"


@pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="PostgreSQL's statement_timeout")
def test_an_export_outlasts_the_time_limit_set_for_pages(make_app, tmp_path):
    """DATABASE_STATEMENT_TIMEOUT keeps a page's stuck statement from holding a worker; a province's
    export reads for longer than any page, and must not be cut off by it."""
    # A small province: the sleeps below, not its size, stand for a province's long reads.
    make_app().test_cli_runner().invoke(args=["demo", "--units", "260"])
    # Far longer than any statement takes on a loaded machine (a limit of 1 ms cut the export's own SET
    # LOCAL), far shorter than the sleeps that stand for a province's reads.
    tight = make_app(DATABASE_STATEMENT_TIMEOUT=0.2)
    sleep = sa.text("SELECT pg_sleep(0.4)")
    with tight.app_context():
        with pytest.raises(sa.exc.OperationalError, match="statement timeout"):
            db.session.execute(sleep)
        db.session.rollback()
        assert ExportSource().count() == 259, "every unit but the province"
        db.session.execute(sleep)  # the export's transaction reads without the pages' limit
        db.session.rollback()
    path = tmp_path / "province.xlsx"
    result = tight.test_cli_runner().invoke(args=["export", "xlsx", str(path)])
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(path, read_only=True).sheetnames == VI_SHEETS
