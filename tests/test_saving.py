"""Saving under contention: parallel saves of one unit are serialised and every one is kept."""

import threading

import sqlalchemy as sa

from models import Response, Revision, Unit, db
from reports.saving import save_report

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
