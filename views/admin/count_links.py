"""The progress page's counts, each a link to the list of the units it counts, written for thousands of them: a
province's page shows its 400 units directly under it by 9 statuses, where url_for and a template macro per count
took some 60 ms."""

import functools
from urllib.parse import urlencode

from flask import url_for
from markupsafe import Markup, escape

from reports.status import STATUS_LABELS

#: The characters url_for leaves as they are in a query (werkzeug's query encoding).
QUERY_SAFE = "!$'()*,/:;?@"


def unit_list_addresses():
    """Return address(**filters): the unit list's address with those filters, as url_for writes it, with the route
    built once and each filter's value encoded once."""
    base = url_for("admin.unit_list")

    @functools.cache
    def encoded(name, value):
        return urlencode({name: value}, safe=QUERY_SAFE)

    return lambda **filters: f"{base}?{'&'.join(encoded(*pair) for pair in filters.items())}" if filters else base


def status_cells(address):
    """Return cells(row, **filters): the row's cells of counts by status, as the page shows them: each count a link
    to the list of the row's units of that status (`address`, one of unit_list_addresses), and its share in whole
    percents (as Jinja's round|int gives it). Written here rather than in the template: a province's page has
    some 4,000 of them, and Jinja's escaping and finalizing of three values each took some 20 ms."""

    def cells(row, **filters):
        return Markup("".join(CELL.format(escape(address(status=status, **filters)), row.counts[status],
                                          int(round(row.share(status) * 100, 0))) for status in STATUS_LABELS))

    return cells


#: A count by status (the template's other cells are in templates/admin/dashboard.html).
CELL = '<td><a href="{}">{}</a> <span class="small">({}%)</span></td>'
