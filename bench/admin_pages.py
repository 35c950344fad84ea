"""Benchmark: the committees' dashboard and unit list with 5,000 and 50,000 units in scope.

    make bench-admin             # or: .venv/bin/python bench/admin_pages.py --help

For each size, a demo province in a temporary SQLite file and a viewer account whose scope is the
whole province. Three figures per page:

- the SQL statements one request sends, counted in-process. Target: the counts are the same at every
  size, i.e. they do not grow with the number of units;
- server time: the CPU time of one request in-process (Flask test client, SQLite included, since it runs
  in the process), median over --repeat requests after a warm-up; the fastest beside it, the figure other
  tenants of a shared machine disturb least. With --postgresql, the province is built in a database of its own
  on that server and each request's time adds the CPU of the database's backends, read from /proc in clock
  ticks and so spread evenly over the requests. Target: the median under TARGET_MS for every page at every size;
- req/s under one gunicorn (gunicorn.conf.py) as a ratio to a minimal endpoint served by the same
  gunicorn in the same round, median over the rounds, and gunicorn's CPU per request (printed; no target).
"""

import contextlib
import itertools
import secrets
import statistics
import time
from urllib.parse import urlencode

import common
import sqlalchemy as sa

from models import db

PAGES = {
    "dashboard": "/admin/",
    "missing": "/admin/missing",
    "missing ?search=tan": "/admin/missing?search=tan",
    "missing ?status=not_opened": "/admin/missing?status=not_opened",
    "units": "/admin/units",
    "units ?search=tanloi": "/admin/units?search=tanloi",
    "units ?page=20&status=…": "/admin/units?status=submitted&page=20",
    "units ?child=…&level=…": "/admin/units?child=U000&level=chi_bo_truc_thuoc",
    "units ?search=D0001": "/admin/units?search=D0001",
}
#: What each kind of page shows only when it shows its list (the sign-in page, what a lost session gets, shows
#: none): the progress tables, a unit list's rows, the blocks of a call sheet (the list of units not submitted).
MARKERS = {"dashboard": b'<table class="progress">', "units": b'<tr class="status-', "missing": b'<li class="call '}
#: The issue's target: each page under this much server time at 50,000 units in scope.
TARGET_MS = 100
USERNAME, PASSWORD = "btc", "bench-" + secrets.token_hex(8)
SCOPE = "TINH"  # the demo province's root unit


def main():
    arguments = common.parser(__doc__)
    arguments.add_argument("--units", type=int, nargs="+", default=[5000, 50000], help="sizes of the demo province")
    arguments.add_argument("--repeat", type=int, default=15, help="in-process requests timed per page and size")
    arguments.add_argument("--show-sql", action="store_true", help="print the statements each page sends")
    arguments.add_argument("--profile", choices=PAGES, help="profile --repeat requests of this page in-process")
    arguments.add_argument("--postgresql", metavar="URL", help="measure on PostgreSQL instead of SQLite: the server "
                           "of this libpq URL (of any database there), which must run on this machine")
    args = arguments.parse_args()
    statements, times, failed = {}, {}, 0
    for units in args.units:
        print(f"\n=== {units:,} units")
        with contextlib.ExitStack() as stack:
            url = stack.enter_context(common.postgresql_database(args.postgresql)) if args.postgresql else None
            demo = stack.enter_context(common.Demo(units, args.seed, database_url=url))
            demo.build()
            if url:
                common.vacuum_postgresql(demo.url)
            demo.flask("users", "create", USERNAME, "--scope", SCOPE, "--role", "viewer",
                       stdin=f"{PASSWORD}\n{PASSWORD}\n")  # the password only ever on stdin
            statements[units], times[units] = measure_in_process(demo, args)
            if args.rounds:  # --rounds 0: in-process figures only
                with common.Gunicorn(demo, args.workers) as server:
                    failed += measure(server, args)
                    server.report_log()
    equal = report_statements(statements)
    fast = report_times(times, args.repeat)
    if failed:
        print(f"{failed} requests failed: see the error lines above")
    return equal and fast and not failed


def report_statements(statements):
    """Print the statements per page at each size; return whether the counts are the same at every size."""
    print("\nSQL statements per request (in-process, after a warm-up); must not grow with the number of units")
    row = "  {:<26}" + " {:>10}" * len(statements)
    print(row.format("page", *(f"{units:,}" for units in statements)))
    for name in PAGES:
        print(row.format(name, *(len(sent[name]) for sent in statements.values())))
    equal = all(len({len(sent[name]) for sent in statements.values()}) == 1 for name in PAGES)
    if len(statements) > 1:
        print(f"  counts at every size are the same  {common.verdict(equal)}")
    return equal


def report_times(times, repeat):
    """Print each page's server time at each size; return whether every one is under the target."""
    print(f"\nserver time per request, in-process: CPU ms, median of {repeat} (fastest); "
          f"target: median < {TARGET_MS} ms")
    row = "  {:<26}" + " {:>16}" * len(times)
    print(row.format("page", *(f"{units:,}" for units in times)))
    for name in PAGES:
        print(row.format(name, *(f"{by_page[name][0]:.1f} ({by_page[name][1]:.1f})" for by_page in times.values())))
    fast = all(cpu < TARGET_MS for by_page in times.values() for cpu, _fastest in by_page.values())
    print(f"  every page under {TARGET_MS} ms at every size  {common.verdict(fast)}")
    return fast


def marker(name):
    """What the page `name` shows only when it shows its list."""
    return MARKERS[name.split()[0]]


def measure_in_process(demo, args):
    """Sign in through the Flask test client; for each page, a warm-up request, one more while a listener on
    the engine notes the statements it sends, then --repeat timed requests. Print and return
    ({page: statements}, {page: (median CPU ms, fastest CPU ms)})."""
    sent, found, times = [], {}, {}
    with demo.app() as app:
        client = app.test_client()
        token = common.hidden_fields(client.get("/admin/").data)["csrf_token"]
        if client.post("/admin/sign-in", data={"username": USERNAME, "password": PASSWORD,
                                               "csrf_token": token}).status_code != 302:
            raise SystemExit("in-process sign-in failed")
        with app.app_context():
            engine = db.engine

        def note(_connection, _cursor, statement, *_args):
            sent.append(" ".join(statement.split()))

        print("in-process, after a warm-up:")
        for name, path in PAGES.items():
            client.get(path)
            sa.event.listen(engine, "before_cursor_execute", note)
            try:
                sent.clear()
                answer = client.get(path)
            finally:
                sa.event.remove(engine, "before_cursor_execute", note)
            if answer.status_code != 200 or marker(name) not in answer.data:
                raise SystemExit(f"in-process GET {path} answered {answer.status_code} without its list")
            found[name], times[name] = list(sent), server_time(client, path, args.repeat,
                                                               None if demo.database else demo.url)
            print(f"  {name}: {len(sent)} statements, {len(answer.data):,} B of HTML, "
                  f"{times[name][0]:.1f} ms CPU (fastest {times[name][1]:.1f})", flush=True)
            if args.show_sql:
                for statement in sent:
                    print(f"    {statement[:150]}")
        if args.profile:
            common.profile([lambda: client.get(PAGES[args.profile])] * args.repeat)
    return found, times


def server_time(client, path, repeat, postgresql=None):
    """Request `path` `repeat` times; return the median and the fastest CPU ms (this process's: the app and
    SQLite; with the URL of a `postgresql` database, plus its backends' CPU over the requests, spread evenly).
    CPU time rather than wall time: on a shared machine the wall time also holds the waits for a core."""
    cpu = []
    database_before = common.postgresql_cpu_seconds(postgresql) if postgresql else None
    for _ in range(repeat):
        started = time.process_time()
        client.get(path)
        cpu.append(time.process_time() - started)
    database = 0 if database_before is None else (common.postgresql_cpu_seconds(postgresql) - database_before) / repeat
    return 1000 * (statistics.median(cpu) + database), 1000 * (min(cpu) + database)


def sign_in(port):
    """Sign in as a browser does; return the session cookie that every timed request sends."""
    page = common.request(port, "GET", "/admin/")
    token = common.hidden_fields(page.body)["csrf_token"]
    body = urlencode({"username": USERNAME, "password": PASSWORD, "csrf_token": token})
    answer = common.request(port, "POST", "/admin/sign-in", body.encode(), common.cookie_header(page))
    if answer.status != 302:
        raise SystemExit(f"POST /admin/sign-in answered {answer.status}, not 302")
    return common.cookie_header(page, answer)


def measure(server, args):
    """Warm every worker up, then run the rounds; print the table and the ratios; return the failures."""
    cookie = sign_in(server.port)
    pages = {name: common.Request("GET", path, cookie=cookie, marker=marker(name)) for name, path in PAGES.items()}
    for page in pages.values():  # every worker compiles its templates before anything is timed
        common.must_succeed(common.run_load(server, "warm-up", [page] * 4 * args.workers, 600, args.concurrency))
    rounds = []
    common.print_header()
    for number in range(1, args.rounds + 1):
        load = {"minimal": common.minimal_requests()} | {name: itertools.repeat(page) for name, page in pages.items()}
        runs = {name: common.run_load(server, name, requests, args.seconds, args.concurrency)
                for name, requests in load.items()}
        for run in runs.values():
            common.print_run(number, run)
        rounds.append(runs)
    common.ratio_summary(rounds)
    return sum(run.errors.total() for runs in rounds for run in runs.values())


if __name__ == "__main__":
    common.run_benchmark(main, "admin pages benchmark")
