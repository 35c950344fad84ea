"""A download is sent at once only when its measured work fits the worker's time, shared with the other
workers, and while the process writes no other: otherwise a job writes it (downloads/at_once.py)."""

import threading

import pytest
from test_export_jobs import wait_for_job

from config import at_once_budget
from downloads.at_once import at_once_place, estimated_seconds

#: The two kinds of download a committee asks for, by address.
KINDS = {"xlsx": "/admin/export.xlsx", "docx": "/admin/report.docx"}


def ask(app, auth, kind, account="krongpac"):
    """Sign in to a new client of `app` and ask for the account's download of `kind`; return the client and
    the answer."""
    client = app.test_client()
    auth.for_client(client).sign_in(account)
    return client, client.get(KINDS[kind])


@pytest.mark.parametrize("shape", ["seed", "2025"])
@pytest.mark.parametrize("kind", KINDS)
def test_the_default_budget_sends_the_demo_province_at_once(make_app, accounts, auth, kind):
    _client, response = ask(make_app(), auth, kind, "btc")
    assert response.status_code == 200, response.status_code
    assert response.data[:2] == b"PK"
    response.close()


@pytest.mark.parametrize("kind", KINDS)
def test_a_small_scope_whose_work_exceeds_a_tiny_budget_goes_to_a_job(make_app, accounts, auth, kind):
    app = make_app(EXPORT_AT_ONCE_SECONDS=1e-6)
    client, response = ask(app, auth, kind)
    assert response.status_code == 303, "Krông Pắc's 8 units are too much work for a microsecond"
    assert response.headers["Location"] == "/admin/exports/1"
    assert "sẵn sàng" in wait_for_job(client, "/admin/exports/1").text


@pytest.mark.parametrize("places", [1, 2])
@pytest.mark.parametrize("kind", KINDS)
def test_downloads_beyond_the_process_places_go_to_jobs_rather_than_wait(make_app, accounts, auth, kind, places):
    app = make_app(EXPORT_AT_ONCE_PER_PROCESS=places)
    holding, release = threading.Barrier(places + 1), threading.Event()

    def write_at_once():
        """Hold a place as a download being written at once does, until released."""
        with app.test_request_context(), at_once_place(None, app.extensions["survey"], kind) as at_once:
            assert at_once
            holding.wait(timeout=30)
            release.wait(timeout=30)

    writers = [threading.Thread(target=write_at_once) for _ in range(places)]
    for writer in writers:
        writer.start()
    holding.wait(timeout=30)
    try:
        client, response = ask(app, auth, kind)
        assert response.status_code == 303, "every place taken: a job, at once, rather than a wait"
        wait_for_job(client, response.headers["Location"])
    finally:
        release.set()
        for writer in writers:
            writer.join()
    _client, response = ask(app, auth, kind)
    assert response.status_code == 200, "a place free again: at once"
    response.close()


@pytest.mark.parametrize(("timeout", "workers", "cores", "budget"), [
    (30, 5, 2, 4.0), (30, 1, 2, 10.0), (120, 9, 4, 40 * 4 / 9), (10, 3, 1, 10 / 3 / 3),
])
def test_the_budget_is_a_share_of_the_worker_timeout_among_the_workers_per_core(timeout, workers, cores, budget):
    assert at_once_budget(timeout, workers, cores) == pytest.approx(budget)


def test_the_estimate_grows_with_units_and_questions(app):
    with app.app_context():
        survey = app.extensions["survey"]
        cost = app.config["EXPORT_SECONDS_PER_CELL"]["xlsx"]
        assert estimated_seconds(4999, survey, "xlsx") == pytest.approx(4999 * len(survey.questions) * cost)
        assert estimated_seconds(4999, survey, "xlsx") > app.config["EXPORT_AT_ONCE_SECONDS"], \
            "a scope just under EXPORT_STREAM_UNITS is too much work for one request"
