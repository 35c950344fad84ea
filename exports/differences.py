"""The differences sheet: every committee whose own figure differs from its units', and by how much.

A committee's own report already covers its whole area, so its figure and its units' should agree;
where they do not, a reviewer looks at both before signing. Units that have not submitted are left
out of the units' figure, so the count of those is shown beside it.
"""

from flask_babel import gettext as _

from consolidation.figures import difference_rows

from .formats import start_table, write_text_row

WIDTHS = (12, 30, 18, 26, 40, 14, 14, 14, 12)


def write_differences_sheet(sheet, formats, figures, level_name):
    headers = (_("Code"), _("Committee"), _("Level"), _("Question code"), _("Question"), _("Own answer"),
               _("Units' figure"), _("Difference"), _("Not submitted"))
    start_table(sheet, formats, headers, WIDTHS, freeze_columns=2)
    row = 1
    for committee, column, own, computed, tally in difference_rows(figures):
        write_text_row(sheet, formats, row, (committee.code, committee.name, level_name(committee.level),
                                             column.code, column.label), WIDTHS)
        number_format = formats.for_kind(column.kind)
        sheet.write_number(row, 5, own, number_format)
        sheet.write_number(row, 6, computed, number_format)
        sheet.write_number(row, 7, own - computed, number_format)
        sheet.write_number(row, 8, tally.units - tally.submitted, formats.integer)
        row += 1
    if row == 1:
        sheet.write_string(1, 0, _("Every committee's own figures agree with its units'."), formats.plain)
    sheet.autofilter(0, 0, max(row - 1, 1), len(headers) - 1)
