"""`flask export xlsx`: the Organisation Committee's workbook, for the whole province or one subtree;
`flask export docx`: the consolidated draft of the province or of one committee;
`flask export cleanup`: the web downloads' old workbooks and drafts removed."""

import sys

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from flask_babel import gettext as _

from config import DEFAULT_LANGUAGE, LANGUAGES
from consolidation.source import ExportSource
from documents.consolidated_docx import write_consolidated_draft
from downloads.files import WriteFailed, write_into_place
from downloads.jobs import exports_folder, fail_stale_jobs, remove_expired_exports
from exports import write_workbook
from models import Unit, db
from schema.store import current_survey

export_cli = AppGroup("export", help="Export commands.")


@export_cli.command("xlsx")
@click.argument("output", type=click.Path(dir_okay=False, writable=True))
@click.option("--scope", "scope_code", help="Code of the unit whose subtree to export (default: everything).")
@click.option("--language", type=click.Choice(LANGUAGES), default=DEFAULT_LANGUAGE, show_default=True)
@click.option("--include-drafts", is_flag=True, help="Also show the answers of reports not yet submitted.")
def xlsx_command(output, scope_code, language, include_drafts):
    """Write the Excel workbook (figures, totals, comments, progress, statistics, questions)."""
    scope = unit_named(scope_code) if scope_code else None
    source, survey = ExportSource(scope, include_drafts=include_drafts), current_survey()
    summary = write_with_progress(output, source, lambda path, tmpdir, bar: write_workbook(
        path, survey, source, language=language, on_unit=lambda: bar.update(1), tmpdir=tmpdir))
    click.echo(_("%(units)s units written to %(path)s.", units=summary.units, path=output))
    click.echo(_("%(count)s answers were longer than one Excel cell and continue on the next rows of the "
                 "comments sheet.", count=summary.split_answers))
    if summary.retired_questions:
        click.echo(_("Retired questions kept in marked columns: %(ids)s",
                     ids=", ".join(summary.retired_questions)))


@export_cli.command("docx")
@click.argument("output", type=click.Path(dir_okay=False, writable=True))
@click.option("--scope", "scope_code", help="Code of the committee whose draft to write (default: the province).")
def docx_command(output, scope_code):
    """Write the consolidated draft (Word, in Vietnamese) of the province or of one committee, from the submitted
    reports."""
    scope = unit_named(scope_code) if scope_code else db.session.scalar(
        sa.select(Unit).filter_by(level="tinh").order_by(Unit.code).limit(1))
    if scope is None:
        raise click.ClickException(_("The unit list has no province: import it first."))
    source, survey = ExportSource(scope), current_survey()
    summary = write_with_progress(output, source, lambda path, _tmpdir, bar: write_consolidated_draft(
        path, survey, source, scope, on_unit=lambda: bar.update(1)))
    click.echo(_("Draft of %(scope)s written to %(path)s, from %(submitted)s of %(units)s reports.",
                 scope=scope.name, path=output, submitted=summary.submitted, units=summary.units))


def unit_named(code):
    unit = db.session.scalar(sa.select(Unit).filter_by(code=code))
    if unit is None:
        raise click.BadParameter(_("no unit has the code %(code)s", code=code), param_hint="--scope")
    return unit


def write_with_progress(output, source, write):
    """Write `output` into place with `write(path, tmpdir, progress bar)`, a bar over the source's units."""
    try:
        with click.progressbar(length=source.count(), label=_("Units"), file=sys.stderr) as bar:
            return write_into_place(output, lambda path, tmpdir: write(path, tmpdir, bar))
    except WriteFailed as failure:
        raise click.ClickException(_("%(path)s could not be written: %(reason)s. Nothing was changed: a file "
                                     "already there is kept as it was.", path=output, reason=failure.reason)) from None


@export_cli.command("cleanup")
def cleanup_command():
    """Remove the web downloads' workbooks and drafts older than a day, and whatever a stopped job left behind."""
    fail_stale_jobs()
    removed = remove_expired_exports()
    click.echo(_("%(count)s old files removed from %(folder)s.", count=removed, folder=exports_folder()))
