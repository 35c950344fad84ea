"""The review's key flows before, on and after a level's last day, with the app's clock set by the test.

Nothing here depends on the machine's date: every moment is placed relative to the survey's deadlines.
"""

import datetime as dt
from collections import Counter

import openpyxl
import pytest
import sqlalchemy as sa
from answers import cell_report, committee_report, district_report, store, stored_cell_answers
from flask_babel import force_locale
from pages import hidden_state, text_of

from consolidation.source import ExportSource
from exports import write_workbook
from models import Response, Revision, Unit, db
from reports.progress import scope_progress
from reports.status import STATUS_LABELS, report_status
from units.changes import extend_deadline
from units.listing import UnitFilters, all_listed_units

#: Where the clock stands relative to a level's last day, and whether a submission then is on time.
MOMENTS = {
    "ten days before": (lambda clock, level: clock.at(clock.survey.last_day(level) - dt.timedelta(days=10)), True),
    "first minute of the last day": (lambda clock, level: clock.on_last_day(level, hour=0, minute=0), True),
    "last minute of the last day": (lambda clock, level: clock.on_last_day(level), True),
    "first minute after": (lambda clock, level: clock.after_last_day(level), False),
    "a month after": (lambda clock, level: clock.after_last_day(level, days=30, hour=14), False),
}
UNITS = {"BMT.TL.01": ("chi_bo_truc_thuoc", cell_report), "BMT.TL": ("dang_bo_co_so", committee_report),
         "TU.BMT": ("cap_huyen", district_report)}


def submit(client, token, report, page_html=None):
    page_html = page_html or client.get(f"/s/{token}").text
    return client.post(f"/s/{token}", data={**report(), **hidden_state(page_html), "action": "submit"})


def response_and_revisions(app, code):
    with app.app_context():
        unit = db.session.scalar(sa.select(Unit).filter_by(code=code))
        response = db.session.scalar(sa.select(Response).filter_by(unit_id=unit.id))
        revisions = list(db.session.scalars(sa.select(Revision).filter_by(response_id=response.id)))
        db.session.expunge_all()
        return response, revisions


@pytest.mark.parametrize("code", UNITS)
@pytest.mark.parametrize("moment", MOMENTS)
def test_a_unit_submits_and_corrects_until_its_levels_last_day_ends(app, client, units, clock, code, moment):
    level, report = UNITS[code]
    move, on_time = MOMENTS[moment]
    move(clock, level)
    token = units[code].token
    page = client.get(f"/s/{token}").text
    assert ('class="status status-overdue"' in page) is not on_time
    assert submit(client, token, report, page).status_code == 302
    response, revisions = response_and_revisions(app, code)
    assert response.submitted_late is not on_time and revisions[0].late is not on_time
    assert ('name="action"' in client.get(f"/s/{token}?edit=1").text) is on_time, "correctable until the end"


def test_a_cell_past_its_last_day_is_overdue_while_its_committee_is_still_on_time(client, units, clock):
    clock.after_last_day("chi_bo_truc_thuoc")
    assert 'status-overdue"' in client.get(f"/s/{units['BMT.TL.01'].token}").text
    assert 'status-overdue"' not in client.get(f"/s/{units['BMT.TL'].token}").text


def test_a_submission_resent_after_the_deadline_is_recognised_as_already_saved(app, client, units, clock):
    clock.on_last_day("chi_bo_truc_thuoc")
    token = units["BMT.TL.01"].token
    page = client.get(f"/s/{token}").text
    assert submit(client, token, cell_report, page).status_code == 302
    clock.after_last_day("chi_bo_truc_thuoc")
    again = submit(client, token, cell_report, page)
    assert again.status_code == 302
    assert "không có nội dung nào bị lưu trùng" in text_of(client.get(again.location).text)
    response, revisions = response_and_revisions(app, "BMT.TL.01")
    assert len(revisions) == 1 and not response.submitted_late


def test_a_new_submission_after_the_deadline_of_a_submitted_report_is_refused(app, client, units, clock):
    clock.on_last_day("chi_bo_truc_thuoc")
    token = units["BMT.TL.01"].token
    submit(client, token, cell_report)
    stale = client.get(f"/s/{token}?edit=1").text
    clock.after_last_day("chi_bo_truc_thuoc")
    refused = submit(client, token, lambda: cell_report(so_dang_vien="30"), stale)
    assert refused.status_code == 409 and "<form" not in refused.text.split("</header>")[-1]
    assert len(response_and_revisions(app, "BMT.TL.01")[1]) == 1


#: Moments around each level's last day, and a unit of that level that has not submitted.
BOUNDARIES = [
    ("chi_bo_truc_thuoc", "on_last_day", "BMT.TL.02"), ("chi_bo_truc_thuoc", "after_last_day", "BMT.TL.02"),
    ("dang_bo_co_so", "on_last_day", "BMT.TL"), ("dang_bo_co_so", "after_last_day", "BMT.TL"),
    ("dang_bo_co_so", "on_last_day", "KP.EK.01"), ("dang_bo_co_so", "after_last_day", "KP.EK.01"),
    ("cap_huyen", "on_last_day", "TU.BMT"), ("cap_huyen", "after_last_day", "TU.BMT"),
]


@pytest.mark.parametrize(("level", "where", "code"), BOUNDARIES)
def test_the_progress_pages_and_the_workbook_agree_with_each_units_status(app, units, clock, tmp_path,
                                                                          level, where, code):
    clock.at(clock.survey.last_day("chi_bo_truc_thuoc") - dt.timedelta(days=3))
    store(app, "BMT.TL.01", stored_cell_answers())
    store(app, "BMT.TL.02", stored_cell_answers(), action="save")
    with app.app_context():
        # A cell given until its committee's last day.
        extend_deadline(db.session.scalar(sa.select(Unit).filter_by(code="KP.EK.01")),
                        clock.survey.last_day("dang_bo_co_so"))
    getattr(clock, where)(level)
    with app.app_context():
        survey, now = app.extensions["survey"], clock()
        statuses = {
            unit.code: report_status(unit.response, survey.deadline_for(unit.level, unit.deadline_extended_to), now)
            for unit in db.session.scalars(sa.select(Unit).where(Unit.level != "tinh"))}
        counted = scope_progress(None, survey, now).overall.counts
        province = db.session.scalar(sa.select(Unit).filter_by(level="tinh"))
        missing = all_listed_units(province, survey, now, UnitFilters(status="missing"))
        listed = {row.code: row.status for row in missing}
        write_workbook(tmp_path / "book.xlsx", survey, ExportSource(), now=now)
        with force_locale("vi"):
            labels = {str(label): status for status, label in STATUS_LABELS.items()}
    progress_sheet = openpyxl.load_workbook(tmp_path / "book.xlsx")["Tiến độ"]
    in_workbook = {row[2]: labels[row[6]] for row in progress_sheet.iter_rows(min_row=2, values_only=True)}
    assert (statuses[code] == "overdue") is (where == "after_last_day")
    assert +counted == Counter(statuses.values())
    assert listed == {unit: status for unit, status in statuses.items() if status != "submitted"}
    assert in_workbook == statuses
