"""The progress sheet: every unit with its deadline and where its report stands; overdue rows stand out."""

from flask_babel import gettext as _

from reports.status import STATUS_LABELS, report_status
from schema.levels import LEVEL_LABELS
from schema.model import translated

from .formats import TextRows, start_table

COLUMNS = (22, 22, 12, 30, 18, 12, 16, 16, 16, 10)


class ProgressSheet:
    def __init__(self, sheet, formats, survey, local_time, now):
        self.sheet, self.formats = sheet, formats
        self.survey, self.local_time, self.now = survey, local_time, now
        self.row = 1
        self.levels, self.statuses = translated(LEVEL_LABELS), translated(STATUS_LABELS)
        headers = (_("Committee above grassroots level"), _("Grassroots committee or cell"), _("Unit code"), _("Unit"),
                   _("Level"), _("Deadline"), _("Status"), _("Last saved"), _("Submitted at"), _("Versions"))
        start_table(sheet, formats, headers, COLUMNS, freeze_columns=4)
        self.rows = TextRows(sheet, formats.text, COLUMNS)

    def add(self, record):
        sheet, formats, row = self.sheet, self.formats, self.row
        deadline = self.survey.deadline_for(record.level, record.deadline_extended_to)
        status = report_status(record.response, deadline, self.now)
        highlight = formats.overdue if status == "overdue" else formats.plain
        self.rows.write(row, (record.district_name, record.grassroots_name, record.code, record.name,
                              self.levels[record.level]))
        last_day = self.survey.last_day(record.level, record.deadline_extended_to)
        formats.write_day(sheet, row, 5, last_day)
        sheet.write_string(row, 6, self.statuses[status], highlight)
        for col, moment in ((7, record.updated_at), (8, record.submitted_at)):
            if moment is not None:
                sheet.write_datetime(row, col, self.local_time(moment), formats.datetime)
        sheet.write_number(row, 9, record.revision_count, formats.integer)
        self.row += 1

    def finish(self):
        self.sheet.autofilter(0, 0, max(self.row - 1, 1), len(COLUMNS) - 1)
