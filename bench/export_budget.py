"""Benchmark: the cost per cell of a download written at once, and how the estimate that sends larger ones to
a job (downloads/at_once.py) compares with the time actually taken.

    .venv/bin/python bench/export_budget.py                 # 1,000 and 5,000 units: a few minutes
    .venv/bin/python bench/export_budget.py --sizes 300

For each size, a demo province (`flask demo --units N`, untimed), then one fresh process per kind of file
writing the province's file (the workbook, the consolidated draft) as a download does. Printed: the cells
the estimate counts (units x questions of the config), the CPU and wall seconds, the measured cost per
cell (CPU seconds / cells: the figure config.py's EXPORT_SECONDS_PER_CELL holds, with some margin), and the
ratio of the estimate (with the configured cost) to the time taken: at or above 1, the estimate errs on
the safe side. Target: ratio >= 1 at every size, for both kinds.
"""

from common import Demo, child_runner, parser, run_benchmark_or_child, timed, verdict

KINDS = ("xlsx", "docx")
run_child = child_runner(__file__)


def main():
    arguments = parser(__doc__, load=False)
    arguments.add_argument("--sizes", default="1000,5000", help="units in the demo province, comma-separated")
    args = arguments.parse_args()
    ok = True
    for size in sorted({int(value) for value in args.sizes.split(",")}):
        print(f"\n=== {size:,} units")
        with Demo(size, args.seed) as demo:
            demo.build()
            for kind in KINDS:
                run = run_child(kind, demo, output=str(demo.folder / f"download.{kind}"))
                ratio = run["estimate"] / run["cpu"]
                ok &= ratio >= 1
                print(f"  {kind}: {run['units']:,} units x {run['questions']} questions = {run['cells']:,} cells; "
                      f"{run['cpu']:.2f}s CPU ({run['seconds']:.2f}s wall); measured "
                      f"{run['cpu'] / run['cells'] * 1e6:.1f} us/cell, configured "
                      f"{run['configured'] * 1e6:.1f} us/cell; estimate {run['estimate']:.2f}s = {ratio:.2f} x the "
                      f"CPU time ({run['estimate'] / run['seconds']:.2f} x the wall time)  target >= 1  "
                      f"{verdict(ratio >= 1)}", flush=True)
    return ok


def child_write(kind):
    def write(spec):
        import sqlalchemy as sa
        from flask import current_app

        from app import create_app
        from consolidation.source import ExportSource
        from documents.consolidated_docx import write_consolidated_draft
        from downloads.at_once import estimated_seconds
        from exports import write_workbook
        from models import Unit, db
        from schema.store import current_survey

        with create_app().app_context():
            survey = current_survey()
            province = db.session.scalar(sa.select(Unit).filter_by(level="tinh"))
            units = ExportSource(province).count()
            if kind == "xlsx":
                _summary, figures = timed(lambda: write_workbook(spec["output"], survey, ExportSource(province)))
            else:
                _summary, figures = timed(lambda: write_consolidated_draft(spec["output"], survey,
                                                                           ExportSource(province), province))
            questions = len(survey.questions)
            return {**figures, "units": units, "questions": questions, "cells": units * questions,
                    "configured": current_app.config["EXPORT_SECONDS_PER_CELL"][kind],
                    "estimate": estimated_seconds(units, survey, kind)}

    return write


if __name__ == "__main__":
    run_benchmark_or_child(main, "at-once budget benchmark", {kind: child_write(kind) for kind in KINDS})
