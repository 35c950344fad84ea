"""Narrative answers kept for reading: each distinct text stored and analysed once, whatever the number of
units and versions that give it, and linked to the revisions committees read.

A save records the texts of the revision it makes current (`record_revision_texts`), analysing the texts
never seen before: segmentation, terms, sentences and a MinHash signature (consolidation.text_analysis).
A text's signature is cut into bands stored in `text_bands` (locality-sensitive hashing, with the bands
and rows datasketch's MinHashLSH chooses for COPY_THRESHOLD): a new text that shares a band with an
earlier one and is near enough to it is marked a copy of that text's group. So copies are found once,
when a text arrives, by an index lookup, and a page counts them with a GROUP BY. Texts stored without
analysis (by the migration that filled the table from older reports) are analysed by `analyse_pending`.
"""

import hashlib

import sqlalchemy as sa
from datasketch import MinHashLSH

import clock
from models import AnswerText, Response, Revision, RevisionText, TextBand, db

from .copies import COPY_THRESHOLD, PERMUTATIONS, similarity
from .text_analysis import analyse
from .text_folding import digest, fold

#: The bands of a signature and the values in each (see the module's docstring): a missed copy weighs
#: more than a candidate compared for nothing, so that one changed sentence in eight is still found (16
#: bands of 4: found with a probability of 0.998 at a similarity of 0.75, 0.89 at 0.6).
_LSH = MinHashLSH(threshold=COPY_THRESHOLD, num_perm=PERMUTATIONS, weights=(0.1, 0.9))
BANDS, ROWS = _LSH.b, _LSH.r
#: Bytes of a signature per MinHash value (copies.signature: little-endian uint32).
VALUE_BYTES = 4

#: The most texts a new one is compared with: those sharing the most bands with it. Copies share most
#: of theirs; answers written from the same stock phrases share one now and then, and are many.
CANDIDATES = 50
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
    _place_among_copies(inserted, analysis.signature)
    return inserted


def insert_ignoring_duplicates(model, session=None):
    """An INSERT that leaves an existing row with the same unique key alone, on either database."""
    if (session or db.session).get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model).on_conflict_do_nothing()


def bands_of(signature):
    """Return the band keys of a signature: each band's index and values hashed to a signed 64-bit integer
    (what a BIGINT holds); none for a text without words, whose signature copies nothing."""
    if not any(signature):
        return []
    size = ROWS * VALUE_BYTES
    return [int.from_bytes(hashlib.blake2b(bytes([band]) + signature[band * size:(band + 1) * size],
                                           digest_size=8).digest(), "big", signed=True)
            for band in range(BANDS)]


def _place_among_copies(text_id, signature):
    """Mark the text a copy of the nearest earlier text sharing a band with it, and store its bands."""
    bands = bands_of(signature)
    if not bands:
        return
    sharing = (sa.select(TextBand.text_id, sa.func.count().label("shared"))
               .where(TextBand.band.in_(bands), TextBand.text_id != text_id)
               .group_by(TextBand.text_id).order_by(sa.desc("shared")).limit(CANDIDATES).subquery())
    candidates = db.session.execute(
        sa.select(AnswerText.id, AnswerText.copy_of_id, AnswerText.signature)
        .join(sharing, sharing.c.text_id == AnswerText.id).where(AnswerText.signature.is_not(None))).all()
    nearest = max(((similarity(signature, other_signature), copy_of or other)
                   for other, copy_of, other_signature in candidates), default=(0, None))
    if nearest[0] >= COPY_THRESHOLD:
        db.session.execute(sa.update(AnswerText).where(AnswerText.id == text_id).values(copy_of_id=nearest[1]))
    db.session.execute(insert_ignoring_duplicates(TextBand),
                       [{"band": band, "text_id": text_id} for band in bands])


def store_unanalysed(session, text):
    """Store a text without analysing it, unless stored already; return its id."""
    key = digest(text)
    session.execute(insert_ignoring_duplicates(AnswerText, session).values(digest=key, body=text, folded=fold(text)))
    return session.scalar(sa.select(AnswerText.id).where(AnswerText.digest == key))


def analyse_pending(limit=None):
    """Analyse the stored texts never analysed, oldest first, a batch per transaction; return how many."""
    done = 0
    while limit is None or done < limit:
        size = BATCH if limit is None else min(BATCH, limit - done)
        pending = db.session.execute(
            sa.select(AnswerText.id, AnswerText.body).where(AnswerText.analysed_at.is_(None))
            .order_by(AnswerText.id).limit(size)).all()
        if not pending:
            break
        for text_id, body in pending:
            analysis = analyse(body)
            db.session.execute(sa.update(AnswerText).where(AnswerText.id == text_id).values(
                analysed_at=clock.now(), **analysis.columns()))
            db.session.execute(sa.delete(TextBand).where(TextBand.text_id == text_id))
            _place_among_copies(text_id, analysis.signature)
        db.session.commit()
        done += len(pending)
    return done


def pending_count():
    return db.session.scalar(sa.select(sa.func.count()).where(AnswerText.analysed_at.is_(None)))


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
