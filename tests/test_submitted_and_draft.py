"""A unit correcting a submitted report still prints and downloads the version it submitted: its page offers
both that version and the draft, each named, as a printable page and as a Word file (read back with
python-docx), and any other state offers the one version it has."""

import html
import io
import re

import docx
import pytest
from answers import store, stored_cell_answers
from pages import text_of

from documents.layout import LAYOUT

CELL = "BMT.TL.01"
SUBMITTED_TEXT = "Nội dung bản đã gửi: chi bộ quán triệt đầy đủ Chỉ thị."
DRAFT_TEXT = "Nội dung bản nháp đang sửa: bổ sung số liệu sinh hoạt chuyên đề."


def version_links(page):
    """Return the page's printable and Word links: address -> link text, in page order."""
    found = re.findall(r'<a href="(/s/[^"]+/(?:print|report\.docx)[^"]*)"[^>]*>([^<]*)</a>', page)
    return {html.unescape(href): text for href, text in found}


def document_text(response):
    assert response.status_code == 200, response.status_code
    document = docx.Document(io.BytesIO(response.data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    headers = [p.text for section in document.sections for header in (section.first_page_header, section.header)
               for p in header.paragraphs]
    return "\n".join([p.text for p in document.paragraphs] + cells + headers)


def save(app, text, action, clock):
    store(app, CELL, stored_cell_answers(nhan_thuc=text), action=action)
    clock.advance(hours=3)


@pytest.fixture
def correcting(app, units, clock):
    """The cell submitted its report, then started correcting it: a draft saved after the submitted version.
    Return the submission's time as the page shows it."""
    submitted_at = clock.moment.strftime("%d/%m/%Y %H:%M")
    save(app, SUBMITTED_TEXT, "submit", clock)
    save(app, DRAFT_TEXT, "save", clock)
    return submitted_at


def test_a_unit_correcting_its_report_prints_and_downloads_the_submitted_version_and_the_draft(client, units,
                                                                                             correcting):
    token = units[CELL].token
    page = client.get(f"/s/{token}")
    assert page.status_code == 200 and 'class="survey"' in page.text, "the form of the correction"
    shown = text_of(page.text)
    assert f"Bản đã gửi ({correcting}): Bản để in · Văn bản (Word)" in shown
    assert "Bản nháp đang sửa: Bản để in · Văn bản (Word)" in shown
    assert list(version_links(page.text)) == [
        f"/s/{token}/print?version=submitted", f"/s/{token}/report.docx?version=submitted",
        f"/s/{token}/print?version=draft", f"/s/{token}/report.docx?version=draft"]

    versions = {"submitted": (SUBMITTED_TEXT, DRAFT_TEXT, "Phiên bản 1, gửi lúc"),
                "draft": (DRAFT_TEXT, SUBMITTED_TEXT, "Phiên bản 2, bản nháp lưu lúc")}
    for version, (own, other, version_line) in versions.items():
        page = client.get(f"/s/{token}/print?version={version}").text
        printed = text_of(page)
        assert own in printed and other not in printed, version
        assert version_line in printed, version
        # The printed page marks a draft by its page style (document.css), as paper shows it.
        assert ('class="party-document draft"' in page) == (version == "draft")
        word = client.get(f"/s/{token}/report.docx?version={version}")
        written = document_text(word)
        assert own in written and other not in written, version
        assert (LAYOUT.draft_mark in written) == (version == "draft")
        named = "b%C3%A1o-c%C3%A1o-%C4%91%C3%A3-g%E1%BB%ADi_" in word.headers["Content-Disposition"]
        assert named == (version == "submitted"), word.headers["Content-Disposition"]
    # Without a version, as before: the current one, the draft.
    assert DRAFT_TEXT in document_text(client.get(f"/s/{token}/report.docx"))
    assert DRAFT_TEXT in text_of(client.get(f"/s/{token}/print").text)


@pytest.mark.parametrize("state", ["nothing saved", "draft only", "submitted"])
def test_a_report_with_one_version_offers_that_one(app, client, units, clock, state):
    token = units[CELL].token
    if state != "nothing saved":
        save(app, SUBMITTED_TEXT, "submit" if state == "submitted" else "save", clock)
    page = client.get(f"/s/{token}")
    assert page.status_code == 200
    links = version_links(page.text)
    # A form never saved has no report yet to print or download: no link until the first save.
    expected = [] if state == "nothing saved" else [f"/s/{token}/print", f"/s/{token}/report.docx"]
    assert sorted(links) == expected
    assert "Bản đã gửi (" not in text_of(page.text) and "Bản nháp đang sửa" not in text_of(page.text)
    if state != "nothing saved":
        assert SUBMITTED_TEXT in document_text(client.get(f"/s/{token}/report.docx"))
        assert SUBMITTED_TEXT in text_of(client.get(f"/s/{token}/print").text)
    for version in ("submitted", "draft"):
        for address in ("print", "report.docx"):
            assert client.get(f"/s/{token}/{address}?version={version}").status_code == 404, (state, version)


@pytest.mark.parametrize("query", ["version=", "version=SUBMITTED", "version=current", "version=1", "version=..%2F",
                                   "version=" + "d" * 5000, "version=submitted%20", "version=draft%00"])
@pytest.mark.parametrize("address", ["print", "report.docx"])
def test_an_unknown_version_is_a_plain_refusal(client, units, correcting, address, query):
    response = client.get(f"/s/{units[CELL].token}/{address}?{query}")
    assert response.status_code in (400, 404), response.status_code
    assert SUBMITTED_TEXT not in response.text and DRAFT_TEXT not in response.text
