"""Benchmark: the Organisation Committee's workbook export against raw XlsxWriter writing the same cells.

    make bench-export            # or: .venv/bin/python bench/export_workbook.py --help

For each size, a demo province (`flask demo --units N`, untimed), then pairs of timed runs, each in a
fresh process: the export (write_workbook() of the whole province) and the raw writer (plain XlsxWriter
with the export's options writing every cell of the exported workbook, with its typed write_* method
and the same format). The cells come from a first, untimed export, read back with openpyxl; that export
also makes and keeps the item summaries, which every later export of unchanged answers reads. The
medians over the pairs are compared with the targets:

- export time <= 1.1 x XlsxWriter's at every size;
- the export's peak memory grows by less than 50 MB from the smallest size to the largest.
"""

import pickle
import statistics
import time
from pathlib import Path

from common import MB, Demo, child_runner, parser, profile, run_benchmark_or_child, timed, verdict

TIME_TARGET = 1.1
MEMORY_TARGET_MB = 50
#: Cells per pickled chunk of the dump: big enough to unpickle fast, small enough to keep memory flat.
CHUNK = 2000
STRING, NUMBER, DATETIME, FORMULA, BOOLEAN, BLANK = range(6)
run_child = child_runner(__file__)
#: Other processes keeping this many cores busy during a run make its figures noisy.
NOISY_CORES = 0.5


def main():
    args = parse_args()
    results = {}
    for size, repeat in zip(args.sizes, args.repeat, strict=True):
        print(f"\n=== {size:,} units, {repeat} pair(s)")
        with Demo(size, args.seed) as demo:
            demo.build()
            results[size] = measure(demo, repeat, args.language)
            if args.profile and size == args.sizes[0]:
                print(run_child("profile", demo, output=str(demo.folder / "profiled.xlsx"), language=args.language,
                                top=args.top), end="")
    return report(results)


def parse_args():
    arguments = parser(__doc__, load=False)
    arguments.add_argument("--sizes", default="5000,50000", help="units in the demo province, comma-separated")
    arguments.add_argument("--repeat", default="3,1", help="timed (export, raw) pairs per size, in the order of "
                           "--sizes; the last value serves the remaining sizes. A 50,000-unit pair takes 6-7 minutes.")
    arguments.add_argument("--profile", action="store_true", help="also profile one export at the smallest size")
    arguments.add_argument("--top", type=int, default=20, help="functions listed by --profile")
    arguments.add_argument("--language", choices=("vi", "en"), default="vi")
    args = arguments.parse_args()
    try:
        args.sizes = sorted({int(value) for value in args.sizes.split(",")})
        repeats = [int(value) for value in args.repeat.split(",")]
    except ValueError:
        arguments.error("--sizes and --repeat take comma-separated whole numbers")
    if min(args.sizes) < 2 or min(repeats) < 1:
        arguments.error("every size must be at least 2 units, every repeat at least 1")
    args.repeat = (repeats + [repeats[-1]] * len(args.sizes))[:len(args.sizes)]
    return args


def measure(demo, repeat, language):
    dump, pairs = demo.folder / "dump", []
    exported, written = demo.folder / "export.xlsx", demo.folder / "raw.xlsx"
    # The first export after the province was built makes the item summaries (seconds at 5,000 units, a
    # minute at 50,000) and keeps them: a cost of answers that changed, not of writing cells.
    first = run_child("export", demo, output=str(exported), language=language)
    read = read_back(exported, dump)
    print(f"workbook: {first['units']:,} units, {exported.stat().st_size / MB:.1f} MB, {read['cells']:,} cells "
          f"({', '.join(f'{name} {count:,}' for name, count in read['sheets'])}); first export, which makes the "
          f"item summaries, {first['seconds']:.1f}s; read back with openpyxl in {read['seconds']:.1f}s, both untimed",
          flush=True)
    for number in range(1, repeat + 1):
        export = run_child("export", demo, output=str(exported), language=language)
        export["MB"] = exported.stat().st_size / MB
        raw = run_child("raw", demo, dump=str(dump), output=str(written), options=export["options"])
        raw["MB"] = written.stat().st_size / MB
        pairs.append((export, raw))
        print(f"pair {number}: export {export['seconds']:.2f}s, raw {raw['seconds']:.2f}s", flush=True)
    # Unpickling the dump and looping over its cells without writing: subtracted from the raw runs,
    # it leaves XlsxWriter's own time.
    reading = run_child("raw", demo, dump=str(dump), output=None, options={})
    for _export, raw in pairs:
        raw["alone"] = max(raw["seconds"] - reading["seconds"], 1e-9)
        raw["cpu alone"] = max(raw["cpu"] - reading["cpu"], 1e-9)
    print(f"reading the dump alone: {reading['seconds']:.2f}s, subtracted from the raw runs; .xlsx: export "
          f"{pairs[0][0]['MB']:.1f} MB, raw {pairs[0][1]['MB']:.1f} MB (no column widths, panes, filters, charts)")
    row = "{:>4} {:>9} {:>6} {:>6}  {:>7} {:>6} {:>6}  {:>12} {:>6} {:>9}  {:>16}  {:>16}"
    print(row.format("pair", "export s", "cpu s", "others", "raw s", "cpu s", "others", "XlsxWriter s", "ratio",
                     "cpu ratio", "export MB: peak", "raw MB: peak"))
    for number, (export, raw) in enumerate(pairs, start=1):
        print(row.format(number, *(f"{run[key]:.2f}" for run in (export, raw) for key in ("seconds", "cpu", "others")),
                         f"{raw['alone']:.2f}", f"{export['seconds'] / raw['alone']:.2f}x",
                         f"{export['cpu'] / raw['cpu alone']:.2f}x", memory(export), memory(raw)))
    return pairs


def memory(run):
    return f"{run['peak_kb'] / 1024:.0f} ({run['peak_kb'] / 1024 - run['base_kb'] / 1024:+.0f})"


def report(results):
    print("\ntargets (medians over the pairs; ratio = export time / XlsxWriter's own time, within each pair)")
    ok = True
    for size, pairs in results.items():
        ratios = [export["seconds"] / raw["alone"] for export, raw in pairs]
        ratio = statistics.median(ratios)
        cpu_ratio = statistics.median(export["cpu"] / raw["cpu alone"] for export, raw in pairs)
        ok &= ratio <= TIME_TARGET
        print(f"  {size:>6,} units: export time = {ratio:.2f} x raw XlsxWriter's (pairs: "
              f"{', '.join(f'{r:.2f}' for r in ratios)}; CPU time: {cpu_ratio:.2f} x)  target <= {TIME_TARGET}  "
              f"{verdict(ratio <= TIME_TARGET)}")
        noisy = any(run["others"] > NOISY_CORES for pair in pairs for run in pair)
        if noisy and (ratio <= TIME_TARGET) != (cpu_ratio <= TIME_TARGET):
            print(f"         ! other processes were busy and the CPU-time ratio disagrees: run --sizes {size} again")
    if len(results) < 2:
        print("  memory growth: needs two sizes")
        return ok

    def peak(size, side):
        return statistics.median(pair[side]["peak_kb"] for pair in results[size]) * 1024

    small, large = min(results), max(results)
    growth, raw_growth = peak(large, 0) - peak(small, 0), peak(large, 1) - peak(small, 1)
    ok &= growth < MEMORY_TARGET_MB * MB
    print(f"  export peak memory from {small:,} to {large:,} units: {peak(small, 0) / MB:.1f} -> "
          f"{peak(large, 0) / MB:.1f} MB = {growth / MB:+.1f} MB (raw XlsxWriter: {raw_growth / MB:+.1f} MB)  "
          f"target < {MEMORY_TARGET_MB} MB  {verdict(growth < MEMORY_TARGET_MB * MB)}")
    return ok


# --- Reading the exported workbook back into a dump -----------------------------------------------------


def read_back(path, folder):
    """Dump every cell of the workbook for the raw writer: per sheet, a file of pickled chunks of
    (kind, row, col, value, format index, formula's cached value); and the formats, in a manifest."""
    # Imported here only: the raw writer's process must hold XlsxWriter and nothing else.
    import openpyxl
    from openpyxl.cell.read_only import ReadOnlyCell

    started = time.perf_counter()
    folder.mkdir()
    # Formulas from one reading, their cached values from another (openpyxl gives one or the other).
    book = openpyxl.load_workbook(path, read_only=True)
    cached_book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    formats, format_index, sheets = [None], {}, []
    for number, (sheet, cached_sheet) in enumerate(zip(book.worksheets, cached_book.worksheets, strict=True)):
        file, chunk, count = folder / f"sheet{number}.pickle", [], 0
        with open(file, "wb") as out:
            for row, cached_row in zip(sheet.iter_rows(), cached_sheet.iter_rows(values_only=True), strict=True):
                for cell, cached in zip(row, cached_row, strict=True):
                    if not isinstance(cell, ReadOnlyCell):  # a gap between cells
                        continue
                    style = cell.style_array
                    if style not in format_index:
                        format_index[style] = len(formats) if cell.has_style else 0
                        if cell.has_style:
                            formats.append(format_properties(cell))
                    chunk.append(cell_record(cell, format_index[style], cached))
                    if len(chunk) >= CHUNK:
                        pickle.dump(chunk, out, pickle.HIGHEST_PROTOCOL)
                        count += len(chunk)
                        chunk = []
            pickle.dump(chunk, out, pickle.HIGHEST_PROTOCOL)
        sheets.append({"name": sheet.title, "file": str(file), "cells": count + len(chunk)})
    book.close()
    cached_book.close()
    with open(folder / "manifest.pickle", "wb") as out:
        pickle.dump({"formats": formats, "sheets": sheets}, out)
    return {"seconds": time.perf_counter() - started, "cells": sum(sheet["cells"] for sheet in sheets),
            "sheets": [(sheet["name"], sheet["cells"]) for sheet in sheets]}


def cell_record(cell, style, cached):
    row, col, value = cell.row - 1, cell.column - 1, cell.value
    if cell.data_type == "f":
        return (FORMULA, row, col, value, style, "" if cached is None else cached)
    if value is None:
        return (BLANK, row, col, None, style, None)
    if isinstance(value, bool):
        return (BOOLEAN, row, col, value, style, None)
    if isinstance(value, int | float):
        return (NUMBER, row, col, value, style, None)
    if cell.data_type == "d":
        return (DATETIME, row, col, value, style, None)
    return (STRING, row, col, str(value), style, None)


def format_properties(cell):
    """Return the XlsxWriter format properties of a cell's style, as far as the export uses them."""
    font, fill, alignment = cell.font, cell.fill, cell.alignment
    properties = {"font_name": font.name, "font_size": font.sz, "bold": bool(font.b), "italic": bool(font.i),
                  "text_wrap": bool(alignment.wrap_text), "quote_prefix": bool(cell.style_array.quotePrefix)}
    if cell.number_format != "General":
        properties["num_format"] = cell.number_format
    if fill.fill_type == "solid" and isinstance(fill.fgColor.rgb, str):
        properties["bg_color"] = "#" + fill.fgColor.rgb[-6:]
    if cell.border.left.style:
        properties["border"] = 1
    if alignment.vertical:
        properties["valign"] = alignment.vertical
    if alignment.horizontal:
        properties["align"] = alignment.horizontal
    return {key: value for key, value in properties.items() if value not in (None, False)}


# --- The children: one fresh process per timed run ------------------------------------------------------


def in_app(work):
    """Call work(survey, source, write_workbook) in the app: the whole province, submitted answers only,
    as `flask export xlsx` does; the database connection is open before."""
    import sqlalchemy as sa

    from app import create_app
    from consolidation.source import ExportSource
    from exports import write_workbook
    from models import db
    from schema.store import current_survey

    with create_app().app_context():
        db.session.execute(sa.text("SELECT 1"))
        return work(current_survey(), ExportSource(), write_workbook)


def child_export(spec):
    from exports.workbook import WORKBOOK_OPTIONS

    def work(survey, source, write_workbook):
        return timed(lambda: write_workbook(spec["output"], survey, source, language=spec["language"]))

    summary, figures = in_app(work)
    return {**figures, "units": summary.units, "options": WORKBOOK_OPTIONS}


def child_profile(spec):
    def work(survey, source, write_workbook):
        print("\nprofile of write_workbook(), in a fresh process")
        profile([lambda: write_workbook(spec["output"], survey, source, language=spec["language"])], spec["top"])

    in_app(work)


def child_raw(spec):
    """Write the dumped cells with plain XlsxWriter; without an output, only read them."""
    import xlsxwriter

    with open(Path(spec["dump"]) / "manifest.pickle", "rb") as file:
        manifest = pickle.load(file)

    def write():
        workbook = xlsxwriter.Workbook(spec["output"], spec["options"])
        formats = [None if properties is None else workbook.add_format(properties)
                   for properties in manifest["formats"]]
        for sheet in manifest["sheets"]:
            replay(sheet["file"], workbook.add_worksheet(sheet["name"]), formats)
        workbook.close()

    def read():
        for sheet in manifest["sheets"]:
            replay(sheet["file"], None, [None] * len(manifest["formats"]))

    return timed(write if spec["output"] else read)[1]


def replay(path, sheet, formats):
    """Write one sheet's dumped cells with the typed write_* methods; with no sheet, only loop over them."""
    if sheet is None:
        methods = (lambda *_args: 0,) * 6
    else:
        methods = (sheet.write_string, sheet.write_number, sheet.write_datetime, sheet.write_formula,
                   sheet.write_boolean, sheet.write_blank)
    formula = methods[FORMULA]
    with open(path, "rb") as file:
        while True:
            try:
                chunk = pickle.load(file)  # one load per chunk: each was pickled with its own memo
            except EOFError:
                return
            for kind, row, col, value, style, cached in chunk:
                if kind == FORMULA:
                    formula(row, col, value, formats[style], cached)
                else:
                    methods[kind](row, col, value, formats[style])


if __name__ == "__main__":
    run_benchmark_or_child(main, "workbook export benchmark",
                           {"export": child_export, "raw": child_raw, "profile": child_profile})
