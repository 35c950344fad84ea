"""Every download's files live in the exports folder and go, closed, when writing fails mid-way: none in the
system's temporary folder, none removed yet still open in the worker (its space taken until the garbage
collector runs). The fault is real to the writers: the disk refuses a write while the file is put together."""

import errno
import gc
import tempfile

import docx.opc.phys_pkg
import pytest
import sqlalchemy as sa
import xlsxwriter.worksheet
from test_export_jobs import open_files, wait_for_job

from models import ExportJob, db

pytestmark = pytest.mark.once

#: Each download of the committees' pages, and whether it is sent at once or written by a job.
DOWNLOADS = {
    "links": ("/admin/links.xlsx", "at once"),
    "unit list": ("/admin/units.xlsx", "at once"),
    "unit list template": ("/admin/unit-list/template.xlsx", "at once"),
    "current unit list to upload back": ("/admin/unit-list/current.xlsx", "at once"),
    "workbook": ("/admin/export.xlsx", "at once"),
    "consolidated draft": ("/admin/report.docx", "at once"),
    "workbook job": ("/admin/export.xlsx", "job"),
    "consolidated draft job": ("/admin/report.docx", "job"),
}
NO_SPACE = "No space left on device"


@pytest.fixture
def full_disk(monkeypatch, tmp_path, system_tmp):
    """Make the disk refuse a write once a sheet's data, or a document's first part, is written: mid-way
    through putting the file together, its parts open. The garbage collector waits meanwhile, as it may
    for long in a worker: what the writers leave open stays open until they close it themselves. Return
    the files the writer held open when the disk refused."""
    held = []

    def refused(*args):
        held.extend(path for path in open_files() if path.startswith(str(system_tmp)) or "exports" in path)
        raise OSError(errno.ENOSPC, NO_SPACE)

    write_part = docx.opc.phys_pkg._ZipPkgWriter.write

    def write_then_refuse(self, pack_uri, blob):
        write_part(self, pack_uri, blob)
        refused()

    monkeypatch.setattr(xlsxwriter.worksheet.Worksheet, "_write_page_margins", refused)
    monkeypatch.setattr(docx.opc.phys_pkg._ZipPkgWriter, "write", write_then_refuse)
    gc.disable()
    yield held
    gc.enable()


@pytest.fixture
def system_tmp(tmp_path, monkeypatch):
    folder = tmp_path / "system-tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.mark.parametrize("download", DOWNLOADS)
def test_a_download_that_fails_mid_way_leaves_no_file_open_or_behind(make_app, accounts, auth, tmp_path,
                                                                     system_tmp, full_disk, download):
    held = full_disk
    url, mode = DOWNLOADS[download]
    app = make_app(EXPORT_STREAM_UNITS=0 if mode == "job" else 5000)
    client = app.test_client()
    auth.for_client(client).sign_in("btc")
    response = client.get(url)
    if mode == "job":
        assert response.status_code == 303, response.status_code
        wait_for_job(client, response.headers["Location"])
        with app.app_context():
            assert db.session.execute(sa.select(ExportJob.state, ExportJob.error)).one() == ("failed", NO_SPACE)
    else:
        assert response.status_code == 503, response.status_code
        assert "Không chuẩn bị được tệp" in response.text and "Traceback" not in response.text
    exports = tmp_path / "exports"
    assert held and all(path.startswith(f"{exports}/") for path in held), "written in the exports folder"
    assert [entry.name for entry in exports.iterdir()] == [], "nothing left of the half-written file"
    assert [path for path in open_files() if path.startswith((str(exports), str(system_tmp)))] == [], \
        "and nothing of it open"
    assert list(system_tmp.iterdir()) == [], "every temporary file was in the exports folder"


@pytest.mark.parametrize("download", [name for name, (_url, mode) in DOWNLOADS.items() if mode == "at once"])
def test_a_download_sent_at_once_leaves_nothing_behind(client, accounts, auth, tmp_path, system_tmp, download):
    auth.sign_in("btc")
    response = client.get(DOWNLOADS[download][0])
    assert response.status_code == 200 and response.data[:2] == b"PK"
    response.close()
    assert [entry.name for entry in (tmp_path / "exports").iterdir()] == []
    assert list(system_tmp.iterdir()) == []
