"""The unit list: import it all or nothing, whole or within a committee's scope, after showing what it will
do; rotate a link; extend a deadline."""

import hashlib
import json
import re
from dataclasses import dataclass, fields

import sqlalchemy as sa
from flask_babel import gettext as _

import clock
from accounts.record import record
from models import Response, Unit, db, new_link_token, refresh_planner_statistics
from models.unit import ISSUING_CODE_MAX_LENGTH, NAME_MAX_LENGTH, fold_for_search
from schema import LEVELS, PARENT_LEVELS, level_label

from .contacts import contact_problems
from .hierarchy import renumber_units
from .list_files import read_unit_file
from .list_rows import CONTACT_COLUMNS, DOCUMENT_COLUMNS, OPTIONAL_COLUMNS

CODE_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,50}$")
#: A body's code in document numbers: letters only (CB, ĐU, ThU).
ISSUING_CODE_PATTERN = re.compile(rf"^[^\W\d_]{{1,{ISSUING_CODE_MAX_LENGTH}}}$")
#: Units written per statement by an import: a few round trips for a whole list, a few MB of rows at a time.
BATCH = 5000
#: How a yes or a no may be written in the has_standing_committee column.
YES_NO = {"co": True, "có": True, "yes": True, "1": True, "true": True,
          "khong": False, "không": False, "no": False, "0": False, "false": False}


@dataclass(frozen=True)
class UnitChange:
    """What an import does to one unit: adds it, or changes its name, level, parent, how it signs its
    documents or its contact."""

    line: int
    code: str
    name: str
    level: str
    parent_code: str | None
    #: The optional columns the file has, as stored: ((column, value), ...); None for an empty cell.
    optional: tuple
    #: (name, level, parent_code, optional) before the import; None for a unit the import adds.
    before: tuple | None

    @property
    def added(self):
        return self.before is None

    @property
    def renamed(self):
        return not self.added and self.before[0] != self.name

    @property
    def relevelled(self):
        return not self.added and self.before[1] != self.level

    @property
    def moved(self):
        return not self.added and self.before[2] != self.parent_code

    @property
    def document_changes(self):
        """Return (column, value now, value after) for each document column the import changes."""
        return self.changes_of(DOCUMENT_COLUMNS)

    @property
    def contact_changes(self):
        """Return (column, value now, value after) for each contact column the import changes."""
        return self.changes_of(CONTACT_COLUMNS)

    def changes_of(self, columns):
        if self.added:
            return []
        pairs = zip(self.before[3], self.optional, strict=True)
        return [(column, before, after) for (column, before), (_column, after) in pairs
                if column in columns and before != after]


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class ImportPlan:
    """What importing a file would do to the unit list as it stands, in the file's order."""

    changes: tuple
    unchanged: int
    #: A digest of the file and of every change: the same digest, the same import.
    digest: str

    def of_kind(self, kind):
        """Return the changes that are `kind` ("added", "renamed", "moved", "relevelled", "document_changes" or
        "contact_changes")."""
        return [change for change in self.changes if getattr(change, kind)]

    @property
    def summary(self):
        created = len(self.of_kind("added"))
        return ImportSummary(created=created, updated=len(self.changes) - created, unchanged=self.unchanged)


def import_units(raw, filename=None):
    """Create or update the units of the unit list `raw` (CSV or .xlsx); never delete one. Raise
    ImportRefused."""
    plan = plan_import(raw, filename=filename)
    apply_plan(plan)
    record_import(plan, db.session.scalar(sa.select(Unit).filter_by(parent_id=None, level="tinh")))
    db.session.commit()
    return plan.summary


def record_import(plan, scope, by=None):
    """Record the import of `plan` within `scope` (the province for the whole list) in the session."""
    summary = plan.summary
    record("import_units", scope, by, created=summary.created, updated=summary.updated,
           contacts=len(plan.of_kind("contact_changes")))


def plan_import(raw, scope=None, filename=None):
    """Return what importing the unit list `raw` would do, changing nothing. With `scope` (a committee's
    unit), every row must stay within that unit's subtree. Raise ImportRefused with every problem found:
    those of the file's cells and those of its rows at once."""
    rows, problems = read_unit_file(raw, filename)
    existing = existing_units()
    parents = parent_codes(existing)
    problems.extend(check_rows(rows, existing))
    if scope is not None:
        problems.extend(scope_problems(rows, scope, parents))
    if problems:
        raise problems.refusal()
    return plan_rows(rows, existing, parents, raw)


def existing_units():
    """Return the units as plain rows of the columns an import compares, by code: no ORM object per unit,
    whose memory and time a list of 50,000 would feel."""
    columns = [Unit.id, Unit.code, Unit.name, Unit.level, Unit.parent_id]
    columns += [getattr(Unit, column) for column in OPTIONAL_COLUMNS]
    return {unit.code: unit for unit in db.session.execute(sa.select(*columns))}


def parent_codes(existing):
    """Return the code of each unit's parent (None for the province), by code."""
    codes = {unit.id: code for code, unit in existing.items()}
    return {code: codes.get(unit.parent_id) for code, unit in existing.items()}


def check_rows(rows, existing):
    """Return a message for every bad line; an empty list means the whole file can be imported."""
    problems = []
    in_file = {}
    for row in rows:
        problems += [in_cell(row, column, problem) for column, problem in row_problems(row)]
        if "code" in row.unreadable:
            continue
        if row.code in in_file:
            problems.append(_("line %(line)s: code %(code)s already appears on line %(first)s",
                              line=row.line, code=row.code, first=in_file[row.code].line))
        else:
            in_file[row.code] = row
    problems += case_clashes(in_file.values(), existing)
    levels = {code: unit.level for code, unit in existing.items()}
    levels.update({code: row.level for code, row in in_file.items()})
    # A row whose code cell could not be read may be the parent that other rows name: none is called unknown.
    code_unread = any("code" in row.unreadable for row in rows)
    for row in in_file.values():
        if row.unreadable & {"level", "parent_code"} or (code_unread and row.parent_code not in levels):
            continue
        problem = parent_problem(row, levels)
        if problem:
            problems.append(in_cell(row, "parent_code", problem))
        problem = level_change_problem(row, existing.get(row.code))
        if problem:
            problems.append(in_cell(row, "level", problem))
    return problems


def in_cell(row, column, problem):
    """Return a problem of one cell, by line and column."""
    return _("line %(line)s, column %(column)s: %(problem)s", line=row.line, column=column, problem=problem)


def case_clashes(rows, existing):
    """Refuse codes that differ only by case from another: Excel's criteria ignore case and would merge
    the two units' figures in the workbook's totals."""
    seen = {code.casefold(): (code, None) for code in existing}
    problems = []
    for row in rows:
        code, line = seen.setdefault(row.code.casefold(), (row.code, row.line))
        if code == row.code:
            continue
        where = _("line %(line)s", line=line) if line else _("the unit list")
        problems.append(_("line %(line)s: code %(code)s differs only in upper and lower case from %(other)s "
                          "(%(where)s); Excel would count them as one unit", line=row.line, code=row.code,
                          other=code, where=where))
    return problems


def row_problems(row):
    """Yield (column, problem) for what is wrong with the row's own cells, leaving out those already named
    unreadable."""
    yield from ((column, problem) for column, problem in cell_problems(row) if column not in row.unreadable)


def cell_problems(row):
    """Yield (column, problem) for each of the row's cells that is wrong in itself."""
    if not CODE_PATTERN.match(row.code):
        yield "code", _("the code '%(code)s' must be 1 to 50 letters, digits, dots, dashes or underscores",
                        code=row.code)
    if not row.name:
        yield "name", _("the name is empty")
    elif len(row.name) > NAME_MAX_LENGTH:
        yield "name", _("the name is longer than %(limit)s characters", limit=NAME_MAX_LENGTH)
    if row.level not in LEVELS:
        # The codes only: the message repeats on every such line, and the upload page names each level.
        yield "level", _("unknown level '%(level)s'; write one of the codes %(levels)s", level=row.level,
                         levels=", ".join(LEVELS))
    yield from document_column_problems(row)
    yield from contact_problems({column: getattr(row, column) for column in CONTACT_COLUMNS})


def document_column_problems(row):
    """Check how the unit signs its documents, where the file says it."""
    for column in ("issuing_name", "place"):
        if len(getattr(row, column) or "") > NAME_MAX_LENGTH:
            yield column, _("the %(column)s column is longer than %(limit)s characters", column=column,
                            limit=NAME_MAX_LENGTH)
    if row.issuing_code and not ISSUING_CODE_PATTERN.match(row.issuing_code):
        yield "issuing_code", _("the issuing_code '%(code)s' must be 1 to %(limit)s letters, such as CB, ĐU, HU, "
                                "ThU or TU", code=row.issuing_code, limit=ISSUING_CODE_MAX_LENGTH)
    if row.has_standing_committee and row.has_standing_committee.casefold() not in YES_NO:
        yield "has_standing_committee", _("has_standing_committee must be empty, có or không (or yes, no, 1, 0), "
                                          "not '%(value)s'", value=row.has_standing_committee)


def parent_problem(row, levels):
    """Say what is wrong with a row's parent, or return None. Levels only go down, so no cycle can form."""
    if row.level not in LEVELS:
        return None
    wanted = PARENT_LEVELS[row.level]
    if row.parent_code == row.code:
        return _("unit %(code)s cannot be its own parent", code=row.code)
    if not wanted:
        return _("the province has no parent") if row.parent_code else None
    if not row.parent_code:
        return _("a unit of level “%(level)s” needs a parent_code", level=level_label(row.level))
    if row.parent_code not in levels:
        return _("unknown parent %(code)s", code=row.parent_code)
    actual = levels[row.parent_code]
    if actual in wanted or actual not in LEVELS:
        return None  # a parent of no known level: its own row is refused for it
    problem = _("a unit of level “%(level)s” must be under a unit of level %(wanted)s, and %(code)s is “%(actual)s”",
                level=level_label(row.level), wanted=either(wanted), code=row.parent_code, actual=level_label(actual))
    if row.level == "chi_bo_truc_thuoc" and actual in PARENT_LEVELS["chi_bo_co_so"]:
        problem += " " + _("(a cell directly under %(code)s is a “%(level)s”: level chi_bo_co_so)",
                           code=row.parent_code, level=level_label("chi_bo_co_so"))
    return problem


def either(levels):
    """Join levels by their labels as "“a”, “b” or “c”"."""
    labels = [f"“{level_label(level)}”" for level in levels]
    if len(labels) == 1:
        return labels[0]
    return _("%(some)s or %(last)s", some=", ".join(labels[:-1]), last=labels[-1])


def level_change_problem(row, unit):
    if unit is None or unit.level == row.level:
        return None
    has_answers = db.session.scalar(sa.select(sa.func.count()).select_from(Response).filter_by(unit_id=unit.id))
    has_children = db.session.scalar(sa.select(sa.func.count()).select_from(Unit).filter_by(parent_id=unit.id))
    if has_answers or has_children:
        return _("unit %(code)s already has answers or units under it, so its level cannot change",
                 code=row.code)
    return None


def plan_rows(rows, existing, parents, raw):
    """Return the ImportPlan of checked rows against the existing units."""
    changes, unchanged = [], 0
    for row in rows:
        unit = existing.get(row.code)
        optional = optional_values(row)
        after = (row.name, row.level, row.parent_code or None, optional)
        before = None if unit is None else (unit.name, unit.level, parents[row.code],
                                            tuple((column, getattr(unit, column)) for column, _value in optional))
        if before == after:
            unchanged += 1
        else:
            changes.append(UnitChange(row.line, row.code, *after, before=before))
    digest = hashlib.sha256(raw)
    digest.update(json.dumps([field_values(change) for change in changes] + [unchanged]).encode())
    return ImportPlan(tuple(changes), unchanged, digest.hexdigest())


def field_values(change):
    """Return the change's fields in order, as dataclasses.astuple() does without its deep copy of every
    value, which takes a second of a 50,000-unit list's preview."""
    return [getattr(change, field.name) for field in fields(change)]


def optional_values(row):
    """Return ((column, value), ...) for the optional columns the file has, as the unit stores them: an
    empty cell is None (for a document column: derived), has_standing_committee a bool."""
    values = []
    for column in OPTIONAL_COLUMNS:
        text = getattr(row, column)
        if text is None:
            continue
        value = YES_NO[text.casefold()] if text and column == "has_standing_committee" else text or None
        values.append((column, value))
    return tuple(values)


def apply_plan(plan):
    """Make the changes of `plan` in the session, in bulk statements of plain rows; the caller commits.

    No ORM object per unit: a list of 50,000 must be written well within the worker timeout, in bounded
    memory. Raise IntegrityError if another import added one of these codes since the plan was made."""
    ids = dict(db.session.execute(sa.select(Unit.code, Unit.id)).all())
    insert_added_units(plan.of_kind("added"), ids)
    for batch in batches([change for change in plan.changes if not change.added]):
        db.session.execute(sa.update(Unit), [unit_values(change, ids) | {"id": ids[change.code]} for change in batch])
    renumber_units()
    refresh_planner_statistics(Unit)


def insert_added_units(added, ids):
    """Insert the new units a level at a time from the top, so that each one's parent exists before it (a
    unit may be listed above its new parent), adding their ids to `ids` by code."""
    now = clock.now()
    for level in LEVELS:
        for batch in batches([change for change in added if change.level == level]):
            rows = [unit_values(change, ids) | {"code": change.code, "token": new_link_token(), "created_at": now}
                    for change in batch]
            # Without RETURNING: the driver's executemany, whose statement psycopg parses once, where one
            # statement of many VALUES per thousand rows costs PostgreSQL's client more than the rest.
            db.session.execute(sa.insert(Unit), rows)
        ids.update(db.session.execute(sa.select(Unit.code, Unit.id).filter_by(level=level)).all())


def batches(changes):
    """Yield the changes BATCH at a time, so that the rows of a whole list are never in memory at once."""
    for start in range(0, len(changes), BATCH):
        yield changes[start:start + BATCH]


def unit_values(change, ids):
    """Return the columns a change sets, as the Unit model sets them (search_name folded from the name)."""
    return {"name": change.name, "search_name": fold_for_search(change.name), "level": change.level,
            "parent_id": ids.get(change.parent_code), **dict(change.optional)}


def scope_problems(rows, scope, parents):
    """Refuse every row that would change a unit outside `scope`'s subtree or take one out of it: a
    committee's upload changes its own subtree and nothing else."""
    after = dict(parents)
    # The first row of a code counts, as in check_rows (a code twice refuses the file anyway).
    after.update({row.code: row.parent_code or None for row in reversed(rows)})
    problems = []
    for row in rows:
        if row.unreadable & {"code", "parent_code"}:
            continue
        problem = scope_problem(row, scope, parents, after)
        if problem:
            problems.append(_("line %(line)s: %(problem)s", line=row.line, problem=problem))
    return problems


def scope_problem(row, scope, parents, after):
    if row.code == scope.code:
        if (row.level, row.parent_code or None) == (scope.level, parents[scope.code]):
            return None
        return _("%(code)s is your own unit: only the committee above it can change its level or parent",
                 code=row.code)
    if row.code in parents and not lies_under(scope.code, row.code, parents):
        return _("unit %(code)s is not under %(scope)s, so this file cannot change it", code=row.code,
                 scope=scope.code)
    if row.parent_code and row.parent_code not in after:
        return None  # an unknown parent, which check_rows names
    if not lies_under(scope.code, row.parent_code or None, after):
        return _("unit %(code)s would not be under %(scope)s; its parent_code must be %(scope)s or a unit "
                 "under it", code=row.code, scope=scope.code)
    return None


def lies_under(top, code, parents):
    """Tell whether `code` is `top` or lies under it, going up `parents` (a refused file may hold a cycle)."""
    seen = set()
    while code is not None and code not in seen:
        if code == top:
            return True
        seen.add(code)
        code = parents.get(code)
    return False


def rotate_link(unit, by=None):
    """Give the unit a new secret link; the old one stops working at once."""
    unit.token = new_link_token()
    record("new_link", unit, by)
    db.session.commit()


def extend_deadline(unit, last_day, by=None):
    """Let one unit report on time until the end of `last_day`."""
    record("extend", unit, by, last_day=last_day.isoformat(),
           before=unit.deadline_extended_to.isoformat() if unit.deadline_extended_to else None)
    unit.deadline_extended_to = last_day
    db.session.commit()
