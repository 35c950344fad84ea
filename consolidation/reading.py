"""What a committee reads of one outline item: each unit's answer as the committee reads it (the submitted
version, or the current draft of a unit that has not submitted when drafts are asked for), found by words
and phrases typed with or without diacritics, counted per level group, each hit's sentences with the words
marked.

The database finds the answers (the full-text index over the folded texts: FTS5 on SQLite, a GIN index on
PostgreSQL) and counts them; Python only cuts the sentences of the page's hits.
"""

import math
import re
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from models import AnswerText, Response, Revision, RevisionText, Unit, db
from schema.levels import REPORTING_LEVELS
from units.hierarchy import UnitTree, subtree_ids

from .answer_texts import link_saved_revisions
from .sentences import sentences
from .source import shown_revision_number
from .statistics import GROUP_OF_LEVEL, LEVEL_GROUPS, share_text
from .text_folding import fold

#: The longest query read, in characters, and the most phrases and words in a phrase it may hold.
MAX_QUERY_LENGTH = 200
MAX_PHRASES = 8
MAX_PHRASE_WORDS = 12
#: How many of a hit's sentences are shown: those holding the query, else the answer's first ones.
CONTEXTS_WITH_QUERY, CONTEXTS_WITHOUT = 3, 2
#: Phrases are separated by commas, semicolons or quotes; within one, words are matched in their order.
PHRASE_BREAK = re.compile(r"[,;\"“”„«»]")
#: A word as both full-text indexes cut them: letters and digits (an underscore or a hyphen separates).
WORD = re.compile(r"[^\W_]+")
#: What the PostgreSQL index reads: the folded text with every run of other characters a space, so that
#: its parser cuts words where FTS5 does ("10-CT/TW" is three words on both).
NOT_WORD = r"[^[:alnum:]]+"


class QueryError(ValueError):
    """A query that cannot be searched; its text is a message for the page."""


@dataclass(frozen=True)
class Reading:
    """Which answers to one item the page reads."""

    #: The item; None for every item (a query grouped by item: consolidation.summaries.answers_states).
    question_id: str | None
    #: The account's scope unit; None (or the province) for the whole province.
    scope: object = None
    #: Also the units that have not submitted, with their current draft.
    drafts: bool = False
    #: A key of LEVEL_GROUPS, or None for every level.
    group: str | None = None
    #: Only the subtree of this unit, directly under the scope.
    child_code: str | None = None


@dataclass(frozen=True)
class Query:
    #: Each phrase's folded words, in order.
    phrases: tuple

    def fts5(self):
        return " AND ".join('"' + " ".join(words) + '"' for words in self.phrases)

    def tsquery(self):
        parts = [sa.func.phraseto_tsquery(sa.literal_column("'simple'::regconfig"), " ".join(words))
                 for words in self.phrases]
        query = parts[0]
        for part in parts[1:]:
            query = query.op("&&")(part)
        return query

    def pattern(self):
        """A regular expression finding any of the phrases in folded text, as whole words."""
        phrases = (r"[\W_]+".join(map(re.escape, words)) for words in self.phrases)
        return re.compile(r"(?<![^\W_])(?:" + "|".join(phrases) + r")(?![^\W_])")


@dataclass(frozen=True)
class GroupCount:
    group: str
    noun: str
    matched: int
    answered: int

    @property
    def share_text(self):
        return share_text(self.matched, self.answered, self.group)


@dataclass(frozen=True)
class Context:
    """A sentence of a hit: its place in the answer, and its text cut into (text, marked) parts."""

    start: int
    end: int
    parts: list


@dataclass(frozen=True)
class Hit:
    unit_id: int
    unit_code: str
    unit_name: str
    level: str
    child_code: str | None
    child_name: str | None
    text_id: int
    body: str
    contexts: list


@dataclass(frozen=True)
class Found:
    counts: list
    total_matched: int
    total_answered: int
    hits: list
    page: int
    pages: int


def parse_query(text):
    """Return the Query typed, or None for one without a word; raise QueryError for one too long."""
    text = text or ""
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(_("Type at most %(count)s characters to search.", count=MAX_QUERY_LENGTH))
    phrases = []
    for part in PHRASE_BREAK.split(fold(text)):
        words = tuple(WORD.findall(part))
        if len(words) > MAX_PHRASE_WORDS:
            raise QueryError(_("A phrase may hold at most %(count)s words.", count=MAX_PHRASE_WORDS))
        if words and words not in phrases:
            phrases.append(words)
    if len(phrases) > MAX_PHRASES:
        raise QueryError(_("Search for at most %(count)s phrases at once.", count=MAX_PHRASES))
    return Query(tuple(phrases)) if phrases else None


def answers_select(reading, *columns, tree=None):
    """Select `columns` for each unit of the reading whose answer the committee reads gives the item. With
    a `tree` (a UnitTree, for columns or an order that name the units' committees), the units' parents are
    joined; without one, the units are found by their ids alone, which a count over a province needs. The
    texts (AnswerText) are joined when a column reads them; a condition on them needs such a column."""
    if tree is None and reading.child_code:
        tree = UnitTree()
    if tree is None:
        query = sa.select(*columns).select_from(Unit).where(Unit.level.in_(REPORTING_LEVELS))
    else:
        query = tree.select(*columns, scope=reading.scope)
    query = (
        query
        .join(Response, Response.unit_id == Unit.id)
        .join(Revision, sa.and_(Revision.response_id == Response.id,
                                Revision.number == shown_revision_number(reading.drafts)))
        .join(RevisionText, sa.and_(RevisionText.revision_id == Revision.id,
                                    sa.true() if reading.question_id is None
                                    else item_of(reading.scope) == reading.question_id))
    )
    if AnswerText.__table__ in sa.select(*columns).get_final_froms():
        # Only for columns of the texts: each text's row is large, and a count needs none of it.
        query = query.join(AnswerText, AnswerText.id == RevisionText.text_id)
    if reading.scope is not None and reading.scope.level != "tinh":
        query = query.where(Unit.id.in_(subtree_ids(reading.scope)))
    if reading.group:
        query = query.where(Unit.level.in_(LEVEL_GROUPS[reading.group][0]))
    if reading.child_code:
        query = query.where(tree.child_of_scope(reading.scope, "code") == reading.child_code)
    return query


def item_of(scope):
    """The column telling a revision text's item, as a reading of `scope` should compare it. A committee's
    reading starts from its subtree's units: there the column is wrapped so that no index on the item serves
    the condition, since SQLite, without statistics, would start from every answer to the item in the
    province (50,000 units: 80 ms instead of 1 for a committee of 64)."""
    if scope is None or scope.level == "tinh":
        return RevisionText.question_id
    return RevisionText.question_id + ""


def matches(query):
    """The condition an answer text meets when it holds every phrase of the query."""
    if db.engine.dialect.name == "postgresql":
        words = sa.func.regexp_replace(AnswerText.folded, sa.literal_column(f"'{NOT_WORD}'"),
                                       sa.literal_column("' '"), sa.literal_column("'g'"))
        found = sa.select(AnswerText.id).where(
            sa.func.to_tsvector(sa.literal_column("'simple'::regconfig"), words).op("@@")(query.tsquery()))
        # A subquery, as on SQLite: PostgreSQL finds the texts through the GIN index once, where the bare
        # condition inside the counts' CASE had it build every answer's tsvector (EXPLAIN in bench/narratives.py).
        return RevisionText.text_id.in_(found)
    found = sa.text("SELECT rowid FROM answer_text_search WHERE answer_text_search MATCH :match").bindparams(
        match=query.fts5()).columns(sa.column("rowid"))
    return RevisionText.text_id.in_(found)


def search(reading, query=None, page=1, per_page=30):
    """Return the counts per level group and one page of the answers holding the query (all answers when
    there is none), in hierarchy order; the revisions saved since the analyser last ran are linked first."""
    link_saved_revisions()
    condition = matches(query) if query else sa.true()
    counts = count_by_group(reading, condition)
    total_matched = sum(count.matched for count in counts)
    pages = max(1, math.ceil(total_matched / per_page))
    page = min(max(page, 1), pages)
    # Sorted by the units' stored places alone; their names and committees, and the texts, are read for
    # the page's hits: carried through the sort, they would be read for every matched answer (tens of
    # thousands in a province, and tens of megabytes of text).
    select = answers_select(reading, Unit.id, RevisionText.text_id).where(condition).order_by(Unit.position)
    rows = db.session.execute(select.offset((page - 1) * per_page).limit(per_page)).all()
    units = units_by_id(reading.scope, {unit_id for unit_id, _text_id in rows})
    bodies = dict(db.session.execute(sa.select(AnswerText.id, AnswerText.body)
                                     .where(AnswerText.id.in_({text_id for _unit_id, text_id in rows}))).all())
    pattern = query.pattern() if query else None
    hits = [Hit(unit_id, *units[unit_id], text_id, bodies[text_id], contexts=contexts_of(bodies[text_id], pattern))
            for unit_id, text_id in rows]
    return Found(counts, total_matched, sum(count.answered for count in counts), hits, page, pages)


def units_by_id(scope, ids):
    """Return {id: (code, name, level, code and name of the unit directly under `scope` it falls under)}."""
    tree = UnitTree()
    select = tree.select(Unit.id, Unit.code, Unit.name, Unit.level, tree.child_of_scope(scope, "code"),
                         tree.child_of_scope(scope, "name"))
    return {unit_id: details for unit_id, *details in db.session.execute(select.where(Unit.id.in_(ids)))}


def count_by_group(reading, condition):
    """Return a GroupCount per level group with answers: how many hold the query, of how many answered."""
    select = answers_select(reading, Unit.level, sa.func.count(), sa.func.sum(sa.case((condition, 1), else_=0)))
    by_group = {}
    for level, answered, matched in db.session.execute(select.group_by(Unit.level)):
        group = GROUP_OF_LEVEL[level]
        found, total = by_group.get(group, (0, 0))
        by_group[group] = (found + (matched or 0), total + answered)
    return [GroupCount(group, str(LEVEL_GROUPS[group][2]), *by_group[group])
            for group in LEVEL_GROUPS if group in by_group]


def contexts_of(body, pattern):
    """Return the sentences of an answer to show: those holding the query, words marked; else the first."""
    if pattern is None:
        return [Context(s.start, s.end, [(s.text, False)]) for s in sentences(body)[:CONTEXTS_WITHOUT]]
    found = []
    for sentence in sentences(body):
        parts = marked_parts(sentence.text, pattern)
        if len(parts) > 1 or (parts and parts[0][1]):
            found.append(Context(sentence.start, sentence.end, parts))
            if len(found) == CONTEXTS_WITH_QUERY:
                break
    return found


def marked_parts(text, pattern):
    """Cut text into (text, marked) parts, marked where the folded pattern matches it."""
    folded, origin = folded_with_origins(text)
    parts, at = [], 0
    for match in pattern.finditer(folded):
        start, end = origin[match.start()], origin[match.end() - 1] + 1
        if start > at:
            parts.append((text[at:start], False))
        parts.append((text[start:end], True))
        at = end
    if at < len(text):
        parts.append((text[at:], False))
    return parts


def folded_with_origins(text):
    """Return text folded character by character, with the index in text each folded character comes from."""
    folded, origin = [], []
    for index, character in enumerate(text):
        for piece in fold_character(character):
            folded.append(piece)
            origin.append(index)
    return "".join(folded), origin


def fold_character(character):
    """Fold one character as text_folding.fold folds text, whitespace kept as it is."""
    if character.isspace():
        return " "
    if character in "đĐ":
        return "d"
    decomposed = unicodedata.normalize("NFKD", character)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
