"""Benchmark: the province's consolidated draft (Word) against the workbook export of the same province.

    make bench-draft             # or: .venv/bin/python bench/consolidated_draft.py --help

For the time size, a demo province (`flask demo --units N`, untimed), then pairs of timed runs, each in a
fresh process: the workbook (write_workbook() of the whole province, as `flask export xlsx`) and the draft
(write_consolidated_draft() of the province, as `flask export docx`). For the memory sizes, one draft each
in a fresh process; memory is the process's peak resident size while writing (VmHWM, reset just before).
The medians over the pairs are compared with the targets:

- draft time <= the workbook's at the time size (5,000 units);
- the draft's peak memory grows by less than 50 MB from the smallest memory size to the largest.
"""

import statistics

from common import MB, Demo, child_runner, parser, profile, run_benchmark_or_child, timed, verdict

TIME_TARGET = 1.0
MEMORY_TARGET_MB = 50
run_child = child_runner(__file__)


def main():
    args = parse_args()
    pairs, peaks = [], {}
    for size in sorted({args.time_size, *args.memory_sizes}):
        print(f"\n=== {size:,} units")
        with Demo(size, args.seed) as demo:
            demo.build()
            if size == args.time_size:
                pairs = measure_time(demo, args.repeat)
                if args.profile:
                    print(run_child("profile", demo, output=str(demo.folder / "profiled.docx"), top=args.top),
                          end="")
            if size in args.memory_sizes:
                runs = [pair[1] for pair in pairs] if size == args.time_size else [
                    run_child("draft", demo, output=str(demo.folder / "draft.docx"))]
                peaks[size] = statistics.median(run["peak_kb"] for run in runs) * 1024
                print(f"draft peak memory: {peaks[size] / MB:.0f} MB ({', '.join(memory(run) for run in runs)})")
    return report(args.time_size, pairs, peaks)


def parse_args():
    arguments = parser(__doc__, load=False)
    arguments.add_argument("--time-size", type=int, default=5000, help="units of the province timed in pairs")
    arguments.add_argument("--memory-sizes", default="5000,50000",
                           help="units of the provinces whose draft's peak memory is compared, comma-separated")
    arguments.add_argument("--repeat", type=int, default=3, help="timed (workbook, draft) pairs")
    arguments.add_argument("--profile", action="store_true", help="also profile one draft at the time size")
    arguments.add_argument("--top", type=int, default=20, help="functions listed by --profile")
    args = arguments.parse_args()
    try:
        args.memory_sizes = sorted({int(value) for value in args.memory_sizes.split(",")})
    except ValueError:
        arguments.error("--memory-sizes takes comma-separated whole numbers")
    if min(args.time_size, *args.memory_sizes) < 2 or args.repeat < 1:
        arguments.error("every size must be at least 2 units, the repeat at least 1")
    return args


def measure_time(demo, repeat):
    pairs = []
    for number in range(1, repeat + 1):
        export = run_child("export", demo, output=str(demo.folder / "export.xlsx"))
        draft = run_child("draft", demo, output=str(demo.folder / "draft.docx"))
        pairs.append((export, draft))
        print(f"pair {number}: workbook {export['seconds']:.2f}s, draft {draft['seconds']:.2f}s "
              f"({draft['submitted']:,}/{draft['units']:,} reports, {draft['KB']:.0f} kB)", flush=True)
    row = "{:>4} {:>10} {:>6} {:>6}  {:>8} {:>6} {:>6}  {:>6} {:>9}  {:>18}  {:>16}"
    print(row.format("pair", "workbook s", "cpu s", "others", "draft s", "cpu s", "others", "ratio", "cpu ratio",
                     "workbook MB: peak", "draft MB: peak"))
    for number, (export, draft) in enumerate(pairs, start=1):
        figures = (f"{run[key]:.2f}" for run in (export, draft) for key in ("seconds", "cpu", "others"))
        print(row.format(number, *figures, f"{draft['seconds'] / export['seconds']:.2f}x",
                         f"{draft['cpu'] / export['cpu']:.2f}x", memory(export), memory(draft)))
    return pairs


def memory(run):
    return f"{run['peak_kb'] / 1024:.0f} ({run['peak_kb'] / 1024 - run['base_kb'] / 1024:+.0f})"


def report(size, pairs, peaks):
    print("\ntargets (medians over the pairs; ratio = draft time / workbook time, within each pair)")
    ratios = [draft["seconds"] / export["seconds"] for export, draft in pairs]
    ratio = statistics.median(ratios)
    cpu_ratio = statistics.median(draft["cpu"] / export["cpu"] for export, draft in pairs)
    ok = ratio <= TIME_TARGET
    print(f"  {size:>6,} units: draft time = {ratio:.2f} x the workbook's (pairs: "
          f"{', '.join(f'{r:.2f}' for r in ratios)}; CPU time: {cpu_ratio:.2f} x)  target <= {TIME_TARGET}  "
          f"{verdict(ratio <= TIME_TARGET)}")
    if len(peaks) < 2:
        print("  memory growth: needs two sizes")
        return ok
    small, large = min(peaks), max(peaks)
    growth = peaks[large] - peaks[small]
    ok &= growth < MEMORY_TARGET_MB * MB
    print(f"  draft peak memory from {small:,} to {large:,} units: {peaks[small] / MB:.1f} -> {peaks[large] / MB:.1f} "
          f"MB = {growth / MB:+.1f} MB  target < {MEMORY_TARGET_MB} MB  {verdict(growth < MEMORY_TARGET_MB * MB)}")
    return ok


# --- The children: one fresh process per timed run ------------------------------------------------------


def in_app(work):
    """Call work(survey, province, source) in the app: the whole province, submitted answers only; the
    database connection is open before."""
    import sqlalchemy as sa

    from app import create_app
    from consolidation.source import ExportSource
    from models import Unit, db
    from schema.store import current_survey

    with create_app().app_context():
        province = db.session.scalar(sa.select(Unit).filter_by(level="tinh"))
        return work(current_survey(), province, ExportSource(province))


def child_export(spec):
    from exports import write_workbook

    return in_app(lambda survey, _province, source: timed(lambda: write_workbook(spec["output"], survey, source)))[1]


def child_draft(spec):
    from pathlib import Path

    from documents.consolidated_docx import write_consolidated_draft

    summary, figures = in_app(lambda survey, province, source: timed(
        lambda: write_consolidated_draft(spec["output"], survey, source, province)))
    return {**figures, "units": summary.units, "submitted": summary.submitted,
            "KB": Path(spec["output"]).stat().st_size / 1024}


def child_profile(spec):
    from documents.consolidated_docx import write_consolidated_draft

    def work(survey, province, source):
        print("\nprofile of write_consolidated_draft(), in a fresh process")
        profile([lambda: write_consolidated_draft(spec["output"], survey, source, province)], spec["top"])

    in_app(work)


if __name__ == "__main__":
    run_benchmark_or_child(main, "consolidated draft benchmark",
                           {"export": child_export, "draft": child_draft, "profile": child_profile})
