"""A scope's unit list in the format the import reads (units/list_files.py), as CSV or as a workbook:
the same columns, the same level codes and yes/no, so that the file uploaded back unchanged changes nothing."""

import csv

import sqlalchemy as sa
from flask_babel import gettext as _

from models import Unit, db
from units.hierarchy import UnitTree
from units.list_files import csv_value
from units.list_rows import COLUMNS, OPTIONAL_COLUMNS

from .cells import TextCells
from .formats import Formats
from .workbook import open_workbook

#: Every column the import reads, in its order.
HEADER = COLUMNS + OPTIONAL_COLUMNS
#: The workbook's column widths, in HEADER order.
WIDTHS = (16, 48, 20, 16, 40, 12, 20, 12, 28, 16, 18, 30)
#: Where has_standing_committee is in HEADER: a yes or no, not a text.
STANDING = HEADER.index("has_standing_committee")
TEXT = {"num_format": "@"}
#: How has_standing_committee is written; None (derived) is an empty cell.
YES_NO = {True: "có", False: "không"}


def unit_list_rows(scope):
    """Yield the text of each unit of `scope` (the whole province if None) in HEADER order: the province
    first when the scope is the province, then the reporting units in hierarchy order, streamed."""
    tree = UnitTree()
    columns = (Unit.code, Unit.name, Unit.level, tree.parent.code, *(getattr(Unit, c) for c in OPTIONAL_COLUMNS))
    if scope is None or scope.level == "tinh":
        yield from texts(db.session.execute(sa.select(*columns[:3], sa.null(), *columns[4:])
                                            .where(Unit.level == "tinh").order_by(Unit.code)))
    query = tree.in_order(tree.select(*columns, scope=scope))
    yield from texts(db.session.execute(query.execution_options(yield_per=1000)))


def texts(result):
    for row in result:
        yield [YES_NO.get(value, "") if col == STANDING else value or "" for col, value in enumerate(row)]


def write_unit_list_csv(target, rows, _tmpdir):
    """Write the rows as CSV UTF-8 with a BOM (so that Excel reads the accents); a text that a spreadsheet
    would run as a formula gets an apostrophe in front, as Excel writes one, which the import drops."""
    with open(target, "w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow([csv_value(text) for text in row])


def write_unit_list_xlsx(target, rows, tmpdir):
    """Write the rows as a workbook of text cells (a formula-like text quote-prefixed, exports/cells.py), its
    temporary files in `tmpdir`."""
    with open_workbook(target, tmpdir) as workbook:
        header = Formats(workbook).header
        # Text format, as the template's, so that a code such as 001 typed into the file stays text.
        text, text_column = TextCells(workbook, TEXT), workbook.add_format(TEXT)
        sheet = workbook.add_worksheet(_("Unit list")[:31])
        for col, (column, width) in enumerate(zip(HEADER, WIDTHS, strict=True)):
            sheet.set_column(col, col, width, text_column)
            sheet.write_string(0, col, column, header)
        for number, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                text.write(sheet, number, col, value)
        sheet.freeze_panes(1, 0)
        workbook.close()
