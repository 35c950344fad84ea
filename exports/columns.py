"""The columns of the figures sheet: the unit's place and status, then each question's as its type gives them."""

from flask_babel import gettext as _

from consolidation.figures import submitted_column
from reports.status import STATUS_LABELS, report_status
from schema.levels import LEVEL_LABELS
from schema.model import translated
from schema.types import Column

#: The unit's place and status: texts that wrap within their columns rather than run under the next one
#: (answers, which may be long, stay on one line: the comments sheet gives long ones whole).
WRAPPED_COLUMNS = frozenset(("above_grassroots", "grassroots", "name", "level", "status"))


def unit_columns(deadlines, now):
    """The columns that place a unit in the hierarchy and say where its report stands."""
    levels, statuses = translated(LEVEL_LABELS), translated(STATUS_LABELS)

    def status(record):
        deadline = deadlines(record.level, record.deadline_extended_to)
        return statuses[report_status(record.response, deadline, now)]

    return [
        Column("above_grassroots_code", _("Code of committee above grassroots level"), "text",
               lambda r: r.district_code, 10),
        Column("above_grassroots", _("Committee above grassroots level"), "text", lambda r: r.district_name, 24),
        Column("grassroots_code", _("Grassroots code"), "text", lambda r: r.grassroots_code, 10),
        Column("grassroots", _("Grassroots committee or cell"), "text", lambda r: r.grassroots_name, 24),
        Column("code", _("Unit code"), "text", lambda r: r.code, 12),
        Column("name", _("Unit"), "text", lambda r: r.name, 30),
        Column("level", _("Level"), "text", lambda r: levels[r.level], 24),
        Column("status", _("Status"), "text", status, 14),
        submitted_column(),
        Column("submitted_at", _("Submitted at"), "datetime", lambda r: r.submitted_at, 16),
    ]


def retired_column(question_id):
    """A column for answers to a question the current config no longer has: typed as they were stored."""
    return Column(question_id, _("(retired question) %(id)s", id=question_id), "answer",
                  lambda record: record.answers.get(question_id), 18, retired=True)
