"""The missing list as a call sheet: each unit not yet submitted (or returned) with its contact, its phone to
call, its last day and days left or overdue, and a ready message in Vietnamese holding its own link; the same
columns in its workbook; the links list and the printed invitations narrowed the same way."""

import datetime as dt
import re
from html import unescape

import pytest
import sqlalchemy as sa
from answers import store, stored_cell_answers
from pages import call_sheet_rows, text_of
from test_reviews import return_report
from workbooks import downloaded_workbook

from models import Unit, db
from schema.model import day_text

UNIT, OTHER, SUBMITTED = "KP.EK.01", "KP.EK.02", "KP.PA.01"
CONTACT = {"contact_name": "Nguyễn Thị Hoa", "contact_role": "Bí thư", "contact_phone": "(0262) 3852 123",
           "contact_email": "hoa@example.vn"}
LEVEL = "chi_bo_truc_thuoc"


@pytest.fixture
def chasing(app, auth, accounts):
    """A cell with a contact, one without, one that has submitted. Sign in (`auth.sign_in("krongpac")`) after
    moving the clock: a session lasts hours, not days."""
    with app.app_context():
        unit = db.session.scalar(sa.select(Unit).filter_by(code=UNIT))
        for name, value in CONTACT.items():
            setattr(unit, name, value)
        db.session.commit()
    store(app, SUBMITTED, stored_cell_answers())
    return accounts


def messages(page_html):
    """Return the ready message of each unit of a call sheet, by code."""
    codes = [row[0] for row in call_sheet_rows(page_html)]
    texts = re.findall(r'<textarea id="message-\d+" readonly[^>]*>(.*?)</textarea>', page_html, re.S)
    return dict(zip(codes, [unescape(text) for text in texts], strict=True))


def block_of(page_html, code):
    return re.search(rf'<li class="call[^"]*">\s*<h2 class="call-unit"><a href="/admin/units/{re.escape(code)}">'
                     r"(.*?)</li>", page_html, re.S).group(1)


@pytest.mark.parametrize(("days_before", "told"), [(3, "còn 3 ngày"), (1, "còn 1 ngày"),
                                                   (0, "hôm nay là ngày cuối"), (-2, "đã quá hạn 2 ngày")])
def test_each_unit_to_chase_reads_with_its_contact_its_last_day_and_a_message_holding_its_own_link(
        app, client, auth, chasing, clock, days_before, told):
    last_day = clock.survey.last_day(LEVEL)
    clock.at(last_day - dt.timedelta(days=days_before), hour=10)
    auth.sign_in("krongpac")
    page = client.get("/admin/missing?level=chi_bo_truc_thuoc")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store", "links are secrets"
    codes = [row[0] for row in call_sheet_rows(page.text)]
    assert UNIT in codes and OTHER in codes and SUBMITTED not in codes
    block = block_of(page.text, UNIT)
    assert 'href="tel:02623852123"' in block and "(0262) 3852 123" in block
    assert 'href="mailto:hoa@example.vn"' in block and "Nguyễn Thị Hoa (Bí thư)" in text_of(block)
    assert day_text(last_day) in text_of(block) and told in text_of(block)
    assert "Chưa có người liên hệ" in text_of(block_of(page.text, OTHER))
    by_code = messages(page.text)
    for code, message in by_code.items():
        links = re.findall(r"http://localhost/s/(\S+)", message)
        assert links == [chasing[code].token], "its own link and no other"
        assert f"{day_text(last_day)} ({told})" in message and "Huyện ủy Krông Pắc" in message
    assert by_code[UNIT].startswith("Kính gửi đồng chí Nguyễn Thị Hoa,")
    assert by_code[OTHER].startswith(f"Gửi {chasing[OTHER].name}:")


def test_the_message_is_vietnamese_whatever_the_committees_language(client, auth, chasing):
    auth.sign_in("krongpac")
    page = client.get("/admin/missing?level=chi_bo_truc_thuoc&lang=en")
    assert "Last saved" in page.text or "last day" in text_of(page.text), "the page in English"
    assert "chưa gửi báo cáo tổng kết" in messages(page.text)[UNIT]


def test_a_returned_report_is_chased_until_the_last_day_its_reviewer_gave(app, auth, client, chasing, clock):
    manager = auth.for_client(app.test_client())
    manager.sign_in("btc")
    until = clock.survey.last_day(LEVEL) + dt.timedelta(days=6)
    store(app, UNIT, stored_cell_answers())
    assert return_report(manager, until=until.isoformat()).status_code == 302
    clock.at(clock.survey.last_day(LEVEL) + dt.timedelta(days=2))
    auth.sign_in("krongpac")
    page = client.get("/admin/missing?status=returned").text
    assert [row[0] for row in call_sheet_rows(page)] == [UNIT]
    assert "còn 4 ngày" in text_of(block_of(page, UNIT)) and day_text(until) in text_of(block_of(page, UNIT))
    assert "được trả lại để hoàn chỉnh" in messages(page)[UNIT]


def test_lists_of_reports_received_stay_a_table(client, auth, chasing):
    auth.sign_in("krongpac")
    page = client.get("/admin/units?status=all_submitted").text
    assert 'class="call-sheet"' not in page and "<textarea" not in page
    assert SUBMITTED in page


def test_the_call_sheets_workbook_carries_the_same_columns_and_links(app, client, auth, chasing, clock):
    clock.at(clock.survey.last_day(LEVEL) + dt.timedelta(days=2))
    auth.sign_in("krongpac")
    response = client.get("/admin/units.xlsx?level=chi_bo_truc_thuoc")
    assert response.headers["Cache-Control"] == "private, no-store"
    sheet = downloaded_workbook(response).active
    header = [cell.value for cell in sheet[1]]
    assert header[:8] == ["Mã đơn vị", "Đơn vị", "Cấp", "Thuộc", "Tình trạng", "Lưu lần cuối", "Hạn cuối",
                          "Còn (ngày)"]
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)}
    chased = rows[UNIT]
    assert chased["Còn (ngày)"] == -2, "a number, negative once overdue"
    assert chased["Hạn cuối"].date() == clock.survey.last_day(LEVEL)
    assert [chased[column] for column in ("Người liên hệ", "Chức vụ", "Điện thoại", "Thư điện tử")] == \
        list(CONTACT.values())
    assert chased["Đường liên kết"] == f"http://localhost/s/{chasing[UNIT].token}"
    assert chased["Đường liên kết"] in chased["Tin nhắn soạn sẵn"]
    assert rows[OTHER]["Người liên hệ"] is None
    received = rows[SUBMITTED]
    assert received["Còn (ngày)"] is None and received["Tin nhắn soạn sẵn"] is None, "nothing to chase"
    assert received["Đường liên kết"] == f"http://localhost/s/{chasing[SUBMITTED].token}"


def test_a_contact_typed_like_a_formula_stays_text_in_the_workbook(app, client, auth, chasing):
    auth.sign_in("krongpac")
    with app.app_context():
        db.session.scalar(sa.select(Unit).filter_by(code=UNIT)).contact_name = '=HYPERLINK("http://x","y")'
        db.session.commit()
    book = downloaded_workbook(client.get("/admin/units.xlsx?status=missing"))
    [cell] = [row[8] for row in book.active.iter_rows(min_row=2) if row[0].value == UNIT]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK") and cell.quotePrefix


def linked_codes(response):
    sheet = downloaded_workbook(response).active
    return [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]


def invited_codes(page_html):
    return re.findall(r'<dt>Mã đơn vị</dt><dd>([^<]+)</dd>', page_html)


def test_the_links_and_invitations_are_narrowed_as_the_missing_list_is(app, client, auth, chasing, hierarchy):
    auth.sign_in("krongpac")
    page = client.get("/admin/missing?level=chi_bo_truc_thuoc").text
    listed = [row[0] for row in call_sheet_rows(page)]
    assert SUBMITTED not in listed and listed
    narrowed = "status=missing&amp;level=chi_bo_truc_thuoc"
    assert f'href="/admin/links.xlsx?{narrowed}"' in page and f'href="/admin/invitations?{narrowed}"' in page
    assert linked_codes(client.get(unescape(f"/admin/links.xlsx?{narrowed}"))) == listed
    assert invited_codes(client.get(unescape(f"/admin/invitations?{narrowed}")).text) == listed
    everything = linked_codes(client.get("/admin/links.xlsx"))
    assert SUBMITTED in everything and set(listed) < set(everything), "no filter: every unit, as before"


def test_a_unit_deeper_in_the_scope_narrows_its_invitations_to_its_units_still_missing(app, client, auth, chasing):
    auth.sign_in("btc")
    page = client.get("/admin/invitations?child=KP.PA&status=missing")
    assert page.status_code == 200
    assert invited_codes(page.text) == ["KP.PA", "KP.PA.02"], "KP.PA.01 has submitted"
    assert 'href="/admin/links.xlsx?child=KP.PA&amp;status=missing"' in page.text
    assert linked_codes(client.get("/admin/links.xlsx?child=KP.PA&status=missing")) == ["KP.PA", "KP.PA.02"]
    assert client.get("/admin/invitations?child=BMT&status=missing").status_code in (200, 404)


@pytest.mark.parametrize("query", ["status=nonsense", "level=tinh", "status=missing&level=%00", "child=%25",
                                   "status=" + "x" * 5000, "child=KP.PA&status[]=missing"])
def test_odd_filters_on_links_and_invitations_answer_without_an_error(client, auth, chasing, query):
    auth.sign_in("krongpac")
    for address in ("/admin/links.xlsx", "/admin/invitations"):
        response = client.get(f"{address}?{query}")
        response.close()
        assert response.status_code in (200, 400, 404), address
