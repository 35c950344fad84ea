"""Read what a survey page shows, the way a browser would, for tests."""

import re
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser

from werkzeug.test import encode_multipart


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


def posted_as_by_a_browser(html, data):
    """Return client.post's arguments for `data` sent as a browser sends the page's form: in its enctype, a
    multipart body made in memory (the test client's own would spill a large one to a file it leaves open)."""
    found = re.search(r'<form [^>]*enctype="([^"]+)"', html)
    if found is None or found.group(1) != "multipart/form-data":
        return {"data": data}
    boundary, body = encode_multipart(data)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def act_on_page(client, token):
    """Open a unit's page and act on it as a person does: the page's script then reports it opened."""
    state = hidden_state(client.get(f"/s/{token}").text)["form_state"]
    return client.post(f"/s/{token}/opened", data={"form_state": state})


def text_of(html):
    """Return the page's visible text with tags removed and spaces folded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


class TableReader(HTMLParser):
    """Collect the body rows of every table on a page: each row's cell texts and the links in it."""

    def __init__(self):
        super().__init__()
        self.tables = []
        self._row = self._cell = None
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self.tables.append([])
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = TableRow([], [])
        elif tag == "td" and self._row is not None:
            self._cell = ""
        elif tag == "a" and self._row is not None:
            self._row.links.append(dict(attrs).get("href"))

    def handle_endtag(self, tag):
        if tag == "tbody":
            # The header row of the next table is no row of this one.
            self._in_body = False
        elif tag == "td" and self._cell is not None:
            self._row.cells.append(re.sub(r"\s+", " ", self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


@dataclass
class TableRow:
    cells: list
    links: list


def table_rows(html, index=0):
    """Return the body rows of the page's `index`-th table."""
    reader = TableReader()
    reader.feed(html)
    return reader.tables[index]


#: Elements that have no end tag.
VOID_ELEMENTS = frozenset({"input", "br", "img", "meta", "link", "hr"})


class DescriptionReader(HTMLParser):
    """Collect the text of every element with an id, and each form control with its attributes and those
    of the fieldset around it: what a screen reader reads with a field."""

    def __init__(self):
        super().__init__()
        self.texts = {}
        self.controls = []
        self._open = []
        self._fieldset = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "fieldset":
            self._fieldset = attrs
        if tag in ("input", "textarea") and attrs.get("type") != "hidden":
            self.controls.append(Control(attrs, self._fieldset or {}))
        if tag not in VOID_ELEMENTS:
            self._open.append((tag, attrs.get("id")))
            if attrs.get("id"):
                self.texts[attrs["id"]] = ""

    def handle_endtag(self, tag):
        if tag == "fieldset":
            self._fieldset = None
        while self._open:
            opened, _id = self._open.pop()
            if opened == tag:
                break

    def handle_data(self, data):
        for _tag, element_id in self._open:
            if element_id:
                self.texts[element_id] += data


@dataclass
class Control:
    attrs: dict
    fieldset: dict

    def described_by(self, reader):
        """Return the texts the control's (or its fieldset's) aria-describedby points at, spaces folded."""
        ids = (self.attrs.get("aria-describedby") or self.fieldset.get("aria-describedby") or "").split()
        return [re.sub(r"\s+", " ", reader.texts[element_id]).strip() for element_id in ids]


def read_descriptions(html):
    reader = DescriptionReader()
    reader.feed(html)
    return reader


def controls_named(reader, name):
    return [control for control in reader.controls if control.attrs.get("name") == name]


def call_sheet_rows(html):
    """Return each unit of a call sheet (the missing list) as [code, name, level, under], as the list's table
    would give its first cells: read from the unit's heading and the line beside it."""
    blocks = re.findall(r'<h2 class="call-unit"><a href="/admin/units/[^"]+">(.*?)</a>\s*'
                        r'<span class="small">(.*?)</span></h2>', html, re.S)
    rows = []
    for name, line in blocks:
        code, level, *under = [unescape(part) for part in line.split(" · ")]
        rows.append([code, unescape(name), level, under[0] if under else ""])
    return rows
