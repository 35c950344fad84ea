"""The key phrases sheet: per narrative item and level group, the terms most units used, each with its
units out of those that answered (the item summaries of consolidation.summaries)."""

from flask_babel import gettext as _

from consolidation.answer_texts import narrative_questions
from consolidation.statistics import LEVEL_GROUPS, groups_asked, share_text

from .formats import start_table, write_text_row

HEADERS = (("section", 8), ("question_code", 16), ("question", 40), ("level", 26), ("phrase", 34),
           ("units", 10), ("answered", 10), ("share", 10), ("as_written", 26))


def header_labels():
    return {
        "section": _("Section"), "question_code": _("Question code"), "question": _("Question"),
        "level": _("Level"), "phrase": _("Key phrase"), "units": _("Units using it"),
        "answered": _("Units that answered"), "share": _("Share"), "as_written": _("As a report writes it"),
    }


def write_key_phrases_sheet(sheet, formats, survey, summaries):
    """Write a row per key phrase of each narrative item and level group, from the items' summaries
    ({question id: ItemSummary}, consolidation.summaries.current_summaries)."""
    labels = header_labels()
    widths = [width for _key, width in HEADERS]
    start_table(sheet, formats, [labels[key] for key, _width in HEADERS], widths)
    row = 1
    for question in narrative_questions(survey):
        summary = summaries[question.id]
        for group in groups_asked(question):
            count = summary.answered.get(group, 0)
            for phrase, units in summary.key_phrases.get(group, ()) if count else ():
                write_text_row(sheet, formats, row, (question.section_number, question.id, str(question.label),
                                                     str(LEVEL_GROUPS[group][1]), phrase), widths)
                sheet.write_number(row, 5, units, formats.integer)
                sheet.write_number(row, 6, count, formats.integer)
                sheet.write_number(row, 7, units / count, formats.percent)
                formats.text.write(sheet, row, 8, share_text(units, count, group))
                row += 1
    sheet.autofilter(0, 0, max(row - 1, 1), len(HEADERS) - 1)
