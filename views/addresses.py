"""Every page address is checked before a view sees it: a control character in it gets a clear 400, and a
number no row can have (past the database's integer) matches no route, so it is a plain 404."""

from flask import render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from models.base import LARGEST_ID
from plain_text import first_control_character


class ControlCharacterInAddress(BadRequest):
    """No page takes a control character in its path or query, and PostgreSQL refuses a NUL in a query."""

    def __init__(self, character):
        super().__init__()
        self.character = character


def refuse_control_characters():
    """Stop a request whose path, query parameter names or values hold a control character."""
    for text in (request.path, *(part for pair in request.args.items(multi=True) for part in pair)):
        character = first_control_character(text)
        if character:
            raise ControlCharacterInAddress(character)


def address_refused_page(error):
    message = _("The page address has the control character %(character)s in it, which no page accepts. Check "
                "the link you opened or the text you searched for, and try again.", character=error.character)
    return render_template("error.html", title=_("Bad request"), message=message), 400



class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a number past LARGEST_ID is no row's, so it matches no route (404) instead
    of reaching a query that the database driver refuses (SQLite past 64 bits, PostgreSQL past 32)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(map, *args, **kwargs)


def register_address_check(app):
    """Check every address before its view; call before any route is added, so that `int` is IdConverter."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_control_characters)
    app.register_error_handler(ControlCharacterInAddress, address_refused_page)
