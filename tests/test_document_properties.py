"""A document's properties (title, author) hold at most 255 characters, Word's limit: a longer unit name,
issuing name or subject is cut there, on a whole character, while the document's text keeps it whole. On the
unit's link, the committees' page and `flask export docx`, read back with python-docx."""

import csv
import io
import unicodedata

import docx
import pytest
from answers import store, stored_committee_answers

from documents.layout import LAYOUT, property_text

pytestmark = pytest.mark.once

#: The grassroots committee whose name, or issuing name, the cases lengthen (seed shape).
COMMITTEE = "BMT.TL"
#: A letter and two accents that no single character composes: three characters, even once the import has
#: normalised the name (NFC), that a cut must keep together.
DECOMPOSED = "q\u0323\u0301"


def long_name(length, accent_at=None):
    """Return a committee's name of `length` characters; with the decomposed "ệ" starting at `accent_at`."""
    start = "Đảng bộ phường "
    filler = ("Tân Lợi " * 60)[:length - len(start)]
    name = start + filler
    if accent_at is not None:
        name = name[:accent_at] + DECOMPOSED + name[accent_at + len(DECOMPOSED):]
    return name[:length].rstrip() + "x" if name[:length].endswith(" ") else name[:length]


#: (column of the unit list lengthened, its value): names of 255 (the limit), 256 and 300 (the longest the
#: import takes) characters, an accent straddling the cut, and an issuing name (how the unit signs) of 300.
CASES = {
    "name-255": ("name", long_name(255)),
    "name-256": ("name", long_name(256)),
    "name-300": ("name", long_name(300)),
    "accent-across-cut": ("name", long_name(300, accent_at=LAYOUT.property_max_chars - 2)),
    "accent-at-cut": ("name", long_name(300, accent_at=LAYOUT.property_max_chars - 1)),
    "accent-before-cut": ("name", long_name(300, accent_at=LAYOUT.property_max_chars - 4)),
    "signer-300": ("issuing_name", "Đảng ủy " + long_name(292)),
}


def with_unit_changed(unit_list, code, column, value):
    """Return the CSV bytes of `unit_list` with `column` of unit `code` set to `value`."""
    rows = list(csv.DictReader(io.StringIO(unit_list.read_text(encoding="utf-8"))))
    fields = list(rows[0]) + ([column] if column not in rows[0] else [])
    out = io.StringIO()
    writer = csv.DictWriter(out, fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, column: value} if row["code"] == code else row)
    return out.getvalue().encode()


def imported(runner, tmp_path, unit_list, column, value):
    """Import the unit list with the long value through the real command, as an administrator does."""
    path = tmp_path / "units.csv"
    path.write_bytes(with_unit_changed(unit_list, COMMITTEE, column, value))
    result = runner.invoke(args=["units", "import", str(path)])
    assert result.exit_code == 0, result.output


def assert_cut_whole(prop, whole):
    """A property is the text itself up to 255 characters, else its start cut before a whole character, with
    an ellipsis."""
    if len(whole) <= LAYOUT.property_max_chars:
        assert prop == whole
        return
    assert len(prop) <= LAYOUT.property_max_chars and prop.endswith("…")
    kept = prop[:-1]
    assert whole.startswith(kept)
    assert unicodedata.category(whole[len(kept)]) not in ("Mn", "Mc", "Me"), "no accent is cut from its letter"


def issuer_lines(document):
    return [line.text for line in document.tables[0].rows[0].cells[0].paragraphs]


@pytest.mark.parametrize("case", list(CASES))
def test_a_long_name_is_cut_in_the_properties_and_whole_in_the_unit_report(app, client, units, auth, accounts,
                                                                            runner, tmp_path, demo_units_csv, case):
    column, value = CASES[case]
    imported(runner, tmp_path, demo_units_csv, column, value)
    assert unicodedata.is_normalized("NFC", value), "the import keeps the name as it is"
    store(app, COMMITTEE, stored_committee_answers())
    signs_as = value.upper() if column == "issuing_name" else "ĐẢNG ỦY" + value.upper()[len("ĐẢNG BỘ"):]
    on_link = client.get(f"/s/{units[COMMITTEE].token}/report.docx")
    auth.sign_in("btc")
    on_admin = client.get(f"/admin/units/{COMMITTEE}/report.docx")
    for response in (on_link, on_admin):
        assert response.status_code == 200, response.text
        document = docx.Document(io.BytesIO(response.data))
        assert signs_as in issuer_lines(document), "the header names the body whole"
        assert_cut_whole(document.core_properties.author, signs_as)
        assert_cut_whole(document.core_properties.last_modified_by, signs_as)


@pytest.mark.parametrize("case", list(CASES))
def test_a_long_name_is_cut_in_the_properties_and_whole_in_the_consolidated_draft(units, runner, tmp_path,
                                                                                   demo_units_csv, case):
    column, value = CASES[case]
    imported(runner, tmp_path, demo_units_csv, column, value)
    result = runner.invoke(args=["export", "docx", str(tmp_path / "draft.docx"), "--scope", COMMITTEE])
    assert result.exit_code == 0, result.output
    document = docx.Document(tmp_path / "draft.docx")
    signs_as = value.upper() if column == "issuing_name" else "ĐẢNG ỦY" + value.upper()[len("ĐẢNG BỘ"):]
    assert signs_as in issuer_lines(document)
    assert_cut_whole(document.core_properties.author, signs_as)
    if column == "name":
        assert any(value in line.text for line in document.paragraphs), "the opening names the scope whole"


def long_subject(length):
    """Return a subject of `length` characters, on one line."""
    return ("tổng kết 10 năm thực hiện Chỉ thị số 10-CT/TW, ngày 30/3/2007 " * 10)[:length - 7].strip().ljust(
        length - 7, "x") + " chi bộ"


@pytest.mark.parametrize("length", [200, 255, 256, 400])
def test_a_long_subject_from_the_config_is_cut_in_the_title_property_only(make_app, config_with, units, tmp_path,
                                                                          length):
    subject = long_subject(length)
    app = make_app(config_with((r"^  subject: \|-\n(    .*\n)+", f"  subject: {subject}\n")))
    response = app.test_client().get(f"/s/{units[COMMITTEE].token}/report.docx")
    assert response.status_code == 200, response.text
    result = app.test_cli_runner().invoke(args=["export", "docx", str(tmp_path / "draft.docx"), "--scope", COMMITTEE])
    assert result.exit_code == 0, result.output
    for document in (docx.Document(io.BytesIO(response.data)), docx.Document(tmp_path / "draft.docx")):
        assert subject in [line.text for line in document.paragraphs], "the subject is printed whole"
        assert_cut_whole(document.core_properties.title, subject)


@pytest.mark.parametrize(("value", "expected"), [
    ("a" * 255, "a" * 255),
    ("a" * 256, "a" * 254 + "…"),
    ("a" * 253 + DECOMPOSED + "b", "a" * 253 + "…"),
    ("a" * 252 + DECOMPOSED + "b", "a" * 252 + "…"),
    ("a" * 251 + DECOMPOSED + "bc", "a" * 251 + DECOMPOSED + "…"),
    ("a" * 252 + "\u200d" * 3 + "bc", "a" * 251 + "…"),
    ("\u0301" * 300, "…"),
])
def test_a_property_is_cut_before_a_whole_character(value, expected):
    assert property_text(value) == expected
