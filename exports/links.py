"""The links to send: one sheet, a row per unit with its committees, code, name, level, last day, link."""

from flask_babel import gettext as _

from schema import level_label

from .formats import Formats, start_table, write_text_row
from .workbook import open_workbook

WIDTHS = (24, 24, 12, 34, 22, 12, 72)


def write_links_workbook(target, links, survey, tmpdir=None):
    """Write one sheet: a row per unit with its committees, code, name, level, last day and link.

    The link is a plain string, not a hyperlink, so that nothing opens by a stray click; unit names
    are written through TextCells, so that a name starting like a formula stays text. Return the
    number of units written. XlsxWriter's temporary files go into `tmpdir`."""
    with open_workbook(target, tmpdir) as workbook:
        formats = Formats(workbook)
        sheet = workbook.add_worksheet(_("Links")[:31])
        headers = (_("Committee above grassroots level"), _("Grassroots committee or cell"), _("Unit code"),
                   _("Unit"), _("Level"), _("Deadline"), _("Link"))
        start_table(sheet, formats, headers, WIDTHS, freeze_columns=4)
        row = 0
        for row, link in enumerate(links, start=1):
            write_text_row(sheet, formats, row, (link.district, link.grassroots, link.code, link.name,
                                                 str(level_label(link.level))), WIDTHS)
            formats.write_day(sheet, row, 5, survey.last_day(link.level, link.deadline_extended_to))
            formats.text.write(sheet, row, 6, link.url)
        sheet.autofilter(0, 0, max(row, 1), len(headers) - 1)
        workbook.close()
    return row
