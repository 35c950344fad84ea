"""Narrative answers kept for reading: each distinct text stored and analysed once, whatever the number of
units and versions that give it, and linked to the revisions committees read.

A save only notes the revision it makes current (`link_later`): storing its texts, with their folded form for
search, and linking them (`link_saved_revisions`) took half of a save's time, at the deadline's rush when saves
count most, and many revisions link in a few statements. The analyser does it, `flask narratives follow`, which
gunicorn starts beside its workers at a low priority (gunicorn.conf.py); and every reading of the links
(search, the counts, the summaries, a unit's passages to quote) links what waits first, so that a committee
never reads without a text saved before it. The analyser then analyses the new texts (segmentation, terms,
sentences and a MinHash signature: consolidation.text_analysis). A summary never waits for it: it analyses the
new texts of its items itself first (`analyse_new`). Texts analysed by an older version of the analysis, or
stored by the migration that filled the table, are analysed by `flask narratives index` (`analyse_pending`).
"""

import concurrent.futures
import contextlib
import multiprocessing
import os

import sqlalchemy as sa

import clock
from models import AnswerText, Response, Revision, RevisionText, UnlinkedRevision, db
from schema.store import current_survey

from .text_analysis import ANALYSIS_VERSION, analyse
from .text_folding import digest, fold

#: Texts analysed per transaction by analyse_pending.
BATCH = 1000
#: The fewest pending texts analysed in worker processes rather than in this one.
POOL_FROM = 2000
#: Texts the analyser beside the service analyses per transaction, and revisions link_saved_revisions links
#: per transaction: on SQLite a save waits for the write lock while one is written (measured with new reports: 20
#: revisions some 13 ms, 100 analyses 1 ms).
FOLLOWING_BATCH = 100
LINKED_AT_ONCE = 20
#: Revisions index_shown_revisions links at a time.
REVISIONS_AT_ONCE = 200
#: Notes a revision whose texts wait; built once, as every save runs it. The table's INSERT, not the model's:
#: the ORM's bulk path costs more than the row.
LINK_LATER = sa.insert(UnlinkedRevision.__table__)
#: The revisions waiting longest, a chunk of them.
NEXT_UNLINKED = sa.select(UnlinkedRevision.revision_id).order_by(UnlinkedRevision.revision_id).limit(LINKED_AT_ONCE)


def narrative_questions(survey):
    """Return the outline's narrative questions: the items a committee reads side by side."""
    return [question for question in survey.outline_questions() if question.is_narrative]


def link_later(revision):
    """Leave the revision's texts to link_saved_revisions. Runs in the save's transaction: the note exists
    exactly when the revision does."""
    db.session.execute(LINK_LATER, {"revision_id": revision.id})


def link_saved_revisions():
    """Link the revisions saves left (link_later) to their texts, storing the new ones unanalysed; return how
    many revisions. On a connection of its own, a transaction per chunk: a caller's session is left as it
    was, and saves wait for one chunk at most. Two callers at once link the same revisions harmlessly."""
    linked, questions = 0, None
    with db.engine.connect() as connection:
        while chunk := connection.scalars(NEXT_UNLINKED).all():
            if questions is None:  # asked only when something waits: every reading calls this
                questions = [question.id for question in narrative_questions(current_survey())]
            _link_revisions(connection, questions, chunk)
            connection.execute(sa.delete(UnlinkedRevision).where(UnlinkedRevision.revision_id.in_(chunk)))
            connection.commit()
            linked += len(chunk)
    return linked


def _link_revisions(executor, questions, revision_ids):
    """Link the revisions to the texts they give the narrative `questions` (ids); return the revisions that
    give any. `executor`: a session or a connection."""
    answers = executor.execute(sa.select(Revision.id, Revision.answers).where(Revision.id.in_(revision_ids))).all()
    texts = {(revision_id, question): text for revision_id, given in answers for question in questions
             if isinstance(text := given.get(question), str) and text.strip()}
    link_texts(executor, texts)
    return {revision_id for revision_id, _question in texts}


def link_texts(executor, texts):
    """Store the texts {(revision id, question id): text} not stored yet and link each revision to its own."""
    if texts:
        ids = stored_unanalysed(executor, texts.values())
        executor.execute(insert_ignoring_duplicates(RevisionText, executor), [
            {"revision_id": revision_id, "question_id": question_id, "text_id": ids[text]}
            for (revision_id, question_id), text in texts.items()])


def insert_ignoring_duplicates(model, executor):
    """An INSERT that leaves an existing row with the same unique key alone, on either database."""
    bind = executor if isinstance(executor, sa.Connection) else executor.get_bind()
    if bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model).on_conflict_do_nothing()


def stored_unanalysed(executor, texts):
    """Store the texts not stored yet, unanalysed; return {text: id} for every one of them (texts differing
    only in spacing share an id). A few statements for all the texts: looking up each one and inserting it one
    by one took most of a demo's build."""
    digests = {text: digest(text) for text in texts}
    by_digest = {}
    for text, key in digests.items():
        by_digest.setdefault(key, text)
    ids = _ids_of_digests(executor, by_digest)
    missing = [{"digest": key, "body": text, "folded": fold(text)} for key, text in by_digest.items() if key not in ids]
    if missing:
        inserted = executor.execute(
            insert_ignoring_duplicates(AnswerText, executor).returning(AnswerText.digest, AnswerText.id), missing)
        ids.update(inserted.all())
        # A save running at the same moment may have stored some of them first.
        stored_meanwhile = [row["digest"] for row in missing if row["digest"] not in ids]
        if stored_meanwhile:
            ids.update(_ids_of_digests(executor, stored_meanwhile))
    return {text: ids[key] for text, key in digests.items()}


def _ids_of_digests(executor, digests):
    query = sa.select(AnswerText.digest, AnswerText.id).where(AnswerText.digest.in_(list(digests)))
    return dict(executor.execute(query).all())


def analyse_pending(limit=None, workers=None, progress=None, which=None, batch_size=BATCH):
    """Analyse the stored texts `which` selects (default: not analysed by this version), oldest first,
    `batch_size` per transaction; return how many. `workers` processes analyse them (default: one per core,
    none for a few texts) while this one reads the next batch and writes the last; the analysis is a pure
    function of the text, so the rows are the same whoever computes them, and two analysers meeting on a text
    do no harm.
    `progress(count)` is called after each batch. Reads and writes on a connection of its own, so that a
    caller's session and its transaction are left as they were."""
    which = unanalysed() if which is None else which
    with db.engine.connect() as connection:
        pending = count_of(connection, which)
        pending = pending if limit is None else min(limit, pending)
        with _analyser(pending, workers) as analyse_all:
            done = 0
            batch, results = _next_batch(connection, which, 0, min(batch_size, pending), analyse_all)
            while batch:
                done += len(batch)
                following, following_results = _next_batch(connection, which, batch[-1].id,
                                                            min(batch_size, pending - done), analyse_all)
                _write_analyses(connection, batch, results)
                connection.commit()
                if progress:
                    progress(len(batch))
                batch, results = following, following_results
    return done


def analyse_new(question_ids):
    """Analyse here the texts of these narrative items that no analyser has reached yet (a few, unless the
    analyser is stopped), the revisions saved since it last ran linked first: what a summary does before it
    reads the analyses, so that it misses no text."""
    link_saved_revisions()
    of_items = sa.exists().where(RevisionText.text_id == AnswerText.id, RevisionText.question_id.in_(question_ids))
    return analyse_pending(workers=0, which=sa.and_(never_analysed(), of_items))


def _next_batch(connection, which, after, size, analyse_all):
    """Read the next `size` pending texts after id `after` and hand them to the analysers: (rows, their
    results)."""
    if size <= 0:
        return [], iter(())
    rows = connection.execute(
        sa.select(AnswerText.id, AnswerText.body, AnswerText.folded).where(which, AnswerText.id > after)
        .order_by(AnswerText.id).limit(size)).all()
    return rows, analyse_all([row.body for row in rows])


def _write_analyses(connection, rows, results):
    """Store the batch's analyses: one executemany. The folded text is written only where it changed, since
    the SQLite index rewrites its entry on every write of that column."""
    now, same, changed = clock.now(), [], []
    for row, columns in zip(rows, results, strict=True):
        values = dict(columns, text_id=row.id, analysed_at=now)
        if columns["folded"] == row.folded:
            del values["folded"], values["digest"]
            same.append(values)
        else:
            changed.append(values)
    table = AnswerText.__table__
    for values in (same, changed):
        if values:
            connection.execute(sa.update(table).where(table.c.id == sa.bindparam("text_id")), values)


@contextlib.contextmanager
def _analyser(pending, workers):
    """Yield analyse_all(bodies) -> an iterator of their analyses' columns, computed in worker processes when
    there are enough texts for them to pay (each process loads the segmenter's model once)."""
    workers = (os.cpu_count() or 1) if workers is None else workers
    if workers < 2 or pending < POOL_FROM:
        yield lambda bodies: map(analysed_columns, bodies)
        return
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        yield lambda bodies: pool.map(analysed_columns, bodies, chunksize=max(1, len(bodies) // (4 * workers)))


def analysed_columns(body):
    """The stored columns of one text's analysis (what a worker process sends back)."""
    return analyse(body).columns()


def unanalysed():
    """The texts never analysed, or analysed by another version of the analysis."""
    return sa.or_(never_analysed(), AnswerText.version != ANALYSIS_VERSION)


def never_analysed():
    """The texts stored since an analyser last ran: what the analyser looks for, through an index."""
    return AnswerText.analysed_at.is_(None)


def pending_count():
    return count_of(db.session, unanalysed())


def count_of(connection, which):
    return connection.scalar(sa.select(sa.func.count()).select_from(AnswerText).where(which))


def index_shown_revisions(session, survey):
    """Link every revision committees read (a unit's current and submitted ones) that has no links yet to
    its narrative texts, storing new texts unanalysed: for reports saved before texts were kept (the
    migration that made the tables, and `flask narratives index`). Return how many revisions it linked."""
    questions = [question.id for question in narrative_questions(survey)]
    shown = sa.or_(Revision.number == Response.current_number, Revision.number == Response.submitted_number)
    unlinked = (sa.select(Revision.id).join(Response, Revision.response_id == Response.id)
                .where(shown, ~sa.exists().where(RevisionText.revision_id == Revision.id)).order_by(Revision.id))
    revision_ids = session.scalars(unlinked).all()
    linked = 0
    for start in range(0, len(revision_ids), REVISIONS_AT_ONCE):
        linked += len(_link_revisions(session, questions, revision_ids[start:start + REVISIONS_AT_ONCE]))
    return linked
