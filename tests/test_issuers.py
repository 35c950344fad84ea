"""How a unit issues its documents: the unit list's own columns, else derived from its level and name."""

from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from workbooks import excel_written, workbook_of

from documents.issuers import committee_code, committee_name, issuer_of, organisation_name, place_in
from models import Unit, db
from units.changes import import_units
from units.list_rows import ImportRefused


@pytest.mark.parametrize(("name", "level", "committee", "organisation", "code", "place"), [
    ("Đảng bộ xã Ea Kar", "dang_bo_co_so", "Đảng ủy xã Ea Kar", "Đảng bộ xã Ea Kar", "ĐU", "Ea Kar"),
    ("Đảng ủy xã Ea Kar", "dang_bo_co_so", "Đảng ủy xã Ea Kar", "Đảng bộ xã Ea Kar", "ĐU", "Ea Kar"),
    ("Đảng bộ thị trấn Phước An", "dang_bo_co_so", "Đảng ủy thị trấn Phước An", "Đảng bộ thị trấn Phước An", "ĐU",
     "Phước An"),
    ("Đảng bộ đặc khu Phú Quốc", "dang_bo_co_so", "Đảng ủy đặc khu Phú Quốc", "Đảng bộ đặc khu Phú Quốc", "ĐU",
     "Phú Quốc"),
    ("Huyện ủy Krông Pắc", "cap_huyen", "Huyện ủy Krông Pắc", "Đảng bộ huyện Krông Pắc", "HU", "Krông Pắc"),
    ("Huyện uỷ Krông Pắc", "cap_huyen", "Huyện ủy Krông Pắc", "Đảng bộ huyện Krông Pắc", "HU", "Krông Pắc"),
    ("Đảng bộ huyện Krông Pắc", "cap_huyen", "Huyện ủy Krông Pắc", "Đảng bộ huyện Krông Pắc", "HU", "Krông Pắc"),
    ("Đảng bộ Thành phố Buôn Ma Thuột", "cap_huyen", "Thành ủy Buôn Ma Thuột", "Đảng bộ Thành phố Buôn Ma Thuột",
     "ThU", "Buôn Ma Thuột"),
    ("Thị ủy Buôn Hồ", "cap_huyen", "Thị ủy Buôn Hồ", "Đảng bộ thị xã Buôn Hồ", "TU", "Buôn Hồ"),
    ("Quận ủy Ba Đình", "cap_huyen", "Quận ủy Ba Đình", "Đảng bộ quận Ba Đình", "QU", "Ba Đình"),
    ("Đảng ủy Khối các cơ quan tỉnh", "cap_huyen", "Đảng ủy Khối các cơ quan tỉnh", "Đảng bộ Khối các cơ quan tỉnh",
     "ĐU", ""),
    ("Tỉnh ủy Đắk Lắk", "tinh", "Tỉnh ủy Đắk Lắk", "Đảng bộ tỉnh Đắk Lắk", "TU", "Đắk Lắk"),
    ("Chi bộ thôn 1", "chi_bo_truc_thuoc", "Chi bộ thôn 1", "Chi bộ thôn 1", "CB", ""),
    ("Chi bộ xã Ia Rvê", "chi_bo_co_so", "Chi bộ xã Ia Rvê", "Chi bộ xã Ia Rvê", "CB", "Ia Rvê"),
    ("Công an tỉnh", "cap_huyen", "Công an tỉnh", "Công an tỉnh", "ĐU", ""),
    ("Trường Tiểu học", "chi_bo_co_so", "Trường Tiểu học", "Trường Tiểu học", "CB", ""),
])
def test_names_follow_the_partys_naming(name, level, committee, organisation, code, place):
    assert committee_name(name) == committee
    assert organisation_name(name) == organisation
    assert committee_code(name, level) == code
    assert place_in(name) == place


def unit(name, level, parent=None, **columns):
    document = dict(issuing_name=None, issuing_code=None, place=None, has_standing_committee=None)
    return SimpleNamespace(name=name, level=level, parent=parent, **{**document, **columns})


def test_a_unit_without_a_place_in_its_name_is_dated_where_its_committees_are():
    province = unit("Tỉnh ủy Đắk Lắk", "tinh")
    agencies = unit("Đảng ủy Khối các cơ quan tỉnh", "cap_huyen", province)
    office = unit("Đảng bộ Sở Tài chính", "dang_bo_co_so", agencies)
    cell = unit("Chi bộ Văn phòng Sở", "chi_bo_truc_thuoc", office)
    assert [issuer_of(u).place for u in (province, agencies, office, cell)] == ["Đắk Lắk"] * 4
    assert issuer_of(province).superior == "", "the province has nothing above it"
    assert issuer_of(cell).superior == "ĐẢNG BỘ SỞ TÀI CHÍNH"


def test_the_unit_lists_columns_win_over_what_is_derived():
    province = unit("Tỉnh ủy Đắk Lắk", "tinh")
    commune = unit("Xã Ea Kar", "dang_bo_co_so", province, issuing_name="Đảng ủy xã Ea Kar", issuing_code="ĐU",
                   place="Ea Kar", has_standing_committee=True)
    issuer = issuer_of(commune)
    assert (issuer.name, issuer.code, issuer.place, issuer.authority) == \
        ("ĐẢNG ỦY XÃ EA KAR", "ĐU", "Ea Kar", "T/M BAN THƯỜNG VỤ")
    assert issuer.archive == "Lưu Văn phòng Đảng ủy"
    assert issuer_of(unit("Chi bộ thôn 1", "chi_bo_truc_thuoc", commune)).place == "Ea Kar"


DOCUMENT_HEADER = "code,name,level,parent_code,issuing_name,issuing_code,place,has_standing_committee\n"
LIST = ("TU,Tỉnh ủy Đắk Lắk,tinh,,,,,\n"
        "EAKAR,Xã Ea Kar,dang_bo_co_so,TU,ĐẢNG ỦY XÃ EA KAR,ĐU,Ea Kar,có\n"
        "EAKAR.01,Chi bộ thôn 1,chi_bo_truc_thuoc,EAKAR,,,,\n")


def stored(app, code):
    with app.app_context():
        found = db.session.scalar(sa.select(Unit).filter_by(code=code))
        return (found.issuing_name, found.issuing_code, found.place, found.has_standing_committee)


def test_the_unit_list_may_say_how_each_unit_signs(app, client):
    with app.app_context():
        import_units((DOCUMENT_HEADER + LIST).encode())
    assert stored(app, "EAKAR") == ("ĐẢNG ỦY XÃ EA KAR", "ĐU", "Ea Kar", True)
    assert stored(app, "EAKAR.01") == (None, None, None, None), "an empty cell means derived"
    with app.app_context():
        summary = import_units(b"code,name,level,parent_code\nEAKAR,X\xc3\xa3 Ea Kar,dang_bo_co_so,TU\n")
    assert summary.unchanged == 1
    assert stored(app, "EAKAR") == ("ĐẢNG ỦY XÃ EA KAR", "ĐU", "Ea Kar", True), "a file without the columns keeps them"
    with app.app_context():
        summary = import_units((DOCUMENT_HEADER.replace(",issuing_code", "") +
                                "EAKAR,Xã Ea Kar,dang_bo_co_so,TU,,Krông Năng,không\n").encode())
    assert summary.updated == 1
    assert stored(app, "EAKAR") == (None, "ĐU", "Krông Năng", False), "an empty cell clears, a missing column keeps"


@pytest.mark.parametrize(("row", "fragment"), [
    ("EAKAR,Xã Ea Kar,dang_bo_co_so,TU,,Đ1,,", "issuing_code"),
    ("EAKAR,Xã Ea Kar,dang_bo_co_so,TU,,,,maybe", "has_standing_committee"),
    ("EAKAR,Xã Ea Kar,dang_bo_co_so,TU," + "Đ" * 301 + ",,,", "issuing_name"),
    ("EAKAR,Xã Ea Kar,dang_bo_co_so,TU,,,Ea\x00Kar,", "place"),
])
@pytest.mark.parametrize("file_of", [str.encode, excel_written], ids=["csv", "xlsx"])
def test_a_bad_document_column_refuses_the_file_with_its_line(app, row, fragment, file_of):
    with app.app_context(), pytest.raises(ImportRefused) as refused:
        import_units(file_of(DOCUMENT_HEADER + "TU,Tỉnh ủy Đắk Lắk,tinh,,,,,\n" + row + "\n"))
    assert any(problem.startswith("dòng 3") and fragment in problem for problem in refused.value.problems), \
        refused.value.problems


def test_a_workbook_says_how_each_unit_signs_as_the_csv_file_does(app):
    # The document columns first and the four others after them: any order, as in a CSV file.
    header = "issuing_name,has_standing_committee,code,name,level,parent_code,issuing_code,place\n"
    rows = ("ĐẢNG ỦY XÃ EA KAR,có,EAKAR,Xã Ea Kar,dang_bo_co_so,TU,ĐU,Ea Kar\n"
            ",,TU,Tỉnh ủy Đắk Lắk,tinh,,,\n")
    with app.app_context():
        assert import_units(workbook_of(header + rows)).created == 2
    assert stored(app, "EAKAR") == ("ĐẢNG ỦY XÃ EA KAR", "ĐU", "Ea Kar", True)
    assert stored(app, "TU") == (None, None, None, None)
    with app.app_context():
        summary = import_units(workbook_of("code,name,level,parent_code,place\nEAKAR,Xã Ea Kar,dang_bo_co_so,TU,\n"))
    assert summary.updated == 1
    assert stored(app, "EAKAR") == ("ĐẢNG ỦY XÃ EA KAR", "ĐU", None, True), "an empty cell derives, the rest stay"


def test_a_column_the_unit_list_does_not_know_is_refused(app):
    with app.app_context(), pytest.raises(ImportRefused) as refused:
        import_units(b"code,name,level,parent_code,seal\nTU,T,tinh,,x\n")
    assert "issuing_name" in refused.value.problems[0] and "seal" in refused.value.problems[0]
