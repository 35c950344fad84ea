"""A passage of a unit's narrative answer that a committee chose for its consolidated draft."""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

import clock

from .base import UTCDateTime, db


class Excerpt(db.Model):
    """Chosen by a committee for one outline item: kept as picked, whatever the unit saves later (the page
    marks it when the unit's answer has changed since: see consolidation.excerpts)."""

    __tablename__ = "excerpts"
    __table_args__ = (
        sa.CheckConstraint("start_offset >= 0 AND end_offset > start_offset", name="passage_within_text"),
        sa.Index("ix_excerpts_committee_question", "committee_id", "question_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The committee whose draft it serves: the scope unit of the account that chose it.
    committee_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    #: The outline item (a narrative question's id).
    question_id: Mapped[str] = mapped_column(sa.String(64))
    #: The unit that wrote it, and the text it was taken from (as that unit's answer stood then).
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    text_id: Mapped[int] = mapped_column(sa.ForeignKey("answer_texts.id"), index=True)
    #: Where the passage lies in that text (characters), and the passage itself as picked.
    start_offset: Mapped[int]
    end_offset: Mapped[int]
    passage: Mapped[str] = mapped_column(sa.Text)
    #: The reviewer's note, for the committee's own eyes.
    note: Mapped[str | None] = mapped_column(sa.Text)
    #: Its place among the item's excerpts: the draft quotes them in this order.
    position: Mapped[int] = mapped_column(default=0)
    chosen_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)

    unit: Mapped["Unit"] = relationship(foreign_keys=[unit_id])  # noqa: F821
