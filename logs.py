"""What the logs say about requests: never a unit's link, which is a secret, only its fingerprint.

gunicorn's access and error logs (`logger_class` in gunicorn.conf.py) and the app's own log (`create_app`)
pass every record through `HIDE_LINKS`, which writes `/s/<token>` as `/s/[link:<fingerprint>]`: the first
16 hex digits of the token's SHA-256, the fingerprint stored with every revision saved through that link.
Addresses that reach a unit's page spelled another way (`/%73/<token>`, `/s//<token>`, `//s/<token>`, the
token's letters escaped) are read as the router reads them, and a token of today's kind is hidden wherever
it stands, so no spelling of a link, opening a page or not, leaves its secret in a log.
"""

import logging
import re

from gunicorn.glogging import Logger

from link_tokens import ALPHABET, LENGTH
from reports.saving import link_fingerprint

#: A unit's page in a path, an address or a request line: `/s/`, `//` or `%2F` after it, since the router
#: takes them all. A token is URL-safe base64 or typed-code letters, so "[" never starts one: a line
#: already rewritten stays as it is.
LINK = re.compile(r"(/s(?:/|%2F)+)([A-Za-z0-9_-]+)", re.IGNORECASE)
#: A secret of today's kind wherever it stands (a query, `/s/./<token>`...), whether or not it opens a page.
BARE_TOKEN = re.compile(f"(?<![A-Za-z0-9_-])([{ALPHABET}]{{{LENGTH}}})(?![A-Za-z0-9_-])", re.IGNORECASE)
#: A percent-escape, which the router decodes: `/%73/<token>` opens `/s/<token>`.
ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
#: What an escape may be written as instead without changing an address: RFC 3986's unreserved characters.
UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def hide_links(text):
    """Return the text with every unit link's token replaced by its fingerprint, however it is spelled."""
    text = ESCAPE.sub(decode_unreserved, text)
    text = LINK.sub(lambda match: f"{match[1]}{fingerprinted(match[2])}", text)
    return BARE_TOKEN.sub(lambda match: fingerprinted(match[1]), text)


def decode_unreserved(escape):
    """Write an escaped letter, digit or "-._~" as itself, so that a token escaped is found; keep any other
    escape, which might hide a line break or a space that would forge a log line."""
    character = chr(int(escape[1], 16))
    return character if character in UNRESERVED else escape[0]


def fingerprinted(token):
    return f"[link:{link_fingerprint(token)}]"


class HideLinks(logging.Filter):
    """Rewrite a record's message and traceback without unit links, for every handler that writes it."""

    def filter(self, record):
        record.msg, record.args = hide_links(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = hide_links(record.exc_text)
        return True


HIDE_LINKS = HideLinks()


class GunicornLogger(Logger):
    """gunicorn's logger, its access line (request line, referer...) and its errors without unit links."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            log.addFilter(HIDE_LINKS)
