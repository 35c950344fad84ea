"""A committee's consolidated draft as a Word document: what documents.consolidated reads, laid out as a
party report (documents.layout) issued by the committee and marked DỰ THẢO, for it to edit and sign.

The document: the header and title; the base ("tổng hợp từ X/Y báo cáo (Z%)", late and missing by level);
each item of the outline with its figures (a small table, the shares as "x/y chi bộ (z%)") and its texts
(the committee's own, those of the committees directly under it, excerpts from cells); the signature; and
three annexes: the figures of each unit directly under the scope, the units still missing, and the
committees whose own figures differ from their units'.
"""

from dataclasses import dataclass

from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from flask_babel import gettext as _

import clock
from consolidation.statistics import LEVEL_GROUPS, share_text
from reports.status import STATUS_LABELS
from schema import level_label
from schema.model import speaking
from schema.types import format_number

from .consolidated import RATE_BANDS, ChoiceFigure, NumberFigure, OwnAnswer, read_consolidated_draft
from .issuers import addressee_of
from .layout import (
    LAYOUT,
    drop_trailing_spacer,
    heading,
    issuer_of,
    new_document,
    paragraph,
    shrink_trailing_spacer,
    table,
    text,
    write_heading,
    write_signature,
)

#: Number columns per table of the per-unit annex, beside the unit's name and its reports: an A4 page's width.
ANNEX_COLUMNS = 4
#: The paragraph style of the annexes' cells (see long_table).
ANNEX_CELL_STYLE = "Annex cell"
#: The signer's title printed under the authority, for the committee to correct.
SIGNER_TITLE = "Bí thư"


@dataclass(frozen=True)
class DraftSummary:
    units: int
    submitted: int


def write_consolidated_draft(target, survey, source, scope, *, now=None, on_unit=None):
    """Write the consolidated draft of `scope` (a unit; the province for the whole list) read from `source`
    to `target` (a path or a binary file); return a DraftSummary. The draft is in Vietnamese, as the party
    writes, whatever the reader's language."""
    now = now or clock.now()
    with speaking("vi"):
        draft = read_consolidated_draft(survey, source, scope, now, on_unit)
        document = DraftDocument(draft, survey, scope).write()
        document.save(target)
    return DraftSummary(units=draft.total.units, submitted=draft.total.submitted)


def percent(count, whole):
    return format_number(round(100 * count / whole, 1)) if whole else "0"


def figure_text(value, question):
    """Write a figure across levels: a rate in percent, a mean to one decimal, a sum whole."""
    if value is None:
        return ""
    shown = format_number(round(value, 1))
    return shown + "%" if question.kind.summary == "rates" else shown


def units_noun(group):
    return str(LEVEL_GROUPS[group][2])


class DraftDocument:
    def __init__(self, draft, survey, scope):
        self.draft, self.survey, self.scope = draft, survey, scope
        self.issuer = issuer_of(scope)
        #: The survey's title, subject, closing and recipients, as a unit's report has them.
        self.texts = survey.document_texts()
        self.document = new_document()

    def write(self):
        draft, document = self.draft, self.document
        write_heading(document, self.issuer, number="", day=None, title=self.texts.title, subject=self.texts.subject,
                      draft=True)
        self.write_base()
        for item in draft.items:
            if item.said:
                self.write_item(item)
        if self.texts.closing:
            paragraph(document, self.texts.closing)
        write_signature(document, self.issuer, signer_name="", signer_title=SIGNER_TITLE,
                        recipients=self.recipients())
        self.write_annexes()
        return document

    def recipients(self):
        """Return the config's recipients for the scope's level ("{above}": the committee above it)."""
        parent = self.scope.parent
        above = addressee_of(parent) if parent is not None else ""
        return [recipient.format(above=above) for recipient in self.texts.recipients.get(self.scope.level, ())]

    # --- The opening -----------------------------------------------------------------------------------

    def write_base(self):
        draft, total = self.draft, self.draft.total
        moment = self.survey.local(draft.now).strftime("%H giờ %M, ngày %d/%m/%Y")
        paragraph(self.document, _(
            "This draft is consolidated from %(submitted)s/%(units)s reports (%(percent)s%%) of the units of "
            "%(scope)s submitted by %(time)s: %(late)s submitted late, %(missing)s not yet submitted "
            "(%(overdue)s of them past their deadline).",
            submitted=total.submitted, units=total.units, percent=percent(total.submitted, total.units),
            scope=draft.scope_name, time=moment, late=total.late, missing=total.missing, overdue=total.overdue))
        paragraph(self.document, _(
            "Of them, %(accepted)s/%(submitted)s reports have been accepted by the committee above after review "
            "(%(percent)s%%).", accepted=total.accepted, submitted=total.submitted,
            percent=percent(total.accepted, total.submitted)))
        for row in draft.base:
            paragraph(self.document, _(
                "- %(level)s: %(submitted)s/%(units)s reports (%(percent)s%%), %(late)s submitted late, "
                "%(missing)s not yet submitted.", level=level_label(row.level), submitted=row.submitted,
                units=row.units, percent=percent(row.submitted, row.units), late=row.late, missing=row.missing))
        paragraph(self.document, _(
            "Only submitted reports are counted. Each member is counted once: a count is added up over the units "
            "that answer it with no unit below them answering it too (members over the cells), a rate is "
            "averaged over the cells weighted by their members, and a committee's own figures are shown beside "
            "the figures of its units, not added to them."))
        if draft.own_submitted:
            paragraph(self.document, _("The answers of the report %(scope)s submitted itself open each item.",
                                       scope=draft.scope_name))

    # --- An item of the outline ---------------------------------------------------------------------------

    def write_item(self, item):
        section = item.section
        separator = "- " if item.depth == 1 else ". "
        heading(self.document, f"{section.number}{separator}{section.title}", item.depth)
        numbers = [figure for figure in item.figures if isinstance(figure, NumberFigure)]
        if numbers:
            self.write_numbers(numbers)
        for figure in item.figures:
            if isinstance(figure, NumberFigure) and figure.bands:
                self.write_bands(figure)
            elif isinstance(figure, ChoiceFigure):
                self.write_choice(figure)
            elif isinstance(figure, OwnAnswer):
                paragraph(self.document, figure.text, lead=f"{figure.question.label}:")
        several = len(item.narratives) > 1 or bool(item.figures)
        for narrative in item.narratives:
            self.write_narrative(narrative, several)

    def write_numbers(self, figures):
        header = [_("Figure"), _("Consolidated"), _("How it is made")]
        own = self.draft.own_submitted
        if own:
            header.append(_("As %(scope)s reported it", scope=self.draft.scope_name))
        rows = []
        for figure in figures:
            row = [str(figure.question.label), figure_text(figure.value, figure.question), self.how(figure)]
            if own:
                row.append(figure_text(figure.own, figure.question))
            rows.append(row)
        table(self.document, header, rows, numbers_widths(own))

    def how(self, figure):
        units = units_noun(figure.group)
        if figure.total == "sum":
            return _("sum over %(count)s %(units)s", count=figure.units, units=units)
        spread = ""
        if figure.low is not None:
            spread = " " + _("(lowest %(low)s, highest %(high)s)", low=figure_text(figure.low, figure.question),
                             high=figure_text(figure.high, figure.question))
        if figure.weight is not None:
            return _("mean over %(count)s %(units)s, weighted by “%(weight)s”", count=figure.units, units=units,
                     weight=figure.weight.label) + spread
        return _("mean over %(count)s %(units)s", count=figure.units, units=units) + spread

    def write_bands(self, figure):
        answered = sum(figure.bands)
        if not answered:
            return
        paragraph(self.document, _("%(units)s by %(question)s:", units=str(LEVEL_GROUPS[figure.group][1]),
                                   question=figure.question.label))
        rows = [[band_label(index), share_text(count, answered, figure.group)]
                for index, count in enumerate(figure.bands)]
        table(self.document, [_("Rate"), _("Units")], rows)

    def write_choice(self, figure):
        question = figure.question
        header = [str(question.label), share_header(figure.group)]
        if figure.focus is not None:
            header.append(str(figure.focus.label))
        rows = []
        for index, (label, count) in enumerate(figure.rows):
            row = [label, share_text(count, figure.answered, figure.group)]
            if figure.focus is not None:
                row.append(share_text(figure.focus_rows[index][1], figure.focus_answered, figure.group))
            if count or (figure.focus is not None and figure.focus_rows[index][1]):
                rows.append(row)
        if rows:
            table(self.document, header, rows)
        for own, asked in ((figure.own, question), (figure.focus_own, figure.focus)):
            if own:
                paragraph(self.document, own, lead=_("%(question)s, as %(scope)s reported it:",
                                                     question=asked.label, scope=self.draft.scope_name))

    def write_narrative(self, narrative, labelled):
        document, question = self.document, narrative.question
        if labelled:
            heading(document, str(question.label), 4)
        if narrative.own:
            paragraph(document, narrative.own)
        for quote in narrative.committees:
            self.write_quote(quote)
        if narrative.excerpts:
            paragraph(document, _("From the reports of the cells:"))
            for quote in narrative.excerpts:
                self.write_quote(quote)
        for group in narrative.groups:
            paragraph(document, group_phrases_text(group))
        if narrative.chosen:
            paragraph(document, _("Quoted from the reports:"))
            for quote in narrative.chosen:
                self.write_quote(quote)
        elif narrative.representatives:
            paragraph(document, _("What many units wrote:"))
            for representative in narrative.representatives:
                paragraph(document, _("“%(sentence)s” (%(count)s units wrote something close)",
                                      sentence=representative.text.strip(), count=representative.unit_count),
                          lead=f"{representative.unit_name}:")

    def write_quote(self, quote):
        who = quote.unit_name if not quote.within else f"{quote.unit_name} ({quote.within})"
        paragraph(self.document, f"“{quote.text}”", lead=f"{who}:")

    # --- Annexes ----------------------------------------------------------------------------------------------

    def write_annexes(self):
        draft, document = self.draft, self.document
        number = 0
        if any(row.code for row in draft.committees):
            number += 1
            self.annex_title(number, _("Figures of each committee directly under %(scope)s", scope=draft.scope_name))
            self.write_committees()
        number += 1
        self.annex_title(number, _("Units that have not submitted their report"))
        self.write_missing()
        number += 1
        self.annex_title(number, _("Committees whose own figures differ from the figures of their units"))
        self.write_differences()
        shrink_trailing_spacer(document)
        return document

    def annex_title(self, number, title):
        """Start an annex on a new page: its heading starts the page itself, right after the table before it."""
        drop_trailing_spacer(self.document)
        heading(self.document, _("Annex %(number)s", number=number), 1).paragraph_format.page_break_before = True
        heading(self.document, title, 2)

    def write_committees(self):
        draft = self.draft
        for start in range(0, len(draft.number_questions), ANNEX_COLUMNS):
            questions = draft.number_questions[start:start + ANNEX_COLUMNS]
            header = [_("Unit"), _("Reports submitted"), *(str(question.label) for question in questions)]
            rows = []
            for row in draft.committees:
                name = row.name if row.code else _("Cells directly under %(scope)s", scope=draft.scope_name)
                values = row.values[start:start + ANNEX_COLUMNS]
                rows.append([name, f"{row.submitted}/{row.units}",
                             *(figure_text(value, question) for value, question in zip(values, questions,
                                                                                        strict=True))])
            long_table(self.document, header, rows, annex_widths(len(header) - 1))

    def write_missing(self):
        draft = self.draft
        if not draft.missing_count:
            paragraph(self.document, _("Every unit has submitted its report."))
            return
        paragraph(self.document, _("%(count)s units have not submitted their report.", count=draft.missing_count))
        rows = [[str(number), unit.name, str(level_label(unit.level)), unit.within, str(STATUS_LABELS[unit.status])]
                for number, unit in enumerate(draft.missing, start=1)]
        long_table(self.document, [_("No."), _("Unit"), _("Level"), _("Under"), _("Status")], rows,
                   missing_widths())
        if draft.missing_count > len(draft.missing):
            paragraph(self.document, _(
                "And %(count)s more: the page of units still missing lists them all.",
                count=draft.missing_count - len(draft.missing)))

    def write_differences(self):
        draft = self.draft
        if draft.differences:
            rows = [[row.name, str(row.question.label), figure_text(row.own, row.question),
                     figure_text(row.computed, row.question), figure_text(row.own - row.computed, row.question),
                     str(row.not_submitted)] for row in draft.differences]
            long_table(self.document, [_("Committee"), _("Figure"), _("Own answer"), _("Units' figure"),
                                       _("Difference"), _("Not submitted")], rows, differences_widths())
        else:
            paragraph(self.document, _("The own figures of %(scope)s and of the committees directly under it agree "
                                       "with the figures of their units.", scope=draft.scope_name))
        if draft.other_differences:
            paragraph(self.document, _(
                "%(count)s committees lower down also report figures that differ from their units': the "
                "workbook's differences sheet lists them.", count=draft.other_differences))


def numbers_widths(own):
    """Return the numbers table's column widths in mm, with a column for the scope's own answer or not."""
    others = [LAYOUT.total_column_mm, LAYOUT.how_column_mm, *([LAYOUT.own_column_mm] if own else [])]
    return [LAYOUT.text_width_mm - sum(others), *others]


def annex_widths(figures):
    """Return the widths in mm of a table of units' figures: the name as wide as the figures leave, at least
    LAYOUT.name_column_mm, so that a name takes two lines rather than five."""
    number = min(LAYOUT.number_column_mm, (LAYOUT.text_width_mm - LAYOUT.name_column_mm) / figures)
    return [LAYOUT.text_width_mm - number * figures, *[number] * figures]


def missing_widths():
    """Return the widths in mm of the missing units' table: No., unit, level, under, status."""
    label, name = LAYOUT.label_column_mm, LAYOUT.name_column_mm
    return [LAYOUT.row_number_column_mm, name, label, LAYOUT.text_width_mm - LAYOUT.row_number_column_mm - name
            - 2 * label, label]


def differences_widths():
    """Return the widths in mm of the differences' table: committee, figure, then four numbers."""
    name = (LAYOUT.text_width_mm - 4 * LAYOUT.number_column_mm) / 2
    return [name, name, *[LAYOUT.number_column_mm] * 4]


def group_phrases_text(group):
    """Write how many units of a level group answered an item and the key phrases they use: "12/16 chi bộ
    nêu: sinh hoạt chuyên đề (9), tự phê bình và phê bình (7)."."""
    units = units_noun(group.group)
    if not group.phrases:
        return _("%(answered)s/%(submitted)s %(units)s answered.", answered=group.answered,
                 submitted=group.submitted, units=units)
    phrases = ", ".join(f"{phrase} ({count})" for phrase, count in group.phrases)
    return _("%(answered)s/%(submitted)s %(units)s wrote of: %(phrases)s.", answered=group.answered,
             submitted=group.submitted, units=units, phrases=phrases)


def band_label(index):
    low = RATE_BANDS[index]
    if index == 0:
        return _("under %(high)s%%", high=RATE_BANDS[1])
    if index == len(RATE_BANDS) - 1:
        return _("%(low)s%% and over", low=low)
    return _("%(low)s%% to under %(high)s%%", low=low, high=RATE_BANDS[index + 1])


def share_header(group):
    return _("%(units)s that chose it", units=units_noun(group))


def long_table(document, header, rows, widths_mm):
    """Write a table of many rows: layout's table with its header, then rows whose cells each hold one
    paragraph in the annex cell style, made directly in the XML. A province's annexes have thousands of
    cells, and a cell formatted one by one holds some 2 kB of memory while the document is built."""
    grid = table(document, header, [], widths_mm)
    style = annex_cell_style(document)
    for values in rows:
        row = OxmlElement("w:tr")
        for value in values:
            cell, line, properties, style_name, run, content = (
                OxmlElement(tag) for tag in ("w:tc", "w:p", "w:pPr", "w:pStyle", "w:r", "w:t"))
            style_name.set(qn("w:val"), style.style_id)
            content.set(qn("xml:space"), "preserve")
            content.text = text(value)
            properties.append(style_name)
            run.append(content)
            line.extend((properties, run))
            cell.append(line)
            row.append(cell)
        grid._tbl.append(row)
    return grid


def annex_cell_style(document):
    """Return the paragraph style of the annexes' cells, made once: the table size of the layout."""
    styles = document.styles
    if ANNEX_CELL_STYLE in [style.name for style in styles]:
        return styles[ANNEX_CELL_STYLE]
    style = styles.add_style(ANNEX_CELL_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles["Normal"]
    style.font.size = Pt(LAYOUT.table_pt)
    return style
