"""The record of what committee accounts did, as a workbook: one row per action, newest first."""

from flask_babel import gettext as _

from .formats import Formats, start_table, write_text_row
from .workbook import open_workbook

WIDTHS = (17, 18, 30, 14, 34, 44, 40)


def write_actions_workbook(target, rows, local_time, tmpdir=None):
    """Write rows of (time, account, action, unit code, unit name, reason, facts); XlsxWriter's temporary
    files go into `tmpdir`."""
    with open_workbook(target, tmpdir) as workbook:
        formats = Formats(workbook)
        sheet = workbook.add_worksheet(_("Record of actions")[:31])
        headers = (_("When"), _("Account"), _("Action"), _("Unit code"), _("Unit"), _("Reason"), _("Details"))
        start_table(sheet, formats, headers, WIDTHS)
        count = 0
        for count, (moment, *texts) in enumerate(rows, start=1):
            sheet.write_datetime(count, 0, local_time(moment), formats.datetime)
            write_text_row(sheet, formats, count, texts, WIDTHS, first_col=1)
        sheet.autofilter(0, 0, max(count, 1), len(headers) - 1)
        workbook.close()
