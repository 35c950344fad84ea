"""The returned reports sheet: each unit of the scope whose report its committee above returned for completion
and that has not submitted again, with the reason, the notes by question and the last day given."""

from flask_babel import gettext as _

from reports.review import returned_reports
from schema import level_label
from schema.model import day_text

from .formats import start_table, write_text_row

WIDTHS = (12, 28, 16, 9, 17, 14, 40, 60, 12)


def write_returns_sheet(sheet, formats, survey, scope):
    headers = (_("Unit code"), _("Unit"), _("Level"), _("Version"), _("Returned on"), _("By"), _("Reason"),
               _("Notes by question"), _("Last day to correct"))
    start_table(sheet, formats, headers, WIDTHS)
    row = 0
    for row, (code, name, level, review, username) in enumerate(returned_reports(scope), start=1):
        notes = "\n".join(f"{question_label(survey, question_id)}: {note}"
                           for question_id, note in review.notes.items())
        write_text_row(sheet, formats, row, (code, name, str(level_label(level)), str(review.revision_number), "",
                                             username, review.reason or "", notes, day_text(review.open_until)),
                       WIDTHS)
        sheet.write_datetime(row, 4, survey.local(review.created_at), formats.datetime)
    sheet.autofilter(0, 0, max(row, 1), len(headers) - 1)


def question_label(survey, question_id):
    """The question a note is on, as the outline names it; its code if the config no longer has it."""
    question = survey.questions.get(question_id)
    return f"{question.section_number} {question.label}".strip() if question else question_id
