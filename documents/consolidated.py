"""What a committee's consolidated draft says, as plain data: a function of the survey and the reads of
its scope (consolidation.source.ExportSource) alone; documents.consolidated_docx lays it out.

Two streaming passes over the scope, like the workbook's: the units with their figures, then the texts
question by question. The figures are the workbook's, made by the same code (exports.figures'
FigureTallies for totals and means across levels, exports.statistics for the shares of a pick among the
cells). Memory holds per-committee tallies, an item's summary, and for a short text item the answers of the
committees directly under the scope (cut to an excerpt) and a few excerpts: never every text.

A narrative item (consolidation.answer_texts.narrative_questions) says, after the scope's own answer (whole),
what consolidation.summaries.current_summaries (the reading page's summaries) finds in the stored analyses,
never segmenting an answer again: per level group how many units answered and the key phrases most of them
use ("12/16 chi bộ nêu: sinh hoạt chuyên đề (9), ..."); then the passages the committee (the scope unit) chose
for the item, in its order (consolidation.excerpts), or where it chose none, the representative sentences
that at least MIN_UNITS units wrote something close to, each with that count (a group of copies quoted once).

A short text item quotes, after the scope's own answer, each committee directly under the scope (cut to
COMMITTEE_EXCERPT characters), then at most EXCERPTS_PER_ITEM cells, each from a different unit directly
under the scope, so that one area does not fill the item. The units directly under the scope take turns:
item number k quotes the areas from k × EXCERPTS_PER_ITEM on (cycling). Within an area the longest answer
is quoted, cut to CELL_EXCERPT characters.

An excerpt is the answer whole when it is short enough; otherwise it ends at the first end of a sentence
past the length (within EXCERPT_SLACK more characters, else at a space) and "…" marks the cut.
"""

import re
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from consolidation.answer_texts import narrative_questions
from consolidation.excerpts import excerpts_of
from consolidation.figures import (
    COMMITTEE_KEYS,
    FigureTallies,
    consolidation_columns,
    difference_rows,
    submitted_column,
)
from consolidation.key_phrases import MIN_UNITS
from consolidation.rules import counts_in_totals
from consolidation.statistics import GROUP_OF_LEVEL, LEVEL_GROUPS, Statistics, groups_asked
from consolidation.summaries import current_summaries
from models import Response, Revision, db
from reports.status import SUBMITTED, report_status
from schema import REPORTING_LEVELS, other_key

CELL_LEVELS = ("chi_bo_co_so", "chi_bo_truc_thuoc")
#: Characters after which an answer is cut: a committee's, directly under the scope, and a cell's.
COMMITTEE_EXCERPT, CELL_EXCERPT = 800, 300
EXCERPT_SLACK = 300
EXCERPTS_PER_ITEM = 5
#: Key phrases a narrative item names per level group.
KEY_PHRASES_SAID = 8
#: Missing units named in the annex; the rest are counted.
MISSING_LISTED = 300
#: The attendance bands a reviewer reads (lower bounds, in percent): under 70, 70–80, 80–90, 90–95, 95+.
RATE_BANDS = (0, 70, 80, 90, 95)
SENTENCE_END = re.compile(r"[.!?…](?=\s|$)|\n")
#: The group tallying the cells directly under the scope (not committees: they have no tally of their own).
CELLS_DIRECTLY_UNDER = ("cells directly under",)


@dataclass(frozen=True)
class LevelBase:
    """How many units of one level (None: all levels) the draft is made from."""

    level: str | None
    units: int = 0
    submitted: int = 0
    late: int = 0
    overdue: int = 0
    #: Of the submitted reports, those the committee above has accepted (reports.review).
    accepted: int = 0

    @property
    def missing(self):
        return self.units - self.submitted


@dataclass(frozen=True)
class Quote:
    """A unit's answer, or an excerpt of it, and whose it is."""

    unit_code: str
    unit_name: str
    level: str
    #: The unit directly under the scope that the unit falls under; "" when it is that unit.
    within: str
    text: str
    cut: bool


@dataclass(frozen=True)
class NumberFigure:
    """A number question's figure across levels, in the answer's unit (a rate in percent)."""

    question: object
    #: "sum" or "mean", and for a mean the question it is weighted by.
    total: str
    weight: object
    value: float | None
    #: How many units' answers made it, and of which level group (exports.statistics.LEVEL_GROUPS).
    units: int
    group: str
    #: The scope's own answer, when it has submitted one.
    own: float | None
    #: The lowest and highest answer among those units, and for a rate how many fall in each RATE_BANDS.
    low: float | None = None
    high: float | None = None
    bands: tuple = ()


@dataclass(frozen=True)
class ChoiceFigure:
    """How many units of a group picked each option: (label, count) rows over `answered` units. For a
    multiple choice paired with a single one over the same options (the config's `in` check), `focus`
    gives how many named each option the main one, over `focus_answered`."""

    question: object
    group: str
    answered: int
    rows: tuple
    own: str | None
    focus: object = None
    focus_answered: int = 0
    focus_rows: tuple = ()
    focus_own: str | None = None


@dataclass(frozen=True)
class OwnAnswer:
    """One of the scope's own answers that is neither a figure across levels nor a text (a date)."""

    question: object
    text: str


@dataclass(frozen=True)
class GroupPhrases:
    """How many units of a level group answered a narrative item, of how many that submitted a report asked
    it, and the key phrases most of them use: (phrase, units) pairs."""

    group: str
    answered: int
    submitted: int
    phrases: tuple


@dataclass
class Narrative:
    question: object
    own: str | None = None
    #: A short text item: the committees directly under the scope, and cells' excerpts by rotation.
    committees: list = field(default_factory=list)
    excerpts: list = field(default_factory=list)
    #: A narrative item: GroupPhrases per level group, the committee's chosen excerpts (Quote, in its order),
    #: or where none is chosen the representative sentences (consolidation.narratives.Representative).
    groups: list = field(default_factory=list)
    chosen: list = field(default_factory=list)
    representatives: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.own or self.committees or self.excerpts or self.groups or self.chosen
                    or self.representatives)


@dataclass
class Item:
    """A section of the outline and what the draft says under it."""

    section: object
    depth: int
    figures: list = field(default_factory=list)
    narratives: list = field(default_factory=list)
    #: Whether it or a section below it says anything.
    said: bool = False


@dataclass(frozen=True)
class CommitteeFigures:
    """A row of the per-committee annex: a unit directly under the scope (or all the cells directly under
    it, with code None), its units, and its figure for each of the draft's number columns."""

    code: str | None
    name: str
    level: str | None
    units: int
    submitted: int
    values: tuple


@dataclass(frozen=True)
class MissingUnit:
    code: str
    name: str
    level: str
    within: str
    status: str


@dataclass(frozen=True)
class Difference:
    code: str
    name: str
    level: str
    question: object
    own: float
    computed: float
    not_submitted: int


@dataclass
class ConsolidatedDraft:
    scope_code: str
    scope_name: str
    scope_level: str
    #: When the figures were read: the reports submitted before count.
    now: object
    base: list
    total: LevelBase
    #: Whether the scope has submitted its own report (its own answers open the items).
    own_submitted: bool
    items: list
    #: The number questions of the per-committee annex, in the order of CommitteeFigures.values.
    number_questions: list
    committees: list
    missing: list
    missing_count: int
    differences: list
    #: Committees lower down whose own figures differ too (each in its own committee's draft).
    other_differences: int


def excerpt(text, length):
    """Return (excerpt, cut): the text whole if at most `length` characters long; else up to the first end
    of a sentence past `length` (or a space, if none comes within EXCERPT_SLACK), marked with "…"."""
    text = text.strip()
    if len(text) <= length:
        return text, False
    end = SENTENCE_END.search(text, length, length + EXCERPT_SLACK)
    if end is not None:
        cut = end.end() if end.group() != "\n" else end.start()
    else:
        space = text.rfind(" ", length, length + EXCERPT_SLACK)
        cut = space if space > 0 else length + EXCERPT_SLACK
    if not text[cut:].strip():
        return text, False
    return text[:cut].rstrip() + " …", True


def percent_scaled(column, value):
    """Return a total of the figures sheet in the answer's unit: its percent cells hold shares."""
    return None if value is None else value * 100 if column.kind == "percent" else value


class DraftReader:
    """Read the scope unit by unit, then answer by answer, into a ConsolidatedDraft."""

    def __init__(self, survey, source, scope, now):
        self.survey, self.source, self.scope, self.now = survey, source, scope, now
        figure_questions = [q for q in survey.outline_questions() if not q.is_narrative]
        columns = [submitted_column()]
        for question in figure_questions:
            columns += question.kind.columns(question)
        levels_below = source.levels_below()
        columns += consolidation_columns(columns, levels_below)
        #: The levels of the units under the scope: a question none of them is asked is the scope's alone.
        self.scope_levels_below = levels_below.get(scope.code, frozenset())
        self.tallies = FigureTallies(columns)
        self.figure_questions = figure_questions
        self.statistics = Statistics(figure_questions)
        #: Per rate question: the level group whose answers are banded, and the count in each of RATE_BANDS.
        self.rates = {q.id: groups_asked(q)[0] for q in figure_questions if q.kind.summary == "rates"}
        self.bands = {question_id: [0] * len(RATE_BANDS) for question_id in self.rates}
        self.base = {level: defaultdict(int) for level in REPORTING_LEVELS}
        self.own = None
        self.children = {}
        self.child_committees = []
        self.missing, self.missing_count = [], 0
        self._own_narratives = None

    def read(self, on_unit=None):
        keys = []
        for question in self.figure_questions:
            keys += [question.id, *([other_key(question.id)] if question.other else [])]
        for record in self.source.units(keys):
            self.add(record)
            if on_unit:
                on_unit()
        items = self.items(self.narratives())
        base = [LevelBase(level, **counts) for level, counts in self.base.items() if counts["units"]]
        total = LevelBase(None, *(sum(getattr(row, key) for row in base)
                                  for key in ("units", "submitted", "late", "overdue", "accepted")))
        numbers = self.number_columns()
        differences, others = self.differences()
        return ConsolidatedDraft(
            scope_code=self.scope.code, scope_name=self.scope.name, scope_level=self.scope.level, now=self.now,
            base=base, total=total, own_submitted=self.own is not None, items=items,
            number_questions=[self.survey.questions[column.code] for _position, column in numbers],
            committees=self.committee_rows(numbers), missing=self.missing, missing_count=self.missing_count,
            differences=differences, other_differences=others,
        )

    # --- The units, one at a time ------------------------------------------------------------------------

    def add(self, record):
        values = self.tallies.values(record)
        if record.code == self.scope.code:
            self.tallies.count(record, values)
            if record.response is not None and record.response.is_submitted:
                self.own = record.answers
            return
        directly_under = record.child_code == record.code
        groups = (CELLS_DIRECTLY_UNDER,) if directly_under and record.level in CELL_LEVELS else ()
        self.tallies.count(record, values, groups)
        self.statistics.add(record)
        if record.response is not None and record.response.is_submitted:
            self.count_in_bands(record)
        if directly_under:
            self.children[record.code] = record.name
            if record.level in COMMITTEE_KEYS:
                self.child_committees.append((record.code, record.name, record.level))
        self.count_in_base(record)

    def count_in_bands(self, record):
        for question_id, group in self.rates.items():
            value = record.answers.get(question_id)
            if value is not None and GROUP_OF_LEVEL[record.level] == group:
                self.bands[question_id][bisect_right(RATE_BANDS, value) - 1] += 1

    def count_in_base(self, record):
        deadline = self.survey.deadline_for(record.level, record.deadline_extended_to)
        status = report_status(record.response, deadline, self.now)
        counts = self.base[record.level]
        counts["units"] += 1
        counts["submitted"] += status in SUBMITTED
        counts["late"] += status == "submitted_late"
        counts["overdue"] += status == "overdue"
        counts["accepted"] += status == "accepted"
        if status not in SUBMITTED:
            self.missing_count += 1
            if len(self.missing) < MISSING_LISTED:
                within = "" if record.child_code == record.code else self.children.get(record.child_code, "")
                self.missing.append(MissingUnit(record.code, record.name, record.level, within, status))

    # --- Figures -------------------------------------------------------------------------------------------

    def number_columns(self):
        """Return (position, column) of the totalled number questions, in the order of the outline."""
        return [(position, column) for position, (_index, column) in enumerate(self.tallies.totalled)
                if column.kind in ("integer", "decimal", "percent") and column.code in self.survey.questions]

    def figures_of(self, question):
        """Return the figures a question's item states: a number across levels, or the shares of a pick."""
        kind = question.kind
        if kind.summary in ("numbers", "rates") and question.consolidate and not self.asked_of_scope_alone(question):
            figure = self.number_figure(question)
            return [figure] if figure.units or figure.own is not None else []
        if kind.summary == "options":
            if self.focus_of(question) is not None:
                return []  # shown beside the multiple choice it names the main option of
            figure = self.choice_figure(question)
            return [figure] if figure.answered or figure.own else []
        if self.own is not None and question.id in self.own:
            return [OwnAnswer(question, kind.text(question, self.own[question.id], self.own))]
        return []

    def asked_of_scope_alone(self, question):
        """Tell whether the scope is the only unit of its scope that counts in `question`'s total (a question
        asked of its level and of none below it): its total is then its own answer, stated once as such."""
        return counts_in_totals(self.scope.level, self.scope_levels_below, question.levels)

    def number_figure(self, question):
        whole = self.tallies.tallies[("all",)]
        position, column = next((p, c) for p, (_i, c) in enumerate(self.tallies.totalled) if c.code == question.id)
        group = groups_asked(question)[0]
        stats = self.statistics.number_stats.get((question.id, group))
        own = self.own.get(question.id) if self.own is not None else None
        bands = tuple(self.bands[question.id]) if question.id in self.rates else ()
        return NumberFigure(
            question=question, total=column.total,
            weight=self.survey.questions.get(column.weight) if column.weight else None,
            value=percent_scaled(column, whole.result(position, column)), units=whole.counts[position], group=group,
            own=own, low=stats.low if stats else None, high=stats.high if stats else None, bands=bands,
        )

    def choice_figure(self, question):
        group = groups_asked(question)[0]
        rows, answered = self.choice_rows(question, group)
        figure = dict(question=question, group=group, answered=answered, rows=rows, own=self.own_text(question))
        focus = self.focus_for(question)
        if focus is not None:
            focus_rows, focus_answered = self.choice_rows(focus, group)
            figure.update(focus=focus, focus_answered=focus_answered, focus_rows=focus_rows,
                          focus_own=self.own_text(focus))
        return ChoiceFigure(**figure)

    def choice_rows(self, question, group):
        counts = self.statistics.choice_counts
        rows = tuple((str(label), counts.get((question.id, group, value), 0))
                     for value, label in question.kind.options(question))
        return rows, self.statistics.answered.get((question.id, group), 0)

    def own_text(self, question):
        if self.own is None or question.id not in self.own:
            return None
        return question.kind.text(question, self.own[question.id], self.own)

    def focus_for(self, question):
        """Return the single choice that names the main one among a multiple choice's ticks, if the config
        pairs them (a check `left in right`)."""
        for check in self.survey.checks:
            if check.op == "in" and check.right == question.id:
                return self.survey.questions[check.left]
        return None

    def focus_of(self, question):
        """Return the multiple choice a single choice names the main option of, if the config pairs them."""
        for check in self.survey.checks:
            if check.op == "in" and check.left == question.id:
                return self.survey.questions[check.right]
        return None

    def committee_rows(self, numbers):
        def row(code, name, level, tally):
            values = tuple(percent_scaled(column, tally.result(position, column)) for position, column in numbers)
            return CommitteeFigures(code, name, level, tally.units, tally.submitted, values)

        rows = [row(code, name, level, self.tallies.committee_tally(code, level))
                for code, name, level in self.child_committees]
        if CELLS_DIRECTLY_UNDER in self.tallies.tallies:
            rows.append(row(None, "", None, self.tallies.tallies[CELLS_DIRECTLY_UNDER]))
        return rows

    def differences(self):
        """Return the differences of the scope and the committees directly under it, and how many other
        committees of the scope differ."""
        listed, others = [], set()
        near = {self.scope.code, *self.children}
        for committee, column, own, computed, tally in difference_rows(self.tallies):
            if committee.code not in near:
                others.add(committee.code)
                continue
            listed.append(Difference(committee.code, committee.name, committee.level,
                                     self.survey.questions.get(column.code, column.label),
                                     percent_scaled(column, own), percent_scaled(column, computed),
                                     tally.units - tally.submitted))
        return listed, len(others)

    # --- Texts, one question at a time --------------------------------------------------------------------

    def narratives(self):
        """Return {question id: Narrative} for the narrative and short text questions: the narrative ones from
        their stored analyses, the short ones read in one pass."""
        questions = narrative_questions(self.survey)
        summaries = current_summaries(self.scope, False, questions)
        found = {question.id: self.narrative(question, summaries[question.id]) for question in questions}
        short = [q for q in self.survey.outline_questions() if q.is_text and q.id not in found]
        found.update(self.short_texts(short))
        return found

    def narrative(self, question, summary):
        """Return what a narrative item says from its summary: the scope's own answer, counts and key phrases
        per level group, and the committee's chosen excerpts or else the representative sentences."""
        narrative = Narrative(question, own=self.own_narratives().get(question.id))
        narrative.groups = [GroupPhrases(group, count, self.submitted_asked(question, group),
                                         tuple(summary.key_phrases.get(group, ())[:KEY_PHRASES_SAID]))
                            for group, count in summary.answered.items()]
        narrative.chosen = [Quote(chosen.unit.code, chosen.unit.name, chosen.unit.level, "",
                                  chosen.excerpt.passage.strip(), False)
                            for chosen in excerpts_of(self.scope, question.id)]
        if not narrative.chosen:
            narrative.representatives = [representative for representative in summary.representatives
                                         if representative.unit_count >= MIN_UNITS]
        return narrative

    def submitted_asked(self, question, group):
        """Return how many units of a level group asked the question have submitted (the scope included)."""
        levels = [level for level in LEVEL_GROUPS[group][0] if level in question.levels]
        count = sum(self.base[level]["submitted"] for level in levels)
        return count + (self.own is not None and self.scope.level in levels)

    def own_narratives(self):
        """Return the scope's own submitted answers (all of them, read once)."""
        if self._own_narratives is None:
            query = (sa.select(Revision.answers).join(Response, Revision.response_id == Response.id)
                     .where(Response.unit_id == self.scope.id, Revision.number == Response.submitted_number))
            answers = db.session.scalar(query) or {}
            self._own_narratives = {key: value.strip() for key, value in answers.items()
                                    if isinstance(value, str) and value.strip()}
        return self._own_narratives

    def short_texts(self, questions):
        """Return {question id: Narrative} for the short text questions, read in one pass."""
        found = {question.id: Narrative(question) for question in questions}
        turn = {question.id: number for number, question in enumerate(questions)}
        current, candidates = None, {}
        for question_id, code, name, level, child_code, child_name, answer in self.source.texts_by_child(list(found)):
            if question_id != current:
                self.choose_excerpts(found.get(current), turn.get(current), candidates)
                current, candidates = question_id, {}
            narrative = found[question_id]
            if code == self.scope.code:
                narrative.own = answer.strip()
            elif code == child_code and level in COMMITTEE_KEYS:
                narrative.committees.append(quote(code, name, level, "", answer, COMMITTEE_EXCERPT))
            elif level in CELL_LEVELS:
                best = candidates.get(child_code)
                if best is None or len(answer) > best[0]:
                    within = "" if code == child_code else child_name
                    candidates[child_code] = (len(answer), quote(code, name, level, within, answer, CELL_EXCERPT))
        self.choose_excerpts(found.get(current), turn.get(current), candidates)
        return found

    @staticmethod
    def choose_excerpts(narrative, turn, candidates):
        """Quote EXCERPTS_PER_ITEM areas, from the turn-th group of EXCERPTS_PER_ITEM on, in hierarchy order."""
        if narrative is None or not candidates:
            return
        areas = list(candidates.values())
        start = turn * EXCERPTS_PER_ITEM % len(areas)
        chosen = sorted((start + offset) % len(areas) for offset in range(min(EXCERPTS_PER_ITEM, len(areas))))
        narrative.excerpts = [areas[index][1] for index in chosen]

    def items(self, narratives):
        """Return an Item per section of the outline, in order, with its figures and texts."""
        items = []

        def walk(section, depth):
            item = Item(section, depth)
            items.append(item)
            for question in section.questions:
                if question.id in narratives:
                    if narratives[question.id]:
                        item.narratives.append(narratives[question.id])
                else:
                    item.figures += self.figures_of(question)
            said = bool(item.figures or item.narratives)
            for child in section.sections:
                said |= walk(child, depth + 1)
            item.said = said
            return said

        for section in self.survey.sections:
            if not section.document_details:
                walk(section, 1)
        return items


def quote(code, name, level, within, answer, length):
    text, cut = excerpt(answer, length)
    return Quote(code, name, level, within, text, cut)


def read_consolidated_draft(survey, source, scope, now, on_unit=None):
    """Return what the consolidated draft of `scope` (a unit: the province for the whole list) says."""
    return DraftReader(survey, source, scope, now).read(on_unit)

