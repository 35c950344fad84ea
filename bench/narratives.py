"""Benchmark: reading the narrative answers (search, the reading page, item summaries) at 5,000 and 50,000 units.

    make bench-narratives        # or: .venv/bin/python bench/narratives.py --help

For each size, a demo province (`flask demo`, kept in a cache folder between runs: building 50,000 units
analyses some 500,000 texts), then, each in a fresh process:

- search (consolidation.reading.search) of a few realistic queries from demo/narratives.json, at the
  province's scope and at one committee's: median and max ms over the rounds;
- one item's summary made (consolidation.narratives.summarise) and read back kept (current_summary), in-process;
- the reading page of that item under gunicorn, signed in as a province viewer, no summary kept: its first view
  (which starts a thread making the summary), how long until the page shows the summary, then later views;
- every narrative item's summary at the province's scope, made and kept (as the page's threads or a download
  do), against write_workbook() of the same province reading them (as `flask export xlsx` after them);
- peak memory (tracemalloc, and the process's resident peak, VmHWM) of the summaries and of the searches.

Targets: search < 300 ms and the reading page < 1 s at every size; all the summaries <= 1 x the workbook's
time; the summaries' and searches' peaks flat: the traced peak grown by < 10 MB from the smallest size to the
largest (a ratio punished making the small size leaner), and the resident peak over the process's base grown by
< 50 MB. With --postgresql, a 5,000-unit province is also
built there, the search's plan printed (EXPLAIN ANALYZE: does it use the GIN index) and the searches timed.
"""

import contextlib
import os
import statistics
import time
import tracemalloc

import admin_pages
import common
from common import MB, ROOT, Demo, child_runner, parser, run_benchmark_or_child, timed, verdict

SEARCH_MS, PAGE_S, SUMMARY_RATIO, TRACED_GROWTH_MB, GROWTH_MB = 300, 1.0, 1.0, 10, 50
#: The reading page of one item; {question} is its id. The page shows this when it has read the answers.
PAGE_PATH = "/admin/reading/{question}"
#: What the page says while its item's summary is being made (in Vietnamese, the bench user's language).
BEING_SUMMARISED = "đang được tổng hợp"
run_child = child_runner(__file__)


def main():
    args = parse_args()
    results = {}
    for size in args.sizes:
        print(f"\n=== {size:,} units")
        with cached_province(size, args) as demo:
            results[size] = measure(demo, args)
    if args.postgresql:
        explain_on_postgresql(args)
    return report(results)


def parse_args():
    arguments = parser(__doc__, load=False)
    arguments.add_argument("--sizes", default="5000,50000", help="units in the demo province, comma-separated")
    arguments.add_argument("--rounds", type=int, default=5, help="times each search and warm page is timed")
    arguments.add_argument("--question", help="the item read (default: the outline's first narrative item answered)")
    arguments.add_argument("--page", default=PAGE_PATH, help="the reading page's path; {question} is the item")
    arguments.add_argument("--cache", default=os.environ.get("TONGKET_BENCH_CACHE", str(ROOT / "instance" /
                           "bench-cache")), help="folder keeping built provinces; '' builds afresh every time")
    arguments.add_argument("--workers", type=int, default=1, help="gunicorn workers (1: the first view is cold)")
    arguments.add_argument("--postgresql", help="a PostgreSQL server URL: also EXPLAIN the search there (5,000 "
                           "units, a database of the run's own)")
    args = arguments.parse_args()
    try:
        args.sizes = sorted({int(value) for value in args.sizes.split(",")})
    except ValueError:
        arguments.error("--sizes takes comma-separated whole numbers")
    return args


# --- The province, built once and kept ---------------------------------------------------------------------


@contextlib.contextmanager
def cached_province(units, args):
    """Yield a Demo of `units` units, copied from the cache folder when it was built before (common.Demo.build)."""
    with Demo(units, args.seed) as demo:
        yield demo.build(cache=args.cache)


# --- Measures -----------------------------------------------------------------------------------------------


def measure(demo, args):
    spec = {"question": args.question, "rounds": args.rounds}
    found = run_child("search", demo, **spec)
    print_searches(found)
    spec["question"] = found["question"]
    summary = run_child("summary", demo, **spec)
    print(f"the item's summary, in-process: made {summary['cold'] * 1000:.0f} ms, read kept "
          f"{summary['warm'] * 1000:.1f} ms; {summary['answers']:,} answers", flush=True)
    run_child("summaries", demo, forget=True)  # none kept: the page's first view finds none
    page = reading_page(demo, found["question"], args)
    every = run_child("summaries", demo)
    export = run_child("export", demo, output=str(demo.folder / "export.xlsx"), language="vi")
    print(f"every item's summary ({every['items']} items), made and kept: {every['seconds']:.1f}s "
          f"({every['cpu']:.1f}s CPU); the workbook, reading them: {export['seconds']:.1f}s ({export['cpu']:.1f}s CPU)",
          flush=True)
    for name, seconds in sorted(every["each"].items(), key=lambda item: -item[1])[:3]:
        print(f"  slowest: {name} {seconds:.2f}s")
    print(f"peaks: summaries {every['traced_mb']:.1f} MB traced, {every['peak_kb'] / 1024:.0f} MB resident "
          f"({(every['peak_kb'] - every['base_kb']) / 1024:.0f} MB over the base); searches "
          f"{found['traced_mb']:.1f} MB traced, {found['peak_kb'] / 1024:.0f} MB resident", flush=True)
    return {"search": found, "summary": summary, "page": page, "every": every, "export": export}


def print_searches(found):
    print(f"search, item {found['question']}, {found['answers']:,} answers in the province; committee "
          f"{found['committee']} ({found['committee_answers']:,}); ms over the rounds (first included)")
    row = "  {:<10} {:<44} {:>8} {:>8} {:>8} {:>8}"
    print(row.format("scope", "query", "matched", "median", "max", "CPU ms"))
    for run in found["runs"]:
        print(row.format(run["scope"], repr(run["query"])[:44], f"{run['matched']:,}",
                         f"{statistics.median(run['ms']):.1f}", f"{max(run['ms']):.1f}",
                         f"{statistics.median(run['cpu_ms']):.1f}"))


def reading_page(demo, question, args):
    """Time the reading page under gunicorn: the worker's first view of the item, then warm views."""
    demo.flask("users", "create", admin_pages.USERNAME, "--scope", admin_pages.SCOPE, "--role", "viewer",
               stdin=f"{admin_pages.PASSWORD}\n{admin_pages.PASSWORD}\n")
    path = args.page.format(question=question)
    with common.Gunicorn(demo, args.workers) as server:
        cookie = admin_pages.sign_in(server.port)
        times, cpu, statuses, sizes = [], [], set(), set()

        def view():
            started, server_cpu = time.perf_counter(), server.cpu_seconds()
            answer = common.request(server.port, "GET", path, cookie=cookie, timeout=120)
            times.append(time.perf_counter() - started)
            cpu.append(server.cpu_seconds() - server_cpu if server_cpu is not None else float("nan"))
            statuses.add(answer.status)
            sizes.add(len(answer.body))
            return answer.body.decode("utf-8", "replace")

        started = time.perf_counter()
        view()
        while BEING_SUMMARISED in view() and time.perf_counter() - started < 600:
            time.sleep(0.5)
        ready = time.perf_counter() - started
        del times[1:], cpu[1:]
        for _ in range(args.rounds):
            view()
        server.report_log()
    if statuses != {200}:
        print(f"reading page GET {path}: answered {sorted(statuses)}: not measured", flush=True)
        return None
    page = {"cold": times[0], "warm": statistics.median(times[1:]), "max_warm": max(times[1:]), "bytes": max(sizes),
            "cold_cpu": cpu[0], "warm_cpu": statistics.median(cpu[1:]), "ready": ready}
    print(f"reading page GET {path}: first view {page['cold'] * 1000:.0f} ms ({page['cold_cpu'] * 1000:.0f} ms "
          f"gunicorn CPU), its summary shown after {ready:.1f}s; then {page['warm'] * 1000:.0f} ms "
          f"({page['warm_cpu'] * 1000:.0f} ms CPU; max {page['max_warm'] * 1000:.0f}), {page['bytes']:,} B", flush=True)
    return page


def report(results):
    sizes = list(results)
    print("\nsummary")
    row = "  {:<52}" + " {:>10}" * len(sizes) + "  {}"
    print(row.format("", *(f"{size:,}" for size in sizes), ""))
    worst_search = {size: max(max(run["ms"]) for run in result["search"]["runs"]) for size, result in results.items()}
    median_search = {size: max(statistics.median(run["ms"]) for run in result["search"]["runs"])
                     for size, result in results.items()}
    ok_search = all(value < SEARCH_MS for value in median_search.values())
    print(row.format("search: slowest query's median ms", *(f"{median_search[s]:.0f}" for s in sizes),
                     f"< {SEARCH_MS}  {verdict(ok_search)}"))
    print(row.format("search: slowest single run ms", *(f"{worst_search[s]:.0f}" for s in sizes), ""))
    print(row.format("search: slowest query's median CPU ms", *(
        f"{max(statistics.median(run['cpu_ms']) for run in results[s]['search']['runs']):.0f}" for s in sizes), ""))
    pages = {size: result["page"] for size, result in results.items()}
    ok_page = all(page is not None and max(page["cold"], page["warm"]) < PAGE_S for page in pages.values())
    print(row.format("reading page: cold ms (warm ms)", *(
        f"{p['cold'] * 1000:.0f} ({p['warm'] * 1000:.0f})" if p else "n/a" for p in pages.values()),
        f"< {PAGE_S * 1000:.0f}  {verdict(ok_page)}"))
    print(row.format("reading page: gunicorn CPU ms, cold (warm)", *(
        f"{p['cold_cpu'] * 1000:.0f} ({p['warm_cpu'] * 1000:.0f})" if p else "n/a" for p in pages.values()), ""))
    print(row.format("reading page: its summary shown after s", *(
        f"{p['ready']:.1f}" if p else "n/a" for p in pages.values()), ""))
    print(row.format("the item's summary: made ms (read kept ms)", *(
        f"{r['summary']['cold'] * 1000:.0f} ({r['summary']['warm'] * 1000:.1f})" for r in results.values()), ""))
    ratios = {size: r["every"]["seconds"] / r["export"]["seconds"] for size, r in results.items()}
    ok_ratio = all(value <= SUMMARY_RATIO for value in ratios.values())
    print(row.format("every item's summary ÷ the workbook's time", *(f"{ratios[s]:.2f}" for s in sizes),
                     f"<= {SUMMARY_RATIO}  {verdict(ok_ratio)}"))
    print(row.format("  the same in CPU time", *(
        f"{results[s]['every']['cpu'] / results[s]['export']['cpu']:.2f}" for s in sizes), ""))
    ok = ok_search and ok_page and ok_ratio
    for name, key in (("summaries' peak MB: traced (resident over base)", "every"),
                      ("searches' peak MB: traced (resident over base)", "search")):
        traced = [results[size][key]["traced_mb"] for size in sizes]
        grown = [(results[size][key]["peak_kb"] - results[size][key]["base_kb"]) / 1024 for size in sizes]
        ok_flat = len(sizes) < 2 or (traced[-1] - traced[0] < TRACED_GROWTH_MB and grown[-1] - grown[0] < GROWTH_MB)
        ok = ok and ok_flat
        growth = (f"traced +{traced[-1] - traced[0]:.1f} MB (< {TRACED_GROWTH_MB}), resident "
                  f"+{grown[-1] - grown[0]:.0f} MB (< {GROWTH_MB})  {verdict(ok_flat)}")
        print(row.format(name, *(f"{t:.1f} ({g:.0f})" for t, g in zip(traced, grown, strict=True)),
                         growth if len(sizes) > 1 else ""))
    return ok


# --- PostgreSQL: the search's plan -------------------------------------------------------------------------


def explain_on_postgresql(args):
    units = min(args.sizes)
    print(f"\n=== PostgreSQL, {units:,} units: the search's plan")
    with common.postgresql_database(args.postgresql) as url, Demo(units, args.seed, database_url=url) as demo:
        demo.build()
        print(run_child("explain", demo, question=args.question)["plans"], end="")
        print_searches(run_child("search", demo, question=args.question, rounds=args.rounds))


# --- The children: one fresh process each ------------------------------------------------------------------


@contextlib.contextmanager
def in_app():
    """The app, in a request context speaking Vietnamese (the counts' nouns are translated)."""
    import sqlalchemy as sa

    from app import create_app
    from models import db
    from schema.model import speaking

    app = create_app()
    with app.test_request_context(), speaking("vi"):
        db.session.execute(sa.text("SELECT 1"))
        yield app


def reading_setup(question_id):
    """Return the item read (given, or the narrative item with most answers), its answers, and the committee
    directly under the province with most units under it."""
    import sqlalchemy as sa

    from consolidation.answer_texts import narrative_questions
    from models import RevisionText, Unit, db
    from schema.store import current_survey

    survey = current_survey()
    items = [question.id for question in narrative_questions(survey)]
    counts = dict(db.session.execute(sa.select(RevisionText.question_id, sa.func.count())
                                     .group_by(RevisionText.question_id)).all())
    question_id = question_id or next(item for item in items if counts.get(item))
    province = db.session.scalar(sa.select(Unit).where(Unit.parent_id.is_(None)))
    child = sa.orm.aliased(Unit)
    committee_id = db.session.execute(
        sa.select(Unit.id).join(child, child.parent_id == Unit.id).where(Unit.parent_id == province.id)
        .group_by(Unit.id).order_by(sa.func.count().desc(), Unit.id).limit(1)).scalar()
    return survey, survey.questions[question_id], db.session.get(Unit, committee_id)


def queries(question_id):
    """Realistic queries from the demo's sentence bank for the item: a phrase of its most used sentence, one
    of its least used, a diacritic-free one, and two phrases."""
    import json
    import re

    from consolidation.text_folding import fold

    bank = json.loads((ROOT / "demo" / "narratives.json").read_text())
    sentences = (bank.get(question_id) or bank["_default"])["sentences"]

    def phrase(sentence, start=1, length=3):
        """Words of the sentence's longest piece between punctuation and placeholders, as a reader types them."""
        piece = max(re.split(r"\{\w+\}|[,.;:()]", sentence), key=len)
        return " ".join(re.findall(r"[^\W\d_]+", piece)[start:start + length])

    return {"frequent": phrase(sentences[0]), "rare": phrase(sentences[-1], 2),
            "no diacritics": fold(phrase(sentences[1], 2)),
            "two phrases": f"{phrase(sentences[2])}, {phrase(sentences[3], 2, 2)}"}


def child_search(spec):
    import sqlalchemy as sa

    from consolidation.reading import Reading, answers_select, parse_query, search
    from models import db

    with in_app():
        _survey, question, committee = reading_setup(spec["question"])

        def count(scope):
            return db.session.scalar(answers_select(Reading(question.id, scope), sa.func.count()))

        cases = [(scope_name, scope, name, typed) for scope_name, scope in (("province", None),
                                                                             ("committee", committee))
                 for name, typed in {"no query": "", **queries(question.id)}.items()]
        runs = []
        for scope_name, scope, name, typed in cases:
            reading, query = Reading(question.id, scope), parse_query(typed)
            ms, cpu_ms = [], []
            for _ in range(spec["rounds"]):
                started, cpu = time.perf_counter(), time.process_time()
                found = search(reading, query)
                ms.append((time.perf_counter() - started) * 1000)
                cpu_ms.append((time.process_time() - cpu) * 1000)
            runs.append({"scope": scope_name, "query": f"{name}: {typed}" if typed else name, "ms": ms,
                         "cpu_ms": cpu_ms, "matched": found.total_matched})

        def every_search():
            tracemalloc.start()
            for _scope_name, scope, _name, typed in cases:
                search(Reading(question.id, scope), parse_query(typed))
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            return peak

        traced, figures = timed(every_search)
        return {"question": question.id, "runs": runs, "answers": count(None), "committee": committee.code,
                "committee_answers": count(committee), "traced_mb": traced / MB, **figures}


def child_summary(spec):
    """One item's summary at the province's scope: made (cold), then read back kept (warm)."""
    from consolidation.narratives import summarise
    from consolidation.reading import Reading
    from consolidation.summaries import current_summary

    with in_app():
        _survey, question, _committee = reading_setup(spec["question"])
        reading = Reading(question.id, None)
        started = time.perf_counter()
        summary = summarise(reading, question)
        cold = time.perf_counter() - started
        current_summary(reading, question)  # kept
        warm = []
        for _ in range(spec["rounds"]):
            started = time.perf_counter()
            current_summary(reading, question)
            warm.append(time.perf_counter() - started)
        return {"cold": cold, "warm": statistics.median(warm), "answers": sum(summary.answered.values())}


def child_summaries(spec):
    """Every narrative item's summary at the province's scope, made and kept (as a refresh does), timed;
    then made again under tracemalloc; with `forget`, the kept summaries are deleted at the end."""
    import sqlalchemy as sa

    from consolidation.answer_texts import narrative_questions
    from consolidation.narratives import summarise
    from consolidation.reading import Reading
    from consolidation.summaries import current_summary
    from models import StoredSummary, db
    from schema.store import current_survey

    with in_app():
        items = narrative_questions(current_survey())
        db.session.execute(sa.delete(StoredSummary))
        db.session.commit()
        each = {}

        def every_summary():
            for question in items:
                started = time.perf_counter()
                current_summary(Reading(question.id, None), question)
                each[question.id] = time.perf_counter() - started

        _value, figures = timed(every_summary)
        tracemalloc.start()
        for question in items:
            summarise(Reading(question.id, None), question)
        traced = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        if spec.get("forget"):
            db.session.execute(sa.delete(StoredSummary))
            db.session.commit()
        return {"items": len(items), "each": each, "traced_mb": traced / MB, **figures}


def child_export(spec):
    import export_workbook

    return export_workbook.child_export(spec)


def child_explain(spec):
    """On PostgreSQL: EXPLAIN ANALYZE of the statements a search sends, and the searches timed."""
    import sqlalchemy as sa

    from consolidation.reading import Reading, parse_query, search
    from models import db

    with in_app():
        _survey, question, _committee = reading_setup(spec["question"])
        sent = []

        def note(_connection, _cursor, statement, parameters, *_args):
            sent.append((statement, parameters))

        typed = queries(question.id)["frequent"]
        sa.event.listen(db.engine, "before_cursor_execute", note)
        search(Reading(question.id, None), parse_query(typed))
        sa.event.remove(db.engine, "before_cursor_execute", note)
        plans = []
        connection = db.session.connection().connection.driver_connection
        for statement, parameters in sent:
            if statement.strip() == "SELECT 1":
                continue
            rows = connection.execute("EXPLAIN (ANALYZE, COSTS OFF) " + statement, parameters).fetchall()
            plan = "\n".join(f"    {row[0]}" for row in rows)
            index = "uses the GIN index" if "answer_text_search" in plan else "does NOT use the GIN index"
            plans.append(f"  {' '.join(statement.split())[:100]}...: {index}\n{plan}\n")
        return {"plans": "".join(plans)}


if __name__ == "__main__":
    run_benchmark_or_child(main, "narratives benchmark", {
        "search": child_search, "summary": child_summary, "summaries": child_summaries, "export": child_export,
        "explain": child_explain})
