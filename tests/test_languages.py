"""The language switch keeps the page being read: its address, its query, in both directions."""

import html
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from answers import cell_report
from pages import hidden_state

pytestmark = pytest.mark.once

CELL = "BMT.TL.01"


def switch_links(page_html):
    """Return the language switch's links as {language: href}."""
    nav = re.search(r'<nav class="languages".*?</nav>', page_html, re.S).group(0)
    return {language: html.unescape(href) for href, language in re.findall(r'<a href="([^"]*)" lang="(\w+)"', nav)}


def query_of(href):
    return parse_qsl(urlsplit(href).query, keep_blank_values=True)


def test_switching_keeps_the_correction_page_in_both_directions(client, units):
    token = units[CELL].token
    page = client.get(f"/s/{token}").text
    client.post(f"/s/{token}", data={**cell_report(), **hidden_state(page), "action": "submit"})
    editing = client.get(f"/s/{token}?edit=1")
    to_english = switch_links(editing.text)["en"]
    assert to_english == "?edit=1&lang=en", "a query alone: the browser keeps the page's own address"
    english = client.get(f"/s/{token}{to_english}")
    assert "Submit report" in english.text and 'name="action"' in english.text, "still the form, in English"
    to_vietnamese = switch_links(english.text)["vi"]
    assert to_vietnamese == "?edit=1&lang=vi", "the old choice is replaced, not repeated"
    back = client.get(f"/s/{token}{to_vietnamese}")
    assert "Gửi báo cáo" in back.text and 'name="action"' in back.text


def test_the_language_shown_is_marked_current(client, units):
    token = units[CELL].token
    nav = re.search(r'<nav class="languages".*?</nav>', client.get(f"/s/{token}?lang=en").text, re.S).group(0)
    assert re.search(r'lang="en"[^>]*aria-current="true"', nav)
    assert not re.search(r'lang="vi"[^>]*aria-current', nav)


def test_switching_keeps_a_committees_filters(client, auth, accounts):
    auth.sign_in("btc")
    page = client.get("/admin/units?level=chi_bo_truc_thuoc&search=T%C3%A2n+L%E1%BB%A3i&status=draft").text
    href = switch_links(page)["en"]
    assert query_of(href) == [("level", "chi_bo_truc_thuoc"), ("search", "Tân Lợi"), ("status", "draft"),
                              ("lang", "en")]
    english = client.get(f"/admin/units{href}").text
    assert '<html lang="en">' in english and 'value="Tân Lợi"' in english, "the same list, in English"


@pytest.mark.parametrize("query", [
    "_external=1&_scheme=javascript", "next=javascript:alert(1)", 'q="><script>alert(1)</script>',
    "edit=1&edit=2", "lang=xx&lang=en",
])
def test_the_switch_reflects_no_unsafe_value(client, units, query):
    token = units[CELL].token
    page = client.get(f"/s/{token}?{query}").text
    assert "<script>alert" not in page
    for language, href in switch_links(page).items():
        assert href.startswith("?"), "a query alone, never a path, a scheme or another host"
        kept = [(key, value) for key, value in query_of(f"?{query}") if key != "lang"]
        assert query_of(href) == [*kept, ("lang", language)]


@pytest.mark.parametrize(("path", "kept"), [("//elsewhere.example/x", []), ("/nowhere", [("edit", "1")])])
def test_an_unknown_address_switches_with_its_query_only(client, path, kept):
    page = client.get("/", environ_overrides={"PATH_INFO": path, "QUERY_STRING": "edit=1" if kept else ""})
    assert page.status_code == 404
    for language, href in switch_links(page.text).items():
        assert href.startswith("?"), "relative to the page's own address, never another host"
        assert query_of(href) == [*kept, ("lang", language)]


def test_an_error_page_never_repeats_the_units_link(client, units):
    token = units[CELL].token
    refused = client.get(f"/s/{token}/revisions/9?edit=1")
    assert refused.status_code == 404
    assert token not in refused.text
    assert switch_links(refused.text)["en"] == "?edit=1&lang=en"
