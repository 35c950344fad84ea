"""Committees' and the scope's figures from a small tree of known figures: each member counted once.

The tree (seed shape): district D1 reports 40 members; under it grassroots committee G1 reports 40,
with cells of 20, 15 and 5 members, the last one only a draft. District D2 reports 25; under it G2
reports 18 with cells of 10 and 8, and the grassroots cell V1 has 7.
"""

import shutil
import subprocess
import uuid
from pathlib import Path

import openpyxl
import pytest
from answers import store

from consolidation.rules import differs
from consolidation.source import ExportSource
from exports import write_workbook
from exports.columns import Column
from schema import ConfigError, load_survey
from units.changes import import_units

CONFIG = Path(__file__).parent / "data" / "consolidation.yaml"
UNITS = """code,name,level,parent_code
T,Tỉnh ủy,tinh,
D1,Huyện ủy Một,cap_huyen,T
G1,Đảng bộ xã Một,dang_bo_co_so,D1
C1,Chi bộ thôn 1,chi_bo_truc_thuoc,G1
C2,Chi bộ thôn 2,chi_bo_truc_thuoc,G1
C3,Chi bộ thôn 3,chi_bo_truc_thuoc,G1
D2,Huyện ủy Hai,cap_huyen,T
G2,Đảng bộ xã Hai,dang_bo_co_so,D2
C4,Chi bộ thôn 4,chi_bo_truc_thuoc,G2
C5,Chi bộ thôn 5,chi_bo_truc_thuoc,G2
V1,Chi bộ Văn phòng,chi_bo_co_so,D2
"""
#: Each unit's own answers: members, cells under it, attendance rate, meetings, founding year, all 12 held.
REPORTS = {
    "D1": dict(so_dang_vien=40, so_chi_bo=3, ty_le=88, so_ky=11.5, nam_thanh_lap=1975),
    "G1": dict(so_dang_vien=40, so_chi_bo=3, ty_le=88, so_ky=11.5, nam_thanh_lap=1976),
    "C1": dict(so_dang_vien=20, ty_le=90, so_ky=12, nam_thanh_lap=1980, hop_du=True),
    "C2": dict(so_dang_vien=15, ty_le=80, so_ky=11, nam_thanh_lap=1981, hop_du=False),
    "D2": dict(so_dang_vien=25, so_chi_bo=3, ty_le=86.4, so_ky=12, nam_thanh_lap=1975),
    "G2": dict(so_dang_vien=18, so_chi_bo=2, ty_le=81.5, so_ky=12, nam_thanh_lap=1977),
    "C4": dict(so_dang_vien=10, ty_le=70, so_ky=12, nam_thanh_lap=1985, hop_du=True),
    "C5": dict(so_dang_vien=8, ty_le=95, so_ky=12, nam_thanh_lap=1986, hop_du=True),
    "V1": dict(so_dang_vien=7, ty_le=100, so_ky=10, nam_thanh_lap=1990, hop_du=True),
}
DRAFTS = {"C3": dict(so_dang_vien=5, ty_le=100, so_ky=12, hop_du=True)}

#: What the committees' figures must be: cells' members added once, rates weighted by members.
EXPECTED = {
    "D1": dict(so_dang_vien=35, so_chi_bo=3, ty_le=(0.90 * 20 + 0.80 * 15) / 35, so_ky=11.5, hop_du=1),
    "G1": dict(so_dang_vien=35, so_chi_bo=3, ty_le=(0.90 * 20 + 0.80 * 15) / 35, so_ky=11.5, hop_du=1),
    "D2": dict(so_dang_vien=25, so_chi_bo=2, ty_le=(0.70 * 10 + 0.95 * 8 + 1.0 * 7) / 25, so_ky=34 / 3, hop_du=3),
    "G2": dict(so_dang_vien=18, so_chi_bo=2, ty_le=(0.70 * 10 + 0.95 * 8) / 18, so_ky=12, hop_du=2),
    "": dict(so_dang_vien=60, so_chi_bo=5, ty_le=(18 + 12 + 7 + 7.6 + 7) / 60, so_ky=57 / 5, hop_du=4),
}
FIGURES, TOTALS, DIFFERENCES = "Tổng hợp số liệu", "Cộng theo cấp ủy", "Chênh lệch"
#: What a figure says when no unit that counts has answered.
NO_DATA = "chưa có số liệu"


def build_tree(app, units=UNITS, reports=REPORTS, drafts=DRAFTS):
    """Import a unit list into the app's database and store its reports (submitted) and drafts; return the app."""
    with app.app_context():
        import_units(units.encode())
    for code, answers in reports.items():
        store(app, code, answers)
    for code, answers in drafts.items():
        store(app, code, answers, action="save")
    return app


@pytest.fixture
def tree(make_app):
    return build_tree(make_app(CONFIG))


def export(app, path, **options):
    with app.app_context():
        write_workbook(path, app.extensions["survey"], ExportSource(**options))
    return path


def totals_table(sheet):
    """Return {committee code ('' for the whole scope): {question code: (units' figure, own answer)}}."""
    headers = [cell.value for cell in sheet[1]]
    table = {}
    for row in sheet.iter_rows(min_row=2, values_only=True):
        code = row[1] or ""
        figures = {}
        for index, header in enumerate(headers):
            if header and "\n" in header and not header.endswith(("số liệu tự báo cáo", "own answer")):
                figures[header.split("\n")[0]] = (row[index], row[index + 1])
        table[code] = dict(figures, units=row[3], submitted=row[4], missing=row[5])
    return table


def assert_expected_figures(table):
    for code, expected in EXPECTED.items():
        for question, figure in expected.items():
            value = table[code][question][0]
            if figure is None:
                assert value == NO_DATA, (code, question, value)
            else:
                assert value == pytest.approx(figure), (code, question, value, figure)


def test_each_member_is_counted_once_and_rates_are_weighted_by_members(tree, tmp_path):
    book = openpyxl.load_workbook(export(tree, tmp_path / "book.xlsx"), data_only=True)
    table = totals_table(book[TOTALS])
    assert_expected_figures(table)
    assert table["D1"]["so_dang_vien"][1] == 40, "the committee's own answer stands beside"
    assert "nam_thanh_lap" not in table, "a figure that does not add up gets no total"
    assert (table["D1"]["units"], table["D1"]["submitted"], table["D1"]["missing"]) == (5, 4, 1)
    assert (table[""]["units"], table[""]["submitted"], table[""]["missing"]) == (10, 9, 1)
    assert table["G1"]["hop_du"][0] == 1, "a yes/no total is a count of units"


def test_the_totals_are_formulas_over_the_units_that_count(tree, tmp_path):
    path = export(tree, tmp_path / "book.xlsx")
    formulas = openpyxl.load_workbook(path)
    figures = formulas[FIGURES]
    codes = {cell.value: openpyxl.utils.get_column_letter(cell.column) for cell in figures[2] if cell.value}
    counted = codes["counted:cap_huyen+dang_bo_co_so+chi_bo_co_so+chi_bo_truc_thuoc"]
    rows = {row[1].value: row for row in formulas[TOTALS].iter_rows(min_row=2)}
    headers = [cell.value for cell in formulas[TOTALS][1]]
    members = next(i for i, header in enumerate(headers) if header and header.startswith("so_dang_vien\n"))
    sheet = f"'{FIGURES}'!"
    members_column = f"{sheet}${codes['so_dang_vien']}$4:${codes['so_dang_vien']}$1048576"
    criteria = (f'{sheet}${codes["grassroots_code"]}$4:${codes["grassroots_code"]}$1048576,"G1",'
                f"{sheet}${counted}$4:${counted}$1048576,1,{sheet}${codes['submitted']}$4:${codes['submitted']}$1048576,1")
    assert rows["G1"][members].value == (
        f'=IF(COUNTIFS({members_column},"<>",{criteria})=0,"{NO_DATA}",SUMIFS({members_column},{criteria}))')
    cells = {row[0].value: row for row in figures.iter_rows(min_row=4) if row[0].value}
    by_code = {row[int(openpyxl.utils.column_index_from_string(codes["code"])) - 1].value: row
               for row in figures.iter_rows(min_row=4)}
    flag = openpyxl.utils.column_index_from_string(counted) - 1
    assert [code for code, row in by_code.items() if code and row[flag].value == 1] == \
        ["C1", "C2", "C3", "C4", "C5", "V1"], "the cells count for members, never the committees"
    assert cells, "the figures sheet has unit rows"


def test_the_total_row_of_the_figures_sheet_counts_like_the_totals(tree, tmp_path):
    path = export(tree, tmp_path / "book.xlsx")
    sheet = openpyxl.load_workbook(path)[FIGURES]
    cached = openpyxl.load_workbook(path, data_only=True)[FIGURES]
    codes = {cell.value: cell.column for cell in sheet[2] if cell.value}
    total = sheet.max_row
    assert sheet.cell(total, codes["so_dang_vien"]).value.startswith("=IF(SUMPRODUCT(SUBTOTAL(103,OFFSET(")
    for question, figure in EXPECTED[""].items():
        assert cached.cell(total, codes[question]).value == pytest.approx(figure), question


def test_the_differences_sheet_lists_each_committee_whose_own_figure_differs(tree, tmp_path):
    book = openpyxl.load_workbook(export(tree, tmp_path / "book.xlsx"), data_only=True)
    rows = list(book[DIFFERENCES].iter_rows(min_row=2, values_only=True))
    found = {(row[0], row[3]): (row[5], row[6], row[7], row[8]) for row in rows}
    assert found[("D1", "so_dang_vien")] == (40, 35, 5, 1), "own, units', difference, not submitted"
    assert found[("G1", "so_dang_vien")] == (40, 35, 5, 1)
    assert found[("D2", "so_chi_bo")] == (3, 2, 1, 0)
    assert found[("G1", "ty_le")][:2] == pytest.approx((0.88, 3000 / 35 / 100))
    assert ("D2", "so_dang_vien") not in found and ("G2", "so_dang_vien") not in found, "equal figures agree"
    assert ("D2", "ty_le") not in found, "86.4% reported, 86.4% computed"


@pytest.mark.parametrize(("kind", "total", "own", "computed", "flagged"), [
    ("decimal", "mean", 3.2, 3.25, False), ("decimal", "mean", 3.3, 3.25, False),
    ("decimal", "mean", 3.19, 3.25, True), ("percent", "mean", 0.864, 0.8645, False),
    ("percent", "mean", 0.863, 0.8645, True), ("integer", "sum", 40, 40, False), ("integer", "sum", 40, 39, True),
])
def test_a_mean_rounded_either_way_to_one_decimal_is_not_a_difference(kind, total, own, computed, flagged):
    column = Column("q", "q", kind, lambda record: None, total=total)
    assert differs(own, computed, column) is flagged


def test_drafts_shown_in_the_figures_are_still_not_counted(tree, tmp_path):
    book = openpyxl.load_workbook(export(tree, tmp_path / "book.xlsx", include_drafts=True), data_only=True)
    assert_expected_figures(totals_table(book[TOTALS]))


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_recalculates_the_totals_after_a_hand_correction(tree, tmp_path):
    path = export(tree, tmp_path / "book.xlsx")
    book = openpyxl.load_workbook(path)
    figures = book[FIGURES]
    codes = {cell.value: cell.column for cell in figures[2] if cell.value}
    c1 = next(row[0].row for row in figures.iter_rows(min_row=4) if row[codes["code"] - 1].value == "C1")
    figures.cell(c1, codes["so_dang_vien"]).value = 21
    # openpyxl keeps formulas without their cached values: only a recalculation gives figures back.
    book.save(tmp_path / "corrected.xlsx")
    out = tmp_path / "recalculated"
    profile = tmp_path / f"lo-profile-{uuid.uuid4().hex}"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "xlsx",
                    "--outdir", str(out), str(tmp_path / "corrected.xlsx")], check=True, capture_output=True,
                   timeout=180)
    recalculated = openpyxl.load_workbook(out / "corrected.xlsx", data_only=True)
    table = totals_table(recalculated[TOTALS])
    assert table["D1"]["so_dang_vien"][0] == 36 and table[""]["so_dang_vien"][0] == 61
    assert table["D1"]["ty_le"][0] == pytest.approx((0.90 * 21 + 0.80 * 15) / 36)
    total = recalculated[FIGURES].max_row
    assert recalculated[FIGURES].cell(total, codes["so_dang_vien"]).value == 61


@pytest.mark.parametrize(("old", "new", "fragments"), [
    ("consolidate: mean, weight: so_dang_vien", "consolidate: sum", ["questions[2].consolidate:", "mean, none"]),
    ("weight: so_dang_vien", "weight: so_dang_vien_x", ["question 'ty_le'.weight:", "'so_dang_vien_x'"]),
    ("weight: so_dang_vien", "weight: so_chi_bo", ["question 'ty_le'.weight:", "'so_chi_bo'"]),
    ("weight: so_dang_vien", "weight: nhan_xet", ["question 'ty_le'.weight:", "'nhan_xet'"]),
    ("label: {vi: Số đảng viên}}", "label: {vi: Số đảng viên}, weight: so_ky}", ["questions[0].weight:", "mean"]),
    ("consolidate: none}", "consolidate: average}", ["questions[4].consolidate:", "sum, mean, none"]),
    ("label: {vi: Họp đủ 12 kỳ}", "label: {vi: Họp đủ 12 kỳ}\n        consolidate: sum", ["questions[5].consolidate:"]),
])
def test_a_consolidation_rule_the_loader_cannot_follow_is_refused(tmp_path, old, new, fragments):
    text = CONFIG.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / "survey.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_survey(path)
    assert any(all(fragment in problem for fragment in fragments) for problem in refused.value.problems), \
        refused.value.problems


def test_numbers_consolidate_by_their_types_default_unless_the_config_says_otherwise():
    questions = load_survey(CONFIG).questions
    assert (questions["so_dang_vien"].consolidate, questions["so_ky"].consolidate) == ("sum", "mean")
    assert (questions["ty_le"].consolidate, questions["ty_le"].weight) == ("mean", "so_dang_vien")
    assert questions["nam_thanh_lap"].consolidate is None and questions["nhan_xet"].consolidate is None


def test_statistics_keep_cells_and_committees_apart_and_read_as_a_report_does(tree, tmp_path):
    sheet = openpyxl.load_workbook(export(tree, tmp_path / "book.xlsx"))["Thống kê"]
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]

    def block(question_id, rows):
        start = next(i for i, row in enumerate(cells) if row[0] and str(row[0]).startswith(f"{question_id} —"))
        return [[value for value in row if value is not None] for row in cells[start + 1:start + 2 + rows]]

    header, *groups = block("so_dang_vien", 3)
    assert header[:5] == ["Cấp", "Số trả lời", "Nhỏ nhất", "Trung bình", "Lớn nhất"]
    assert groups == [
        ["Chi bộ", 5, 7, pytest.approx(12), 20],
        ["Đảng bộ cơ sở", 2, 18, pytest.approx(29), 40],
        ["Cấp trên cơ sở", 2, 25, pytest.approx(32.5), 40],
    ], "the draft's 5 members are left out; committees are never averaged with cells"
    header, yes, no = block("hop_du", 2)
    assert header[:4] == ["Lựa chọn", "Chi bộ: Số đơn vị", "Chi bộ: Tỷ lệ", "Chi bộ: Cách ghi trong báo cáo"]
    assert yes[:4] == ["Có", 4, pytest.approx(0.8), "4/5 chi bộ (80%)"]
    assert no[:4] == ["Không", 1, pytest.approx(0.2), "1/5 chi bộ (20%)"]


#: Today's shape: a committee directly under the province with a grassroots committee under it, a ward
#: committee and a grassroots cell directly under the province.
UNITS_2025 = """code,name,level,parent_code
T,Tỉnh ủy,tinh,
CQ,Đảng ủy các cơ quan Đảng tỉnh,cap_huyen,T
G3,Đảng bộ Văn phòng Tỉnh ủy,dang_bo_co_so,CQ
C6,Chi bộ Phòng Hành chính,chi_bo_truc_thuoc,G3
C7,Chi bộ Phòng Tổng hợp,chi_bo_truc_thuoc,G3
X,Đảng bộ phường Tân Lợi,dang_bo_co_so,T
C8,Chi bộ tổ dân phố 1,chi_bo_truc_thuoc,X
C9,Chi bộ tổ dân phố 2,chi_bo_truc_thuoc,X
V2,Chi bộ xã Ia Rvê,chi_bo_co_so,T
"""
REPORTS_2025 = {
    "CQ": dict(so_dang_vien=30, so_chi_bo=2), "G3": dict(so_dang_vien=30, so_chi_bo=2),
    "C6": dict(so_dang_vien=18, ty_le=90), "C7": dict(so_dang_vien=12, ty_le=100),
    "X": dict(so_dang_vien=52, so_chi_bo=2), "C8": dict(so_dang_vien=30, ty_le=80), "C9": dict(so_dang_vien=20),
    "V2": dict(so_dang_vien=9, ty_le=70),
}


def test_todays_shape_counts_each_member_once_and_lists_each_committee_once(make_app, tmp_path):
    app = build_tree(make_app(CONFIG), UNITS_2025, REPORTS_2025, {})
    book = openpyxl.load_workbook(export(app, tmp_path / "book.xlsx"), data_only=True)
    table = totals_table(book[TOTALS])
    assert list(table) == ["CQ", "G3", "X", ""], "each committee once; a ward under the province stands alone"
    members = {code: figures["so_dang_vien"][0] for code, figures in table.items()}
    assert members == {"CQ": 30, "G3": 30, "X": 50, "": 18 + 12 + 30 + 20 + 9}
    assert {code: figures["so_chi_bo"][0] for code, figures in table.items()} == {"CQ": 2, "G3": 2, "X": 2, "": 4}
    assert table[""]["ty_le"][0] == pytest.approx((0.9 * 18 + 1.0 * 12 + 0.8 * 30 + 0.7 * 9) / 69)
    differences = {(row[0], row[3]): row[7] for row in book[DIFFERENCES].iter_rows(min_row=2, values_only=True)}
    assert differences == {("X", "so_dang_vien"): 2}


def recalculated_by_libreoffice(path, tmp_path):
    """Return the workbook as LibreOffice computes it anew: openpyxl saves it without the cached values."""
    openpyxl.load_workbook(path).save(tmp_path / "uncached.xlsx")
    out, profile = tmp_path / "recalculated", tmp_path / f"lo-profile-{uuid.uuid4().hex}"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "xlsx",
                    "--outdir", str(out), str(tmp_path / "uncached.xlsx")], check=True, capture_output=True,
                   timeout=180)
    return openpyxl.load_workbook(out / "uncached.xlsx", data_only=True)


#: A committee of each shape, its own count of members, and its cells' (the units that count for members).
COMMITTEE_UNDER_TEST = {
    "seed": (UNITS, "G1", 40, {"C1": 20, "C2": 15, "C3": 5}),
    "2025": (UNITS_2025, "X", 52, {"C8": 30, "C9": 20}),
}


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("shape", ["seed", "2025"])
@pytest.mark.parametrize("submitted", ["none", "some", "all"])
def test_a_committee_whose_units_have_not_submitted_has_no_figure_not_a_flagged_zero(make_app, tmp_path, shape,
                                                                                     submitted):
    units, committee, own, cells = COMMITTEE_UNDER_TEST[shape]
    sent = {"none": [], "some": list(cells)[:1], "all": list(cells)}[submitted]
    reports = {committee: dict(so_dang_vien=own, so_chi_bo=len(cells), ty_le=90, so_ky=12),
               **{code: dict(so_dang_vien=cells[code], ty_le=80, so_ky=11, hop_du=True) for code in sent}}
    path = export(build_tree(make_app(CONFIG), units, reports, {}), tmp_path / "book.xlsx")
    cached = openpyxl.load_workbook(path, data_only=True)
    members = totals_table(cached[TOTALS])[committee]["so_dang_vien"]
    figure = sum(cells[code] for code in sent) if sent else NO_DATA
    assert members == (figure, own), "the units' figure beside the committee's own"
    if not sent:  # every figure its cells give (the cells under it are the committee's own answer: it counts)
        figures = totals_table(cached[TOTALS])[committee]
        assert [figures[question][0] for question in ("so_dang_vien", "ty_le", "so_ky", "hop_du")] == [NO_DATA] * 4
    differences = {(row[0], row[3]): row[5:8] for row in cached[DIFFERENCES].iter_rows(min_row=2, values_only=True)}
    listed = differences.get((committee, "so_dang_vien"))
    assert listed == (None if figure in (NO_DATA, own) else (own, figure, own - figure)), \
        "the differences sheet lists it exactly when the totals sheet marks it: a number that differs"

    recalculated = recalculated_by_libreoffice(path, tmp_path)
    assert totals_table(recalculated[TOTALS]) == totals_table(cached[TOTALS]), \
        "LibreOffice's formulas give what the workbook caches, no data included"
    assert list(recalculated[FIGURES].iter_rows(values_only=True))[-1] == \
        list(cached[FIGURES].iter_rows(values_only=True))[-1], "and so does the figures sheet's total row"
