"""Benchmark: a unit's survey page in Chromium on a phone over a slow 3G line.

    make bench-phone            # or: .venv/bin/python bench/phone_page.py --help

A demo province (SQLite) served by one gunicorn (gunicorn.conf.py). Debian's Chromium, driven by Playwright,
opens a unit's link in a fresh profile as a phone does: a 360 × 740 screen at twice the pixels, its CPU four
times slower (CDP Emulation.setCPUThrottlingRate, as Lighthouse does for a mid-range phone) and its network
emulated by CDP Network.emulateNetworkConditions as a slow 3G line: 400 ms round trip and 400 kbit/s each way
(WebPageTest's "3G Slow", the line DevTools' "Slow 3G" preset is named after). Two pages: a blank form (a party
cell that has never opened its link) and a filled draft (a cell's saved draft, long texts and all). Over the
rounds (median):

- the first paint (first-contentful-paint) under 2 s;
- the page usable under 3 s: its form's inputs in the document, none disabled, and the page's script run
  (DOMContentLoaded ends after the deferred script);
- and what went over the wire, on the first visit and on a second one in the same profile (the CSS and JS
  from the browser's cache: the page only).

It prints the same figures under DevTools' own "Slow 3G" preset too, for information: that preset adds
2,000 ms to every request (400 ms × 5), so no page can paint under 2 s there.
"""

import contextlib
import csv
import io
import sqlite3
import statistics
from urllib.parse import urlsplit

import common

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}
CPU_SLOWDOWN = 4
#: Bytes per second of 400 kbit/s.
KBIT_400 = 400 * 1000 / 8
LINES = {
    "slow 3G (400 ms, 400 kbit/s)": {"latency": 400, "downloadThroughput": KBIT_400, "uploadThroughput": KBIT_400},
    "DevTools Slow 3G preset (2,000 ms)": {"latency": 2000, "downloadThroughput": KBIT_400,
                                           "uploadThroughput": KBIT_400},
}
TARGET_LINE = next(iter(LINES))
FIRST_PAINT_TARGET, USABLE_TARGET = 2000, 3000
CELL_LEVEL = "chi_bo_truc_thuoc"

#: How long the page may take, once loaded, to report its first contentful paint.
PAINT_WAIT_MS = 10_000
#: Read in the page once it has loaded: the paint and navigation timings, the bytes of every resource, and
#: whether the form is there with no input disabled. With the CPU slowed down, the load event can come before
#: the first paint is reported: the paint is awaited (a buffered observer also sees one already made).
MEASURE = """async (waitMs) => {
  const navigation = performance.getEntriesByType("navigation")[0];
  const paint = await new Promise(resolve => {
    const timer = setTimeout(() => resolve(null), waitMs);
    new PerformanceObserver(list => {
      const found = list.getEntriesByName("first-contentful-paint")[0];
      if (found) { clearTimeout(timer); resolve(found); }
    }).observe({type: "paint", buffered: true});
  });
  const resources = [navigation, ...performance.getEntriesByType("resource")];
  const form = document.querySelector("form.survey, form[method=post]");
  return {
    firstPaint: paint ? paint.startTime : null,
    usable: navigation.domContentLoadedEventEnd,
    load: navigation.loadEventEnd,
    requests: resources.filter(entry => entry.transferSize > 0).length,
    transferred: resources.reduce((sum, entry) => sum + entry.transferSize, 0),
    decoded: resources.reduce((sum, entry) => sum + entry.decodedBodySize, 0),
    inputs: form ? form.querySelectorAll("input, textarea, select").length : 0,
    disabled: form ? form.querySelectorAll("[disabled]").length : 0,
  };
}"""


def main():
    arguments = common.parser(__doc__, load=False)
    arguments.add_argument("--units", type=int, default=500, help="units in the demo province")
    arguments.add_argument("--rounds", type=int, default=5, help="loads of each page on each line")
    args = arguments.parse_args()
    from playwright.sync_api import sync_playwright

    with common.Demo(args.units, args.seed) as demo:
        demo.build()
        with common.Gunicorn(demo, workers=2) as server:
            base = f"http://{common.HOST}:{server.port}"
            pages = pages_to_open(demo, base)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    results = {(line, name): [visit_twice(browser, url, conditions) for _ in range(args.rounds)]
                               for line, conditions in LINES.items() for name, url in pages.items()}
                finally:
                    browser.close()
            server.report_log()
    return report(results, args.rounds)


def pages_to_open(demo, base):
    """{name: URL} of a blank form (a cell never opened) and a filled draft (a cell's saved draft)."""
    listed = demo.flask("units", "links", "--base-url", base)
    links = {row["code"]: row["url"] for row in csv.DictReader(io.StringIO(listed))}
    with contextlib.closing(sqlite3.connect(demo.database)) as connection:
        blank = connection.execute(
            "SELECT code FROM units WHERE level = ? AND id NOT IN (SELECT unit_id FROM responses) ORDER BY code",
            (CELL_LEVEL,)).fetchone()
        draft = connection.execute(
            "SELECT code FROM units JOIN responses ON responses.unit_id = units.id WHERE level = ? "
            "AND current_number IS NOT NULL AND submitted_number IS NULL ORDER BY code", (CELL_LEVEL,)).fetchone()
    if not (blank and draft):
        raise SystemExit("the demo province has no unopened cell or no cell with a draft: try more --units")
    return {"blank form": links[blank[0]], "filled draft": links[draft[0]]}


def visit_twice(browser, url, conditions):
    """Open the page in a fresh phone profile on the line, then again in the same profile; return both
    visits' figures."""
    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", {"offline": False, **conditions})
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        visits = []
        for _visit in range(2):
            page.goto(url, wait_until="load", timeout=120_000)
            figures = page.evaluate(MEASURE, PAINT_WAIT_MS)
            if not figures["inputs"]:
                raise SystemExit(f"no form at {urlsplit(url).path[:12]}…: {page.content()[:500]}")
            visits.append(figures)
        return visits
    finally:
        context.close()


def report(results, rounds):
    print(f"\nmedian over {rounds} loads; a phone: CPU {CPU_SLOWDOWN}x slower, 360 px at 2x; times from the start "
          f"of the navigation")
    head = "  {:<36} {:<13} {:>11} {:>9} {:>8} {:>9} {:>12} {:>12}"
    print(head.format("line", "page", "first paint", "usable", "load", "requests", "on the wire",
                      "second visit"))
    ok = True
    for (line, name), loads in results.items():
        first = [visit for visit, _again in loads]
        again = [second for _first, second in loads]
        paints = [visit["firstPaint"] for visit in first if visit["firstPaint"] is not None]
        paint = statistics.median(paints) if paints else float("nan")
        usable = statistics.median(visit["usable"] for visit in first)
        print(head.format(line, name, f"{paint:.0f} ms", f"{usable:.0f} ms",
                          f"{statistics.median(visit['load'] for visit in first):.0f} ms",
                          max(visit["requests"] for visit in first),
                          f"{statistics.median(visit['transferred'] for visit in first) / 1000:.1f} kB",
                          f"{statistics.median(visit['transferred'] for visit in again) / 1000:.1f} kB "
                          f"({max(visit['requests'] for visit in again)})"))
        if len(paints) < len(first):
            print(f"    ! {name}: no first paint reported within {PAINT_WAIT_MS / 1000:.0f} s of the load in "
                  f"{len(first) - len(paints)} of {len(first)} loads")
            ok = False
        if any(visit["disabled"] for visit in first):
            print(f"    ! {name}: inputs disabled once loaded")
            ok = False
        if line == TARGET_LINE:
            ok = ok and paint < FIRST_PAINT_TARGET and usable < USABLE_TARGET
            ok = ok and all(visit["requests"] == 1 for visit in again)
    decoded = statistics.median(visit["decoded"] for (line, name), loads in results.items()
                                for visit, _again in loads if name == "blank form")
    print(f"\nthe blank form, decoded: {decoded / 1000:.1f} kB (page, CSS and JS)")
    print(f"targets on the {TARGET_LINE} line: first paint < {FIRST_PAINT_TARGET} ms, usable < {USABLE_TARGET} ms, "
          f"a second visit fetches the page only: {common.verdict(ok)}")
    return ok


if __name__ == "__main__":
    common.run_benchmark(main, "phone page benchmark")
