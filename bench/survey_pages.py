"""Benchmark: a unit's survey page (GET) and a draft save (POST) under gunicorn, as ratios.

    make bench-survey            # or: .venv/bin/python bench/survey_pages.py --help

A demo province in a temporary SQLite file and one gunicorn (gunicorn.conf.py) serving the app plus a
minimal endpoint. Each round measures the minimal endpoint, the survey page and the save one after the
other; the median over the rounds of page / minimal and save / minimal req/s is compared with the
targets, and the weight of a blank form page too:

- survey page req/s >= 20% of the minimal endpoint's;
- save POST req/s >= 10% of the minimal endpoint's: each save a whole new report, its 16 narrative texts all
  new (the worst case); a unit correcting its draft ("save POST, 2 texts edited": the same report with two of
  its texts changed each time) is measured beside it, for information;
- a blank form's HTML + CSS + JS <= 30 kB (30,000 bytes), uncompressed; and on the wire, the page and its
  assets compressed by the service itself (as a browser asks: br, gzip), the assets under addresses cached
  for a year (immutable).

The load itself asks for no compression (the answers are checked for the form's marker): the rates are those of
the page's making, compression aside.
"""

import contextlib
import csv
import io
import itertools
import math
import random
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from urllib.parse import urlsplit

import common

from consolidation.answer_texts import narrative_questions
from demo.province import random_answers
from forms import posted_answers
from schema.store import current_survey

CELL_LEVEL = "chi_bo_truc_thuoc"
PAGE_TARGET, SAVE_TARGET, WEIGHT_BUDGET = 0.20, 0.10, 30_000
#: What a phone's browser asks for.
BROWSER_ENCODINGS = "br, gzip"
FOR_A_YEAR = b"immutable"
FORM = b'name="form_state"'
SAVE, EDIT = "save POST", "save POST, 2 texts edited"


def main():
    arguments = common.parser(__doc__)
    arguments.add_argument("--units", type=int, default=2000, help="units in the demo province")
    arguments.add_argument("--probe", type=int, default=300,
                           help="party cells opened during the warm-up; those showing a form are the GET set")
    arguments.add_argument("--profile", type=int, metavar="N", default=0,
                           help="instead of the load test, profile N page GETs and N saves in-process")
    args = arguments.parse_args()
    with common.Demo(args.units, args.seed) as demo:
        demo.build()
        links = demo.flask("units", "links", "--base-url", "http://bench")
        cells = [urlsplit(row["url"]).path for row in csv.DictReader(io.StringIO(links)) if row["level"] == CELL_LEVEL]
        random.Random(args.seed).shuffle(cells)
        with demo.app() as app:
            with app.app_context():
                reports = report_bodies(current_survey(), args.seed)
                edits = edited_reports(current_survey(), args.seed)
            if args.profile:  # outside the app context: each request must push its own
                return profile_in_process(app, cells, reports, args.profile)
        with common.Gunicorn(demo, args.workers) as server:
            bench = Benchmark(server, demo, cells, {SAVE: reports, EDIT: edits}, args)
            weight_ok = bench.warm_up()
            bench.measure()
            ok = bench.report()
            server.report_log()
    return weight_ok and ok


def report_bodies(survey, seed):
    """Yield complete party-cell reports as a browser posts them, from the demo's answer generator."""
    rng = random.Random(seed)
    while True:
        yield posted_answers(survey, CELL_LEVEL, random_answers(survey, CELL_LEVEL, rng, complete=True))


def edited_reports(survey, seed, edited=2):
    """Yield one party cell's report again and again with `edited` of its narrative texts changed each time,
    as a unit correcting its draft posts it: its other texts are stored already."""
    rng = random.Random(seed)
    base = posted_answers(survey, CELL_LEVEL, random_answers(survey, CELL_LEVEL, rng, complete=True))
    narrative = sorted({question.id for question in narrative_questions(survey)} & {key for key, _text in base})
    for number in itertools.count(1):
        changed = set(rng.sample(narrative, edited))
        yield [(key, f"{text} Sửa lần {number}." if key in changed else text) for key, text in base]


def save_body(reports, page):
    """Return (body, content type) of a draft save, sent as the page's form is: the next report, and the
    csrf_token and one-time form_state of the page the form came from."""
    return common.form_body(page, [*next(reports), *common.hidden_fields(page).items(), ("action", "save")])


class Benchmark:
    def __init__(self, server, demo, cells, reports, args):
        self.server, self.demo, self.cells, self.reports, self.args = server, demo, cells, reports, args
        self.save_cells = itertools.cycle(cells)
        self.form_pages, self.page_cookie, self.rounds, self.revisions_before = {}, None, [], 0

    def fetch(self, paths):
        """GET the paths from as many threads as the load uses (untimed); return the answers."""
        with ThreadPoolExecutor(self.args.concurrency) as pool:
            return list(pool.map(lambda path: common.request(self.server.port, "GET", path), paths))

    def warm_up(self):
        """Open a sample of party cells on every worker, keep those whose page shows the form as the GET
        set, check the page weight, then warm the minimal endpoint and the saves."""
        probed = self.cells[:self.args.probe]
        for path, answer in zip(probed, self.fetch(probed), strict=True):
            if answer.status != 200:
                raise SystemExit(f"GET {path} answered {answer.status}")
            if FORM in answer.body:
                self.form_pages[path] = len(answer.body)
                self.page_cookie = self.page_cookie or common.cookie_header(answer)
        if not self.form_pages:
            raise SystemExit("no probed party cell shows the survey form (is the deadline past?)")
        print(f"warm-up: {len(probed)} party cells opened, {len(self.form_pages)} show the form (the others a "
              "submitted report)")
        common.must_succeed(common.run_load(self.server, "warm-up", common.minimal_requests(), 1.0,
                                            self.args.concurrency))
        common.must_succeed(self.run_saves(4 * self.args.concurrency, 600))
        return self.page_weight()

    def page_weight(self):
        lightest = min(self.form_pages, key=self.form_pages.get)
        page = common.request(self.server.port, "GET", lightest).body
        assets = Assets()
        assets.feed(page.decode())
        sizes = {url: len(common.request(self.server.port, "GET", urlsplit(url).path).body) for url in assets.urls}
        total = len(page) + sum(sizes.values())
        print(f"\npage weight, uncompressed: lightest form page seen {len(page):,} B + "
              f"{' + '.join(f'{url} {size:,} B' for url, size in sizes.items())} = {total:,} B "
              f"(heaviest form page seen: {max(self.form_pages.values()):,} B of HTML)  target <= "
              f"{WEIGHT_BUDGET:,} B  {common.verdict(total <= WEIGHT_BUDGET)}")
        delivered = self.on_the_wire(lightest, assets.urls)
        return total <= WEIGHT_BUDGET and delivered

    def on_the_wire(self, page, asset_urls):
        """Fetch the page and its assets as a browser does: each must come compressed, each asset for a year."""
        answers = {path: common.request(self.server.port, "GET", path, accept_encoding=BROWSER_ENCODINGS)
                   for path in (page, *(urlsplit(url).path for url in asset_urls))}
        compressed = all(b"\r\ncontent-encoding: " in answer.headers.lower() for answer in answers.values())
        kept = all(FOR_A_YEAR in answers[urlsplit(url).path].headers for url in asset_urls)
        wire = sum(len(answer.body) for answer in answers.values())
        print(f"on the wire ({BROWSER_ENCODINGS}): {wire:,} B, every answer compressed: "
              f"{common.verdict(compressed)}; the assets cached for a year: {common.verdict(kept)}")
        return compressed and kept

    def run_saves(self, count, seconds, scenario=SAVE):
        """GET `count` distinct cells' forms (untimed), then time the POSTs: each sends a report of the
        scenario with the csrf_token, the fresh one-time form_state and the cookie of its own GET, and must
        answer 302. The POSTs' cookies are not kept, so that flash messages do not pile up in a session."""
        paths = [next(self.save_cells) for _ in range(min(count, len(self.cells)))]
        saves = []
        for path, page in zip(paths, self.fetch(f"{path}?edit=1" for path in paths), strict=True):
            if page.status != 200 or FORM not in page.body:
                raise SystemExit(f"GET {path}?edit=1 answered {page.status} without the form")
            body, content_type = save_body(self.reports[scenario], page.body)
            saves.append(common.Request("POST", path, body, common.cookie_header(page), status=302,
                                        content_type=content_type))
        return common.run_load(self.server, scenario, saves, seconds, self.args.concurrency)

    def revisions(self):
        with contextlib.closing(sqlite3.connect(self.demo.database, timeout=30)) as connection:
            return connection.execute("SELECT count(*) FROM revisions").fetchone()[0]

    def measure(self):
        pages = [common.Request("GET", path, cookie=self.page_cookie, marker=FORM) for path in self.form_pages]
        self.revisions_before, rate = self.revisions(), 1.0
        common.print_header()
        for number in range(1, self.args.rounds + 1):
            load = {"minimal": common.minimal_requests(), "survey page": itertools.cycle(pages)}
            runs = {name: common.run_load(self.server, name, requests, self.args.seconds, self.args.concurrency)
                    for name, requests in load.items()}
            # Enough fresh forms for the round at the best rate seen; each cell is saved once per round at
            # most, so that no save meets an edit conflict.
            rate = max(rate, runs["survey page"].rps)
            for scenario in (SAVE, EDIT):
                runs[scenario] = self.run_saves(math.ceil(rate * self.args.seconds * 1.5) + 16, self.args.seconds,
                                                scenario)
                rate = max(rate, runs[scenario].rps)
            for run in runs.values():
                common.print_run(number, run)
            self.rounds.append(runs)

    def report(self):
        ratios = common.ratio_summary(self.rounds)
        print("\ntargets")
        ok = True
        for name, target in (("survey page", PAGE_TARGET), (SAVE, SAVE_TARGET)):
            ok &= ratios[name] >= target
            print(f"  {name} req/s = {ratios[name]:.1%} of the minimal endpoint's  target >= {target:.0%}  "
                  f"{common.verdict(ratios[name] >= target)}")
        failed = sum(run.errors.total() for runs in self.rounds for run in runs.values())
        if failed:
            print(f"  {failed} requests failed: see the error lines above")
        # A replayed form also answers 302 but saves nothing: count the new revisions.
        saved = self.revisions() - self.revisions_before
        posted = sum(runs[name].ok for runs in self.rounds for name in (SAVE, EDIT))
        print(f"  {EDIT} req/s = {ratios[EDIT]:.1%} of the minimal endpoint's (for information)")
        print(f"  saves checked in the database: {saved} new revisions for {posted} POSTs answered 302  "
              f"{'ok' if saved == posted else 'MISMATCH'}")
        return ok and not failed and saved == posted


class Assets(HTMLParser):
    """Collect the stylesheets and scripts a page links."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and "stylesheet" in (attrs.get("rel") or "").split() and attrs.get("href"):
            self.urls.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])


def profile_in_process(app, cells, reports, count):
    """Profile `count` survey pages, then `count` saves, sent straight to the WSGI app with prepared
    environs, so that no client code is in the profile."""
    from werkzeug.test import EnvironBuilder

    def call(expected, **request_args):
        environ = EnvironBuilder(**request_args).get_environ()

        def send():
            status = []
            body = app(environ, lambda line, _headers, _exc_info=None: status.append(line))
            b"".join(body)
            getattr(body, "close", lambda: None)()
            if not status[0].startswith(expected):
                raise SystemExit(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']} answered {status[0]}")
        return send

    client = app.test_client()
    forms = [path for path in cells[:4 * count] if FORM in client.get(path).data]
    pages = [call("200", path=forms[i % len(forms)]) for i in range(count)]
    saves = []
    for path in cells[:count]:
        client = app.test_client()
        page = client.get(f"{path}?edit=1").data
        cookie = f"session={client.get_cookie('session').value}"
        body, content_type = save_body(reports, page)
        saves.append(call("302", path=path, method="POST", data=body, headers={"Cookie": cookie},
                          content_type=content_type))
    minimal = [call("200", path=common.MINIMAL_PATH) for _ in range(count)]
    for name, calls in (("minimal endpoint", minimal), ("survey page", pages), ("save POST", saves)):
        print(f"\n=== {name}, {count} requests in-process")
        common.profile(calls)
    return True


if __name__ == "__main__":
    common.run_benchmark(main, "survey page benchmark")
