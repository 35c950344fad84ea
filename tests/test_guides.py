"""The guides: served in both languages, linked from every page, every link and picture in them found, and the
names of buttons and pages the same as the pages show."""

import re
from html.parser import HTMLParser
from urllib.parse import urldefrag

import pytest
from pages import text_of

from config import LANGUAGES
from tools.screenshots import SHOTS
from views.guide import GUIDES

pytestmark = pytest.mark.once

GUIDE_PAGES = ["/guide/", *(f"/guide/{name}" for name in GUIDES)]
TITLES = {("vi", "/guide/unit"): "Hướng dẫn điền báo cáo", ("en", "/guide/unit"): "Guide to filling in a report",
          ("vi", "/guide/committee"): "Hướng dẫn theo dõi, tổng hợp",
          ("en", "/guide/committee"): "Guide to following and consolidating the reports",
          ("vi", "/guide/administrator"): "Hướng dẫn quản trị hệ thống",
          ("en", "/guide/administrator"): "Guide to administering the service",
          ("vi", "/guide/"): "Hướng dẫn sử dụng", ("en", "/guide/"): "Guides"}


class References(HTMLParser):
    """Collect a page's links, pictures, element ids and the header's guide link."""

    def __init__(self):
        super().__init__()
        self.links, self.pictures, self.ids, self.guide_links = [], [], set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and "guide-link" in attrs.get("class", ""):
            self.guide_links.append(attrs["href"])
        if tag == "a":
            self.links.append(attrs["href"])
        elif tag == "img":
            self.pictures.append(attrs["src"])
        elif tag in ("link", "script") and (attrs.get("href") or attrs.get("src")):
            self.links.append(attrs.get("href") or attrs.get("src"))


def references(html):
    reader = References()
    reader.feed(html)
    return reader


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", GUIDE_PAGES)
def test_each_guide_is_served_in_each_language(client, path, language):
    response = client.get(path, query_string={"lang": language})
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.text
    assert f"<h1>{TITLES[language, path]}</h1>" in response.text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", GUIDE_PAGES)
def test_every_link_and_picture_of_a_guide_is_found(client, path, language):
    page = client.get(path, query_string={"lang": language}).text
    found = references(page)
    for href in found.links:
        address, anchor = urldefrag(href)
        if address.startswith("data:"):
            continue
        if not address:
            assert anchor in found.ids, f"{path}: no element #{anchor}"
            continue
        assert address.startswith(("/", "?")), f"{path} links outside the service: {href}"
        target = client.get(path + address if address.startswith("?") else address)
        assert target.status_code == 200, f"{path}: {href} answers {target.status_code}"
        target.close()
    for src in found.pictures:
        picture = client.get(src)
        assert (picture.status_code, picture.mimetype) == (200, "image/png"), src
        assert picture.data.startswith(b"\x89PNG"), src
        picture.close()
        name, shown_in = re.fullmatch(r"/static/guide/([a-z-]+)\.(\w+)\.png", src).groups()
        assert name in SHOTS, f"{src} is not made by tools/screenshots.py"
        assert shown_in == language


def test_every_screenshot_the_script_makes_is_in_a_guide(client):
    shown = {re.fullmatch(r"/static/guide/([a-z-]+)\.vi\.png", src).group(1)
             for path in GUIDE_PAGES for src in references(client.get(path).text).pictures}
    assert shown == set(SHOTS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_unit_guide_names_the_buttons_as_the_page_shows_them(client, units, language):
    page = client.get(f"/s/{units['BMT.TL.01'].token}", query_string={"lang": language}).text
    buttons = re.findall(r'<button type="submit" name="action" value="\w+"[^>]*>([^<]+)</button>', page)
    assert len(buttons) == 2
    guide = client.get("/guide/unit", query_string={"lang": language}).text
    assert all(f'<b class="ui">{button}</b>' in guide for button in buttons), buttons


def test_every_page_links_to_the_guide_for_its_readers(client, auth, accounts, units):
    unit_guide, committee_guide, all_guides = "/guide/unit", "/guide/committee", "/guide/"
    pages = {"/": unit_guide, f"/s/{units['BMT.TL.01'].token}": unit_guide, "/s/unknown-link-000000000000": unit_guide,
             "/admin/": committee_guide, "/no-such-page": all_guides, "/guide/committee": all_guides}
    auth.sign_in("btc")
    pages.update({"/admin/missing": committee_guide, f"/admin/units/{'BMT.TL.01'}": committee_guide,
                  "/admin/invitations": committee_guide})
    for path, guide in pages.items():
        found = references(client.get(path).text)
        assert found.guide_links == [guide], path
    assert "Hướng dẫn" in text_of(client.get("/").text)
