"""The record of what committee accounts did ("Nhật ký").

Each action is added to the session of the action itself, before its commit: an action that did not happen
is not recorded, and one that happened always is. A record names units and accounts, never a link, a
password or an answer's text.
"""

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

import clock
from models import Action, Unit, User, db
from units.hierarchy import subtree_ids

ACTION_KINDS = {
    "accept": _l("Accepted a report"),
    "return": _l("Returned a report for completion"),
    "unlock": _l("Unlocked an accepted report"),
    "reopen": _l("Reopened a report"),
    "extend": _l("Extended a unit's deadline"),
    "new_link": _l("Issued a new link"),
    "contact": _l("Changed a unit's contact"),
    "import_units": _l("Imported a unit list"),
    "create_account": _l("Created an account"),
    "change_account": _l("Changed an account"),
    "download": _l("Downloaded a file"),
    "reminders": _l("Sent reminders by e-mail"),
}
#: The files a download record names.
FILE_KINDS = {
    "workbook": _l("The consolidated workbook"),
    "draft": _l("The consolidated draft (Word)"),
    "links": _l("The units' links"),
    "unit_list": _l("The unit list"),
    "unit_report": _l("A unit's report (Word)"),
    "actions": _l("The record of actions"),
}
#: The contact's fields, as the record names the ones changed (their values are never recorded).
CONTACT_LABELS = {"contact_name": _l("contact's name"), "contact_role": _l("contact's role"),
                  "contact_phone": _l("phone"), "contact_email": _l("e-mail")}
#: Actions listed on a page of the record.
PAGE_SIZE = 50


def record(kind, unit, by=None, reason=None, **details):
    """Add to the session the record of `kind` done by the account `by` (None: a command on the server) to
    `unit` (or to the scope it heads), with the reason typed and plain `details`."""
    db.session.add(Action(kind=kind, unit_id=unit.id, user_id=by.id if by is not None else None,
                          reason=reason, details=details, created_at=clock.now()))


@dataclass(frozen=True)
class ActionFilters:
    unit_code: str = ""
    username: str = ""
    kind: str = ""

    def as_values(self):
        """The filters set, as the page's address carries them."""
        return {key: value for key, value in (("unit", self.unit_code), ("account", self.username),
                                              ("kind", self.kind)) if value}

    @classmethod
    def from_values(cls, values):
        kind = values.get("kind", "")
        return cls(unit_code=values.get("unit", "").strip(), username=values.get("account", "").strip().lower(),
                   kind=kind if kind in ACTION_KINDS else "")


def actions_query(scope, filters):
    """Select the actions on the units of `scope`'s subtree, newest first, as `filters` narrow them."""
    query = (sa.select(Action, Unit.code, Unit.name, User.username)
             .join(Unit, Unit.id == Action.unit_id).outerjoin(User, User.id == Action.user_id))
    if scope.level != "tinh":
        query = query.where(Action.unit_id.in_(subtree_ids(scope)))
    if filters.unit_code:
        query = query.where(Unit.code == filters.unit_code)
    if filters.username:
        query = query.where(User.username == filters.username)
    if filters.kind:
        query = query.where(Action.kind == filters.kind)
    return query.order_by(Action.created_at.desc(), Action.id.desc())


def describe(action, day_text):
    """Return the facts of an action in words (`day_text` writes a day), "" when it has none to tell."""
    details = action.details or {}
    if action.kind in ("accept", "return", "unlock"):
        parts = [_("version %(number)s", number=details.get("version"))]
        if details.get("until"):
            parts.append(_("open until %(day)s", day=day_text(_day(details["until"]))))
        if details.get("noted_questions"):
            parts.append(_("notes on %(count)s questions", count=len(details["noted_questions"])))
        return "; ".join(parts)
    if action.kind == "reopen":
        return _("version %(number)s", number=details.get("version"))
    if action.kind == "extend":
        return _("new last day %(day)s", day=day_text(_day(details["last_day"])))
    if action.kind == "contact":
        return ", ".join(str(CONTACT_LABELS.get(name, name)) for name in details.get("fields", ()))
    if action.kind == "import_units":
        told = _("%(created)s units added, %(updated)s changed", created=details.get("created", 0),
                 updated=details.get("updated", 0))
        if details.get("contacts"):
            told += "; " + _("%(count)s contacts changed", count=details["contacts"])
        return told
    if action.kind in ("create_account", "change_account"):
        return _("account %(name)s", name=details.get("account", ""))
    if action.kind == "download":
        return str(FILE_KINDS.get(details.get("file"), details.get("file", "")))
    if action.kind == "reminders":
        return _("%(sent)s e-mails sent, %(failed)s failed", sent=details.get("sent", 0),
                 failed=details.get("failed", 0))
    return ""


def _day(text):
    return dt.date.fromisoformat(text)
