"""The links units receive: every reporting unit of a scope with its survey link, the code to type, and its
QR code.

Nothing here reads a request: the views pass `link_for`, which turns a token into the address units
open, so that links follow the address the committee uses (or `test_request_context(base_url=...)`).
"""

from collections.abc import Callable
from dataclasses import dataclass

import segno
import sqlalchemy as sa
from flask import url_for

from link_tokens import printed_code
from models import Unit, db
from schema import REPORTING_LEVELS

from .hierarchy import UnitTree

BATCH = 1000

#: A response holding units' secret links: no cache keeps it, not even the browser's.
NOT_STORED = "private, no-store"
#: More invitations than this in one page would take a worker too long (a QR code costs some 10 ms).
INVITATIONS_LIMIT = 1000


@dataclass(frozen=True)
class UnitLink:
    code: str
    name: str
    level: str
    district: str | None
    grassroots: str | None
    deadline_extended_to: object
    url: str
    #: The link's secret as printed to be typed; None for a link made before typed codes.
    typed_code: str | None

    @property
    def under(self):
        """Names of the committees above the unit, nearest first."""
        above = {"chi_bo_truc_thuoc": (self.grassroots, self.district), "dang_bo_co_so": (self.district,),
                 "chi_bo_co_so": (self.district,)}
        return [name for name in above.get(self.level, ()) if name]


def survey_link(token):
    """The unit's survey page at the address of the current request."""
    return url_for("survey.page", token=token, _external=True)


def _links_query(tree, scope):
    return tree.select(Unit.code, Unit.name, Unit.level, tree.district("name"), tree.grassroots("name"),
                       Unit.deadline_extended_to, Unit.token, scope=scope)


def unit_links(scope, link_for: Callable[[str], str] = survey_link, only=None):
    """Yield a UnitLink for every reporting unit of `scope`'s subtree (the whole province if None), or only
    for those whose ids the select `only` gives, in hierarchy order, streamed from the database."""
    tree = UnitTree()
    query = tree.in_order(narrowed(_links_query(tree, scope), only))
    result = db.session.execute(query.execution_options(yield_per=BATCH))
    try:
        for *fields, token in result:
            yield UnitLink(*fields, url=link_for(token), typed_code=printed_code(token))
    finally:
        # A reader that stops early (the first N links) closes the generator: PostgreSQL's cursor closes too.
        result.close()


def unit_link(unit, link_for: Callable[[str], str] = survey_link):
    """Return the UnitLink of one unit, or None if the unit does not report (the province)."""
    tree = UnitTree()
    row = db.session.execute(_links_query(tree, None).where(Unit.id == unit.id)).one_or_none()
    if row is None:
        return None
    *fields, token = row
    return UnitLink(*fields, url=link_for(token), typed_code=printed_code(token))


def opens_a_report(token):
    """Tell whether `token` is the link of a unit that reports."""
    query = sa.select(Unit.id).where(Unit.token == token, Unit.level.in_(REPORTING_LEVELS))
    return db.session.scalar(query) is not None


def count_links(scope, only=None):
    """Return how many reporting units `scope`'s subtree holds (of those whose ids `only` selects)."""
    return db.session.scalar(narrowed(UnitTree().select(sa.func.count(), scope=scope), only))


def narrowed(query, only):
    return query if only is None else query.where(Unit.id.in_(only))


def child_units(unit):
    """Return (code, name) of the units directly under `unit`, by code."""
    query = sa.select(Unit.code, Unit.name).where(Unit.parent_id == unit.id).order_by(Unit.code)
    return db.session.execute(query).all()


def qr_data_uri(link):
    """Return the link's QR code as an SVG data URI, for <img src>: no inline style, so the CSP holds.

    Error correction M (15 % of the code may be smudged) or better if it fits the same size: the code
    is printed and carried around."""
    return segno.make_qr(link, error="m").svg_data_uri(scale=4, border=4)
