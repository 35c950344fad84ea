"""The unit list: import it from CSV, all or nothing; rotate a link; extend a deadline."""

import csv
import io
import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from models import Response, Unit, db, new_link_token
from models.unit import ISSUING_CODE_MAX_LENGTH, NAME_MAX_LENGTH
from plain_text import first_control_character
from schema import LEVELS, PARENT_LEVELS

COLUMNS = ("code", "name", "level", "parent_code")
#: Columns a unit list may add: how the unit signs its documents, each empty for "derived from the level
#: and the name" (documents/issuers.py). A file without one leaves the units' values as they are.
DOCUMENT_COLUMNS = ("issuing_name", "issuing_code", "place", "has_standing_committee")
CODE_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,50}$")
#: A body's code in document numbers: letters only (CB, ĐU, ThU).
ISSUING_CODE_PATTERN = re.compile(rf"^[^\W\d_]{{1,{ISSUING_CODE_MAX_LENGTH}}}$")
#: How a yes or a no may be written in the has_standing_committee column.
YES_NO = {"co": True, "có": True, "yes": True, "1": True, "true": True,
          "khong": False, "không": False, "no": False, "0": False, "false": False}


class ImportRefused(Exception):
    """The file was refused whole; `problems` names each bad line by number."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class UnitRow:
    line: int
    code: str
    name: str
    level: str
    parent_code: str
    #: The DOCUMENT_COLUMNS: None when the file has no such column, "" when the cell is empty.
    issuing_name: str | None = None
    issuing_code: str | None = None
    place: str | None = None
    has_standing_committee: str | None = None


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int


def import_units(raw):
    """Create or update the units in the CSV bytes `raw`; never delete one. Raise ImportRefused."""
    rows = read_rows(raw)
    existing = {unit.code: unit for unit in db.session.scalars(sa.select(Unit))}
    problems = check_rows(rows, existing)
    if problems:
        raise ImportRefused(problems)
    summary = apply_rows(rows, existing)
    db.session.commit()
    return summary


def read_rows(raw):
    """Return the rows of a UTF-8 CSV file (with or without BOM) with the expected columns."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefused([_("The file is not UTF-8 text (byte %(position)s). Save it as "
                               "“CSV UTF-8” and try again.", position=error.start)]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    optional = [name for name in header if name not in COLUMNS]
    if sorted(set(header) - set(optional)) != sorted(COLUMNS) or len(set(header)) != len(header) \
            or not set(optional) <= set(DOCUMENT_COLUMNS):
        raise ImportRefused([_("line 1: the columns must be %(expected)s, and any of %(optional)s, not %(found)s",
                               expected=",".join(COLUMNS), optional=",".join(DOCUMENT_COLUMNS),
                               found=",".join(header) or "—")])
    reader.fieldnames = header
    rows = [UnitRow(line, *(record[column].strip() for column in COLUMNS),
                    **{column: record[column].strip() for column in optional})
            for line, record in records(reader)]
    if not rows:
        raise ImportRefused([_("The file has no units.")])
    problems = control_character_problems(rows)
    if problems:
        raise ImportRefused(problems)
    return rows


def records(reader):
    """Yield (line number, record) for each record of a CSV reader with the expected columns."""
    last_line = reader.line_num
    try:
        for record in reader:
            if None in record or any(value is None for value in record.values()):
                raise ImportRefused([_("line %(line)s: expected %(count)s columns",
                                       line=reader.line_num, count=len(reader.fieldnames))])
            yield reader.line_num, record
            last_line = reader.line_num
    except csv.Error as error:
        # In practice a quote that never closes, which swallows the rest of the file into one value.
        raise ImportRefused([_("line %(line)s: a quoted value does not end or is too long (%(reason)s); check "
                               "the quotes from this line on", line=last_line + 1, reason=error)]) from None


def control_character_problems(rows):
    """Name every control character in the file by line and column, before any other check repeats the
    value in a message: the database could not store one, and no one sees it in a spreadsheet."""
    problems = []
    for row in rows:
        for column in COLUMNS + DOCUMENT_COLUMNS:
            character = first_control_character(getattr(row, column) or "")
            if character:
                problems.append(_("line %(line)s: the %(column)s column has the control character %(character)s, "
                                  "which cannot be stored; delete it", line=row.line, column=column,
                                  character=character))
    return problems


def check_rows(rows, existing):
    """Return a message for every bad line; an empty list means the whole file can be imported."""
    problems = []
    in_file = {}
    for row in rows:
        problems += [_("line %(line)s: %(problem)s", line=row.line, problem=p) for p in row_problems(row)]
        if row.code in in_file:
            problems.append(_("line %(line)s: code %(code)s already appears on line %(first)s",
                              line=row.line, code=row.code, first=in_file[row.code].line))
        else:
            in_file[row.code] = row
    problems += case_clashes(in_file.values(), existing)
    levels = {code: unit.level for code, unit in existing.items()}
    levels.update({code: row.level for code, row in in_file.items()})
    for row in in_file.values():
        problem = parent_problem(row, levels) or level_change_problem(row, existing.get(row.code))
        if problem:
            problems.append(_("line %(line)s: %(problem)s", line=row.line, problem=problem))
    return problems


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
    if not CODE_PATTERN.match(row.code):
        yield _("the code '%(code)s' must be 1 to 50 letters, digits, dots, dashes or underscores",
                code=row.code)
    if not row.name:
        yield _("the name is empty")
    elif len(row.name) > NAME_MAX_LENGTH:
        yield _("the name is longer than %(limit)s characters", limit=NAME_MAX_LENGTH)
    if row.level not in LEVELS:
        yield _("unknown level '%(level)s'; levels are %(levels)s", level=row.level, levels=", ".join(LEVELS))
    yield from document_column_problems(row)


def document_column_problems(row):
    """Check how the unit signs its documents, where the file says it."""
    for column in ("issuing_name", "place"):
        if len(getattr(row, column) or "") > NAME_MAX_LENGTH:
            yield _("the %(column)s column is longer than %(limit)s characters", column=column, limit=NAME_MAX_LENGTH)
    if row.issuing_code and not ISSUING_CODE_PATTERN.match(row.issuing_code):
        yield _("the issuing_code '%(code)s' must be 1 to %(limit)s letters, such as CB, ĐU, HU, ThU or TU",
                code=row.issuing_code, limit=ISSUING_CODE_MAX_LENGTH)
    if row.has_standing_committee and row.has_standing_committee.casefold() not in YES_NO:
        yield _("has_standing_committee must be empty, có or không (or yes, no, 1, 0), not '%(value)s'",
                value=row.has_standing_committee)


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
        return _("a unit of level %(level)s needs a parent_code", level=row.level)
    if row.parent_code not in levels:
        return _("unknown parent %(code)s", code=row.parent_code)
    actual = levels[row.parent_code]
    if actual in wanted:
        return None
    problem = _("a %(level)s unit must be under a %(wanted)s unit, and %(code)s is %(actual)s",
                level=row.level, wanted=either(wanted), code=row.parent_code, actual=actual)
    if row.level == "chi_bo_truc_thuoc" and actual in PARENT_LEVELS["chi_bo_co_so"]:
        problem += " " + _("(a cell directly under %(code)s is a grassroots cell: level chi_bo_co_so)",
                           code=row.parent_code)
    return problem


def either(levels):
    """Join level codes as "a, b or c"."""
    if len(levels) == 1:
        return levels[0]
    return _("%(some)s or %(last)s", some=", ".join(levels[:-1]), last=levels[-1])


def level_change_problem(row, unit):
    if unit is None or unit.level == row.level:
        return None
    has_answers = db.session.scalar(sa.select(sa.func.count()).select_from(Response).filter_by(unit_id=unit.id))
    has_children = db.session.scalar(sa.select(sa.func.count()).select_from(Unit).filter_by(parent_id=unit.id))
    if has_answers or has_children:
        return _("unit %(code)s already has answers or units under it, so its level cannot change",
                 code=row.code)
    return None


def apply_rows(rows, existing):
    created = updated = 0
    by_code = dict(existing)
    for row in rows:
        unit = by_code.get(row.code)
        parent = by_code.get(row.parent_code)
        values = dict(name=row.name, level=row.level, parent=parent, **document_values(row))
        if unit is None:
            unit = by_code[row.code] = Unit(code=row.code)
            db.session.add(unit)
            created += 1
        elif all(getattr(unit, key) == value for key, value in values.items()):
            continue
        else:
            updated += 1
        for key, value in values.items():
            setattr(unit, key, value)
    return ImportSummary(created=created, updated=updated, unchanged=len(rows) - created - updated)


def document_values(row):
    """Return the unit's document columns the file gives: an empty cell stores None (derived)."""
    values = {}
    for column in DOCUMENT_COLUMNS:
        value = getattr(row, column)
        if value is not None:
            values[column] = YES_NO[value.casefold()] if value and column == "has_standing_committee" else value or None
    return values


def rotate_link(unit):
    """Give the unit a new secret link; the old one stops working at once."""
    unit.token = new_link_token()
    db.session.commit()


def extend_deadline(unit, last_day):
    """Let one unit report on time until the end of `last_day`."""
    unit.deadline_extended_to = last_day
    db.session.commit()
