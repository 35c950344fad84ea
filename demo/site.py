"""make run's demo site: the shipped demo province with the progress of a survey under way and two committee
accounts, set up once, in the SQLite database `make run` creates and in no other.

The progress is replayed through the service's own saving code at past moments (the CLOCK setting, see
clock.py), so versions, late flags and statuses are what the service itself would have stored.
"""

import datetime as dt
import random
import secrets
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_migrate import upgrade

import clock
from accounts.users import create_user
from models import Unit, User, db
from reports.review import accept_report, default_correct_until, return_report
from reports.saving import open_response, save_report
from schema import REPORTING_LEVELS
from units.changes import extend_deadline, import_units
from units.links import count_links, unit_links

from .province import answers_adding_up, corrected_answers, draft_of

#: SQLite's application_id, the number a database file's header keeps to say which program it belongs to:
#: "tk" and the state of make run's demo database. A file `flask db upgrade` created keeps 0.
SETTING_UP, READY = 0x746B0001, 0x746B0002
DEMO_STATES = {SETTING_UP: "setting_up", READY: "ready"}

#: How the units whose links are not printed stand, in shares (%) of them, the rest submitted. Each kind occurs
#: at least once while units last, in this order, so that even a tiny province shows every status.
PROGRESS_SHARES = (("submitted", 30), ("draft", 22), ("revised", 4), ("submitted_late", 7), ("opened", 7),
                   ("overdue", 4), ("not_opened", 10), ("accepted", 6), ("returned", 2), ("resubmitted", 2))
#: Why the demo's committee returned reports, and its note on the attendance rate.
RETURN_REASON = "Mục II.3: tỷ lệ đảng viên dự sinh hoạt chưa nêu căn cứ tính; đề nghị bổ sung."
RETURN_NOTE = "Ghi rõ số buổi sinh hoạt trong năm và số đảng viên dự từng buổi."
#: The demo's made-up contacts: a share of the units has none, so that the call sheet shows who to find.
CONTACT_SHARE = 0.8
FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "H'Nga Niê", "Y Bhin Êban", "Hoàng", "Võ", "Đặng", "Bùi")
GIVEN_NAMES = ("Văn Hùng", "Thị Hoa", "Đức Minh", "Thị Lan", "Quang Huy", "Thị Mai", "Văn Nam", "Ngọc Anh")
ROLES = ("Bí thư", "Bí thư", "Phó Bí thư")
#: Letters and digits of the generated passwords, without look-alikes (l, 1, o, 0, i).
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    scope: Unit


@dataclass(frozen=True)
class DemoSite:
    accounts: list
    #: The units left untouched for a newcomer to fill in, as UnitLinks.
    blank: list
    #: How each unit of the province was made to stand, by code (PROGRESS_SHARES' kinds).
    progress: dict

    def counts(self):
        return Counter(self.progress.values())


def demo_database_state():
    """Tell what the configured database is to make run: "absent" (a SQLite file make run would create),
    "setting_up" or "ready" (its demo database), or "other" (any database it did not create)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return "other"
    if not Path(url.database).exists():
        return "absent"
    return DEMO_STATES.get(db.session.scalar(sa.text("PRAGMA application_id")), "other")


def mark_database(state):
    db.session.execute(sa.text(f"PRAGMA application_id = {int(state)}"))
    db.session.commit()


def set_up_demo_site(survey, unit_list, seed=1):
    """Create make run's database and fill it: the units of the CSV bytes `unit_list`, their progress and two
    accounts. Marked as being set up first, so that a run cut short is never taken for a finished demo."""
    if demo_database_state() != "absent":
        raise RuntimeError("the demo site is set up only in a SQLite file that does not exist yet")
    mark_database(SETTING_UP)
    upgrade()
    import_units(unit_list)
    rng = random.Random(seed)
    add_contacts(rng)
    blank = blank_units()
    accounts = create_accounts()
    reviewer = db.session.scalar(sa.select(User).filter_by(username=accounts[0].username))
    site = DemoSite(accounts=accounts, blank=blank,
                    progress=replay_progress(survey, {link.code for link in blank}, rng, reviewer))
    mark_database(READY)
    return site


def add_contacts(rng):
    """Give most reporting units a made-up contact (a mobile number, and an e-mail address at example.vn, which
    no mail server serves, for some), as a committee's unit list would."""
    ids = db.session.scalars(sa.select(Unit.id).where(Unit.level.in_(REPORTING_LEVELS)).order_by(Unit.id)).all()
    contacts = []
    for unit_id in ids:
        if rng.random() >= CONTACT_SHARE:
            continue
        name = f"{rng.choice(FAMILY_NAMES)} {rng.choice(GIVEN_NAMES)}"
        phone = f"09{rng.randrange(10)}{rng.randrange(10)} {rng.randrange(1000):03} {rng.randrange(1000):03}"
        email = f"donvi{unit_id}@example.vn" if rng.random() < 0.6 else None
        contacts.append({"id": unit_id, "contact_name": name, "contact_role": rng.choice(ROLES),
                         "contact_phone": phone, "contact_email": email})
    if contacts:
        db.session.execute(sa.update(Unit), contacts)
    db.session.commit()


def blank_units():
    """Return the UnitLink of the last unit of each reporting level in hierarchy order: one of each kind of
    page for a newcomer to fill in."""
    last = {link.level: link for link in unit_links(None)}
    return [last[level] for level in REPORTING_LEVELS if level in last]


def create_accounts():
    """Create a manager of the province and a viewer of the committee directly under it with the most units."""
    province = db.session.scalar(sa.select(Unit).filter_by(parent_id=None, level="tinh"))
    under = db.session.scalars(sa.select(Unit).filter_by(parent=province).order_by(Unit.code)).all()
    committee = max(under, key=count_links)
    accounts = (("btc", province, "manager"), (committee.code.lower(), committee, "viewer"))
    return [DemoAccount(name, password, role, create_user(name, password, scope.code, role).scope)
            for name, scope, role in accounts for password in [new_password()]]


def new_password():
    """Return a password of 14 characters that reads aloud and types easily: three groups of four."""
    return "-".join("".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3))


def plan_progress(units, rng):
    """Return (unit, kind) pairs for `units` in random order, by PROGRESS_SHARES."""
    units = list(units)
    rng.shuffle(units)
    kinds = [kind for kind, share in PROGRESS_SHARES for _ in range(max(1, round(share * len(units) / 100)))]
    kinds += ["submitted"] * (len(units) - len(kinds))
    return list(zip(units, kinds, strict=False))


def replay_progress(survey, blank_codes, rng, reviewer):
    """Act on every reporting unit but the blank ones as its kind of progress says, at moments of the last two
    weeks before `now` (before the first deadline when it has passed), `reviewer` (the province's manager)
    answering some reports; return each unit's kind by code."""
    units = db.session.scalars(sa.select(Unit).order_by(Unit.code)).all()
    first_deadline = min(survey.deadline_for(level) for level in REPORTING_LEVELS)
    replay = Replay(survey, min(clock.now(), first_deadline - dt.timedelta(days=1)), rng,
                    answers_adding_up(survey, units, rng), reviewer)
    progress = dict.fromkeys(blank_codes, "not_opened")
    reporting = [unit for unit in units if unit.level in REPORTING_LEVELS and unit.code not in blank_codes]
    for unit, kind in plan_progress(reporting, rng):
        getattr(replay, kind)(unit)
        progress[unit.code] = kind
    return progress


class Replay:
    """What units did, replayed through the service's saving code at moments before `until`: each unit's
    report is `answers`[code] when submitted, part of it as a draft."""

    def __init__(self, survey, until, rng, answers, reviewer):
        self.survey, self.until, self.rng, self.full_answers = survey, until, rng, answers
        self.reviewer = reviewer

    def days_ago(self, low, high):
        """Return a moment between `low` and `high` days before `until`."""
        return self.until - dt.timedelta(hours=self.rng.uniform(low * 24, high * 24))

    def save(self, unit, action, answers, moment):
        with clock_at(moment):
            deadline = self.survey.deadline_for(unit.level, unit.deadline_extended_to)
            based_on = unit.response.current_number if unit.response else None
            save_report(unit, answers, action=action, based_on=based_on, submission_id=uuid.uuid4().hex,
                        config_version=self.survey.version, token=unit.token, deadline=deadline)

    def answers(self, unit, complete):
        answers = dict(self.full_answers[unit.code])
        return answers if complete else draft_of(self.survey, unit.level, answers, self.rng)

    def not_opened(self, unit):
        """Nobody has acted on the unit's page."""

    def opened(self, unit):
        with clock_at(self.days_ago(0.1, 3)):
            open_response(unit)

    def draft(self, unit):
        self.save(unit, "save", self.answers(unit, complete=False), self.days_ago(0.2, 9))

    def submitted(self, unit):
        if self.rng.random() < 0.5:
            self.save(unit, "save", self.answers(unit, complete=False), self.days_ago(9, 13))
        self.save(unit, "submit", self.answers(unit, complete=True), self.days_ago(0.5, 8))

    def revised(self, unit):
        """Two drafts, a submission, then a corrected submission: four versions, two figures changed."""
        self.save(unit, "save", self.answers(unit, complete=False), self.days_ago(12, 13))
        self.save(unit, "save", self.answers(unit, complete=False), self.days_ago(9, 10))
        answers = self.answers(unit, complete=True)
        self.save(unit, "submit", answers, self.days_ago(6, 7))
        corrected = corrected_answers(self.survey, unit.level, answers, self.rng)
        self.save(unit, "submit", corrected, self.days_ago(2, 3))

    def accepted(self, unit):
        """Submitted, then accepted by the committee above a day later."""
        self.save(unit, "submit", self.answers(unit, complete=True), self.days_ago(4, 8))
        with clock_at(self.days_ago(1, 3)):
            accept_report(unit, unit.response.submitted_number, self.reviewer)

    def returned(self, unit):
        """Submitted, then returned for completion with a reason and a note on the attendance rate."""
        self.save(unit, "submit", self.answers(unit, complete=True), self.days_ago(4, 8))
        with clock_at(self.days_ago(1, 3)) as now:
            return_report(unit, unit.response.submitted_number, self.reviewer, RETURN_REASON,
                          {"ty_le_tham_du": RETURN_NOTE}, default_correct_until(self.survey, unit, now))

    def resubmitted(self, unit):
        """Returned, then corrected and submitted again: waiting for the committee above once more."""
        self.returned(unit)
        self.save(unit, "submit", self.answers(unit, complete=True), self.days_ago(0.2, 0.9))

    def submitted_late(self, unit):
        """The unit's own last day passed five days ago; it submitted two days ago."""
        self.own_last_day(unit, days_ago=5)
        self.save(unit, "save", self.answers(unit, complete=False), self.days_ago(8, 9))
        self.save(unit, "submit", self.answers(unit, complete=True), self.days_ago(1.5, 2.5))

    def overdue(self, unit):
        """The unit's own last day passed three days ago, with its report still a draft."""
        self.own_last_day(unit, days_ago=3)
        self.save(unit, "save", self.answers(unit, complete=False), self.days_ago(6, 7))

    def own_last_day(self, unit, days_ago):
        """Give the unit a last day of its own that has passed: late and overdue show before the survey's
        deadlines do."""
        extend_deadline(unit, self.survey.today(self.until) - dt.timedelta(days=days_ago))


@contextmanager
def clock_at(moment):
    """Make the service's clock read `moment` meanwhile, as the CLOCK setting does in tests."""
    config = current_app.config
    before = config["CLOCK"]
    config["CLOCK"] = lambda: moment
    try:
        yield moment
    finally:
        config["CLOCK"] = before
