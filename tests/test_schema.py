"""The survey config: the shipped file covers the outline, and every kind of mistake is reported."""

import datetime as dt
import errno
import os

import pytest
import sqlalchemy as sa

from models import Unit, db
from reporting.units import import_units
from schema import REPORTING_LEVELS, ConfigError, load_survey
from schema.loader import outline_number


@pytest.fixture
def shipped(app, shipped_config):
    with app.app_context():
        yield load_survey(shipped_config)


def problems_of(app, path):
    with app.app_context(), pytest.raises(ConfigError) as refused:
        load_survey(path)
    return refused.value.problems


def test_shipped_config_follows_the_outline(shipped):
    numbers = [section.number for section in shipped.sections]
    assert numbers == ["I", "II", "III", "IV", "V"]
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
    assert questions["so_chi_bo_truc_thuoc"].levels == ("cap_huyen", "dang_bo_co_so")
    assert questions["linh_vuc"].other


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
    assert str(shipped.questions["ty_le_tham_du"].label).startswith("Tỷ lệ trung bình")


def test_questions_depend_on_the_level(shipped):
    cell = {q.id for q in shipped.questions_for("chi_bo_truc_thuoc")}
    committee = {q.id for q in shipped.questions_for("dang_bo_co_so")}
    district = {q.id for q in shipped.questions_for("cap_huyen")}
    assert "so_chi_bo_truc_thuoc" not in cell
    assert {"so_chi_bo_truc_thuoc", "da_to_chuc_hoi_nghi"} <= committee
    assert "so_to_chuc_co_so_dang" in district - committee
    for level in REPORTING_LEVELS:
        assert shipped.questions_for(level)


def test_version_is_a_hash_of_the_file(app, config_with, shipped_config):
    with app.app_context():
        first = load_survey(shipped_config).version
        edited = load_survey(config_with((r"^timezone: .*$", "timezone: Asia/Bangkok"))).version
    assert len(first) == 12 and first != edited


# Each expected problem is given by fragments that do not depend on the language of the messages.
@pytest.mark.parametrize(("replacements", "fragments"), [
    ([(r"type: percentage", "type: percnt")],
     ["sections[1].sections[2].sections[1].questions[0].type:", "'ty_le_tham_du'", "'percnt'"]),
    ([(r"min: 0\n(\s+)max: 60", r"min: 70\n\1max: 60")],
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
    ([(r"max_length: 500", "max_length: -1")], ["sections[1].sections[2].sections[3].questions[1].max_length:"]),
    ([(r"^title:", "titel:")], ["(top):", "'titel'"]),
    ([(r'\{vi: "Loại hình, lĩnh vực hoạt động chủ yếu"', "{vi: Loại hình, lĩnh vực hoạt động chủ yếu")],
     ["sections[0].questions[0].label:", "'lĩnh vực hoạt động chủ yếu'"]),
    ([(r"^timezone: .*$", "timezone: Mars/Olympus")], ["timezone:", "'Mars/Olympus'"]),
    ([(r"type: percentage", "type: percentage\n                max_length: 5")],
     ["sections[1].sections[2].sections[1].questions[0].max_length:"]),
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
    assert "long_text: 14" in result.output
    assert "chi_bo_truc_thuoc" in result.output


def test_check_command_lists_problems_and_fails(runner, config_with):
    path = config_with((r"type: percentage", "type: percnt"), (r"min: 0\n(\s+)max: 60", r"min: 70\n\1max: 60"))
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
