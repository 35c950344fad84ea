"""Synthetic provinces for demos and benchmarks: units at every level and valid random answers, their narratives
from the sentence bank of schema.demo_text, some copied from unit to unit."""

import datetime as dt
import random
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

import clock
from consolidation.answer_texts import analyse_pending, index_shown_revisions
from models import AnswerText, Response, Revision, RevisionText, Unit, db, new_link_token, refresh_planner_statistics
from models.unit import fold_for_search
from reports.saving import link_fingerprint
from schema import REPORTING_LEVELS
from schema.demo_text import narrative_sentence, sentences_of
from units.hierarchy import renumber_units

PLACES = ("Tân Lợi", "Hòa Thắng", "Ea Tu", "Cư Êbur", "Krông Búk", "Ea Kao", "Hòa Phú", "Tân An",
          "Thành Nhất", "Khánh Xuân", "Ea Nuôl", "Buôn Đôn", "Phước An", "Ea Kly", "Hòa Đông")
STATUS_WEIGHTS = {"not_opened": 10, "opened": 10, "draft": 30, "submitted": 50}
BATCH = 1000
#: The share of a unit's questions its draft leaves for later.
DRAFT_GAPS = 0.3
#: The name of the demo provinces' province: a real-looking name that fits a document's header on one line.
PROVINCE_NAME = "Tỉnh ủy Đắk Lắk"
#: Members of a party cell in the demo: a few dozen (a cell has at least 3; most have 10 to 60).
CELL_MEMBERS = (10, 60)
#: Shares of the members exempted from party work and meetings (the old and the sick): a small share.
EXEMPTED_SHARE = (0, 0.08)
#: Shares of a committee's cells that held every monthly meeting, or a thematic meeting every quarter.
CELLS_SHARE = (0.6, 1)
#: Shares of a district-level committee's grassroots organisations whose review a standing member attended.
ATTENDED_SHARE = (0.3, 0.8)
#: Levels of the units counted as the cells under a committee, and as its grassroots organisations.
CELL_LEVELS = ("chi_bo_truc_thuoc",)
GRASSROOTS_LEVELS = ("dang_bo_co_so", "chi_bo_co_so")
#: The share of reporting units that copy narrative answers from another unit of their level under the same
#: committee (a neighbour's report, or the committee's template, pasted), so that the demo has copies to find.
COPYING_SHARE = 0.08
#: How a copied answer differs from its source, and how often: not at all, by its spacing (pasted into another
#: editor), or by one of its sentences rewritten.
COPY_KINDS = {"verbatim": 2, "spacing": 1, "one_sentence": 1}


@dataclass(frozen=True)
class PlannedUnit:
    """A planned unit as answers_adding_up walks it, before it has an id: its code stands for one."""

    id: str
    parent_id: str | None
    code: str
    level: str


@dataclass(frozen=True)
class DemoSummary:
    units: int
    responses: int
    revisions: int


#: The shapes of province the demo builds (see schema.levels): the seed's, every grassroots unit under a
#: district committee; or today's, communes, wards and grassroots cells directly under the province.
SHAPES = ("2025", "seed")
#: Committees directly under the province in today's shape (cấp trên cơ sở).
PROVINCE_COMMITTEES = ("Đảng ủy các cơ quan Đảng tỉnh", "Đảng ủy UBND tỉnh", "Đảng ủy Quân sự tỉnh",
                       "Đảng ủy Công an tỉnh")


def create_demo_province(survey, unit_count, seed=1, shape="2025"):
    """Fill an empty database with `unit_count` units under one province, and their reports."""
    rng = random.Random(seed)
    plan = plan_units(unit_count, rng, shape)
    ids = insert_units(plan)
    tree = [PlannedUnit(code, parent, code, level) for code, _name, level, parent in plan]
    full = answers_adding_up(survey, tree, rng)
    reports = [(ids[code], level, full[code]) for code, _name, level, _parent in plan if level != "tinh"]
    responses, revisions = insert_reports(survey, reports, rng)
    # The reports are inserted in bulk, past the save that keeps their narrative texts: keep them here.
    index_shown_revisions(db.session, survey)
    refresh_planner_statistics(Unit, Response, Revision, AnswerText, RevisionText)
    db.session.commit()
    analyse_pending()
    return DemoSummary(units=len(plan), responses=responses, revisions=revisions)


def plan_units(unit_count, rng, shape="2025"):
    """Return (code, name, level, parent code) rows, parents before their units, `unit_count` in all."""
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}; shapes are {', '.join(SHAPES)}")
    rows = [("TINH", PROVINCE_NAME, "tinh", None)]
    plan = plan_seed_shape if shape == "seed" else plan_todays_shape
    plan(rows, unit_count, rng)
    return rows[:max(unit_count, 1)]


def plan_seed_shape(rows, unit_count, rng):
    """The seed's shape: a district committee per 150 units; every grassroots committee and cell under one."""
    districts = max(1, unit_count // 150)
    for d in range(districts):
        rows.append((f"H{d:03}", f"Huyện ủy {PLACES[d % len(PLACES)]} {d + 1}", "cap_huyen", "TINH"))
    committees = []
    while len(rows) < unit_count:
        district = f"H{rng.randrange(districts):03}"
        place = rng.choice(PLACES)
        number = len(rows)
        if rng.random() < 0.15 or not committees:
            code = f"D{number:06}"
            rows.append((code, f"Đảng bộ xã {place} {number}", "dang_bo_co_so", district))
            committees.append(code)
        elif rng.random() < 0.2:
            rows.append((f"C{number:06}", f"Chi bộ cơ sở {place} {number}", "chi_bo_co_so", district))
        else:
            rows.append((f"C{number:06}", f"Chi bộ thôn {place} {number}", "chi_bo_truc_thuoc",
                         rng.choice(committees[-20:])))


def plan_todays_shape(rows, unit_count, rng):
    """Today's shape: directly under the province, a commune or ward committee per 150 units (as many as
    the seed's districts, so pages compare), a committee above grassroots level per 1,000 with agency
    committees and grassroots cells under it, and a grassroots cell per 1,000; every other unit is a
    cell under a commune or agency committee."""
    above = [f"U{d:03}" for d in range(max(1, unit_count // 1000))]
    for d, code in enumerate(above):
        rows.append((code, f"{PROVINCE_COMMITTEES[d % len(PROVINCE_COMMITTEES)]} {d + 1}", "cap_huyen", "TINH"))
    committees = []
    for c in range(max(1, unit_count // 150)):
        number, place = len(rows), PLACES[c % len(PLACES)]
        kind = "Đảng bộ phường" if c % 3 == 0 else "Đảng bộ xã"
        rows.append((f"D{number:06}", f"{kind} {place} {number}", "dang_bo_co_so", "TINH"))
        committees.append(f"D{number:06}")
    for _cell in range(max(1, unit_count // 1000)):
        number = len(rows)
        rows.append((f"C{number:06}", f"Chi bộ cơ sở {rng.choice(PLACES)} {number}", "chi_bo_co_so", "TINH"))
    agencies = 0
    while len(rows) < unit_count:
        number, place = len(rows), rng.choice(PLACES)
        if rng.random() < 0.008 or not agencies:
            code = f"D{number:06}"
            rows.append((code, f"Đảng bộ cơ quan {place} {number}", "dang_bo_co_so", rng.choice(above)))
            committees.append(code)
            agencies += 1
        elif rng.random() < 0.01:
            rows.append((f"C{number:06}", f"Chi bộ cơ sở cơ quan {place} {number}", "chi_bo_co_so",
                         rng.choice(above)))
        else:
            rows.append((f"C{number:06}", f"Chi bộ thôn {place} {number}", "chi_bo_truc_thuoc",
                         rng.choice(committees)))


def insert_units(plan):
    """Insert the planned units level by level and return their ids by code."""
    ids = {}
    for level in ("tinh", "cap_huyen", "dang_bo_co_so", "chi_bo_co_so", "chi_bo_truc_thuoc"):
        batch = [dict(code=code, name=name, search_name=fold_for_search(name), level=lvl,
                      parent_id=ids.get(parent), token=new_link_token(), created_at=clock.now())
                 for code, name, lvl, parent in plan if lvl == level]
        for start in range(0, len(batch), BATCH):
            db.session.execute(sa.insert(Unit), batch[start:start + BATCH])
        ids.update(db.session.execute(sa.select(Unit.code, Unit.id).filter_by(level=level)).all())
    renumber_units()
    return ids


def insert_reports(survey, reports, rng):
    """Give each unit of `reports` ((id, level, its complete answers)) a random status and, for drafts and
    submissions, one revision: its answers, or part of them for a draft."""
    now = clock.now()
    response_rows, answer_rows = [], []
    for unit_id, level, full in reports:
        status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
        if status == "not_opened":
            continue
        saved = status in ("draft", "submitted")
        submitted = status == "submitted"
        moment = now - dt.timedelta(minutes=rng.randrange(1, 20000))
        response_rows.append(dict(
            unit_id=unit_id, opened_at=moment, revision_count=int(saved), current_number=1 if saved else None,
            submitted_number=1 if submitted else None, submitted_at=moment if submitted else None,
            submitted_late=False, updated_at=moment if saved else None))
        if saved:
            answers = full if submitted else draft_of(survey, level, full, rng)
            answer_rows.append((unit_id, status, moment, answers))
    for start in range(0, len(response_rows), BATCH):
        db.session.execute(sa.insert(Response), response_rows[start:start + BATCH])
    response_ids = dict(db.session.execute(sa.select(Response.unit_id, Response.id)).all())
    revision_rows = [dict(
        response_id=response_ids[unit_id], number=1, action="submit" if status == "submitted" else "save",
        answers=answers, config_version=survey.version, based_on=None, conflict=False, late=False,
        submission_id=uuid.uuid4().hex, link_fingerprint=link_fingerprint(str(unit_id)), created_at=moment,
    ) for unit_id, status, moment, answers in answer_rows]
    for start in range(0, len(revision_rows), BATCH):
        db.session.execute(sa.insert(Revision), revision_rows[start:start + BATCH])
    return len(response_rows), len(revision_rows)


def random_answers(survey, level, rng, complete):
    """Return answers that pass the survey's rules; a draft leaves some questions empty, and every report its
    document's details (blanks to fill by hand, as a unit that has not signed yet)."""
    answers = {}
    for question in survey.questions_for(level):
        if question.document_detail or not question.is_shown(answers):
            continue
        answers[question.id] = question.kind.demo_value(question, rng)
    answers = passing_checks(survey, answers, rng)
    return answers if complete else draft_of(survey, level, answers, rng)


def draft_of(survey, level, answers, rng):
    """Return part of a unit's `answers`, as a draft holds them: some left for later, and never an answer to a
    question that only an answer left out would show."""
    draft = {}
    for question in survey.questions_for(level):
        if question.id in answers and question.is_shown(draft) and rng.random() >= DRAFT_GAPS:
            draft[question.id] = answers[question.id]
    return draft


def answers_adding_up(survey, units, rng):
    """Return complete random answers of every reporting unit among `units` (a whole province), by code.

    Figures that say how large a unit is are those of a real province (see plausible_sizes). A committee's
    consolidated figures are its units' as exports.figures makes them (from the units asked a figure with no
    unit below them asked it too: their sum, or their mean weighted as the config says), so that its own
    report and its units' differ only by the units that have not submitted, or have corrected a figure
    since. Some units copy narrative answers of a neighbour (copy_narratives), as real ones do."""
    children = defaultdict(list)
    for unit in units:
        children[unit.parent_id].append(unit)
    below = levels_below(children)
    answers = {unit.code: plausible_sizes(random_answers(survey, unit.level, rng, complete=True), below[unit.id], rng)
               for unit in units if unit.level in REPORTING_LEVELS}
    consolidated = [q for q in survey.questions.values() if q.is_number and q.consolidate]

    def counted(unit, question):
        """Return the answers of the units under `unit` that count `question`."""
        found = []
        for child in children[unit.id]:
            below = counted(child, question)
            if below:
                found += below
            elif question.id in answers.get(child.code, {}):
                found.append(answers[child.code])
        return found

    def add_up(unit):
        for child in children[unit.id]:
            add_up(child)
        own = answers.get(unit.code)
        if own is None:
            return
        for question in consolidated:
            below = counted(unit, question) if question.id in own else []
            if below:
                own[question.id] = consolidated_figure(question, below)
        passing_checks(survey, own, rng)

    for top in children[None]:
        add_up(top)
    copy_narratives(survey, children, answers, rng)
    return answers


@dataclass(frozen=True)
class Copy:
    """A narrative answer one unit copied from another: both units' codes, the question and how it differs."""

    code: str
    source: str
    question_id: str
    kind: str


def copy_narratives(survey, children, answers, rng):
    """Have COPYING_SHARE of the units of `answers` (by code) copy some of their narrative answers from another
    unit of their level under the same committee (`children`: units by parent's id); return the Copy records."""
    narratives = [question for question in survey.questions.values() if question.is_narrative]
    copies = []
    for siblings in children.values():
        by_level = defaultdict(list)
        for unit in siblings:
            if unit.code in answers:
                by_level[unit.level].append(unit.code)
        for codes in by_level.values():
            for position, code in enumerate(codes):
                if len(codes) > 1 and rng.random() < COPYING_SHARE:
                    source = codes[(position + rng.randrange(1, len(codes))) % len(codes)]
                    copies += copy_answers(narratives, answers, code, source, rng)
    return copies


def copy_answers(narratives, answers, code, source, rng):
    """Copy into the answers of unit `code` some of the narrative answers of unit `source` both have, each
    changed as one of COPY_KINDS; return their Copy records."""
    target = answers[code]
    shared = [question for question in narratives if question.id in answers[source] and question.id in target]
    copies = []
    for question in rng.sample(shared, rng.randint(1, len(shared))) if shared else []:
        kind = rng.choices(list(COPY_KINDS), weights=list(COPY_KINDS.values()))[0]
        target[question.id] = copied_text(answers[source][question.id], question, kind, rng)
        copies.append(Copy(code, source, question.id, kind))
    return copies


def copied_text(text, question, kind, rng):
    """Return `text` as a copy of `kind` has it, within the question's max_length."""
    if kind == "spacing":
        changed = "\n".join(sentences_of(text)) if rng.random() < 0.5 else text.replace(". ", ".  ")
    elif kind == "one_sentence":
        sentences = sentences_of(text)
        sentences[rng.randrange(len(sentences))] = narrative_sentence(question.id, rng)
        changed = " ".join(sentences)
    else:
        changed = text
    return changed if len(changed) <= question.max_length else text


def levels_below(children):
    """Return, for each unit's id, how many units of each level its subtree holds below it (a Counter)."""
    below = {}

    def count(unit):
        found = Counter()
        for child in children[unit.id]:
            found[child.level] += 1
            found += count(child)
        below[unit.id] = found
        return found

    for top in children[None]:
        count(top)
    return below


def plausible_sizes(answers, below, rng):
    """Set the shipped survey's figures about a unit's size (SIZES) as a real province has them, and return
    `answers`. `below` counts the levels of the units under the unit. A committee's own members, and every
    figure it adds up from its units, are then set to its units' by answers_adding_up."""
    cells = sum(below[level] for level in CELL_LEVELS)
    grassroots = sum(below[level] for level in GRASSROOTS_LEVELS)
    for question_id, size in SIZES:
        if question_id in answers:
            answers[question_id] = size(answers, cells, grassroots, rng)
    return answers


def share(whole, span, rng):
    """Return a random share of `whole` within `span` (fractions), rounded down: rounding to the nearest could
    pass the span's top (8% of 19 members is 1.52, and 2 exempted would be over a tenth)."""
    return int(whole * rng.uniform(*span))


#: The shipped survey's figures about a unit's size, each made from (answers, the cells under the unit, the
#: grassroots organisations under it, rng), in this order: a cell's members a few dozen, a small share of them
#: exempted; a committee's cells and grassroots organisations those of the unit list below it, the cells that
#: met every month or quarter and the conferences a standing member attended a share of them.
SIZES = (
    ("so_dang_vien", lambda answers, cells, grassroots, rng: rng.randint(*CELL_MEMBERS)),
    ("so_dang_vien_mien_sinh_hoat",
     lambda answers, cells, grassroots, rng: share(answers.get("so_dang_vien", 0), EXEMPTED_SHARE, rng)),
    ("so_chi_bo_truc_thuoc", lambda answers, cells, grassroots, rng: cells),
    ("so_chi_bo_du_12_ky", lambda answers, cells, grassroots, rng: share(cells, CELLS_SHARE, rng)),
    ("so_chi_bo_chuyen_de_hang_quy", lambda answers, cells, grassroots, rng: share(cells, CELLS_SHARE, rng)),
    ("so_to_chuc_co_so_dang", lambda answers, cells, grassroots, rng: grassroots),
    ("so_hoi_nghi_uv_btv_du", lambda answers, cells, grassroots, rng: share(grassroots, ATTENDED_SHARE, rng)),
)


def consolidated_figure(question, answers):
    """Return the sum or the (weighted) mean of `question` over units' `answers`, as the question is written."""
    values = [unit_answers[question.id] for unit_answers in answers]
    if question.consolidate == "sum":
        return sum(values)
    weights = [unit_answers.get(question.weight, 0) for unit_answers in answers] if question.weight else []
    if not sum(weights):
        weights = [1] * len(values)
    mean = sum(value * weight for value, weight in zip(values, weights, strict=True)) / sum(weights)
    return round(mean) if question.type == "integer" else round(mean, 1)


def corrected_answers(survey, level, answers, rng, count=2):
    """Return a copy of `answers` with `count` of its figures given again, as a unit correcting its report
    does; still passing the survey's rules. A unit's size (SIZES) stays: a correction is of what it did."""
    sizes = dict(SIZES)
    figures = [q for q in survey.questions_for(level) if q.kind.is_number and q.id in answers and q.id not in sizes]
    corrected = dict(answers)
    for question in rng.sample(figures, min(count, len(figures))):
        corrected[question.id] = question.kind.demo_value(question, rng)
    return passing_checks(survey, corrected, rng)


def passing_checks(survey, answers, rng):
    """Mend the answers that break a cross-question check, so that the whole passes the survey's rules."""
    for check in survey.checks:
        if check.left in answers and check.right in answers and check.fails(answers):
            answers[check.left] = (rng.choice(answers[check.right]) if check.op == "in"
                                   else answers[check.right])
    return answers
