"""Narrative answers kept for reading: each distinct text stored and analysed once, whatever the number of
units and versions that give it, and linked to the revisions committees read.

A save records the texts of the revision it makes current (`record_revision_texts`), analysing the texts
never seen before: segmentation, terms, sentences and a MinHash signature (consolidation.text_analysis).
Texts stored without analysis (by the migration that filled the table from older reports) are analysed by
`analyse_pending`.
"""

import concurrent.futures
import contextlib
import multiprocessing
import os

import sqlalchemy as sa

import clock
from models import AnswerText, Response, Revision, RevisionText, db

from .text_analysis import ANALYSIS_VERSION, analyse
from .text_folding import digest, fold

#: Texts analysed per transaction by analyse_pending.
BATCH = 1000
#: The fewest pending texts analysed in worker processes rather than in this one.
POOL_FROM = 2000
#: Revisions linked to their texts at a time by index_shown_revisions.
REVISIONS_AT_ONCE = 200


def narrative_questions(survey):
    """Return the outline's narrative questions: the items a committee reads side by side."""
    return [question for question in survey.outline_questions() if question.is_narrative]


def record_revision_texts(revision, survey):
    """Link the revision to the texts it gives each narrative question, storing and analysing new texts.
    Runs in the save's transaction: the links exist exactly when the revision does."""
    links = []
    for question in narrative_questions(survey):
        text = revision.answers.get(question.id)
        if isinstance(text, str) and text.strip():
            links.append({"revision_id": revision.id, "question_id": question.id, "text_id": text_id_of(text)})
    if links:
        db.session.execute(sa.insert(RevisionText), links)


def text_id_of(text):
    """Return the id of the stored text equal to `text` but for spacing, storing and analysing it if new."""
    key = digest(text)
    found = db.session.scalar(sa.select(AnswerText.id).where(AnswerText.digest == key))
    if found is not None:
        return found
    analysis = analyse(text)
    inserted = db.session.execute(
        insert_ignoring_duplicates(AnswerText).values(body=text, analysed_at=clock.now(), **analysis.columns())
        .returning(AnswerText.id)).scalar()
    if inserted is None:  # stored by a save running at the same moment
        return db.session.scalar(sa.select(AnswerText.id).where(AnswerText.digest == key))
    return inserted


def insert_ignoring_duplicates(model, session=None):
    """An INSERT that leaves an existing row with the same unique key alone, on either database."""
    if (session or db.session).get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model).on_conflict_do_nothing()


def stored_unanalysed(session, texts):
    """Store the texts not stored yet, unanalysed; return {digest: id} for every one of them. A few
    statements for all the texts: looking up each one and inserting it one by one took most of a demo's build."""
    by_digest = {}
    for text in texts:
        by_digest.setdefault(digest(text), text)
    ids = _ids_of_digests(session, by_digest)
    missing = [{"digest": key, "body": text, "folded": fold(text)} for key, text in by_digest.items() if key not in ids]
    if missing:
        session.execute(insert_ignoring_duplicates(AnswerText, session), missing)
        ids.update(_ids_of_digests(session, [row["digest"] for row in missing]))
    return ids


def _ids_of_digests(session, digests):
    query = sa.select(AnswerText.digest, AnswerText.id).where(AnswerText.digest.in_(list(digests)))
    return dict(session.execute(query).all())


def analyse_pending(limit=None, workers=None, progress=None):
    """Analyse the stored texts not analysed (by this version), oldest first, a batch per transaction; return
    how many. `workers` processes analyse them (default: one per core, none for a few texts) while this one
    reads the next batch and writes the last; the analysis is a pure function of the text, so the rows are
    the same whoever computes them. `progress(count)` is called after each batch."""
    pending = pending_count() if limit is None else min(limit, pending_count())
    with _analyser(pending, workers) as analyse_all:
        done, after = 0, 0
        batch, results = _next_batch(after, pending, analyse_all)
        while batch:
            done += len(batch)
            following, following_results = _next_batch(batch[-1].id, pending - done, analyse_all)
            _write_analyses(batch, results)
            db.session.commit()
            if progress:
                progress(len(batch))
            batch, results = following, following_results
    return done


def _next_batch(after, remaining, analyse_all):
    """Read the next pending texts after id `after` and hand them to the analysers: (rows, their results)."""
    if remaining <= 0:
        return [], iter(())
    rows = db.session.execute(
        sa.select(AnswerText.id, AnswerText.body, AnswerText.folded).where(unanalysed(), AnswerText.id > after)
        .order_by(AnswerText.id).limit(min(BATCH, remaining))).all()
    return rows, analyse_all([row.body for row in rows])


def _write_analyses(rows, results):
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
            db.session.execute(sa.update(table).where(table.c.id == sa.bindparam("text_id")), values)


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
    return sa.or_(AnswerText.analysed_at.is_(None), AnswerText.version != ANALYSIS_VERSION)


def pending_count():
    return db.session.scalar(sa.select(sa.func.count()).where(unanalysed()))


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
        chunk = revision_ids[start:start + REVISIONS_AT_ONCE]
        answers = session.execute(sa.select(Revision.id, Revision.answers).where(Revision.id.in_(chunk))).all()
        texts = {(revision_id, question): text for revision_id, given in answers for question in questions
                 if isinstance(text := given.get(question), str) and text.strip()}
        ids = stored_unanalysed(session, texts.values())
        links = [{"revision_id": revision_id, "question_id": question, "text_id": ids[digest(text)]}
                 for (revision_id, question), text in texts.items()]
        if links:
            session.execute(sa.insert(RevisionText), links)
            linked += len({link["revision_id"] for link in links})
    return linked
