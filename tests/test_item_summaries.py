"""Item summaries kept in the database: made once per state of the answers, shared by every reader, and on
a large scope made by a thread while the reading page shows the last one with its time."""


import pytest
import sqlalchemy as sa
from answers import store, stored_cell_answers
from pages import text_of

from consolidation import summaries
from consolidation.answer_texts import narrative_questions
from consolidation.reading import Reading
from consolidation.summaries import current_summary, summary_for_page
from consolidation.text_analysis import ANALYSIS_VERSION
from models import AnswerText, StoredSummary, Unit, db

ITEM = "nhan_thuc"
COPIED = ("Chi bộ thực hiện nghiêm túc nghị quyết. Sinh hoạt đều đặn, đúng quy định của Điều lệ Đảng. "
          "Đảng viên tích cực tham gia ý kiến xây dựng chi bộ.")
TEXTS = {
    "KP.EK.01": "Chi bộ duy trì sinh hoạt chuyên đề hằng quý. Đảng viên tham gia đầy đủ.",
    "KP.EK.02": "Sinh hoạt định kỳ được giữ nền nếp. Chuyên đề về chuyển đổi số chưa sâu.",
    "KP.PA.01": COPIED,
    "KP.PA.02": COPIED,
    "BMT.TL.01": COPIED.replace(" ", "  "),
}


@pytest.fixture
def answered(app, accounts):
    for code, text in TEXTS.items():
        store(app, code, stored_cell_answers(**{ITEM: text}))
    return TEXTS


def question(app):
    return app.extensions["survey"].questions[ITEM]


def kept_rows(app):
    with app.app_context():
        return db.session.execute(sa.select(StoredSummary.scope_key, StoredSummary.question_id,
                                            StoredSummary.state, StoredSummary.refreshing_since)
                                  .order_by(StoredSummary.id)).all()


def test_a_kept_summary_reads_back_equal_to_the_one_made(app, answered):
    with app.app_context():
        made = current_summary(Reading(ITEM), question(app))
    with app.app_context():
        [(scope_key, question_id, state, refreshing)] = kept_rows(app)
        kept = current_summary(Reading(ITEM), question(app))
    assert (scope_key, question_id, refreshing) == (0, ITEM, None) and state.startswith("5:")
    assert kept == made
    assert [group.unit_count for group in kept.copies] == [3] and kept.answered == {"cells": 5}
    assert sorted(kept.copy_group_of_unit.values()) == [(1, 3)] * 3


def test_the_summaries_of_a_workbook_are_all_kept_current_then_read_one_at_a_time(app, answered):
    with app.app_context():
        survey = app.extensions["survey"]
        items = narrative_questions(survey)
        every = summaries.current_summaries(None, False, items)
        assert len(kept_rows(app)) == len(items) == len(every), "each made and kept before the first is read"
        assert list(every) == [item.id for item in items]
        assert [group.unit_count for group in every[ITEM].copies] == [3]
        assert every.last[0] == ITEM, "the one read last is the one held"
        assert every[ITEM] is every[ITEM]
        store(app, "KP.EK.01", stored_cell_answers(**{ITEM: COPIED}))  # a fourth copy, after the workbook began
        assert [group.unit_count for group in every[ITEM].copies] == [3], "held: the workbook reads one state"
        with pytest.raises(KeyError):
            every["not_an_item"]


def test_the_province_and_its_own_unit_share_one_summary(app, answered):
    with app.app_context():
        province = db.session.scalar(sa.select(Unit).filter_by(level="tinh"))
        by_unit = current_summary(Reading(ITEM, province), question(app))
        whole = current_summary(Reading(ITEM), question(app))
    assert by_unit == whole and len(kept_rows(app)) == 1


@pytest.mark.parametrize("change", ["new answer", "corrected answer", "drafts too"])
def test_a_summary_is_made_again_when_its_answers_change(app, answered, change):
    with app.app_context():
        before = current_summary(Reading(ITEM), question(app))
    [(*_key, state_before, _refreshing)] = kept_rows(app)
    drafts = False
    if change == "new answer":
        store(app, "BMT.TL.02", stored_cell_answers(**{ITEM: COPIED}))
    elif change == "corrected answer":
        store(app, "KP.PA.02", stored_cell_answers(**{ITEM: "Chi bộ viết lại hẳn câu trả lời về học tập."}))
    else:
        store(app, "BMT.TL.03", stored_cell_answers(**{ITEM: COPIED}), action="save")
        drafts = True
    with app.app_context():
        after = current_summary(Reading(ITEM, drafts=drafts), question(app))
    assert before.copies[0].unit_count == 3
    states = [state for *_key, state, _refreshing in kept_rows(app)]
    assert len(states) == (2 if drafts else 1) and state_before not in states[-1:]
    expected = {"new answer": 4, "corrected answer": 2, "drafts too": 4}[change]
    assert after.copies[0].unit_count == expected if expected > 1 else after.copies == []


def test_texts_analysed_again_by_the_index_command_make_every_summary_anew(app, runner, answered):
    with app.app_context():
        current_summary(Reading(ITEM), question(app))  # analyses the texts saved
        # As an older version of the analysis left them (one that found no signature): not new, so a summary
        # leaves them to the index command.
        db.session.execute(sa.update(AnswerText).values(signature=None, version=ANALYSIS_VERSION - 1))
        db.session.execute(sa.delete(StoredSummary))
        db.session.commit()
        assert current_summary(Reading(ITEM), question(app)).copies == [], "no signature"
        assert current_summary(Reading(ITEM), question(app)).copies == [], "kept: the answers are the same"
    result = runner.invoke(args=["narratives", "index"])
    assert result.exit_code == 0, result.output
    assert kept_rows(app) == []
    with app.app_context():
        assert [group.unit_count for group in current_summary(Reading(ITEM), question(app)).copies] == [3]


def page(client, **query):
    return client.get(f"/admin/reading/{ITEM}", query_string=query)


def test_a_large_scope_is_summarised_by_a_thread_while_the_page_says_so(make_app, client, auth, answered,
                                                                         wait_for_export_jobs):
    large = make_app(SUMMARY_INLINE_ANSWERS=2)  # every scope of the test is larger than that
    client = large.test_client()
    auth.for_client(client).sign_in("btc")
    first = text_of(page(client).text)
    assert "đang được tổng hợp lần đầu" in first and "gửi cùng một nội dung" not in first
    wait_for_export_jobs()
    second = text_of(page(client).text)
    assert "đang được tổng hợp" not in second and "3 đơn vị gửi cùng một nội dung" in second
    store(large, "BMT.TL.02", stored_cell_answers(**{ITEM: COPIED}))
    third = text_of(page(client).text)
    assert "đang được tổng hợp lại" in third and "3 đơn vị gửi cùng một nội dung" in third, "the last one, meanwhile"
    wait_for_export_jobs()
    assert "4 đơn vị gửi cùng một nội dung" in text_of(page(client).text)
    assert [refreshing for *_key, refreshing in kept_rows(large)] == [None]


def test_one_worker_makes_a_summary_at_a_time_and_a_stopped_one_is_taken_over(make_app, answered, clock):
    app = make_app(SUMMARY_INLINE_ANSWERS=2)
    reading = Reading(ITEM)
    with app.app_context():
        assert summaries.claim(reading) is True
        assert summaries.claim(reading) is False, "another worker holds it"
        clock.advance(seconds=summaries.CLAIM_EXPIRES.total_seconds() + 1)
        assert summaries.claim(reading) is True, "that worker stopped: its claim expired"
        shown = summary_for_page(reading, question(app))
    assert shown == summaries.ShownSummary(None, False), "no thread started: the claim is this test's"


def test_a_summary_that_fails_is_released_for_the_next_view(make_app, answered, monkeypatch, wait_for_export_jobs):
    app = make_app(SUMMARY_INLINE_ANSWERS=2)

    def failing(reading, question):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(summaries, "summarise", failing)
    with app.app_context():
        assert summary_for_page(Reading(ITEM), question(app)).summary is None
    wait_for_export_jobs()
    assert [refreshing for *_key, refreshing in kept_rows(app)] == [None]
