"""A large scope's workbook, or its consolidated draft, written in the background, so that the download
outlives the request asking for it (a province of 50,000 units takes some 90 seconds for the workbook,
longer than a worker may hold a request).

The request starts a job, or finds one (`requested_job`); a thread of the worker that took the request
writes the file into the exports folder, while the job's row in the database says how far it got. Any
worker can then show the progress page and send the finished file: the database is all they share,
and there is no broker. At most one job is being written per scope: a partial unique index refuses a
second active row of the kind, so two clicks in two workers cannot both start one. The thread's heartbeat tells a
live job from one whose worker was stopped or killed; such a job is marked failed and may be started
again. Files and rows are removed once they are a day old.
"""

import re
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

import clock
from consolidation.source import ExportSource
from documents.consolidated_docx import write_consolidated_draft
from exports.workbook import write_workbook
from models import ExportJob, Response, Revision, Unit, db
from models.export_job import ACTIVE_STATES
from units.hierarchy import UnitTree

from .files import DOWNLOAD_PREFIX, WriteFailed, download_name, write_into_place

#: The finished file of job N and the scratch folders made beside it while it is written.
JOB_ENTRY = re.compile(r"^\.?export-(\d+)\.(xlsx|docx)(\.|$)")
#: What each kind of job downloads as, before the scope's name and the day.
DOWNLOAD_PREFIXES = {"xlsx": "tổng-kết-chỉ-thị-10", "docx": "dự-thảo-báo-cáo-tổng-hợp"}
#: The names of the threads writing jobs, so that a test (or a hook) can wait for them.
THREAD_PREFIX = "export-job-"
#: What a job whose heartbeat stopped failed of (for operators; the page explains it in the person's language).
STOPPED = "the worker writing the file stopped before it was finished (restarted or killed)"


def requested_job(scope, language, survey, user, reuse_finished=True, kind="xlsx"):
    """Return the job answering a request for `scope`'s file of `kind` in `language`: the one being written
    for the scope (whatever its language), else a fresh finished one, else a new one started now."""
    fail_stale_jobs()
    return (active_job(scope, kind) or (reuse_finished and fresh_job(scope, language, survey, kind))
            or start_job(scope, language, survey, user, kind))


def active_job(scope, kind):
    return db.session.scalar(sa.select(ExportJob).where(ExportJob.scope_unit_id == scope.id, ExportJob.kind == kind,
                                                        ExportJob.state.in_(ACTIVE_STATES)))


def fresh_job(scope, language, survey, kind):
    """Return the newest finished job of the kind, scope, language and survey version whose file still holds
    what a new one would: asked for today (statuses turn overdue by the day), after the last save of a
    report of the scope and the last unit added to it, its file still there. Otherwise return None."""
    job = db.session.scalar(
        sa.select(ExportJob)
        .filter_by(scope_unit_id=scope.id, kind=kind, language=language, config_version=survey.version,
                   state="done")
        .order_by(ExportJob.id.desc()).limit(1))
    if job is None or survey.today(job.created_at) != survey.today(clock.now()) or not job_path(job).exists():
        return None
    changed = last_change(scope)
    return job if changed is None or changed < job.created_at else None


def last_change(scope):
    """Return when a report of the scope was last saved or a unit last added to it; None if never."""
    tree = UnitTree()
    saved = (tree.select(sa.func.max(Revision.created_at), scope=scope)
             .join(Response, Response.unit_id == Unit.id).join(Revision, Revision.response_id == Response.id))
    added = tree.select(sa.func.max(Unit.created_at), scope=scope)
    return max(filter(None, (db.session.scalar(saved), db.session.scalar(added))), default=None)


def start_job(scope, language, survey, user, kind="xlsx"):
    """Start writing the scope's file of `kind` in a thread of this worker and return its job; if another
    request started one for the scope meanwhile, return that one."""
    remove_expired_exports()
    job = ExportJob(kind=kind, scope_unit_id=scope.id, language=language, config_version=survey.version,
                    requested_by_id=user.id if user else None)
    db.session.add(job)
    try:
        db.session.commit()
    except IntegrityError:  # the scope's one active job, started by a request in another worker
        db.session.rollback()
        return db.session.scalar(sa.select(ExportJob).filter_by(scope_unit_id=scope.id, kind=kind)
                                 .order_by(ExportJob.id.desc()).limit(1))
    # Not a daemon: a worker stopping gracefully lets the job finish within gunicorn's graceful_timeout.
    threading.Thread(target=run_job, args=(current_app._get_current_object(), job.id, survey),
                     name=f"{THREAD_PREFIX}{job.id}").start()
    return job


def run_job(app, job_id, survey):
    """Write the job's workbook, in the job's own thread, app context and database session."""
    with app.app_context():
        try:
            write_job_file(app, db.session.get(ExportJob, job_id), survey)
        except Exception as error:
            db.session.rollback()
            app.logger.exception("Export job %s failed", job_id)
            end_job(job_id, state="failed", error=failure_text(error))


def write_job_file(app, job, survey):
    scope, source = job.scope, ExportSource(job.scope)
    job.state, job.units_total, job.heartbeat_at = "running", source.count(), clock.now()
    db.session.commit()
    name, language, progress = job_file_name(job), job.language, Progress()

    def write(path, tmpdir):
        if job.kind == "docx":
            write_consolidated_draft(path, survey, source, scope, on_unit=progress.add)
        else:
            write_workbook(path, survey, source, language=language, on_unit=progress.add, tmpdir=tmpdir)

    with heartbeat(app, job.id, progress):
        write_into_place(exports_folder() / name, write)
    end_job(job.id, state="done", file_name=name, units_done=progress.units, units_total=progress.units)


class Progress:
    """The units written so far, counted by the writing thread and read by the heartbeat's."""

    def __init__(self):
        self.units = 0

    def add(self):
        self.units += 1


@contextmanager
def heartbeat(app, job_id, progress):
    """Record the job's progress and that it is alive every few seconds, from a thread of its own: the
    writing thread also spends a long time in sheets that count no units."""
    stopped = threading.Event()

    def beat():
        with app.app_context():
            while not stopped.wait(app.config["EXPORT_HEARTBEAT_SECONDS"]):
                try:
                    db.session.execute(sa.update(ExportJob).filter_by(id=job_id, state="running")
                                       .values(units_done=progress.units, heartbeat_at=clock.now()))
                    db.session.commit()
                except SQLAlchemyError:  # a busy database: the next beat tries again
                    db.session.rollback()
                    app.logger.warning("Export job %s: heartbeat not recorded", job_id, exc_info=True)

    ticker = threading.Thread(target=beat, name=f"{THREAD_PREFIX}{job_id}-heartbeat")
    ticker.start()
    try:
        yield
    finally:
        stopped.set()
        ticker.join()


def end_job(job_id, **values):
    """Record how the job ended, unless it was already marked failed for having gone silent."""
    db.session.execute(sa.update(ExportJob).where(ExportJob.id == job_id, ExportJob.state.in_(ACTIVE_STATES))
                       .values(finished_at=clock.now(), **values))
    db.session.commit()


def failure_text(error):
    if isinstance(error, WriteFailed):
        return error.reason
    return f"{type(error).__name__}: {error}"


def fail_stale_jobs():
    """Mark failed the jobs whose heartbeat stopped: their worker was stopped or killed mid-way."""
    now = clock.now()
    silent_since = now - current_app.config["EXPORT_STALE_AFTER"]
    stale = ExportJob.state.in_(ACTIVE_STATES) & (ExportJob.heartbeat_at < silent_since)
    # Read first: most calls find none, and an UPDATE would take SQLite's write lock every time.
    if db.session.scalar(sa.select(sa.func.count()).select_from(ExportJob).where(stale)):
        db.session.execute(sa.update(ExportJob).where(stale).values(state="failed", error=STOPPED, finished_at=now))
        db.session.commit()


def remove_expired_exports():
    """Remove the jobs asked for more than EXPORT_KEEP_FOR ago, every file in the exports folder that no
    active or kept finished job owns (a failed job's, or a killed worker's scratch folder), and the scratch
    folders of downloads sent at once that a killed worker left (one lives for a request, so any older than
    EXPORT_KEEP_FOR is left over); return how many files and folders were removed."""
    folder = exports_folder()
    folder.mkdir(parents=True, exist_ok=True)
    # Listed before the jobs are read: a job makes its files only once its row is committed, so every
    # file listed here belongs to a job the query below sees.
    entries = list(folder.iterdir())
    cutoff = clock.now() - current_app.config["EXPORT_KEEP_FOR"]
    kept = set(db.session.scalars(sa.select(ExportJob.id).where(
        ExportJob.state.in_(ACTIVE_STATES) | ((ExportJob.state == "done") & (ExportJob.created_at >= cutoff)))))
    removed = 0
    for entry in entries:
        match = JOB_ENTRY.match(entry.name)
        if (match and int(match.group(1)) not in kept) or is_left_download(entry, cutoff):
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed += 1
    db.session.execute(sa.delete(ExportJob).where(ExportJob.state.not_in(ACTIVE_STATES),
                                                  ExportJob.created_at < cutoff))
    db.session.commit()
    return removed


def is_left_download(entry, cutoff):
    return entry.name.startswith(DOWNLOAD_PREFIX) and entry.stat().st_mtime < cutoff.timestamp()


def exports_folder():
    return Path(current_app.config["EXPORTS_FOLDER"])


def job_file_name(job):
    return f"export-{job.id}.{job.kind}"


def job_path(job):
    """Return the path of a finished job's file."""
    return exports_folder() / job.file_name


def job_download_name(job, survey):
    """Return the name the file downloads as: its kind, the scope's name, and the day the job was asked for."""
    return download_name(job.scope.name, survey.today(job.created_at), DOWNLOAD_PREFIXES[job.kind], job.kind)
