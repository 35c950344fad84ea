"""Read what a survey page shows, the way a browser would, for tests."""

import re
from html.parser import HTMLParser


class FormReader(HTMLParser):
    """Collect the values a browser would post from a page's form, and the error messages shown."""

    def __init__(self):
        super().__init__()
        self.values = {}
        self.errors = []
        self._in_error = False
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            if attrs.get("type") in ("radio", "checkbox"):
                if "checked" in attrs:
                    self.values.setdefault(attrs["name"], []).append(attrs.get("value", ""))
            else:
                self.values[attrs["name"]] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.values[self._textarea] = ""
        elif tag == "p" and "error-message" in attrs.get("class", ""):
            self._in_error = True
            self.errors.append("")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "p":
            self._in_error = False

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data
        if self._in_error:
            self.errors[-1] += data


def read_form(html):
    reader = FormReader()
    reader.feed(html)
    # A browser drops the newline that follows <textarea>.
    reader.values = {k: v.removeprefix("\n") if isinstance(v, str) else v for k, v in reader.values.items()}
    return reader


def hidden_state(html):
    """Return the CSRF token and page state a browser would post back."""
    values = read_form(html).values
    return {"csrf_token": values["csrf_token"], "form_state": values["form_state"]}


def text_of(html):
    """Return the page's visible text with tags removed and spaces folded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
