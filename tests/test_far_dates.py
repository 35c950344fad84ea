"""A unit's last day far from the review: refused when a manager types it, and shown wherever it is stored.

The database may hold any date (a direct SQL edit, or an extension given before the limit existed): every
page, workbook, draft and command must still work with it, and show it as stored.
"""

import datetime as dt
import io

import docx
import openpyxl
import pytest
import sqlalchemy as sa
from answers import store, stored_cell_answers
from pages import hidden_state, read_form, text_of
from workbooks import downloaded_workbook

from models import Unit, db
from schema.model import day_text

CODE = "KP.EK.01"
#: Dates the database may hold, from a time before the limits; the day before the clock's today is added
#: in the test, as the clock stands relative to the survey.
STORED = {
    "the last day a date can be": dt.date(9999, 12, 31),
    "the day before it": dt.date(9999, 12, 30),
    "year 3000": dt.date(3000, 1, 1),
    "the first day a date can be": dt.date(1, 1, 1),
    "the day before the survey's clock": None,
}


def store_last_day(app, day):
    """Write a unit's last day as a direct SQL edit would, past every check of the service."""
    with app.app_context():
        db.session.execute(sa.update(Unit).where(Unit.code == CODE).values(deadline_extended_to=day))
        db.session.commit()


@pytest.fixture(params=STORED)
def stored_day(request, app, accounts, clock):
    """A unit whose last day is stored far from the review, with a draft saved; return that day."""
    day = STORED[request.param] or clock.survey.today(clock()) - dt.timedelta(days=1)
    store(app, CODE, stored_cell_answers(), action="save")
    store_last_day(app, day)
    return day


def read_document(response):
    """Return the Word document a download sends, and close the response (it streams from a file)."""
    try:
        assert response.status_code == 200, response.status_code
        return docx.Document(io.BytesIO(response.data))
    finally:
        response.close()


def test_the_units_own_pages_work_and_show_the_stored_day(client, accounts, stored_day):
    token = accounts[CODE].token
    page = client.get(f"/s/{token}")
    assert page.status_code == 200 and day_text(stored_day) in text_of(page.text)
    saved = client.post(f"/s/{token}", data={**read_form(page.text).values, **hidden_state(page.text),
                                             "action": "save"})
    assert saved.status_code == 302, saved.text
    assert client.get(f"/s/{token}/print").status_code == 200
    read_document(client.get(f"/s/{token}/report.docx"))


def test_the_committees_pages_work_and_show_the_stored_day(app, auth, accounts, stored_day):
    auth.sign_in("btc")
    client = auth.client
    page = client.get(f"/admin/units/{CODE}")
    assert page.status_code == 200 and day_text(stored_day) in text_of(page.text)
    assert 'name="last_day"' in page.text, "the form that undoes it is on the page"
    for url in ("/admin/", "/admin/units", "/admin/missing", f"/admin/units/{CODE}/invitation",
                "/admin/invitations", "/admin/missing?status=overdue"):
        assert client.get(url).status_code == 200, url
    read_document(client.get(f"/admin/units/{CODE}/report.docx"))
    read_document(client.get("/admin/report.docx"))


def as_written(day):
    """Return how openpyxl reads a last day back: a date cell, or the date's text where Excel has no such date."""
    return dt.datetime.combine(day, dt.time()) if day.year >= 1900 else day_text(day)


def progress_last_day(book):
    progress = {row[2].value: row for row in book["Tiến độ"].iter_rows(min_row=2)}
    return progress[CODE][5].value


def test_the_workbooks_show_the_stored_day(app, auth, accounts, stored_day):
    auth.sign_in("btc")
    client = auth.client
    book = downloaded_workbook(client.get("/admin/export.xlsx"))
    assert progress_last_day(book) == as_written(stored_day)
    links = downloaded_workbook(client.get("/admin/links.xlsx"))
    assert CODE in [row[2].value for row in links.active.iter_rows(min_row=2)]
    listed = downloaded_workbook(client.get("/admin/units.xlsx"))
    assert CODE in [cell.value for row in listed.active.iter_rows(min_row=2) for cell in row]


def test_a_job_writes_the_workbook_with_the_stored_day(make_app, auth, accounts, stored_day, wait_for_export_jobs):
    client = make_app(EXPORT_STREAM_UNITS=0).test_client()
    manager = auth.for_client(client)
    manager.sign_in("btc")
    started = client.get("/admin/export.xlsx")
    assert started.status_code in (302, 303), started.status_code
    wait_for_export_jobs()
    job = client.get(started.location)
    assert job.status_code == 200
    book = downloaded_workbook(client.get(started.location + ".xlsx"))
    assert progress_last_day(book) == as_written(stored_day)
    assert client.get("/admin/export.xlsx").status_code in (302, 303), "the fresh job is found again"


def test_the_commands_write_everything_with_the_stored_day(app, runner, accounts, stored_day, tmp_path):
    workbook = tmp_path / "all.xlsx"
    result = runner.invoke(args=["export", "xlsx", str(workbook)])
    assert result.exit_code == 0, result.output
    assert progress_last_day(openpyxl.load_workbook(workbook)) == as_written(stored_day)
    draft = tmp_path / "draft.docx"
    result = runner.invoke(args=["export", "docx", str(draft)])
    assert result.exit_code == 0, result.output
    docx.Document(draft)
    links = runner.invoke(args=["units", "links"])
    assert links.exit_code == 0 and CODE in links.output



def stored_last_day(app):
    with app.app_context():
        return db.session.scalar(sa.select(Unit.deadline_extended_to).filter_by(code=CODE))


#: What a manager may type in the last day's box, which the form refuses: each is checked on a page
#: without the date picker too, where the box takes any text.
REFUSED = {
    "year 9999 typed": lambda survey, today: "31/12/9999",
    "year 9999 picked": lambda survey, today: "9999-12-31",
    "a five-digit year": lambda survey, today: "01/01/10000",
    "29 February of a common year": lambda survey, today: "29/02/2027",
    "zeros": lambda survey, today: "0/0/0",
    "text": lambda survey, today: "ngày mai",
    "nothing": lambda survey, today: "",
    "a day past the horizon": lambda survey, today: (survey.latest_extension() + dt.timedelta(days=1)).isoformat(),
    "yesterday": lambda survey, today: day_text(today - dt.timedelta(days=1)),
}


@pytest.mark.parametrize("typed", REFUSED)
def test_a_last_day_beyond_the_review_is_refused_with_the_range(app, auth, accounts, clock, typed):
    survey, today = clock.survey, clock.survey.today(clock())
    auth.sign_in("btc")
    refused = auth.client.post(f"/admin/units/{CODE}/extend", data={"csrf_token": auth.csrf_token(),
                                                                    "last_day": REFUSED[typed](survey, today)})
    assert refused.status_code == 302
    assert stored_last_day(app) is None
    page = text_of(auth.client.get(refused.location).text)
    assert f"Chọn ngày cuối từ {day_text(today)} đến {day_text(survey.latest_extension())}" in page


@pytest.mark.parametrize("spelling", ["%Y-%m-%d", "%d/%m/%Y"])
@pytest.mark.parametrize("day", ["today", "the horizon"])
def test_a_last_day_within_the_review_is_taken_picked_or_typed(app, auth, accounts, clock, spelling, day):
    survey = clock.survey
    chosen = survey.today(clock()) if day == "today" else survey.latest_extension()
    assert chosen - max(survey.deadlines.values()) <= dt.timedelta(days=366)
    auth.sign_in("btc")
    taken = auth.client.post(f"/admin/units/{CODE}/extend", data={"csrf_token": auth.csrf_token(),
                                                                  "last_day": chosen.strftime(spelling)})
    assert taken.status_code == 302 and stored_last_day(app) == chosen
    page = auth.client.get(taken.location).text
    assert day_text(chosen) in text_of(page)
    assert f'max="{survey.latest_extension().isoformat()}"' in page, "the date picker offers the same range"
