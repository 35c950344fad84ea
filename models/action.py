"""The record of what committee accounts did ("Nhật ký")."""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

import clock

from .base import JSONType, UTCDateTime, db


class Action(db.Model):
    """One thing an account did, written in the same transaction as the thing itself. It names units and
    accounts, never a link, a password or an answer's text."""

    __tablename__ = "actions"
    __table_args__ = (sa.Index("ix_actions_unit_time", "unit_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: One of accounts.record.ACTION_KINDS.
    kind: Mapped[str] = mapped_column(sa.String(32), index=True)
    #: Who acted; None for a command run on the server (flask ...).
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: The unit acted on, or the scope an action on many units concerned (a unit list imported, a workbook
    #: downloaded, an account created): an account reads the record of the actions within its subtree.
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    #: Why, as typed, where the action asks for a reason.
    reason: Mapped[str | None] = mapped_column(sa.Text)
    #: Facts of the action (a new last day, a version number, counts), never a secret or an answer.
    details: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)

    user: Mapped["User | None"] = relationship()  # noqa: F821
    unit: Mapped["Unit"] = relationship()  # noqa: F821

    def __repr__(self):
        return f"<Action {self.kind} by {self.user_id} on {self.unit_id}>"
