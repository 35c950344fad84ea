"""Writing a workbook file so that a failure leaves nothing behind: neither half a file in place of a good
one, nor XlsxWriter's temporary files (some 300 MB for a province) in the system's temporary folder."""

import os
import re
import shutil
import tempfile
import unicodedata
from contextlib import contextmanager
from pathlib import Path

from xlsxwriter.exceptions import FileCreateError


class WriteFailed(Exception):
    """The file could not be written; `reason` says why, as the system put it ("No space left on device")."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


#: The scratch folders of downloads sent at once, in the exports folder.
DOWNLOAD_PREFIX = ".download."


def scratch_prefix(target):
    """Return the name prefix of the scratch folders made beside `target` while it is written."""
    return f".{Path(target).name}."


def write_into_place(target, write):
    """Call `write(path, tmpdir)` to write a file in a scratch folder beside `target`, then rename it to
    `target` once whole; return what `write` returns.

    XlsxWriter's own temporary files go into the scratch folder too (its `tmpdir`), so that they are
    on the target's disk and the folder is all there is to remove, whatever happens. Renaming within
    one file system replaces the old file at once: a reader sees the old file or the new one, never
    part of one. Raise WriteFailed when the system refuses a write (a full disk, a missing folder).
    """
    target = Path(target)
    with write_failures_reported(), scratch_folder(target.parent, scratch_prefix(target)) as scratch:
        partial = scratch / target.name
        result = write(partial, str(scratch))
        flush_to_disk(partial)
        os.replace(partial, target)
        return result


def written_file(folder, write):
    """Call `write(path, tmpdir)` to write a file in a scratch folder inside `folder` (made if missing), and
    return the file open for reading: the folder, with whatever else the writer left in it, is gone
    whatever happens, and the open file lives until it is closed (a download, once sent). Raise WriteFailed
    when the system refuses a write."""
    with write_failures_reported():
        Path(folder).mkdir(parents=True, exist_ok=True)
    with write_failures_reported(), scratch_folder(folder, DOWNLOAD_PREFIX) as scratch:
        path = scratch / "download"
        write(path, str(scratch))
        return open(path, "rb")  # the caller closes it


@contextmanager
def scratch_folder(parent, prefix):
    """Make a folder in `parent` for a writer's files and remove it once done, whatever happens. A writer that
    fails closes what it opened (see exports.workbook.open_workbook)."""
    scratch = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@contextmanager
def write_failures_reported():
    """Turn the system's refusal of a write into WriteFailed, whichever writer met it."""
    try:
        yield
    except FileCreateError as error:  # XlsxWriter's name for the OSError of its final write
        raise WriteFailed(reason_of(error.args[0])) from error
    except OSError as error:
        raise WriteFailed(reason_of(error)) from error


def reason_of(error):
    return error.strerror or str(error) if isinstance(error, OSError) else str(error)


def flush_to_disk(path):
    """Have the file's bytes on disk before its name replaces the old file's, so that a power cut
    after the rename cannot leave an empty file."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def download_name(scope_name, day, prefix="tổng-kết-chỉ-thị-10", extension="xlsx"):
    """Return a file name that keeps Vietnamese letters and is safe on every system."""
    words = re.sub(r"[^\w]+", "-", unicodedata.normalize("NFC", scope_name or "")).strip("-")
    return f"{prefix}_{words or 'toan-tinh'}_{day.isoformat()}.{extension}"
