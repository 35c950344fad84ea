"""A committee's consolidated draft, read back with python-docx: the base, each figure computed once across
levels as the workbook's totals are, the texts grouped and attributed, the annexes, hostile text, and who
may download which scope's draft.

The trees are those of tests/test_consolidation.py (both shapes of province), whose figures are known.
"""

import io
import time
from pathlib import Path

import docx
import openpyxl
import pytest
import sqlalchemy as sa
from answers import choose, store, stored_cell_answers
from docx.table import Table
from docx.text.paragraph import Paragraph
from pages import text_of
from test_consolidation import (
    CONFIG,
    DRAFTS,
    EXPECTED,
    NO_DATA,
    REPORTS,
    REPORTS_2025,
    TOTALS,
    UNITS,
    UNITS_2025,
    build_tree,
    totals_table,
)

from consolidation.source import ExportSource
from documents.consolidated import excerpt
from documents.consolidated_docx import write_consolidated_draft
from documents.layout import LAYOUT
from exports import write_workbook
from models import Unit, db

#: Each unit's comment: a committee's, and cells' of known lengths (C1's is long enough to be cut).
LONG = " ".join(f"Câu thứ {number} của chi bộ thôn 1 về nền nếp sinh hoạt." for number in range(1, 40))
COMMENTS = {
    "D1": "Huyện ủy Một tự đánh giá: nền nếp được giữ vững.", "D2": "Huyện ủy Hai: còn hình thức ở một số nơi.",
    "G1": "Đảng ủy xã Một: chi bộ thôn sinh hoạt đều.", "C1": LONG, "C2": "Chi bộ thôn 2: ngắn gọn.",
    "C4": "Chi bộ thôn 4 góp ý về sinh hoạt chuyên đề.", "C5": "Thôn 5.",
    "V1": "Chi bộ Văn phòng: chuyên đề cần chọn chủ đề sát thực tế hơn.",
}
HOSTILE = "=HYPERLINK(\"http://x\")</w:t><w:t>chèn</w:t> <script>alert(1)</script> & {{ 7*7 }} \u202e đảo\tcột"
SHAPES = {
    "seed": (UNITS, REPORTS, DRAFTS),
    "2025": (UNITS_2025, REPORTS_2025, {}),
}


def commented(reports):
    return {code: dict(answers, nhan_xet=COMMENTS.get(code, f"Ý kiến của {code}."))
            for code, answers in reports.items()}


def draft_of(app, code, path):
    """Write the consolidated draft of the unit `code` and read it back."""
    with app.app_context():
        scope = db.session.scalar(sa.select(Unit).filter_by(code=code))
        write_consolidated_draft(path, app.extensions["survey"], ExportSource(scope), scope)
    return docx.Document(path)


def blocks(document):
    """Return the body in order: a paragraph's text, or a table as its rows of cell texts."""
    found = []
    for element in document.element.body.iterchildren():
        if element.tag.endswith("}p"):
            found.append(Paragraph(element, document).text)
        elif element.tag.endswith("}tbl"):
            found.append([[cell.text for cell in row.cells] for row in Table(element, document).rows])
    return found


def table_starting(document, *header):
    """Return the rows (header first) of the first table whose header row starts with `header`."""
    for block in blocks(document):
        if isinstance(block, list) and tuple(block[0][:len(header)]) == header:
            return block
    raise AssertionError(f"no table starting with {header}")


def texts(document):
    return [block for block in blocks(document) if isinstance(block, str)]


def shown(value, rate=False):
    """Write a figure as the draft does: one decimal, a decimal comma, a rate in percent."""
    rounded = round(value, 1)
    text = str(int(rounded) if rounded == int(rounded) else rounded).replace(".", ",")
    return text + "%" if rate else text


def row_of(rows, first):
    return next(row for row in rows if row[0] == first)


@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_figure_is_the_workbooks_total_computed_once_across_levels(make_app, tmp_path, shape):
    units, reports, drafts = SHAPES[shape]
    app = build_tree(make_app(CONFIG), units, commented(reports), drafts)
    document = draft_of(app, "T", tmp_path / "draft.docx")
    with app.app_context():
        write_workbook(tmp_path / "book.xlsx", app.extensions["survey"], ExportSource())
    workbook = totals_table(openpyxl.load_workbook(tmp_path / "book.xlsx", data_only=True)[TOTALS])

    figures = table_starting(document, "Chỉ tiêu", "Tổng hợp", "Cách tính")
    assert figures[0] == ["Chỉ tiêu", "Tổng hợp", "Cách tính"], "the province reports nothing of its own"
    labels = {"so_dang_vien": "Số đảng viên", "so_chi_bo": "Số chi bộ trực thuộc", "ty_le": "Tỷ lệ dự sinh hoạt",
              "so_ky": "Số kỳ sinh hoạt bình quân"}
    for question, label in labels.items():
        expected, rate = workbook[""][question][0], question == "ty_le"
        if expected == NO_DATA:
            assert label not in [row[0] for row in figures], "a figure no unit gives is left out"
        else:
            assert row_of(figures, label)[1] == shown(expected * 100 if rate else expected, rate), question

    annex = table_starting(document, "Đơn vị", "Báo cáo đã gửi")
    assert annex[0][2:] == list(labels.values())
    for code, name in ((code, name) for code, name, level, parent in csv_rows(units) if parent == "T"
                       and level in ("cap_huyen", "dang_bo_co_so")):
        row = row_of(annex, name)
        assert row[1] == f"{workbook[code]['submitted']}/{workbook[code]['units']}", code
        for offset, question in enumerate(labels):
            value, rate = workbook[code][question][0], question == "ty_le"
            assert row[2 + offset] == ("" if value == NO_DATA else shown(value * 100 if rate else value, rate))


def csv_rows(units):
    return [line.split(",") for line in units.strip().splitlines()[1:]]


def test_the_seed_province_states_its_base_totals_shares_and_bands(make_app, tmp_path):
    app = build_tree(make_app(CONFIG), UNITS, commented(REPORTS), DRAFTS)
    document = draft_of(app, "T", tmp_path / "draft.docx")
    paragraphs = texts(document)
    assert any("tổng hợp từ 9/10 báo cáo (90%) của các đơn vị trực thuộc Tỉnh ủy" in text for text in paragraphs)
    assert "- Chi bộ trực thuộc đảng bộ cơ sở: 4/5 báo cáo (80%), 0 gửi muộn, 1 chưa gửi." in paragraphs
    assert any(text.startswith("- Cấp trên cơ sở") and text.endswith(": 2/2 báo cáo (100%), 0 gửi muộn, 0 chưa gửi.")
               for text in paragraphs[:12])

    figures = table_starting(document, "Chỉ tiêu")
    expected = EXPECTED[""]
    assert row_of(figures, "Số đảng viên")[1:] == [shown(expected["so_dang_vien"]), "cộng từ 5 chi bộ"]
    assert row_of(figures, "Số chi bộ trực thuộc")[1:] == ["5", "cộng từ 2 đảng bộ cơ sở"]
    assert row_of(figures, "Tỷ lệ dự sinh hoạt")[1:] == [
        shown(expected["ty_le"] * 100, rate=True),
        "bình quân của 5 chi bộ, theo “Số đảng viên” (thấp nhất 70%, cao nhất 100%)"]
    assert row_of(figures, "Số kỳ sinh hoạt bình quân")[1] == shown(57 / 5)
    assert table_starting(document, "Họp đủ 12 kỳ") == [
        ["Họp đủ 12 kỳ", "Số chi bộ chọn"], ["Có", "4/5 chi bộ (80%)"], ["Không", "1/5 chi bộ (20%)"]]
    assert table_starting(document, "Tỷ lệ") == [
        ["Tỷ lệ", "Số đơn vị"], ["dưới 70%", "0/5 chi bộ (0%)"], ["từ 70% đến dưới 80%", "1/5 chi bộ (20%)"],
        ["từ 80% đến dưới 90%", "1/5 chi bộ (20%)"], ["từ 90% đến dưới 95%", "1/5 chi bộ (20%)"],
        ["từ 95% trở lên", "2/5 chi bộ (40%)"]], "C4 70, C2 80, C1 90, C5 95 and V1 100; C3's draft is left out"
    assert "Năm thành lập" not in str(blocks(document)), "a figure that does not add up is not stated"


def test_a_committee_states_its_own_figures_beside_its_units_and_its_differences(make_app, tmp_path):
    app = build_tree(make_app(CONFIG), UNITS, commented(REPORTS), DRAFTS)
    document = draft_of(app, "D1", tmp_path / "draft.docx")
    figures = table_starting(document, "Chỉ tiêu")
    assert figures[0][3] == "Huyện ủy Một tự báo cáo"
    assert row_of(figures, "Số đảng viên")[1:] == ["35", "cộng từ 2 chi bộ", "40"]
    assert row_of(figures, "Tỷ lệ dự sinh hoạt")[1] == shown(3000 / 35, rate=True)
    assert row_of(figures, "Tỷ lệ dự sinh hoạt")[3] == "88%"

    missing = table_starting(document, "STT", "Đơn vị")
    assert missing[1:] == [["1", "Chi bộ thôn 3", "Chi bộ trực thuộc đảng bộ cơ sở", "Đảng bộ xã Một", "Bản nháp"]]
    differences = table_starting(document, "Cấp ủy", "Chỉ tiêu")
    assert ["Huyện ủy Một", "Số đảng viên", "40", "35", "5", "1"] in differences
    assert ["Đảng bộ xã Một", "Số đảng viên", "40", "35", "5", "1"] in differences
    whole = "\n".join(texts(document))
    assert "Huyện ủy Hai" not in whole and "Chi bộ thôn 4" not in str(blocks(document)), "only the scope's units"


def column_widths_mm(table):
    return [column.width.mm for column in table.columns]


def test_every_table_spans_the_text_width_whatever_its_columns(make_app, tmp_path):
    app = build_tree(make_app(CONFIG), UNITS, commented(REPORTS), DRAFTS)
    tables = draft_of(app, "D1", tmp_path / "draft.docx").tables[1:-1]  # the header and signature excepted
    assert {len(table.columns) for table in tables} >= {2, 4, 6}, "with and without the committee's own answers"
    for table in tables:
        widths = column_widths_mm(table)
        assert sum(widths) == pytest.approx(LAYOUT.text_width_mm, abs=0.1), widths
        numbered = table.rows[0].cells[0].text == "STT"  # a row's number needs no more than its digits
        assert min(widths[numbered:]) >= 20 and widths[0] >= LAYOUT.row_number_column_mm - 0.1, widths


def test_todays_shape_lists_the_cells_directly_under_the_province_and_each_difference(make_app, tmp_path):
    app = build_tree(make_app(CONFIG), UNITS_2025, commented(REPORTS_2025), {})
    document = draft_of(app, "T", tmp_path / "draft.docx")
    assert row_of(table_starting(document, "Chỉ tiêu"), "Số đảng viên")[1:3] == ["89", "cộng từ 5 chi bộ"]
    annex = table_starting(document, "Đơn vị", "Báo cáo đã gửi")
    assert [row[:3] for row in annex[1:]] == [
        ["Đảng ủy các cơ quan Đảng tỉnh", "4/4", "30"], ["Đảng bộ phường Tân Lợi", "3/3", "50"],
        ["Các chi bộ cơ sở trực thuộc Tỉnh ủy", "1/1", "9"]]
    differences = table_starting(document, "Cấp ủy", "Chỉ tiêu")
    assert differences[1:] == [["Đảng bộ phường Tân Lợi", "Số đảng viên", "52", "50", "2", "0"]]


def test_a_narrative_item_opens_with_the_committees_own_answer_then_what_its_units_say(make_app, tmp_path):
    app = build_tree(make_app(CONFIG), UNITS, commented(REPORTS), DRAFTS)
    province = texts(draft_of(app, "T", tmp_path / "province.docx"))
    start = province.index("Nhận xét")
    assert province[start + 1].startswith("5/5 chi bộ "), "the province reports nothing of its own"
    assert f"Huyện ủy Một: “{COMMENTS['D1']}”" not in province, "no committee's answer quoted whole any more"

    district = texts(draft_of(app, "D1", tmp_path / "district.docx"))
    start = district.index("Nhận xét")
    assert district[start + 1] == COMMENTS["D1"], "the committee's own answer opens the item, whole"
    assert district[start + 2].startswith("2/2 chi bộ "), "then its two cells that submitted"
    assert district[start + 3].startswith("1/1 đảng bộ cơ sở ")


@pytest.mark.parametrize(("text", "length", "expected"), [
    ("Ngắn.", 10, ("Ngắn.", False)),
    ("Một hai ba. Bốn năm sáu. Bảy.", 5, ("Một hai ba. …", True)),
    ("Một hai ba. Bốn năm sáu.", 14, ("Một hai ba. Bốn năm sáu.", False)),
    ("Dòng một\nDòng hai dài hơn nhiều", 4, ("Dòng một …", True)),
    ("chữ " * 200, 10, ("chữ " * 76 + "chữ …", True)),
])
def test_an_excerpt_ends_at_the_first_sentence_end_past_its_length(text, length, expected):
    assert excerpt(text, length) == expected


def test_hostile_text_stays_text(make_app, tmp_path):
    units = UNITS.replace("Chi bộ thôn 2", "Chi bộ <b>&amp; \"thôn\" 2")
    reports = commented(REPORTS)
    reports["G1"]["nhan_xet"] = reports["C2"]["nhan_xet"] = HOSTILE
    app = build_tree(make_app(CONFIG), units, reports, DRAFTS)
    chosen = choose(app, "G1", "C2", 0, len(HOSTILE) - 1, position=1)
    paragraphs = texts(draft_of(app, "G1", tmp_path / "draft.docx"))
    # As typed, but for the right-to-left override, which would reorder what the reader sees.
    shown = HOSTILE.replace("\u202e", "")
    assert shown in paragraphs, "the committee's own answer, as typed"
    assert f"Chi bộ <b>&amp; \"thôn\" 2: “{chosen.replace(chr(0x202e), '')}”" in paragraphs, "a chosen excerpt"


@pytest.fixture
def tree_accounts(make_app, auth):
    """The seed tree with a viewer of Huyện ủy Một and a manager of the province; return (app, auth for it)."""
    def make(**settings):
        app = build_tree(make_app(CONFIG, **settings), UNITS, commented(REPORTS), DRAFTS)
        runner = app.test_cli_runner()
        for name, scope, role in (("huyen1", "D1", "viewer"), ("btc", "T", "manager")):
            created = runner.invoke(args=["users", "create", name, "--scope", scope, "--role", role],
                                    input=f"{auth.password}\n{auth.password}\n")
            assert created.exit_code == 0, created.output
        return app, auth.for_client(app.test_client())
    return make


def downloaded_draft(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    try:
        return docx.Document(io.BytesIO(response.data))
    finally:
        response.close()


def test_a_viewer_downloads_the_draft_of_its_own_scope_marked_draft(tree_accounts):
    _app, auth = tree_accounts()
    auth.sign_in("huyen1")
    assert 'href="/admin/report.docx"' in auth.client.get("/admin/").text, "the dashboard links to it"
    response = auth.client.get("/admin/report.docx")
    assert "filename*=UTF-8''d%E1%BB%B1-th%E1%BA%A3o" in response.headers["Content-Disposition"]
    document = downloaded_draft(response)
    header = document.sections[0].first_page_header.paragraphs[0].text
    assert "DỰ THẢO" in header
    heading = blocks(document)[0]
    assert "HUYỆN ỦY MỘT" in heading[0][0] and "Số" in heading[0][0] and "-BC/HU" in heading[0][0]
    assert "BÁO CÁO" in texts(document)
    everything = str(blocks(document))
    assert "Huyện ủy Hai" not in everything and "Chi bộ thôn 4" not in everything


def test_a_large_scope_gets_its_draft_from_a_job_that_no_other_scope_can_reach(tree_accounts, auth, clock):
    app, btc = tree_accounts(EXPORT_STREAM_UNITS=0)
    clock.advance(minutes=1)
    btc.sign_in("btc")
    response = btc.client.get("/admin/report.docx")
    assert (response.status_code, response.headers["Location"]) == (303, "/admin/exports/1")
    deadline = time.monotonic() + 120
    while btc.client.get("/admin/exports/1/state").json["active"]:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    page = btc.client.get("/admin/exports/1")
    assert "Dự thảo đã sẵn sàng: 10 đơn vị" in text_of(page.text)
    assert 'href="/admin/exports/1.docx"' in page.text
    document = downloaded_draft(btc.client.get("/admin/exports/1.docx"))
    assert any("tổng hợp từ 9/10 báo cáo (90%)" in text for text in texts(document))
    assert btc.client.get("/admin/exports/1.xlsx").status_code == 404, "a draft is not a workbook"
    assert btc.client.get("/admin/report.docx").headers["Location"] == "/admin/exports/1", "nothing changed"
    workbook = btc.client.get("/admin/export.xlsx")
    assert workbook.headers["Location"] == "/admin/exports/2", "the workbook is a job of its own"

    viewer = auth.for_client(app.test_client())
    viewer.sign_in("huyen1")
    for url in ("/admin/exports/1", "/admin/exports/1.docx"):
        assert viewer.client.get(url).status_code == 404, url


def test_the_command_writes_a_scopes_draft_into_place(make_app, tmp_path):
    app = build_tree(make_app(CONFIG), UNITS, commented(REPORTS), DRAFTS)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["export", "docx", str(tmp_path / "d2.docx"), "--scope", "D2"])
    assert result.exit_code == 0, result.output
    assert "Đã ghi dự thảo báo cáo của Huyện ủy Hai" in result.output and "4/4 báo cáo" in result.output
    assert "HUYỆN ỦY HAI" in blocks(docx.Document(tmp_path / "d2.docx"))[0][0][0]
    result = runner.invoke(args=["export", "docx", str(tmp_path / "province.docx")])
    assert result.exit_code == 0 and "Tỉnh ủy" in result.output, result.output
    refused = runner.invoke(args=["export", "docx", str(tmp_path / "x.docx"), "--scope", "NOPE"])
    assert refused.exit_code != 0 and "NOPE" in refused.output
    missing = runner.invoke(args=["export", "docx", str(tmp_path / "no" / "x.docx")])
    assert missing.exit_code == 1 and "Không ghi được" in missing.output
    assert sorted(path.name for path in Path(tmp_path).iterdir() if path.suffix == ".docx") == ["d2.docx",
                                                                                               "province.docx"]


def test_a_draft_counts_the_reports_submitted_late(make_app, tmp_path, clock):
    app = build_tree(make_app(CONFIG), UNITS, commented(REPORTS), {})
    clock.after_last_day("chi_bo_truc_thuoc")
    store(app, "C3", dict(DRAFTS["C3"], nhan_xet="Gửi muộn."))
    paragraphs = texts(draft_of(app, "G1", tmp_path / "draft.docx"))
    assert "- Chi bộ trực thuộc đảng bộ cơ sở: 3/3 báo cáo (100%), 1 gửi muộn, 0 chưa gửi." in paragraphs
    assert "Tất cả các đơn vị đã gửi báo cáo." in paragraphs


def test_the_shipped_survey_gives_the_drafts_title_closing_recipients_and_the_contents_beside_the_main_one(
        app, client, auth, accounts):
    for code, focus in (("KP.EK.01", "quan_triet"), ("KP.EK.02", "thoi_su"), ("KP.PA.01", "quan_triet")):
        store(app, code, stored_cell_answers(noi_dung_tap_trung=focus, so_van_ban="7", nguoi_ky="Nguyễn Văn A"))
    auth.sign_in("krongpac")
    document = downloaded_draft(client.get("/admin/report.docx", query_string={"lang": "en"}))
    paragraphs = texts(document)
    assert paragraphs[:3] == ["BÁO CÁO", "tổng kết 10 năm thực hiện Chỉ thị số 10-CT/TW, ngày 30/3/2007",
                              "của Ban Bí thư về nâng cao chất lượng sinh hoạt chi bộ"], "Vietnamese, from the config"
    assert any(text.startswith("Trên đây là báo cáo tổng kết 10 năm") for text in paragraphs)
    signature = next(block for block in blocks(document) if isinstance(block, list) and "Nơi nhận:" in block[0][0])
    assert "- Ban Thường vụ Tỉnh ủy (báo cáo);\n- Ban Tổ chức Tỉnh ủy (tổng hợp);" in signature[0][0]
    assert "T/M BAN THƯỜNG VỤ\nBÍ THƯ" in signature[0][1]
    contents = table_starting(document, "Các nội dung trong một buổi sinh hoạt chi bộ thường kỳ")
    assert contents[0][1:] == ["Số chi bộ chọn", "Nội dung được tập trung nhiều nhất"]
    assert row_of(contents, "Quán triệt nghị quyết, chỉ thị, văn bản của cấp trên")[1:] == [
        "3/3 chi bộ (100%)", "2/3 chi bộ (66,7%)"]
    assert row_of(contents, "Thông tin thời sự, tình hình trong nước, địa phương")[1:] == [
        "3/3 chi bộ (100%)", "1/3 chi bộ (33,3%)"]
    everything = str(blocks(document))
    assert "Nguyễn Văn A" not in everything and "Thông tin văn bản" not in everything, "a document's details"
