"""Where the time of one survey page goes: cProfile over N GETs in-process (Flask test client).

    .venv/bin/python bench/profile_page.py [--pages 200] [--units 2000] [--top 25] [--save]

Builds the same demo province as bench/survey_pages.py in a temporary SQLite file, then sends
prepared WSGI requests straight to the app (no client code in the profile): the pages of party
cells that show the form (drafts with demo answers, and blank forms), or with --save one draft
save each of N cells, every POST with the fresh form state of its own GET. Prints the in-process
time per request against the minimal endpoint, the profile's own time grouped by library (C
builtins are charged to the library that called them), the cumulative time of the main steps of
the view, and the top functions.
"""

import argparse
import collections
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

from werkzeug.test import EnvironBuilder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.minimal_app import MINIMAL_PATH, create_bench_app  # noqa: E402
from bench.survey_pages import BenchServer  # noqa: E402
from models import db  # noqa: E402
from tests.answers import cell_report  # noqa: E402
from tests.pages import hidden_state  # noqa: E402

#: (label, piece of a function's file path) in the order they are tried; the first match wins.
LIBRARIES = (
    ("Jinja2 templates (compiled)", "/templates/"),
    ("Jinja2 runtime", "/jinja2/"),
    ("MarkupSafe escaping", "/markupsafe/"),
    ("WTForms + Flask-WTF", "/wtforms/"),
    ("WTForms + Flask-WTF", "/flask_wtf/"),
    ("SQLAlchemy", "/sqlalchemy/"),
    ("SQLAlchemy", "/flask_sqlalchemy/"),
    ("Babel + flask-babel", "/babel/"),
    ("Babel + flask-babel", "/flask_babel/"),
    ("gettext (stdlib)", "/gettext.py"),
    ("itsdangerous signing", "/itsdangerous/"),
    ("Flask + Werkzeug", "/flask/"),
    ("Flask + Werkzeug", "/werkzeug/"),
    ("zoneinfo / datetime", "zoneinfo"),
    ("app code", str(ROOT) + "/"),
)
#: Steps of views/survey.py's page(), reported by cumulative time.
#: A step is (label, piece of the file path, function name, "sum" or "max" over matching functions);
#: "max" for nested or recursive ones (the macros call each other), which summing would count twice.
STEPS = (
    ("whole request (WSGI app)", "flask/app.py", "wsgi_app", "max"),
    ("UnitPage(): unit + response query", "views/survey.py", "__init__", "sum"),
    ("current_answers(): revision query", "reporting/saving.py", "current_answers", "sum"),
    ("survey_form_class(): build the class", "forms/survey.py", "survey_form_class", "sum"),
    ("form instance (fields bound, data or form data processed)", "wtforms/form.py", "__call__", "sum"),
    ("sign_form_state()", "views/survey.py", "sign_form_state", "sum"),
    ("render_template()", "flask/templating.py", "render_template", "sum"),
    ("macros of _questions.html (outermost; calls: all)", "_questions.html", "macro", "max"),
    ("condition_note()", "views/display.py", "condition_note", "sum"),
    ("gettext / lazy strings", "flask_babel/__init__.py", "gettext", "sum"),
    ("Text.__str__ (config labels)", "schema/model.py", "__str__", "sum"),
    ("SQL execute (all)", "sqlalchemy/engine/base.py", "_execute_context", "sum"),
    ("save(): the POST view", "views/survey.py", "save", "sum"),
    ("form.validate()", "forms/survey.py", "validate", "sum"),
    ("save_report()", "reporting/saving.py", "save_report", "sum"),
    ("db.session.commit()", "sqlalchemy/orm/scoping.py", "commit", "sum"),
    ("session cookie signed and set", "flask/sessions.py", "save_session", "sum"),
)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--save", action="store_true",
                        help="profile the draft save (POST, fresh form state each) instead of the page")
    parser.add_argument("--dump", type=Path, help="also write the raw profile here, for pstats or snakeviz")
    args = parser.parse_args(argv)
    # The same demo database as the benchmark, in a temporary directory removed at the end.
    with BenchServer(argparse.Namespace(units=args.units, seed=1, workers=1, max_requests=0)) as server:
        server.prepare_database()
        cells = server.cell_paths()
        os.environ.update(DATABASE_URL=server.env["DATABASE_URL"], SECRET_KEY=server.env["SECRET_KEY"])
        app = create_bench_app()
        try:
            return profile(app, cells, args)
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def profile(app, cells, args):
    client = app.test_client()
    forms = [path for path in cells[:4 * args.pages] if b'name="form_state"' in client.get(path).data]
    if not forms:
        raise SystemExit("no party cell shows the form")
    paths = [forms[i % len(forms)] for i in range(args.pages)]
    sizes = sorted(len(client.get(path).data) for path in forms)
    print(f"{len(forms)} form pages among the first {4 * args.pages} party cells; "
          f"HTML {sizes[0]:,}-{sizes[-1]:,} bytes")
    if args.save:
        what = "save POST"

        def requests():
            return prepared_saves(app, cells[:args.pages])
    else:
        what = "survey page"

        def requests():
            return [wsgi_request(app, EnvironBuilder(path=path), "200") for path in paths]

    # In-process timing without the profiler, interleaved, best of 3 to shed the machine's noise.
    measured, minimal = [], []
    for _ in range(3):
        measured.append(timed(requests()))
        minimal.append(timed([wsgi_request(app, EnvironBuilder(path=MINIMAL_PATH), "200") for _ in paths]))
    print(f"in-process, no gunicorn: {what} {min(measured) * 1000:.2f} ms, minimal endpoint "
          f"{min(minimal) * 1000:.3f} ms per request ({min(measured) / min(minimal):.0f} x)")

    todo = requests()
    profiler = cProfile.Profile()
    profiler.enable()
    for request in todo:
        request()
    profiler.disable()
    stats = pstats.Stats(profiler)
    if args.dump:
        stats.dump_stats(args.dump)
    total, count = stats.total_tt, len(todo)
    print(f"\nprofiled {count} x {what}: {total:.2f}s, {total / count * 1000:.2f} ms per request "
          "(cProfile slows Python code about 2x; read the shares, not the times)")

    print("\nown time by library (C builtins charged to their caller's library):")
    for label, seconds in by_library(stats).most_common():
        print(f"  {seconds / total:6.1%}  {seconds / count * 1000:6.2f} ms/req  {label}")

    print(f"\ncumulative time of the steps of one {what}:")
    for label, file_part, name, how in STEPS:
        found = [(key, value) for key, value in stats.stats.items() if file_part in key[0] and key[2] == name]
        if not found:
            continue
        cumulative = (max if how == "max" else sum)(value[3] for _key, value in found)
        calls = sum(value[1] for _key, value in found)
        print(f"  {cumulative / total:6.1%}  {cumulative / count * 1000:6.2f} ms/req  "
              f"{calls / count:7.1f} calls/req  {label}")

    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(args.top)
        lines = out.getvalue().splitlines()
        start = next(i for i, line in enumerate(lines) if "ncalls" in line)
        print(f"\ntop {args.top} functions by {order}:")
        print("\n".join(lines[start:]).rstrip())

    return 0


def timed(requests):
    started = time.perf_counter()
    for request in requests:
        request()
    return (time.perf_counter() - started) / len(requests)


def wsgi_request(app, builder, expected):
    """Return a callable that sends one prepared request straight to the WSGI app.

    The environ (and a POST's encoded body) is built now, untimed, so that the profile holds only
    what the server does; the test client's own work stays out of it.
    """
    environ = builder.get_environ()

    def send():
        statuses = []
        body = app(environ, lambda status, _headers, _exc_info=None: statuses.append(status))
        try:
            b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()
        if not statuses[0].startswith(expected):
            raise SystemExit(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']} answered {statuses[0]}")

    return send


def prepared_saves(app, paths):
    """Open each unit's form (untimed) and return one callable per unit that posts it as a draft,
    with the session cookie, csrf_token and fresh one-time form_state of that GET."""
    saves = []
    for path in paths:
        client = app.test_client()
        page = client.get(f"{path}?edit=1").text
        if 'name="form_state"' in page:
            data = {**cell_report(), **hidden_state(page), "action": "save"}
            cookie = f"session={client.get_cookie('session').value}"
            builder = EnvironBuilder(path=path, method="POST", data=data, headers={"Cookie": cookie})
            saves.append(wsgi_request(app, builder, "302"))
    return saves


def library_of(filename):
    for label, part in LIBRARIES:
        if part in filename:
            return label
    if filename.startswith("~") or filename.startswith("<"):
        return None
    return "stdlib / other"


def by_library(stats):
    """Return own (tottime) seconds per library; a builtin's time goes to its callers' libraries."""
    totals = collections.Counter()
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, callers) in stats.stats.items():
        label = library_of(filename)
        if label is not None:
            totals[label] += tottime
            continue
        caller_time = sum(value[2] for value in callers.values())
        if not callers or not caller_time:
            totals["builtins (uncalled)"] += tottime
            continue
        for caller, value in callers.items():
            totals[library_of(caller[0]) or "builtins"] += tottime * value[2] / caller_time
    return totals


if __name__ == "__main__":
    sys.exit(main())
