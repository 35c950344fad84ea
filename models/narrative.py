"""Narrative answers as the committees read them: each distinct text stored and analysed once, and which
text each revision gives to each narrative question (see consolidation.answer_texts).

Copies are grouped per committee and item from the stored signatures (consolidation.narratives).
The full-text index over `answer_texts.folded` is not a model: an FTS5 table on SQLite, an expression
GIN index on PostgreSQL, both made by the migrations (SEARCH_INDEX names them).
"""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import UTCDateTime, db

#: The full-text index of answer texts: the FTS5 table on SQLite (and its shadow tables), the GIN index on
#: PostgreSQL. The migrations make it; comparing the models with the database leaves it out.
SEARCH_INDEX = "answer_text_search"


class AnswerText(db.Model):
    """One distinct narrative text, however many units and versions give it, with what analysing it found."""

    __tablename__ = "answer_texts"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the text with its spacing normalised: two answers differing only in spaces share a row.
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: The text as the unit wrote it (the first time).
    body: Mapped[str] = mapped_column(sa.Text)
    #: Lower case, without diacritics: what the full-text index reads and a query is folded to.
    folded: Mapped[str] = mapped_column(sa.Text)
    #: What analysing it found (consolidation.text_analysis.TextAnalysis.columns): its key terms, those of
    #: each sentence, its MinHash signature, and the version of the analysis; None until it is analysed,
    #: by the analyser beside gunicorn (`flask narratives follow`), the first summary that reads it, or
    #: `flask narratives index` for texts stored before.
    terms: Mapped[str | None] = mapped_column(sa.Text)
    sentence_terms: Mapped[str | None] = mapped_column(sa.Text)
    signature: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    version: Mapped[int | None]
    analysed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)


class RevisionText(db.Model):
    """The text one revision gives to one narrative question; written for the revisions committees read
    (a unit's current and submitted versions), soon after their save (UnlinkedRevision)."""

    __tablename__ = "revision_texts"
    # A committee's reading of one item starts from the item's texts: revision and text without the table.
    __table_args__ = (sa.Index("ix_revision_texts_question", "question_id", "revision_id", "text_id"),)

    revision_id: Mapped[int] = mapped_column(sa.ForeignKey("revisions.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    text_id: Mapped[int] = mapped_column(sa.ForeignKey("answer_texts.id"), index=True)


class UnlinkedRevision(db.Model):
    """A revision a save made current whose texts are not linked yet: the save leaves storing and linking
    them to the text analyser, or to the first committee reading that needs them, which link many revisions
    in a few statements (consolidation.answer_texts.link_saved_revisions)."""

    __tablename__ = "unlinked_revisions"

    revision_id: Mapped[int] = mapped_column(sa.ForeignKey("revisions.id", ondelete="CASCADE"), primary_key=True)


def described_by_models(name, type_, parent_names):
    """Alembic's include_name: compare everything but the full-text index with the models."""
    return not (name or "").startswith(SEARCH_INDEX)


class StoredSummary(db.Model):
    """What many units say about one narrative item, in a committee's scope (consolidation.summaries): kept
    so that the reading page, the workbook and the draft read it instead of every answer, and shared by
    the workers. `state` tells which answers it was made from; a summary whose state is no longer the
    answers' is shown with its time while a worker makes it anew."""

    __tablename__ = "item_summaries"
    __table_args__ = (sa.UniqueConstraint("scope_key", "question_id", "drafts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The scope unit's id; 0 for the whole province (every unit, whoever reads it).
    scope_key: Mapped[int]
    question_id: Mapped[str] = mapped_column(sa.String(64))
    #: Made from the current drafts of the units that have not submitted too.
    drafts: Mapped[bool]
    #: The answers' state it was made from (consolidation.summaries.answers_state); None before the first.
    state: Mapped[str | None] = mapped_column(sa.String(120))
    #: The summary as JSON (consolidation.summaries); None before the first.
    payload: Mapped[str | None] = mapped_column(sa.Text)
    computed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: Set while a worker makes it anew, so that one worker does; a stale time means that worker stopped.
    refreshing_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
