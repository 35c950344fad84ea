"""Committee accounts: creating them, checking passwords, and slowing down guessing.

Failed sign-ins are rows in the database, so every gunicorn worker counts the same attempts.
"""

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _

import clock
from models import ROLES, SignInAttempt, Unit, User, db

MIN_PASSWORD_LENGTH = 10
#: At most this many failures per user name, and per address, within the window.
MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)


class AccountError(Exception):
    """An account command that cannot be carried out; the message says why."""


class TooManyAttempts(Exception):
    """Sign-in refused because of recent failures, whatever the password."""


def create_user(username, password, scope_code, role="viewer"):
    username = username.strip().lower()
    if not username or len(username) > 80:
        raise AccountError(_("A user name needs 1 to 80 characters."))
    if db.session.scalar(sa.select(User.id).filter_by(username=username)):
        raise AccountError(_("The user %(name)s already exists.", name=username))
    if role not in ROLES:
        raise AccountError(_("Unknown role %(role)s.", role=role))
    scope = db.session.scalar(sa.select(Unit).filter_by(code=scope_code))
    if scope is None:
        raise AccountError(_("No unit has the code %(code)s.", code=scope_code))
    user = User(username=username, scope=scope, role=role)
    _set_password(user, password)
    db.session.add(user)
    db.session.commit()
    return user


def change_password(username, password):
    user = _existing(username)
    _set_password(user, password)
    db.session.commit()


def disable_user(username):
    user = _existing(username)
    user.disabled = True
    db.session.commit()


def list_users():
    return list(db.session.scalars(sa.select(User).order_by(User.username)))


def authenticate(username, password, remote_addr):
    """Return the active user with this name and password, or None; count a failure."""
    username = (username or "").strip().lower()
    now = clock.now()
    if _recent_failures(username, remote_addr, now) >= MAX_FAILURES:
        raise TooManyAttempts()
    user = db.session.scalar(sa.select(User).filter_by(username=username))
    if user is not None and not user.disabled and user.check_password(password or ""):
        return user
    db.session.add(SignInAttempt(username=username[:80], remote_addr=remote_addr[:64], created_at=now))
    db.session.commit()
    return None


def _recent_failures(username, remote_addr, now):
    since = now - FAILURE_WINDOW
    count = sa.select(sa.func.count()).select_from(SignInAttempt).where(SignInAttempt.created_at >= since)
    by_name = db.session.scalar(count.where(SignInAttempt.username == username))
    by_address = db.session.scalar(count.where(SignInAttempt.remote_addr == remote_addr))
    return max(by_name, by_address)


def _existing(username):
    user = db.session.scalar(sa.select(User).filter_by(username=username.strip().lower()))
    if user is None:
        raise AccountError(_("No user is called %(name)s.", name=username))
    return user


def _set_password(user, password):
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("A password needs at least %(count)s characters.", count=MIN_PASSWORD_LENGTH))
    user.set_password(password)
