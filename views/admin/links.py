"""Handing out the links: the scope's links as a workbook, and printable invitations with a QR code."""

from flask import abort, g, render_template, request

import clock
from downloads.files import download_name
from downloads.workbooks import send_workbook
from exports.links import write_links_workbook
from schema.store import current_survey
from units.links import (
    INVITATIONS_LIMIT,
    child_units,
    count_links,
    qr_data_uri,
    unit_link,
    unit_links,
)

from .auth import bp, sign_in_required, unit_in_scope_or_404
from .record import recorded_download

#: These responses hold units' secret links: no cache keeps them, not even the browser's.
NOT_STORED = "private, no-store"


@bp.get("/links.xlsx")
@sign_in_required
@recorded_download("links")
def links_workbook():
    """Every unit of the scope with its link, to send by message or e-mail."""
    survey, scope = current_survey(), g.user.scope
    name = download_name(scope.name, survey.today(clock.now()), prefix="đường-liên-kết")
    response = send_workbook(lambda path, tmpdir: write_links_workbook(path, unit_links(scope), survey, tmpdir), name)
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
    """One printed page per unit of the scope, or of one unit in it (?child=CODE) and the units under it."""
    child = request.args.get("child")
    subject = unit_in_scope_or_404(child) if child else g.user.scope
    count = count_links(subject)
    too_many = count > INVITATIONS_LIMIT
    pages = () if too_many else ((link, qr_data_uri(link.url)) for link in unit_links(subject))
    return invitations_page(single=False, pages=pages, subject=subject, count=count, too_many=too_many,
                            limit=INVITATIONS_LIMIT, children=child_units(g.user.scope),
                            smaller=child_units(subject) if too_many else ())


def invitations_page(**context):
    response = render_template("admin/invitation.html", survey=current_survey(), **context)
    return response, {"Cache-Control": NOT_STORED}
