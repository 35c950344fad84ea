"""`flask narratives index`: the reports saved before texts were kept linked to their narrative texts, and
every text not yet analysed analysed (after an upgrade, or a change of the analysis). The analyser links and
analyses what saves leave, so a service started on an empty database never needs it.

`flask narratives follow`: the analyser, which gunicorn starts beside its workers (gunicorn.conf.py): it links
the revisions saves leave to their texts, then analyses the new texts; run it yourself only where gunicorn is
told not to (TEXT_ANALYSER=0).
"""

import math
import os
import signal
import time

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError

from consolidation.answer_texts import (
    FOLLOWING_BATCH,
    analyse_pending,
    index_shown_revisions,
    link_saved_revisions,
    never_analysed,
    pending_count,
)
from consolidation.summaries import forget_all
from models import db
from schema.loader import ConfigError
from schema.store import current_survey

narratives_cli = AppGroup("narratives", help="Narrative answers: search index and analysis.")


@narratives_cli.command("index")
def index_command():
    """Link the reports committees read to their narrative texts, then analyse the texts not yet analysed."""
    linked = link_saved_revisions() + index_shown_revisions(db.session, current_survey())
    db.session.commit()
    click.echo(_("%(count)s reports linked to their narrative texts.", count=linked))
    pending = pending_count()
    with click.progressbar(length=pending, label=_("Analysing texts")) as bar:
        analysed = analyse_pending(progress=bar.update)
    click.echo(_("%(count)s texts analysed.", count=analysed))
    if linked or analysed:
        forget_all()  # made from the texts as they were: each item's summary is made anew when next read


#: How much lower than the workers the analyser runs: at the deadline's rush the saves take the CPU first.
NICENESS = 10


@narratives_cli.command("follow")
@click.option("--every", type=click.FloatRange(min=0.1, max=3600), default=2.0, show_default=True,
              callback=lambda _context, _option, value: a_number_of_seconds(value),
              help="Seconds between two looks for new texts.")
def follow_command(every):
    """Link and analyse the texts saves leave, as they come, at a low priority, until stopped (SIGTERM or
    Ctrl-C)."""
    os.nice(NICENESS)
    stopping = []
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        # Noted, not raised: a batch being written is finished first; the next look does not come.
        signal.signal(signal_number, lambda *_: stopping.append(True))
    click.echo(_("The text analyser looks for new texts every %(seconds)s s.", seconds=every))
    while not stopping:
        if not take_new_saves() and not stopping:
            time.sleep(every)


def linked_saves():
    """Link the revisions saved since the last look; none while the survey config the analyser started with is
    invalid (linking needs its narrative questions; analysing the texts stored does not)."""
    try:
        return link_saved_revisions()
    except ConfigError:
        current_app.logger.warning("The text analyser links no saved report while the survey config is invalid "
                                   "(`flask survey check` lists the problems); it tries again at the next look")
        return 0


def a_number_of_seconds(value):
    # A range lets "nan" through: every comparison with it is false.
    if not math.isfinite(value):
        raise click.BadParameter(_("%(value)s is not a number of seconds.", value=value))
    return value


def take_new_saves():
    """Link the revisions saved since the last look to their texts, then analyse the new texts; return how
    many revisions and texts. A failure (the database away, say) is logged and the next look tries again: the
    saves wait, and readings link and summaries analyse what they need."""
    try:
        return linked_saves() + analyse_pending(workers=1, which=never_analysed(), batch_size=FOLLOWING_BATCH)
    except OperationalError as error:  # busy, locked, or not reachable: nothing to debug, one line
        current_app.logger.warning("The text analyser could not use the database (%s); it tries again at the "
                                   "next look", error.orig)
    except Exception:
        current_app.logger.exception("The text analyser failed; it tries again at the next look")
    return 0
