"""`flask narratives index`: the reports saved before texts were kept linked to their narrative texts, and
every text not yet analysed analysed (after an upgrade, or a change of the analysis). A save does both for
its own texts, so a service started on an empty database never needs it."""

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from consolidation.answer_texts import analyse_pending, index_shown_revisions, pending_count
from consolidation.summaries import forget_all
from models import db
from schema.store import current_survey

narratives_cli = AppGroup("narratives", help="Narrative answers: search index and analysis.")


@narratives_cli.command("index")
def index_command():
    """Link the reports committees read to their narrative texts, then analyse the texts not yet analysed."""
    linked = index_shown_revisions(db.session, current_survey())
    db.session.commit()
    click.echo(_("%(count)s reports linked to their narrative texts.", count=linked))
    pending = pending_count()
    with click.progressbar(length=pending, label=_("Analysing texts")) as bar:
        analysed = analyse_pending(progress=bar.update)
    click.echo(_("%(count)s texts analysed.", count=analysed))
    if linked or analysed:
        forget_all()  # made from the texts as they were: each item's summary is made anew when next read
