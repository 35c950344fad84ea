"""What the committee above answered to a submitted report: accepted, returned for completion, unlocked."""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

import clock

from .base import JSONType, UTCDateTime, db

#: What a reviewer does to a report.
REVIEW_ACTIONS = ("accept", "return", "unlock")


class Review(db.Model):
    """One reviewer's answer to one submitted version of a report, kept for ever: the unit reads the notes
    of the last return beside its answers, and the history keeps every one."""

    __tablename__ = "reviews"
    __table_args__ = (sa.CheckConstraint(sa.column("action").in_(REVIEW_ACTIONS), name="known_review_action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("responses.id"), index=True)
    #: The submitted version the reviewer read when acting.
    revision_number: Mapped[int]
    action: Mapped[str] = mapped_column(sa.String(16))
    #: Why, as typed: required to return or to unlock.
    reason: Mapped[str | None] = mapped_column(sa.Text)
    #: {question id: note} for a return, each note as typed.
    notes: Mapped[dict] = mapped_column(JSONType, default=dict)
    #: For a return: the last day the unit may correct and submit again.
    open_until: Mapped[dt.date | None] = mapped_column(sa.Date)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)

    user: Mapped["User"] = relationship()  # noqa: F821

    def __repr__(self):
        return f"<Review {self.action} of response {self.response_id} v{self.revision_number}>"
