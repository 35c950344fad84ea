"""A unit's report: one response per unit, and every version of it kept as a revision."""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

import clock

from .base import JSONType, UTCDateTime, db

ACTIONS = ("save", "submit")
#: The index of everything a unit's status reads (reports.progress.status_expression): the progress page and the
#: lists read it for every unit of a province, from the index alone.
STATUS_INDEX = "ix_responses_status"
#: "accepted": locked, counted; "returned": open for correction until the return's last day, not done;
#: "resubmitted": submitted again after a return, waiting for the reviewer.
REVIEW_STATES = ("accepted", "returned", "resubmitted")


class Response(db.Model):
    """The state of one unit's report; its answers live in its revisions."""

    __tablename__ = "responses"
    __table_args__ = (
        sa.CheckConstraint("current_number IS NULL OR current_number <= revision_count",
                           name="current_is_a_revision"),
        sa.CheckConstraint("submitted_number IS NULL OR submitted_number <= current_number",
                           name="submitted_not_after_current"),
        sa.CheckConstraint("(submitted_number IS NULL) = (submitted_at IS NULL)", name="submitted_at_with_number"),
        sa.CheckConstraint(sa.column("review").in_(REVIEW_STATES), name="known_review"),
        sa.Index(STATUS_INDEX, "unit_id", "review", "submitted_number", "submitted_late", "current_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The unit this report belongs to; the database allows one response per unit.
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), unique=True)
    #: When someone first acted on the unit's page (typed in it or saved it); a GET alone opens nothing.
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    #: How many revisions exist; saving increments it first, which serialises saves of one unit.
    revision_count: Mapped[int] = mapped_column(default=0)
    #: The revision the page shows and the committees read; None until the first save.
    current_number: Mapped[int | None]
    #: The last submitted revision; None while the report was never submitted.
    submitted_number: Mapped[int | None]
    #: When the report was last submitted.
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: Whether the last submission came after the unit's deadline.
    submitted_late: Mapped[bool] = mapped_column(default=False)
    #: When any revision was last saved.
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: Where the committee above stands on the report (REVIEW_STATES); None until it has acted, and again
    #: after it unlocked an accepted report. Its history is in the reviews (models.Review).
    review: Mapped[str | None] = mapped_column(sa.String(16))
    #: For a returned report: the last day its unit may correct it and submit again, whatever its deadline.
    correct_until: Mapped[dt.date | None] = mapped_column(sa.Date)

    unit: Mapped["Unit"] = relationship(back_populates="response")  # noqa: F821

    @property
    def is_submitted(self):
        return self.submitted_number is not None

    def __repr__(self):
        return f"<Response unit={self.unit_id} current={self.current_number} submitted={self.submitted_number}>"


class Revision(db.Model):
    """One save or submit of a report, never changed once written."""

    __tablename__ = "revisions"
    __table_args__ = (
        sa.UniqueConstraint("response_id", "number"),
        sa.CheckConstraint(sa.column("action").in_(ACTIONS), name="known_action"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("responses.id"), index=True)
    #: 1, 2, 3... within the response.
    number: Mapped[int]
    #: "save" for a draft, "submit" for a submission.
    action: Mapped[str] = mapped_column(sa.String(10))
    #: Answers keyed by question id, as SurveyForm.answers() gives them.
    answers: Mapped[dict] = mapped_column(JSONType)
    #: The survey config version (hash of the file) the answers were given under.
    config_version: Mapped[str] = mapped_column(sa.String(64))
    #: The revision the page was showing when it was opened; None for a blank page.
    based_on: Mapped[int | None]
    #: Saved from a page older than the current revision: kept, but not made current.
    conflict: Mapped[bool] = mapped_column(default=False)
    #: A submission made after the unit's deadline.
    late: Mapped[bool] = mapped_column(default=False)
    #: The one-time id of the rendered form, so that a resent POST is recognised.
    submission_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: A fingerprint of the link used: who saved, since links can be rotated.
    link_fingerprint: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)

    response: Mapped["Response"] = relationship()

    def __repr__(self):
        return f"<Revision {self.number} of response {self.response_id} {self.action}>"
