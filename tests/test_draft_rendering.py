"""The consolidated draft of make run's demo province as LibreOffice prints it: no blank page wherever the
signature falls, annexes whose unit names are not squeezed, the recipients of every kind of scope, and a
committee's own answer stated once. Read back with python-docx, and page by page with pdftotext."""

import random
import re
import shutil
import subprocess
import uuid

import docx
import pytest
import sqlalchemy as sa
from answers import store
from docx.table import Table
from docx.text.paragraph import Paragraph

from demo.province import answers_adding_up
from documents.layout import LAYOUT
from models import Unit, db

pytestmark = pytest.mark.once

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
POPPLER = shutil.which("pdfinfo") and shutil.which("pdftotext")
needs_libreoffice = pytest.mark.skipif(not (SOFFICE and POPPLER), reason="LibreOffice or poppler-utils is missing")
#: A committee directly under the province, a grassroots committee, per demo province.
SCOPES = {"seed": ("TU.KP", "KP.PA"), "2025": ("TU.QS", "QS.BCH")}
#: Lines of body text a page holds, about (14 pt, 1.15 lines apart, 6 pt after each paragraph).
LINES_A_PAGE = 34
#: What every page prints besides its text: its number and the draft mark.
PAGE_FURNITURE = {"DỰ", "THẢO"}


@pytest.fixture
def submitted_demo(app, units):
    """Every unit of the demo province submits the answers make run's demo gives it."""
    with app.app_context():
        answers = answers_adding_up(app.extensions["survey"], db.session.scalars(sa.select(Unit)).all(),
                                    random.Random(1))
    for code, unit_answers in answers.items():
        store(app, code, unit_answers)
    return units


def write_draft(app, path, scope=None):
    result = app.test_cli_runner().invoke(args=["export", "docx", str(path), *(["--scope", scope] if scope else [])])
    assert result.exit_code == 0, result.output
    return docx.Document(path)


def pdf_pages(paths, folder):
    """Convert the documents with LibreOffice; return each one's pages as lists of words."""
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{folder / f'lo-{uuid.uuid4().hex}'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(folder), *map(str, paths)],
                   check=True, capture_output=True, timeout=600)
    pages = {}
    for path in paths:
        pdf = str(path.with_suffix(".pdf"))
        info = subprocess.run(["pdfinfo", pdf], check=True, capture_output=True, text=True).stdout
        count = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        # pdftotext ends each page with a form feed: one run for the whole document.
        text = subprocess.run(["pdftotext", pdf, "-"], check=True, capture_output=True, text=True).stdout
        pages[path.name] = [page.split() for page in text.split("\f")[:count]]
        assert len(pages[path.name]) == count, f"{path.name}: {count} pages, {len(pages[path.name])} read"
    return pages


def body_words(words, number):
    return [word for word in words if word not in PAGE_FURNITURE and word != str(number)]


@needs_libreoffice
@pytest.mark.parametrize("shape", ["seed", "2025"])
def test_no_page_is_blank_wherever_the_signature_falls(make_app, config_with, submitted_demo, tmp_path, shape):
    """The closing grows a line at a time over a page, so that the signature's table (its five blank lines
    for the seal) meets the foot of a page in some of the drafts."""
    paths = []
    for extra in range(LINES_A_PAGE):
        lines = "".join(f"\n    Ý bổ sung thứ {number}." for number in range(extra))
        app = make_app(config_with((r"^  closing: .*$", f"  closing: |-\n    Trên đây là báo cáo.{lines}")))
        paths.append(tmp_path / f"draft-{extra:02}.docx")
        write_draft(app, paths[-1], SCOPES[shape][1])
    for name, pages in pdf_pages(paths, tmp_path).items():
        blank = [number for number, words in enumerate(pages, start=1) if not body_words(words, number)]
        assert blank == [], f"{name}: blank pages {blank} of {len(pages)}"


@needs_libreoffice
@pytest.mark.parametrize("shape", ["seed", "2025"])
def test_the_demos_drafts_print_no_blank_page(app, submitted_demo, tmp_path, shape):
    paths = []
    for scope in (None, *SCOPES[shape]):
        paths.append(tmp_path / f"{scope or 'province'}.docx")
        write_draft(app, paths[-1], scope)
    for name, pages in pdf_pages(paths, tmp_path).items():
        blank = [number for number, words in enumerate(pages, start=1) if not body_words(words, number)]
        assert blank == [], f"{name}: blank pages {blank} of {len(pages)}"


def column_widths_mm(table):
    return [int(column.width) / 36000 for column in table.columns]


def annex_tables(document):
    """Return the tables after the first annex's heading."""
    found, started = [], False
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph) and block.text.startswith("PHỤ LỤC"):
            started = True
        elif isinstance(block, Table) and started:
            found.append(block)
    return found


@pytest.mark.parametrize("shape", ["seed", "2025"])
def test_the_annexes_give_a_units_name_room_for_two_lines(app, submitted_demo, tmp_path, shape):
    document = write_draft(app, tmp_path / "province.docx")
    tables = annex_tables(document)
    headers = [[cell.text for cell in table.rows[0].cells] for table in tables]
    named = [table for table, header in zip(tables, headers, strict=True) if {"Đơn vị", "Cấp ủy"} & set(header)]
    assert len(named) >= 3, headers
    for table, header in zip(named, headers, strict=False):
        widths = column_widths_mm(table)
        name = widths[header.index("Đơn vị") if "Đơn vị" in header else header.index("Cấp ủy")]
        assert name >= 0.8 * LAYOUT.name_column_mm or name >= (LAYOUT.text_width_mm - 4 * LAYOUT.number_column_mm) / 2
        figures = [width for width, title in zip(widths, header, strict=True) if title not in ("Đơn vị", "Cấp ủy",
                                                                                               "Chỉ tiêu")]
        assert name >= 1.5 * max(figures), (header, widths)
        assert abs(sum(widths) - LAYOUT.text_width_mm) < 0.5, widths


def recipients_of(document):
    """Return the lines of the signature's left column: "Nơi nhận:", then one recipient a line."""
    table = next(table for table in document.tables if table.rows[0].cells[0].text.startswith("Nơi nhận:"))
    return [line.text for line in table.rows[0].cells[0].paragraphs]


@pytest.mark.parametrize(("shape", "scope", "addressed"), [
    ("seed", None, "- Ban Bí thư Trung ương Đảng (báo cáo);"),
    ("seed", "TU.KP", "- Ban Thường vụ Tỉnh ủy (báo cáo);"),
    ("seed", "KP.PA", "- Ban Thường vụ Huyện ủy Krông Pắc (báo cáo);"),
    ("2025", None, "- Ban Bí thư Trung ương Đảng (báo cáo);"),
    ("2025", "TU.QS", "- Ban Thường vụ Tỉnh ủy (báo cáo);"),
    ("2025", "QS.BCH", "- Ban Thường vụ Đảng ủy Quân sự tỉnh (báo cáo);"),
    ("2025", "BMT", "- Ban Thường vụ Tỉnh ủy Đắk Lắk (báo cáo);"),
])
def test_every_kind_of_scope_addresses_its_draft(app, units, tmp_path, shape, scope, addressed):
    lines = recipients_of(write_draft(app, tmp_path / "draft.docx", scope))
    assert lines[0] == "Nơi nhận:" and lines[-1].startswith("- Lưu "), lines
    assert addressed in lines[1:-1], lines


def body_before_annexes(document):
    """Return the texts of the draft's body, paragraphs and table cells, up to the first annex."""
    texts = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            if block.text.startswith("PHỤ LỤC"):
                break
            texts.append(block.text)
        else:
            texts += [cell.text for row in block.rows for cell in row.cells]
    return texts


@pytest.mark.parametrize(("shape", "scope"), [("seed", "TU.KP"), ("seed", "KP.PA"), ("2025", "TU.QS"),
                                              ("2025", "QS.BCH")])
def test_a_committees_own_answer_to_a_figure_asked_of_it_alone_is_stated_once(app, submitted_demo, hierarchy,
                                                                                tmp_path, shape, scope):
    """A figure no unit below the committee is asked (its grassroots organisations, its cells) is its own
    answer: stated once, as its own, never also as a total made "from 1 committee", itself."""
    survey = app.extensions["survey"]
    document = write_draft(app, tmp_path / "draft.docx", scope)
    texts = body_before_annexes(document)
    level = submitted_demo[scope].level
    below = {submitted_demo[code].level for code in hierarchy.in_order(scope)[1:]}
    alone = [q for q in survey.outline_questions() if q.is_number and q.consolidate and level in q.levels
             and not below & set(q.levels)]
    assert alone, "the shipped survey asks a committee figures of its own"
    for question in alone:
        label = str(question.label)
        assert sum(label in text for text in texts) == 1, (label, [text for text in texts if label in text])
        assert any(text.startswith(f"{label}:") for text in texts), label
