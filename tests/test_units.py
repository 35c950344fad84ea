"""Importing the unit list: idempotent, all or nothing, and every bad line named."""

import codecs
import csv
import io
import math
import os

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from link_tokens import ALPHABET, new_link_token
from models import Response, Unit, db
from models.unit import NAME_MAX_LENGTH
from units import changes as unit_import
from units.changes import apply_plan, import_units, plan_import
from units.list_files import COLUMNS, ImportRefused

HEADER = "code,name,level,parent_code\n"
PROVINCE = "TU,Tỉnh ủy,tinh,\nH1,Huyện ủy Krông Pắc,cap_huyen,TU\nD1,Đảng bộ xã Ea Kly,dang_bo_co_so,H1\n"


def import_text(app, text, bom=False):
    raw = (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")
    with app.app_context():
        return import_units(raw)


def all_units(app):
    with app.app_context():
        return {u.code: (u.name, u.level, u.parent.code if u.parent else None)
                for u in db.session.scalars(sa.select(Unit))}


def test_import_creates_the_hierarchy_with_vietnamese_names(app):
    summary = import_text(app, HEADER + PROVINCE + 'C1,"Chi bộ thôn 3, xã Ea Kly ""mới""",chi_bo_truc_thuoc,D1\n',
                          bom=True)
    assert (summary.created, summary.updated) == (4, 0)
    units = all_units(app)
    assert units["C1"] == ('Chi bộ thôn 3, xã Ea Kly "mới"', "chi_bo_truc_thuoc", "D1")
    assert units["H1"] == ("Huyện ủy Krông Pắc", "cap_huyen", "TU")


def test_reimport_is_idempotent_and_updates_names_and_parents(app):
    import_text(app, HEADER + PROVINCE + "C1,Chi bộ thôn 3,chi_bo_truc_thuoc,D1\n")
    with app.app_context():
        token = db.session.scalar(sa.select(Unit.token).filter_by(code="C1"))
    again = import_text(app, HEADER + PROVINCE + "C1,Chi bộ thôn 3,chi_bo_truc_thuoc,D1\n")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    moved = import_text(app, HEADER + PROVINCE + "D2,Đảng bộ xã Hòa Đông,dang_bo_co_so,H1\n"
                        "C1,Chi bộ thôn 3 (mới),chi_bo_truc_thuoc,D2\n")
    assert (moved.created, moved.updated) == (1, 1)
    assert all_units(app)["C1"] == ("Chi bộ thôn 3 (mới)", "chi_bo_truc_thuoc", "D2")
    with app.app_context():
        assert db.session.scalar(sa.select(Unit.token).filter_by(code="C1")) == token


@pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="PostgreSQL's planner statistics")
def test_an_import_leaves_postgresql_statistics_of_every_unit_it_wrote(app, units):
    """Without them, PostgreSQL planned a province's progress count at twice the time until autovacuum came."""
    with app.app_context():
        counted = db.session.scalar(sa.select(sa.func.count()).select_from(Unit))
        estimated = db.session.scalar(sa.text("SELECT reltuples FROM pg_class WHERE oid = 'units'::regclass"))
    assert estimated == counted > 0


def test_reimport_never_deletes_a_unit(app):
    import_text(app, HEADER + PROVINCE + "C1,Chi bộ thôn 3,chi_bo_truc_thuoc,D1\n")
    import_text(app, HEADER + PROVINCE)
    assert "C1" in all_units(app)


@pytest.mark.parametrize(("lines", "bad_line", "fragment"), [
    ("C1,Chi bộ,chi_bo,D1\n", 5, "chi_bo"),
    ("C1,Chi bộ,chi_bo_truc_thuoc,NOPE\n", 5, "NOPE"),
    ("C1,Chi bộ,chi_bo_truc_thuoc,H1\n", 5, "H1"),
    ("C1,Chi bộ,chi_bo_truc_thuoc,C1\n", 5, "C1"),
    ("D1,Trùng mã,dang_bo_co_so,H1\n", 5, "D1"),
    ("C 1,Chi bộ,chi_bo_truc_thuoc,D1\n", 5, "C 1"),
    ("C1,,chi_bo_truc_thuoc,D1\n", 5, "tên đơn vị bị bỏ trống"),
    ("C1,Chi bộ,chi_bo_truc_thuoc,\n", 5, "parent_code"),
    ("T2,Tỉnh khác,tinh,TU\n", 5, "không có đơn vị cấp trên"),
    ("C1,Chi bộ,chi_bo_truc_thuoc,TU\n", 5, "ghi cấp chi_bo_co_so"),
    ("H2,Huyện ủy,cap_huyen,H1\n", 5, "phải trực thuộc đơn vị cấp “Tỉnh ủy”"),
    ("D2,Đảng bộ,dang_bo_co_so,D1\n", 5, "đơn vị cấp “Đảng bộ cơ sở” phải trực thuộc đơn vị cấp “Cấp trên cơ sở "
                                          "(huyện ủy, thành ủy, đảng ủy trực thuộc Tỉnh ủy)” hoặc “Tỉnh ủy”, nhưng D1 "
                                          "là “Đảng bộ cơ sở”"),
    ("C1,Chi bộ,chi_bo_co_so,D1\n", 5, "đơn vị cấp “Chi bộ cơ sở” phải trực thuộc"),
])
def test_a_bad_line_refuses_the_whole_file(app, lines, bad_line, fragment):
    text = HEADER + PROVINCE + lines + "C9,Chi bộ hợp lệ,chi_bo_truc_thuoc,D1\n"
    with pytest.raises(ImportRefused) as refused:
        import_text(app, text)
    problems = refused.value.problems
    assert problems and all(p.startswith(f"dòng {bad_line}") for p in problems), problems
    assert any(fragment in p for p in problems), problems
    assert all_units(app) == {}


@pytest.mark.parametrize("lines", [
    "D2,Đảng bộ phường Tân Lập,dang_bo_co_so,TU\nC2,Chi bộ tổ dân phố 3,chi_bo_truc_thuoc,D2\n",
    "C2,Chi bộ xã Ia Rvê,chi_bo_co_so,TU\n",
])
def test_grassroots_units_may_sit_directly_under_the_province(app, lines):
    summary = import_text(app, HEADER + PROVINCE + lines)
    assert summary.created == 3 + lines.count("\n")
    units = all_units(app)
    assert units["C2"][2] == ("D2" if "D2" in units else "TU")
    assert units["D1"] == ("Đảng bộ xã Ea Kly", "dang_bo_co_so", "H1"), "the seed's shape, in the same province"


def test_a_cell_directly_under_the_province_is_refused_with_its_line_and_the_level_it_needs(app):
    text = HEADER + PROVINCE + "C1,Chi bộ thôn 3,chi_bo_truc_thuoc,D1\nC2,Chi bộ xã Ia Rvê,chi_bo_truc_thuoc,TU\n"
    with pytest.raises(ImportRefused) as refused:
        import_text(app, text)
    assert refused.value.problems == [
        "dòng 6, cột parent_code: đơn vị cấp “Chi bộ trực thuộc đảng bộ cơ sở” phải trực thuộc đơn vị cấp “Đảng bộ "
        "cơ sở”, nhưng TU là “Tỉnh ủy” (chi bộ trực thuộc trực tiếp TU là “Chi bộ cơ sở”: ghi cấp chi_bo_co_so)"]
    assert all_units(app) == {}


def test_a_committee_moves_from_its_district_to_directly_under_the_province(app):
    """The province's list after June 2025: the district goes, its communes come up to the province."""
    import_text(app, HEADER + PROVINCE + "C1,Chi bộ thôn 3,chi_bo_truc_thuoc,D1\n")
    moved = import_text(app, HEADER + "D1,Đảng bộ xã Ea Kly,dang_bo_co_so,TU\n")
    assert (moved.created, moved.updated) == (0, 1)
    assert all_units(app)["D1"] == ("Đảng bộ xã Ea Kly", "dang_bo_co_so", "TU")
    assert all_units(app)["C1"][2] == "D1"


def test_a_cycle_between_committees_is_refused(app):
    import_text(app, HEADER + PROVINCE)
    with pytest.raises(ImportRefused):
        import_text(app, HEADER + "H1,Huyện ủy,cap_huyen,D1\nD1,Đảng bộ,dang_bo_co_so,H1\n")
    assert all_units(app)["H1"][2] == "TU"


def test_every_bad_line_is_listed(app):
    text = HEADER + PROVINCE + "A,x,bad,D1\nB,y,chi_bo_truc_thuoc,MISSING\nC,z,chi_bo_truc_thuoc,H1\n"
    with pytest.raises(ImportRefused) as refused:
        import_text(app, text)
    lines = {p.split(":")[0].split(",")[0] for p in refused.value.problems}
    assert lines == {"dòng 5", "dòng 6", "dòng 7"}


@pytest.mark.parametrize("raw", [
    b"code;name;level;parent_code\nTU;T\xe1\xbb\x89nh;tinh;\n",
    b"code,name,level,parent_code\nTU,T\xe1nh,tinh,\n",
    b"code,name,level,parent_code\n",
    b"code,name,level,parent_code\nTU,Tinh,tinh,,extra\n",
])
def test_malformed_files_are_refused(app, raw):
    with app.app_context(), pytest.raises(ImportRefused):
        import_units(raw)


def test_level_of_a_unit_with_answers_cannot_change(app):
    import_text(app, HEADER + PROVINCE + "C1,Chi bộ,chi_bo_co_so,H1\n")
    with app.app_context():
        unit = db.session.scalar(sa.select(Unit).filter_by(code="C1"))
        db.session.add(Response(unit=unit))
        db.session.commit()
    with pytest.raises(ImportRefused) as refused:
        import_text(app, HEADER + PROVINCE + "C1,Chi bộ,chi_bo_truc_thuoc,D1\n")
    assert refused.value.problems == [
        "dòng 5, cột level: đơn vị C1 đã có câu trả lời hoặc đã có đơn vị trực thuộc nên không thể đổi cấp"]
    assert all_units(app)["C1"] == ("Chi bộ", "chi_bo_co_so", "H1")


@pytest.mark.parametrize("shape", ["seed", "2025"])
def test_links_are_unguessable_and_distinct(app, demo_units_csv):
    import_text(app, demo_units_csv.read_text(encoding="utf-8"))
    with app.app_context():
        tokens = list(db.session.scalars(sa.select(Unit.token)))
    assert len(set(tokens)) == len(tokens)
    # 28 characters of 30 that do not look alike, from `secrets`: 137 bits, at least the 128 a link keeps.
    assert all(len(token) == 28 for token in tokens)
    used = set("".join(tokens))
    assert used == set(ALPHABET), "every character of the alphabet is drawn, and nothing else"
    assert not used & set("01OoIiLl"), "no look-alikes"
    assert 28 * math.log2(len(used)) >= 128


def test_import_command_reports_and_refuses(app, runner, tmp_path):
    good = tmp_path / "units.csv"
    good.write_text(HEADER + PROVINCE, encoding="utf-8-sig")
    result = runner.invoke(args=["units", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert result.output == "Đã tạo mới 3 đơn vị, cập nhật 0 đơn vị, giữ nguyên 0 đơn vị.\n"
    assert set(all_units(app)) == {"TU", "H1", "D1"}
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "X,Y,nowhere,\n", encoding="utf-8")
    result = runner.invoke(args=["units", "import", str(bad)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == "Tệp bị từ chối; không có đơn vị nào bị thay đổi:"
    assert "nowhere" in result.output
    assert set(all_units(app)) == {"TU", "H1", "D1"}


def test_links_command_prints_csv_with_working_links(runner, app, client, demo_units_csv):
    assert runner.invoke(args=["units", "import", str(demo_units_csv)]).exit_code == 0
    result = runner.invoke(args=["units", "links", "--base-url", "https://tongket.example.vn/"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert list(rows[0]) == ["code", "name", "level", "url"]
    by_code = {row["code"]: row for row in rows}
    assert by_code["KP.EK.02"]["name"] == 'Chi bộ buôn Krông Búk "A"'
    assert "TU" not in by_code, "the province reports nothing, so it gets no link"
    url = by_code["BMT.TL.03"]["url"]
    assert url.startswith("https://tongket.example.vn/s/")
    assert client.get(url.removeprefix("https://tongket.example.vn")).status_code == 200


#: Unit names that a spreadsheet would read as a formula: every start the workbooks neutralise that a
#: one-line name can hold (tab and line ends are refused by the import).
FORMULA_NAMES = ["=1+1", '=HYPERLINK("http://x.example","Chi bộ")', "+1+2", "-2+3", "@SUM(1;2)", "＝1+1", "＋1",
                 "－1", "＠SUM(1)", "{=1}", "=cmd|' /C calc'!A0"]


def links_csv(app, runner, names):
    """Import one cell per name under a grassroots committee and return `flask units links`' rows by code."""
    cells = "".join(f"C{number},{csv_field(name)},chi_bo_truc_thuoc,D1\n" for number, name in enumerate(names))
    import_text(app, HEADER + PROVINCE + cells)
    result = runner.invoke(args=["units", "links"])
    assert result.exit_code == 0, result.output
    return result.output, {row["code"]: row for row in csv.DictReader(io.StringIO(result.output))}


def csv_field(text):
    return '"' + text.replace('"', '""') + '"'


@pytest.mark.parametrize("name", FORMULA_NAMES)
def test_the_links_csv_writes_a_name_that_starts_like_a_formula_as_text(app, runner, name):
    _output, rows = links_csv(app, runner, [name])
    assert rows["C0"]["name"] == f"'{name}", "the apostrophe that makes a spreadsheet read it as text"
    assert rows["D1"]["name"] == "Đảng bộ xã Ea Kly", "other names as they are"


def test_codes_that_differ_only_by_case_are_refused_in_the_file_and_against_the_list(app):
    text = HEADER + PROVINCE + "C1,Chi bộ thôn 3,chi_bo_truc_thuoc,D1\nc1,Chi bộ thôn 4,chi_bo_truc_thuoc,D1\n"
    with pytest.raises(ImportRefused) as refused:
        import_text(app, text)
    assert refused.value.problems == [
        "dòng 6: mã c1 chỉ khác mã C1 (dòng 5) ở chữ hoa, chữ thường; Excel sẽ coi là một đơn vị"]
    assert all_units(app) == {}
    import_text(app, HEADER + PROVINCE)
    with pytest.raises(ImportRefused) as refused:
        import_text(app, HEADER + "d1,Đảng bộ xã Ea Kly mới,dang_bo_co_so,H1\n")
    assert refused.value.problems == [
        "dòng 2: mã d1 chỉ khác mã D1 (danh sách đơn vị) ở chữ hoa, chữ thường; Excel sẽ coi là một đơn vị"]
    assert set(all_units(app)) == {"TU", "H1", "D1"}


#: Control characters as people's tools put them in a file: NUL, a C0 control, escape, delete, a line break
#: inside quotes and a tab. None belongs in a one-line value.
CONTROLS = {"nul": "\x00", "soh": "\x01", "esc": "\x1b", "del": "\x7f", "newline": "\n", "tab": "\t"}


@pytest.mark.parametrize("column", COLUMNS)
@pytest.mark.parametrize("control", CONTROLS.values(), ids=CONTROLS.keys())
def test_a_control_character_in_the_unit_list_refuses_the_file_with_its_line(app, column, control):
    fields = {"code": "C1", "name": "Chi bộ thôn 3", "level": "chi_bo_truc_thuoc", "parent_code": "D1"}
    fields[column] = fields[column][:1] + control + fields[column][1:]
    line = ",".join(f'"{fields[name]}"' for name in COLUMNS)
    with pytest.raises(ImportRefused) as refused:
        import_text(app, HEADER + PROVINCE + line + "\n")
    last_line = 5 + (control == "\n")
    assert refused.value.problems == [
        f"dòng {last_line}: cột {column} có ký tự điều khiển U+{ord(control):04X}, không lưu được; hãy xóa ký tự đó"]
    assert all_units(app) == {}


def test_a_quote_that_never_closes_is_refused_with_the_line_it_opens_on(app):
    unclosed = 'C1,"Chi bộ thôn 3,chi_bo_truc_thuoc,D1\n' + "C2,Chi bộ thôn 4,chi_bo_truc_thuoc,D1\n" * 5000
    with pytest.raises(ImportRefused) as refused:
        import_text(app, HEADER + PROVINCE + unclosed)
    assert [problem.split(":")[0] for problem in refused.value.problems] == ["dòng 5"]
    assert "ngoặc kép" in refused.value.problems[0]


def test_the_import_command_refuses_a_control_character_without_a_traceback(app, runner, tmp_path):
    bad = tmp_path / "units.csv"
    bad.write_text(HEADER + PROVINCE + "C1,Chi bộ\x00thôn 3,chi_bo_truc_thuoc,D1\n", encoding="utf-8")
    result = runner.invoke(args=["units", "import", str(bad)])
    assert (result.exit_code, result.exception.__class__) == (1, SystemExit), result.output
    assert result.output.splitlines() == [
        "Tệp bị từ chối; không có đơn vị nào bị thay đổi:",
        "  dòng 5: cột name có ký tự điều khiển U+0000, không lưu được; hãy xóa ký tự đó"]
    assert all_units(app) == {}


@pytest.fixture
def impatient_app(make_app):
    """An app that gives up on a locked table after 0.2 s instead of 15 s."""
    return make_app(DATABASE_BUSY_TIMEOUT=0.2)


def hold_the_units_table(app):
    """Open a second connection that keeps others from writing units (readers go on), until it is closed."""
    with app.app_context():
        connection = db.engine.connect()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.execute(sa.text("LOCK TABLE units IN EXCLUSIVE MODE"))
    return connection


def test_a_database_error_during_the_import_says_so_without_a_traceback_or_tokens(impatient_app, tmp_path):
    runner = impatient_app.test_cli_runner()
    good = tmp_path / "units.csv"
    good.write_text(HEADER + PROVINCE, encoding="utf-8")
    holder = hold_the_units_table(impatient_app)
    try:
        result = runner.invoke(args=["units", "import", str(good)])
    finally:
        holder.close()
    assert (result.exit_code, result.exception.__class__) == (1, SystemExit), result.output
    lines = result.output.splitlines()
    assert lines[0] == "Cơ sở dữ liệu không nhận danh sách đơn vị; không có đơn vị nào bị thay đổi:", lines
    assert len(lines) == 2 and ("locked" in lines[1] or "lock timeout" in lines[1]), lines
    assert "Traceback" not in result.output and "INSERT" not in result.output and "parameters" not in result.output
    assert all_units(impatient_app) == {}
    assert runner.invoke(args=["units", "import", str(good)]).exit_code == 0, "once the lock is gone it imports"


def test_a_name_longer_than_its_column_is_refused_with_its_line(app):
    with pytest.raises(ImportRefused) as refused:
        import_text(app, HEADER + PROVINCE + "C1," + "ư" * (NAME_MAX_LENGTH + 1) + ",chi_bo_truc_thuoc,D1\n")
    assert refused.value.problems == [f"dòng 5, cột name: tên đơn vị dài quá {NAME_MAX_LENGTH} ký tự"]
    assert all_units(app) == {}


def test_the_longest_name_is_stored_and_found_whatever_its_folded_length(app, client, auth, runner):
    # Each of these folds into several characters (ﬃ gives ffi, ß ss, ﷺ eighteen letters), so the search form
    # of the longest name allowed is several times longer than the name.
    for repeated in ("ﬃ", "ß", "\ufdfa"):
        name = repeated * NAME_MAX_LENGTH
        import_text(app, HEADER + f"TU,{name},tinh,\nC1,{name},chi_bo_co_so,TU\n")
        assert all_units(app)["C1"] == (name, "chi_bo_co_so", "TU")
    create = runner.invoke(args=["users", "create", "btc", "--scope", "TU", "--role", "manager"],
                           input=f"{auth.password}\n{auth.password}\n")
    assert create.exit_code == 0, create.output
    auth.sign_in("btc")
    page = client.get("/admin/missing?search=" + "\ufdfa" * 3)
    assert page.status_code == 200 and "/admin/units/C1" in page.text


FOLDED_NAMES = [("Đảng bộ xã Ea Kly", "dang bo xa ea kly"), ("Chi bộ ﬃ ĐẠI", "chi bo ffi dai"),
                ("Chi bo\u0302\u0300 tho\u0302n", "chi bo thon"), ("ẞtraße Ǆ", "sstrasse dz")]


@pytest.mark.parametrize(("name", "folded"), FOLDED_NAMES)
@pytest.mark.parametrize("how", ["created", "renamed"])
def test_an_imported_name_is_folded_for_search_as_the_model_folds_it(app, name, folded, how):
    if how == "renamed":
        import_text(app, HEADER + PROVINCE + "C1,Chi bộ cũ,chi_bo_truc_thuoc,D1\n")
    import_text(app, HEADER + PROVINCE + f"C1,{name},chi_bo_truc_thuoc,D1\n")
    with app.app_context():
        assert db.session.scalar(sa.select(Unit.search_name).filter_by(code="C1")) == folded


@pytest.mark.parametrize("order", ["children first", "shuffled"])
def test_a_list_whose_units_come_before_their_parents_imports_whole(app, order):
    lines = (HEADER + PROVINCE + "C1,Chi bộ thôn 1,chi_bo_truc_thuoc,D1\nC2,Chi bộ cơ quan,chi_bo_co_so,TU\n"
             "H2,Huyện ủy Cư Kuin,cap_huyen,TU\nD2,Đảng bộ xã Dray Bhăng,dang_bo_co_so,H2\n"
             "C3,Chi bộ thôn 3,chi_bo_truc_thuoc,D2\n").splitlines()[1:]
    rows = lines[::-1] if order == "children first" else lines[3::2] + lines[::2] + lines[1:3:2]
    assert sorted(rows) == sorted(lines)
    summary = import_text(app, HEADER + "\n".join(rows) + "\n")
    assert summary.created == 8
    units = all_units(app)
    assert units["C3"] == ("Chi bộ thôn 3", "chi_bo_truc_thuoc", "D2")
    assert units["D2"][2] == "H2" and units["H2"][2] == "TU" and units["C2"][2] == "TU"


@pytest.mark.parametrize("taken", ["TU", "D1", "C2"])
def test_an_import_overtaken_halfway_leaves_no_unit_of_it(app, monkeypatch, taken):
    # A statement per unit, so that the clash comes after the units above it are written.
    monkeypatch.setattr(unit_import, "BATCH", 1)
    cells = "C1,Chi bộ thôn 1,chi_bo_truc_thuoc,D1\nC2,Chi bộ thôn 2,chi_bo_truc_thuoc,D1\n"
    raw = (HEADER + PROVINCE + cells).encode()
    with app.app_context():
        plan = plan_import(raw)
        with db.engine.begin() as other:  # another import, committed after this one's plan
            other.execute(sa.insert(Unit.__table__), {"code": taken, "name": "Khác", "search_name": "khac",
                                                      "level": "chi_bo_co_so", "token": new_link_token()})
        with pytest.raises(IntegrityError):
            apply_plan(plan)
        db.session.rollback()
        assert list(db.session.scalars(sa.select(Unit.code))) == [taken]
