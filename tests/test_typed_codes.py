"""Printed invitations that can be typed: the link's secret printed in groups without look-alikes, typed on the
home page in any case, with or without spaces and dashes; links of the old kind keep working."""

import html
import re
import secrets

import pytest
import sqlalchemy as sa

from link_tokens import ALPHABET, printed_code, token_from_typed_code
from models import Unit, db

pytestmark = pytest.mark.once

CELL = "KP.EK.01"


def token_of(app, code):
    with app.app_context():
        return db.session.scalar(sa.select(Unit.token).filter_by(code=code))


def printed_codes(page):
    """Return the codes an invitations page prints, in page order, as a reader sees them."""
    return [html.unescape(re.sub(r"<[^>]+>", "", code))
            for code in re.findall(r'<p class="invitation-code">(.*?)</p>', page, re.S)]


def type_code(client, typed):
    return client.post("/", data={"code": typed})


def test_the_invitation_prints_the_links_secret_in_seven_groups_of_four(app, client, auth, accounts):
    auth.sign_in("krongpac")
    page = client.get(f"/admin/units/{CELL}/invitation").text
    token = token_of(app, CELL)
    assert printed_codes(page) == ["-".join(token[i:i + 4] for i in range(0, 28, 4))]
    assert '<p class="invitation-link">http://localhost/</p>' in page, "the address to type the code at"
    assert all(len(group) == 4 and set(group) <= set(ALPHABET) for group in printed_codes(page)[0].split("-"))
    every = client.get("/admin/invitations").text
    assert len(printed_codes(every)) == len(re.findall(r'<section class="invitation">', every)) == 8


@pytest.mark.parametrize("spelling", [
    lambda code: code,
    lambda code: code.lower(),
    lambda code: code.replace("-", " "),
    lambda code: "  " + code.replace("-", "").lower() + "\n",
    lambda code: code.replace("-", " – "),
    lambda code: "".join(chr(ord(c) + 0xFEE0) for c in code.replace("-", "")),  # full-width, as some IMEs type
], ids=["as-printed", "lower-case", "spaces", "no-separators", "en-dashes", "full-width"])
def test_the_code_typed_on_the_home_page_opens_the_units_page(app, client, accounts, spelling):
    token = token_of(app, CELL)
    home = client.get("/")
    assert home.status_code == 200 and 'name="code"' in home.text
    opened = type_code(client, spelling(printed_code(token)))
    assert (opened.status_code, opened.headers["Location"]) == (303, f"/s/{token}")
    page = client.get(opened.headers["Location"])
    assert page.status_code == 200 and "Chi bộ thôn 3" in html.unescape(page.text)


def wrong_answer(client, typed):
    """Return the status and the page of a typed code, without the echo of what was typed."""
    response = type_code(client, typed)
    return response.status_code, response.text.replace(html.escape(typed, quote=True), "")


def test_a_wrong_code_gets_one_404_whatever_it_looks_like(app, client, accounts):
    token = token_of(app, CELL)
    wrong_last = token[:-1] + next(c for c in ALPHABET if c != token[-1])
    province = token_of(app, "TU")
    wrong = [wrong_last, token[:-1], token + "2", "", "0O1IL" * 6, "<script>", printed_code(province),
             secrets.token_urlsafe(32), "x" * 5000]
    answers = [wrong_answer(client, typed) for typed in wrong]
    status, page = answers[0]
    assert status == 404 and "Không có báo cáo nào ứng với mã này." in page and 'aria-invalid="true"' in page
    assert all(answer == answers[0] for answer in answers), "no wrong code is told apart from another"
    assert client.get("/s/" + wrong_last).status_code == 404, "nor from a wrong link"


def test_links_of_the_old_kind_keep_working_and_a_new_link_is_of_the_typed_kind(app, client, auth, accounts):
    old = secrets.token_urlsafe(32)
    with app.app_context():
        db.session.execute(sa.update(Unit).filter_by(code=CELL).values(token=old))
        db.session.commit()
    assert client.get(f"/s/{old}").status_code == 200, "a link already sent keeps working"
    assert type_code(client, old).status_code == 404, "it is no code to type"
    auth.sign_in("btc")
    page = client.get(f"/admin/units/{CELL}/invitation").text
    assert printed_codes(page) == [] and f"/s/{old}" in page
    assert "Đường liên kết này được tạo trước khi có mã truy cập" in page
    assert client.post(f"/admin/units/{CELL}/rotate-link", data={"csrf_token": auth.csrf_token()}).status_code == 302
    new = token_of(app, CELL)
    assert client.get(f"/s/{old}").status_code == 404
    assert printed_codes(client.get(f"/admin/units/{CELL}/invitation").text) == [printed_code(new)]
    assert type_code(client, printed_code(new)).headers["Location"] == f"/s/{new}"


@pytest.mark.parametrize(("typed", "token"), [
    ("abcd-efgh-jkmn-pqrs-tvwx-yz23-4567", "ABCDEFGHJKMNPQRSTVWXYZ234567"),
    ("ABCD EFGH\u00a0JKMN\tPQRS\u2010TVWX\u2212YZ23 4567", "ABCDEFGHJKMNPQRSTVWXYZ234567"),
    ("ABCD-EFGH-JKMN-PQRS-TVWX-YZ23-456", None),
    ("ABCD-EFGH-JKMN-PQRS-TVWX-YZ23-4560", None),
    ("ABCD-EFGH-JKMN-PQRS-TVWX-YZ23-456O", None),
    ("ABCD-EFGH-JKMN-PQRS-TVWX-YZ23-456U", None),
    ("ABCD_EFGH_JKMN_PQRS_TVWX_YZ23_4567", None),
])
def test_a_typed_code_is_read_without_case_or_separators_and_only_in_the_alphabet(typed, token):
    assert token_from_typed_code(typed) == token
