"""The stylesheets and scripts: minified once at start-up and served under addresses that name their content
(site.3f9c2a1b0d.css), which browsers keep for a year without asking again. A second visit fetches only the
page; an edited file gets a new address, so no one reads a stale copy.

A unit's form links site.css and survey.js only; every other page adds pages.css (a report as read and
reviewed, the home page's form), the committees' pages admin.css and admin.js, the guides guide.css
(templates/base.html).
"""

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

import rcssmin
from calmjs.parse import es5
from calmjs.parse.unparsers.es5 import minify_print
from flask import Blueprint, abort, current_app, url_for

from .compression import compress_responses_of


def jsmin(source):
    """The script without comments and spacing, its local names shortened: a third lighter than without."""
    return minify_print(es5(source), obfuscate=True, obfuscate_globals=False)


#: Each asset and how it is minified.
MINIFIERS = {**dict.fromkeys(("site.css", "pages.css", "admin.css", "guide.css"), rcssmin.cssmin),
             "survey.js": jsmin, "admin.js": jsmin}
MIMETYPES = {".css": "text/css", ".js": "text/javascript"}
#: An address that names its content never changes what it serves.
FOR_A_YEAR = "public, max-age=31536000, immutable"

bp = Blueprint("assets", __name__)
compress_responses_of(bp)


@dataclass(frozen=True)
class Asset:
    name: str
    body: bytes

    @property
    def address_name(self):
        """The name it is served under: its own, with the first 10 hex digits of its content's SHA-256."""
        path = Path(self.name)
        return f"{path.stem}.{hashlib.sha256(self.body).hexdigest()[:10]}{path.suffix}"


def minified_assets(folder):
    """Return every Asset of MINIFIERS read from `folder`, minified."""
    return [Asset(name, minified(name, (Path(folder) / name).read_text(encoding="utf-8")))
            for name in MINIFIERS]


@functools.lru_cache(maxsize=2 * len(MINIFIERS))
def minified(name, source):
    """The asset `name` of this `source`, minified: once per process and content, since parsing the scripts
    takes a third of a second, which every app a process creates (a test's, a command's) would pay again."""
    return MINIFIERS[name](source).encode()


def register_assets(app):
    assets = minified_assets(app.static_folder)
    app.extensions["assets"] = {asset.address_name: asset for asset in assets}
    app.extensions["asset_addresses"] = {asset.name: asset.address_name for asset in assets}
    app.jinja_env.globals["asset_url"] = asset_url
    app.register_blueprint(bp)


def asset_url(name):
    """The address of the asset `name` (site.css...) as served now."""
    return url_for("assets.asset", address_name=current_app.extensions["asset_addresses"][name])


@bp.get("/assets/<address_name>")
def asset(address_name):
    found = current_app.extensions["assets"].get(address_name) or abort(404)
    response = current_app.response_class(found.body, mimetype=MIMETYPES[Path(found.name).suffix])
    response.headers["Cache-Control"] = FOR_A_YEAR
    return response
