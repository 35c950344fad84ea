"""Signing in to the committees' side, and the guard every other admin page stands behind."""

import functools
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, same_origin

import clock
from accounts.sessions import end_session, session_user, start_session
from accounts.users import TooManyAttempts, authenticate
from forms.admin import SignInForm
from models import Unit, db
from schema import REPORTING_LEVELS
from units.hierarchy import UnitTree
from views.display import local_time

bp = Blueprint("admin", __name__, url_prefix="/admin")

#: Where the session cookie keeps the key of the sign-in session (accounts/sessions.py).
SESSION_KEY = "sign_in"


def signed_in_user():
    """Return the account of this session, or None if there is none, or it ended, expired or was disabled."""
    return session_user(session.get(SESSION_KEY), current_app.permanent_session_lifetime)


@bp.before_request
def refuse_forms_from_other_sites():
    """Refuse a form posted to these pages by another site's page, when the browser says so in Origin or
    Referer. When it sends neither, the CSRF token still protects the form: it is tied to the session cookie,
    which SameSite=Lax keeps out of other sites' posts."""
    if request.method not in current_app.config["WTF_CSRF_METHODS"]:
        return
    for sent in (request.headers.get("Origin"), request.referrer):
        # "null" is what a browser sends when its referrer policy hides the origin: no answer either way.
        if sent and sent != "null" and not is_this_site(sent):
            # An operator who sees this for the service's own address has not set PROXY_HOPS behind HTTPS.
            current_app.logger.warning("Refused a form from %s posted to %s", origin_of(sent), request.host_url)
            raise CSRFError("The form came from another site.")


def is_this_site(url):
    """Tell whether a URL is of this site; one that names no site (a port out of range, an unclosed IPv6
    bracket) is not: no browser sends it, so it comes from a client that is not the service's pages."""
    try:
        return same_origin(url, request.host_url)
    except ValueError:
        return False


def origin_of(url):
    """Return the scheme and host of a URL, without the path that might name a page."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "an address that names no site"
    return f"{parts.scheme}://{parts.netloc}"


def unit_in_scope_or_404(code):
    """Return the unit with this code if the signed-in account's scope holds it; otherwise a plain 404,
    so that codes outside the scope are not revealed."""
    unit = db.session.scalar(sa.select(Unit).filter_by(code=code))
    if unit is None or not UnitTree().contains(g.user.scope, unit):
        abort(404)
    return unit


def reporting_unit_in_scope_or_404(code):
    """Return the unit if it is in the scope and reports (has a link at all), else answer 404."""
    found = unit_in_scope_or_404(code)
    if found.level not in REPORTING_LEVELS:
        abort(404)
    return found


def sign_in_required(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        g.user = signed_in_user()
        if g.user is None:
            return redirect(url_for("admin.home"))
        return view(*args, **kwargs)
    return wrapper


def manager_required(view):
    """Only managers may change a unit's report or link; a viewer is told so."""
    @functools.wraps(view)
    @sign_in_required
    def wrapper(*args, **kwargs):
        if g.user.role != "manager":
            abort(403)
        return view(*args, **kwargs)
    return wrapper


@bp.post("/sign-in")
def sign_in():
    form = SignInForm()
    if not form.validate_on_submit():
        return render_template("admin/sign_in.html", form=form), 400
    try:
        user = authenticate(form.username.data, form.password.data, request.remote_addr or "")
    except TooManyAttempts as held:
        return refused_for_now(form, held)
    if user is None:
        message = _("The user name or the password is wrong.")
        return render_template("admin/sign_in.html", form=form, message=message), 401
    session.clear()
    session.permanent = True
    session[SESSION_KEY] = start_session(user)
    return redirect(url_for("admin.home"))


def refused_for_now(form, held):
    """Say until when sign-in is held, and why, instead of making the worker wait."""
    if held.by_address:
        message = _("Too many failed sign-ins from this network. Try again after %(time)s.",
                    time=local_time(held.retry_at))
    else:
        message = _("Too many failed attempts for this user name. Try again after %(time)s.",
                    time=local_time(held.retry_at))
    seconds = max(1, int((held.retry_at - clock.now()).total_seconds()))
    page = render_template("admin/sign_in.html", form=form, message=message)
    return page, 429, {"Retry-After": str(seconds)}


@bp.post("/sign-out")
def sign_out():
    end_session(session.get(SESSION_KEY))
    session.clear()
    return redirect(url_for("admin.home"))


