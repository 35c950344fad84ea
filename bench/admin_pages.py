"""Benchmark: the committees' dashboard and unit list with 5,000 and 50,000 units in scope.

    make bench-admin             # or: .venv/bin/python bench/admin_pages.py --help

For each size, a demo province in a temporary SQLite file and a viewer account whose scope is the
whole province. Two figures per page:

- req/s under one gunicorn (gunicorn.conf.py) as a ratio to a minimal endpoint served by the same
  gunicorn in the same round, median over the rounds (printed; the issue sets no target);
- the SQL statements one request sends, counted in-process. Target: the counts are the same at every
  size, i.e. they do not grow with the number of units.
"""

import itertools
import secrets
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
#: The dashboard and the unit list show this table; the sign-in page (what a lost session gets) does not.
PAGE_MARKER = b'<table class="progress">'
USERNAME, PASSWORD = "btc", "bench-" + secrets.token_hex(8)
SCOPE = "TINH"  # the demo province's root unit


def main():
    arguments = common.parser(__doc__)
    arguments.add_argument("--units", type=int, nargs="+", default=[5000, 50000], help="sizes of the demo province")
    arguments.add_argument("--show-sql", action="store_true", help="print the statements each page sends")
    args = arguments.parse_args()
    statements, failed = {}, 0
    for units in args.units:
        print(f"\n=== {units:,} units")
        with common.Demo(units, args.seed) as demo:
            demo.build()
            demo.flask("users", "create", USERNAME, "--scope", SCOPE, "--role", "viewer",
                       stdin=f"{PASSWORD}\n{PASSWORD}\n")  # the password only ever on stdin
            statements[units] = count_statements(demo, args.show_sql)
            with common.Gunicorn(demo, args.workers) as server:
                failed += measure(server, args)
                server.report_log()
    print("\nSQL statements per request (in-process, after a warm-up); must not grow with the number of units")
    row = "  {:<26}" + " {:>10}" * len(statements)
    print(row.format("page", *(f"{units:,}" for units in statements)))
    for name in PAGES:
        print(row.format(name, *(len(sent[name]) for sent in statements.values())))
    equal = all(len({len(sent[name]) for sent in statements.values()}) == 1 for name in PAGES)
    if len(statements) > 1:
        print(f"  counts at every size are the same  {common.verdict(equal)}")
    if failed:
        print(f"{failed} requests failed: see the error lines above")
    return equal and not failed


def count_statements(demo, show_sql):
    """Sign in through the Flask test client, then request each page once as a warm-up and once more
    while a listener on the engine notes the statements it sends; print and return {page: statements}."""
    sent = []
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

        sa.event.listen(engine, "before_cursor_execute", note)
        found = {}
        print("in-process, after a warm-up:")
        try:
            for name, path in PAGES.items():
                client.get(path)
                sent.clear()
                answer = client.get(path)
                if answer.status_code != 200 or PAGE_MARKER not in answer.data:
                    raise SystemExit(f"in-process GET {path} answered {answer.status_code} without the page")
                found[name] = list(sent)
                print(f"  {name}: {len(sent)} statements, {len(answer.data):,} B of HTML")
                if show_sql:
                    for statement in sent:
                        print(f"    {statement[:150]}")
        finally:
            sa.event.remove(engine, "before_cursor_execute", note)
    return found


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
    pages = {name: common.Request("GET", path, cookie=cookie, marker=PAGE_MARKER) for name, path in PAGES.items()}
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
