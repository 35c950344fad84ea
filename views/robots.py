"""Keep the units' pages and the committees' side out of search engines: a unit's link leaked into a
shared document or a chat must not make its report findable. `/robots.txt` asks crawlers not to fetch
them, and every such page says `noindex` itself (header and meta tag), for a crawler that fetches it
anyway or reaches it by a link: a page it may not fetch can still be listed by its address alone."""

from flask import Blueprint, request

bp = Blueprint("robots", __name__)

#: The address prefixes of the pages no search engine may list: a unit's link, and the committees' side.
PRIVATE_PREFIXES = ("/s/", "/admin")
#: What search engines may do with those pages: nothing.
NO_INDEX = "noindex, nofollow"
ROBOTS_TXT = "User-agent: *\n" + "".join(f"Disallow: {prefix}\n" for prefix in PRIVATE_PREFIXES)


@bp.get("/robots.txt")
def robots_txt():
    return ROBOTS_TXT, 200, {"Content-Type": "text/plain; charset=utf-8"}


def is_private_page():
    """Tell whether the request reached a unit's page or an admin page, however its address was spelled
    (`/%73/<token>` reaches `/s/<token>`): the route it matched says so, not the address as typed."""
    return request.url_rule is not None and request.url_rule.rule.startswith(PRIVATE_PREFIXES)


@bp.after_app_request
def keep_out_of_search_engines(response):
    if is_private_page():
        response.headers.setdefault("X-Robots-Tag", NO_INDEX)
    return response


@bp.app_context_processor
def robots_meta():
    """The base template's `<meta name="robots">`, for a page saved and opened elsewhere."""
    return {"robots": NO_INDEX if is_private_page() else None}
