"""A large scope's workbook as a job: written by a real thread, its progress page, its file, its failures,
its clean-up, and who may reach it."""

import contextlib
import os
import re
import tempfile
import threading
import time

import pytest
import sqlalchemy as sa
from answers import store, stored_cell_answers
from pages import text_of
from sqlalchemy.exc import IntegrityError
from workbooks import column_values, downloaded_workbook

from demo.province import create_demo_province
from downloads.jobs import STOPPED
from models import ExportJob, Unit, db

#: Units of the synthetic province whose job takes long enough (a second or more) to be clicked again while
#: it runs.
LARGE_PROVINCE = 600


@pytest.fixture
def app(make_app):
    """An app that writes every scope's workbook as a job, however small."""
    return make_app(EXPORT_STREAM_UNITS=0)


@pytest.fixture
def exports(app, tmp_path):
    """The exports folder of the test's apps."""
    return tmp_path / "exports"


@pytest.fixture
def large_province(app, runner, auth):
    """A synthetic province of LARGE_PROVINCE units and a manager "btc" of all of it."""
    with app.app_context():
        create_demo_province(app.extensions["survey"], LARGE_PROVINCE)
    created = runner.invoke(args=["users", "create", "btc", "--scope", "TINH", "--role", "manager"],
                            input=f"{auth.password}\n{auth.password}\n")
    assert created.exit_code == 0, created.output


def job_state(client, url):
    """Return a job's state as its page's script asks it (the page's address, then /state)."""
    response = client.get(f"{url}/state")
    assert (response.status_code, response.mimetype) == (200, "application/json"), (url, response.status_code)
    return response.json


def wait_for_job(client, url, timeout=180, seen=None):
    """Ask a job's state as its page's script does, until the job has ended; return the job's page then. The
    texts the page showed meanwhile are added to the list `seen`, if given."""
    deadline = time.monotonic() + timeout
    while (state := job_state(client, url))["active"]:
        if seen is not None:
            seen.append(text_of(state["html"]))
        assert time.monotonic() < deadline, f"{url} still running after {timeout} s"
        time.sleep(0.05)
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    assert text_of(state["html"]) in text_of(page.text), "the state shown in place is the page's"
    return page


def click_download(client, **request):
    """Follow the menu's download link; return the address it sends to (a job's page)."""
    response = client.get("/admin/export.xlsx", **request)
    assert response.status_code == 303, response.status_code
    return response.headers["Location"]


def open_files():
    """Return the paths of the files this process holds open (a removed one still takes its space)."""
    paths = []
    for descriptor in os.listdir("/proc/self/fd"):
        with contextlib.suppress(FileNotFoundError):  # the listing's own descriptor, closed since
            paths.append(os.readlink(f"/proc/self/fd/{descriptor}"))
    return paths


def jobs(app):
    with app.app_context():
        return db.session.execute(sa.select(ExportJob.id, ExportJob.state).order_by(ExportJob.id)).all()


def unit_id(app, code):
    with app.app_context():
        return db.session.scalar(sa.select(Unit.id).filter_by(code=code))


def test_a_large_scope_downloads_through_a_job_reused_while_nothing_changed(app, client, auth, accounts, hierarchy,
                                                                           exports, clock):
    store(app, "KP.EK.01", stored_cell_answers(so_dang_vien=31))
    clock.advance(minutes=1)
    auth.sign_in("btc")
    url = click_download(client)
    assert url == "/admin/exports/1"
    page = wait_for_job(client, url)
    assert "Tệp Excel đã sẵn sàng: 26 đơn vị" in text_of(page.text)
    assert 'href="/admin/exports/1.xlsx"' in page.text
    response = client.get("/admin/exports/1.xlsx")
    assert "T%E1%BB%89nh-%E1%BB%A7y-%C4%90%E1%BA%AFk-L%E1%BA%AFk" in response.headers["Content-Disposition"]
    book = downloaded_workbook(response)
    figures = book.worksheets[0]
    assert book.sheetnames[0] == "Tổng hợp số liệu"
    assert column_values(figures, 4, min_row=4)[:-1] == hierarchy.in_order()
    members = [cell.value for cell in figures[2]].index("so_dang_vien")
    rows = {row[4].value: row[members].value for row in figures.iter_rows(min_row=4)}
    assert rows["KP.EK.01"] == 31
    assert sorted(entry.name for entry in exports.iterdir()) == ["export-1.xlsx"], "no scratch folder left"

    assert click_download(client) == url, "nothing changed since: the finished workbook is the answer"
    english = click_download(client, query_string={"lang": "en"})
    assert english == "/admin/exports/2", "another language, another workbook"
    wait_for_job(client, english)
    assert downloaded_workbook(client.get("/admin/exports/2.xlsx")).sheetnames[0] == "Figures"

    clock.advance(minutes=1)
    store(app, "KP.EK.02", stored_cell_answers())
    clock.advance(minutes=1)
    assert click_download(client, query_string={"lang": "vi"}) == "/admin/exports/3", "a report came in since"
    wait_for_job(client, "/admin/exports/3")
    assert [state for _id, state in jobs(app)] == ["done"] * 3


def test_a_small_scope_downloads_at_once_and_a_larger_one_through_a_job(make_app, accounts, auth):
    client = make_app(EXPORT_STREAM_UNITS=9).test_client()
    auth.for_client(client).sign_in("krongpac")
    direct = client.get("/admin/export.xlsx")
    assert direct.status_code == 200, "Krông Pắc has 8 units"
    assert downloaded_workbook(direct).sheetnames[0] == "Tổng hợp số liệu"
    auth.for_client(client).sign_in("btc")
    assert client.get("/admin/export.xlsx").status_code == 303, "the province has 26"


def test_a_second_click_while_the_job_runs_gets_the_same_job(app, client, auth, large_province):
    auth.sign_in("btc")
    url = click_download(client)
    # A save now: a finished job would no longer be reused, so the second click finds the running one.
    with app.app_context():
        cell = db.session.scalar(sa.select(Unit.code).filter_by(level="chi_bo_co_so").limit(1))
    store(app, cell, stored_cell_answers())
    assert job_state(client, url)["active"]
    assert click_download(client) == url
    assert [state for _id, state in jobs(app)] in (["queued"], ["running"])
    progress = []
    page = wait_for_job(client, url, seen=progress)
    assert f"Tệp Excel đã sẵn sàng: {LARGE_PROVINCE - 1} đơn vị" in text_of(page.text), "all under the province"
    assert any(f"trên {LARGE_PROVINCE - 1} đơn vị" in text for text in progress)
    assert len(jobs(app)) == 1


def test_two_workers_clicking_at_once_start_one_job(app, make_app, auth, large_province):
    with app.app_context():
        cell = db.session.scalar(sa.select(Unit.code).filter_by(level="chi_bo_co_so").limit(1))
    store(app, cell, stored_cell_answers())  # so that neither click may reuse a finished job
    clients = [make_app(EXPORT_STREAM_UNITS=0).test_client() for _ in range(2)]
    for client in clients:
        auth.for_client(client).sign_in("btc")
    together, answers = threading.Barrier(len(clients)), []

    def click(client):
        together.wait()
        answers.append(click_download(client))

    threads = [threading.Thread(target=click, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # On PostgreSQL the click that loses the race has already drawn an id from the sequence, so the
    # one job's id is 1 or 2: what matters is that both clicks were sent to it.
    [(job_id, _state)] = jobs(app)
    assert answers == [f"/admin/exports/{job_id}"] * 2
    wait_for_job(clients[0], answers[0])
    assert [state for _id, state in jobs(app)] == ["done"]


def test_the_database_refuses_a_second_active_job_for_a_scope(app, units):
    scope = unit_id(app, "TU")
    with app.app_context():
        version = app.extensions["survey"].version
        db.session.add_all([ExportJob(scope_unit_id=scope, language="vi", config_version=version, state="done"),
                            ExportJob(scope_unit_id=scope, language="en", config_version=version),
                            ExportJob(scope_unit_id=unit_id(app, "TU.KP"), language="vi", config_version=version)])
        db.session.commit()
        db.session.add(ExportJob(scope_unit_id=scope, language="vi", config_version=version, state="running"))
        with pytest.raises(IntegrityError):
            db.session.commit()


def test_a_failing_job_says_so_and_leaves_no_file(app, client, auth, accounts, exports, tmp_path, monkeypatch):
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    # A report stored when the number of members was free text (before a config edit): the export raises.
    store(app, "KP.EK.01", stored_cell_answers(so_dang_vien="hai mươi lăm"))
    auth.sign_in("btc")
    url = click_download(client)
    page = wait_for_job(client, url)
    assert "Không chuẩn bị được tệp Excel" in text_of(page.text)
    assert "TypeError" in page.text and "/admin/exports/1.xlsx" not in page.text
    assert jobs(app) == [(1, "failed")]
    assert list(exports.iterdir()) == [], "nothing left of the half-written workbook"
    assert not [path for path in open_files() if path.startswith(str(exports))], "its space is free: none open"
    assert list(system_tmp.iterdir()) == [], "XlsxWriter's temporary files were beside it, and went with it"
    assert client.get("/admin/exports/1.xlsx").status_code == 404

    store(app, "KP.EK.01", stored_cell_answers())  # the report mended: trying again gives the file
    again = client.post(f"{url}/again", data={"csrf_token": auth.csrf_token()})
    assert again.headers["Location"] == "/admin/exports/2"
    wait_for_job(client, "/admin/exports/2")
    assert downloaded_workbook(client.get("/admin/exports/2.xlsx")).sheetnames[0] == "Tổng hợp số liệu"


def test_a_job_whose_worker_died_is_marked_failed_and_can_start_again(app, client, auth, accounts, clock):
    # What a worker killed mid-job leaves: its job "running", and no thread to write it or beat.
    with app.app_context():
        db.session.add(ExportJob(scope_unit_id=unit_id(app, "TU"), language="vi", state="running", units_done=10,
                                 units_total=26, config_version=app.extensions["survey"].version))
        db.session.commit()
    auth.sign_in("btc")
    assert click_download(client) == "/admin/exports/1", "its heartbeat is recent: it may be alive"
    assert "đã ghi 10 trên 26 đơn vị" in text_of(client.get("/admin/exports/1").text)
    clock.advance(minutes=2)
    page = client.get("/admin/exports/1")
    assert job_state(client, "/admin/exports/1")["state"] == "failed" and STOPPED in page.text
    assert "Không chuẩn bị được tệp Excel" in text_of(page.text) and "Thử lại" in page.text
    assert click_download(client) == "/admin/exports/2"
    wait_for_job(client, "/admin/exports/2")
    assert jobs(app) == [(1, "failed"), (2, "done")]


def test_workbooks_are_removed_after_a_day(app, client, auth, accounts, runner, clock, exports):
    auth.sign_in("btc")
    wait_for_job(client, click_download(client))
    # What a worker killed while writing job 7 left behind: its scratch folder.
    leftover = exports / ".export-7.xlsx.k2j4x9"
    leftover.mkdir()
    (leftover / "tmp1a2b3c").write_bytes(b"<row/>" * 1000)
    # And a worker killed while sending a small workbook at once: its download's scratch folder, made now.
    left_download = exports / ".download.q8w7e6"
    left_download.mkdir()
    (left_download / "download").write_bytes(b"PK" * 1000)
    os.utime(left_download, (clock().timestamp(),) * 2)
    clock.advance(hours=23)
    auth.sign_in("btc")  # a session lasts 8 hours
    assert click_download(client) == "/admin/exports/2", "another day: the statuses may have changed"
    wait_for_job(client, "/admin/exports/2")
    assert sorted(entry.name for entry in exports.iterdir()) == [".download.q8w7e6", "export-1.xlsx",
                                                                 "export-2.xlsx"], "a download may still be sent"

    clock.advance(hours=2)
    auth.sign_in("btc")
    cleaned = runner.invoke(args=["export", "cleanup"])
    assert cleaned.output == f"Đã xóa 2 tệp cũ trong {exports}.\n"
    assert sorted(entry.name for entry in exports.iterdir()) == ["export-2.xlsx"]
    assert jobs(app) == [(2, "done")]
    assert client.get("/admin/exports/1").status_code == 404
    assert downloaded_workbook(client.get("/admin/exports/2.xlsx")).sheetnames[0] == "Tổng hợp số liệu"


def test_a_job_is_reached_only_from_a_scope_that_holds_it(app, client, auth, accounts):
    auth.sign_in("btc")
    province = click_download(client)
    wait_for_job(client, province)
    district = app.test_client()
    auth.for_client(district).sign_in("krongpac")
    for url in (province, f"{province}.xlsx", f"{province}/state"):
        refused = district.get(url)
        assert refused.status_code == 404 and "Đắk Lắk" not in refused.text, url
    token = auth.for_client(district).csrf_token()
    assert district.post(f"{province}/again", data={"csrf_token": token}).status_code == 404
    assert len(jobs(app)) == 1

    own = click_download(district)
    assert own == "/admin/exports/2"
    wait_for_job(district, own)
    assert "Huyện ủy Krông Pắc" in text_of(client.get(own).text), "the province holds the district"
    assert downloaded_workbook(client.get(f"{own}.xlsx")).sheetnames[0] == "Tổng hợp số liệu"


@pytest.mark.parametrize(("state", "active"), [("queued", True), ("running", True), ("done", False),
                                                ("failed", False)])
def test_a_job_page_never_reloads_itself_and_offers_an_update_while_the_job_runs(app, client, auth, accounts, state,
                                                                                  active):
    with app.app_context():
        db.session.add(ExportJob(scope_unit_id=unit_id(app, "TU"), language="vi", state=state, units_done=10,
                                 units_total=26, config_version=app.extensions["survey"].version,
                                 file_name="export-1.xlsx" if state == "done" else None,
                                 error="disk full" if state == "failed" else None))
        db.session.commit()
    auth.sign_in("btc")
    page = client.get("/admin/exports/1")
    assert page.status_code == 200 and "Refresh" not in page.headers
    assert "http-equiv" not in page.text.lower(), "no reload of its own (WCAG 2.2.1)"
    region = re.search(r'<div id="export-job" aria-live="polite"[^>]*>', page.text)
    assert region, "the state is a polite live region"
    assert ('data-state-url="/admin/exports/1/state"' in region.group()) == active
    assert ('<a class="button" href="/admin/exports/1">Cập nhật</a>' in page.text) == active, "asked, not automatic"
    shown = job_state(client, "/admin/exports/1")
    assert (shown["state"], shown["active"]) == (state, active)
    assert text_of(shown["html"]) in text_of(page.text)
    assert ('href="/admin/exports/1.xlsx"' in shown["html"]) == (state == "done")
