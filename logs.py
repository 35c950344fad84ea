"""What the logs say about requests: never a unit's link, which is a secret, only its fingerprint.

gunicorn's access and error logs (`logger_class` in gunicorn.conf.py) and the app's own log (`create_app`)
pass every record through `HIDE_LINKS`, which writes `/s/<token>` as `/s/[link:<fingerprint>]`: the first
16 hex digits of the token's SHA-256, the fingerprint stored with every revision saved through that link.
"""

import logging
import re

from gunicorn.glogging import Logger

from reporting.saving import link_fingerprint

#: A unit's page in a path, an address or a request line; `%2F` too, since the router decodes it. A
#: token is URL-safe base64, so "[" never starts one: a line already rewritten stays as it is.
LINK = re.compile(r"(/s(?:/|%2F))([A-Za-z0-9_-]+)", re.IGNORECASE)


def hide_links(text):
    """Return the text with every unit link's token replaced by its fingerprint."""
    return LINK.sub(lambda match: f"{match[1]}[link:{link_fingerprint(match[2])}]", text)


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
