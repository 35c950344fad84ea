"""Committee accounts: each sees one unit's subtree; failed sign-ins and sign-in sessions are kept in the database."""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

import clock

from .base import UTCDateTime, db

ROLES = ("viewer", "manager")


class User(db.Model):
    __tablename__ = "users"
    __table_args__ = (sa.CheckConstraint(sa.column("role").in_(ROLES), name="known_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    #: scrypt hash from werkzeug.security (PASSWORD_HASH_METHOD); the password itself is never stored or logged.
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    #: The unit whose subtree the account sees: the province for the Organisation Committee.
    scope_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    #: "viewer" reads; "manager" may also reopen, extend deadlines and rotate links.
    role: Mapped[str] = mapped_column(sa.String(16), default="viewer")
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)

    scope: Mapped["Unit"] = relationship()  # noqa: F821

    def set_password(self, password, method="scrypt"):
        """Keep the password's hash, made by werkzeug.security's `method` (the PASSWORD_HASH_METHOD setting)."""
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    def __repr__(self):
        return f"<User {self.username} {self.role}>"


class SignInAttempt(db.Model):
    """One failed sign-in; kept in the database so that every worker counts the same attempts."""

    __tablename__ = "sign_in_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The user name tried, lower-cased, whether or not such an account exists.
    username: Mapped[str] = mapped_column(sa.String(80), index=True)
    remote_addr: Mapped[str] = mapped_column(sa.String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)

    def __repr__(self):
        return f"<SignInAttempt {self.username} from {self.remote_addr}>"


class SignInSession(db.Model):
    """One sign-in to the committees' side. The session cookie carries only its random key, so the server
    can end it: sign-out, a new password or disabling the account stop every copy of the cookie at once."""

    __tablename__ = "sign_in_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the key in the cookie: what the database holds cannot sign anyone in.
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: When the person signed in; the session ends PERMANENT_SESSION_LIFETIME later at the latest.
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    #: When sign-out, a password change or disabling the account ended it; None while it may be used.
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped["User"] = relationship()

    def __repr__(self):
        return f"<SignInSession of user {self.user_id} since {self.created_at}>"
