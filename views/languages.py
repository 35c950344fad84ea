"""The language switch: the page being read, in another language."""

from urllib.parse import urlencode

from flask import request


def url_in_language(language):
    """Return the address of the page being read with only its `lang` changed, so that switching keeps
    the rest (`?edit=1`, a list's filters). It is a query alone, which the browser resolves against the
    page's own address: no path is written into the page (an error page never repeats a unit's link, and
    a path copied from the request could lead off the site), and the query is encoded anew."""
    query = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    return "?" + urlencode([*query, ("lang", language)])
