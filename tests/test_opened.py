"""A report counts as opened when a person acts on its page, not when a link preview (Zalo, Messenger, a
mail client) fetches the link: the page's script reports the first action, or the first save does."""

import pytest
import sqlalchemy as sa
from pages import act_on_page, hidden_state, read_form

from models import Response, db

CELL = "BMT.TL.01"
PREVIEWERS = (
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Mozilla/5.0 (compatible; Zalo/1.0; +https://zalo.me)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Thunderbird/128.0",
    "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
)


def opened_at(app, unit):
    """Return when the unit's report was opened, None while it is not."""
    with app.app_context():
        return db.session.scalar(sa.select(Response.opened_at).filter_by(unit_id=unit.id))


@pytest.mark.parametrize("agent", PREVIEWERS)
def test_fetching_the_link_opens_nothing(app, client, units, agent):
    unit = units[CELL]
    for path in (f"/s/{unit.token}", f"/s/{unit.token}/revisions"):
        assert client.get(path, headers={"User-Agent": agent}).status_code == 200
        assert client.head(path, headers={"User-Agent": agent}).status_code == 200
    assert opened_at(app, unit) is None


def test_the_page_says_opened_to_whoever_reads_it(client, units):
    page = client.get(f"/s/{units[CELL].token}").text
    assert "status-opened" in page and "Đã mở, chưa lưu" in page


def test_a_persons_first_action_counts_it_opened_once(app, client, units, clock):
    unit = units[CELL]
    assert act_on_page(client, unit.token).status_code == 204
    first = opened_at(app, unit)
    assert first == clock()
    page = client.get(f"/s/{unit.token}").text
    assert "data-opened-url" not in page, "the script no longer reports it"
    clock.advance(hours=2)
    assert act_on_page(client, unit.token).status_code == 204
    assert opened_at(app, unit) == first


def test_the_first_save_counts_it_opened(app, client, units):
    unit = units[CELL]
    page = client.get(f"/s/{unit.token}").text
    assert f'data-opened-url="/s/{unit.token}/opened"' in page
    saved = client.post(f"/s/{unit.token}", data={**hidden_state(page), "action": "save", "nhan_thuc": "Có."})
    assert saved.status_code == 302
    assert opened_at(app, unit) is not None


@pytest.mark.parametrize("state", ["", "garbage", "another unit's"])
def test_the_report_is_opened_only_with_its_pages_state(app, client, units, state):
    unit, other = units[CELL], units["BMT.TL.02"]
    if state == "another unit's":
        state = read_form(client.get(f"/s/{other.token}").text).values["form_state"]
    assert client.post(f"/s/{unit.token}/opened", data={"form_state": state}).status_code == 400
    assert opened_at(app, unit) is None and opened_at(app, other) is None
