"""The cell formats of the Organisation Committee's workbook, created once per workbook."""

from flask_babel import gettext as _

from .cells import TextCells

BASE = {"font_name": "Arial", "font_size": 10}


class Formats:
    def __init__(self, workbook):
        def add(**properties):
            return workbook.add_format({**BASE, **properties})

        self.title = add(bold=True, font_size=13)
        self.note = add(italic=True, font_color="#555555")
        self.header = add(bold=True, text_wrap=True, valign="top", bg_color="#F2DCDB", border=1)
        self.total_label = add(bold=True, bg_color="#FFF2CC")
        self.integer = add(num_format="#,##0")
        self.decimal = add(num_format="#,##0.0#")
        self.percent = add(num_format="0.0%")
        self.date = add(num_format="dd/mm/yyyy")
        self.datetime = add(num_format="dd/mm/yyyy hh:mm")
        # Stored as 1 and 0, so that SUM counts the yeses; shown in words.
        self.yes_no = add(num_format=f'[=1]"{_("Yes")}";[=0]"{_("No")}";General')
        self.flag = add(num_format="0")
        self.overdue = add(bg_color="#F8CBAD", font_color="#9C0006")
        self.totals = {
            "integer": add(num_format="#,##0", bold=True, bg_color="#FFF2CC"),
            "decimal": add(num_format="#,##0.0#", bold=True, bg_color="#FFF2CC"),
            "percent": add(num_format="0.0%", bold=True, bg_color="#FFF2CC"),
            "yes_no": add(num_format="#,##0", bold=True, bg_color="#FFF2CC"),
            "flag": add(num_format="#,##0", bold=True, bg_color="#FFF2CC"),
        }
        self.text = TextCells(workbook, BASE)

    def for_kind(self, kind):
        return getattr(self, kind)
