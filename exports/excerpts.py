"""The chosen excerpts sheet: the passages the scope's committee chose for its draft, item by item in the
outline's order, each in the committee's order, with its unit, its note and whether the unit's answer has
changed since it was picked (consolidation.excerpts)."""

import sqlalchemy as sa
from flask_babel import gettext as _

from consolidation.answer_texts import narrative_questions
from consolidation.excerpts import excerpts_of
from models import Unit, db

from .formats import start_table, write_text_row

HEADERS = (("section", 8), ("question_code", 16), ("question", 34), ("order", 8), ("unit_code", 12),
           ("unit", 26), ("passage", 80), ("note", 30), ("changed", 16))


def header_labels():
    return {
        "section": _("Section"), "question_code": _("Question code"), "question": _("Question"),
        "order": _("Order"), "unit_code": _("Unit code"), "unit": _("Unit"), "passage": _("Passage"),
        "note": _("Note"), "changed": _("Answer changed since"),
    }


def committee_of(source):
    """Return the committee whose excerpts the workbook gives: the scope unit, the province for the whole."""
    if source.scope is not None:
        return source.scope
    return db.session.scalar(sa.select(Unit).where(Unit.level == "tinh").order_by(Unit.id).limit(1))


def write_excerpts_sheet(sheet, formats, survey, source):
    labels = header_labels()
    widths = [width for _key, width in HEADERS]
    start_table(sheet, formats, [labels[key] for key, _width in HEADERS], widths)
    committee = committee_of(source)
    chosen = excerpts_of(committee) if committee is not None else []
    row = 1
    for question in narrative_questions(survey):
        item = [found for found in chosen if found.excerpt.question_id == question.id]
        for number, found in enumerate(item, start=1):
            write_text_row(sheet, formats, row, (
                question.section_number, question.id, str(question.label), str(number), found.unit.code,
                found.unit.name, found.excerpt.passage, found.excerpt.note or "",
                _("Yes") if found.changed else _("No")), widths)
            row += 1
    sheet.autofilter(0, 0, max(row - 1, 1), len(HEADERS) - 1)
