"""The Organisation Committee's workbook, written row by row in XlsxWriter's constant-memory mode."""

import contextlib
from contextlib import contextmanager
from dataclasses import dataclass

import xlsxwriter
from flask_babel import gettext as _

import clock
from consolidation.answer_texts import narrative_questions
from consolidation.figures import consolidation_columns
from consolidation.statistics import Statistics
from consolidation.summaries import current_summaries
from schema import level_label, other_key
from schema.model import speaking

from .columns import retired_column, unit_columns
from .comments import CommentedQuestion, CopyGroups, write_comments_sheet
from .dictionary import write_dictionary_sheet
from .differences import write_differences_sheet
from .excerpts import write_excerpts_sheet
from .figures import FiguresSheet, write_totals_sheet
from .formats import Formats
from .key_phrases import write_key_phrases_sheet
from .progress import ProgressSheet
from .returns import write_returns_sheet
from .statistics import write_statistics_sheet

#: User text is never read as a number, a formula or a link. Every cell, formatted or not, aligns at the top:
#: a row's short cells (a unit's code and name) beside its tall one (its answer) then read as one line, not as
#: the caption of the row below.
WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "default_format_properties": {"font_name": "Calibri", "font_size": 11, "valign": "top"},
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
}


@dataclass(frozen=True)
class ExportSummary:
    units: int
    #: Answers longer than one cell, written over several rows of the comments sheet.
    split_answers: int
    retired_questions: tuple


class RowForgettingWorksheet(xlsxwriter.worksheet.Worksheet):
    """A worksheet that forgets a row's height once the row is on disk. In constant-memory mode XlsxWriter
    writes each row as the next one starts but keeps every set_row() until the end, so a sheet that sets
    the height of each of its rows (the comments sheet) would grow with the number of units. (The sizes
    serve to place images; no sheet that sets row heights has one.)"""

    def _write_single_row(self, current_row_num=0):
        written = self.previous_row
        super()._write_single_row(current_row_num)
        self.row_info.pop(written, None)
        self.row_sizes.pop(written, None)


def sheet_names():
    return {
        "figures": _("Figures"), "totals": _("Totals by committee"), "differences": _("Differences"),
        "comments": _("Comments"), "key_phrases": _("Main key phrases"), "excerpts": _("Chosen excerpts"),
        "progress": _("Progress"), "returns": _("Returned reports"), "statistics": _("Statistics"),
        "questions": _("Questions"),
    }


@contextmanager
def open_workbook(target, tmpdir):
    """Open a workbook whose sheets keep their rows in temporary files in `tmpdir`, and close those files
    if the writing fails: their space (hundreds of MB for a province) comes back at once, not whenever
    the garbage collector frees the workbook."""
    workbook = xlsxwriter.Workbook(target, {**WORKBOOK_OPTIONS, "tmpdir": tmpdir})
    try:
        yield workbook
    except BaseException:
        for sheet in workbook.worksheets():
            close_sheet_files(sheet)
        raise


def close_sheet_files(sheet):
    """Close a sheet's rows file, as Workbook.close() does once the file is written, and its part of the file if
    writing the file failed on it. Each is closed even when flushing it fails too (the disk still full)."""
    files = [sheet.row_data_fh] if sheet.constant_memory else []
    if getattr(sheet, "internal_fh", False):
        files.append(sheet.fh)
    for file in files:
        with contextlib.suppress(OSError):
            file.close()


def write_workbook(target, survey, source, *, language="vi", now=None, on_unit=None, tmpdir=None):
    """Write the whole workbook for the units of `source` to `target` (a path or a binary file); XlsxWriter
    keeps its temporary files in `tmpdir` (by default the system's temporary folder)."""
    now = now or clock.now()
    local_time = survey.local
    with speaking(language), open_workbook(target, tmpdir) as workbook:
        formats = Formats(workbook)
        names = sheet_names()
        sheets = {key: workbook.add_worksheet(name, RowForgettingWorksheet) for key, name in names.items()}
        figures_questions = [q for q in survey.outline_questions() if not q.is_narrative]
        retired = retired_question_ids(survey, source.answered_question_ids())
        columns = unit_columns(survey.deadline_for, now)
        for question in figures_questions:
            columns += question.kind.columns(question)
        columns += [retired_column(question_id) for question_id in retired]
        columns += consolidation_columns(columns, source.levels_below())

        title = _("%(title)s — exported %(time)s", title=survey.title, time=local_time(now).strftime("%d/%m/%Y %H:%M"))
        figures = FiguresSheet(sheets["figures"], formats, columns, title, local_time)
        progress = ProgressSheet(sheets["progress"], formats, survey, local_time, now)
        stats = Statistics(figures_questions)
        units = 0
        for record in source.units(answer_keys(figures_questions, retired)):
            figures.add(record)
            progress.add(record)
            stats.add(record)
            units += 1
            if on_unit:
                on_unit()
        figures.finish()
        progress.finish()
        write_totals_sheet(sheets["totals"], formats, figures, names["figures"], level_name)
        write_differences_sheet(sheets["differences"], formats, figures, level_name)
        commented = commented_questions(survey, figures)
        summaries = current_summaries(source.scope, source.include_drafts, narrative_questions(survey))
        split = write_comments_sheet(sheets["comments"], formats, commented, source.texts_with_unit_ids,
                                     CopyGroups(summaries))
        write_key_phrases_sheet(sheets["key_phrases"], formats, survey, summaries)
        write_excerpts_sheet(sheets["excerpts"], formats, survey, source)
        write_returns_sheet(sheets["returns"], formats, survey, source.scope)
        write_statistics_sheet(workbook, sheets["statistics"], formats, stats)
        write_dictionary_sheet(sheets["questions"], formats, survey, retired)
        workbook.close()
    return ExportSummary(units=units, split_answers=split, retired_questions=tuple(retired))


def commented_questions(survey, figures):
    """Return the narrative questions, then every other text too long for its cell on the figures sheet."""
    questions = [CommentedQuestion(q.section_number, q.id, str(q.label))
                 for q in survey.outline_questions() if q.is_narrative]
    for column in figures.columns:
        if column.code in figures.overflow:
            question = survey.questions.get(column.code)
            questions.append(CommentedQuestion(question.section_number if question else "", column.code,
                                               column.label, frozenset(figures.overflow[column.code])))
    return questions


def level_name(level):
    return str(level_label(level))


def retired_question_ids(survey, answered):
    """Return the answer keys that no question of the current config gives, sorted."""
    return sorted(answered - survey.known_answer_keys())


def answer_keys(questions, retired):
    keys = []
    for question in questions:
        keys.append(question.id)
        if question.other:
            keys.append(other_key(question.id))
    return keys + list(retired)
