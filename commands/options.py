"""Options several commands share."""

from urllib.parse import urlsplit

import click
from flask_babel import gettext as _


class BaseUrl(click.ParamType):
    """The public address units reach the service at, which the links printed or sent start with: http or https,
    a host, perhaps a port and a path, and nothing else."""

    name = "URL"

    def convert(self, value, param, ctx):
        try:
            address = urlsplit(value)
            address.port  # noqa: B018  (a port that is not a number raises here)
        except ValueError:
            address = None
        if address is None or address.scheme not in ("http", "https") or not address.hostname \
                or address.query or address.fragment:
            self.fail(_("%(value)s is not an address such as https://tongket.example.vn (http or https, a host, "
                        "perhaps a port and a path; no query nor fragment)", value=repr(value)), param, ctx)
        return value


BASE_URL = BaseUrl()
#: The address `make run` serves at.
LOCAL_BASE_URL = "http://127.0.0.1:5000"
