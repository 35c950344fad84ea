"""A committee's list of units with their status, as a workbook to chase them by phone or message: each
unit's contact, last day, days left, link and the message to paste."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from reports.status import STATUS_LABELS
from schema import level_label

from .formats import Formats, start_table, write_text_row
from .workbook import open_workbook

HEADERS = (_l("Unit code"), _l("Unit"), _l("Level"), _l("Under"), _l("Status"), _l("Last saved"), _l("Last day"),
           _l("Days left"), _l("Contact"), _l("Role"), _l("Phone"), _l("E-mail"), _l("Link"), _l("Message to paste"))
WIDTHS = (14, 32, 20, 26, 16, 16, 12, 9, 24, 14, 16, 26, 50, 70)
#: The columns that are not texts: the last saved time, the last day, the days left.
SAVED, LAST_DAY, DAYS_LEFT = 5, 6, 7


def write_unit_list_workbook(target, entries, local_time, tmpdir=None):
    """Write the reports.chasing.CallEntry of each listed unit; XlsxWriter's temporary files go into `tmpdir`.

    Links and phones are plain strings, not hyperlinks, as in the links workbook: nothing opens by a stray
    click. Days left are a number (negative once overdue), so that the list sorts and filters by them; a unit
    that has submitted has none, and no message."""
    with open_workbook(target, tmpdir) as workbook:
        formats = Formats(workbook)
        sheet = workbook.add_worksheet(_("Unit list")[:31])
        start_table(sheet, formats, [str(header) for header in HEADERS], WIDTHS, freeze_columns=2)
        for number, entry in enumerate(entries, start=1):
            row = entry.row
            # The cells of the other columns are left empty here, and filled below.
            write_text_row(sheet, formats, number, (
                row.code, row.name, str(level_label(row.level)), row.under, str(STATUS_LABELS[row.status]), "", "", "",
                row.contact_name, row.contact_role, row.contact_phone, row.contact_email, entry.link, entry.message),
                WIDTHS)
            if row.updated_at is not None:
                sheet.write_datetime(number, SAVED, local_time(row.updated_at), formats.datetime)
            formats.write_day(sheet, number, LAST_DAY, entry.last_day)
            if entry.chased:
                sheet.write_number(number, DAYS_LEFT, entry.days_left,
                                   formats.overdue if entry.days_left < 0 else formats.plain)
        sheet.autofilter(0, 0, max(len(entries), 1), len(HEADERS) - 1)
        workbook.close()
