"""Handing out the links: the scope's links as a workbook, and printable invitations with a QR code; either
narrowed as the unit list is (by status, level, a unit of the scope), so that a committee re-sends the links
of the units still missing only."""

from flask import abort, g, render_template, request

import clock
from downloads.files import download_name
from downloads.workbooks import send_workbook
from exports.links import write_links_workbook
from reports.status import status_filter_labels
from schema import REPORTING_LEVELS
from schema.store import current_survey
from units.links import (
    INVITATIONS_LIMIT,
    NOT_STORED,
    child_units,
    count_links,
    qr_data_uri,
    unit_link,
    unit_links,
)
from units.listing import UnitFilters, listed_unit_ids

from .auth import bp, sign_in_required, unit_in_scope_or_404
from .record import recorded_download


def requested_units():
    """Return (subject, filters, only) of the request: the unit of the scope that ?child= names (that unit and
    the units under it) or else the scope; the filters by status and level; the select of the ids of the
    subject's units they keep, None when neither is set."""
    child = request.args.get("child")
    subject = unit_in_scope_or_404(child) if child else g.user.scope
    filters = UnitFilters(level=request.args.get("level") or None, status=request.args.get("status") or None)
    if not filters.as_values():
        return subject, filters, None
    return subject, filters, listed_unit_ids(subject, current_survey(), clock.now(), filters)


@bp.get("/links.xlsx")
@sign_in_required
@recorded_download("links")
def links_workbook():
    """Every unit of the scope with its link, to send by message or e-mail (?status=missing&level=...&child=...:
    the units the unit list shows with the same filters)."""
    survey = current_survey()
    subject, _filters, only = requested_units()
    name = download_name(subject.name, survey.today(clock.now()), prefix="đường-liên-kết")
    response = send_workbook(lambda path, tmpdir: write_links_workbook(path, unit_links(subject, only=only), survey,
                                                                       tmpdir), name)
    response.headers["Cache-Control"] = NOT_STORED
    return response


@bp.get("/units/<code>/invitation")
@sign_in_required
def invitation(code):
    """One unit's invitation on paper: its name, level, last day, link and the link's QR code."""
    link = unit_link(unit_in_scope_or_404(code))
    if link is None:
        abort(404)
    return invitations_page(single=True, pages=[(link, qr_data_uri(link.url))])


@bp.get("/invitations")
@sign_in_required
def invitations():
    """One printed page per unit of the scope, or of one unit in it (?child=CODE) and the units under it, narrowed
    as the unit list is (?status=missing, ?level=...)."""
    subject, filters, only = requested_units()
    count = count_links(subject, only)
    too_many = count > INVITATIONS_LIMIT
    pages = () if too_many else ((link, qr_data_uri(link.url)) for link in unit_links(subject, only=only))
    return invitations_page(single=False, pages=pages, subject=subject, count=count, too_many=too_many,
                            limit=INVITATIONS_LIMIT, children=child_units(g.user.scope), filters=filters,
                            smaller=child_units(subject) if too_many else (), levels=REPORTING_LEVELS,
                            status_filters=status_filter_labels())


def invitations_page(**context):
    response = render_template("admin/invitation.html", survey=current_survey(), **context)
    return response, {"Cache-Control": NOT_STORED}
