"""Search over the answers a committee reads: the database's full-text index, on SQLite and PostgreSQL."""

import pytest
import sqlalchemy as sa
from answers import store, stored_cell_answers

from consolidation import answer_texts, narratives
from consolidation.answer_texts import pending_count
from consolidation.reading import QueryError, Reading, parse_query, search
from consolidation.summaries import current_summary
from consolidation.text_folding import fold
from models import AnswerText, RevisionText, StoredSummary, Unit, db
from schema.model import speaking

QUESTION = "uu_diem"
PHRASE = "sinh hoat chuyen de"
TEXTS = {
    "BMT.TL.01": "Chi bộ duy trì Sinh hoạt CHUYÊN ĐỀ hằng quý. Đảng viên tích cực tự phê bình và phê bình.",
    "BMT.TL.02": "Việc sinh hoạt chuyên đề có lúc còn hình thức. Cấp ủy quan tâm chỉ đạo.",
    "BMT.TA.01": "Chuyên đề sinh hoạt được chọn sát thực tế; nội dung phong phú.",
    "KB.01": "Thực hiện nghiêm Chỉ thị số 10-CT/TW; chính quyền địa phương phối hợp tốt.",
}


def cells_of(units, count):
    return [code for code, unit in sorted(units.items()) if unit.level == "chi_bo_truc_thuoc"][:count]


@pytest.fixture
def answered(app, units):
    """Four units whose answers to QUESTION are known, submitted."""
    codes = dict(zip(cells_of(units, 4), TEXTS.values(), strict=True))
    for code, text in codes.items():
        store(app, code, stored_cell_answers(**{QUESTION: text}))
    return codes


def found_codes(app, typed, **reading):
    with app.app_context():
        found = search(Reading(QUESTION, **reading), parse_query(typed), per_page=100)
        return {hit.unit_code for hit in found.hits}, found


@pytest.mark.parametrize("typed", ["sinh hoat chuyen de", "SINH HOẠT chuyên đề", "Sinh Hoat Chuyen De",
                                   "sinh hoạt  chuyên\tđề", "\"sinh hoat chuyen de\""])
def test_a_phrase_is_found_with_or_without_diacritics_in_any_case(app, answered, typed):
    codes, found = found_codes(app, typed)
    expected = {code for code, text in answered.items() if PHRASE in fold(text)}
    assert codes == expected and len(expected) == 2
    assert found.total_matched == 2 and found.total_answered == 4


def test_a_phrase_is_not_found_as_its_words_scattered(app, answered):
    codes, _found = found_codes(app, "chuyen de sinh hoat")
    assert codes == {code for code, text in answered.items() if text.startswith("Chuyên đề sinh hoạt")}


def test_phrases_separated_by_commas_must_all_be_there(app, answered):
    codes, _found = found_codes(app, "sinh hoat chuyen de, phe binh")
    assert codes == {next(iter(answered))}


@pytest.mark.parametrize("typed", ["uyen", "oat", "sinh hoa", "uyen de", "hoat chuyen d"])
def test_a_word_inside_another_word_is_not_found(app, answered, typed):
    codes, _found = found_codes(app, typed)
    assert codes == set()


def test_the_words_are_marked_in_their_sentence(app, answered):
    _codes, found = found_codes(app, "sinh hoat chuyen de")
    first = next(hit for hit in found.hits if hit.unit_code == next(iter(answered)))
    [context] = first.contexts
    assert [text for text, marked in context.parts if marked] == ["Sinh hoạt CHUYÊN ĐỀ"]
    assert first.body[context.start:context.end] == "".join(text for text, _marked in context.parts)


def test_words_cut_alike_by_both_indexes(app, answered):
    codes, _found = found_codes(app, "10 CT TW")
    assert codes == {code for code, text in answered.items() if "10-CT/TW" in text}


def test_counts_are_per_level_group(app, units, answered):
    committee = next(code for code, unit in sorted(units.items()) if unit.level == "dang_bo_co_so")
    store(app, committee, stored_cell_answers(**{QUESTION: "Sinh hoạt chuyên đề đều đặn."}))
    _codes, found = found_codes(app, "sinh hoat chuyen de")
    by_group = {count.group: (count.matched, count.answered) for count in found.counts}
    assert by_group == {"cells": (2, 4), "grassroots": (1, 1)}
    cells = next(count for count in found.counts if count.group == "cells")
    with app.test_request_context(), speaking("vi"):
        assert cells.share_text == "2/4 chi bộ (50%)"


@pytest.mark.parametrize("shape", ["seed", "2025"])
def test_a_scope_reads_its_subtree_only(app, units, hierarchy, answered):
    first = next(iter(answered))
    district = hierarchy.ancestor_at(first, ("cap_huyen",)) or hierarchy.ancestor_at(first, ("dang_bo_co_so",))
    with app.app_context():
        scope = db.session.scalar(sa.select(Unit).filter_by(code=district))
        codes, found = found_codes(app, "", scope=scope)
    inside = {code for code in answered if district in (hierarchy.ancestor_at(code, ("cap_huyen",)),
                                                        hierarchy.ancestor_at(code, ("dang_bo_co_so",)))}
    assert codes == inside and found.total_answered == len(inside)


@pytest.mark.parametrize("shape", ["seed", "2025"])
def test_hits_come_page_by_page_in_hierarchy_order_naming_their_committee(app, units, hierarchy):
    everyone = hierarchy.in_order()
    # Every third unit, stored in an order unlike the hierarchy's, cells and committees alike.
    chosen = sorted(everyone[::3], key=lambda code: code[::-1])
    for code in chosen:
        store(app, code, stored_cell_answers(**{QUESTION: f"Sinh hoạt chuyên đề ở {code}."}))
    province = hierarchy.children(None)[0]
    with app.app_context():
        pages = [search(Reading(QUESTION), parse_query(PHRASE), page=page, per_page=4).hits
                 for page in range(1, -(-len(chosen) // 4) + 1)]
    hits = [hit for page in pages for hit in page]
    assert [hit.unit_code for hit in hits] == [code for code in everyone if code in chosen]
    for hit in hits:
        assert (hit.child_code, hit.child_name) == (hierarchy.directly_under(province, hit.unit_code),
                                                    hierarchy.name(hierarchy.directly_under(province, hit.unit_code)))
        assert (hit.unit_name, hit.level) == (units[hit.unit_code].name, units[hit.unit_code].level)


def test_drafts_are_read_only_when_asked_for(app, units, answered):
    draft = cells_of(units, 5)[4]
    store(app, draft, stored_cell_answers(**{QUESTION: "Bản nháp về sinh hoạt chuyên đề."}), action="save")
    assert draft not in found_codes(app, "sinh hoat chuyen de")[0]
    assert draft in found_codes(app, "sinh hoat chuyen de", drafts=True)[0]


def test_a_corrected_answer_is_found_by_its_new_words_only(app, answered):
    first = next(iter(answered))
    store(app, first, stored_cell_answers(**{QUESTION: "Nội dung hoàn toàn mới về kết nạp đảng viên."}))
    assert first not in found_codes(app, "sinh hoat chuyen de")[0]
    assert found_codes(app, "ket nap dang vien")[0] == {first}


def test_identical_and_nearly_identical_answers_are_one_group_of_copies(app, units):
    original = ("Chi bộ duy trì nền nếp sinh hoạt định kỳ vào ngày 05 hằng tháng. Nội dung sinh hoạt bám sát "
                "nhiệm vụ chính trị của địa phương. Công tác chuẩn bị được cấp ủy quan tâm, dự thảo nghị quyết "
                "gửi trước cho đảng viên. Đảng viên lớn tuổi, ở xa, việc đi lại khó khăn. Bí thư chi bộ chủ "
                "động, linh hoạt trong điều hành. Cần tăng cường kiểm tra, giám sát việc thực hiện nghị quyết.")
    texts = [original, original.replace(". ", ".  \n"), original.replace("ngày 05", "ngày 10"),
             "Một nội dung khác hẳn: chi bộ tổ chức học tập chuyên đề về Bác Hồ và làm theo gương Bác."]
    codes = cells_of(units, 4)
    for code, text in zip(codes, texts, strict=True):
        store(app, code, stored_cell_answers(**{QUESTION: text}))
    summary = summary_of(app)
    [group] = summary.copies
    assert [code for code, _name in group.units] == codes[:3] and group.body == original
    with app.app_context():
        ids = {code: db.session.scalar(sa.select(Unit.id).filter_by(code=code)) for code in codes}
    assert [summary.copies_of(ids[code]) for code in codes] == [(1, 3)] * 3 + [None]
    with app.app_context():
        stored = sa.select(sa.func.count(sa.distinct(RevisionText.text_id))).where(RevisionText.question_id == QUESTION)
        assert db.session.scalar(stored) == 3  # spacing aside, the first two are one text


@pytest.mark.parametrize("typed", ["a" * 201, ", ".join(f"tu{i}" for i in range(9)), " ".join(["tu"] * 13)])
def test_a_query_too_long_is_refused_with_a_message(typed):
    with pytest.raises(QueryError):
        parse_query(typed)


@pytest.mark.parametrize("typed", ["", "   ", "!!!", "\"", "*", "-", "_", "\x00\x07"])
def test_a_query_without_a_word_is_no_query(typed):
    assert parse_query(typed) is None


@pytest.mark.parametrize("typed", ['NEAR(sinh hoat)', 'sinh OR hoat', 'sinh* hoat', '"unbalanced', '-sinh',
                                   'sinh AND', "'; DROP TABLE units; --", "<script>alert(1)</script>",
                                   "=HYPERLINK(\"x\")", "sinh^hoat", "{sinh} : hoat", "sinh\u202ehoat"])
def test_search_syntax_typed_is_read_as_plain_words(app, answered, typed):
    _codes, found = found_codes(app, typed)
    assert found.total_answered == 4


SHARED = "Chi bộ duy trì nền nếp sinh hoạt định kỳ vào ngày 05 hằng tháng."
CLOSE_TO_SHARED = "Chi bộ duy trì nền nếp sinh hoạt định kỳ hằng tháng."
COPIED = ("Nội dung sinh hoạt bám sát nhiệm vụ chính trị của địa phương. Công tác chuẩn bị được cấp ủy quan tâm, "
          "dự thảo nghị quyết gửi trước cho đảng viên. Tinh thần tự phê bình và phê bình được nâng lên.")


def summary_of(app, **reading):
    with app.app_context():
        survey = app.extensions["survey"]
        return current_summary(Reading(QUESTION, **reading), survey.questions[QUESTION])


def test_an_item_summary_counts_key_phrases_copies_and_representatives(app, units):
    cells = cells_of(units, 7)
    texts = [SHARED + " Đảng viên tích cực tham gia ý kiến.", CLOSE_TO_SHARED + " Sinh hoạt chuyên đề hằng quý.",
             SHARED + " Việc kết nạp đảng viên mới còn khó khăn.", COPIED, COPIED, COPIED.replace(" ", "  "),
             "Một chi bộ viết khác hẳn về học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh."]
    for code, text in zip(cells, texts, strict=True):
        store(app, code, stored_cell_answers(**{QUESTION: text}))
    summary = summary_of(app)
    assert summary.answered == {"cells": 7}
    phrases = dict(summary.key_phrases["cells"])
    assert phrases["nền nếp"] == 3 and phrases["đảng viên"] == 5
    assert "ưu điểm" not in phrases  # the question's own words
    [copies] = summary.copies
    assert [code for code, _name in copies.units] == cells[3:6] and copies.body == COPIED
    first = summary.representatives[0]
    assert first.text in (SHARED, CLOSE_TO_SHARED) and first.unit_count == 3
    with app.app_context():
        body = db.session.get(AnswerText, first.text_id).body
    assert body[first.start:first.end] == first.text
    # Each of the three units that sent the copied text wrote its sentences.
    copied = next(r for r in summary.representatives if r.text in COPIED)
    assert copied.unit_count == 3


@pytest.mark.parametrize("sample", [1, 2, 3, 6])
def test_representatives_chosen_in_a_sample_are_counted_over_every_answer(app, units, monkeypatch, sample):
    cells = cells_of(units, 7)
    texts = [SHARED + " Đảng viên tích cực tham gia ý kiến.", CLOSE_TO_SHARED + " Sinh hoạt chuyên đề hằng quý.",
             SHARED + " Việc kết nạp đảng viên mới còn khó khăn.", COPIED, COPIED, CLOSE_TO_SHARED,
             "Đảng viên tích cực tham gia ý kiến xây dựng nghị quyết của chi bộ."]
    for code, text in zip(cells, texts, strict=True):
        store(app, code, stored_cell_answers(**{QUESTION: text}))
    with app.app_context():
        answer_texts.analyse_new([QUESTION])  # as a summary does first
        every = {pick.text: pick.unit_count for pick in narratives.representatives(Reading(QUESTION), len(texts))}
        monkeypatch.setattr(narratives, "REPRESENTATIVES_SAMPLE", sample)
        sampled = narratives.representatives(Reading(QUESTION), len(texts))
    assert sampled and all(pick.unit_count == every[pick.text] for pick in sampled if pick.text in every)
    assert SHARED in [pick.text for pick in sampled] or CLOSE_TO_SHARED in [pick.text for pick in sampled]
    shared = next(pick for pick in sampled if pick.text in (SHARED, CLOSE_TO_SHARED))
    assert shared.unit_count == 4, "every unit that wrote it, sampled or not"
    assert [pick.unit_count for pick in sampled] == sorted((pick.unit_count for pick in sampled), reverse=True)


def analysed_items(app):
    """The narrative items some of whose texts have been analysed."""
    with app.app_context():
        return set(db.session.scalars(sa.select(RevisionText.question_id).distinct()
                                      .join(AnswerText, AnswerText.id == RevisionText.text_id)
                                      .where(AnswerText.analysed_at.is_not(None))))


def test_texts_saved_are_found_at_once_and_summarised_before_the_analyser_reaches_them(app, units):
    cells = cells_of(units, 4)
    for code, text in zip(cells, [SHARED, COPIED, COPIED, CLOSE_TO_SHARED], strict=True):
        store(app, code, stored_cell_answers(**{QUESTION: text + " Sinh hoạt chuyên đề hằng quý."}))
    assert analysed_items(app) == set(), "a save leaves the analysis to the analyser"
    assert found_codes(app, PHRASE)[0] == set(cells)
    before_the_analyser = summary_of(app)
    assert analysed_items(app) == {QUESTION}, "the summary analysed its own item's texts, no other"
    with app.app_context():
        db.session.execute(sa.delete(StoredSummary))
        db.session.commit()
    assert summary_of(app) == before_the_analyser
    assert before_the_analyser.copies and before_the_analyser.representatives and before_the_analyser.key_phrases


def test_an_item_summary_follows_a_new_answer(app, units):
    cells = cells_of(units, 2)
    for code in cells:
        store(app, code, stored_cell_answers(**{QUESTION: COPIED}))
    assert len(summary_of(app).copies) == 1
    store(app, cells[1], stored_cell_answers(**{QUESTION: SHARED}))
    assert summary_of(app).copies == []


def test_the_index_command_links_and_analyses_older_reports(app, runner, units, answered):
    with app.app_context():
        db.session.execute(sa.delete(RevisionText))
        db.session.execute(sa.update(AnswerText).values(terms=None, sentence_terms=None, signature=None,
                                                        version=None, analysed_at=None))
        db.session.commit()
    result = runner.invoke(args=["narratives", "index"])
    assert result.exit_code == 0, result.output
    assert f"Đã liên kết {len(answered)} báo cáo" in result.output
    with app.app_context():
        assert pending_count() == 0
    assert found_codes(app, "sinh hoat chuyen de")[0] == {c for c, t in answered.items() if PHRASE in fold(t)}


def stored_analyses():
    columns = (AnswerText.id, AnswerText.digest, AnswerText.folded, AnswerText.terms, AnswerText.sentence_terms,
               AnswerText.signature, AnswerText.version)
    return db.session.execute(sa.select(*columns).order_by(AnswerText.id)).all()


def test_texts_analysed_in_worker_processes_are_stored_as_analysed_in_this_one(app, answered, monkeypatch):
    with app.app_context():
        answer_texts.link_saved_revisions()  # as the analyser does first
        saved = len(stored_analyses())
        assert answer_texts.analyse_pending(workers=0) == saved > 0, "every text saved waits for its analysis"
        here = stored_analyses()
    monkeypatch.setattr(answer_texts, "POOL_FROM", 1)
    with app.app_context():
        db.session.execute(sa.update(AnswerText).values(terms=None, sentence_terms=None, signature=None,
                                                        version=None, analysed_at=None))
        db.session.commit()
        # Two batches at least: one read while the other is written.
        assert answer_texts.analyse_pending(workers=2, batch_size=3) == len(here) > 3
        assert pending_count() == 0
        assert stored_analyses() == here
    assert found_codes(app, "sinh hoat chuyen de")[0] == {c for c, t in answered.items() if PHRASE in fold(t)}
