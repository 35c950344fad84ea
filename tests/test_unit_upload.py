"""A committee manager's unit list upload: its own scope only, a preview of every change, and a confirmation
that applies exactly the previewed file, or nothing if the unit list changed meanwhile."""

import html
import io
import os
import re

import pytest
import sqlalchemy as sa
from pages import read_form, table_rows, text_of
from workbooks import downloaded_workbook, excel_written, workbook_bytes, workbook_of

from models import Unit, db
from models.unit import NAME_MAX_LENGTH
from units.list_rows import COLUMNS, CONTACT_COLUMNS
from views.admin import unit_list_upload

#: A manager of the district Krông Pắc (the seed's shape), beside the `accounts` fixture's province manager.
DISTRICT_MANAGER = ("kp-quanly", "TU.KP")
HEADER = ",".join(COLUMNS) + "\n"
#: A district's list as it keeps it: one cell added under KP.EK, one renamed, one moved to KP.EK, two unchanged.
DISTRICT_LIST = (HEADER + "TU.KP,Huyện ủy Krông Pắc,cap_huyen,TU\n"
                 "KP.EK,Đảng bộ xã Ea Kly,dang_bo_co_so,TU.KP\n"
                 "KP.EK.03,Chi bộ thôn 5,chi_bo_truc_thuoc,KP.EK\n"
                 "KP.EK.01,Chi bộ thôn 1 (mới),chi_bo_truc_thuoc,KP.EK\n"
                 "KP.PA.02,Chi bộ khối 4,chi_bo_truc_thuoc,KP.EK\n")


@pytest.fixture
def managers(accounts, runner, auth):
    """The province's manager "btc" and the district's "kp-quanly"; return the units by code."""
    name, scope = DISTRICT_MANAGER
    result = runner.invoke(args=["users", "create", name, "--scope", scope, "--role", "manager"],
                           input=f"{auth.password}\n{auth.password}\n")
    assert result.exit_code == 0, result.output
    return accounts


def snapshot(app):
    """Every unit as (name, level, parent code), by code: to see that nothing else changed."""
    with app.app_context():
        units = db.session.scalars(sa.select(Unit)).all()
        codes = {unit.id: unit.code for unit in units}
        return {unit.code: (unit.name, unit.level, codes.get(unit.parent_id)) for unit in units}


def upload(client, auth, raw, filename="don-vi.xlsx"):
    data = {"csrf_token": auth.csrf_token(), "file": (io.BytesIO(raw), filename)}
    return client.post("/admin/unit-list", data=data, content_type="multipart/form-data")


def confirm(client, preview):
    """Post the preview's confirmation form as a browser would."""
    values = read_form(preview.text).values
    fields = ("csrf_token", "upload", "digest")
    return client.post("/admin/unit-list/confirm", data={key: values[key] for key in fields})


def problems_of(page):
    """Return the problems a refusal lists, as the reader sees them."""
    listed = re.search(r'<ul class="problems">(.*?)</ul>', page, re.S).group(1)
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", listed)]


def kept_files(app):
    folder = app.config["UNIT_LIST_UPLOADS"]
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def test_a_district_manager_previews_then_imports_its_own_units(app, client, auth, managers):
    before = snapshot(app)
    auth.sign_in(DISTRICT_MANAGER[0])
    preview = upload(client, auth, workbook_of(DISTRICT_LIST))
    assert preview.status_code == 200, preview.text
    assert snapshot(app) == before, "a preview changes nothing"
    text = text_of(preview.text)
    for count in ("1 đơn vị sẽ được thêm", "1 đơn vị sẽ được đổi tên", "1 đơn vị sẽ được chuyển",
                  "2 đơn vị giữ nguyên"):
        assert count in text
    added, renamed, moved = (table_rows(preview.text, index) for index in range(3))
    assert [row.cells for row in added] == [["4", "KP.EK.03", "Chi bộ thôn 5", "Chi bộ trực thuộc đảng bộ cơ sở",
                                             "KP.EK"]]
    assert [row.cells for row in renamed] == [["5", "KP.EK.01", before["KP.EK.01"][0], "Chi bộ thôn 1 (mới)"]]
    assert [row.cells for row in moved] == [["6", "KP.PA.02", "Chi bộ khối 4", "KP.PA", "KP.EK"]]
    assert "đổi cấp" not in text, "no level changes, no such list"

    done = confirm(client, preview)
    assert done.status_code == 200, done.text
    after = snapshot(app)
    assert after["KP.EK.03"] == ("Chi bộ thôn 5", "chi_bo_truc_thuoc", "KP.EK")
    assert after["KP.EK.01"] == ("Chi bộ thôn 1 (mới)", "chi_bo_truc_thuoc", "KP.EK")
    assert after["KP.PA.02"] == ("Chi bộ khối 4", "chi_bo_truc_thuoc", "KP.EK")
    changed = {code for code in after if after[code] != before.get(code)}
    assert changed == {"KP.EK.03", "KP.EK.01", "KP.PA.02"}, "nothing else changed"
    assert "Đã tạo mới 1 đơn vị, cập nhật 2 đơn vị, giữ nguyên 2 đơn vị." in done.text
    assert [row.cells for row in table_rows(done.text, 0)] == [["KP.EK.03", "Chi bộ thôn 5",
                                                               "Chi bộ trực thuộc đảng bộ cơ sở", "In giấy báo"]]
    assert 'href="/admin/units/KP.EK.03"' in done.text and 'href="/admin/units/KP.EK.03/invitation"' in done.text, \
        "the new unit's page and invitation, where its link is"
    assert 'href="/admin/units/KP.EK.01"' not in done.text, "a renamed unit keeps its link: not listed"
    assert kept_files(app) == [], "the confirmed file is not kept"
    with app.app_context():
        added_unit = db.session.scalar(sa.select(Unit).filter_by(code="KP.EK.03"))
        assert client.get(f"/s/{added_unit.token}").status_code == 200, "the new unit has its link"


def test_a_csv_file_is_taken_as_well(app, client, auth, managers):
    auth.sign_in(DISTRICT_MANAGER[0])
    preview = upload(client, auth, DISTRICT_LIST.encode("utf-8-sig"), filename="don-vi.csv")
    assert preview.status_code == 200 and "1 đơn vị sẽ được thêm" in text_of(preview.text)
    assert confirm(client, preview).status_code == 200
    assert snapshot(app)["KP.EK.03"] == ("Chi bộ thôn 5", "chi_bo_truc_thuoc", "KP.EK")


@pytest.mark.parametrize(("rows", "expected"), [
    ("BMT.TL.01,Chi bộ khác,chi_bo_truc_thuoc,BMT.TL\n",
     "dòng 3: đơn vị BMT.TL.01 không thuộc TU.KP nên tệp này không thay đổi được đơn vị đó"),
    ("KP.EK.01,Chi bộ thôn 1,chi_bo_truc_thuoc,BMT.TL\n",
     "dòng 3: đơn vị KP.EK.01 sẽ không còn thuộc TU.KP; parent_code phải là TU.KP hoặc một đơn vị thuộc TU.KP"),
    ("KP.NEW,Chi bộ cơ quan mới,chi_bo_co_so,TU\n",
     "dòng 3: đơn vị KP.NEW sẽ không còn thuộc TU.KP; parent_code phải là TU.KP hoặc một đơn vị thuộc TU.KP"),
    ("KP.T2,Tỉnh khác,tinh,\n",
     "dòng 3: đơn vị KP.T2 sẽ không còn thuộc TU.KP; parent_code phải là TU.KP hoặc một đơn vị thuộc TU.KP"),
    ("TU.KP,Huyện ủy Krông Pắc,cap_huyen,TU.BMT\n",
     "dòng 3: TU.KP là đơn vị của chính tài khoản này: chỉ cấp ủy cấp trên mới đổi được cấp hoặc đơn vị cấp trên "
     "của đơn vị này"),
    ("KP.X,Chi bộ X,chi_bo_truc_thuoc,BMT.X\nBMT.X,Đảng bộ X,dang_bo_co_so,TU.BMT\n",
     "dòng 3: đơn vị KP.X sẽ không còn thuộc TU.KP; parent_code phải là TU.KP hoặc một đơn vị thuộc TU.KP"),
], ids=["outside-unit", "moves-out", "new-under-province", "another-province", "own-unit-moves", "new-parent-outside"])
def test_a_row_outside_the_scope_refuses_the_file_and_changes_nothing(app, client, auth, managers, rows, expected):
    before = snapshot(app)
    auth.sign_in(DISTRICT_MANAGER[0])
    refused = upload(client, auth, workbook_of(HEADER + "KP.EK.03,Chi bộ thôn 5,chi_bo_truc_thuoc,KP.EK\n" + rows))
    assert refused.status_code == 422
    assert expected in problems_of(refused.text), problems_of(refused.text)
    assert "Tệp bị từ chối; không có đơn vị nào bị thay đổi:" in refused.text
    assert 'name="digest"' not in refused.text, "nothing to confirm"
    assert snapshot(app) == before
    assert kept_files(app) == [], "a refused file is not kept"


def test_a_manager_may_rename_its_own_unit_and_the_province_manager_anything(app, client, auth, managers):
    auth.sign_in(DISTRICT_MANAGER[0])
    preview = upload(client, auth, workbook_of(HEADER + "TU.KP,Đảng ủy xã Krông Pắc,cap_huyen,TU\n"))
    assert confirm(client, preview).status_code == 200
    assert snapshot(app)["TU.KP"] == ("Đảng ủy xã Krông Pắc", "cap_huyen", "TU")
    province = app.test_client()
    auth.for_client(province).sign_in("btc")
    preview = upload(province, auth.for_client(province),
                     workbook_of(HEADER + "BMT.TL.01,Chi bộ thôn 1,chi_bo_truc_thuoc,KP.EK\n"))
    assert preview.status_code == 200, preview.text
    assert confirm(province, preview).status_code == 200
    assert snapshot(app)["BMT.TL.01"] == ("Chi bộ thôn 1", "chi_bo_truc_thuoc", "KP.EK")


def province_imports(runner, tmp_path, line, header=HEADER):
    """Meanwhile, the province imports a list of one unit through the command line."""
    path = tmp_path / "province.csv"
    path.write_text(f"{header}{line}\n", encoding="utf-8")
    assert runner.invoke(args=["units", "import", str(path)]).exit_code == 0


def test_the_confirmation_refuses_when_the_unit_list_changed_in_a_way_that_alters_the_plan(app, client, auth,
                                                                                        managers, runner, tmp_path):
    auth.sign_in(DISTRICT_MANAGER[0])
    preview = upload(client, auth, workbook_of(DISTRICT_LIST))
    # Meanwhile the province imports its own list, which renames a unit the district's file renames too.
    province_imports(runner, tmp_path, "KP.EK.01,Chi bộ thôn 1 (tỉnh),chi_bo_truc_thuoc,KP.EK")
    before = snapshot(app)
    stale = confirm(client, preview)
    assert stale.status_code == 409
    assert "Danh sách đơn vị đã thay đổi sau khi xem trước" in stale.text
    assert snapshot(app) == before, "the stale confirmation changed nothing"
    renamed = table_rows(stale.text, 1)
    assert [row.cells for row in renamed] == [["5", "KP.EK.01", "Chi bộ thôn 1 (tỉnh)", "Chi bộ thôn 1 (mới)"]]
    assert confirm(client, stale).status_code == 200, "the new preview can be confirmed"
    assert snapshot(app)["KP.EK.01"][0] == "Chi bộ thôn 1 (mới)"


def test_a_confirmation_overtaken_by_another_shows_what_is_left_to_do(app, client, auth, managers, monkeypatch):
    auth.sign_in(DISTRICT_MANAGER[0])
    preview = upload(client, auth, workbook_of(DISTRICT_LIST))
    real_apply = unit_list_upload.apply_plan

    def overtaken(plan):
        """Let another confirmation of the same file commit first, in a session of its own."""
        monkeypatch.setattr(unit_list_upload, "apply_plan", real_apply)
        with app.app_context():
            real_apply(plan)
            db.session.commit()
        real_apply(plan)

    monkeypatch.setattr(unit_list_upload, "apply_plan", overtaken)
    late = confirm(client, preview)
    assert late.status_code == 409, late.text
    assert "Danh sách đơn vị đã thay đổi sau khi xem trước" in late.text
    after = snapshot(app)
    assert after["KP.EK.03"] == ("Chi bộ thôn 5", "chi_bo_truc_thuoc", "KP.EK"), "the first confirmation holds"
    assert "KP.EK.03" not in late.text, "nothing is left to add"


def signing(app, code):
    with app.app_context():
        unit = db.session.scalar(sa.select(Unit).filter_by(code=code))
        return unit.issuing_name, unit.place, unit.has_standing_committee


def test_how_a_unit_signs_its_documents_is_a_change_to_preview_and_confirm(app, client, auth, managers, runner,
                                                                        tmp_path):
    auth.sign_in(DISTRICT_MANAGER[0])
    header = HEADER.strip() + ",issuing_name,place,has_standing_committee\n"
    preview = upload(client, auth, workbook_of(header + "KP.EK,Đảng bộ xã Ea Kly,dang_bo_co_so,TU.KP,"
                                                        "ĐẢNG ỦY XÃ EA KLY,,có\n"))
    assert preview.status_code == 200, preview.text
    assert "1 đơn vị sẽ đổi cách đứng tên ký văn bản" in text_of(preview.text)
    assert [row.cells for row in table_rows(preview.text)] == [
        ["2", "KP.EK", "Đảng bộ xã Ea Kly", "issuing_name", "suy ra tự động", "ĐẢNG ỦY XÃ EA KLY"],
        ["2", "KP.EK", "Đảng bộ xã Ea Kly", "has_standing_committee", "suy ra tự động", "có"],
    ], "an empty place that stays derived is no change"
    # Meanwhile the province says where the commune signs: the preview no longer says what would happen.
    province_imports(runner, tmp_path, "KP.EK,Đảng bộ xã Ea Kly,dang_bo_co_so,TU.KP,không",
                     header=HEADER.strip() + ",has_standing_committee\n")
    stale = confirm(client, preview)
    assert stale.status_code == 409, "the digest covers the document columns"
    assert signing(app, "KP.EK") == (None, None, False)
    assert ["2", "KP.EK", "Đảng bộ xã Ea Kly", "has_standing_committee", "không", "có"] in \
        [row.cells for row in table_rows(stale.text)]
    assert confirm(client, stale).status_code == 200
    assert signing(app, "KP.EK") == ("ĐẢNG ỦY XÃ EA KLY", None, True)


def test_a_change_elsewhere_does_not_stop_the_confirmation(app, client, auth, managers, runner, tmp_path):
    auth.sign_in(DISTRICT_MANAGER[0])
    preview = upload(client, auth, workbook_of(DISTRICT_LIST))
    province_imports(runner, tmp_path, "BMT.TL.01,Chi bộ thôn 1 (đổi tên),chi_bo_truc_thuoc,BMT.TL")
    assert confirm(client, preview).status_code == 200
    assert snapshot(app)["KP.EK.03"][2] == "KP.EK"


def test_a_file_made_invalid_by_a_change_meanwhile_is_refused_at_confirmation(app, client, auth, managers, runner,
                                                                           tmp_path):
    auth.sign_in(DISTRICT_MANAGER[0])
    preview = upload(client, auth, workbook_of(DISTRICT_LIST))
    province_imports(runner, tmp_path, "KP.EK,Đảng bộ xã Ea Kly,dang_bo_co_so,TU")
    before = snapshot(app)
    refused = confirm(client, preview)
    assert refused.status_code == 409
    expected = "dòng 3: đơn vị KP.EK không thuộc TU.KP nên tệp này không thay đổi được đơn vị đó"
    assert expected in problems_of(refused.text)
    assert snapshot(app) == before


def test_only_the_previewed_file_of_the_same_account_can_be_confirmed(app, client, auth, managers):
    auth.sign_in(DISTRICT_MANAGER[0])
    first = upload(client, auth, workbook_of(DISTRICT_LIST))
    second = upload(client, auth, workbook_of(HEADER + "KP.EK.04,Chi bộ thôn 6,chi_bo_truc_thuoc,KP.EK\n"))
    assert len(kept_files(app)) == 1, "a new upload replaces the one waiting"
    before = snapshot(app)
    gone = confirm(client, first)
    assert (gone.status_code, gone.headers["Location"]) == (302, "/admin/unit-list")
    assert "Tệp đó không còn chờ nhập" in client.get("/admin/unit-list").text
    assert snapshot(app) == before
    # Another manager with the name and digest of this one's file: nothing.
    province = app.test_client()
    auth.for_client(province).sign_in("btc")
    values = read_form(second.text).values
    stolen = province.post("/admin/unit-list/confirm", data={
        "csrf_token": auth.for_client(province).csrf_token(), "upload": values["upload"], "digest": values["digest"]})
    assert stolen.status_code == 302 and snapshot(app) == before
    forged = client.post("/admin/unit-list/confirm", data={
        "csrf_token": auth.csrf_token(), "upload": values["upload"], "digest": "0" * 64})
    assert forged.status_code == 409 and snapshot(app) == before, "a digest that is not the plan's: a new preview"
    for name in ("../" + values["upload"], "x" * 200):
        assert client.post("/admin/unit-list/confirm", data={
            "csrf_token": auth.csrf_token(), "upload": name, "digest": values["digest"]}).status_code == 302
    assert confirm(client, second).status_code == 200
    assert snapshot(app)["KP.EK.04"] == ("Chi bộ thôn 6", "chi_bo_truc_thuoc", "KP.EK")


@pytest.mark.parametrize(("name", "expected"), [
    ("Chi bộ\x00thôn 5", "dòng 2: cột name có ký tự điều khiển U+0000, không lưu được; hãy xóa ký tự đó"),
    ("ư" * (NAME_MAX_LENGTH + 1), f"dòng 2, cột name: tên đơn vị dài quá {NAME_MAX_LENGTH} ký tự"),
], ids=["nul", "too-long"])
def test_a_nul_or_an_over_long_name_is_refused_with_its_row(app, client, auth, managers, name, expected):
    before = snapshot(app)
    auth.sign_in(DISTRICT_MANAGER[0])
    row = ",".join(("KP.EK.03", name, "chi_bo_truc_thuoc", "KP.EK"))
    refused = upload(client, auth, excel_written(HEADER + row + "\n"))
    assert refused.status_code == 422 and problems_of(refused.text) == [expected]
    assert snapshot(app) == before


def test_a_bad_workbook_is_refused_on_the_page_with_what_to_do(app, client, auth, managers):
    auth.sign_in(DISTRICT_MANAGER[0])
    refused = upload(client, auth, workbook_bytes([list(COLUMNS)], more_sheets=[("Ghi chú", [["x"]])]))
    assert refused.status_code == 422
    assert problems_of(refused.text) == ["Tệp Excel có 2 trang tính có dữ liệu (Đơn vị, Ghi chú); hãy chỉ giữ lại "
                                         "trang tính danh sách đơn vị rồi thử lại."]
    nothing = client.post("/admin/unit-list", data={"csrf_token": auth.csrf_token()})
    assert (nothing.status_code, nothing.headers["Location"]) == (302, "/admin/unit-list")
    assert "Hãy chọn tệp danh sách đơn vị trước." in client.get("/admin/unit-list").text


def test_a_file_that_changes_nothing_has_nothing_to_confirm(app, client, auth, managers):
    auth.sign_in(DISTRICT_MANAGER[0])
    same = upload(client, auth, workbook_of(HEADER + "KP.EK,Đảng bộ xã Ea Kly,dang_bo_co_so,TU.KP\n"))
    assert same.status_code == 200
    assert "Không có gì thay đổi" in same.text and 'name="digest"' not in same.text


def test_the_template_downloads_for_a_manager_only(app, client, auth, managers):
    auth.sign_in(DISTRICT_MANAGER[0])
    page = client.get("/admin/unit-list")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    assert 'href="/admin/unit-list"' in client.get("/admin/").text, "the manager's menu leads there"
    template = client.get("/admin/unit-list/template.xlsx")
    assert "danh-s%C3%A1ch-%C4%91%C6%A1n-v%E1%BB%8B.xlsx" in template.headers["Content-Disposition"]
    sheet = downloaded_workbook(template).active
    assert [cell.value for cell in sheet[1]] == [*COLUMNS, *CONTACT_COLUMNS]
    viewer = app.test_client()
    auth.for_client(viewer).sign_in("krongpac")
    assert viewer.get("/admin/unit-list").status_code == 403
    assert viewer.get("/admin/unit-list/template.xlsx").status_code == 403
    assert 'href="/admin/unit-list"' not in viewer.get("/admin/").text
