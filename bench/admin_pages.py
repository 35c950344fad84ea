"""Benchmark: the committees' dashboard and missing-units list with 5,000 and 50,000 units in scope.

    make bench-admin             # or: .venv/bin/python bench/admin_pages.py --help

For each size, a fresh demo province (SQLite; PostgreSQL too for 5,000 units when a server answers)
and a viewer account whose scope is the whole province. Two figures per page:

- requests per second and p95 latency under one gunicorn (2 sync workers), as ratios against the
  minimal endpoint served by the same gunicorn in the same run (the machine is shared and noisy,
  so absolute rates mean little);
- the number of SQL statements one request sends, counted in-process (Flask test client and a
  `before_cursor_execute` listener). It must not grow with the number of units: the verdict is PASS
  when the counts are the same at every size.

Everything runs in temporary directories (and a temporary PostgreSQL schema) that are removed,
and gunicorn stopped, even on Ctrl-C. The HTTP machinery is bench/survey_pages.py's.
See bench/README.md for what each printed figure means.
"""

import argparse
import contextlib
import itertools
import os
import secrets
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.minimal_app import MINIMAL_PATH, create_bench_app  # noqa: E402
from bench.survey_pages import (  # noqa: E402
    BenchServer,
    Client,
    check_errors,
    cpu_per_request,
    outcome,
    p95,
    percentile,
    pooled,
    quick_hidden_state,
    run_load,
    timed,
)
from models import db  # noqa: E402

#: (scenario name, path). The first is the reference; the others are the pages measured.
MINIMAL = ("minimal", MINIMAL_PATH)
PAGES = (
    ("dashboard", "/admin/"),
    ("missing", "/admin/missing"),
    ("missing ?search=tan", "/admin/missing?search=tan"),
    ("missing ?status=not_opened", "/admin/missing?status=not_opened"),
)
#: Both admin pages show this table; the sign-in page (what a lost session gets) does not.
PAGE_MARKER = b'<table class="progress">'
MISSING_ROW = b'<tr class="status-'
USERNAME = "btc"
PASSWORD = "bench-" + secrets.token_hex(8)
SCOPE = "TINH"  # the demo province's root unit (reporting/demo.py)
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def main(argv=None):
    args = parse_args(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    started = time.monotonic()
    print_machine(args)
    sources = source_times()
    setups = [("sqlite", units, None) for units in args.units]
    if args.postgres_units and args.postgres:
        setups += [("postgresql", units, args.postgres) for units in args.postgres_units]
    results = []
    for backend, units, base_url in setups:
        print(f"\n=== {backend}, {units:,} units " + "=" * 60)
        try:
            with contextlib.ExitStack() as stack:
                url = None
                if base_url:
                    url = stack.enter_context(postgres_schema(base_url))
                # Entered after the schema, so left before it: gunicorn stops before the schema is dropped.
                server = stack.enter_context(AdminServer(args, units, url))
                results.append(measure_setup(server, backend, units, args))
        except PostgresUnavailable as error:
            print(f"PostgreSQL skipped: {error}")
    ok = report(results)
    changed = changed_sources(sources)
    if changed:
        print(f"\nWARNING: {len(changed)} app files changed during the run, so the setups may have measured "
              f"different code: {', '.join(changed[:8])}")
    print(f"\ntotal time {time.monotonic() - started:.0f}s")
    return 0 if ok and not changed else 1


#: The app's own sources: what the benchmark process and gunicorn load.
SOURCE_SUFFIXES = (".py", ".html", ".yaml", ".mo")
SOURCE_SKIPPED = {".venv", ".git", "bench", "tests", "instance", "node_modules", "__pycache__"}


def source_times():
    """Return {path: mtime} of the app's sources, to tell whether someone edited them during the run."""
    times = {}
    for directory, subdirectories, files in os.walk(ROOT):
        subdirectories[:] = [name for name in subdirectories if name not in SOURCE_SKIPPED]
        for name in files:
            if name.endswith(SOURCE_SUFFIXES):
                path = Path(directory, name)
                with contextlib.suppress(OSError):
                    times[str(path.relative_to(ROOT))] = path.stat().st_mtime
    return times


def changed_sources(before):
    after = source_times()
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--units", type=int, nargs="+", default=[5000, 50000],
                        help="sizes of the demo province on SQLite")
    parser.add_argument("--postgres", default=POSTGRES_URL,
                        help="PostgreSQL database for the --postgres-units sizes; a temporary schema is made "
                             "in it and dropped at the end ('' to skip PostgreSQL)")
    parser.add_argument("--postgres-units", type=int, nargs="*", default=[5000],
                        help="sizes to run on PostgreSQL too (none: skip PostgreSQL)")
    parser.add_argument("--seconds", type=float, default=3.0, help="measured seconds per scenario and round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of (minimal, each page) per size")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads, one connection each")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--max-requests", type=int, default=0,
                        help="gunicorn max_requests: 0 never recycles a worker during the run; -1 keeps "
                             "gunicorn.conf.py's value")
    parser.add_argument("--seed", type=int, default=1, help="passed to flask demo")
    parser.add_argument("--show-sql", action="store_true", help="print the statements each page sends")
    args = parser.parse_args(argv)
    sizes = [*args.units, *(args.postgres_units or [])]
    if min(sizes) < 2 or min(args.rounds, args.concurrency, args.workers) < 1 or args.seconds <= 0:
        parser.error("sizes need at least 2 units; rounds, threads, workers and seconds must be positive")
    return args


def _interrupt(_signum, _frame):
    raise KeyboardInterrupt


def print_machine(args):
    try:
        load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    except (AttributeError, OSError):
        load = "?"
    print(f"tongket admin pages benchmark: {os.cpu_count()} CPUs, load average {load}; {args.rounds} rounds x "
          f"{args.seconds:g}s per scenario, {args.concurrency} client threads, {args.workers} gunicorn workers; "
          f"sizes {', '.join(f'{n:,}' for n in args.units)} (SQLite)"
          + (f", {', '.join(f'{n:,}' for n in args.postgres_units)} (PostgreSQL)"
             if args.postgres and args.postgres_units else ""))


# --- Databases and the server -----------------------------------------------------------------------


class PostgresUnavailable(Exception):
    pass


@contextlib.contextmanager
def postgres_schema(base_url):
    """Create a schema of our own in the PostgreSQL database, yield a DATABASE_URL whose search_path
    is that schema only, and drop the schema (and only it) at the end. Never touches `public`."""
    try:
        import psycopg
        from psycopg import sql
    except ImportError as error:
        raise PostgresUnavailable(f"psycopg is not installed ({error})") from None
    schema = f"bench_admin_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(base_url, autocommit=True, connect_timeout=5)
    except psycopg.Error as error:
        raise PostgresUnavailable(f"cannot connect to {base_url}: {str(error).strip()}") from None
    with admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        try:
            separator = "&" if "?" in base_url else "?"
            yield f"{base_url}{separator}options={quote(f'-csearch_path={schema}', safe='')}"
        finally:
            admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
            print(f"PostgreSQL schema {schema} dropped")


class AdminServer(BenchServer):
    """survey_pages.py's server (temporary directory, fixed SECRET_KEY, one gunicorn serving
    bench/minimal_app.py), on a demo province of `units` units, in `database_url` if given."""

    def __init__(self, args, units, database_url=None):
        super().__init__(argparse.Namespace(units=units, seed=args.seed, workers=args.workers,
                                            max_requests=args.max_requests))
        if database_url:
            self.env["DATABASE_URL"] = database_url

    def create_account(self):
        """`flask users create` reads the password twice from stdin, never from its arguments."""
        result = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "app", "users", "create", USERNAME, "--scope", SCOPE,
             "--role", "viewer"],
            cwd=ROOT, env=self.env, input=f"{PASSWORD}\n{PASSWORD}\n", capture_output=True, text=True, timeout=60)
        if result.returncode:
            raise SystemExit(f"flask users create failed:\n{result.stdout}{result.stderr}")


# --- SQL statements per page, in-process --------------------------------------------------------------


@dataclass
class InProcess:
    """One page requested in-process: the statements it sent, and the best of 3 timings."""

    statements: list
    seconds: float
    sql_seconds: float
    html_bytes: int
    rows: int | None


def count_queries(server, show_sql):
    """Sign in through the Flask test client, then request each page once after a warm-up with a
    `before_cursor_execute` listener on db.engine, and time it (best of 3) with its SQL share."""
    saved = {name: os.environ.get(name) for name in ("DATABASE_URL", "SECRET_KEY")}
    os.environ.update(DATABASE_URL=server.env["DATABASE_URL"], SECRET_KEY=server.env["SECRET_KEY"])
    try:
        app = create_bench_app()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    statements, sql_time = [], [0.0]

    def before(conn, _cursor, statement, _parameters, _context, _many):
        statements.append(" ".join(statement.split()))
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, *_args):
        sql_time[0] += time.perf_counter() - conn.info.pop("bench_started", time.perf_counter())

    with app.app_context():
        engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", before)
        sa.event.listen(engine, "after_cursor_execute", after)
    try:
        client = app.test_client()
        token = quick_hidden_state(client.get("/admin/").data).get("csrf_token")
        answer = client.post("/admin/sign-in", data=dict(username=USERNAME, password=PASSWORD, csrf_token=token))
        if answer.status_code != 302:
            raise SystemExit(f"in-process sign-in answered {answer.status_code}, not 302")
        found = {}
        for name, path in (MINIMAL, *PAGES):
            client.get(path)  # warm-up: templates compiled, survey config loaded
            del statements[:]
            answer = client.get(path)
            if answer.status_code != 200 or (name != MINIMAL[0] and PAGE_MARKER not in answer.data):
                raise SystemExit(f"in-process GET {path} answered {answer.status_code} without the page")
            sent = list(statements)
            best = None
            for _ in range(3):
                sql_before = sql_time[0]
                started = time.perf_counter()
                client.get(path)
                elapsed = time.perf_counter() - started
                if best is None or elapsed < best[0]:
                    best = (elapsed, sql_time[0] - sql_before)
            rows = answer.data.count(MISSING_ROW) if path.startswith("/admin/missing") else None
            found[name] = InProcess(sent, best[0], best[1], len(answer.data), rows)
            if show_sql:
                print(f"  {name}: {len(sent)} statements")
                for statement in sent:
                    print(f"    {statement[:150]}{' ...' if len(statement) > 150 else ''}")
        return found
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# --- Under gunicorn -----------------------------------------------------------------------------------


def sign_in(port):
    """Sign in as a browser would; return the session cookie to send with every timed request."""
    client = Client(port)
    page = client.request("GET", "/admin/")
    token = quick_hidden_state(page.body).get("csrf_token")
    if page.status != 200 or not token:
        raise SystemExit(f"GET /admin/ answered {page.status} without a csrf_token")
    body = urlencode(dict(username=USERNAME, password=PASSWORD, csrf_token=token)).encode()
    answer = client.request("POST", "/admin/sign-in", body=body)
    if answer.status != 302:
        raise SystemExit(f"POST /admin/sign-in answered {answer.status}, not 302")
    cookie = client.cookie_header()
    check = client.request("GET", "/admin/", cookie=cookie)
    if check.status != 200 or PAGE_MARKER not in check.body:
        raise SystemExit("signed in, but /admin/ does not show the dashboard")
    return cookie


def page_job(path, cookie, limit=None):
    """run_load()'s job maker: GET `path` with `cookie`, until the run's time is up or, given a
    limit, `limit` requests have been sent by all threads together."""
    marker = b"ok" if path == MINIMAL_PATH else PAGE_MARKER
    sent = itertools.count()

    def make(_index):
        def job(client):
            if limit is not None and next(sent) >= limit:
                return None
            answer, latency = timed(client, "GET", path, cookie=cookie)
            return outcome(answer, latency, 200, lambda a: marker in a.body)
        return job
    return make


@dataclass
class SetupResult:
    backend: str
    units: int
    build_seconds: float
    in_process: dict
    rounds: list = field(default_factory=list)  # one {scenario: Run} per round

    @property
    def label(self):
        return f"{self.backend} {self.units:,}"


def measure_setup(server, backend, units, args):
    started = time.monotonic()
    server.prepare_database()  # prints the demo summary and how long upgrade + demo took
    server.create_account()
    build = time.monotonic() - started
    result = SetupResult(backend, units, build, {})

    started = time.monotonic()
    result.in_process = count_queries(server, args.show_sql)
    print(f"SQL statements per page, in-process ({time.monotonic() - started:.1f}s): "
          + ", ".join(f"{name} {len(found.statements)}" for name, found in result.in_process.items()))

    server.start()
    print(f"gunicorn: {args.workers} sync workers, access log off (up after {server.boot_seconds:.1f}s)")
    cookie = sign_in(server.port)
    scenarios = [(name, path, cookie if path != MINIMAL_PATH else None) for name, path in (MINIMAL, *PAGES)]
    started = time.monotonic()
    for name, path, sent_cookie in scenarios:
        # Every worker compiles its templates and loads the config before anything is timed.
        warm = page_job(path, sent_cookie, limit=4 * args.workers)
        check_errors(run_load(f"warm-up {name}", warm, args.concurrency, 600, server), fatal=True)
    print(f"warm-up: {time.monotonic() - started:.1f}s")

    print()
    print(ROW.format("round", "scenario", "requests", "errors", "req/s", "p50 ms", "p95 ms", "srv ms/req",
                     "client cpu", "other cpu", "notes"))
    for number in range(1, args.rounds + 1):
        runs = {}
        for name, path, sent_cookie in scenarios:
            runs[name] = run_load(name, page_job(path, sent_cookie), args.concurrency, args.seconds, server)
            print_row(number, runs[name])
        result.rounds.append(runs)
    server.report_log()
    return result


# --- Figures ------------------------------------------------------------------------------------------

ROW = "{:>5}  {:<26} {:>8} {:>6} {:>8} {:>8} {:>8} {:>10} {:>10} {:>10}  {}"


def print_row(label, run):
    def cores(value):
        return "-" if value is None else f"{value / run.seconds:.2f}"

    other = None
    if None not in (run.machine_cpu, run.server_cpu, run.client_cpu):
        other = max(0.0, run.machine_cpu - run.server_cpu - run.client_cpu)
    server = "-" if not run.server_cpu or not run.requests else f"{cpu_per_request(run) * 1000:.2f}"
    notes = [f"{run.restarts} worker restart(s)"] if run.restarts else []
    print(ROW.format(label, run.scenario, run.requests, sum(run.errors.values()), f"{run.rps:.1f}",
                     f"{percentile(run.latencies, 50) * 1000:.1f}", f"{p95(run) * 1000:.1f}", server,
                     cores(run.client_cpu), cores(other), "; ".join(notes)))
    for error, count in run.errors.most_common():
        print(f"       ! {count} x {error}: {run.error_samples.get(error, '')[:300]}")


def report(results):
    if not results:
        print("\nnothing measured")
        return False
    names = [name for name, _path in (MINIMAL, *PAGES)]
    failed = 0
    print("\n\n=== Summary " + "=" * 88)
    print("\nunder gunicorn: pooled over the rounds; ratios = median over the rounds of page / minimal, "
          "same gunicorn, same round")
    head = "{:<18} {:<26} {:>8} {:>8} {:>13} {:>9} {:>11} {:>12}"
    print(head.format("setup", "page", "req/s", "p95 ms", "req/s ratio", "p95 x", "srv ms/req", "srv CPU x"))
    for result in results:
        pooled_runs = {name: pooled([runs[name] for runs in result.rounds]) for name in names}
        minimal = pooled_runs[MINIMAL[0]]
        base_cpu = cpu_per_request(minimal) if minimal.server_cpu else None
        for name in names:
            run = pooled_runs[name]
            failed += sum(run.errors.values())
            ratios = [runs[name].rps / runs[MINIMAL[0]].rps for runs in result.rounds if runs[MINIMAL[0]].rps]
            ratio = f"{statistics.median(ratios):.2%}" if ratios and name != MINIMAL[0] else "-"
            p95_ratio = f"{p95(run) / p95(minimal):.1f}" if name != MINIMAL[0] else "-"
            cpu = f"{cpu_per_request(run) * 1000:.2f}" if run.server_cpu else "-"
            cpu_ratio = (f"{cpu_per_request(run) / base_cpu:.0f}" if base_cpu and run.server_cpu
                         and name != MINIMAL[0] else "-")
            print(head.format(result.label, name, f"{run.rps:.1f}", f"{p95(run) * 1000:.1f}", ratio, p95_ratio,
                              cpu, cpu_ratio))
        print()

    print("in-process (Flask test client, no gunicorn; best of 3): time per request and its SQL share")
    head = "{:<18} {:<26} {:>10} {:>8} {:>6} {:>10} {:>6}"
    print(head.format("setup", "page", "ms/req", "SQL ms", "SQL %", "HTML B", "rows"))
    for result in results:
        for name in names:
            found = result.in_process[name]
            print(head.format(result.label, name, f"{found.seconds * 1000:.1f}", f"{found.sql_seconds * 1000:.1f}",
                              f"{found.sql_seconds / found.seconds:.0%}" if found.seconds else "-",
                              f"{found.html_bytes:,}", "-" if found.rows is None else found.rows))
        print()

    print("SQL statements per request (in-process, after a warm-up); must not grow with the number of units")
    head = "{:<26}" + " {:>18}" * len(results)
    print(head.format("page", *(result.label for result in results)))
    for name in names:
        print(head.format(name, *(len(result.in_process[name].statements) for result in results)))
    ok = True
    for backend in dict.fromkeys(result.backend for result in results):
        same = [result for result in results if result.backend == backend]
        if len(same) < 2:
            sizes = "one size only: nothing to compare"
            if backend != "sqlite":
                reference = next((r for r in results if r.backend == "sqlite"), None)
                agrees = reference and all(len(reference.in_process[n].statements) == len(same[0].in_process[n]
                                                                                          .statements) for n in names)
                sizes += "; same counts as SQLite" if agrees else "; counts differ from SQLite's (information)"
            print(f"  {backend}: {sizes}")
            continue
        equal = all(len({len(r.in_process[name].statements) for r in same}) == 1 for name in names)
        ok = ok and equal
        print(f"  {backend}: counts at {', '.join(f'{r.units:,}' for r in same)} units "
              f"{'are equal  PASS' if equal else 'differ  FAIL'}")
    print("\ndemo build (flask db upgrade + flask demo + flask users create): "
          + ", ".join(f"{result.label} {result.build_seconds:.0f}s" for result in results))
    if failed:
        print(f"{failed} requests failed: see the error lines above")
    return ok and not failed


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted; gunicorn stopped, temporary databases removed", file=sys.stderr)
        sys.exit(130)
