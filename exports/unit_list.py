"""A committee's list of units with their status, as a small workbook to chase them by phone or message."""

from flask_babel import gettext as _

from reports.status import STATUS_LABELS
from schema import level_label

from .formats import Formats, start_table, write_text_row
from .workbook import open_workbook

WIDTHS = (14, 36, 24, 30, 16, 16)


def write_unit_list_workbook(target, rows, local_time, tmpdir=None):
    """Write rows of (code, name, level, under, status, last saved) as units.listing selects them;
    XlsxWriter's temporary files go into `tmpdir`."""
    with open_workbook(target, tmpdir) as workbook:
        formats = Formats(workbook)
        sheet = workbook.add_worksheet(_("Unit list")[:31])
        headers = (_("Unit code"), _("Unit"), _("Level"), _("Under"), _("Status"), _("Last saved"))
        start_table(sheet, formats, headers, WIDTHS)
        for row, (code, name, level, under, status, updated_at) in enumerate(rows, start=1):
            write_text_row(sheet, formats, row, (code, name, str(level_label(level)), under,
                                                 str(STATUS_LABELS[status])), WIDTHS)
            if updated_at is not None:
                sheet.write_datetime(row, 5, local_time(updated_at), formats.datetime)
        sheet.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)
        workbook.close()
