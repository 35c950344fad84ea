"""The layout of a party document (Hướng dẫn 36-HD/VPTW): page, header, title, body, signature.

Every value of the rule is in LAYOUT, so that a change of rule is one edit; the printed page of a report
(templates/survey/_document.html) reads the same table. Everything written here is text: python-docx
never interprets it, and the characters XML cannot hold are dropped first.
"""

import unicodedata
from dataclasses import dataclass

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.text.paragraph import Paragraph

from plain_text import without_xml_unstorable

from .issuers import Issuer, issuer_of

__all__ = ["LAYOUT", "Issuer", "date_line", "heading", "heading_text", "issuer_of", "new_document", "number_line",
           "paragraph", "recipient_lines", "subject_lines", "table", "write_heading", "write_signature"]


@dataclass(frozen=True)
class Layout:
    """The values of the rule: lengths in millimetres (mm), centimetres (cm) or points (pt)."""

    page_width_mm: float = 210  # A4 portrait
    page_height_mm: float = 297
    margin_top_mm: float = 20
    margin_bottom_mm: float = 20
    margin_left_mm: float = 30
    margin_right_mm: float = 15
    #: From the top edge to the page number (pages 2 on, centred) and the draft mark, in the top margin.
    header_distance_mm: float = 8
    font: str = "Times New Roman"
    #: Fonts with the same metrics and Vietnamese letters, for machines without Times New Roman (the page).
    font_fallbacks: tuple = ("Liberation Serif", "Tinos", "serif")
    #: The header's left column (body above, issuing body, "*", number) and the signature's recipients.
    left_column_mm: float = 75
    #: Word's space inside a table cell, left and right (the default table style's).
    cell_margin_mm: float = 1.9
    party_name_pt: float = 15  # ĐẢNG CỘNG SẢN VIỆT NAM, bold, a rule under it as long as the text
    party_rule_mm: float = 74  # the text is 73 mm long in 15 pt bold Times New Roman
    header_pt: float = 14  # body above (upright), issuing body (bold), number; place and date (italic)
    kind_pt: float = 16  # BÁO CÁO, bold
    subject_pt: float = 14  # bold
    body_pt: float = 14
    table_pt: float = 13
    #: A figures table's columns after the first: wide enough for "11/11 chi bộ (100%)" on one line.
    figure_column_mm: float = 42
    #: The column of a unit's name in a draft's annexes: "Đảng ủy các cơ quan Đảng tỉnh" on two lines.
    name_column_mm: float = 52
    #: The annexes' columns of a number ("83,9%", "2/4"), of a level or status, and of a row's number.
    number_column_mm: float = 22.5
    label_column_mm: float = 30
    row_number_column_mm: float = 15
    #: A consolidated draft's numbers table: the figure, its total, how it is made (a sentence), and the
    #: committee's own answer where it has submitted; the first column takes what the others leave.
    total_column_mm: float = 26
    how_column_mm: float = 58
    own_column_mm: float = 30
    first_line_indent_cm: float = 1.27
    paragraph_space_pt: float = 6
    line_spacing: float = 1.15
    signature_pt: float = 14  # T/M ..., the signer's title, the name
    signature_blank_lines: int = 5  # for the signature and the seal
    recipients_title_pt: float = 14  # "Nơi nhận:", underlined
    recipients_pt: float = 12
    page_number_pt: float = 13
    draft_mark_pt: float = 13
    draft_mark: str = "DỰ THẢO"
    #: The longest a document's property (title, author) may be: Word's limit, which python-docx enforces.
    property_max_chars: int = 255
    party_name: str = "ĐẢNG CỘNG SẢN VIỆT NAM"

    @property
    def text_width_mm(self):
        return self.page_width_mm - self.margin_left_mm - self.margin_right_mm

    @property
    def font_family(self):
        """The CSS font-family of the printed page."""
        return ", ".join(f'"{name}"' if " " in name else name for name in (self.font, *self.font_fallbacks))


LAYOUT = Layout()

#: The abbreviation of a document's kind in its number ("Số 12-BC/ĐU").
KIND_CODES = {"BÁO CÁO": "BC"}

#: How wide a blank to be filled by hand is: the number in "Số      -BC/CB", the day, month and year.
BLANK = "\u00a0" * 6


def text(value):
    """Return what a document can hold of a text: no character that XML refuses."""
    return without_xml_unstorable(str(value or ""))


def property_text(value):
    """Return a text as a document's property (title, author) can hold it: a longer one is cut before a whole
    character (a letter with its accents) and ends with an ellipsis. The body keeps the text whole."""
    whole = text(value)
    if len(whole) <= LAYOUT.property_max_chars:
        return whole
    cut = LAYOUT.property_max_chars - 1
    while cut and is_joined_to_previous(whole[cut]):
        cut -= 1
    return whole[:cut].rstrip() + "…"


def is_joined_to_previous(character):
    """Tell whether a character belongs with the one before it: an accent, a joiner, a variation selector."""
    return unicodedata.category(character) in ("Mn", "Mc", "Me", "Cf")


def new_document():
    """Return an empty document with the page, font and page numbers of the rule."""
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(LAYOUT.page_width_mm), Mm(LAYOUT.page_height_mm)
    section.top_margin, section.bottom_margin = Mm(LAYOUT.margin_top_mm), Mm(LAYOUT.margin_bottom_mm)
    section.left_margin, section.right_margin = Mm(LAYOUT.margin_left_mm), Mm(LAYOUT.margin_right_mm)
    section.header_distance = Mm(LAYOUT.header_distance_mm)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = LAYOUT.font, Pt(LAYOUT.body_pt)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for script in ("w:eastAsia", "w:cs"):
        fonts.set(qn(script), LAYOUT.font)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "vi-VN")
    normal.element.get_or_add_rPr().append(language)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    number_pages(section)
    return document


def number_pages(section):
    """Put the page number, centred in the top margin, on every page but the first."""
    section.different_first_page_header_footer = True
    line = section.header.paragraphs[0]
    tab_stops(line)
    line.add_run("\t")
    field(line.add_run(), "PAGE").font.size = Pt(LAYOUT.page_number_pt)


def tab_stops(line):
    """Give a header line a centre stop (the page number) and a right one (the draft mark)."""
    width = Mm(LAYOUT.text_width_mm)
    line.paragraph_format.tab_stops.add_tab_stop(width // 2, WD_TAB_ALIGNMENT.CENTER)
    line.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)


def field(run, instruction):
    """Make `run` a field that Word and LibreOffice compute (PAGE: the page's number)."""
    for kind, content in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText" if content == instruction else "w:t")
            element.set(qn("xml:space"), "preserve")
            element.text = content
        run._r.append(element)
    return run


def mark_draft(document):
    """Mark every page DỰ THẢO, boxed, at the right of the top margin."""
    section = document.sections[0]
    first = section.first_page_header.paragraphs[0]
    first.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    numbered = section.header.paragraphs[0]
    numbered.add_run("\t")
    for line in (first, numbered):
        mark = line.add_run(LAYOUT.draft_mark)
        mark.bold, mark.font.size = True, Pt(LAYOUT.draft_mark_pt)
        box(mark)


def box(run):
    """Draw a thin box around a run."""
    border = OxmlElement("w:bdr")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        border.set(qn(key), value)
    properties = run._r.get_or_add_rPr()
    properties.insert_element_before(border, *AFTER_RUN_BORDER)


#: What may follow a paragraph's borders in its properties: Word refuses them in another order.
AFTER_PARAGRAPH_BORDER = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
                          "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
                          "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
                          "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
                          "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
#: What may follow a run's border in its properties.
AFTER_RUN_BORDER = ("w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
                    "w:specVanish", "w:oMath")


def rule_under(line, length_mm, width_mm):
    """Draw a solid rule under a centred line, `length_mm` long, in a column `width_mm` wide."""
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    line._p.get_or_add_pPr().insert_element_before(border, *AFTER_PARAGRAPH_BORDER)
    inset = Mm(max(0.0, (width_mm - 2 * LAYOUT.cell_margin_mm - length_mm) / 2))
    line.paragraph_format.left_indent = line.paragraph_format.right_indent = inset


def write_line(container, content, size, *, bold=False, italic=False, underline=False,
               align=WD_ALIGN_PARAGRAPH.CENTER, space_before=0, space_after=0):
    """Add a paragraph of one run to a document or a table cell; return it."""
    line = container.add_paragraph()
    line.paragraph_format.alignment = align
    line.paragraph_format.space_before, line.paragraph_format.space_after = Pt(space_before), Pt(space_after)
    run = line.add_run(text(content))
    run.bold, run.italic, run.underline, run.font.size = bold, italic, underline, Pt(size)
    return line


def two_columns(document):
    """Add a borderless table of one row: the left column of the rule, the right one the rest."""
    grid = document.add_table(rows=1, cols=2)
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    widths = (Mm(LAYOUT.left_column_mm), Mm(LAYOUT.text_width_mm - LAYOUT.left_column_mm))
    for column, cell, width in zip(grid.columns, grid.rows[0].cells, widths, strict=True):
        column.width = cell.width = width
    left, right = grid.rows[0].cells
    # The signature's blank lines for the seal, split off, would fill a page of their own.
    keep_whole(grid.rows[0])
    # A new cell holds one empty paragraph; the first line replaces it rather than following it.
    for cell in (left, right):
        cell._tc.remove(cell.paragraphs[0]._p)
    return left, right


def number_line(number, issuer, kind="BÁO CÁO"):
    """Return "Số 12-BC/ĐU", or "Số      -BC/ĐU" to fill by hand; a number typed whole ("12-BC/ĐU") stays."""
    number = text(number).strip()
    if number.casefold().startswith("số"):
        number = number[2:].strip()
    if "-" in number or "/" in number:
        return f"Số {number}"
    return f"Số {number or BLANK}-{KIND_CODES.get(kind, 'BC')}/{issuer.code}"


def date_line(place, day):
    """Return "Ea Kar, ngày 05 tháng 4 năm 2027" (days under 10 and months 1 and 2 with a leading zero), or
    blanks to fill by hand."""
    where = text(place) or "." * 12
    if day is None:
        return f"{where}, ngày{BLANK}tháng{BLANK}năm{BLANK}"
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{where}, ngày {day.day:02d} tháng {month} năm {day.year}"


def write_heading(document, issuer, *, number, day, kind="BÁO CÁO", title, subject, draft):
    """Write the header (party name; body above, issuing body, "*", number; place and date), then the
    title in upper case and the subject under it (a line break in it starts a new centred line), then a
    short rule. `number` and `day` (a date) may be empty: blanks are printed to fill by hand."""
    document.core_properties.title = property_text(subject)
    document.core_properties.author = document.core_properties.last_modified_by = property_text(issuer.name)
    if draft:
        mark_draft(document)
    left, right = two_columns(document)
    size = LAYOUT.header_pt
    if issuer.superior:
        write_line(left, issuer.superior, size)
    write_line(left, issuer.name, size, bold=True)
    write_line(left, "*", size)
    write_line(left, number_line(number, issuer, kind), size)
    party = write_line(right, LAYOUT.party_name, LAYOUT.party_name_pt, bold=True)
    rule_under(party, LAYOUT.party_rule_mm, LAYOUT.text_width_mm - LAYOUT.left_column_mm)
    write_line(right, date_line(issuer.place, day), size, italic=True, space_before=LAYOUT.header_pt)
    write_line(document, text(title).upper(), LAYOUT.kind_pt, bold=True, space_before=LAYOUT.kind_pt)
    for line in subject_lines(subject):
        write_line(document, line, LAYOUT.subject_pt, bold=True)
    write_line(document, "-----", LAYOUT.subject_pt, space_after=LAYOUT.paragraph_space_pt * 2)


def subject_lines(subject):
    """Return the subject's lines: the config breaks a long subject where the party would."""
    return [line.strip() for line in text(subject).splitlines() if line.strip()]


def heading_text(content, level):
    """Return an outline heading as printed: level 1 ("I- ...") in upper case."""
    return text(content).upper() if level == 1 else text(content)


def body_format(line):
    form = line.paragraph_format
    form.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    form.first_line_indent = Cm(LAYOUT.first_line_indent_cm)
    form.space_after = Pt(LAYOUT.paragraph_space_pt)
    form.line_spacing = LAYOUT.line_spacing
    return line


def heading(document, content, level):
    """Write an outline heading: level 1 ("I- ...") upper case bold, level 2 ("1. ...") bold, deeper ones
    bold italic. `content` includes its number."""
    line = body_format(document.add_paragraph())
    line.paragraph_format.keep_with_next = True
    run = line.add_run(heading_text(content, level))
    run.bold, run.italic = True, level > 2
    return line


def paragraph(document, content, *, lead=""):
    """Write body text, one justified paragraph per line of `content`; `lead` (e.g. a question) opens the
    first one in italic. Return the paragraphs."""
    lines = [line.strip() for line in text(content).splitlines() if line.strip()] or [""]
    written = []
    for index, line in enumerate(lines):
        block = body_format(document.add_paragraph())
        if lead and index == 0:
            block.add_run(text(lead) + " ").italic = True
        block.add_run(line)
        written.append(block)
    return written


def table(document, header, rows, widths_mm=None):
    """Write a small bordered table: a bold header row, repeated on each page, then `rows` of texts, kept on
    one page with it. By default the first column (what is counted) takes what the others (the figures)
    leave, and is never narrower than one of them. Return it."""
    grid = document.add_table(rows=1, cols=len(header))
    grid.style = document.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    others = [min(LAYOUT.figure_column_mm, LAYOUT.text_width_mm / len(header))] * (len(header) - 1)
    widths = widths_mm or [LAYOUT.text_width_mm - sum(others), *others]
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = Mm(width)
    for cell, title in zip(grid.rows[0].cells, header, strict=True):
        cell_text(cell, title, bold=True)
    repeat_as_header(grid.rows[0])
    for row in rows:
        for cell, value in zip(grid.add_row().cells, row, strict=True):
            cell_text(cell, value)
    for row in grid.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Mm(width)
    # The header with the first row, and a small table whole, on one page (a long table's rows come later).
    for row in [grid.rows[0], *grid.rows[1:-1]]:
        for cell in row.cells:
            cell.paragraphs[0].paragraph_format.keep_with_next = True
    document.add_paragraph().paragraph_format.space_after = Pt(0)  # Word joins two tables that touch
    return grid


def trailing_spacer(document):
    """Return the empty line `table` left after the body's last table, if nothing has followed it yet."""
    body = document.element.body
    last = body[-2] if body[-1].tag == qn("w:sectPr") else body[-1]
    previous = last.getprevious()
    if last.tag == qn("w:p") and not "".join(last.itertext()) and previous is not None and previous.tag == qn("w:tbl"):
        return last
    return None


def drop_trailing_spacer(document):
    """Remove the empty line after the last table before a heading that starts a page: when the table fills
    its page, that line would go to the next page alone and the heading to the one after, leaving a blank
    page."""
    spacer = trailing_spacer(document)
    if spacer is not None:
        spacer.getparent().remove(spacer)


def shrink_trailing_spacer(document):
    """Make the empty line after a table that ends the document one point high: the document must end with a
    paragraph, and a full one could make a blank last page."""
    spacer = trailing_spacer(document)
    if spacer is not None:
        line = Paragraph(spacer, document._body)
        line.paragraph_format.line_spacing = Pt(1)  # exactly one point, whatever its font
        line.paragraph_format.space_before = line.paragraph_format.space_after = Pt(0)


def repeat_as_header(row):
    """Make a table's first row its header: repeated at the top of each page the table runs onto, and never
    split across two."""
    keep_whole(row)
    row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def keep_whole(row):
    """Never split a table's row across two pages."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def cell_text(cell, content, bold=False):
    line = cell.paragraphs[0]
    line.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER if bold else WD_ALIGN_PARAGRAPH.LEFT
    run = line.add_run(text(content))
    run.bold, run.font.size = bold, Pt(LAYOUT.table_pt)


def recipient_lines(issuer, recipients):
    """Return the recipients as listed: "- Đảng ủy xã Hòa Thắng (báo cáo);" ..., and last "- Lưu Chi bộ."."""
    names = [text(recipient).strip().lstrip("-").rstrip(";.").strip() for recipient in recipients]
    return [f"- {name};" for name in names if name] + [f"- {issuer.archive}."]


def write_signature(document, issuer, *, signer_name, signer_title, recipients):
    """Write the recipients ("Nơi nhận:", one a line, the issuing body's own file last) and, level with them,
    the signature: in whose name, the signer's title, space for the signature and seal, the name."""
    document.add_paragraph()
    left, right = two_columns(document)
    write_line(left, "Nơi nhận:", LAYOUT.recipients_title_pt, underline=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    for line in recipient_lines(issuer, recipients):
        write_line(left, line, LAYOUT.recipients_pt, align=WD_ALIGN_PARAGRAPH.LEFT)
    size = LAYOUT.signature_pt
    write_line(right, issuer.authority, size, bold=True)
    write_line(right, text(signer_title).upper(), size, bold=True)
    for _blank in range(LAYOUT.signature_blank_lines):
        write_line(right, "", size)
    write_line(right, signer_name, size, bold=True)

