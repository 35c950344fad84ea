"""Unit lists that are small on disk and huge inside, and files that are no unit list at all: each refused
fast and in bounded memory with a message of its own naming the limit, on the web and by `flask units
import` (run in a process of its own under a memory limit, so that a regression fails instead of eating the
machine); while a large real list still imports."""

import io
import os
import random
import resource
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from test_unit_upload import DISTRICT_MANAGER, managers, problems_of, snapshot  # noqa: F401  (a fixture)
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart
from workbooks import workbook_of

from models import Unit, db
from units.list_files import FILE_LIMIT
from units.list_workbooks import MAX_ROWS

pytestmark = pytest.mark.once

ROOT = Path(__file__).resolve().parent.parent
HEADER = "code,name,level,parent_code\n"
#: A district manager's valid rows: what a hostile file starts with.
ROWS = HEADER + "KP.EK.07,Chi bộ thôn 7,chi_bo_truc_thuoc,KP.EK\n"
#: What `flask units import` may take of memory (address space), some four times what a list of 50,000
#: units takes; the files of the issue took over 2 GB.
CLI_MEMORY = 1024 * 1024 * 1024
#: What refusing a hostile file may allocate in the web worker's process (the files of the issue took over
#: 1 GB), the upload's own bytes included.
WEB_MEMORY = 64 * 1024 * 1024
#: Seconds of processor time a refusal may take, traced (which makes it some three times slower): reading
#: the whole of such a file takes minutes. Processor time, so that a machine loaded by others does not count.
FAST = 15


def sheet_xml(rows, dimension=None):
    """Return a worksheet's XML holding `rows`, each (row number, [(column letter, text)...])."""
    cells = "".join(f'<row r="{number}">' + "".join(f'<c r="{column}{number}" t="inlineStr"><is><t>{text}</t></is></c>'
                                                     for column, text in values) + "</row>"
                    for number, values in rows)
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{declared}'
            f"<sheetData>{cells}</sheetData></worksheet>").encode()


def good_rows():
    return [(number, list(zip("ABCD", line.split(","), strict=True)))
            for number, line in enumerate(ROWS.splitlines(), start=1)]


def with_sheet(xml, compression=zipfile.ZIP_DEFLATED):
    """Return a real workbook with its sheet's XML replaced by `xml`, stored with `compression`."""
    with zipfile.ZipFile(io.BytesIO(workbook_of(ROWS))) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    files["xl/worksheets/sheet1.xml"] = xml
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def upload(client, auth, raw, filename="don-vi.xlsx"):
    """Post a file as the upload form does, the body encoded in memory: the test client would spool a large
    one to a temporary file that it never closes."""
    file = FileStorage(io.BytesIO(raw), filename=filename, content_type="application/octet-stream")
    boundary, body = encode_multipart({"csrf_token": auth.csrf_token(), "file": file})
    return client.post("/admin/unit-list", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def far_cell():
    """A few KB declaring, and holding, the last cell of the last row (XFD1048576)."""
    return with_sheet(sheet_xml([*good_rows(), (1048576, [("XFD", "x")])], dimension="A1:XFD1048576"))


def far_cell_undeclared():
    return with_sheet(sheet_xml([*good_rows(), (1048576, [("XFD", "x")])]))


def million_rows_declared():
    return with_sheet(sheet_xml(good_rows(), dimension="A1:D1000000"))


def lying_dimension():
    """A dimension of three rows over a sheet that goes on far below: only counting the rows finds it."""
    return with_sheet(sheet_xml([*good_rows(), (MAX_ROWS + 5, [("A", "x")])], dimension="A1:D3"))


def many_empty_rows():
    """Empty formatted rows past the limit, with no dimension, stored unpacked (a ratio of 1): neither the
    declared size nor the packing gives it away, only the rows streamed."""
    empty = "".join(f'<row r="{number}" customFormat="1" s="1"/>' for number in range(3, MAX_ROWS + 10))
    xml = sheet_xml(good_rows()).replace(b"</sheetData>", empty.encode() + b"</sheetData>")
    return with_sheet(xml, zipfile.ZIP_STORED)


def zip_bomb_member():
    """A sheet padded with 40 MB of blanks that pack to some 40 KB: under the unpacked limit, a thousand
    times its packed size."""
    xml = sheet_xml(good_rows()).replace(b"<sheetData>", b" " * (40 * 1024 * 1024) + b"<sheetData>")
    return with_sheet(xml)


def image():
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00" + bytes(64)


def random_bytes():
    return random.Random(18).randbytes(8192)


def csv_renamed():
    return ROWS.encode()


TOO_FAR = "vượt quá mức một danh sách đơn vị có thể có: 100.000 đơn vị (dòng 2 đến 100.001) trong các cột A đến Z"
NOT_A_LIST = "không phải tệp Excel cũng không phải tệp CSV (có thể là ảnh hoặc văn bản khác)"
#: (variant, file, what the refusal says).
HOSTILE = [
    ("far-cell", far_cell, f"Trang tính Đơn vị kéo dài tới ô XFD1048576, {TOO_FAR}"),
    ("far-cell-undeclared", far_cell_undeclared, f"Trang tính Đơn vị kéo dài tới ô A1048576, {TOO_FAR}"),
    ("million-rows-declared", million_rows_declared, f"Trang tính Đơn vị kéo dài tới ô D1000000, {TOO_FAR}"),
    ("lying-dimension", lying_dimension, f"Trang tính Đơn vị kéo dài tới ô A{MAX_ROWS + 5}, {TOO_FAR}"),
    ("many-empty-rows", many_empty_rows, f"Trang tính Đơn vị kéo dài tới ô A{MAX_ROWS + 1}, {TOO_FAR}"),
    ("zip-bomb-member", zip_bomb_member, "Phần xl/worksheets/sheet1.xml của tệp Excel khi giải nén lớn gấp"),
    ("image", image, f"Tệp don-vi.xlsx {NOT_A_LIST}"),
    ("random-bytes", random_bytes, f"Tệp don-vi.xlsx {NOT_A_LIST}"),
    ("csv-renamed", csv_renamed, "Tệp don-vi.xlsx mang tên của tệp Excel nhưng chứa văn bản, chẳng hạn một tệp CSV "
                                 "bị đổi tên."),
]


@pytest.fixture(scope="module")
def hostile_files():
    return {variant: make() for variant, make, _expected in HOSTILE}


@pytest.mark.parametrize(("variant", "expected"), [(variant, expected) for variant, _make, expected in HOSTILE])
def test_a_hostile_upload_is_refused_at_once_in_bounded_memory(app, client, auth, managers, hostile_files,  # noqa: F811
                                                              variant, expected):
    before = snapshot(app)
    auth.sign_in(DISTRICT_MANAGER[0])
    tracemalloc.start()
    started = time.process_time()
    try:
        refused = upload(client, auth, hostile_files[variant])
        elapsed, peak = time.process_time() - started, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert refused.status_code == 422, refused.status_code
    problems = problems_of(refused.text)
    assert len(problems) == 1 and problems[0].startswith(expected), problems
    assert elapsed < FAST and peak < WEB_MEMORY, (elapsed, peak)
    assert snapshot(app) == before


def test_an_upload_over_the_size_limit_gets_its_own_message(app, client, auth, managers):  # noqa: F811
    auth.sign_in(DISTRICT_MANAGER[0])
    refused = upload(client, auth, ROWS.encode() + b" " * (FILE_LIMIT + 1024 * 1024), filename="don-vi.csv")
    assert refused.status_code == 413
    assert "Tệp quá lớn" in refused.text and "giới hạn là 24 MB và 100.000 đơn vị" in refused.text
    assert "báo cáo" not in refused.text, "not the message of a report's text"
    # Under the list's limit but over the app's 2 MB for every other form: taken.
    large_csv = ROWS + "".join(f"KP.EK.{n},Chi bộ thôn {n},chi_bo_truc_thuoc,KP.EK\n" for n in range(100, 40_000))
    assert len(large_csv.encode()) > 2 * 1024 * 1024
    assert upload(client, auth, large_csv.encode(), filename="don-vi.csv").status_code == 200
    other_form = client.post("/admin/sign-out", data={"csrf_token": auth.csrf_token(), "x": "y" * 3 * 1024 * 1024})
    assert other_form.status_code == 413, "the other forms keep the app's limit"


def database_url(app):
    """Return DATABASE_URL for a process of its own on the test's database (its PostgreSQL schema too)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    options = (app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}).get("connect_args", {}).get("options", "")
    search_path = next((part for part in options.split() if part.startswith("-csearch_path=")), None)
    if search_path:
        url += ("&" if "?" in url else "?") + "options=" + quote(search_path)
    return url


def flask_units_import(app, path):
    """Run `flask units import path` in a process of its own, under CLI_MEMORY; return it finished."""
    env = {**os.environ, "DATABASE_URL": database_url(app), "SECRET_KEY": "test-secret"}
    env.pop("FLASK_RUN_FROM_CLI", None)

    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (CLI_MEMORY, CLI_MEMORY))

    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", "units", "import", str(path)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120, preexec_fn=limit_memory)


@pytest.mark.parametrize(("variant", "expected"), [(variant, expected) for variant, _make, expected in HOSTILE])
def test_the_import_command_refuses_a_hostile_file_within_its_memory_limit(app, units, hostile_files, tmp_path,
                                                                         variant, expected):
    path = tmp_path / "don-vi.xlsx"
    path.write_bytes(hostile_files[variant])
    before = snapshot(app)
    finished = flask_units_import(app, path)
    assert finished.returncode == 1, finished.stderr
    lines = finished.stderr.splitlines()
    assert lines[0] == "Tệp bị từ chối; không có đơn vị nào bị thay đổi:", finished.stderr
    assert lines[1].startswith(f"  {expected}"), finished.stderr
    assert "Traceback" not in finished.stderr
    assert snapshot(app) == before


def test_the_import_command_refuses_a_file_over_the_size_limit(app, units, tmp_path):
    path = tmp_path / "don-vi.csv"
    with open(path, "wb") as file:
        file.write(ROWS.encode())
        file.truncate(4 * FILE_LIMIT)  # sparse: read past the limit, the rest is never read
    finished = flask_units_import(app, path)
    assert finished.returncode == 1 and "giới hạn là 24 MB và 100.000 đơn vị" in finished.stderr, finished.stderr


def test_a_large_list_imports_under_the_memory_limit(app, units, tmp_path):
    lines = [f"X.{n:05d},Chi bộ thôn {n} xã Ea Kly,chi_bo_truc_thuoc,KP.EK" for n in range(5000)]
    path = tmp_path / "don-vi.xlsx"
    path.write_bytes(workbook_of(HEADER + "\n".join(lines) + "\n"))
    finished = flask_units_import(app, path)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.startswith("Đã tạo mới 5000 đơn vị"), finished.stdout
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit).where(Unit.code.like("X.%"))) == 5000
