"""Saving under contention: parallel saves of one unit are serialised and every one is kept; a save leaves its
narrative texts to be linked, and linkers meeting on them link each once."""

import threading
import uuid

import sqlalchemy as sa
from answers import store, stored_cell_answers

from consolidation.answer_texts import link_saved_revisions
from consolidation.reading import Reading, search
from models import AnswerText, Response, Revision, RevisionText, Unit, UnlinkedRevision, db
from reports.saving import save_report, unit_with_answers
from schema.store import current_survey

PARALLEL = 8


def save_in_thread(app, unit_id, index, based_on, results):
    with app.app_context():
        unit = db.session.get(Unit, unit_id)
        survey = app.extensions["survey"]
        result = save_report(unit, {"nhan_thuc": f"Bản của người thứ {index}"}, action="save", based_on=based_on,
                             submission_id=f"parallel-{index}", config_version=survey.version,
                             token=unit.token, deadline=survey.deadline_for(unit.level))
        results[index] = (result.revision.number, result.conflict)
        db.session.remove()


def test_parallel_saves_from_one_page_keep_every_version_and_one_winner(app, units):
    unit_id = units["BMT.TL.01"].id
    results = {}
    threads = [threading.Thread(target=save_in_thread, args=(app, unit_id, i, None, results)) for i in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = sorted(number for number, _ in results.values())
    assert numbers == list(range(1, PARALLEL + 1)), "each save got its own revision number"
    winners = [number for number, conflict in results.values() if not conflict]
    assert winners == [1], "only the first save from the blank page became current; the rest were kept aside"
    with app.app_context():
        response = db.session.scalar(sa.select(Response).filter_by(unit_id=unit_id))
        assert (response.revision_count, response.current_number) == (PARALLEL, 1)
        texts = set(db.session.scalars(sa.select(Revision.answers["nhan_thuc"].as_string())))
        assert len(texts) == PARALLEL
        current = db.session.scalar(sa.select(Revision.id).filter_by(response_id=response.id, number=1))
        assert waiting_revisions() == [current], "the versions kept aside are not read by committees: not linked"


def test_the_same_form_saved_twice_in_parallel_is_kept_once(app, units):
    unit_id = units["BMT.TL.01"].id
    results = {}

    def same_form(index):
        with app.app_context():
            unit = db.session.get(Unit, unit_id)
            survey = app.extensions["survey"]
            result = save_report(unit, {"nhan_thuc": "Một lần"}, action="save", based_on=None,
                                 submission_id="same-form", config_version=survey.version, token=unit.token,
                                 deadline=survey.deadline_for(unit.level))
            results[index] = result.revision.number
            db.session.remove()

    threads = [threading.Thread(target=same_form, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(results.values()) == {1}
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Revision)) == 1


def waiting_revisions():
    return list(db.session.scalars(sa.select(UnlinkedRevision.revision_id).order_by(UnlinkedRevision.revision_id)))


def table_counts(*models):
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in models)


def cell_codes(units, count):
    return [code for code, unit in sorted(units.items()) if unit.level == "chi_bo_truc_thuoc"][:count]


def test_a_save_leaves_its_texts_to_be_linked_and_the_first_reading_links_them(app, units):
    code = cell_codes(units, 1)[0]
    store(app, code, stored_cell_answers(uu_diem="Chi bộ duy trì sinh hoạt chuyên đề hằng quý."))
    with app.app_context():
        saved = db.session.scalar(sa.select(Revision.id))
        assert waiting_revisions() == [saved]
        assert table_counts(RevisionText, AnswerText) == (0, 0), "the save stored no text"
        found = search(Reading("uu_diem"))
        assert [hit.unit_code for hit in found.hits] == [code], "found as soon as it is saved"
        assert waiting_revisions() == []
        links, texts = table_counts(RevisionText, AnswerText)
        assert links == texts > 1, "each of the report's narrative texts, stored and linked"


def test_readings_and_the_analyser_linking_at_once_link_each_revision_once(app, units):
    codes = cell_codes(units, 6)
    for number, code in enumerate(codes):
        store(app, code, stored_cell_answers(uu_diem=f"Ưu điểm riêng của chi bộ thứ {number}."), action="save")
    errors = []

    def link():
        with app.app_context():
            try:
                link_saved_revisions()
            except Exception as error:  # reported below with the others' outcome
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=link) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        assert waiting_revisions() == []
        per_revision = dict(db.session.execute(sa.select(RevisionText.revision_id, sa.func.count())
                                               .group_by(RevisionText.revision_id)).all())
        assert len(per_revision) == len(codes) and len(set(per_revision.values())) == 1
        own = db.session.scalar(sa.select(sa.func.count()).select_from(AnswerText)
                                .where(AnswerText.body.like("Ưu điểm riêng%")))
        assert own == len(codes), "each unit's own text stored once"


def save_draft(unit, answers, based_on, read=None):
    survey = current_survey()
    return save_report(unit, answers, action="save", based_on=based_on, submission_id=uuid.uuid4().hex,
                       config_version=survey.version, token=unit.token, deadline=survey.deadline_for(unit.level),
                       read=read)


def test_a_draft_repeating_the_current_version_is_told_from_the_database_when_the_page_read_an_older_one(app, units):
    code = "BMT.TL.01"
    first, second = {"nhan_thuc": "Bản đầu"}, {"nhan_thuc": "Bản sau"}
    with app.app_context():
        read_before = unit_with_answers(units[code].token)
        assert save_draft(read_before.unit, first, None).number == 1
        read_at_one = unit_with_answers(units[code].token)
        assert save_draft(read_at_one.unit, second, 1).number == 2
        # The page read version 1; version 2 was saved since. A draft of version 1's answers changes the report.
        result = save_draft(unit_with_answers(units[code].token).unit, first, 2, read=read_at_one)
        assert (result.number, result.unchanged) == (3, False)
        again = save_draft(unit_with_answers(units[code].token).unit, first, 3)
        assert (again.number, again.unchanged) == (3, True), "told from the stored version without a read"
        db.session.remove()
