"""The home page is the way in for everyone: units to their link (or the code of their invitation), committees
to their sign-in, every reader to the guides; also after a wrong code."""

import html
from html.parser import HTMLParser

import pytest
from pages import text_of

from config import LANGUAGES
from views.guide import GUIDES

pytestmark = pytest.mark.once

SIGN_IN = {"vi": "Đăng nhập dành cho cấp ủy / Ban Tổ chức",
           "en": "Sign in for committees / the Organisation Committee"}
UNITS_WAY_IN = {"vi": "Đơn vị: mở đường liên kết riêng đã được gửi.",
                "en": "Units: open the link of your own that you were sent."}
GUIDE_TITLES = {"vi": {"unit": "Hướng dẫn điền báo cáo", "committee": "Hướng dẫn theo dõi, tổng hợp",
                       "administrator": "Hướng dẫn quản trị hệ thống"},
                "en": {"unit": "Guide to filling in a report",
                       "committee": "Guide to following and consolidating the reports",
                       "administrator": "Guide to administering the service"}}


class Links(HTMLParser):
    """Collect the links of a page's main part by their text."""

    def __init__(self):
        super().__init__()
        self.by_text, self.href, self.text, self.in_main = {}, None, "", False

    def handle_starttag(self, tag, attrs):
        self.in_main |= tag == "main"
        if tag == "a" and self.in_main:
            self.href, self.text = dict(attrs)["href"], ""

    def handle_data(self, data):
        self.text += data

    def handle_endtag(self, tag):
        if tag == "a" and self.href is not None:
            self.by_text[" ".join(self.text.split())] = self.href
            self.href = None


def links_of(page):
    reader = Links()
    reader.feed(page)
    return reader.by_text


def open_home(client, arrival, language):
    if arrival == "opened":
        return client.get("/", query_string={"lang": language})
    return client.post("/", query_string={"lang": language}, data={"code": "NOT-A-CODE"})


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("arrival", "status"), [("opened", 200), ("after a wrong code", 404)])
def test_the_home_page_leads_units_committees_and_readers_to_their_way_in(client, arrival, status, language):
    home = open_home(client, arrival, language)

    assert home.status_code == status
    assert UNITS_WAY_IN[language] in html.unescape(text_of(home.text))
    links = links_of(home.text)
    sign_in = client.get(links[SIGN_IN[language]])
    assert sign_in.status_code == 200 and 'type="password"' in sign_in.text
    for name in GUIDES:
        guide = client.get(links[GUIDE_TITLES[language][name]])
        assert guide.status_code == 200 and f"<h1>{GUIDE_TITLES[language][name]}</h1>" in guide.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committees_guide_names_the_sign_in_button_as_the_home_page_shows_it(client, language):
    home = client.get("/", query_string={"lang": language})
    guide = client.get("/guide/committee", query_string={"lang": language})

    assert SIGN_IN[language] in links_of(home.text)
    assert f'<b class="ui">{html.escape(SIGN_IN[language], quote=False)}</b>' in guide.text
