"""The guides, one for each kind of user, served by the service itself and linked from every page."""

from flask import Blueprint, render_template, request, url_for
from flask_babel import lazy_gettext as _l

bp = Blueprint("guide", __name__, url_prefix="/guide")

#: The guides, by the last part of their address; each is templates/guide/<name>.html.
GUIDES = ("unit", "committee", "administrator")
GUIDE_TITLES = {"unit": _l("Guide to filling in a report"),
                "committee": _l("Guide to following and consolidating the reports"),
                "administrator": _l("Guide to administering the service")}
GUIDE_READERS = {"unit": _l("For party cells and committees that fill in their report through their link."),
                 "committee": _l("For the committees that follow their units, chase the missing reports and "
                                 "download the workbook."),
                 "administrator": _l("For the administrator: the survey config file, the unit list, the accounts, "
                                     "the backups.")}
#: Which guide a page's link leads to, by the page's blueprint: a unit's pages (and the home page units land
#: on) to the unit's guide, the committees' pages to theirs; any other page to the list of guides.
GUIDE_OF_PAGES = {"survey": "unit", "admin": "committee"}


@bp.get("/")
def index():
    return render_template("guide/index.html", guides=GUIDES, guide_titles=GUIDE_TITLES, guide_readers=GUIDE_READERS)


@bp.get(f"/<any({', '.join(GUIDES)}):name>")
def guide(name):
    return render_template(f"guide/{name}.html", guides=GUIDES, guide_titles=GUIDE_TITLES, name=name)


@bp.app_context_processor
def guide_link():
    """Give every page the address of the guide for the people who read it."""
    name = GUIDE_OF_PAGES.get(request.blueprint)
    return {"guide_url": url_for("guide.guide", name=name) if name else url_for("guide.index")}
