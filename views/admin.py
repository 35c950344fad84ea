"""The committees' side under /admin/: sign-in, progress of their scope, missing units, exports."""

import datetime as dt
import functools
import time

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from exports import workbook_download
from forms.admin import SignInForm
from models import Unit, User, db, utcnow
from reporting.accounts import TooManyAttempts, authenticate
from reporting.hierarchy import UnitTree
from reporting.progress import missing_units, scope_progress
from reporting.status import STATUS_LABELS, report_status
from schema import REPORTING_LEVELS
from schema.store import current_survey

bp = Blueprint("admin", __name__, url_prefix="/admin")

SESSION_LIFETIME = dt.timedelta(hours=8)


def signed_in_user():
    """Return the account of this session, or None if there is none, it expired or was disabled."""
    user_id, since = session.get("user_id"), session.get("signed_in_at")
    if user_id is None or since is None:
        return None
    if utcnow() - dt.datetime.fromisoformat(since) > SESSION_LIFETIME:
        session.clear()
        return None
    user = db.session.get(User, user_id)
    return None if user is None or user.disabled else user


def sign_in_required(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        g.user = signed_in_user()
        if g.user is None:
            return redirect(url_for("admin.home"))
        return view(*args, **kwargs)
    return wrapper


@bp.get("/")
def home():
    g.user = signed_in_user()
    if g.user is None:
        return render_template("admin/sign_in.html", form=SignInForm())
    return dashboard()


@bp.post("/sign-in")
def sign_in():
    form = SignInForm()
    if not form.validate_on_submit():
        return render_template("admin/sign_in.html", form=form), 400
    try:
        user = authenticate(form.username.data, form.password.data, request.remote_addr or "")
    except TooManyAttempts:
        message = _("Too many failed attempts. Wait 15 minutes, then try again.")
        return render_template("admin/sign_in.html", form=form, message=message), 429
    if user is None:
        time.sleep(current_app.config.get("SIGN_IN_FAILURE_DELAY", 1.0))
        message = _("The user name or the password is wrong.")
        return render_template("admin/sign_in.html", form=form, message=message), 401
    session.clear()
    session.permanent = True
    session["user_id"] = user.id
    session["signed_in_at"] = utcnow().isoformat()
    return redirect(url_for("admin.home"))


@bp.post("/sign-out")
def sign_out():
    session.clear()
    return redirect(url_for("admin.home"))


def dashboard():
    survey, now = current_survey(), utcnow()
    progress = scope_progress(g.user.scope, survey, now)
    deadlines = {level: survey.deadline_for(level) for level in REPORTING_LEVELS}
    days_left = {level: (deadline - now).days for level, deadline in deadlines.items()}
    return render_template("admin/dashboard.html", progress=progress, deadlines=deadlines, days_left=days_left,
                           statuses=STATUS_LABELS)


@bp.get("/missing")
@sign_in_required
def missing():
    survey, now = current_survey(), utcnow()
    filters = {key: request.args.get(key) or None for key in ("level", "status", "child", "search")}
    rows = missing_units(g.user.scope, survey, now, **filters)
    children = scope_progress(g.user.scope, survey, now).by_child
    return render_template("admin/missing.html", rows=rows, filters=filters, children=children,
                           statuses=STATUS_LABELS, levels=REPORTING_LEVELS)


@bp.get("/export.xlsx")
@sign_in_required
def export_workbook():
    language = "en" if str(request.args.get("lang") or request.cookies.get("lang")) == "en" else "vi"
    return workbook_download(current_survey(), g.user.scope, language)


@bp.get("/units/<code>")
@sign_in_required
def unit(code):
    """A unit's page is only for accounts whose scope holds it; others get a plain 404."""
    found = db.session.scalar(sa.select(Unit).filter_by(code=code))
    if found is None or not UnitTree().contains(g.user.scope, found):
        abort(404)
    survey = current_survey()
    response = found.response
    status = report_status(response, survey.deadline_for(found.level), utcnow())
    return render_template("admin/unit.html", unit=found, status=status, statuses=STATUS_LABELS)
