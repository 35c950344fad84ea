"""Benchmark: the Organisation Committee's workbook export against raw XlsxWriter writing the same cells.

    make bench-export            # or: .venv/bin/python bench/export_workbook.py --help

The machine is shared and noisy, so the figures that count are ratios measured in the same run. For
each size (5,000 and 50,000 units by default) the script builds a demo province in a temporary
SQLite file (`flask db upgrade`, `flask demo`), then runs pairs of timed runs, each in a fresh process:

- export: create_app(), then write_workbook() of the whole province, timed;
- raw: plain XlsxWriter with the export's workbook options (constant_memory) writing the very cells
  of the export's workbook, each with its typed write_* method and the same cell format, timed from
  Workbook() to close(). The cells come from a dump made beforehand (untimed) by reading the first
  exported workbook back.

It compares the medians with the targets of the issue:

- export time <= 1.5 x the raw writer's,
- the export's peak memory grows by less than 50 MB from 5,000 to 50,000 units,

and prints where the export's time goes (cProfile: own time by library, steps, top functions) for
one size. Everything lives in a temporary directory, removed even on Ctrl-C or an error.
See bench/README.md for what each printed figure means.
"""

import argparse
import collections
import cProfile
import datetime as dt
import gc
import hashlib
import io
import json
import os
import pickle
import pstats
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import zipfile
from pathlib import Path
from xml.etree import ElementTree
from xml.parsers import expat

ROOT = Path(__file__).resolve().parent.parent
TIME_TARGET = 1.5
MEMORY_TARGET_MB = 50
MB = 1024 * 1024
#: Cells per pickled chunk of the dump: big enough to unpickle fast, small enough to keep memory flat.
CHUNK = 2000
#: Cell kinds in the dump.
STRING, NUMBER, DATETIME, FORMULA, BOOLEAN, BLANK = range(6)
KIND_NAMES = ("string", "number", "datetime", "formula", "boolean", "blank")
#: No child may take longer than this (a 50,000-unit export takes about 4 minutes here).
CHILD_TIMEOUT = 3600
RESULT_PREFIX = "BENCH-RESULT "
#: A run during which other processes kept this many cores busy on average is marked as noisy.
NOISY_CORES = 0.5


def main(argv=None):
    args = parse_args(argv)
    # Stop cleanly on Ctrl-C (even when started in the background, where SIGINT comes ignored) and kill.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    print_machine(args)
    started = time.monotonic()
    sources = source_digests()
    results = {}
    with Scratch() as scratch, BackgroundProfile() as profile:
        for index, (size, repeat) in enumerate(zip(args.sizes, args.repeat, strict=True)):
            print(f"\n{size:,} units")
            database = DemoDatabase(scratch.folder(f"units-{size}"), size, args.seed)
            database.build()
            # A profile started after the previous size ran while this database was being built.
            profile.finish()
            results[size] = measure_size(database, repeat, args)
            if args.profile == size:
                last = index == len(args.sizes) - 1
                profile.start(database, args, overlapped=not last)
                if last:
                    profile.finish()
            else:
                database.remove()
    ok = report(results, args)
    changed = changed_sources(sources)
    if changed:
        print(f"\nWARNING: {len(changed)} app files changed during the run, so the runs may have measured "
              f"different code: {', '.join(changed[:8])}")
    print(f"\ntotal time {time.monotonic() - started:.0f}s")
    return 0 if ok and not changed else 1


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--sizes", default="5000,50000", help="units in the demo province, comma-separated")
    parser.add_argument("--repeat", default="3,1",
                        help="timed (export, raw) pairs per size, comma-separated in the order of --sizes; "
                             "the last value serves the remaining sizes. A 50,000-unit pair takes 6-7 minutes.")
    parser.add_argument("--profile", type=int, default=None,
                        help="profile the export at this size (one of --sizes; default: the smallest; 0: none)")
    parser.add_argument("--top", type=int, default=20, help="functions listed in the profile")
    parser.add_argument("--language", choices=("vi", "en"), default="vi")
    parser.add_argument("--seed", type=int, default=1, help="passed to `flask demo`")
    args = parser.parse_args(argv)
    try:
        args.sizes = sorted({int(value) for value in args.sizes.split(",")})
        repeats = [int(value) for value in args.repeat.split(",")]
    except ValueError:
        parser.error("--sizes and --repeat take comma-separated whole numbers")
    if min(args.sizes) < 2 or min(repeats) < 1 or args.top < 1:
        parser.error("every size must be at least 2 units, every repeat and --top at least 1")
    args.repeat = (repeats + [repeats[-1]] * len(args.sizes))[:len(args.sizes)]
    if args.profile is None:
        args.profile = args.sizes[0]
    if args.profile and args.profile not in args.sizes:
        parser.error("--profile must be one of --sizes (or 0)")
    return args


def _interrupt(_signum, _frame):
    raise KeyboardInterrupt


def print_machine(args):
    try:
        load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    except (AttributeError, OSError):
        load = "?"
    import xlsxwriter

    sizes = ", ".join(f"{size:,} units x {repeat}" for size, repeat in zip(args.sizes, args.repeat, strict=True))
    print(f"tongket workbook export benchmark: {os.cpu_count()} CPUs, load average {load}; XlsxWriter "
          f"{xlsxwriter.__version__}, Python {sys.version.split()[0]}; (export, raw) pairs: {sizes}; "
          f"language {args.language}")


#: The app's own sources: what the children load. The working tree may be shared while the benchmark runs.
SOURCE_SUFFIXES = (".py", ".html", ".yaml", ".mo")
SOURCE_SKIPPED = {".venv", ".git", "bench", "tests", "instance", "node_modules", "__pycache__"}


def source_digests():
    """Return {path: digest of the content} of the app's sources (contents, not times: `make translations`
    rewrites the same .mo files)."""
    digests = {}
    for directory, subdirectories, files in os.walk(ROOT):
        subdirectories[:] = [name for name in subdirectories if name not in SOURCE_SKIPPED]
        for name in files:
            if name.endswith(SOURCE_SUFFIXES):
                path = Path(directory, name)
                try:
                    digests[str(path.relative_to(ROOT))] = hashlib.sha1(path.read_bytes()).hexdigest()
                except OSError:
                    continue
    return digests


def changed_sources(before):
    after = source_digests()
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


# --- The scratch directory, the demo databases, the children --------------------------------------


class Scratch:
    """A temporary directory for databases, workbooks, dumps and the children's temporary files."""

    def __enter__(self):
        self.path = Path(tempfile.mkdtemp(prefix="tongket-bench-export-"))
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)
        return False

    def folder(self, name):
        path = self.path / name
        path.mkdir()
        return path


class DemoDatabase:
    """A demo province in a SQLite file, and the environment that points the app (and tempfile) at it."""

    def __init__(self, folder, size, seed):
        self.folder, self.size, self.seed = folder, size, seed
        tmp = folder / "tmp"
        tmp.mkdir()
        self.env = dict(
            os.environ,
            DATABASE_URL=f"sqlite:///{folder / 'bench.sqlite3'}",
            SECRET_KEY=secrets.token_hex(32),
            # XlsxWriter's temporary files (one per worksheet in constant_memory mode, and the parts it
            # zips on close) and SQLite's go here, for the export and the raw writer alike.
            TMPDIR=str(tmp),
            SQLITE_TMPDIR=str(tmp),
        )
        self.env.pop("FLASK_RUN_FROM_CLI", None)

    def flask(self, *arguments):
        result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *arguments], cwd=ROOT,
                                env=self.env, capture_output=True, text=True, timeout=CHILD_TIMEOUT)
        if result.returncode:
            raise SystemExit(f"flask {' '.join(arguments)} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def build(self):
        started = time.monotonic()
        self.flask("db", "upgrade")
        summary = self.flask("demo", "--units", str(self.size), "--seed", str(self.seed)).strip()
        size = (self.folder / "bench.sqlite3").stat().st_size
        print(f"  demo province: {summary} ({size / MB:,.0f} MB of SQLite, built in "
              f"{time.monotonic() - started:.1f}s, untimed)", flush=True)

    def remove(self):
        shutil.rmtree(self.folder, ignore_errors=True)


def child_command(mode, spec):
    return [sys.executable, str(Path(__file__).resolve()), "--child", mode, json.dumps(spec)]


def run_child(mode, spec, env):
    """Run this script in a fresh process in `mode` and return the result it prints."""
    result = subprocess.run(child_command(mode, spec), cwd=ROOT, env=env, timeout=CHILD_TIMEOUT, text=True,
                            capture_output=True)
    if result.returncode:
        raise SystemExit(f"the {mode} child failed with status {result.returncode}:\n"
                         f"{(result.stdout + result.stderr)[-5000:]}")
    for line in result.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX):])
    raise SystemExit(f"the {mode} child printed no result:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")


class BackgroundProfile:
    """The profile child, run while the next size's demo database is built (both untimed), and printed
    when it ends; killed, and its database removed, whatever happens."""

    def __init__(self):
        self.process = self.database = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.database is not None:
            self.database.remove()
        return False

    def start(self, database, args, overlapped):
        spec = {"output": str(database.folder / "profiled.xlsx"), "language": args.language, "top": args.top,
                "overlapped": overlapped}
        self.database, self.log = database, database.folder / "profile.log"
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(child_command("profile", spec), cwd=ROOT, env=database.env,
                                            stdout=log, stderr=subprocess.STDOUT, text=True)
        if overlapped:
            print(f"  profiling the export at {database.size:,} units in the background, while the next demo "
                  "database is built (both untimed)", flush=True)

    def finish(self):
        if self.process is None:
            return
        status = self.process.wait(timeout=CHILD_TIMEOUT)
        output = self.log.read_text()
        self.process = None
        self.database.remove()
        self.database = None
        if status:
            raise SystemExit(f"the profile child failed with status {status}:\n{output[-5000:]}")
        print(output, end="", flush=True)


# --- One size: read-back and pairs of timed runs --------------------------------------------------


def measure_size(database, repeat, args):
    folder = database.folder
    dump = folder / "dump"
    runs, read = [], None
    for number in range(1, repeat + 1):
        output = folder / f"export-{number}.xlsx"
        print(f"  pair {number}: export ...", end=" ", flush=True)
        export = run_child("export", {"output": str(output), "language": args.language}, database.env)
        export["bytes"] = output.stat().st_size
        print(f"{export['seconds']:.1f}s; raw ...", end=" ", flush=True)
        if read is None:
            read = read_back(output, dump)
            print(f"(read back in {read['seconds']:.1f}s, untimed) ...", end=" ", flush=True)
        output.unlink()
        raw_output = folder / f"raw-{number}.xlsx"
        raw = run_child("raw", {"dump": str(dump), "output": str(raw_output), "write": True}, database.env)
        raw["bytes"] = raw_output.stat().st_size
        raw_output.unlink()
        print(f"{raw['seconds']:.1f}s", flush=True)
        runs.append((export, raw))
    # Reading the dump and looping over its cells without writing anything: subtracted from the raw
    # writer's time, it leaves XlsxWriter's own.
    reading = run_child("raw", {"dump": str(dump), "output": None, "write": False}, database.env)
    shutil.rmtree(dump, ignore_errors=True)
    measured = Measured(database.size, runs, reading, read)
    measured.print_runs()
    return measured


class Measured:
    """The pairs of runs of one size, their ratios and medians."""

    def __init__(self, size, runs, reading, read):
        self.size, self.runs, self.reading, self.read = size, runs, reading, read
        for _export, raw in runs:
            raw["alone"] = max(raw["seconds"] - reading["seconds"], 1e-9)
            raw["cpu_alone"] = max(raw["cpu"] - reading["cpu"], 1e-9)
        # Ratios within each pair (runs a few seconds apart), then the median over the pairs.
        self.ratios = [export["seconds"] / raw["alone"] for export, raw in runs]
        self.ratio = statistics.median(self.ratios)
        self.ratio_gross = statistics.median(export["seconds"] / raw["seconds"] for export, raw in runs)
        self.cpu_ratio = statistics.median(export["cpu"] / raw["cpu_alone"] for export, raw in runs)
        self.export = self.median("seconds", 0)
        self.raw_alone = self.median("alone", 1)
        self.export_base, self.export_peak = self.median("base_kb", 0) * 1024, self.median("peak_kb", 0) * 1024
        self.raw_base, self.raw_peak = self.median("base_kb", 1) * 1024, self.median("peak_kb", 1) * 1024
        self.noisy = any(max(e["others"], r["others"]) > NOISY_CORES for e, r in runs)

    def median(self, key, side):
        return statistics.median(pair[side][key] for pair in self.runs)

    def print_runs(self):
        read, export0, raw0 = self.read, self.runs[0][0], self.runs[0][1]
        sheets = "; ".join(f"{name} {count:,}" for name, count in read["sheets"])
        kinds = ", ".join(f"{count:,} {KIND_NAMES[kind]}" for kind, count in sorted(read["kinds"].items()))
        print(f"  workbook: {export0['units']:,} units, {export0['split']} answers split over several rows; "
              f"{read['cells']:,} cells ({sheets}); {kinds}")
        print(f"  .xlsx: export {export0['bytes'] / MB:.1f} MB, raw {raw0['bytes'] / MB:.1f} MB (the export "
              f"also sets column widths, panes, filters and draws {read['charts']} charts); dump "
              f"{read['bytes'] / MB:,.0f} MB")
        print(f"  reading the dump alone (unpickling and looping, no writing): {self.reading['seconds']:.2f}s wall, "
              f"{self.reading['cpu']:.2f}s CPU; subtracted from the raw runs")
        print(TIME_ROW.format("pair", "export s", "cpu s", "others", "raw s", "cpu s", "others", "XlsxWriter s",
                              "ratio", "cpu ratio"))
        for number, (export, raw) in enumerate(self.runs, start=1):
            print(TIME_ROW.format(
                number, f"{export['seconds']:.2f}", f"{export['cpu']:.2f}", f"{export['others']:.2f}",
                f"{raw['seconds']:.2f}", f"{raw['cpu']:.2f}", f"{raw['others']:.2f}", f"{raw['alone']:.2f}",
                f"{export['seconds'] / raw['alone']:.2f}x", f"{export['cpu'] / raw['cpu_alone']:.2f}x"))
        print(MEMORY_ROW.format("pair", "export MB: before", "peak", "growth", "raw MB: before", "peak", "growth"))
        for number, (export, raw) in enumerate(self.runs, start=1):
            print(MEMORY_ROW.format(number, *memory_cells(export), *memory_cells(raw)))
            for name, run in (("export", export), ("raw", raw)):
                if not run["peak_reset"]:
                    print(f"       ! {name}: the peak could not be reset before writing; it includes start-up")


TIME_ROW = "  {:>4} {:>9} {:>7} {:>6}  {:>8} {:>7} {:>6}  {:>12} {:>7} {:>9}"
MEMORY_ROW = "  {:>4} {:>17} {:>6} {:>7}  {:>15} {:>6} {:>7}"


def memory_cells(run):
    return mb(run["base_kb"] * 1024), mb(run["peak_kb"] * 1024), mb((run["peak_kb"] - run["base_kb"]) * 1024, True)


def mb(value, sign=False):
    return f"{value / MB:+.1f}" if sign else f"{value / MB:.1f}"


# --- The verdicts ---------------------------------------------------------------------------------


def report(results, args):
    print("\nsummary: medians over the pairs; ratio = export time / raw XlsxWriter time, within each pair")
    print(SUMMARY_ROW.format("units", "export s", "XlsxWriter s", "ratio", "gross", "cpu ratio",
                             "export peak MB", "growth", "raw peak MB", "growth"))
    for size, m in results.items():
        print(SUMMARY_ROW.format(
            f"{size:,}", f"{m.export:.2f}", f"{m.raw_alone:.2f}", f"{m.ratio:.2f}x", f"{m.ratio_gross:.2f}x",
            f"{m.cpu_ratio:.2f}x", mb(m.export_peak), mb(m.export_peak - m.export_base, True), mb(m.raw_peak),
            mb(m.raw_peak - m.raw_base, True)))
    print("\ntargets")
    ok = True
    for size, m in results.items():
        passed = m.ratio <= TIME_TARGET
        ok &= passed
        spread = ", ".join(f"{ratio:.2f}x" for ratio in m.ratios)
        print(f"  {size:>6,} units: export time = {m.ratio:.2f} x raw XlsxWriter's (pairs: {spread})  "
              f"target <= {TIME_TARGET}x  {'PASS' if passed else 'FAIL'}")
        if m.noisy and passed != (m.cpu_ratio <= TIME_TARGET):
            print(f"         ! other processes were busy during these runs, and the CPU-time ratio "
                  f"({m.cpu_ratio:.2f}x) says {'FAIL' if passed else 'PASS'}: run this size again "
                  f"(--sizes {size} --repeat 3 --profile 0)")
    if len(results) > 1:
        small, large = results[args.sizes[0]], results[args.sizes[-1]]
        growth = large.export_peak - small.export_peak
        passed = growth < MEMORY_TARGET_MB * MB
        ok &= passed
        raw_growth = large.raw_peak - small.raw_peak
        print(f"  export peak memory from {small.size:,} to {large.size:,} units: {mb(small.export_peak)} -> "
              f"{mb(large.export_peak)} MB = {mb(growth, True)} MB (raw XlsxWriter: {mb(raw_growth, True)} MB)  "
              f"target < {MEMORY_TARGET_MB} MB  {'PASS' if passed else 'FAIL'}")
    else:
        print("  memory growth: needs two sizes (see --sizes)")
    return ok


SUMMARY_ROW = "  {:>6} {:>9} {:>12} {:>7} {:>6} {:>9}   {:>14} {:>7}   {:>11} {:>7}"


# --- Reading the exported workbook back into a dump -----------------------------------------------

MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
#: Excel's built-in number formats that show dates or times.
BUILTIN_DATE_FORMATS = {*range(14, 23), 45, 46, 47}
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
ESCAPED_CHARACTER = re.compile("_x([0-9A-Fa-f]{4})_")


def read_back(path, folder):
    """Read every cell of the workbook at `path` into `folder`: a manifest and one file of pickled
    chunks per sheet, in the order the cells come (row by row, as constant_memory needs them)."""
    started = time.perf_counter()
    folder.mkdir()
    with zipfile.ZipFile(path) as book:
        names = book.namelist()
        if "xl/sharedStrings.xml" in names:
            raise SystemExit("the export has a shared string table: it was not written in constant_memory mode")
        formats, date_styles = read_styles(book.read("xl/styles.xml"))
        manifest = {"formats": formats, "sheets": []}
        kinds = collections.Counter()
        for index, (name, part) in enumerate(sheet_parts(book)):
            file = folder / f"sheet{index}.pickle"
            with book.open(part) as xml, open(file, "wb") as out:
                counts = read_sheet(xml, out, date_styles)
            kinds.update(counts)
            manifest["sheets"].append({"name": name, "file": str(file), "cells": sum(counts.values())})
        charts = sum(1 for name in names if name.startswith("xl/charts/chart"))
    with open(folder / "manifest.pickle", "wb") as out:
        pickle.dump(manifest, out)
    size = sum(file.stat().st_size for file in folder.iterdir())
    return {"seconds": time.perf_counter() - started, "bytes": size, "cells": sum(kinds.values()), "kinds": kinds,
            "sheets": [(sheet["name"], sheet["cells"]) for sheet in manifest["sheets"]], "charts": charts}


def sheet_parts(book):
    """Return (sheet name, part name in the zip) in workbook order."""
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target") for rel in rels.iter(f"{PACKAGE_REL_NS}Relationship")}
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    parts = []
    for sheet in workbook.iter(f"{MAIN_NS}sheet"):
        target = targets[sheet.get(f"{REL_NS}id")]
        parts.append((sheet.get("name"), target.lstrip("/") if target.startswith("/") else f"xl/{target}"))
    return parts


def read_styles(xml):
    """Return XlsxWriter format properties for each cell format index, and the indexes that show dates."""
    root = ElementTree.fromstring(xml)
    codes = {int(f.get("numFmtId")): f.get("formatCode") for f in root.iter(f"{MAIN_NS}numFmt")}
    fonts = list(root.find(f"{MAIN_NS}fonts"))
    fills = list(root.find(f"{MAIN_NS}fills"))
    formats, date_styles = [], set()
    for index, xf in enumerate(root.find(f"{MAIN_NS}cellXfs")):
        properties = {}
        number = int(xf.get("numFmtId", 0))
        if number:
            properties["num_format"] = codes.get(number, number)
            if number in BUILTIN_DATE_FORMATS or (number in codes and is_date_code(codes[number])):
                date_styles.add(index)
        font = fonts[int(xf.get("fontId", 0))]
        for tag, key in (("b", "bold"), ("i", "italic")):
            if font.find(f"{MAIN_NS}{tag}") is not None:
                properties[key] = True
        for tag, key, kind in (("sz", "font_size", float), ("name", "font_name", str)):
            element = font.find(f"{MAIN_NS}{tag}")
            if element is not None:
                properties[key] = kind(element.get("val"))
        color = fills[int(xf.get("fillId", 0))].find(f"{MAIN_NS}patternFill/{MAIN_NS}fgColor")
        if color is not None and color.get("rgb"):
            properties["bg_color"] = "#" + color.get("rgb")[-6:]
        if int(xf.get("borderId", 0)):
            properties["border"] = 1
        alignment = xf.find(f"{MAIN_NS}alignment")
        if alignment is not None:
            if alignment.get("wrapText") == "1":
                properties["text_wrap"] = True
            if alignment.get("vertical"):
                properties["valign"] = alignment.get("vertical")
        if xf.get("quotePrefix") == "1":
            properties["quote_prefix"] = True
        formats.append(properties if index else None)
    return formats, date_styles


def is_date_code(code):
    """Tell whether a number format code shows a date or a time (quoted text and [..] parts aside)."""
    bare = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code).lower()
    return any(letter in bare for letter in "dmyhs")


def unescape(text):
    return ESCAPED_CHARACTER.sub(lambda match: chr(int(match.group(1), 16)), text) if "_x" in text else text


def read_sheet(xml, out, date_styles):
    """Stream one worksheet's XML and pickle its cells, CHUNK at a time, as
    (kind, row, col, value, format index, formula's cached value); return the count of each kind."""
    counts = collections.Counter()
    chunk = []
    columns = {}
    text = []
    # The cell being read: reference, format index, type, formula, value; and whether text is collected.
    cell = [None, 0, None, None, None]
    collecting = False

    def start(tag, attributes):
        nonlocal collecting
        if tag == "c":
            cell[0] = attributes["r"]
            cell[1] = int(attributes.get("s", 0))
            cell[2] = attributes.get("t")
            cell[3] = cell[4] = None
        elif tag in ("v", "t", "f"):
            collecting = True
            text.clear()

    def end(tag):
        nonlocal collecting
        if tag == "v":
            cell[4] = "".join(text)
            collecting = False
        elif tag == "t":
            cell[4] = (cell[4] or "") + "".join(text)
            collecting = False
        elif tag == "f":
            cell[3] = "".join(text)
            collecting = False
        elif tag == "c":
            reference, style, kind, formula, value = cell
            letters = reference.rstrip("0123456789")
            col = columns.get(letters)
            if col is None:
                col = columns[letters] = column_index(letters)
            row = int(reference[len(letters):]) - 1
            chunk.append(cell_record(row, col, style, kind, formula, value, date_styles))
            counts[chunk[-1][0]] += 1
            if len(chunk) >= CHUNK:
                pickle.dump(chunk, out, pickle.HIGHEST_PROTOCOL)
                chunk.clear()

    def data(piece):
        if collecting:
            text.append(piece)

    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, data
    parser.ParseFile(xml)
    if chunk:
        pickle.dump(chunk, out, pickle.HIGHEST_PROTOCOL)
    return counts


def column_index(letters):
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def cell_record(row, col, style, kind, formula, value, date_styles):
    if formula is not None:
        if kind == "str" or kind == "e":
            cached = unescape(value or "")
        elif kind == "b":
            cached = value == "1"
        else:
            cached = number(value) if value else 0
        return (FORMULA, row, col, "=" + formula, style, cached)
    if kind == "inlineStr" or kind == "str":
        return (STRING, row, col, unescape(value or ""), style, None)
    if kind == "s":
        raise SystemExit("shared strings are not expected in constant_memory mode")
    if kind == "b":
        return (BOOLEAN, row, col, value == "1", style, None)
    if kind == "e":
        return (STRING, row, col, value or "", style, None)
    if value is None:
        return (BLANK, row, col, None, style, None)
    if style in date_styles:
        return (DATETIME, row, col, EXCEL_EPOCH + dt.timedelta(days=float(value)), style, None)
    return (NUMBER, row, col, number(value), style, None)


def number(text):
    try:
        return int(text)
    except ValueError:
        return float(text)


# --- The children: one fresh process per timed run ------------------------------------------------


def memory_kb():
    """Return this process's current and peak resident memory (VmRSS, VmHWM) in kB, from /proc.

    Not getrusage's ru_maxrss: on Linux a child's ru_maxrss starts at its parent's peak (the memory
    it had when the child was spawned), so it would show the benchmark's own size, not the child's.
    """
    values = {}
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                values[key] = int(value.split()[0])
    return values["VmRSS"], values["VmHWM"]


def reset_peak():
    """Reset VmHWM to the current RSS (Linux >= 4.0), so that the peak covers the writing only."""
    try:
        with open("/proc/self/clear_refs", "w") as file:
            file.write("5")
        return True
    except OSError:
        return False


def machine_busy_seconds():
    """CPU seconds the whole machine spent busy (all cores, steal included), or None without /proc/stat."""
    try:
        with open("/proc/stat") as file:
            values = [int(value) for value in file.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def timed_section(work):
    """Run work() and return its result with wall time, CPU time, the cores other processes kept busy
    meanwhile, and memory figures."""
    gc.collect()
    base_kb, _start_peak = memory_kb()
    peak_reset = reset_peak()
    busy = machine_busy_seconds()
    cpu = time.process_time()
    started = time.perf_counter()
    value = work()
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    others = float("nan") if busy is None else max(0.0, machine_busy_seconds() - busy - cpu) / seconds
    _rss, peak_kb = memory_kb()
    return value, {"seconds": seconds, "cpu": cpu, "others": others, "base_kb": base_kb, "peak_kb": peak_kb,
                   "peak_reset": peak_reset}


def child_export(spec):
    import sqlalchemy as sa

    from app import create_app
    from exports import ExportSource, write_workbook
    from models import db
    from schema.store import current_survey

    app = create_app()
    with app.app_context():
        survey = current_survey()
        source = ExportSource()
        db.session.execute(sa.text("SELECT 1"))  # the connection is open before timing
        summary, figures = timed_section(
            lambda: write_workbook(spec["output"], survey, source, language=spec["language"]))
        db.session.remove()
    return {**figures, "units": summary.units, "split": summary.split_answers}


def child_raw(spec):
    """Write the dumped cells with plain XlsxWriter (or, without `write`, only read them)."""
    import xlsxwriter

    with open(Path(spec["dump"]) / "manifest.pickle", "rb") as file:
        manifest = pickle.load(file)
    options = workbook_options()

    def write():
        workbook = xlsxwriter.Workbook(spec["output"], options)
        formats = [None if properties is None else workbook.add_format(properties)
                   for properties in manifest["formats"]]
        for sheet in manifest["sheets"]:
            replay(sheet["file"], workbook.add_worksheet(sheet["name"]), formats)
        workbook.close()

    def read():
        formats = [None] * len(manifest["formats"])
        for sheet in manifest["sheets"]:
            replay(sheet["file"], None, formats)

    _value, figures = timed_section(write if spec["write"] else read)
    return figures


def replay(path, sheet, formats):
    """Write one sheet's dumped cells with the typed write_* methods; with no sheet, only read them."""
    if sheet is None:
        def ignore(*_args):
            return 0
        methods = (ignore,) * 6
    else:
        methods = (sheet.write_string, sheet.write_number, sheet.write_datetime, sheet.write_formula,
                   sheet.write_boolean, sheet.write_blank)
    string, number_, datetime, formula, boolean, blank = methods
    with open(path, "rb") as file:
        # pickle.load() per chunk, not one Unpickler: each chunk was pickled with a memo of its own.
        load = pickle.load
        while True:
            try:
                chunk = load(file)
            except EOFError:
                return
            for kind, row, col, value, style, cached in chunk:
                if kind == STRING:
                    string(row, col, value, formats[style])
                elif kind == NUMBER:
                    number_(row, col, value, formats[style])
                elif kind == FORMULA:
                    formula(row, col, value, formats[style], cached)
                elif kind == DATETIME:
                    datetime(row, col, value, formats[style])
                elif kind == BOOLEAN:
                    boolean(row, col, value, formats[style])
                else:
                    blank(row, col, value, formats[style])


def workbook_options():
    """The export's own XlsxWriter options (constant_memory and no string conversion), read from its
    source without importing the app, so that the raw writer's process holds XlsxWriter only."""
    import ast

    tree = ast.parse((ROOT / "exports" / "workbook.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "WORKBOOK_OPTIONS" for t in node.targets):
            return ast.literal_eval(node.value)
    raise SystemExit("exports/workbook.py has no WORKBOOK_OPTIONS")


# --- The profile ----------------------------------------------------------------------------------

#: (label, piece of a function's file path) in the order they are tried; the first match wins.
LIBRARIES = (
    ("XlsxWriter", "/xlsxwriter/"),
    ("SQLAlchemy", "/sqlalchemy/"),
    ("SQLAlchemy", "/flask_sqlalchemy/"),
    ("json (stdlib)", "/json/"),
    ("flask-babel + Babel (gettext)", "/flask_babel/"),
    ("flask-babel + Babel (gettext)", "/babel/"),
    ("flask-babel + Babel (gettext)", "/gettext.py"),
    ("Flask + Werkzeug (contexts, proxies)", "/flask/"),
    ("Flask + Werkzeug (contexts, proxies)", "/werkzeug/"),
    ("zipfile + zlib (XlsxWriter's close)", "/zipfile"),
    ("exports code", str(ROOT / "exports") + "/"),
    ("other app code (schema, reporting, models)", str(ROOT) + "/"),
)
#: C builtins that belong to a library of their own, by a piece of their name; others go to their callers.
BUILTIN_LIBRARIES = (
    ("sqlite3 (C: running the queries, fetching rows)", "sqlite3."),
    ("json (stdlib)", "_json."),
    ("zipfile + zlib (XlsxWriter's close)", "zlib."),
)
#: The steps of write_workbook, by cumulative time: (label, piece of the file path, function name).
#: Where several functions match, their times are added up, except for those marked "max" (nested
#: ones, such as flask-babel's gettext() calling Domain.gettext(), which adding would count twice).
STEPS = (
    ("write_workbook(): the whole export", "exports/workbook.py", "write_workbook"),
    ("units(): the unit query, fetching, UnitRecord (generator)", "exports/source.py", "units"),
    ("FiguresSheet.add(): figures rows", "exports/figures.py", "add"),
    ("ProgressSheet.add(): progress rows", "exports/progress.py", "add"),
    ("Statistics.add()", "exports/statistics.py", "add"),
    ("write_totals_sheet(): committee formulas", "exports/figures.py", "write_totals_sheet"),
    ("write_comments_sheet(): narrative answers, with its queries", "exports/comments.py", "write_comments_sheet"),
    ("texts(): the comment queries and fetching (generator)", "exports/source.py", "texts"),
    ("write_statistics_sheet() + charts", "exports/statistics.py", "write_statistics_sheet"),
    ("write_dictionary_sheet()", "exports/dictionary.py", "write_dictionary_sheet"),
    ("Workbook.close(): XML parts assembled and zipped", "xlsxwriter/workbook.py", "close"),
    ("TextCells.write(): every text cell, write_string included", "exports/cells.py", "write"),
    ("clean_cell_text(): UNSTORABLE.sub on every text", "exports/cells.py", "clean_cell_text"),
    ("XlsxWriter write_*() calls (all cells, incl. row flushes)", "xlsxwriter/worksheet.py", "cell_wrapper"),
    ("XlsxWriter _write_single_row(): rows flushed to XML", "xlsxwriter/worksheet.py", "_write_single_row"),
    ("XlsxWriter _prepare_formula(): formula checks", "xlsxwriter/worksheet.py", "_prepare_formula"),
    ("flask-babel gettext() (calls, lazy strings included)", "flask_babel/__init__.py", "gettext", "max"),
    ("level_label()", "schema", "level_label"),
    ("SQL execute (all statements)", "sqlalchemy/engine/base.py", "_execute_context"),
    ("json.loads (JSON answer values)", "json/__init__.py", "loads"),
)


def child_profile(spec):
    import sqlalchemy as sa

    from app import create_app
    from exports import ExportSource, write_workbook
    from models import db
    from schema.store import current_survey

    app = create_app()
    with app.app_context():
        survey = current_survey()
        source = ExportSource()
        db.session.execute(sa.text("SELECT 1"))
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        summary = write_workbook(spec["output"], survey, source, language=spec["language"])
        profiler.disable()
        seconds = time.perf_counter() - started
        db.session.remove()
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    print(f"\n  profile of write_workbook() at {summary.units:,} units (cProfile, in a fresh process): "
          f"{seconds:.1f}s wall, {total:.1f}s profiled")
    print("  cProfile slows Python code about 2x: read the shares, not the times."
          + (" It ran while the next demo database was being built." if spec["overlapped"] else ""))
    print("\n  own time by library (C builtins and stdlib helpers such as re are charged to their callers' "
          "library; sqlite3, json and zlib count on their own):")
    for label, value in by_library(stats).most_common():
        print(f"    {value / total:6.1%}  {value:7.2f}s  {label}")
    print("\n  cumulative time of the steps (they overlap: a step includes the ones it calls):")
    for label, file_part, name, *how in STEPS:
        found = [value for key, value in stats.stats.items() if file_part in key[0] and key[2] == name]
        if found:
            pick = max if how == ["max"] else sum
            cumulative = pick(value[3] for value in found)
            calls = pick(value[1] for value in found)
            print(f"    {cumulative / total:6.1%}  {cumulative:7.2f}s  {calls:>10,} calls  {label}")
    print("\n  where the translations are looked up (calls of flask-babel's gettext(), lazy strings traced to "
          "where they are turned into text):")
    for (filename, line, name), (calls, cumulative) in gettext_callers(stats).most_common(6):
        print(f"    {calls:>10,} calls  {cumulative:7.2f}s  {short_path(filename)}:{line}({name})")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime").print_stats(spec["top"])
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    print(f"\n  top {spec['top']} functions by own time:")
    print("\n".join("  " + line for line in lines[start:] if line.strip()))
    sys.stdout.flush()
    return None


def gettext_callers(stats):
    """Return {calling function: [calls, cumulative seconds]} of flask-babel's module-level gettext();
    a call made by a lazy string's __str__ is charged to the functions that turned it into text."""
    callers = collections.Counter()

    def charge(key, calls, seconds, depth=0):
        if "flask_babel/speaklater.py" in key[0] and depth < 3:
            up = stats.stats[key][4]
            total = sum(value[1] for value in up.values()) or 1
            for caller, value in up.items():
                charge(caller, calls * value[1] / total, seconds * value[1] / total, depth + 1)
            return
        entry = callers.setdefault(key, [0, 0.0])
        entry[0] += calls
        entry[1] += seconds

    for key, value in stats.stats.items():
        if key[0].endswith("flask_babel/__init__.py") and key[2] == "gettext":
            for caller, (_cc, calls, _tt, cumulative) in value[4].items():
                if not caller[0].endswith("flask_babel/__init__.py"):
                    charge(caller, calls, cumulative)
    return collections.Counter({key: (round(calls), seconds) for key, (calls, seconds) in callers.items()})


def short_path(filename):
    return filename[len(str(ROOT)) + 1:] if filename.startswith(str(ROOT)) else Path(filename).name


def library_of(filename):
    """Return the label of the library that owns a function's file; None for C builtins and the
    standard library's helpers (re, codecs, enum, tempfile...), whose time goes to their callers."""
    for label, part in LIBRARIES:
        if part in filename:
            return label
    if filename.startswith(("~", "<")) or filename.startswith(STDLIB):
        return None
    return "other"


STDLIB = sysconfig.get_paths()["stdlib"]


def builtin_library(name):
    for label, part in BUILTIN_LIBRARIES:
        if part in name:
            return label
    return None


def by_library(stats):
    """Return own (tottime) seconds per library. A builtin's or a stdlib helper's time is shared among
    its callers in proportion to the time each call edge spent in it, up the call graph until a
    function of a library is found."""
    owners = {}

    def owner(key, path=()):
        if key in owners:
            return owners[key]
        filename, _line, name = key
        label = library_of(filename) or builtin_library(name)
        if label is not None:
            shares = {label: 1.0}
        else:
            callers = stats.stats[key][4]
            caller_time = sum(value[2] for value in callers.values())
            if not callers or not caller_time or key in path:
                shares = {"stdlib / builtins (no caller)": 1.0}
            else:
                shares = collections.Counter()
                for caller, value in callers.items():
                    for caller_label, share in owner(caller, (*path, key)).items():
                        shares[caller_label] += share * value[2] / caller_time
        owners[key] = shares
        return shares

    totals = collections.Counter()
    for key, (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        for label, share in owner(key).items():
            totals[label] += tottime * share
    return totals


CHILDREN = {"export": child_export, "raw": child_raw, "profile": child_profile}


def child_main(mode, spec):
    sys.path.insert(0, str(ROOT))
    result = CHILDREN[mode](json.loads(spec))
    if result is not None:
        print(RESULT_PREFIX + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        sys.exit(child_main(sys.argv[2], sys.argv[3]))
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted; the temporary databases and workbooks are removed", file=sys.stderr)
        sys.exit(130)
