"""A file being written for a scope in the background, the Excel workbook or the consolidated draft, so
that a province-wide download outlives the request that asked for it (see downloads.jobs)."""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

import clock

from .base import UTCDateTime, db

STATES = ("queued", "running", "done", "failed")
#: What a job writes: the Excel workbook, or the committee's consolidated draft as a Word document.
KINDS = ("xlsx", "docx")
#: The states of a job still being written: at most one per scope.
ACTIVE_STATES = ("queued", "running")
ACTIVE = sa.column("state").in_(ACTIVE_STATES)


class ExportJob(db.Model):
    __tablename__ = "export_jobs"
    __table_args__ = (
        sa.CheckConstraint(sa.column("state").in_(STATES), name="known_state"),
        sa.CheckConstraint(sa.column("kind").in_(KINDS), name="known_kind"),
        # Two clicks, in two workers at once, cannot both start a job of one kind for one scope.
        sa.Index("one_active_export_per_scope", "scope_unit_id", "kind", unique=True,
                 sqlite_where=ACTIVE, postgresql_where=ACTIVE),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: One of KINDS: the file's format, and what it holds.
    kind: Mapped[str] = mapped_column(sa.String(8), default="xlsx", server_default="xlsx")
    #: The unit whose subtree the file covers.
    scope_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    #: The language of the sheets and labels, one of config.LANGUAGES.
    language: Mapped[str] = mapped_column(sa.String(8))
    #: The survey config version the workbook is written under.
    config_version: Mapped[str] = mapped_column(sa.String(64))
    #: The account that asked for it.
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: queued (waiting for its thread), running, done (the file is ready) or failed (see error).
    state: Mapped[str] = mapped_column(sa.String(16), default="queued")
    #: Progress: units written so far, of the scope's units.
    units_done: Mapped[int] = mapped_column(default=0)
    units_total: Mapped[int] = mapped_column(default=0)
    #: The finished file's name in the exports folder; None until it is done.
    file_name: Mapped[str | None] = mapped_column(sa.String(100))
    #: Why it failed, as the system said it (for operators; people see a translated sentence).
    error: Mapped[str | None] = mapped_column(sa.Text)
    #: When it was asked for: the reports saved before this moment are in the workbook.
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    #: When its thread last said it was alive; a job silent too long lost its worker.
    heartbeat_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    scope: Mapped["Unit"] = relationship()  # noqa: F821

    @property
    def is_active(self):
        return self.state in ACTIVE_STATES

    def __repr__(self):
        return f"<ExportJob {self.id} {self.kind} scope={self.scope_unit_id} {self.language} {self.state}>"
