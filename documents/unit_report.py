"""A unit's report as a party document: its answers along the outline, in the layout of the rule.

`unit_report` turns a unit's answers into plain parts (header, body blocks, signature), which two writers
share: `write_unit_report` (the .docx) and the printed page (templates/survey/_document.html). The
document is in Vietnamese whatever the reader's language, as the party writes it.
"""

import datetime as dt
import io
import re
from dataclasses import dataclass

from schema.model import speaking

from .issuers import Issuer, addressee_of, issuer_of
from .layout import (
    date_line,
    heading,
    heading_text,
    new_document,
    number_line,
    paragraph,
    recipient_lines,
    subject_lines,
    table,
    write_heading,
    write_signature,
)

#: From how many figures in one section they are written as a table rather than as sentences.
TABLE_FROM = 3
TABLE_HEADER = ("Nội dung", "Số liệu")
#: The signer's title when the unit has not chosen one.
DEFAULT_SIGNER_TITLE = "Bí thư"
#: A label's unit in brackets ("Tỷ lệ ... (%)"), which the answer repeats ("92,5%").
LABEL_UNIT = re.compile(r"\s*\(%\)$")


@dataclass(frozen=True)
class Block:
    """One part of the body: a heading, a paragraph or a small table."""

    kind: str  # "heading", "paragraph" or "table"
    text: str = ""
    #: A heading's depth in the outline: 1 for I, II ...; 2 for 1, 2 ...
    level: int = 0
    #: A paragraph's opening words, in italic: the question, where a section asks several texts.
    lead: str = ""
    #: A table's rows, its header first.
    rows: tuple = ()


@dataclass(frozen=True)
class UnitReport:
    issuer: Issuer
    number: str
    day: dt.date | None
    title: str
    subject: str
    draft: bool
    blocks: tuple
    signer_name: str
    signer_title: str
    recipients: tuple

    @property
    def title_line(self):
        return self.title.upper()

    @property
    def subject_lines(self):
        return subject_lines(self.subject)

    @property
    def number_line(self):
        return number_line(self.number, self.issuer)

    @property
    def date_line(self):
        return date_line(self.issuer.place, self.day)

    @property
    def recipient_lines(self):
        return recipient_lines(self.issuer, self.recipients)


def unit_report(survey, unit, answers, *, draft):
    """Return the report of `unit` from its `answers`; `draft` marks it DỰ THẢO (not submitted)."""
    document = survey.document_texts()
    details = {role: answers.get(question_id) for role, question_id in document.details.items()}
    with speaking("vi"):
        blocks = [block for section in survey.sections if not section.document_details
                  for block in section_blocks(section, 1, unit.level, answers)]
        if document.closing:
            blocks.append(Block("paragraph", document.closing))
        signer_title = chosen_label(survey.questions.get(document.details.get("signer_title")), answers)
    above = addressee_of(unit.parent) if unit.parent is not None else ""
    return UnitReport(
        issuer=issuer_of(unit),
        number=details.get("number") or "",
        day=dt.date.fromisoformat(details["date"]) if details.get("date") else None,
        title=document.title,
        subject=document.subject,
        draft=draft,
        blocks=tuple(blocks),
        signer_name=details.get("signer_name") or "",
        signer_title=signer_title.upper(),
        recipients=(*(recipient.format(above=above) for recipient in document.recipients.get(unit.level, ())),
                    *(details.get("recipients") or "").splitlines()),
    )


def chosen_label(question, answers):
    """Return the label of the signer's title as chosen, else the question's first choice."""
    if question is None or not question.choices:
        return DEFAULT_SIGNER_TITLE
    value = answers.get(question.id) or question.choices[0].value
    return str(question.kind.label(question, value))


def section_blocks(section, depth, level, answers):
    """Return a section's heading and what it holds, or nothing if the unit left all of it blank."""
    inner = answer_blocks(section, level, answers)
    for child in section.sections:
        inner += section_blocks(child, depth + 1, level, answers)
    if not inner:
        return []
    number = f"{section.number}{'- ' if depth == 1 else '. '}" if section.number else ""
    return [Block("heading", heading_text(f"{number}{section.title}", depth), level=depth), *inner]


def is_answered(value):
    return value is not None and value != "" and value != []


def label(question):
    return LABEL_UNIT.sub("", str(question.label))


def answer_text(question, answers):
    return question.kind.text(question, answers[question.id], answers)


def answer_blocks(section, level, answers):
    """Return the section's answers: texts as paragraphs, other answers as sentences, and figures as a table
    where there are several."""
    asked = [q for q in section.questions if q.applies_to(level) and q.is_shown(answers)]
    answered = [q for q in asked if is_answered(answers.get(q.id))]
    figures = [q for q in answered if q.is_number]
    tabled = len(figures) >= TABLE_FROM
    several_texts = sum(1 for q in asked if q.is_narrative) > 1
    blocks = []
    for question in answered:
        if question.is_number and tabled:
            if question is figures[0]:
                rows = [(label(figure), answer_text(figure, answers)) for figure in figures]
                blocks.append(Block("table", rows=(TABLE_HEADER, *rows)))
        elif question.is_narrative:
            blocks.append(Block("paragraph", answers[question.id], lead=f"{label(question)}:" if several_texts else ""))
        else:
            blocks.append(Block("paragraph", f"{label(question)}: {answer_text(question, answers).rstrip('.')}."))
    return blocks


def write_unit_report(report):
    """Return the report as a Word document."""
    document = new_document()
    write_heading(document, report.issuer, number=report.number, day=report.day, title=report.title,
                  subject=report.subject, draft=report.draft)
    for block in report.blocks:
        if block.kind == "heading":
            heading(document, block.text, block.level)
        elif block.kind == "table":
            table(document, block.rows[0], block.rows[1:])
        else:
            paragraph(document, block.text, lead=block.lead)
    write_signature(document, report.issuer, signer_name=report.signer_name, signer_title=report.signer_title,
                    recipients=report.recipients)
    return document


def docx_bytes(document):
    """Return a Word document as the bytes of its file."""
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
