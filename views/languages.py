"""The language switch: the page being read, in another language."""

from urllib.parse import urlencode

from flask import request, url_for


def url_in_language(language):
    """Return the address of the page being read with only its `lang` changed, so that switching keeps
    the rest (`?edit=1`, a list's filters). The path is rebuilt from the page's route, never copied from
    the request (a path such as `//elsewhere` would leave the site), and the query is encoded anew."""
    query = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    # A page with no route (an unknown address) keeps its own path: a bare query is relative to it.
    path = url_for(request.endpoint, **request.view_args) if request.url_rule else ""
    return f"{path}?{urlencode([*query, ('lang', language)])}"
