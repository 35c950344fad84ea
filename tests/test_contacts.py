"""A unit's contact: the person a committee calls or writes to. Kept as typed, a phone checked as a Vietnamese
number, an e-mail as an address; a refused field keeps all that was typed; only managers of a scope holding
the unit change it, only accounts whose scope holds it read it, and the record names the fields changed, never
their values."""

import pytest
import sqlalchemy as sa
from pages import read_form, table_rows, text_of
from test_unit_upload import DISTRICT_MANAGER, HEADER, confirm, managers, problems_of, upload  # noqa: F401  (a fixture)
from workbooks import downloaded_workbook, workbook_of

from models import Action, Unit, db
from units.contacts import phone_problem

UNIT = "KP.EK.01"
CONTACT = {"contact_name": "Nguyễn Thị Hoa", "contact_role": "Bí thư", "contact_phone": "0912 345 678",
           "contact_email": "chibo.ek01@example.vn"}


@pytest.fixture
def manager(app, auth, accounts):
    auth.sign_in("btc")
    return auth


def post_contact(auth, code=UNIT, **values):
    return auth.client.post(f"/admin/units/{code}/contact", data={"csrf_token": auth.csrf_token(), **values})


def stored_contact(app, code=UNIT):
    with app.app_context():
        unit = db.session.scalar(sa.select(Unit).filter_by(code=code))
        return {name: getattr(unit, name) for name in CONTACT}


@pytest.mark.parametrize("typed", ["0912 345 678", "0912345678", "+84 912 345 678", "+84912345678",
                                   "091.234.5678", "0912-345-678", "(0262) 3852 123", "02623852123"])
def test_vietnamese_numbers_are_taken_as_typed(typed):
    assert phone_problem(typed) is None


@pytest.mark.parametrize("typed", ["912 345 678", "+1 202 555 0100", "0912 345 67", "0912 345 678 999",
                                   "09l2 345 678", "=0912345678", "0912345678\u202e", "++84912345678",
                                   "tel:0912345678", "０９１２３４５６７８"])
def test_other_numbers_are_refused_with_a_reason(typed):
    assert phone_problem(typed)


def test_a_manager_sets_the_contact_and_every_account_of_the_scope_reads_it(app, client, manager, auth):
    answer = post_contact(manager, **CONTACT)
    assert (answer.status_code, answer.headers["Location"]) == (302, f"/admin/units/{UNIT}#contact")
    assert stored_contact(app) == CONTACT, "kept as typed, spaces included"
    page = client.get(f"/admin/units/{UNIT}").text
    assert 'href="tel:0912345678"' in page and 'href="mailto:chibo.ek01@example.vn"' in page
    assert "Nguyễn Thị Hoa (Bí thư)" in text_of(page)
    viewer = auth.for_client(app.test_client())
    viewer.sign_in("krongpac")
    assert "0912 345 678" in viewer.client.get(f"/admin/units/{UNIT}").text
    assert post_contact(viewer, contact_phone="0987 654 321").status_code == 403
    assert stored_contact(app) == CONTACT


@pytest.mark.parametrize(("field", "typed", "message"), [
    ("contact_phone", "12345", "10 chữ số"),
    ("contact_phone", "+1 202 555 0100", "+84"),
    ("contact_email", "chibo@", "chibo@example.vn"),
    ("contact_email", "chi bo@example.vn", "chibo@example.vn"),
    ("contact_name", "Nguyễn\x00Hoa", "U+0000"),
    ("contact_role", "Bí thư" * 40, "80"),
])
def test_a_refused_field_says_why_and_keeps_everything_typed(app, manager, field, typed, message):
    answer = post_contact(manager, **{**CONTACT, field: typed})
    assert answer.status_code == 400
    assert message in text_of(answer.text)
    values = read_form(answer.text).values
    assert {name: values[name] for name in CONTACT if name != field} == {
        name: value for name, value in CONTACT.items() if name != field}
    assert stored_contact(app) == dict.fromkeys(CONTACT), "nothing saved"


def test_the_record_names_the_fields_changed_never_their_values(app, manager):
    post_contact(manager, **CONTACT)
    post_contact(manager, **{**CONTACT, "contact_phone": "+84 987 654 321"})
    post_contact(manager, **{**CONTACT, "contact_phone": "+84 987 654 321"})  # nothing changed: nothing recorded
    with app.app_context():
        details = [row.details for row in db.session.scalars(sa.select(Action).filter_by(kind="contact")
                                                                .order_by(Action.id))]
    assert details == [{"fields": list(CONTACT)}, {"fields": ["contact_phone"]}]
    page = manager.client.get("/admin/actions?kind=contact").text
    assert "điện thoại" in text_of(page) and "987 654" not in page and "Nguyễn Thị Hoa" not in page


def test_a_contact_is_never_read_outside_the_scope_nor_in_the_workbook(app, client, manager, auth, runner):
    post_contact(manager, **CONTACT)
    created = runner.invoke(args=["users", "create", "bmt", "--scope", "TU.BMT", "--role", "manager"],
                            input=f"{auth.password}\n{auth.password}\n")
    assert created.exit_code == 0
    other = auth.for_client(app.test_client())
    other.sign_in("bmt")
    assert other.client.get(f"/admin/units/{UNIT}").status_code == 404
    assert post_contact(other, contact_phone="0987 654 321").status_code == 404
    book = downloaded_workbook(manager.client.get("/admin/export.xlsx"))
    cells = {str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for value in row}
    assert not {"0912 345 678", "Nguyễn Thị Hoa", "chibo.ek01@example.vn"} & cells


CONTACT_HEADER = "code,name,level,parent_code,contact_name,contact_role,contact_phone,contact_email\n"
EK01 = "KP.EK.01,Chi bộ thôn 3,chi_bo_truc_thuoc,KP.EK"


@pytest.mark.usefixtures("managers")
def test_the_unit_list_sets_contacts_after_a_preview_and_a_file_without_them_keeps_them(app, client, auth):
    auth.sign_in(DISTRICT_MANAGER[0])
    typed = ",".join(CONTACT.values())
    preview = upload(client, auth, workbook_of(CONTACT_HEADER + f"{EK01},{typed}\n"))
    assert preview.status_code == 200, problems_of(preview.text)
    assert "1 đơn vị sẽ đổi người liên hệ" in text_of(preview.text)
    assert [row.cells[3:] for row in table_rows(preview.text)] == [
        [name, "", value] for name, value in CONTACT.items()]
    assert stored_contact(app) == dict.fromkeys(CONTACT), "nothing before the confirmation"
    assert confirm(client, preview).status_code == 200
    assert stored_contact(app) == CONTACT, "kept as typed"
    with app.app_context():
        action = db.session.scalars(sa.select(Action).filter_by(kind="import_units").order_by(Action.id.desc())).first()
        assert action.details["contacts"] == 1
    assert "1 người liên hệ được thay đổi" in text_of(auth.client.get("/admin/actions").text)
    # The list as the district keeps it, without the contact's columns: the contacts stay.
    unchanged = upload(client, auth, workbook_of(HEADER + f"{EK01}\n"))
    assert "Không có gì thay đổi" in unchanged.text
    # An empty cell clears one.
    cleared = upload(client, auth, workbook_of(CONTACT_HEADER + f"{EK01},{typed.rsplit(',', 1)[0]},\n"))
    assert confirm(client, cleared).status_code == 200
    assert stored_contact(app) == CONTACT | {"contact_email": None}


@pytest.mark.parametrize(("column", "typed", "problem"), [
    ("contact_phone", "912 345 678", "10 chữ số"),
    ("contact_phone", "+1 202 555 0100", "+84"),
    ("contact_phone", "09l2 345 678", "chỉ bằng chữ số"),
    ("contact_phone", "'=0912345678", "chỉ bằng chữ số"),
    ("contact_email", "chibo@", "chibo@example.vn"),
    ("contact_email", "chi bo@example.vn", "chibo@example.vn"),
    ("contact_name", "Nguyễn " * 60, "dài quá 300 ký tự"),
    ("contact_role", "Bí thư " * 20, "dài quá 80 ký tự"),
])
@pytest.mark.usefixtures("managers")
def test_a_contact_the_service_cannot_keep_refuses_the_file_by_line_and_column(app, client, auth, column, typed,
                                                                              problem):
    before = stored_contact(app)
    auth.sign_in(DISTRICT_MANAGER[0])
    values = CONTACT | {column: typed}
    refused = upload(client, auth, workbook_of(CONTACT_HEADER + f"{EK01},{','.join(values.values())}\n"))
    assert refused.status_code == 422
    [found] = problems_of(refused.text)
    assert found.startswith(f"dòng 2, cột {column}: ") and problem in found, found
    assert stored_contact(app) == before
