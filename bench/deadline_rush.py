"""Benchmark: the deadline rush, every unit loading its page, saving two drafts and submitting, 64 at
a time, under gunicorn with SQLite and with PostgreSQL.

    make bench-rush              # or: .venv/bin/python bench/deadline_rush.py --help

For each database, a demo province of 2,000 reporting units whose reports are emptied first, so that
every link is opened for the first time in the rush, and one gunicorn with gunicorn.conf.py and its
number of workers. 64 client threads each take the next unit and do what a browser does: load its
page, then post the form three times (draft, draft, submit), each with the csrf_token, form_state and
cookie of the page just loaded, and follow the redirect. Afterwards the database is compared with what
the clients were told. Targets:

- no request fails;
- no revision lost or duplicated: every POST answered 302 is one revision of its unit, every submit
  answered 302 its unit's submitted report, and no unit has more revisions than forms it posted;
- SQLite's submits/s >= 50% of PostgreSQL's, in the same run.
"""

import collections
import contextlib
import queue
import random
import runpy
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import common
import sqlalchemy as sa
from flask import url_for

from forms import posted_answers
from models import Response, Revision, Unit, db
from reporting.demo import random_answers
from schema import REPORTING_LEVELS
from schema.store import current_survey
from views.survey import state_serializer

#: A unit's steps and the action each posts: the page, then three posts of its form.
STEPS = {"page": None, "draft 1": "save", "draft 2": "save", "submit": "submit"}
#: A page that shows the form (a submitted report shows none).
FORM = b'name="form_state"'
SQLITE_SHARE = 0.5
#: Seconds a client waits for an answer: longer than gunicorn's worker timeout, so that the server's
#: failures show as the server reports them.
CLIENT_TIMEOUT = 120
POSTGRESQL = "postgresql://postgres@127.0.0.1:5432/test"
DATABASES = ("sqlite", "postgresql")


def main():
    arguments = common.parser(__doc__, load=False)
    arguments.add_argument("--units", type=int, default=2000, help="reporting units, each doing the four steps")
    arguments.add_argument("--clients", type=int, default=64, help="concurrent clients (threads)")
    arguments.add_argument("--workers", type=int, default=runpy.run_path(str(common.ROOT / "gunicorn.conf.py"))[
        "workers"], help="gunicorn workers (gunicorn.conf.py's: WEB_CONCURRENCY or 2 x CPUs + 1)")
    arguments.add_argument("--database", choices=(*DATABASES, "both"), default="both")
    arguments.add_argument("--postgresql", default=POSTGRESQL, metavar="URL",
                           help="a PostgreSQL server where the run creates a database of its own, and drops it")
    args = arguments.parse_args()
    results = {}
    for kind in DATABASES if args.database == "both" else (args.database,):
        print(f"\n=== {kind}: {args.units:,} units, {args.clients} clients, {args.workers} gunicorn workers",
              flush=True)
        with database_url(kind, args.postgresql) as url, common.Demo(
                args.units + warm_up_size(args) + 1, args.seed, url) as demo:
            results[kind] = rush_on(demo, args)
    return report(results)


def warm_up_size(args):
    """Units set aside for the warm-up: enough for every worker to render each page before the rush."""
    return 4 * args.workers


@contextlib.contextmanager
def database_url(kind, server_url):
    """Yield None for a SQLite file, or the URL of a PostgreSQL database of this run's own."""
    if kind == "sqlite":
        yield None
    else:
        with common.postgresql_database(server_url) as url:
            yield url


@dataclass
class Visit:
    """A unit as a client sees it: its link, and the three reports it will post."""

    token: str
    path: str
    bodies: list


def rush_on(demo, args):
    """Build the province, run the warm-up and the rush under gunicorn, check the database."""
    demo.build()
    with demo.app() as app:
        visits = prepare_visits(app, args.seed)
    warm_up, visits = visits[:warm_up_size(args)], visits[warm_up_size(args):]
    with common.Gunicorn(demo, args.workers) as server:
        warm = Rush(server, demo.url).run(warm_up, args.workers)
        if warm.failed():
            warm.print_errors()
            raise SystemExit(f"the warm-up failed: {warm.failed()} steps")
        print(f"warm-up: {len(warm_up)} units from {args.workers} clients, untimed", flush=True)
        rush = Rush(server, demo.url).run(visits, args.clients)
        server.report_log()
    rush.print()
    with demo.app() as app:
        rush.check = check_database(app, rush, {visit.token for visit in visits})
    rush.check.print()
    return rush


def prepare_visits(app, seed):
    """Empty every report, so that each link is opened for the first time in the rush; return the units'
    visits in a random order, each with two drafts and a complete report to post (untimed)."""
    rng = random.Random(seed)
    started = time.monotonic()
    with app.app_context():
        db.session.execute(sa.delete(Revision))
        db.session.execute(sa.delete(Response))
        db.session.commit()
        survey = current_survey()
        units = db.session.execute(sa.select(Unit.token, Unit.level).where(Unit.level.in_(REPORTING_LEVELS))
                                   .order_by(Unit.id)).all()
        rng.shuffle(units)
        with app.test_request_context():
            visits = [Visit(token, url_for("survey.page", token=token),
                            [report_body(survey, level, rng, action) for action in list(STEPS.values())[1:]])
                      for token, level in units]
    print(f"reports emptied, {3 * len(visits):,} reports to post generated in {time.monotonic() - started:.1f}s "
          "(untimed)", flush=True)
    return visits


def report_body(survey, level, rng, action):
    """Return the answers a browser posts: a draft leaves some questions empty, a submission none."""
    return urlencode(posted_answers(survey, level, random_answers(survey, level, rng, complete=action == "submit")))


class Rush:
    """Units visited from concurrent client threads: each step's latencies and errors, and the forms
    that every POST answered 302 was told were saved."""

    def __init__(self, server, url):
        self.server, self.url = server, url
        self.steps = {step: common.Run(step) for step in STEPS}
        #: (token, action, form_state) of every POST answered 302; the forms each unit posted.
        self.told, self.posted = [], collections.Counter()
        self.lock = threading.Lock()
        self.units, self.seconds, self.requests = 0, 0.0, 0
        self.client_cpu, self.server_cpu, self.database_cpu, self.machine_cpu = 0.0, None, None, 0.0
        self.check = None

    def run(self, visits, clients):
        """Visit the units from `clients` threads, each taking the next unit when done with one."""
        pending = queue.SimpleQueue()
        for visit in visits:
            pending.put(visit)
        self.units = len(visits)

        def client():
            with contextlib.suppress(queue.Empty):
                while True:
                    self.visit(pending.get_nowait())

        cpu, server_cpu, busy = time.process_time(), self.server.cpu_seconds(), common.machine_busy_seconds()
        database_cpu = self.postgresql_cpu()
        started = time.perf_counter()
        threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(0.2)
        self.seconds = time.perf_counter() - started
        self.client_cpu = time.process_time() - cpu
        self.machine_cpu = common.machine_busy_seconds() - busy
        self.server_cpu = difference(server_cpu, self.server.cpu_seconds())
        self.database_cpu = difference(database_cpu, self.postgresql_cpu())
        return self

    def postgresql_cpu(self):
        return None if self.url is None else common.postgresql_cpu_seconds(self.url)

    def visit(self, visit):
        """Do a unit's steps as a browser does, stopping at the first that fails. A step is what the
        person waits for: the page, or a POST and the page it redirects to."""
        answers, page = [], None  # every answer so far gives the cookies; the last page gives the form
        for (step, action), body in zip(STEPS.items(), [None, *visit.bodies], strict=True):
            started = time.perf_counter()
            try:
                path = visit.path
                if action is not None:
                    fields = common.hidden_fields(page.body)
                    with self.lock:
                        self.posted[visit.token] += 1
                    posted = self.send("POST", path, answers, f"{body}&{urlencode({**fields, 'action': action})}")
                    if posted.status != 302:
                        return self.fail(step, f"POST: HTTP {posted.status}", common.why(posted.body))
                    with self.lock:
                        self.told.append((visit.token, action, fields["form_state"]))
                    path = posted.location
                page = self.send("GET", path, answers)
            except (OSError, ValueError) as error:
                return self.fail(step, type(error).__name__, str(error))
            latency = time.perf_counter() - started
            if page.status != 200:
                return self.fail(step, f"GET: HTTP {page.status}", common.why(page.body))
            if (FORM in page.body) != (action != "submit"):
                return self.fail(step, "GET: unexpected page", common.why(page.body))
            with self.lock:
                self.steps[step].latencies.append(latency)
                self.steps[step].ok += 1

    def send(self, method, path, answers, body=None):
        """Send one request with the cookies of the answers so far; keep its answer for its cookies."""
        answer = common.request(self.server.port, method, path, body and body.encode(),
                                common.cookie_header(*answers), timeout=CLIENT_TIMEOUT)
        answers.append(answer)
        with self.lock:
            self.requests += 1
        return answer

    def fail(self, step, kind, sample):
        with self.lock:
            self.steps[step].errors[kind] += 1
            self.steps[step].samples.setdefault(kind, sample)

    def failed(self):
        return sum(run.errors.total() for run in self.steps.values())

    def rate(self, step):
        return self.steps[step].ok / self.seconds if self.seconds else 0.0

    def print(self):
        done = sum(run.ok for run in self.steps.values())
        print(f"\nrush: {self.units:,} units, {done:,} steps done, {self.failed()} failed, {self.requests:,} "
              f"requests in {self.seconds:.1f}s")
        row = "  {:<10} {:>6} {:>7} {:>8} {:>8} {:>8} {:>8}"
        print(row.format("step", "done", "failed", "p50 ms", "p95 ms", "p99 ms", "max ms"))
        for name, run in self.steps.items():
            slowest = max(run.latencies, default=float("nan"))
            print(row.format(name, run.ok, run.errors.total(),
                             *(f"{seconds * 1000:.0f}" for seconds in (*map(run.latency, (50, 95, 99)), slowest))))
        self.print_errors()
        print(f"  throughput: {done / self.seconds:.1f} steps/s, {self.rate('submit'):.2f} submits/s, "
              f"{self.requests / self.seconds:.1f} requests/s")
        database = self.database_cpu or 0.0
        others = max(0.0, self.machine_cpu - (self.server_cpu or 0.0) - database - self.client_cpu)
        per_request = f"{1000 * self.server_cpu / self.requests:.1f} ms/request" if self.server_cpu else "n/a"
        print(f"  cores busy: gunicorn {(self.server_cpu or 0.0) / self.seconds:.2f} ({per_request})"
              + (f", PostgreSQL backends {database / self.seconds:.2f}" if self.database_cpu is not None else "")
              + f", client {self.client_cpu / self.seconds:.2f} ({1000 * self.client_cpu / self.requests:.2f} "
              f"ms/request), others {others / self.seconds:.2f}")

    def print_errors(self):
        for name, run in self.steps.items():
            for kind, count in run.errors.most_common():
                print(f"  ! {name}: {count} x {kind}: {run.samples[kind][:300]}")


def difference(before, after):
    return None if None in (before, after) else after - before


@dataclass
class Check:
    """The database against what the clients were told."""

    told: int = 0
    stored: int = 0
    #: Told saved, but no revision of that form on that unit with that action.
    lost: int = 0
    #: Revisions beyond the forms their unit posted.
    duplicated: int = 0
    #: Saved, though the POST did not answer 302 (an error answered after the commit).
    unconfirmed: int = 0
    submits_told: int = 0
    submitted: int = 0
    #: Submits answered 302 whose unit's submitted report is not that revision.
    lost_submits: int = 0

    def print(self):
        print(f"  database: {self.stored:,} revisions for {self.told:,} POSTs answered 302: {self.lost} lost, "
              f"{self.duplicated} duplicated, {self.unconfirmed} saved without a 302; {self.submitted:,} submitted "
              f"reports for {self.submits_told:,} submits answered 302, {self.lost_submits} not the submitted report")

    @property
    def ok(self):
        return not (self.lost or self.duplicated or self.lost_submits or self.submitted != self.submits_told)


def check_database(app, rush, tokens):
    """Compare the rush units' revisions and submitted reports with what the clients were told."""
    check = Check(told=len(rush.told))
    with app.app_context():
        serializer = state_serializer()
        told = {serializer.loads(form_state)["id"]: (token, action) for token, action, form_state in rush.told}
        rows = db.session.execute(
            sa.select(Revision.submission_id, Unit.token, Revision.action, Revision.number, Response.submitted_number)
            .join(Response, Revision.response_id == Response.id).join(Unit, Response.unit_id == Unit.id)).all()
        submitted = set(db.session.scalars(sa.select(Unit.token).join(Unit.response)
                                           .where(Response.submitted_number.is_not(None))))
    stored = {row.submission_id: row for row in rows if row.token in tokens}
    check.stored = len(stored)
    check.lost = sum(stored.get(form) is None or (stored[form].token, stored[form].action) != what
                     for form, what in told.items())
    check.unconfirmed = len(stored.keys() - told.keys())
    per_unit = collections.Counter(row.token for row in rows if row.token in tokens)
    check.duplicated = sum(max(0, count - rush.posted[token]) for token, count in per_unit.items())
    submits = [form for form, (_token, action) in told.items() if action == "submit"]
    check.submits_told = len(submits)
    check.submitted = len(submitted & tokens)
    check.lost_submits = sum(form not in stored or stored[form].submitted_number != stored[form].number
                             for form in submits)
    return check


def report(results):
    """Print the targets with their verdicts; return whether all passed."""
    print("\ntargets")
    ok = True
    for kind, rush in results.items():
        failed, check = rush.failed(), rush.check
        ok &= not failed and check.ok
        print(f"  {kind:<10} requests failed: {failed}  target 0  {common.verdict(not failed)}")
        print(f"  {kind:<10} revisions lost {check.lost}, duplicated {check.duplicated}, submitted reports "
              f"{check.submitted:,} for {check.submits_told:,} submits answered 302  target 0, 0, equal  "
              f"{common.verdict(check.ok)}")
    if len(results) == len(DATABASES):
        sqlite, postgresql = results["sqlite"].rate("submit"), results["postgresql"].rate("submit")
        share = sqlite / postgresql if postgresql else float("nan")
        ok &= share >= SQLITE_SHARE
        print(f"  SQLite submits/s = {sqlite:.2f} = {share:.0%} of PostgreSQL's {postgresql:.2f}  target >= "
              f"{SQLITE_SHARE:.0%}  {common.verdict(share >= SQLITE_SHARE)}")
    else:
        print("  SQLite's submit rate against PostgreSQL's: not measured (--database both)")
    return ok


if __name__ == "__main__":
    common.run_benchmark(main, "deadline rush benchmark")
