"""The workbook opens in LibreOffice Calc, and the texts and totals survive (skipped without soffice)."""

import csv
import shutil
import subprocess
import uuid

import openpyxl
import pytest
from answers import store, stored_cell_answers
from test_units import FORMULA_NAMES, links_csv

from consolidation.source import ExportSource
from exports import write_workbook

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"), pytest.mark.once]

#: CSV export filter: comma, double quote, UTF-8 (76), first line 1, formulas as their results.
CSV_UTF8 = "csv:Text - txt - csv (StarCalc):44,34,76"


def convert_to_csv(workbook_path, tmp_path):
    profile = tmp_path / f"lo-profile-{uuid.uuid4().hex}"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", CSV_UTF8,
         "--outdir", str(tmp_path), str(workbook_path)],
        check=True, capture_output=True, timeout=180,
    )
    with open(workbook_path.with_suffix(".csv"), encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def test_libreoffice_opens_the_workbook_and_keeps_texts_and_totals(app, units, tmp_path):
    hostile = "=1+1 “Chi bộ” _x0041_ 😀"
    store(app, "BMT.TL.01", stored_cell_answers(chuyen_de_hieu_qua=hostile))
    store(app, "BMT.TL.02", stored_cell_answers(so_dang_vien=31))
    path = tmp_path / "tong-ket.xlsx"
    with app.app_context():
        write_workbook(path, app.extensions["survey"], ExportSource())
    rows = convert_to_csv(path, tmp_path)
    codes = rows[1]
    by_code = {row[codes.index("code")]: row for row in rows[3:] if row[codes.index("code")]}
    cell = by_code["BMT.TL.01"]
    assert cell[codes.index("name")] == "Chi bộ tổ dân phố 1"
    assert cell[codes.index("chuyen_de_hieu_qua")] == hostile
    assert rows[-1][codes.index("so_dang_vien")] == "56", "LibreOffice computes the SUBTOTAL row"


def test_libreoffice_opens_the_links_csv_with_every_name_as_text(app, runner, tmp_path):
    output, _rows = links_csv(app, runner, FORMULA_NAMES)
    path = tmp_path / "links.csv"
    path.write_text(output, encoding="utf-8")
    profile = tmp_path / f"lo-profile-{uuid.uuid4().hex}"
    # Comma, double quote, UTF-8, from line 1: as Calc opens a CSV, formulas evaluated.
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--infilter=CSV:44,34,76,1",
                    "--convert-to", "xlsx", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=180)
    sheet = openpyxl.load_workbook(tmp_path / "links.xlsx").active
    names = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2, max_col=2)}
    for number, name in enumerate(FORMULA_NAMES):
        cell = names[f"C{number}"]
        assert cell.data_type == "s", (name, cell.value, "a formula")
        assert cell.value.removeprefix("'") == name


def test_libreoffice_aligns_every_cell_of_a_commented_row_at_the_top(app, units, tmp_path):
    """LibreOffice reads the cells' alignment as written: saved again by it, a unit's code and name on the
    comments sheet still sit at the top of their row, beside the top of its long answer."""
    store(app, "BMT.TL.01", stored_cell_answers(nhan_thuc="Chi bộ duy trì nền nếp sinh hoạt. " * 40))
    path = tmp_path / "tong-ket.xlsx"
    with app.app_context():
        write_workbook(path, app.extensions["survey"], ExportSource())
    saved = tmp_path / "saved"
    profile = tmp_path / f"lo-profile-{uuid.uuid4().hex}"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML", "--outdir", str(saved), str(path)],
                   check=True, capture_output=True, timeout=180)
    comments = openpyxl.load_workbook(saved / path.name)["Ý kiến"]
    row = next(row for row in comments.iter_rows(min_row=2) if row[5].value == "BMT.TL.01")
    assert row[6].value == "Chi bộ tổ dân phố 1"
    assert {cell.alignment.vertical for cell in row if cell.value} == {"top"}
