"""The consolidated draft's narrative items, read back with python-docx: the committee's chosen excerpts in its
order with their units, else the representative sentences with their counts (a copied text quoted once), and
the key phrase line per level group, all from texts saved through the real save path (which analyses them).

The tree is tests/test_consolidation.py's seed tree: five cells submit (C1, C2, C4, C5, V1; C3 keeps a draft).
"""

from answers import choose, store, stored_text
from test_consolidated_draft import blocks, commented, draft_of, texts
from test_consolidation import CONFIG, DRAFTS, REPORTS, UNITS, build_tree

from consolidation.reading import Reading
from consolidation.summaries import current_summary

SHARED = "Chi bộ duy trì nền nếp sinh hoạt định kỳ hằng tháng theo đúng quy định."
#: C4, C5 and V1 send one text (a template pasted): quoted once, counted three times.
COPIED = (f"{SHARED} Nội dung sinh hoạt chuyên đề được chuẩn bị chu đáo. "
          "Đảng viên tích cực tự phê bình và phê bình trong các buổi họp.")
CELL_TEXTS = {
    "C1": f"{SHARED} Sinh hoạt chuyên đề còn ít, chưa thu hút đảng viên trẻ.",
    "C2": "Chi bộ duy trì nền nếp sinh hoạt định kỳ hằng tháng đúng quy định. Cần đổi mới hình thức sinh hoạt.",
    "C4": COPIED, "C5": COPIED, "V1": COPIED,
}
COMMITTEE_TEXTS = {
    "D1": "Huyện ủy chỉ đạo các chi bộ nâng cao chất lượng sinh hoạt chuyên đề.",
    "D2": "Huyện ủy Hai kiểm tra việc tự phê bình và phê bình ở chi bộ.",
    "G1": "Đảng ủy xã hướng dẫn chi bộ thôn xây dựng kế hoạch sinh hoạt.",
    "G2": "Đảng ủy xã Hai tổ chức sinh hoạt chuyên đề theo quý.",
}
HOSTILE = "=HYPERLINK(\"http://x\")</w:t><w:t>chèn</w:t> <script>alert(1)</script> & \x07chuông \u202e đảo"


def tree_with_texts(make_app, texts_by_unit=None):
    reports = commented(REPORTS)
    for code, text in {**CELL_TEXTS, **COMMITTEE_TEXTS, **(texts_by_unit or {})}.items():
        reports[code]["nhan_xet"] = text
    return build_tree(make_app(CONFIG), UNITS, reports, DRAFTS)


def item_paragraphs(document):
    """Return the paragraphs of the item "Nhận xét", up to the closing and signature."""
    paragraphs = texts(document)
    start = paragraphs.index("Nhận xét") if "Nhận xét" in paragraphs else paragraphs.index("II- Nhận xét")
    return paragraphs[start + 1:]


def stored_terms(app, codes):
    """Return {unit code: the terms stored for its submitted answer}."""
    return {code: set(stored_text(app, code).terms.split("|")) for code in codes}


def test_without_chosen_excerpts_the_shared_sentence_is_quoted_with_its_count_and_a_copy_once(make_app, tmp_path):
    app = tree_with_texts(make_app)
    said = item_paragraphs(draft_of(app, "T", tmp_path / "draft.docx"))
    quoted = [text for text in said if "đơn vị nêu ý tương tự" in text]
    assert quoted, said
    first = quoted[0]
    assert SHARED in first and first.endswith("(5 đơn vị nêu ý tương tự)"), \
        "C1, C2 (close), and C4, C5, V1, who sent it too, each"
    copied_sentence = "Nội dung sinh hoạt chuyên đề được chuẩn bị chu đáo."
    assert sum(copied_sentence in text for text in said) <= 1, "a text sent by three units is quoted once"
    assert "Các ý được nhiều đơn vị nêu:" in said
    assert f"Huyện ủy Một: “{COMMITTEE_TEXTS['D1']}”" not in said, "no rotation of whole answers any more"
    assert all(not text.endswith("(1 đơn vị nêu ý tương tự)") for text in said), "one unit is no consensus"


def test_the_key_phrase_line_counts_the_units_of_each_level_group(make_app, tmp_path):
    app = tree_with_texts(make_app)
    said = item_paragraphs(draft_of(app, "T", tmp_path / "draft.docx"))
    line = next(text for text in said if text.startswith("5/5 chi bộ nêu: "))
    cells = stored_terms(app, list(CELL_TEXTS))
    by_hand = {}
    for terms in cells.values():
        for term in terms:
            by_hand[term] = by_hand.get(term, 0) + 1
    phrases = [part.rsplit(" (", 1) for part in line.removeprefix("5/5 chi bộ nêu: ").removesuffix(".").split(", ")]
    assert phrases, line
    for phrase, count in phrases:
        assert by_hand[phrase] == int(count.rstrip(")")), (phrase, line)
    assert by_hand.get("sinh hoạt chuyên đề", 0) == sum("sinh hoạt chuyên đề" in text.lower()
                                                         for text in CELL_TEXTS.values()) == 4
    assert "sinh hoạt định kỳ (5)" in line and "định kỳ (5)" not in line.replace("sinh hoạt định kỳ (5)", ""), \
        "a phrase inside a longer one used by as many units says nothing more"
    assert [(count, phrase) for phrase, count in phrases] == sorted(
        ((count, phrase) for phrase, count in phrases), key=lambda pair: (-int(pair[0].rstrip(")")), pair[1]))
    assert any(text.startswith("2/2 đảng bộ cơ sở ") for text in said)
    assert any(text.startswith("2/2 cấp ủy ") for text in said), said


def test_chosen_excerpts_are_quoted_in_the_committees_order_with_their_units_even_after_a_correction(
        make_app, tmp_path):
    app = tree_with_texts(make_app)
    second = choose(app, "T", "C1", 0, len(SHARED), position=2, note="ghi chú riêng")
    first = choose(app, "T", "D2", 0, len(COMMITTEE_TEXTS["D2"]), position=1)
    other = choose(app, "D1", "C2", 0, 20, position=1)
    store(app, "C1", dict(REPORTS["C1"], nhan_xet="Chi bộ thôn 1 sửa lại báo cáo hoàn toàn khác."))
    said = item_paragraphs(draft_of(app, "T", tmp_path / "draft.docx"))
    start = said.index("Trích dẫn từ báo cáo của các đơn vị:")
    assert said[start + 1:start + 3] == [f"Huyện ủy Hai: “{first}”", f"Chi bộ thôn 1: “{second}”"], said
    assert f"Chi bộ thôn 2: “{other}”" not in said, "another committee's choice"
    assert "ghi chú riêng" not in "\n".join(said), "the note is the committee's own"
    assert not any("đơn vị nêu ý tương tự" in text for text in said), "chosen excerpts replace the representatives"
    district = item_paragraphs(draft_of(app, "D1", tmp_path / "district.docx"))
    assert f"Chi bộ thôn 2: “{other}”" in district


def test_hostile_text_in_an_excerpt_and_an_answer_stays_plain_text(make_app, tmp_path):
    app = tree_with_texts(make_app, {"C2": HOSTILE + " " + SHARED, "G1": HOSTILE})
    chosen = choose(app, "G1", "C2", 0, len(HOSTILE), position=1)
    document = draft_of(app, "G1", tmp_path / "draft.docx")
    shown = chosen.replace("\u202e", "").replace("\x07", "")
    said = item_paragraphs(document)
    assert f"Chi bộ thôn 2: “{shown}”" in said
    assert HOSTILE.replace("\u202e", "").replace("\x07", "") in said, "the committee's own answer, as typed"
    assert "<script>" in str(blocks(document)) and not document.inline_shapes


def test_the_item_summary_groups_the_copies_with_their_units(make_app):
    app = tree_with_texts(make_app)
    with app.app_context():
        summary = current_summary(Reading("nhan_xet"), app.extensions["survey"].questions["nhan_xet"])
    assert [[code for code, _name in group.units] for group in summary.copies] == [["C4", "C5", "V1"]]
    assert summary.copies[0].body == COPIED
    assert summary.answered == {"cells": 5, "grassroots": 2, "above": 2}
    first = summary.representatives[0]
    assert (first.text, first.unit_count) == (SHARED, 5), "C1, C2 and the three copies"
    assert stored_text(app, first.unit_code).body[first.start:first.end] == SHARED
