"""Benchmark: importing a 50,000-unit list (.xlsx), SQLite and PostgreSQL, against a plain executemany insert.

    make bench-import            # or: .venv/bin/python bench/unit_import.py --help

A unit list is generated (`flask demo`'s province of the seed's shape: province -> district committees ->
grassroots committees and cells -> their cells) and written as the import's .xlsx, untimed. For each
database, an empty unit table (`flask db upgrade`; on PostgreSQL a database of this run's own, dropped at
the end), then three fresh processes, the table emptied after each:

- raw: the same rows, with the same columns and values computed beforehand (ids, parents, tokens, folded
  names), inserted by the driver's executemany in one transaction: the baseline;
- import: the preview (plan_import(): read the file and check every row, as the upload's POST does) and the
  confirmation (plan_import() again, then apply_plan() and the commit, as the confirming POST does);
- cli: `flask units import FILE`, the whole process's peak resident memory (VmHWM).

Printed: seconds, CPU seconds (PostgreSQL's backend beside), each as a ratio to the raw insert and as a share
of the worker timeout (gunicorn.conf.py); peak memory against the raw process's. Targets, on each database:

- the preview and the confirmation each take at most half the worker timeout, wall, and at most 10 s CPU;
- the CLI's peak memory is at most twice the raw insert process's.
"""

import random
import runpy
import time
from pathlib import Path

from common import (
    MB,
    ROOT,
    Demo,
    child_runner,
    memory_kb,
    parser,
    postgresql_cpu_seconds,
    postgresql_database,
    run_benchmark_or_child,
    timed,
    verdict,
)

from demo.province import plan_units

CPU_TARGET = 10.0
TIMEOUT_SHARE_TARGET = 0.5
MEMORY_TARGET = 2.0
WORKER_TIMEOUT = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["timeout"]
run_child = child_runner(__file__)


def main():
    args = parse_args()
    with Demo(args.units, args.seed) as folder:
        # make run's demo province of the seed's shape: huyện ủy, their grassroots committees and cells.
        rows = plan_units(args.units, random.Random(args.seed), shape="seed")
        path = folder.folder / "units.xlsx"
        write_list(path, rows)
        print(f"unit list: {len(rows):,} units, {path.stat().st_size / MB:.1f} MB .xlsx (untimed)", flush=True)
        results = {name: measure(name, args, path) for name in args.databases}
    return report(results)


def parse_args():
    arguments = parser(__doc__, load=False)
    arguments.add_argument("--units", type=int, default=50_000, help="units of the generated list")
    arguments.add_argument("--database", choices=("both", "sqlite", "postgresql"), default="both")
    arguments.add_argument("--postgresql", default="postgresql://postgres@127.0.0.1:5432/test",
                           help="a PostgreSQL server (any database on it) where the run creates its own")
    args = arguments.parse_args()
    if args.units < 10:
        arguments.error("--units must be at least 10")
    args.databases = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    return args


def write_list(path, rows):
    """Write the list as Excel and LibreOffice save one: text in the shared strings table."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet()
    for number, row in enumerate([("code", "name", "level", "parent_code"), *rows]):
        sheet.write_row(number, 0, row)
    workbook.close()


def measure(database, args, path):
    print(f"\n=== {database}", flush=True)
    if database == "sqlite":
        with Demo(args.units, args.seed) as demo:
            return measure_on(demo, path)
    with postgresql_database(args.postgresql) as url, Demo(args.units, args.seed, database_url=url) as demo:
        return measure_on(demo, path)


def measure_on(demo, path):
    demo.flask("db", "upgrade")
    results = {}
    # The raw insert last: it sets the ids itself, which PostgreSQL's sequence does not see.
    for mode in ("import", "cli", "raw"):
        results[mode] = run_child(mode, demo, path=str(path))
        results[mode]["units"] = run_child("empty", demo)
        print(f"{mode}: done, {results[mode]['units']:,} units made, table emptied", flush=True)
    return results


def report(results):
    ok = True
    print(f"\nworker timeout {WORKER_TIMEOUT} s; ratio = time / the raw executemany insert's, same database")
    row = "{:<11} {:<11} {:>8} {:>7} {:>7} {:>8} {:>8} {:>10}  {}"
    print(row.format("database", "step", "seconds", "cpu s", "db cpu", "others", "ratio", "timeout", "target"))
    for database, runs in results.items():
        raw = runs["raw"]
        steps = [("raw insert", raw)] + [(step, runs["import"][step]) for step in ("preview", "confirm")]
        for step, run in steps:
            passed = step == "raw insert" or (run["seconds"] <= TIMEOUT_SHARE_TARGET * WORKER_TIMEOUT
                                              and run["cpu"] <= CPU_TARGET)
            ok &= passed
            db_cpu = "-" if run.get("db_cpu") is None else f"{run['db_cpu']:.2f}"
            print(row.format(database, step, f"{run['seconds']:.2f}", f"{run['cpu']:.2f}", db_cpu,
                             f"{run['others']:.2f}", f"{run['seconds'] / raw['seconds']:.1f}x",
                             f"{run['seconds'] / WORKER_TIMEOUT:.0%}", "" if step == "raw insert" else verdict(passed)))
        peak, raw_peak = runs["cli"]["peak_kb"] / 1024, raw["process_peak_kb"] / 1024
        made = all(run["units"] == runs["raw"]["units"] for run in runs.values())
        ok &= peak <= MEMORY_TARGET * raw_peak and made
        print(f"{database:<11} cli peak memory {peak:.0f} MB = {peak / raw_peak:.1f}x the raw insert process's "
              f"({raw_peak:.0f} MB), {runs['cli']['seconds']:.1f} s  target <= {MEMORY_TARGET}x  "
              f"{verdict(peak <= MEMORY_TARGET * raw_peak)}; every run made {runs['raw']['units']:,} units: "
              f"{verdict(made)}")
    return ok


# --- The children: one fresh process each ------------------------------------------------------------------


def in_app(work):
    from app import create_app

    with create_app().app_context():
        return work()


def child_raw(spec):
    """Insert the list's rows, every column computed beforehand, with the driver's executemany."""
    import clock
    from link_tokens import new_link_token
    from models import db
    from models.unit import fold_for_search
    from units.list_files import read_unit_file

    def work():
        rows, _problems = read_unit_file(Path(spec["path"]).read_bytes(), spec["path"])
        ids = {row.code: number for number, row in enumerate(rows, start=1)}
        now = clock.now()
        values = [(ids[row.code], row.code, row.name, fold_for_search(row.name), row.level, ids.get(row.parent_code),
                   new_link_token(), now) for row in rows]
        del rows
        connection = db.session.connection().connection.driver_connection
        statement = ("INSERT INTO units (id, code, name, search_name, level, parent_id, token, created_at) "
                     f"VALUES ({', '.join([placeholder(db)] * 8)})")

        def insert():
            connection.cursor().executemany(statement, values)
            connection.commit()

        return with_database_cpu(db, insert) | {"process_peak_kb": memory_kb()[1]}

    return in_app(work)


def placeholder(db):
    return "?" if db.engine.dialect.name == "sqlite" else "%s"


def child_import(spec):
    """Preview the list, then confirm it: as the upload's two POSTs do."""
    from models import db
    from units.changes import apply_plan, plan_import

    raw = Path(spec["path"]).read_bytes()

    def confirm():
        apply_plan(plan_import(raw, filename=spec["path"]))
        db.session.commit()

    def work():
        preview = with_database_cpu(db, lambda: plan_import(raw, filename=spec["path"]))
        return {"preview": preview, "confirm": with_database_cpu(db, confirm)}

    return in_app(work)


def with_database_cpu(db, work):
    """Return timed(work)'s figures, with the CPU seconds of PostgreSQL's backends for this database."""
    db.session.connection()  # its backend exists before the work, to be counted
    url = db.engine.url.render_as_string(hide_password=False)
    before = postgresql_cpu_seconds(url) if url.startswith("postgresql") else None
    figures = timed(work)[1]
    if before is not None:
        figures["db_cpu"] = postgresql_cpu_seconds(url) - before
    return figures


def child_cli(spec):
    """Run `flask units import FILE` in this fresh process; return its whole peak resident memory."""
    from flask.cli import cli

    started = time.perf_counter()
    cli.main(["--app", "app", "units", "import", spec["path"]], prog_name="flask", standalone_mode=False)
    return {"peak_kb": memory_kb()[1], "seconds": time.perf_counter() - started}


def child_empty(_spec):
    """Return how many units there are, and delete them all."""
    import sqlalchemy as sa

    from models import Unit, db

    def work():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Unit))
        db.session.execute(sa.delete(Unit))
        db.session.commit()
        return count

    return in_app(work)


if __name__ == "__main__":
    run_benchmark_or_child(main, "unit list import benchmark",
                           {"raw": child_raw, "import": child_import, "cli": child_cli, "empty": child_empty})
