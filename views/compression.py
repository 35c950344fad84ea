"""Compressing what the service sends (Flask-Compress: zstd, brotli or gzip, as the browser accepts), so that
phones on a weak signal receive a fraction of the bytes, whether or not a proxy compresses in front.

Only the stylesheets and scripts and a unit's own pages are compressed, not the committees' pages: a page that
shows a secret (a CSRF token) beside text taken from the request (a search) could let an observer of the
encrypted lengths guess the secret byte by byte (BREACH). A unit's page needs its link to be reached at all, so
guessing its token there tells nothing new.
"""

from flask_compress import Compress

compress = Compress()


def compress_responses_of(blueprint):
    """Compress what the blueprint's views answer (a text type, 500 bytes or more, if the browser accepts it)."""
    blueprint.after_request(compress.after_request)


def register_compression(app):
    # Only the blueprints compress_responses_of names, never every response of the app.
    app.config["COMPRESS_REGISTER"] = False
    compress.init_app(app)
