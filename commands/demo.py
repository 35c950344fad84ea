"""`flask demo`: a synthetic province for demos and benchmarks; `flask demo-site`: make run's demo."""

import errno
import socket
from urllib.parse import urlsplit

import click
import sqlalchemy as sa
from flask import current_app, url_for
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_migrate import upgrade

from config import ROOT
from demo.province import SHAPES, create_demo_province
from demo.site import blank_units, demo_database_state, set_up_demo_site
from models import Unit, db
from schema.store import current_survey

from .options import BASE_URL, LOCAL_BASE_URL

#: The demo province make run loads: today's shape (docs/unit-list.md).
DEMO_UNIT_LIST = ROOT / "demo" / "units-2025.csv"
ROLE_NAMES = {"manager": _l("manager"), "viewer": _l("viewer")}


@click.command("demo")
@click.option("--units", "unit_count", type=click.IntRange(2, 1_000_000), default=300, show_default=True,
              help="How many units to create, the province included.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed, for repeatable data.")
@click.option("--shape", type=click.Choice(SHAPES), default=SHAPES[0], show_default=True,
              help="2025: communes, wards and grassroots cells directly under the province, beside a few "
                   "committees directly under it; seed: every grassroots unit under a district committee.")
@with_appcontext
def demo_command(unit_count, seed, shape):
    """Fill an empty database with a synthetic province and random valid answers."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Unit)):
        click.echo(_("The database already has units; demo data goes into an empty database only."), err=True)
        raise SystemExit(1)
    summary = create_demo_province(current_survey(), unit_count, seed, shape)
    click.echo(_("%(units)s units, %(responses)s opened reports, %(revisions)s saved versions.",
                 units=summary.units, responses=summary.responses, revisions=summary.revisions))


@click.command("demo-site")
@click.option("--units", "unit_list", type=click.File("rb"), default=str(DEMO_UNIT_LIST), show_default=True,
              help="The unit list (CSV) of the demo province.")
@click.option("--base-url", type=BASE_URL, default=LOCAL_BASE_URL, show_default=True,
              help="The address the demo is served at.")
@click.option("--check-port", is_flag=True,
              help="First stop, saying so, if another program already serves the base URL's port.")
@with_appcontext
def demo_site_command(unit_list, base_url, check_port):
    """What make run does before serving: the first time, create its SQLite database with a demo province under
    way and two accounts; afterwards, or on any other database, only bring the tables up to date."""
    if check_port:
        refuse_a_port_in_use(base_url)
    state = demo_database_state()
    if state == "setting_up":
        raise click.ClickException(_("The demo database's set-up was cut short. Remove it (make clean) and run "
                                     "make run again."))
    with current_app.test_request_context(base_url=base_url):
        if state == "absent":
            print_new_site(set_up_demo_site(current_survey(), unit_list.read()))
            return
        upgrade()
        if state == "ready":
            click.echo(_("The demo database exists; nothing was added to it."))
            print_sign_in_address()
            click.echo(_("Their passwords were shown when the demo was created; to set another: "
                         "flask --app app users passwd NAME"))
            print_blank_links(blank_units())
        else:
            click.echo(_("This database was not created by make run, so nothing was added to it."))


def refuse_a_port_in_use(base_url):
    """Stop before printing links to base_url if another program serves its port: flask run could not start, and
    the links would lead to that program."""
    address = urlsplit(base_url)
    port = address.port or 80
    if port_in_use(address.hostname, port):
        raise click.ClickException(_("Port %(port)s is in use by another program: stop it, or serve the demo on "
                                     "another port: make run PORT=%(other)s", port=port, other=port + 1))


def port_in_use(host, port):
    """Return whether another program already listens on host:port, where flask run would fail to serve."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        socket.create_server((host, port), family=family).close()  # with SO_REUSEADDR, as werkzeug's server
    except OSError as error:
        return error.errno == errno.EADDRINUSE
    return False


def print_new_site(site):
    """Say what the demo holds, then the accounts with their passwords (shown this once), then the links."""
    counts = site.counts()
    click.echo(_("Demo province created: %(units)s units; %(submitted)s submitted (%(late)s late), %(drafts)s "
                 "drafts, %(untouched)s not opened yet.", units=len(site.progress),
                 submitted=counts["submitted"] + counts["revised"] + counts["submitted_late"],
                 late=counts["submitted_late"], drafts=counts["draft"] + counts["overdue"],
                 untouched=counts["not_opened"]))
    print_sign_in_address()
    for account in site.accounts:
        click.echo(f"  {account.username}  {account.password}  "
                   f"{ROLE_NAMES[account.role]}, {account.scope.name}")
    click.echo(_("These passwords are shown this once and stored only as hashes; to set another: "
                 "flask --app app users passwd NAME"))
    print_blank_links(site.blank)


def print_sign_in_address():
    click.echo(_("Committees sign in at %(address)s", address=url_for("admin.home", _external=True)))


def print_blank_links(links):
    click.echo(_("Units left blank to fill in (all the links: flask --app app units links):"))
    for link in links:
        click.echo(f"  {link.code}  {link.name}: {link.url}")
