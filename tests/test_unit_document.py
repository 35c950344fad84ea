"""A unit's report as a party document: the Word file from the unit's page and the committee's, read back
with python-docx; the PDF LibreOffice makes of it; the printed page."""

import datetime as dt
import io
import re
import shutil
import subprocess
import uuid

import docx
import openpyxl
import pytest
from answers import LONG_TEXT_IDS, store, stored_cell_answers, stored_committee_answers
from pages import text_of

from consolidation.source import ExportSource
from documents.issuers import Issuer
from documents.layout import LAYOUT, date_line, number_line
from downloads.documents import DOCX_MIMETYPE
from exports import write_workbook

pytestmark = pytest.mark.once

BLANK = "\u00a0" * 6
#: How each kind of unit heads and signs its report in the demo provinces: (body above, issuing body, code,
#: place, in whose name it signs).
HEADERS = {
    "seed": {
        # A cell under a grassroots committee, a grassroots committee and a cell under a city committee,
        # and district-level committees.
        "BMT.HT.01": ("ĐẢNG BỘ XÃ HÒA THẮNG", "CHI BỘ THÔN 1", "CB", "Hòa Thắng", "T/M CHI BỘ"),
        "BMT.TL": ("ĐẢNG BỘ THÀNH PHỐ BUÔN MA THUỘT", "ĐẢNG ỦY PHƯỜNG TÂN LỢI", "ĐU", "Tân Lợi", "T/M ĐẢNG ỦY"),
        "BMT.VP": ("ĐẢNG BỘ THÀNH PHỐ BUÔN MA THUỘT", "CHI BỘ VĂN PHÒNG THÀNH ỦY", "CB", "Buôn Ma Thuột",
                   "T/M CHI BỘ"),
        "TU.KP": ("ĐẢNG BỘ TỈNH ĐẮK LẮK", "HUYỆN ỦY KRÔNG PẮC", "HU", "Krông Pắc",
                  "T/M BAN THƯỜNG VỤ"),
        "TU.BMT": ("ĐẢNG BỘ TỈNH ĐẮK LẮK", "THÀNH ỦY BUÔN MA THUỘT", "ThU", "Buôn Ma Thuột",
                   "T/M BAN THƯỜNG VỤ"),
    },
    "2025": {
        # A commune-level committee directly under the province and a cell under it; a grassroots
        # committee and cell under a committee directly under the province, whose names give no place.
        "BMT": ("ĐẢNG BỘ TỈNH ĐẮK LẮK", "ĐẢNG ỦY PHƯỜNG BUÔN MA THUỘT", "ĐU", "Buôn Ma Thuột",
                "T/M ĐẢNG ỦY"),
        "BMT.01": ("ĐẢNG BỘ PHƯỜNG BUÔN MA THUỘT", "CHI BỘ TỔ DÂN PHỐ 1", "CB", "Buôn Ma Thuột", "T/M CHI BỘ"),
        "IARVE": ("ĐẢNG BỘ TỈNH ĐẮK LẮK", "CHI BỘ XÃ IA RVÊ", "CB", "Ia Rvê", "T/M CHI BỘ"),
        "CQD.VP": ("ĐẢNG BỘ CÁC CƠ QUAN ĐẢNG TỈNH", "ĐẢNG ỦY VĂN PHÒNG TỈNH ỦY", "ĐU", "Đắk Lắk", "T/M ĐẢNG ỦY"),
        "CQD.VP.01": ("ĐẢNG BỘ VĂN PHÒNG TỈNH ỦY", "CHI BỘ PHÒNG TỔNG HỢP", "CB", "Đắk Lắk", "T/M CHI BỘ"),
        "TU.CQD": ("ĐẢNG BỘ TỈNH ĐẮK LẮK", "ĐẢNG ỦY CÁC CƠ QUAN ĐẢNG TỈNH", "ĐU", "Đắk Lắk",
                   "T/M BAN THƯỜNG VỤ"),
    },
}
DETAILS = dict(so_van_ban="12", ngay_van_ban="2027-04-05", nguoi_ky="Nguyễn Thị Hoa", chuc_vu_nguoi_ky="pho_bi_thu",
               noi_nhan_them="Ban Tổ chức Tỉnh ủy (để biết)\n- Ủy ban Kiểm tra Đảng ủy xã;")


def download(client, token):
    response = client.get(f"/s/{token}/report.docx")
    assert response.status_code == 200, response.text
    assert response.mimetype == DOCX_MIMETYPE
    assert "no-store" in response.headers["Cache-Control"]
    return docx.Document(io.BytesIO(response.data))


def columns(table):
    """Return the lines of a one-row, two-column table: (left lines, right lines)."""
    left, right = table.rows[0].cells
    return [p.text for p in left.paragraphs], [p.text for p in right.paragraphs]


def body(document):
    return [p.text for p in document.paragraphs if p.text.strip()]


def is_draft(document):
    section = document.sections[0]
    return [LAYOUT.draft_mark in header.paragraphs[0].text for header in (section.first_page_header, section.header)]


@pytest.mark.parametrize("shape", ["seed", "2025"])
def test_the_header_names_the_body_above_and_the_issuing_body_per_level(client, units, shape):
    for code, (superior, name, body_code, place, authority) in HEADERS[shape].items():
        document = download(client, units[code].token)
        left, right = columns(document.tables[0])
        assert left == [superior, name, "*", f"Số {BLANK}-BC/{body_code}"], code
        assert right == [LAYOUT.party_name, f"{place}, ngày{BLANK}tháng{BLANK}năm{BLANK}"], code
        assert columns(document.tables[-1])[1][0] == authority, code


def test_number_date_signer_and_recipients_are_as_the_unit_filled_them(app, client, units):
    store(app, "BMT.HT.01", stored_cell_answers(**DETAILS))
    document = download(client, units["BMT.HT.01"].token)
    left, right = columns(document.tables[0])
    assert left[-1] == "Số 12-BC/CB"
    assert right[-1] == "Hòa Thắng, ngày 05 tháng 4 năm 2027"
    recipients, signature = columns(document.tables[-1])
    assert recipients == ["Nơi nhận:", "- Đảng ủy xã Hòa Thắng (báo cáo);", "- Ban Tổ chức Tỉnh ủy (để biết);",
                          "- Ủy ban Kiểm tra Đảng ủy xã;", "- Lưu Chi bộ."]
    assert signature == ["T/M CHI BỘ", "PHÓ BÍ THƯ", *[""] * LAYOUT.signature_blank_lines, "Nguyễn Thị Hoa"]
    assert not any(DETAILS["nguoi_ky"] in line for line in body(document)), "details stay out of the body"


def test_a_committee_addresses_the_standing_committee_above_and_files_with_its_office(app, client, units):
    store(app, "BMT.TL", stored_committee_answers())
    recipients, signature = columns(download(client, units["BMT.TL"].token).tables[-1])
    assert recipients == ["Nơi nhận:", "- Ban Thường vụ Thành ủy Buôn Ma Thuột (báo cáo);", "- Lưu Đảng ủy."]
    assert signature[:2] == ["T/M ĐẢNG ỦY", "BÍ THƯ"], "Bí thư until the unit chooses"
    recipients, _signature = columns(download(client, units["TU.KP"].token).tables[-1])
    assert recipients == ["Nơi nhận:", "- Ban Thường vụ Tỉnh ủy (báo cáo);", "- Ban Tổ chức Tỉnh ủy (tổng hợp);",
                          "- Lưu Văn phòng Huyện ủy."]


@pytest.mark.parametrize(("day", "expected"), [
    (dt.date(2027, 4, 5), "Ea Kar, ngày 05 tháng 4 năm 2027"),
    (dt.date(2027, 2, 28), "Ea Kar, ngày 28 tháng 02 năm 2027"),
    (dt.date(2027, 1, 9), "Ea Kar, ngày 09 tháng 01 năm 2027"),
    (dt.date(2027, 12, 10), "Ea Kar, ngày 10 tháng 12 năm 2027"),
])
def test_days_under_ten_and_months_one_and_two_take_a_leading_zero(day, expected):
    assert date_line("Ea Kar", day) == expected


@pytest.mark.parametrize(("typed", "expected"), [
    ("12", "Số 12-BC/ĐU"), ("Số 12", "Số 12-BC/ĐU"), ("12-BC/ĐU", "Số 12-BC/ĐU"), ("", f"Số {BLANK}-BC/ĐU"),
])
def test_a_number_is_completed_unless_typed_whole(typed, expected):
    issuer = Issuer(superior="", name="ĐẢNG ỦY XÃ EA KAR", code="ĐU", place="Ea Kar", has_standing_committee=False)
    assert number_line(typed, issuer) == expected


def expected_headings(survey, level):
    """The outline's headings a level is asked, as the document prints them."""
    headings = []

    def walk(section, depth):
        if section.concerns(level):
            number = f"{section.number}- " if depth == 1 else f"{section.number}. "
            heading = f"{number}{section.title.by_language['vi']}"
            headings.append(heading.upper() if depth == 1 else heading)
            for child in section.sections:
                walk(child, depth + 1)

    for section in survey.sections:
        if not section.document_details:
            walk(section, 1)
    return headings


def test_the_body_follows_the_outline_with_every_answered_item_in_order(app, client, units):
    store(app, "BMT.HT.01", stored_cell_answers(**DETAILS))
    lines = body(download(client, units["BMT.HT.01"].token))
    survey = app.extensions["survey"]
    headings = expected_headings(survey, "chi_bo_truc_thuoc")
    assert headings[:2] == ["I- ĐẶC ĐIỂM, TÌNH HÌNH CHI BỘ, ĐẢNG BỘ", "II- " + survey.sections[1].title.by_language[
        "vi"].upper()]
    assert "3.2. Nền nếp sinh hoạt chi bộ" in headings
    positions = [lines.index(heading) for heading in headings]
    assert positions == sorted(positions), "headings in outline order"
    texts = [next(i for i, line in enumerate(lines) if f"“{question_id}”" in line) for question_id in LONG_TEXT_IDS]
    assert texts == sorted(texts), "narrative answers in outline order"
    assert "Tổng số đảng viên: 25." in lines, "one or two figures of a section as sentences"
    assert "Tỷ lệ đảng viên dự sinh hoạt chi bộ bình quân trong năm: 92,5%." in lines
    assert lines[-1] == survey.document.closing
    assert lines.index("Tổng số đảng viên: 25.") < texts[0] < lines.index("3.2. Nền nếp sinh hoạt chi bộ")


def test_several_figures_of_a_section_make_a_table(app, client, units):
    store(app, "BMT.TL", stored_committee_answers())
    document = download(client, units["BMT.TL"].token)
    figures = document.tables[1]
    assert [[cell.text for cell in row.cells] for row in figures.rows] == [
        ["Nội dung", "Số liệu"], ["Tổng số đảng viên", "180"],
        ["Số đảng viên được miễn công tác và sinh hoạt đảng", "9"], ["Số chi bộ trực thuộc", "8"]]


def test_blank_optional_questions_are_left_out(app, client, units):
    survey = app.extensions["survey"]
    proposals = ("de_xuat_trung_uong", "de_xuat_tinh_uy", "de_xuat_cap_tren")
    store(app, "BMT.HT.01", stored_cell_answers(**dict.fromkeys(proposals)))
    lines = body(download(client, units["BMT.HT.01"].token))
    heading_v = expected_headings(survey, "chi_bo_truc_thuoc")[-1]
    assert heading_v.startswith("V- ")
    assert heading_v not in lines, "a section left blank has no heading"
    store(app, "BMT.HT.01", stored_cell_answers(de_xuat_trung_uong=None, de_xuat_cap_tren=""))
    lines = body(download(client, units["BMT.HT.01"].token))
    assert heading_v in lines
    assert "Đề xuất, kiến nghị với Tỉnh ủy: Ý kiến về “de_xuat_tinh_uy”." in lines, "the question leads its answer"
    left_out = [survey.questions[key].label.by_language["vi"] for key in ("de_xuat_trung_uong", "de_xuat_cap_tren")]
    assert not any(line.startswith(label) for line in lines for label in left_out), "an empty text is no answer"


def test_the_document_is_a_draft_until_submitted_and_while_corrected(app, client, units, auth, accounts):
    token = units["BMT.HT.01"].token
    assert is_draft(download(client, token)) == [True, True], "a blank report is a draft"
    store(app, "BMT.HT.01", stored_cell_answers(), action="save")
    assert is_draft(download(client, token)) == [True, True]
    store(app, "BMT.HT.01", stored_cell_answers())
    document = download(client, token)
    assert is_draft(document) == [False, False]
    assert not any(LAYOUT.draft_mark in line for line in body(document))
    store(app, "BMT.HT.01", stored_cell_answers(nhan_thuc="Đang sửa."), action="save")
    assert is_draft(download(client, token)) == [True, True], "a correction not submitted again is a draft"
    auth.sign_in("btc")
    response = client.get("/admin/units/BMT.HT.01/report.docx")
    assert response.status_code == 200
    committee_copy = docx.Document(io.BytesIO(response.data))
    assert is_draft(committee_copy) == [False, False], "the committee reads the submitted version"
    assert "Đang sửa." not in body(committee_copy)


def test_a_committee_downloads_the_reports_of_its_scope_only(app, client, units, auth, accounts):
    store(app, "KP.EK.01", stored_cell_answers())
    auth.sign_in("krongpac")
    response = client.get("/admin/units/KP.EK.01/report.docx")
    assert response.status_code == 200 and response.mimetype == DOCX_MIMETYPE
    assert "filename*=UTF-8''b%C3%A1o-c%C3%A1o_Chi-b%E1%BB%99-th%C3%B4n-3_" in response.headers["Content-Disposition"]
    assert client.get("/admin/units/BMT.TL.01/report.docx").status_code == 404
    assert client.get("/admin/units/NOPE/report.docx").status_code == 404
    auth.sign_out()
    auth.sign_in("btc")
    assert client.get("/admin/units/TU/report.docx").status_code == 404, "the province fills no survey"


HOSTILE = "=1+1 <script>alert(1)</script> @SUM(A1) \x0b\x01\ufffeCuối"


def test_hostile_text_is_kept_as_text(app, client, units):
    store(app, "BMT.HT.01", stored_cell_answers(nhan_thuc=HOSTILE, nguoi_ky="<b>=HYPERLINK(\"x\")</b>"))
    document = download(client, units["BMT.HT.01"].token)
    assert "=1+1 <script>alert(1)</script> @SUM(A1) Cuối" in body(document)
    assert columns(document.tables[-1])[1][-1] == "<b>=HYPERLINK(\"x\")</b>"
    page = client.get(f"/s/{units['BMT.HT.01'].token}").text
    assert "<script>alert(1)</script>" not in page
    assert "=1+1 &lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_printed_page_holds_the_same_document(app, client, units):
    store(app, "BMT.HT.01", stored_cell_answers(**DETAILS))
    html = client.get(f"/s/{units['BMT.HT.01'].token}").text
    document = html[html.index('<article class="party-document"'):html.index("</article>")]
    words = text_of(document)
    for line in ("ĐẢNG BỘ XÃ HÒA THẮNG", "CHI BỘ THÔN 1", "Số 12-BC/CB", LAYOUT.party_name,
                 "Hòa Thắng, ngày 05 tháng 4 năm 2027", "BÁO CÁO", "I- ĐẶC ĐIỂM, TÌNH HÌNH CHI BỘ, ĐẢNG BỘ",
                 "Tổng số đảng viên: 25.", "- Đảng ủy xã Hòa Thắng (báo cáo);", "- Lưu Chi bộ.", "T/M CHI BỘ",
                 "PHÓ BÍ THƯ", "Nguyễn Thị Hoa"):
        assert line in words, line
    assert 'class="party-document draft"' not in html, "a submitted report prints without the draft mark"
    stylesheet = client.get("/document.css")
    assert stylesheet.mimetype == "text/css"
    assert "size: 210mm 297mm;" in stylesheet.text
    assert "margin: 20mm 15mm 20mm 30mm;" in stylesheet.text
    assert 'font-family: "Times New Roman", "Liberation Serif", Tinos, serif;' in stylesheet.text


def test_a_revision_not_submitted_prints_as_a_draft(app, client, units):
    store(app, "BMT.HT.01", stored_cell_answers(), action="save")
    store(app, "BMT.HT.01", stored_cell_answers())
    token = units["BMT.HT.01"].token
    assert 'class="party-document draft"' in client.get(f"/s/{token}/revisions/1").text
    assert 'class="party-document"' in client.get(f"/s/{token}/revisions/2").text


def test_the_document_details_stay_out_of_the_workbook(app, units, tmp_path):
    store(app, "BMT.HT.01", stored_cell_answers(**DETAILS))
    path = tmp_path / "export.xlsx"
    with app.app_context():
        summary = write_workbook(path, app.extensions["survey"], ExportSource())
    assert summary.retired_questions == ()
    texts = [str(cell.value) for sheet in openpyxl.load_workbook(path) for row in sheet.iter_rows() for cell in row
             if cell.value is not None]
    for detail in ("so_van_ban", "ngay_van_ban", "nguoi_ky", "chuc_vu_nguoi_ky", "noi_nhan_them", "Nguyễn Thị Hoa",
                   "Số văn bản"):
        assert not any(detail in text for text in texts), detail
    assert any("“nhan_thuc”" in text for text in texts), "the outline's answers are there"


SOFFICE = shutil.which("soffice")
POPPLER = shutil.which("pdfinfo") and shutil.which("pdftotext") and shutil.which("pdffonts")


@pytest.mark.skipif(not (SOFFICE and POPPLER), reason="LibreOffice or poppler-utils is not installed")
def test_libreoffice_makes_an_a4_pdf_with_the_text_in_a_times_metric_font(app, client, units, tmp_path):
    long_answers = {question_id: " ".join([f"Ý kiến về “{question_id}”."] * 40) for question_id in LONG_TEXT_IDS}
    store(app, "BMT.HT.01", stored_cell_answers(**long_answers, **DETAILS), action="save")
    path = tmp_path / "bao-cao.docx"
    path.write_bytes(client.get(f"/s/{units['BMT.HT.01'].token}/report.docx").data)
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path / f'lo-{uuid.uuid4().hex}'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=180)
    pdf = str(path.with_suffix(".pdf"))
    info = subprocess.run(["pdfinfo", pdf], check=True, capture_output=True, text=True).stdout
    assert re.search(r"Page size: .* pts \(A4\)", info), info
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 3
    first = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", pdf, "-"], check=True,
                           capture_output=True, text=True).stdout
    for text in ("DỰ THẢO", "ĐẢNG BỘ XÃ HÒA THẮNG", "ĐẢNG CỘNG SẢN VIỆT NAM", "CHI BỘ THÔN 1", "Số 12-BC/CB",
                 "Hòa Thắng, ngày 05 tháng 4 năm 2027", "BÁO CÁO", "I- ĐẶC ĐIỂM, TÌNH HÌNH CHI BỘ, ĐẢNG BỘ"):
        assert text in first, text
    def words_of_page(number):
        return subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), pdf, "-"], check=True,
                              capture_output=True, text=True).stdout.split()

    assert words_of_page(1)[:3] == ["DỰ", "THẢO", "ĐẢNG"], "no number on the first page"
    assert words_of_page(2)[:3] == ["2", "DỰ", "THẢO"], "page numbers from page 2, with the draft mark"
    last = subprocess.run(["pdftotext", "-f", str(pages), "-l", str(pages), pdf, "-"], check=True,
                          capture_output=True, text=True).stdout
    for text in ("Nơi nhận:", "T/M CHI BỘ", "PHÓ BÍ THƯ", "Nguyễn Thị Hoa", "- Lưu Chi bộ."):
        assert text in last, text
    fonts = subprocess.run(["pdffonts", pdf], check=True, capture_output=True, text=True).stdout
    assert re.search(r"(TimesNewRoman|LiberationSerif)", fonts), fonts
