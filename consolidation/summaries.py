"""Item summaries kept in the database (models.StoredSummary), one per committee scope, narrative item and
reading of drafts, so that no page view reads every answer of a province.

A summary records the state of the answers it was made from (answers_state). The workbook and the draft
always get current ones (`current_summaries`: made now where the kept one is not). The reading page
(`summary_for_page`) makes it at once for a small scope; for a large one it shows the kept summary, with its
time, while a thread of the worker makes it anew, claimed in the row so that one worker does at a time.
"""

import datetime as dt
import json
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

import clock
from models import Revision, RevisionText, StoredSummary, Unit, compact_json, db

from .answer_texts import analyse_new, link_saved_revisions
from .narratives import CopyGroup, ItemSummary, Representative, summarise
from .reading import Reading, answers_select, item_of

#: Bumped whenever what a summary holds, or how it is made, changes: kept summaries are then made anew.
SUMMARY_VERSION = 1
#: Answers a page summarises at once; above it, a thread does and the page shows the kept summary meanwhile.
INLINE_ANSWERS = 2_000
#: A claim older than this is a worker that stopped while making the summary: another worker may take over.
CLAIM_EXPIRES = dt.timedelta(minutes=10)
#: The names of the threads making summaries, so that a test (or a hook) can wait for them.
THREAD_PREFIX = "item-summary-"


@dataclass(frozen=True)
class ShownSummary:
    """What the reading page shows: the kept summary (None before the first is made), and whether it is
    still that of the answers (when not, a worker is making it anew)."""

    summary: ItemSummary | None
    current: bool


def whole_scope(reading):
    """The reading a summary is made for: the scope's answers, every level and unit under it."""
    return Reading(reading.question_id, reading.scope, reading.drafts)


def current_summary(reading, question):
    """Return the ItemSummary of the reading's scope (whole_scope), made now unless the kept one is current."""
    return current_summaries(reading.scope, reading.drafts, [question])[question.id]


def current_summaries(scope, drafts, questions):
    """Return {question id: ItemSummary} of the narrative `questions` over the scope's answers, as
    current_summary does for each, their states read in one pass: a KeptSummaries, each summary current when
    it returns (made now and kept where the kept one was not) and read from its row when asked."""
    readings = {question.id: Reading(question.id, scope, drafts) for question in questions}
    states = answers_states(scope, drafts, list(readings))
    kept_states = dict(db.session.execute(sa.select(StoredSummary.question_id, StoredSummary.state).where(
        StoredSummary.scope_key == scope_key(scope), StoredSummary.drafts == drafts,
        StoredSummary.question_id.in_(list(readings)))).all())
    for question in questions:
        if kept_states.get(question.id) != states[question.id]:
            reading = readings[question.id]
            store(reading, summary_of_state(reading, question), states[question.id])
    return KeptSummaries(scope, drafts, list(readings))


class KeptSummaries(Mapping):
    """{question id: ItemSummary} of a scope's items, read from their kept rows one at a time as the workbook
    and the draft go through the items, the last one held: all of them at once weigh some 50 MB at 50,000
    units."""

    def __init__(self, scope, drafts, question_ids):
        self.key = {"scope_key": scope_key(scope), "drafts": drafts}
        self.question_ids = question_ids
        self.last = (None, None)

    def __getitem__(self, question_id):
        if question_id not in self.question_ids:
            raise KeyError(question_id)
        if self.last[0] != question_id:
            # The column, not the row: a row this session read before would come back as it was then.
            payload = db.session.scalar(sa.select(StoredSummary.payload).filter_by(question_id=question_id,
                                                                                   **self.key))
            self.last = (question_id, from_payload(payload))
        return self.last[1]

    def __iter__(self):
        return iter(self.question_ids)

    def __len__(self):
        return len(self.question_ids)


def summary_for_page(reading, question):
    """Return the ShownSummary of the reading's scope: current when kept so, or made now for a small scope;
    else the kept one (if any) while a thread makes it anew."""
    reading = whole_scope(reading)
    state = answers_state(reading)
    kept = kept_row(reading)
    if kept is not None and kept.state == state:
        return ShownSummary(loaded(kept), True)
    if answer_count(state) <= current_app.config.get("SUMMARY_INLINE_ANSWERS", INLINE_ANSWERS):
        summary = summary_of_state(reading, question)
        store(reading, summary, state)
        return ShownSummary(summary, True)
    if claim(reading):
        app = current_app._get_current_object()
        scope_id = getattr(reading.scope, "id", None)
        threading.Thread(target=refresh, args=(app, scope_id, reading, question), daemon=True,
                         name=f"{THREAD_PREFIX}{reading.question_id}").start()
    return ShownSummary(loaded(kept) if kept is not None and kept.payload else None, False)


def refresh(app, scope_id, reading, question):
    """Make the reading's summary anew and keep it, in a thread's own app context and session (the scope
    read again there: the request's instance belongs to the request's session)."""
    with app.app_context():
        try:
            scope = None if scope_id is None else db.session.get(Unit, scope_id)
            reading = Reading(reading.question_id, scope, reading.drafts)
            state = answers_state(reading)
            store(reading, summary_of_state(reading, question), state)
        except Exception:
            app.logger.exception("The summary of %s could not be made", reading.question_id)
            release(reading)
        finally:
            db.session.remove()


def summary_of_state(reading, question):
    """Summarise the reading's answers, whose state the caller read first. The texts saved since the analyser
    last ran are analysed here, so that none is missed; a save landing after the state was read makes a newer
    state, so the summary kept with the older one is made anew at the next read."""
    analyse_new([question.id])
    return summarise(reading, question)


def answers_state(reading):
    """What changes whenever an answer of the reading does: the answers' count and the newest revision
    among them (and the summaries' own version). Texts analysed afterwards by `flask narratives index`
    change no state: that command forgets every kept summary."""
    return answers_states(reading.scope, reading.drafts, [reading.question_id])[reading.question_id]


def answers_states(scope, drafts, question_ids):
    """Return {question id: answers_state} of several items, read in one pass, after the revisions saved since
    the analyser last ran are linked (so that a new text changes the state)."""
    link_saved_revisions()
    select = answers_select(Reading(None, scope, drafts), RevisionText.question_id, sa.func.count(),
                            sa.func.max(Revision.id))
    rows = db.session.execute(select.where(item_of(scope).in_(question_ids))
                              .group_by(RevisionText.question_id))
    states = dict.fromkeys(question_ids, state_of(0, 0))
    states.update({question_id: state_of(count, newest) for question_id, count, newest in rows})
    return states


def state_of(count, newest):
    return f"{count}:{newest or 0}:{SUMMARY_VERSION}"


def forget_all():
    """Forget every kept summary, so that each is made anew from the texts as they are analysed now."""
    with db.engine.begin() as connection:
        return connection.execute(sa.delete(StoredSummary)).rowcount


def answer_count(state):
    return int(state.split(":", 1)[0])


def scope_key(scope):
    """0 for the whole province (None, or the province's own unit: both read every unit), else the unit's id."""
    return 0 if scope is None or scope.level == "tinh" else scope.id


#: The columns naming a kept summary (its unique constraint).
KEY = ("scope_key", "question_id", "drafts")


def row_key(reading):
    return {"scope_key": scope_key(reading.scope), "question_id": reading.question_id, "drafts": reading.drafts}


def kept_row(reading):
    return db.session.scalar(sa.select(StoredSummary).filter_by(**row_key(reading)))


def claim(reading):
    """Mark the reading's summary as being made by this worker; return False when another worker is on it."""
    now = clock.now()
    key, table = row_key(reading), StoredSummary.__table__
    with db.engine.begin() as connection:
        taken = connection.execute(
            table.update().filter_by(**key)
            .where(sa.or_(table.c.refreshing_since.is_(None), table.c.refreshing_since < now - CLAIM_EXPIRES))
            .values(refreshing_since=now))
        if taken.rowcount:
            return True
        exists = connection.scalar(sa.select(table.c.id).filter_by(**key))
        if exists is not None:
            return False
    return insert_row(key, refreshing_since=now)


def release(reading):
    with db.engine.begin() as connection:
        connection.execute(StoredSummary.__table__.update().filter_by(**row_key(reading)).values(refreshing_since=None))


def store(reading, summary, state):
    """Keep the summary, made from the answers in `state`, and end any claim on it. Written on a connection
    of its own, so that a writer reading the answers in its session's transaction is not disturbed."""
    values = {"state": state, "payload": dumped(summary), "computed_at": summary.computed_at, "refreshing_since": None}
    with db.engine.begin() as connection:
        connection.execute(inserted(row_key(reading), values).on_conflict_do_update(index_elements=KEY, set_=values))


def insert_row(key, **values):
    """Insert the row; return False when another worker inserted it first."""
    with db.engine.begin() as connection:
        added = inserted(key, values).on_conflict_do_nothing(index_elements=KEY).returning(StoredSummary.id)
        return connection.execute(added).scalar() is not None


def inserted(key, values):
    """An INSERT of the row in the database's dialect, which says what to do when the row is there."""
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    return insert(StoredSummary.__table__).values(**key, **values)


def dumped(summary):
    fields = asdict(summary)
    fields["computed_at"] = summary.computed_at.isoformat()
    fields["copy_group_of_unit"] = [[unit_id, *group] for unit_id, group in summary.copy_group_of_unit.items()]
    return compact_json(fields)


def loaded(row):
    return from_payload(row.payload)


def from_payload(payload):
    fields = json.loads(payload)
    return ItemSummary(
        answered=fields["answered"],
        key_phrases={group: [tuple(pair) for pair in pairs] for group, pairs in fields["key_phrases"].items()},
        copies=[CopyGroup(**{**copy, "units": [tuple(unit) for unit in copy["units"]]}) for copy in fields["copies"]],
        representatives=[Representative(**representative) for representative in fields["representatives"]],
        computed_at=dt.datetime.fromisoformat(fields["computed_at"]),
        copy_group_of_unit={unit_id: (number, size) for unit_id, number, size in fields["copy_group_of_unit"]},
    )
