"""`flask survey check`: tell an administrator whether a survey config file can go live."""

from collections import Counter

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from schema import REPORTING_LEVELS, ConfigError, load_survey
from schema.model import day_text

survey_cli = AppGroup("survey", help="Survey config commands.")


@survey_cli.command("check")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
def check_command(path):
    """Check a survey config file (default: SURVEY_CONFIG) and list every problem."""
    path = path or current_app.config["SURVEY_CONFIG"]
    try:
        survey = load_survey(path)
    except ConfigError as error:
        click.echo(_("%(path)s: %(count)s problem(s)", path=path, count=len(error.problems)), err=True)
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1) from None
    click.echo(summary(path, survey))


def summary(path, survey):
    """Return a few lines describing a valid survey: sections, questions by type, levels."""
    types = Counter(q.type for q in survey.questions.values())
    lines = [
        _("%(path)s is valid (version %(version)s).", path=path, version=survey.version),
        _("Sections: %(count)s", count=sum(1 for _section in survey.all_sections())),
        _("Questions: %(count)s", count=len(survey.questions)),
    ]
    lines += [f"  {qtype}: {count}" for qtype, count in sorted(types.items())]
    for level in REPORTING_LEVELS:
        lines.append(_("Level %(level)s: %(count)s questions, deadline %(day)s", level=level,
                       count=len(survey.questions_for(level)), day=day_text(survey.last_day(level))))
    return "\n".join(lines)
