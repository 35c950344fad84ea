"""Synthetic provinces: the right number of units, a sound hierarchy, answers that pass the rules."""

import random
from collections import Counter

import openpyxl
import pytest
import sqlalchemy as sa
from answers import store
from werkzeug.datastructures import MultiDict

from consolidation.source import ExportSource
from demo.province import answers_adding_up
from exports import write_workbook
from forms import posted_answers, survey_form_class
from models import Response, Revision, Unit, db
from schema import PARENT_LEVELS


@pytest.mark.parametrize(("args", "under_province"), [
    (["--shape", "2025"], True), ([], True), (["--shape", "seed"], False)])
def test_demo_command_fills_an_empty_database_with_a_province_of_either_shape(app, runner, args, under_province):
    result = runner.invoke(args=["demo", "--units", "400", *args])
    assert result.exit_code == 0, result.output
    with app.app_context():
        units = {unit.id: unit for unit in db.session.scalars(sa.select(Unit))}
        assert len(units) == 400
        placed = Counter()
        for unit in units.values():
            parent = units.get(unit.parent_id)
            if parent is None:
                assert unit.level == "tinh"
            else:
                assert parent.level in PARENT_LEVELS[unit.level], (unit.code, unit.level, parent.level)
                placed[unit.level, parent.level] += 1
        assert {unit.level for unit in units.values()} == set(PARENT_LEVELS)
        assert placed["dang_bo_co_so", "cap_huyen"] and placed["chi_bo_co_so", "cap_huyen"]
        directly = placed["dang_bo_co_so", "tinh"], placed["chi_bo_co_so", "tinh"]
        assert all(directly) if under_province else not any(directly), directly
        statuses = db.session.execute(sa.select(Response.submitted_number, Response.current_number)).all()
        assert any(s for s, _ in statuses) and any(c and not s for s, c in statuses)


def test_demo_command_refuses_an_unknown_shape(app, runner):
    result = runner.invoke(args=["demo", "--units", "10", "--shape", "1975"])
    assert result.exit_code == 2 and "'1975' is not one of '2025', 'seed'" in result.output, result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == 0


def test_demo_answers_pass_the_surveys_own_validation(app, runner):
    runner.invoke(args=["demo", "--units", "150"])
    with app.app_context(), app.test_request_context():
        survey = app.extensions["survey"]
        rows = db.session.execute(sa.select(Revision.action, Revision.answers, Unit.level)
                                  .join(Response, Revision.response_id == Response.id)
                                  .join(Unit, Response.unit_id == Unit.id)).all()
        assert rows
        for action, answers, level in rows:
            form_class = survey_form_class(survey, level)
            posted = MultiDict(posted_answers(survey, level, answers))
            form = form_class(formdata=posted, submitting=action == "submit", meta={"csrf": False})
            assert form.validate(), (level, form.errors)
            assert form.answers() == answers


def test_demo_refuses_a_database_with_units(app, runner, units):
    result = runner.invoke(args=["demo", "--units", "10"])
    assert isinstance(result.exception, SystemExit) and result.exit_code == 1, result.exception
    assert result.output == "Cơ sở dữ liệu đã có đơn vị; chỉ tạo dữ liệu mẫu trong cơ sở dữ liệu trống.\n"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == len(units)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 0


@pytest.mark.parametrize("shape", ["seed", "2025"])
def test_make_runs_answers_give_each_committee_its_units_figures(app, units, tmp_path):
    """Submitted by every unit, the demo's answers leave the workbook's differences sheet empty: a committee's
    own sums and means are those the export computes from its units."""
    with app.app_context():
        answers = answers_adding_up(app.extensions["survey"], db.session.scalars(sa.select(Unit)).all(),
                                    random.Random(5))
    for code, unit_answers in answers.items():
        store(app, code, unit_answers)
    with app.app_context():
        write_workbook(tmp_path / "book.xlsx", app.extensions["survey"], ExportSource())
    book = openpyxl.load_workbook(tmp_path / "book.xlsx", read_only=True)
    listed = [row[0] for row in book["Chênh lệch"].iter_rows(min_row=2, values_only=True) if row[0]]
    assert listed == ["Số liệu tự báo cáo của mọi cấp ủy đều khớp với số liệu cộng từ các đơn vị."]
    totals = list(book["Cộng theo cấp ủy"].iter_rows(min_row=2, values_only=True))
    assert len(totals) > 3, "committees whose figures were compared"


#: Levels of the units counted as a committee's cells (so_chi_bo_truc_thuoc), and as its grassroots
#: organisations (so_to_chuc_co_so_dang); and the levels of party cells.
CELLS_UNDER, GRASSROOTS, CELL_LEVELS = ("chi_bo_truc_thuoc",), ("dang_bo_co_so", "chi_bo_co_so"), (
    "chi_bo_truc_thuoc", "chi_bo_co_so")


def stored_province(app):
    """Return the demo province as stored: {code: (parent code, level, name)} and each report's current answers."""
    with app.app_context():
        parent = sa.orm.aliased(Unit)
        tree = {code: (parent_code, level, name) for code, parent_code, level, name in db.session.execute(
            sa.select(Unit.code, parent.code, Unit.level, Unit.name).outerjoin(parent, Unit.parent_id == parent.id))}
        current = (Revision.response_id == Response.id) & (Revision.number == Response.current_number)
        answers = dict(db.session.execute(sa.select(Unit.code, Revision.answers)
                                          .join(Response, Response.unit_id == Unit.id).join(Revision, current)).all())
    return tree, answers


def implausible(tree, answers):
    """Return what a reader would find implausible in a province's figures, and how many committees with cells
    were compared: a cell of fewer than 10 or more than 60 members, exempted members more than a tenth of a
    unit's, a committee's cells or grassroots organisations not those of the unit list, fewer than ten members a
    cell, or fewer members than its units report."""
    children = {}
    for code, (parent, _level, _name) in tree.items():
        children.setdefault(parent, []).append(code)

    def subtree(code):
        for child in children.get(code, []):
            yield child
            yield from subtree(child)

    problems, compared = [], 0
    for code, own in answers.items():
        level, members = tree[code][1], own.get("so_dang_vien")
        under = [tree[below][1] for below in subtree(code)]
        if level in CELL_LEVELS and members is not None and not 10 <= members <= 60:
            problems.append(f"{code}: a cell of {members} members")
        if members is not None and own.get("so_dang_vien_mien_sinh_hoat", 0) * 10 > members:
            problems.append(f"{code}: {own['so_dang_vien_mien_sinh_hoat']} of {members} members exempted")
        cells = sum(below in CELLS_UNDER for below in under)
        if own.get("so_chi_bo_truc_thuoc", cells) != cells:
            problems.append(f"{code}: {own['so_chi_bo_truc_thuoc']} cells said, {cells} in the unit list")
        grassroots = sum(below in GRASSROOTS for below in under)
        if own.get("so_to_chuc_co_so_dang", grassroots) != grassroots:
            problems.append(f"{code}: {own['so_to_chuc_co_so_dang']} organisations said, {grassroots} listed")
        if members is not None and "so_chi_bo_truc_thuoc" in own and cells:
            compared += 1
            if members < 10 * cells:
                problems.append(f"{code}: {members} members in {cells} cells")
        reported = sum(answers.get(child, {}).get("so_dang_vien", 0) for child in children.get(code, []))
        if members is not None and members < reported:
            problems.append(f"{code}: {members} members, its units report {reported}")
    return problems, compared


def province_name(tree):
    return next(name for _parent, level, name in tree.values() if level == "tinh")


@pytest.mark.parametrize("shape", ["seed", "2025"])
def test_make_runs_demo_has_plausible_figures_consistent_across_levels(make_app, tmp_path, demo_units_csv):
    folder = tmp_path / "instance"
    folder.mkdir()
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'tongket.sqlite3'}", SQLALCHEMY_ENGINE_OPTIONS={})
    result = app.test_cli_runner().invoke(args=["demo-site", "--units", str(demo_units_csv)])
    assert result.exit_code == 0, result.output
    tree, answers = stored_province(app)
    problems, compared = implausible(tree, answers)
    assert problems == [] and compared >= 2, (problems, compared)
    assert province_name(tree) == "Tỉnh ủy Đắk Lắk", "a real-looking name that fits a document's header"


@pytest.mark.parametrize("shape", ["seed", "2025"])
def test_the_demo_commands_province_has_plausible_figures_consistent_across_levels(app, runner, shape):
    result = runner.invoke(args=["demo", "--units", "600", "--shape", shape])
    assert result.exit_code == 0, result.output
    tree, answers = stored_province(app)
    problems, compared = implausible(tree, answers)
    assert problems == [] and compared >= 2, (problems, compared)
    assert "(" not in province_name(tree) and "mẫu" not in province_name(tree)
