"""The survey config: the shipped file covers the outline, and every kind of mistake is reported."""

import datetime as dt
import errno
import os
import unicodedata

import pytest
import sqlalchemy as sa

from models import Unit, db
from schema import REPORTING_LEVELS, ConfigError, load_survey
from schema.loader import outline_number
from units.changes import import_units

pytestmark = pytest.mark.once

CELLS = ("chi_bo_co_so", "chi_bo_truc_thuoc")
COMMITTEES = ("cap_huyen", "dang_bo_co_so")


@pytest.fixture
def shipped(app, shipped_config):
    with app.app_context():
        yield load_survey(shipped_config)


def problems_of(app, path):
    with app.app_context(), pytest.raises(ConfigError) as refused:
        load_survey(path)
    return refused.value.problems


def test_shipped_config_follows_the_outline(shipped):
    numbers = [section.number for section in shipped.sections if not section.document_details]
    assert numbers == ["I", "II", "III", "IV", "V"]
    assert [section.document_details for section in shipped.sections] == [False] * 5 + [True], \
        "the document's details come last, outside the outline"
    parts = {s.number: [c.number for c in s.sections] for s in shipped.sections}
    assert parts["II"] == ["1", "2", "3", "4"]
    assert parts["III"] == ["1", "2", "3", "4"]
    bullets = [c.number for c in shipped.sections[1].sections[2].sections]
    assert bullets == ["3.1", "3.2", "3.3", "3.4"]
    for section in shipped.all_sections():
        assert str(section.title).strip(), section.number
        assert any(q for s in section.walk() for q in s.questions), section.number


def test_shipped_config_asks_for_the_numbers_the_committee_adds_up(shipped):
    questions = shipped.questions
    assert questions["ty_le_tham_du"].type == "percentage"
    assert (questions["ty_le_tham_du"].min, questions["ty_le_tham_du"].max) == (0, 100)
    assert questions["noi_dung_sinh_hoat"].type == "multiple_choice"
    assert questions["noi_dung_tap_trung"].type == "single_choice"
    assert questions["noi_dung_tap_trung"].choices == questions["noi_dung_sinh_hoat"].choices
    assert questions["so_chuyen_de"].type == "decimal"
    assert questions["chuyen_de_hieu_qua"].type == "short_text"
    assert questions["so_dang_vien"].type == "integer"
    assert questions["so_chi_bo_truc_thuoc"].levels == COMMITTEES
    assert questions["linh_vuc"].other


def test_a_cell_counts_its_meetings_and_a_committee_averages_them_per_cell(shipped):
    questions = shipped.questions
    cell, committee = questions["so_buoi_sinh_hoat"], questions["so_ky_sinh_hoat_binh_quan"]
    assert (cell.type, cell.levels, cell.min, cell.max) == ("integer", CELLS, 0, 12)
    assert (committee.type, committee.levels, committee.min, committee.max) == ("decimal", COMMITTEES, 0, 12)
    assert str(committee.label) == "Số kỳ sinh hoạt chi bộ thường kỳ bình quân mỗi năm"


def test_the_rate_says_what_it_divides_and_for_which_year(shipped):
    question = shipped.questions["ty_le_tham_du"]
    assert str(question.label) == "Tỷ lệ đảng viên dự sinh hoạt chi bộ bình quân trong năm (%)"
    hint = question.hint.by_language
    for fragment in ("Năm 2026", "số lượt đảng viên có mặt chia cho số lượt đảng viên phải dự",
                     "được miễn công tác và sinh hoạt đảng không tính"):
        assert fragment in hint["vi"]
    assert "members present divided by members due" in hint["en"]


@pytest.mark.parametrize("count", ["so_chi_bo_du_12_ky", "so_chi_bo_chuyen_de_hang_quy"])
def test_committee_counts_of_cells_are_bounded_by_the_cells(shipped, count):
    question = shipped.questions[count]
    assert (question.type, question.levels, question.required) == ("integer", COMMITTEES, True)
    check = next(check for check in shipped.checks if check.left == count)
    assert (check.op, check.right) == ("<=", "so_chi_bo_truc_thuoc")


def test_the_most_effective_topic_is_a_choice_with_other_beside_its_title(shipped):
    questions = list(shipped.questions)
    choice = shipped.questions["chu_de_hieu_qua"]
    assert (choice.type, choice.other, choice.required) == ("single_choice", True, True)
    assert {"hoc_tap_bac_ho", "xay_dung_dang"} <= {c.value for c in choice.choices}
    assert questions.index("chuyen_de_hieu_qua") == questions.index("chu_de_hieu_qua") + 1


def test_proposals_are_separated_by_addressee(shipped):
    section_v = shipped.sections[4]
    assert [q.id for q in section_v.questions] == ["de_xuat_trung_uong", "de_xuat_tinh_uy", "de_xuat_cap_tren"]
    assert shipped.questions["de_xuat_cap_tren"].levels == ("dang_bo_co_so", *CELLS), \
        "a district-level committee's committee above is the Provincial Committee"
    assert "de_xuat" not in shipped.questions


def test_the_kinds_of_unit_are_the_partys(shipped):
    labels = {c.value: str(c.label) for c in shipped.questions["linh_vuc"].choices}
    assert labels["co_quan"] == "Cơ quan Đảng, Nhà nước, Mặt trận Tổ quốc, đoàn thể chính trị - xã hội"
    assert labels["su_nghiep"] == "Đơn vị sự nghiệp công lập"
    assert (labels["quan_doi"], labels["cong_an"]) == ("Quân đội", "Công an")
    assert str(shipped.questions["so_dang_vien_mien_sinh_hoat"].label) == \
        "Số đảng viên được miễn công tác và sinh hoạt đảng"


def config_texts(survey):
    """Yield (where, Text) for every text of a survey."""
    yield "title", survey.title
    yield "directive", survey.directive
    for section in survey.all_sections():
        yield f"section {section.number}", section.title
        if section.hint:
            yield f"section {section.number} hint", section.hint
    for question in survey.questions.values():
        yield question.id, question.label
        if question.hint:
            yield f"{question.id} hint", question.hint
        for choice in question.choices:
            yield f"{question.id}.{choice.value}", choice.label
    for check in survey.checks:
        yield f"check {check.left} {check.op} {check.right}", check.message


def test_every_text_of_the_shipped_config_has_its_english_translation(shipped):
    missing = [where for where, text in config_texts(shipped) if not text.by_language.get("en")]
    assert missing == []


def test_the_shipped_config_writes_uy_one_way(shipped, shipped_config):
    raw = unicodedata.normalize("NFC", shipped_config.read_text(encoding="utf-8"))
    assert "uỷ" not in raw.lower()
    assert "Tỉnh ủy" in raw and "Ủy viên Ban Thường vụ" in raw


def test_check_messages_say_must_not_be_greater(shipped):
    messages = [check.message.by_language["vi"] for check in shipped.checks if check.op in ("<=", "<")]
    assert len(messages) >= 4 and all("không được lớn hơn" in message for message in messages), messages


def test_shipped_config_uses_every_type_and_sets_deadlines_per_level(shipped):
    assert {q.type for q in shipped.questions.values()} >= {
        "short_text", "long_text", "integer", "decimal", "percentage", "date", "single_choice",
        "multiple_choice", "yes_no"}
    assert shipped.deadlines == {
        "chi_bo_truc_thuoc": dt.date(2027, 4, 10), "chi_bo_co_so": dt.date(2027, 4, 10),
        "dang_bo_co_so": dt.date(2027, 4, 15), "cap_huyen": dt.date(2027, 4, 20)}
    deadline = shipped.deadline_for("chi_bo_co_so")
    assert deadline.isoformat() == "2027-04-11T00:00:00+07:00"


def test_shipped_config_is_vietnamese_with_diacritics(shipped):
    assert "Đặc điểm, tình hình" in str(shipped.sections[0].title)
    assert str(shipped.questions["ty_le_tham_du"].label).startswith("Tỷ lệ đảng viên dự sinh hoạt")


def test_questions_depend_on_the_level(shipped):
    cell = {q.id for q in shipped.questions_for("chi_bo_truc_thuoc")}
    committee = {q.id for q in shipped.questions_for("dang_bo_co_so")}
    district = {q.id for q in shipped.questions_for("cap_huyen")}
    assert "so_chi_bo_truc_thuoc" not in cell
    assert {"so_chi_bo_truc_thuoc", "da_to_chuc_hoi_nghi"} <= committee
    assert "so_to_chuc_co_so_dang" in district - committee
    for level in REPORTING_LEVELS:
        assert shipped.questions_for(level)


#: What only cells are asked (a single pick means something for one cell), and what only committees are.
CELL_SHAPED = {"so_buoi_sinh_hoat", "noi_dung_tap_trung"}
COMMITTEE_SHAPED = {"so_chi_bo_truc_thuoc", "so_ky_sinh_hoat_binh_quan", "so_chi_bo_du_12_ky",
                    "so_chi_bo_chuyen_de_hang_quy"}
#: What a district-level committee is asked about its report instead of its members' comments.
STANDING_COMMITTEE = {"btv_da_thao_luan", "ngay_btv_thao_luan", "so_hoi_nghi_uv_btv_du"}
MEMBERS_COMMENTS = {"da_lay_y_kien", "ngay_thao_luan"}


@pytest.mark.parametrize("level", CELLS)
def test_a_cell_is_asked_cell_shaped_questions_only(shipped, level):
    asked = {q.id for q in shipped.questions_for(level)}
    assert CELL_SHAPED | MEMBERS_COMMENTS | {"chu_de_hieu_qua", "de_xuat_cap_tren"} <= asked
    assert asked.isdisjoint(COMMITTEE_SHAPED | STANDING_COMMITTEE | {"so_to_chuc_co_so_dang", "da_to_chuc_hoi_nghi"})


@pytest.mark.parametrize("level", COMMITTEES)
def test_a_committee_is_asked_counts_not_a_single_pick(shipped, level):
    asked = {q.id for q in shipped.questions_for(level)}
    assert COMMITTEE_SHAPED | {"chu_de_hieu_qua", "so_chuyen_de", "ty_le_tham_du"} <= asked
    assert asked.isdisjoint(CELL_SHAPED)


def test_a_district_level_committee_reports_its_standing_committees_work(shipped):
    district = {q.id for q in shipped.questions_for("cap_huyen")}
    grassroots = {q.id for q in shipped.questions_for("dang_bo_co_so")}
    assert district >= STANDING_COMMITTEE and district.isdisjoint(MEMBERS_COMMENTS | {"de_xuat_cap_tren"})
    assert grassroots >= MEMBERS_COMMENTS and grassroots.isdisjoint(STANDING_COMMITTEE)
    assert shipped.questions["ngay_btv_thao_luan"].show_if.question == "btv_da_thao_luan"
    check = next(check for check in shipped.checks if check.left == "so_hoi_nghi_uv_btv_du")
    assert (check.op, check.right) == ("<=", "so_to_chuc_co_so_dang")


def test_version_is_a_hash_of_the_file(app, config_with, shipped_config):
    with app.app_context():
        first = load_survey(shipped_config).version
        edited = load_survey(config_with((r"^timezone: .*$", "timezone: Asia/Bangkok"))).version
    assert len(first) == 12 and first != edited


#: Gives the cell's number of regular meetings (sections[1].sections[2].sections[1].questions[1]) a min above its max.
MIN_ABOVE_MAX = (r"min: 0\n(\s+)max: 12\n(\s+)levels: \[chi_bo", r"min: 70\n\1max: 12\n\2levels: [chi_bo")


# Each expected problem is given by fragments that do not depend on the language of the messages.
@pytest.mark.parametrize(("replacements", "fragments"), [
    ([(r"type: percentage", "type: percnt")],
     ["sections[1].sections[2].sections[1].questions[0].type:", "'ty_le_tham_du'", "'percnt'"]),
    ([MIN_ABOVE_MAX],
     ["sections[1].sections[2].sections[1].questions[1].max:", "min"]),
    ([(r"id: so_buoi_sinh_hoat", "id: ty_le_tham_du")], ["sections:", "'ty_le_tham_du'"]),
    ([(r"id: so_buoi_sinh_hoat", "id: So buoi")], ["sections[1].sections[2].sections[1].questions[1].id:"]),
    ([(r"question: da_lay_y_kien, equals: true", "question: da_lay_y_kien_x, equals: true")],
     ["question 'ngay_thao_luan'.show_if:", "'da_lay_y_kien_x'"]),
    ([(r"question: da_lay_y_kien, equals: true", "question: da_lay_y_kien, equals: maybe")],
     ["question 'ngay_thao_luan'.show_if:", "'maybe'", "'da_lay_y_kien'"]),
    ([(r"right: so_dang_vien$", "right: so_dang_vien_typo")], ["checks[0].right:", "'so_dang_vien_typo'"]),
    ([(r'op: "<="', 'op: "=<"')], ["checks[0].op:", "'=<'"]),
    ([(r"^  chi_bo_co_so: 2027-04-10$", "  chi_bo_co_so: 10/04/2027")],
     ["deadlines.chi_bo_co_so:", "YYYY-MM-DD"]),
    ([(r"^  cap_huyen: 2027-04-20\n", "")], ["deadlines:", "'cap_huyen'"]),
    ([(r"levels: \[cap_huyen\]", "levels: [huyen]")], ["sections[0].questions[4].levels:", "'huyen'"]),
    ([(r"choices: \*noi_dung_sinh_hoat", "choices: []")],
     ["sections[1].sections[2].sections[2].questions[1].choices:"]),
    ([(r"value: do_thi", "value: nong_thon")], ["sections[0].questions[0].choices:", "'nong_thon'"]),
    ([(r"required: true\n(\s+)min: 3", r"required: yes please\n\1min: 3")],
     ["sections[0].questions[1].required:"]),
    ([(r"max_length: 500", "max_length: -1")], ["sections[1].sections[2].sections[3].questions[3].max_length:"]),
    ([(r"^title:", "titel:")], ["(top):", "'titel'"]),
    ([(r'\{vi: "Loại hình, lĩnh vực hoạt động chủ yếu"', "{vi: Loại hình, lĩnh vực hoạt động chủ yếu")],
     ["sections[0].questions[0].label:", "'lĩnh vực hoạt động chủ yếu'"]),
    ([(r"^timezone: .*$", "timezone: Mars/Olympus")], ["timezone:", "'Mars/Olympus'"]),
    ([(r"type: percentage", "type: percentage\n                max_length: 5")],
     ["sections[1].sections[2].sections[1].questions[0].max_length:"]),
    ([(r"^    signer_name: nguoi_ky$", "    signer_name: nguoi_ky\n    seal: nguoi_ky")],
     ["document.details.seal:", "signer_name"]),
    ([(r"^    number: so_van_ban$", "    number: so_dang_vien")], ["document.details.number:", "'so_dang_vien'",
                                                                   "document_details: true"]),
    ([(r"^    date: ngay_van_ban$", "    date: nguoi_ky")], ["document.details.date:", "date"]),
    ([(r"^    signer_title: chuc_vu_nguoi_ky$", "    signer_title: chuc_vu")], ["document.details.signer_title:",
                                                                             "'chuc_vu'"]),
    ([(r'cap_huyen: \["Ban Thường vụ Tỉnh ủy', 'cap_huyen: ["{tinh_uy} Ban Thường vụ Tỉnh ủy')],
     ["document.recipients.cap_huyen[0]:", "{above}"]),
    ([(r'^    chi_bo_co_so: \["\{above\} \(báo cáo\)"\]$', "    chi_bo: [x]")], ["document.recipients.chi_bo:"]),
    ([(r"^  subject: \|-$", "  subjet: |-")], ["document:", "'subjet'"]),
    ([(r"^  subject: \|-$", "  subjet: |-")], ["document.subject:"]),
    ([(r"document_details: true", "document_details: yes please")], ["sections[5].document_details:"]),
])
def test_config_problems_are_reported_with_where_they_are(app, config_with, replacements, fragments):
    problems = problems_of(app, config_with(*replacements))
    assert any(all(fragment in problem for fragment in fragments) for problem in problems), problems


def test_every_problem_is_reported_not_only_the_first(app, config_with):
    problems = problems_of(app, config_with((r"type: percentage", "type: percnt"),
                                            (r"^title:", "titel:"), (r"levels: \[cap_huyen\]", "levels: [x]")))
    for where, fragment in (("sections[1].sections[2].sections[1].questions[0].type:", "'percnt'"),
                            ("(top):", "'titel'"), ("sections[0].questions[4].levels:", "'x'")):
        assert any(p.startswith(where) and fragment in p for p in problems), (where, problems)


def test_yaml_syntax_error_names_its_line(app, config_with):
    path = config_with((r"^  chi_bo_co_so: ", "\tchi_bo_co_so: "))
    problems = problems_of(app, path)
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "\t" in text)
    assert len(problems) == 1
    assert f" {line}," in problems[0]


NOT_A_MAPPING = "(top): tệp phải là một ánh xạ (mapping) gồm các khóa title, deadlines và sections"


@pytest.mark.parametrize("content", [b"", b"- just\n- a list\n"])
def test_empty_or_wrong_files_are_refused(app, tmp_path, content):
    path = tmp_path / "broken.yaml"
    path.write_bytes(content)
    assert problems_of(app, path) == [NOT_A_MAPPING]


# "á" in Latin-1, and a UTF-16 byte order mark: neither is UTF-8.
@pytest.mark.parametrize("content", [b"title: T\xe1nh\n", b"\xff\xfe not utf-8"])
def test_a_file_not_in_utf8_is_named_as_such(app, tmp_path, content):
    path = tmp_path / "not-utf-8.yaml"
    path.write_bytes(content)
    assert problems_of(app, path) == ["tệp không phải văn bản mã hóa UTF-8"]


def test_missing_file_is_refused(app, tmp_path):
    assert problems_of(app, tmp_path / "missing.yaml") == [f"không đọc được tệp: {os.strerror(errno.ENOENT)}"]


def test_check_command_summarises_a_valid_file(runner):
    result = runner.invoke(args=["survey", "check"])
    assert result.exit_code == 0, result.output
    assert "chi-thi-10.yaml" in result.output
    assert "long_text: 17" in result.output
    assert "chi_bo_truc_thuoc" in result.output


def test_check_command_lists_problems_and_fails(runner, config_with):
    path = config_with((r"type: percentage", "type: percnt"), MIN_ABOVE_MAX)
    result = runner.invoke(args=["survey", "check", str(path)])
    assert result.exit_code == 1
    assert "sections[1].sections[2].sections[1].questions[0].type:" in result.output
    assert "'percnt'" in result.output
    assert "sections[1].sections[2].sections[1].questions[1].max:" in result.output


def test_start_up_refuses_an_invalid_config(make_app, config_with, monkeypatch):
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    with pytest.raises(ConfigError) as refused:
        make_app(config_with((r"type: percentage", "type: percnt")))
    assert "percnt" in str(refused.value)


def test_under_the_flask_command_an_invalid_config_leaves_pages_unavailable(make_app, config_with, monkeypatch,
                                                                           demo_units_csv):
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    app = make_app(config_with((r"type: percentage", "type: percnt")))
    with app.app_context():
        import_units(demo_units_csv.read_bytes())
        token = db.session.scalar(sa.select(Unit.token).filter_by(code="BMT.TL.01"))
    response = app.test_client().get(f"/s/{token}")
    assert response.status_code == 503
    assert "percnt" not in response.text


@pytest.mark.parametrize(("parent", "number", "full"), [
    ("", "II", "II"), ("II", "3", "II.3"), ("II.3", "3.1", "II.3.1"), ("II.3", "1", "II.3.1"), ("II", "II.4", "II.4"),
    ("III", "", "III"),
])
def test_a_question_carries_its_full_outline_number(parent, number, full):
    assert outline_number(parent, number) == full


def test_outline_numbers_never_repeat_across_sections(shipped):
    by_number = {}
    for section in shipped.all_sections():
        for question in section.questions:
            by_number.setdefault(question.section_number, set()).add(str(section.title))
    assert all(len(titles) == 1 for titles in by_number.values()), by_number
    assert shipped.questions["ty_le_tham_du"].section_number == "II.3.2"
