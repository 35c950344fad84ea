"""The progress page's counts, each a link to the list of the units it counts, written for thousands of them: a
province's page shows its 400 units directly under it by 9 statuses, where url_for and a template macro per count
took some 60 ms."""

import functools
from urllib.parse import quote, urlencode

from flask import url_for
from markupsafe import Markup, escape

from reports.status import STATUS_LABELS
from schema.levels import LEVEL_LABELS
from views.display import shown_in_page

#: The characters url_for leaves as they are in a query (werkzeug's query encoding).
QUERY_SAFE = "!$'()*,/:;?@"


class UnitListAddresses:
    """The unit list's addresses with filters, as url_for writes them (url_for("admin.unit_list", **filters)), with the
    route built once and each filter's value encoded once."""

    def __init__(self):
        self.base = url_for("admin.unit_list")
        self.encoded = functools.cache(lambda name, value: urlencode({name: value}, safe=QUERY_SAFE))

    def __call__(self, **filters):
        query = self.query(filters)
        return f"{self.base}?{query}" if query else self.base

    def query(self, filters):
        return "&".join(self.encoded(*pair) for pair in filters.items())


def status_cells(addresses):
    """Return cells(row, **filters): the row's cells of counts by status, as the page shows them: each count a link
    to the list of the row's units of that status and the filters (`addresses`, a UnitListAddresses), and its share
    in whole percents (as Jinja's round|int gives it). Written here rather than in the template: a province's page
    has some 4,000 of them, where Jinja's escaping and finalizing of three values each took some 20 ms."""
    by_status = [(status, escape(addresses(status=status))) for status in STATUS_LABELS]

    def cells(row, **filters):
        rest = escape(f"&{addresses.query(filters)}") if filters else ""
        counts, total = row.counts, row.total or 1  # a row of no units counts 0 of each: 0%
        return Markup("".join([CELL.format(address, rest, counts[status], int(round(counts[status] / total * 100, 0)))
                               for status, address in by_status]))

    return cells


#: A count by status (the template's other cells are in templates/admin/dashboard.html).
CELL = '<td><a href="{}{}">{}</a> <span class="small">({}%)</span></td>'


def child_rows(addresses, cells):
    """Return row(child): the row of a unit directly under the scope (a reports.progress.Row), as the page shows it:
    its name, a link to its page, its level, a link to the list of its units and their count, its cells by status
    (`cells`, from status_cells) and its bar. Written here for the reason status_cells is: a province's page has
    some 450 of them, where a macro, url_for and the finalizing and escaping of each value took some 35 ms."""
    levels = {level: escape(str(label)) for level, label in LEVEL_LABELS.items()}
    # The route of a unit's page built once, each code quoted onto it (url_for took 8 ms for a province's rows).
    unit_page = url_for("admin.unit", code="_").removesuffix("_")

    def row(child):
        return Markup(CHILD_ROW.format(
            escape(unit_page + quote(child.code, safe="")), escape(shown_in_page(child.name)), levels[child.level],
            escape(addresses(child=child.code)), child.total, cells(child, child=child.code), progress_bar(child)))

    return row


CHILD_ROW = ('<tr><td><a href="{}">{}</a></td><td>{}</td><td><a href="{}">{}</a></td>\n{}<td class="bar">{}</td>'
             '</tr>\n')


def progress_bar(row):
    """Return the bar of a row's share submitted, and that share in whole percents (as Jinja's round|int gives
    it): a <progress> rather than styled spans, since the Content-Security-Policy allows no inline style.
    Written here for the same reason as status_cells: a province's page has some 450 of them."""
    share = int(round(row.submitted / row.total * 100, 0)) if row.total else 0
    return Markup(BAR.format(row.total, row.submitted, share))


BAR = '<progress max="{0}" value="{1}">{1}/{0}</progress> {2}%'
