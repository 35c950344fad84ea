"""Benchmark: the deadline rush, every unit loading its page, saving two drafts and submitting, 64 at
a time, under gunicorn with SQLite and with PostgreSQL.

    make bench-rush              # or: .venv/bin/python bench/deadline_rush.py --help

For each database, a demo province of 2,000 reporting units whose reports are emptied first, so that
every link is opened for the first time in the rush, and one gunicorn with gunicorn.conf.py and its
number of workers. 64 client threads each take the next unit and do what a browser does: load its
page, then post the form three times (draft, draft, submit), each with the csrf_token, form_state and
cookie of the page just loaded, and follow the redirect. The units come in slices, the databases taking
turns, so that the machine's noise falls on both alike. Afterwards each database is compared with what
the clients were told. Targets:

- no request fails;
- no revision lost or duplicated: every POST answered 302 is one revision of its unit, every submit
  answered 302 its unit's submitted report, and no unit has more revisions than forms it posted;
- SQLite's submits/s >= 50% of PostgreSQL's (median over the slices of the ratio within each round).
"""

import collections
import contextlib
import queue
import random
import runpy
import statistics
import threading
import time
from dataclasses import dataclass

import common
import sqlalchemy as sa
from flask import url_for

from demo.province import random_answers
from forms import posted_answers
from models import Response, Revision, Unit, db
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
    arguments.add_argument("--rounds", type=int, default=4,
                           help="slices of the units; in each round every database takes one slice")
    arguments.add_argument("--workers", type=int, default=runpy.run_path(str(common.ROOT / "gunicorn.conf.py"))[
        "workers"], help="gunicorn workers (gunicorn.conf.py's: WEB_CONCURRENCY or 2 x CPUs + 1)")
    arguments.add_argument("--database", choices=(*DATABASES, "both"), default="both")
    arguments.add_argument("--postgresql", default=POSTGRESQL, metavar="URL",
                           help="a PostgreSQL server where the run creates a database of its own, and drops it")
    args = arguments.parse_args()
    with contextlib.ExitStack() as stack:
        rushes = [start(stack, kind, args)
                  for kind in (DATABASES if args.database == "both" else (args.database,))]
        run_rounds(rushes, args)
        for rush in rushes:
            print(f"\n=== {rush.kind}")
            rush.server.report_log()
            rush.print()
            rush.check_database()
    return report(rushes)


@dataclass
class Visit:
    """A unit as a client sees it: its link, and the three reports it will post."""

    token: str
    path: str
    bodies: list


def start(stack, kind, args):
    """Build the province on `kind`, start its gunicorn and warm every worker up; return its Rush."""
    print(f"\n=== {kind}: {args.units:,} units, {args.clients} clients, {args.workers} gunicorn workers", flush=True)
    warm_up = 4 * args.workers  # units set aside, so that every worker renders each page before the rush
    url = stack.enter_context(fresh_database(kind, args.postgresql))
    demo = stack.enter_context(common.Demo(args.units + warm_up + 1, args.seed, url))
    demo.build()
    with demo.app() as app:
        visits = prepare_visits(app, args.seed)
    server = stack.enter_context(common.Gunicorn(demo, args.workers))
    warm = Rush(kind, demo, server, visits[:warm_up])
    warm.run(warm.visits, args.workers)
    if warm.failed():
        warm.print_errors()
        raise SystemExit(f"the warm-up failed: {warm.failed()} steps")
    print(f"warm-up: {warm_up} units from {args.workers} clients, untimed", flush=True)
    return Rush(kind, demo, server, visits[warm_up:])


@contextlib.contextmanager
def fresh_database(kind, server_url):
    """Yield None for a SQLite file, or the URL of a PostgreSQL database of this run's own."""
    if kind == "sqlite":
        yield None
    else:
        with common.postgresql_database(server_url) as url:
            yield url


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
    """Return the answers a browser posts, as (name, value) pairs: a draft leaves some questions empty, a
    submission none."""
    return posted_answers(survey, level, random_answers(survey, level, rng, complete=action == "submit"))


ROUND_ROW = "{:>5}  {:<10} {:>5} {:>7} {:>7} {:>9} {:>9} {:>9} {:>8} {:>7} {:>7}"


def run_rounds(rushes, args):
    """Give every database one slice of its units per round, taking turns (the first goes last in the
    next round), and print each slice."""
    print("\n" + ROUND_ROW.format("round", "database", "units", "failed", "seconds", "steps/s", "submits/s",
                                  "gunicorn", "backends", "client", "others") + "   (cores busy)")
    for number in range(args.rounds):
        for rush in rushes if number % 2 == 0 else rushes[::-1]:
            units = rush.visits[number * len(rush.visits) // args.rounds:(number + 1) * len(rush.visits) // args.rounds]
            part = rush.run(units, args.clients)
            print(ROUND_ROW.format(number + 1, rush.kind, part.units, part.failed, f"{part.seconds:.1f}",
                                   f"{part.steps / part.seconds:.1f}", f"{part.submits / part.seconds:.2f}",
                                   *(cores(part, seconds) for seconds in (part.server_cpu, part.database_cpu,
                                                                          part.client_cpu, part.others))),
                  flush=True)


def cores(part, seconds):
    return "-" if seconds is None else f"{seconds / part.seconds:.2f}"


@dataclass
class Slice:
    """Some units visited at once, and what the machine did meanwhile (CPU in seconds)."""

    units: int
    seconds: float
    steps: int
    submits: int
    failed: int
    requests: int
    client_cpu: float
    server_cpu: float | None
    #: The PostgreSQL backends of this database; None on SQLite, which runs in the workers.
    database_cpu: float | None
    machine_cpu: float

    @property
    def others(self):
        """CPU that other processes used meanwhile: when high, the slice is noisy."""
        return max(0.0, self.machine_cpu - (self.server_cpu or 0.0) - (self.database_cpu or 0.0) - self.client_cpu)


class Rush:
    """The units of one database visited from concurrent client threads, slice by slice: each step's
    latencies and errors, and the forms that every POST answered 302 was told were saved."""

    def __init__(self, kind, demo, server, visits):
        self.kind, self.demo, self.server, self.visits = kind, demo, server, visits
        self.steps = {step: common.Run(step) for step in STEPS}
        #: (token, action, form_state) of every POST answered 302; the forms each unit posted.
        self.told, self.posted = [], collections.Counter()
        self.slices, self.requests, self.check = [], 0, None
        self.lock = threading.Lock()

    def run(self, visits, clients):
        """Visit the units from `clients` threads, each taking the next unit when done with one; return
        the Slice."""
        pending = queue.SimpleQueue()
        for visit in visits:
            pending.put(visit)

        def client():
            with contextlib.suppress(queue.Empty):
                while True:
                    self.visit(pending.get_nowait())

        before, cpu, busy = self.counters(), time.process_time(), common.machine_busy_seconds()
        started = time.perf_counter()
        threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(0.2)
        seconds, client_cpu = time.perf_counter() - started, time.process_time() - cpu
        machine_cpu, after = common.machine_busy_seconds() - busy, self.counters()
        part = Slice(len(visits), seconds, client_cpu=client_cpu, machine_cpu=machine_cpu, **{
            name: None if None in (value, after[name]) else after[name] - value for name, value in before.items()})
        self.slices.append(part)
        return part

    def counters(self):
        """Return the totals so far that a Slice counts, CPU seconds of gunicorn and PostgreSQL's backends included."""
        return {"steps": sum(run.ok for run in self.steps.values()), "submits": self.steps["submit"].ok,
                "failed": self.failed(), "requests": self.requests, "server_cpu": self.server.cpu_seconds(),
                "database_cpu": None if self.demo.database else common.postgresql_cpu_seconds(self.demo.url)}

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
                    posted = self.send("POST", path, answers, *common.form_body(
                        page.body, [*body, *fields.items(), ("action", action)]))
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

    def send(self, method, path, answers, body=None, content_type=common.URLENCODED):
        """Send one request with the cookies of the answers so far; keep its answer for its cookies."""
        answer = common.request(self.server.port, method, path, body, common.cookie_header(*answers),
                                timeout=CLIENT_TIMEOUT, content_type=content_type)
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

    def total(self, name):
        return sum(getattr(part, name) or 0.0 for part in self.slices)

    @property
    def service_ms(self):
        """CPU per request of gunicorn and the PostgreSQL backends, in ms: unlike the rates, it does not
        depend on the share of the cores that other processes left."""
        return 1000 * (self.total("server_cpu") + self.total("database_cpu")) / self.total("requests")

    @property
    def submit_rate(self):
        return self.total("submits") / self.total("seconds")

    def print(self):
        seconds, requests = self.total("seconds"), self.total("requests")
        print(f"rush: {len(self.visits):,} units, {self.total('steps'):,} steps done, {self.failed()} failed, "
              f"{requests:,} requests in {seconds:.1f}s over {len(self.slices)} slices")
        row = "  {:<10} {:>6} {:>7} {:>8} {:>8} {:>8} {:>8}"
        print(row.format("step", "done", "failed", "p50 ms", "p95 ms", "p99 ms", "max ms"))
        for name, run in self.steps.items():
            slowest = max(run.latencies, default=float("nan"))
            print(row.format(name, run.ok, run.errors.total(),
                             *(f"{seconds * 1000:.0f}" for seconds in (*map(run.latency, (50, 95, 99)), slowest))))
        self.print_errors()
        print(f"  throughput: {self.total('steps') / seconds:.1f} steps/s, {self.submit_rate:.2f} submits/s, "
              f"{requests / seconds:.1f} requests/s")
        backends = "" if self.demo.database else f" + PostgreSQL backends {self.total('database_cpu') / seconds:.2f}"
        print(f"  cores busy: gunicorn {self.total('server_cpu') / seconds:.2f}{backends} ({self.service_ms:.1f} ms "
              f"of CPU per request), client {self.total('client_cpu') / seconds:.2f} ("
              f"{1000 * self.total('client_cpu') / requests:.2f} ms per request), others "
              f"{self.total('others') / seconds:.2f}")

    def print_errors(self):
        for name, run in self.steps.items():
            for kind, count in run.errors.most_common():
                print(f"  ! {name}: {count} x {kind}: {run.samples[kind][:300]}")

    def check_database(self):
        with self.demo.app() as app:
            self.check = compare(app, self)
        self.check.print()


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


def compare(app, rush):
    """Compare the rush units' revisions and submitted reports with what the clients were told."""
    tokens = {visit.token for visit in rush.visits}
    with app.app_context():
        serializer = state_serializer()
        told = {serializer.loads(form_state)["id"]: (token, action) for token, action, form_state in rush.told}
        rows = db.session.execute(
            sa.select(Revision.submission_id, Unit.token, Revision.action, Revision.number, Response.submitted_number)
            .join(Response, Revision.response_id == Response.id).join(Unit, Response.unit_id == Unit.id)).all()
        submitted = set(db.session.scalars(sa.select(Unit.token).join(Unit.response)
                                           .where(Response.submitted_number.is_not(None))))
    stored = {row.submission_id: row for row in rows if row.token in tokens}
    per_unit = collections.Counter(row.token for row in stored.values())
    submits = [form for form, (_token, action) in told.items() if action == "submit"]
    return Check(
        told=len(told), stored=len(stored),
        lost=sum(form not in stored or (stored[form].token, stored[form].action) != what
                 for form, what in told.items()),
        duplicated=sum(max(0, count - rush.posted[token]) for token, count in per_unit.items()),
        unconfirmed=len(stored.keys() - told.keys()),
        submits_told=len(submits), submitted=len(submitted & tokens),
        lost_submits=sum(form not in stored or stored[form].submitted_number != stored[form].number
                         for form in submits),
    )


def report(rushes):
    """Print the targets with their verdicts; return whether all passed."""
    print("\ntargets")
    ok = True
    for rush in rushes:
        failed, check = rush.failed(), rush.check
        ok &= not failed and check.ok
        print(f"  {rush.kind:<10} requests failed: {failed}  target 0  {common.verdict(not failed)}")
        print(f"  {rush.kind:<10} revisions lost {check.lost}, duplicated {check.duplicated}; submitted reports "
              f"{check.submitted:,} for {check.submits_told:,} submits answered 302  target 0, 0, equal  "
              f"{common.verdict(check.ok)}")
    if len(rushes) < len(DATABASES):
        print("  SQLite's submit rate against PostgreSQL's: not measured (--database both)")
        return ok
    sqlite, postgresql = rushes
    ratios = [mine.submits * theirs.seconds / (mine.seconds * theirs.submits) if theirs.submits else float("nan")
              for mine, theirs in zip(sqlite.slices, postgresql.slices, strict=True)]
    share = statistics.median(ratios)
    print(f"  SQLite submits/s = {share:.0%} of PostgreSQL's (rounds: {' '.join(f'{r:.0%}' for r in ratios)}; "
          f"whole rush {sqlite.submit_rate:.2f} against {postgresql.submit_rate:.2f})  target >= {SQLITE_SHARE:.0%}  "
          f"{common.verdict(share >= SQLITE_SHARE)}")
    print(f"  (for comparison, not a target: CPU per request, database included, SQLite {sqlite.service_ms:.1f} ms, "
          f"PostgreSQL {postgresql.service_ms:.1f} ms)")
    return ok and share >= SQLITE_SHARE


if __name__ == "__main__":
    common.run_benchmark(main, "deadline rush benchmark")
