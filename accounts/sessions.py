"""Sign-in sessions kept in the database: the cookie carries a random key, the server decides whether it
still signs anyone in. Ending a session works in every worker at once and for every copy of the cookie."""

import hashlib
import secrets

import sqlalchemy as sa

import clock
from models import SignInSession, User, db


def start_session(user):
    """Record a new sign-in of `user` and return the key for the session cookie."""
    key = secrets.token_urlsafe(32)
    db.session.add(SignInSession(key_hash=_hash(key), user=user, created_at=clock.now()))
    db.session.commit()
    return key


def session_user(key, lifetime):
    """Return the account signed in with this key, or None if the session ended, is older than
    `lifetime`, or its account was disabled."""
    if not key:
        return None
    now = clock.now()
    return db.session.scalar(
        sa.select(User).join(SignInSession.user)
        .where(SignInSession.key_hash == _hash(key), SignInSession.ended_at.is_(None),
               SignInSession.created_at >= now - lifetime, User.disabled.is_(False)))


def end_session(key):
    """End the session with this key (signing out)."""
    if key:
        _end(SignInSession.key_hash == _hash(key))
        db.session.commit()


def end_sessions_of(user):
    """End every open session of `user`; the caller commits with the change that calls for it."""
    _end(SignInSession.user_id == user.id)


def _end(condition):
    db.session.execute(sa.update(SignInSession).where(condition, SignInSession.ended_at.is_(None))
                       .values(ended_at=clock.now()))


def _hash(key):
    return hashlib.sha256(key.encode()).hexdigest()
