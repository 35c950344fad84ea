"""Committee accounts: creating them, checking passwords, and slowing down guessing.

Failed sign-ins are rows in the database, so every gunicorn worker counts the same attempts.
"""

import datetime as dt

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

import clock
from models import ROLES, SignInAttempt, Unit, User, db
from plain_text import first_control_character

from .record import record
from .sessions import end_sessions_of

MIN_PASSWORD_LENGTH = 10
#: Failures with one user name that hold that account, and only it, until they leave the window: an
#: attacker gets 5 guesses per 15 minutes, some 500 a day, hopeless against a password of 10 characters
#: or more; a colleague's typos never lock anyone else out.
MAX_FAILURES_PER_ACCOUNT = 5
#: Failures from one address, whatever the user names, that hold that address: far looser, because a
#: provincial building puts its committees' staff behind one NAT address (twenty people could each use up
#: their five tries first). It stops one machine trying a common password against every account, which
#: the per-account limit alone would allow.
MAX_FAILURES_PER_ADDRESS = 100
FAILURE_WINDOW = dt.timedelta(minutes=15)
#: How long a failure is kept: far past the window that counts it, for whoever looks into a night's guessing,
#: and no longer, so that guesses from ever new addresses cannot grow the table without end.
FAILURES_KEPT_FOR = dt.timedelta(days=2)


class AccountError(Exception):
    """An account command that cannot be carried out; the message says why."""


class TooManyAttempts(Exception):
    """Sign-in refused because of recent failures, whatever the password, until `retry_at` (a whole
    minute); `by_address` when the address rather than the account is held."""

    def __init__(self, retry_at, by_address):
        super().__init__(retry_at, by_address)
        self.retry_at, self.by_address = retry_at, by_address


def create_user(username, password, scope_code, role="viewer"):
    username = username.strip().lower()
    if not username or len(username) > 80:
        raise AccountError(_("A user name needs 1 to 80 characters."))
    character = first_control_character(username)
    if character:
        raise AccountError(_("A user name cannot hold the control character %(character)s; type it again without "
                             "it.", character=character))
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
    record("create_account", scope, account=username, role=role)
    db.session.commit()
    return user


def change_password(username, password):
    """Set a new password and end the account's open sessions: whoever knew the old one is signed out."""
    user = _existing(username)
    _set_password(user, password)
    end_sessions_of(user)
    record("change_account", user.scope, account=user.username, change="password")
    db.session.commit()


def disable_user(username):
    """Refuse the account's sign-ins from now on and end its open sessions."""
    user = _existing(username)
    user.disabled = True
    end_sessions_of(user)
    record("change_account", user.scope, account=user.username, change="disabled")
    db.session.commit()


def list_users():
    return list(db.session.scalars(sa.select(User).order_by(User.username)))


def authenticate(username, password, remote_addr):
    """Return the active user with this name and password, or None and count a failure; raise
    TooManyAttempts, without looking at the password, while the account or the address is held."""
    username = (username or "").strip().lower()
    now = clock.now()
    attempt = _claim_attempt(username, remote_addr, now)
    user = db.session.scalar(sa.select(User).filter_by(username=username))
    if user is not None and not user.disabled and user.check_password(password or ""):
        db.session.delete(attempt)  # not a failure after all
        db.session.commit()
        return user
    db.session.execute(sa.delete(SignInAttempt).where(SignInAttempt.created_at < now - FAILURES_KEPT_FOR))
    db.session.commit()
    return None


def _claim_attempt(username, remote_addr, now):
    """Count this attempt as a failure before its password is checked, in the step that checks the limits:
    parallel guesses then each see the others, and no more than the limit of them reach the password. The
    count and the claim are one transaction that holds the account's and the address's lock (SQLite's write
    lock, taken by the INSERT; PostgreSQL's advisory locks), the slow password check comes after it."""
    _lock_attempts_of(username, remote_addr)
    attempt = SignInAttempt(username=username[:80], remote_addr=remote_addr[:64], created_at=now)
    db.session.add(attempt)
    db.session.flush()
    try:
        _refuse_while_held(username, remote_addr, now, attempt.id)
    except TooManyAttempts:
        db.session.rollback()  # a refused attempt is not counted: it never reached the password
        raise
    db.session.commit()
    return attempt


#: The first key of PostgreSQL's advisory locks on sign-in attempts; the second is the hash of a user name
#: (SIGN_IN_LOCK) or of an address (SIGN_IN_LOCK + 1).
SIGN_IN_LOCK = 0x7369676E


def _lock_attempts_of(username, remote_addr):
    """On PostgreSQL, hold the account's and the address's counts until the transaction ends (always in
    this order, so that two attempts never deadlock)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for key, value in ((SIGN_IN_LOCK, username), (SIGN_IN_LOCK + 1, remote_addr)):
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(key, sa.func.hashtext(value))))


def _refuse_while_held(username, remote_addr, now, own_id):
    limits = ((SignInAttempt.username, username, MAX_FAILURES_PER_ACCOUNT, False),
              (SignInAttempt.remote_addr, remote_addr, MAX_FAILURES_PER_ADDRESS, True))
    for column, value, limit, by_address in limits:
        held_until = _held_until(column, value, limit, now, own_id)
        if held_until is not None:
            raise TooManyAttempts(_next_whole_minute(held_until), by_address)


def _held_until(column, value, limit, now, own_id):
    """Return when the `limit`-th latest failure with this value (the attempt `own_id` left aside) leaves the
    window (one fewer than the limit then remains), or None if the window holds fewer than `limit` failures."""
    latest = (sa.select(SignInAttempt.created_at)
              .where(column == value, SignInAttempt.created_at > now - FAILURE_WINDOW, SignInAttempt.id != own_id)
              .order_by(SignInAttempt.created_at.desc()).offset(limit - 1).limit(1))
    oldest_counted = db.session.scalar(latest)
    return None if oldest_counted is None else oldest_counted + FAILURE_WINDOW


def _next_whole_minute(moment):
    """Round up to a minute, so that a person who tries again at the minute shown gets in."""
    whole = moment.replace(second=0, microsecond=0)
    return whole if whole == moment else whole + dt.timedelta(minutes=1)


def _existing(username):
    user = db.session.scalar(sa.select(User).filter_by(username=username.strip().lower()))
    if user is None:
        raise AccountError(_("No user is called %(name)s.", name=username))
    return user


def _set_password(user, password):
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("A password needs at least %(count)s characters.", count=MIN_PASSWORD_LENGTH))
    user.set_password(password, method=current_app.config["PASSWORD_HASH_METHOD"])
