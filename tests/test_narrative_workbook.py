"""The workbook's narrative sheets, read back with openpyxl: the key phrases per item and level group with
counts equal to those made by hand from the stored texts, the committee's chosen excerpts in its order (kept as
picked, marked when the source changed since), and the comments sheet's mark on exactly the copied answers.
Texts are saved through the real save path (tests/test_narrative_draft.py's tree)."""

import openpyxl
import sqlalchemy as sa
from answers import choose, store
from test_consolidation import REPORTS
from test_narrative_draft import CELL_TEXTS, COMMITTEE_TEXTS, HOSTILE, SHARED, stored_terms, tree_with_texts

from consolidation.source import ExportSource
from exports import write_workbook
from models import Unit, db
from plain_text import without_xml_unstorable

KEY_PHRASES, EXCERPTS, COMMENTS = "Cụm từ chính", "Trích dẫn đã chọn", "Ý kiến"


def workbook_of(app, path, scope=None):
    with app.app_context():
        unit = db.session.scalar(sa.select(Unit).filter_by(code=scope)) if scope else None
        write_workbook(path, app.extensions["survey"], ExportSource(unit))
    return openpyxl.load_workbook(path)


def rows_of(sheet):
    """Return the sheet's rows as dicts keyed by its header."""
    rows = list(sheet.iter_rows())
    headers = [cell.value for cell in rows[0]]
    return [dict(zip(headers, row, strict=True)) for row in rows[1:]]


def test_the_key_phrases_sheet_counts_what_each_level_group_wrote(make_app, tmp_path):
    app = tree_with_texts(make_app)
    rows = rows_of(workbook_of(app, tmp_path / "book.xlsx")[KEY_PHRASES])
    cells = [row for row in rows if row["Cấp"].value == "Chi bộ"]
    by_hand = {}
    for terms in stored_terms(app, list(CELL_TEXTS)).values():
        for term in terms:
            by_hand[term] = by_hand.get(term, 0) + 1
    assert cells, [row["Cấp"].value for row in rows]
    for row in cells:
        phrase, units = row["Cụm từ"].value, row["Số đơn vị nêu"].value
        assert (row["Mã câu hỏi"].value, row["Số đơn vị trả lời"].value) == ("nhan_xet", 5)
        assert units == by_hand[phrase], phrase
        assert row["Tỷ lệ"].value == units / 5 and row["Tỷ lệ"].number_format == "0.0%"
        assert row["Cách ghi trong báo cáo"].value.startswith(f"{units}/5 chi bộ (")
    phrases = {row["Cụm từ"].value: row["Số đơn vị nêu"].value for row in cells}
    assert phrases["sinh hoạt chuyên đề"] == sum("sinh hoạt chuyên đề" in text.lower()
                                                 for text in CELL_TEXTS.values()) == 4
    assert phrases["sinh hoạt định kỳ"] == 5 and "định kỳ" not in phrases, "inside a phrase as many units used"
    assert [row["Số đơn vị nêu"].value for row in cells] == sorted((row["Số đơn vị nêu"].value for row in cells),
                                                                   reverse=True)
    assert "nhận xét" not in phrases, "the question's own words"
    groups = {row["Cấp"].value: row["Số đơn vị trả lời"].value for row in rows}
    assert groups == {"Chi bộ": 5, "Đảng bộ cơ sở": 2, "Cấp trên cơ sở": 2}


def test_the_chosen_excerpts_sheet_lists_the_committees_choices_in_order_marked_when_changed(make_app, tmp_path):
    app = tree_with_texts(make_app, {"C2": HOSTILE + " " + SHARED})
    hostile = choose(app, "T", "C2", 0, len(HOSTILE), position=3, note="=cmd|' /C calc'!A0")
    first = choose(app, "T", "D2", 0, len(COMMITTEE_TEXTS["D2"]), position=1)
    corrected = choose(app, "T", "C1", 0, len(SHARED), position=2)
    choose(app, "D1", "C2", 0, 10, position=1)
    store(app, "C1", dict(REPORTS["C1"], nhan_xet="Chi bộ thôn 1 sửa lại báo cáo hoàn toàn khác."))
    rows = rows_of(workbook_of(app, tmp_path / "book.xlsx")[EXCERPTS])
    assert [[row[key].value for key in ("Mã câu hỏi", "Thứ tự", "Mã đơn vị", "Đơn vị", "Ý kiến đã sửa sau khi chọn")]
            for row in rows] == [
        ["nhan_xet", "1", "D2", "Huyện ủy Hai", "Không"], ["nhan_xet", "2", "C1", "Chi bộ thôn 1", "Có"],
        ["nhan_xet", "3", "C2", "Chi bộ thôn 2", "Không"]], "the province's only, in its order"
    assert [row["Đoạn trích"].value for row in rows[:2]] == [first, corrected], "kept as picked"
    passage, note = rows[2]["Đoạn trích"], rows[2]["Ghi chú"]
    assert passage.value == without_xml_unstorable(hostile) and passage.data_type == "s" and passage.quotePrefix
    assert "<script>alert(1)</script>" in passage.value
    assert note.value == "=cmd|' /C calc'!A0" and note.data_type == "s" and note.quotePrefix

    district = rows_of(workbook_of(app, tmp_path / "district.xlsx", scope="D1")[EXCERPTS])
    assert [(row["Mã đơn vị"].value, row["Đoạn trích"].value) for row in district] == [("C2", HOSTILE[:10])]


def test_the_comments_sheet_marks_exactly_the_copied_answers(make_app, tmp_path):
    app = tree_with_texts(make_app, {"G1": HOSTILE, "C1": CELL_TEXTS["C4"] + "  "})
    rows = rows_of(workbook_of(app, tmp_path / "book.xlsx")[COMMENTS])
    marks = {row["Mã đơn vị"].value: row["Bản sao"].value for row in rows if row["Mã câu hỏi"].value == "nhan_xet"}
    copied = {code: mark for code, mark in marks.items() if mark}
    assert sorted(copied) == ["C1", "C4", "C5", "V1"], "C1's differs by spacing alone"
    assert set(copied.values()) == {"Bản sao · nhóm 1 (4 đơn vị)"}
    hostile = next(row["Ý kiến"] for row in rows if row["Mã đơn vị"].value == "G1")
    assert hostile.value == without_xml_unstorable(HOSTILE) and hostile.data_type == "s" and hostile.quotePrefix
