"""What a unit list holds once read, CSV or workbook alike: its columns, its numbered rows, and the problems
that refuse it, every one of them listed up to a limit."""

from dataclasses import dataclass, field

from flask_babel import gettext as _

COLUMNS = ("code", "name", "level", "parent_code")
#: Columns a unit list may add: how the unit signs its documents, each empty for "derived from the level
#: and the name" (documents/issuers.py). A file without one leaves the units' values as they are.
DOCUMENT_COLUMNS = ("issuing_name", "issuing_code", "place", "has_standing_committee")
#: Columns a unit list may add: the person a committee calls or writes to about the unit's report, named as
#: the unit stores them. A file without one leaves the units' contacts as they are.
CONTACT_COLUMNS = ("contact_name", "contact_role", "contact_phone", "contact_email")
OPTIONAL_COLUMNS = DOCUMENT_COLUMNS + CONTACT_COLUMNS

#: A refusal lists this many problems and counts the others: a sheet of a thousand bad rows is read as
#: "fix this column", and its page stays small.
LISTED_PROBLEMS = 100


class ImportRefused(Exception):
    """The file was refused whole; `problems` names each bad line by number, `unlisted` counts the problems
    found beyond them."""

    def __init__(self, problems, unlisted=0):
        self.problems = problems[:LISTED_PROBLEMS]
        self.unlisted = unlisted + len(problems) - len(self.problems)
        super().__init__("\n".join(self.problems))

    def listed(self):
        """Return the problems to show, the last line saying how many more there are."""
        if not self.unlisted:
            return self.problems
        return [*self.problems, _("… and %(count)s more problems, not listed: correct these and upload the "
                                  "file again to see them.", count=self.unlisted)]


class Problems:
    """The problems of a file as they are found: the first LISTED_PROBLEMS kept, the rest only counted, so
    that a hostile file of a million bad cells cannot fill the memory with messages."""

    def __init__(self):
        self.kept, self.unlisted = [], 0

    def add(self, problem):
        if len(self.kept) < LISTED_PROBLEMS:
            self.kept.append(problem)
        else:
            self.unlisted += 1

    def extend(self, problems):
        for problem in problems:
            self.add(problem)

    def __bool__(self):
        return bool(self.kept)

    def refusal(self):
        return ImportRefused(self.kept, self.unlisted)


@dataclass(frozen=True)
class UnitRow:
    #: The line of the CSV file, or the row of the sheet, that the unit is on.
    line: int
    code: str
    name: str
    level: str
    parent_code: str
    #: The OPTIONAL_COLUMNS: None when the file has no such column, "" when the cell is empty.
    issuing_name: str | None = None
    issuing_code: str | None = None
    place: str | None = None
    has_standing_committee: str | None = None
    contact_name: str | None = None
    contact_role: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    #: The columns whose cell could not be taken (a number, a formula, a control character...), already
    #: named in a problem: read as empty, and not checked again.
    unreadable: frozenset = field(default=frozenset())


def header_problem(header):
    """Say what is wrong with the column names of row 1, or return None: every one of COLUMNS, any of
    OPTIONAL_COLUMNS, each once."""
    if set(COLUMNS) <= set(header) <= set(COLUMNS + OPTIONAL_COLUMNS) and len(set(header)) == len(header):
        return None
    return _("line 1: the columns must be %(expected)s, and any of %(optional)s, not %(found)s",
             expected=",".join(COLUMNS), optional=",".join(OPTIONAL_COLUMNS), found=",".join(header) or "—")


def unit_row(line, values, header, unreadable=frozenset()):
    """Return the UnitRow of one line's stripped texts by column name; an optional column stays None
    when the header has no such column."""
    return UnitRow(line, *(values[column] for column in COLUMNS),
                   **{column: values[column] for column in OPTIONAL_COLUMNS if column in header},
                   unreadable=frozenset(unreadable))
