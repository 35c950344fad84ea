"""Narrative answers kept for reading: each distinct text stored and analysed once, whatever the number of
units and versions that give it, and linked to the revisions committees read.

A save records the texts of the revision it makes current (`record_revision_texts`), analysing the texts
never seen before: segmentation, terms, sentences and a MinHash signature (consolidation.text_analysis).
Texts stored without analysis (by the migration that filled the table from older reports) are analysed by
`analyse_pending`.
"""

import sqlalchemy as sa

import clock
from models import AnswerText, Response, Revision, RevisionText, db

from .text_analysis import ANALYSIS_VERSION, analyse
from .text_folding import digest, fold

#: Texts analysed per transaction by analyse_pending.
BATCH = 200


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


def store_unanalysed(session, text):
    """Store a text without analysing it, unless stored already; return its id."""
    key = digest(text)
    session.execute(insert_ignoring_duplicates(AnswerText, session).values(digest=key, body=text, folded=fold(text)))
    return session.scalar(sa.select(AnswerText.id).where(AnswerText.digest == key))


def analyse_pending(limit=None):
    """Analyse the stored texts not analysed (by this version), oldest first, a batch per transaction; return
    how many."""
    done = 0
    while limit is None or done < limit:
        size = BATCH if limit is None else min(BATCH, limit - done)
        pending = db.session.execute(
            sa.select(AnswerText.id, AnswerText.body).where(unanalysed())
            .order_by(AnswerText.id).limit(size)).all()
        if not pending:
            break
        for text_id, body in pending:
            analysis = analyse(body)
            db.session.execute(sa.update(AnswerText).where(AnswerText.id == text_id).values(
                analysed_at=clock.now(), **analysis.columns()))
        db.session.commit()
        done += len(pending)
    return done


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
    unlinked = (sa.select(Revision.id, Revision.answers).join(Response, Revision.response_id == Response.id)
                .where(shown, ~sa.exists().where(RevisionText.revision_id == Revision.id)).order_by(Revision.id))
    linked = 0
    for revision_id, answers in session.execute(unlinked).all():
        links = [{"revision_id": revision_id, "question_id": question, "text_id": store_unanalysed(session, text)}
                 for question in questions if isinstance(text := answers.get(question), str) and text.strip()]
        if links:
            session.execute(sa.insert(RevisionText), links)
            linked += 1
    return linked
