"""Bidirectional controls (U+202E and its kin) are invisible and reorder what a reader sees: "Tỷ lệ ‮50‬%"
shows "05". Like the other control characters, answers drop them, one-line texts (a unit list's names, a
user name, a page address) refuse them, and pages, Word documents and workbooks never show one stored
before."""

import io
import urllib.parse

import docx
import openpyxl
import pytest
import sqlalchemy as sa
from answers import store, stored_cell_answers
from pages import text_of
from test_survey_page import CELL, post, stored
from workbooks import workbook_bytes

from consolidation.source import ExportSource
from exports import write_workbook
from models import Unit, User, db
from plain_text import without_xml_unstorable
from units.changes import import_units
from units.list_files import ImportRefused

pytestmark = pytest.mark.once

#: Every bidirectional control: embeddings and overrides, isolates, the marks, the Arabic letter mark.
BIDI_CONTROLS = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
                 "\u200e", "\u200f", "\u061c"]


def code_point(character):
    return f"U+{ord(character):04X}"


def around(control, text):
    """Return the text with the control at its start, in its middle and at its end."""
    middle = len(text) // 2
    return f"{control}{text[:middle]}{control}{text[middle:]}{control}"


@pytest.mark.parametrize("control", BIDI_CONTROLS, ids=code_point)
def test_an_answer_keeps_its_text_and_drops_the_control(app, client, units, control):
    saved = post(client, units[CELL].token, nhan_thuc=around(control, "Tỷ lệ 50% đảng viên\ntham dự"),
                 nguoi_ky=around(control, "Nguyễn Văn A"), so_dang_vien="25")
    assert saved.status_code == 302
    _response, revisions = stored(app)
    answers = revisions[-1].answers
    assert (answers["nhan_thuc"], answers["nguoi_ky"]) == ("Tỷ lệ 50% đảng viên\ntham dự", "Nguyễn Văn A")


@pytest.mark.parametrize("control", BIDI_CONTROLS, ids=code_point)
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_unit_list_refuses_a_name_with_the_control(app, control, kind):
    rows = [["code", "name", "level", "parent_code"], ["TU", "Tỉnh ủy", "tinh", ""],
            ["H1", around(control, "Huyện ủy Krông Pắc"), "cap_huyen", "TU"]]
    raw = ("\n".join(",".join(row) for row in rows).encode() if kind == "csv" else workbook_bytes(rows))
    with app.app_context(), pytest.raises(ImportRefused) as refused:
        import_units(raw)
    assert refused.value.problems == [
        f"dòng 3: cột name có ký tự điều khiển {code_point(control)}, không lưu được; hãy xóa ký tự đó"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == 0


@pytest.mark.parametrize("control", BIDI_CONTROLS, ids=code_point)
def test_a_user_name_with_the_control_is_refused_by_the_command_and_the_sign_in(app, client, auth, accounts,
                                                                                 runner, control):
    name = around(control, "can-bo")
    created = runner.invoke(args=["users", "create", name, "--scope", "TU"], input=f"{auth.password}\n" * 2)
    assert created.exit_code == 1
    assert created.output.splitlines()[-1] == (f"Error: Tên đăng nhập không được chứa ký tự điều khiển "
                                               f"{code_point(control)}; hãy gõ lại mà không có ký tự đó.")
    with app.app_context():
        assert db.session.scalar(sa.select(User).filter(User.username.contains("can-bo"))) is None
    refused = auth.attempt_sign_in(around(control, "btc"))
    assert refused.status_code == 400
    assert f"có ký tự điều khiển {code_point(control)}" in text_of(refused.text)


@pytest.mark.parametrize("control", BIDI_CONTROLS, ids=code_point)
def test_an_address_with_the_control_gets_a_clear_400(client, units, control):
    page = client.get(f"/?search={urllib.parse.quote(around(control, 'Tân Lợi'))}")
    assert page.status_code == 400 and f"có ký tự điều khiển {code_point(control)}" in text_of(page.text)


@pytest.mark.parametrize("control", BIDI_CONTROLS, ids=code_point)
def test_a_text_stored_with_the_control_is_shown_without_it(app, client, units, tmp_path, control):
    answer = around(control, "Tỷ lệ 50% đảng viên tham dự")
    store(app, CELL, stored_cell_answers(nhan_thuc=answer, nguoi_ky=around(control, "Nguyễn Văn A")))
    with app.app_context():
        db.session.execute(sa.update(Unit).filter_by(code=CELL).values(name=around(control, "Chi bộ Tân Lợi")))
        db.session.commit()
    token = units[CELL].token
    for page in (f"/s/{token}", f"/s/{token}/print", f"/s/{token}/revisions/1"):
        shown = client.get(page)
        assert shown.status_code == 200 and control not in shown.text, page
        assert "Tỷ lệ 50% đảng viên tham dự" in text_of(shown.text) and "Chi bộ Tân Lợi" in shown.text, page
    document = docx.Document(io.BytesIO(client.get(f"/s/{token}/report.docx").data))
    written = [paragraph.text for paragraph in document.paragraphs]
    assert "Tỷ lệ 50% đảng viên tham dự" in written and not any(control in text for text in written)
    path = tmp_path / "tong-ket.xlsx"
    with app.app_context():
        write_workbook(path, app.extensions["survey"], ExportSource())
    cells = [cell.value for sheet in openpyxl.load_workbook(path) for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str)]
    assert "Tỷ lệ 50% đảng viên tham dự" in cells and "Chi bộ Tân Lợi" in cells
    assert not any(control in value for value in cells)


def test_a_printable_text_holds_nothing_a_cell_cannot_store():
    """The workbook's cells skip cleaning a printable text (exports.cells.TextCells.write): that holds only
    while no character the cleaning takes out counts as printable, in the Unicode of this Python."""
    printable_yet_removed = [f"U+{point:04X}" for point in range(0x110000)
                             if chr(point).isprintable() and without_xml_unstorable(chr(point)) != chr(point)]
    assert printable_yet_removed == []
