"""The record of what committee accounts did ("Nhật ký"): its page and workbook, filtered within the account's
scope, and the downloads it notes."""

import functools
import math

import sqlalchemy as sa
from flask import g, render_template, request
from flask_babel import gettext as _

import clock
from accounts.record import ACTION_KINDS, PAGE_SIZE, ActionFilters, actions_query, describe, record
from downloads.files import download_name
from downloads.workbooks import send_workbook
from exports.actions import write_actions_workbook
from models import Unit, db
from schema.model import day_text
from schema.store import current_survey

from .auth import bp, sign_in_required


def recorded_download(file_kind):
    """Record each file the view sends (a response with an attachment) as a download of `file_kind`, of the
    unit its `code` names, else of the account's scope."""
    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            response = view(*args, **kwargs)
            sent = getattr(response, "status_code", None) == 200
            if sent and "attachment" in response.headers.get("Content-Disposition", ""):
                unit = db.session.scalar(sa.select(Unit).filter_by(code=kwargs["code"])) if "code" in kwargs \
                    else g.user.scope
                record_download(file_kind, unit)
            return response
        return wrapper
    return decorate


def record_download(file_kind, unit):
    """Record that the signed-in account downloaded a file of `file_kind` of `unit` (or of the scope it heads)."""
    record("download", unit, g.user, file=file_kind)
    db.session.commit()


def requested_filters():
    return ActionFilters.from_values(request.args)


def action_rows(actions):
    """Yield (time, account, action, unit code, unit name, reason, facts) of each (Action, code, name, username)."""
    for action, code, name, username in actions:
        yield (action.created_at, username or _("command on the server"), str(ACTION_KINDS[action.kind]), code,
               name, action.reason or "", describe(action, day_text))


@bp.get("/actions")
@sign_in_required
def actions():
    filters = requested_filters()
    query = actions_query(g.user.scope, filters)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(request.args.get("page", 1, int), 1), pages)
    rows = db.session.execute(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return render_template("admin/actions.html", rows=list(action_rows(rows)), filters=filters, kinds=ACTION_KINDS,
                           total=total, page=page, pages=pages)


@bp.get("/actions.xlsx")
@sign_in_required
@recorded_download("actions")
def actions_workbook():
    survey = current_survey()
    query = actions_query(g.user.scope, requested_filters()).execution_options(yield_per=1000)
    rows = action_rows(db.session.execute(query))
    name = download_name(g.user.scope.name, survey.today(clock.now()), prefix="nhật-ký")
    return send_workbook(lambda path, tmpdir: write_actions_workbook(path, rows, survey.local, tmpdir), name)
