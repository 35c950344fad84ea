"""The guides' screenshots, taken from make run's demo in Debian's Chromium: a unit's pages on a 360 px phone,
the committees' pages on a 1366 px desktop.

    make screenshots                        # all of them, into static/guide/
    .venv/bin/python tools/screenshots.py --help

The demo is built as make run builds it (demo/site.py) in a temporary folder, with the clock standing
ten days before the survey's first deadline, so that the same pages give the same pictures. Each picture is
reduced to a palette of colours and compressed, which keeps a screenshot of text sharp at a fraction of its size.
"""

import argparse
import contextlib
import datetime as dt
import io
import os
import secrets
import shutil
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from PIL import Image  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from app import create_app  # noqa: E402
from demo.site import set_up_demo_site  # noqa: E402
from models import Unit, db  # noqa: E402
from schema import REPORTING_LEVELS, load_survey  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]
#: Chromium in Vietnamese, so that date boxes read dd/mm/yyyy as on the units' own browsers (with Debian's
#: chromium-l10n installed; without it they read mm/dd/yyyy).
BROWSER_ENVIRONMENT = {**os.environ, "LANGUAGE": "vi"}
OUT = ROOT / "static" / "guide"
DEMO_UNITS = ROOT / "demo" / "units-2025.csv"
SURVEY = ROOT / "surveys" / "chi-thi-10.yaml"
PHONE, DESKTOP = (360, 740), (1366, 768)
#: Wider than this, a picture keeps only the page's column, not the empty sides.
PHONE_WIDTH = 360
#: What the pictures of a return say.
RETURN_REASON = "Mục II.3: tỷ lệ đảng viên dự sinh hoạt chưa nêu căn cứ tính; đề nghị bổ sung."
RETURN_NOTE = "Ghi rõ số buổi sinh hoạt trong năm và số đảng viên dự từng buổi."
#: Colours kept in a screenshot: the pages use a few, and anti-aliased text needs some shades between them.
COLOURS = 96


@dataclass(frozen=True)
class Demo:
    """The served demo: its address, the accounts (role -> (user name, password)), and units to show."""

    url: str
    accounts: dict
    #: A cell left blank for a newcomer, a cell with a draft, a cell that submitted, and the unit whose report has
    #: several versions, each as its Unit.
    blank_cell: Unit
    draft_cell: Unit
    submitted_cell: Unit
    revised: Unit


def standing_clock(survey):
    """Return a clock standing at 9:00 ten days before the survey's first deadline, where the survey runs."""
    day = min(survey.deadlines.values()) - dt.timedelta(days=10)
    moment = dt.datetime.combine(day, dt.time(9), survey.zone)
    return lambda: moment


@contextlib.contextmanager
def served_demo(folder, units_csv=DEMO_UNITS):
    """Build make run's demo in `folder` and serve it on a free local port; yield a Demo."""
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'tongket.sqlite3'}",
        "SECRET_KEY": secrets.token_hex(32), "CLOCK": standing_clock(load_survey(SURVEY)),
        "SURVEY_CONFIG": str(SURVEY), "EXPORTS_FOLDER": str(folder / "exports"),
        # The pictures show the reminders' button as a configured service offers it; none is pressed.
        "MAIL_SERVER": "127.0.0.1", "MAIL_DEFAULT_SENDER": "Ban Tổ chức Tỉnh ủy <btc@example.vn>",
    })
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    with app.test_request_context(base_url=url):
        site = set_up_demo_site(app.extensions["survey"], units_csv.read_bytes())
        demo = Demo(url, {account.role: (account.username, account.password) for account in site.accounts},
                    *units_to_show(site))
        db.session.remove()
    thread = threading.Thread(target=server.serve_forever, name="screenshots-server", daemon=True)
    thread.start()
    try:
        yield demo
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


def units_to_show(site):
    """Return a cell left blank, a cell with a draft, a cell that submitted and the revised unit (a tiny province
    may lend the revised unit for the others)."""
    units = {unit.code: unit for unit in db.session.scalars(sa.select(Unit))}
    db.session.expunge_all()
    revised = next(units[code] for code, kind in site.progress.items() if kind == "revised")

    def a_cell(kind):
        found = [units[code] for code, each in sorted(site.progress.items()) if each == kind]
        cells = [unit for unit in found if unit.level == REPORTING_LEVELS[-1]]
        return (cells or found or [revised])[0]

    blank = [units[link.code] for link in site.blank]
    blank_cells = [unit for unit in blank if unit.level == REPORTING_LEVELS[-1]]
    return (blank_cells or blank)[0], a_cell("draft"), a_cell("submitted"), revised


# --- The pictures: each a name, a viewport, and what a person does before it is taken. ---

def unit_form(page, demo):
    """A unit's page as its link opens it: the survey's title, the unit, its deadline, the first questions."""
    page.goto(f"/s/{demo.blank_cell.token}")


def unit_saved(page, demo):
    """A draft saved: the green message with the version number. Each language's picture types its own
    text, since a draft that changes nothing since the version before saves none."""
    page.goto(f"/s/{demo.blank_cell.token}")
    language = page.evaluate("() => document.documentElement.lang")
    typed = f"Chi bộ quán triệt Chỉ thị 10 đến toàn thể đảng viên ({language})."
    page.locator("form.survey textarea").first.fill(typed)
    page.locator("button[name=action][value=save]").click()
    page.wait_for_load_state()


def unit_errors(page, demo):
    """A submission refused: the red list at the top, each problem a link to its question."""
    page.goto(f"/s/{demo.draft_cell.token}")
    page.locator("#ty_le_tham_du").fill("150")
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_load_state()
    scroll_to(page, "#error-summary")


def unit_error_field(page, demo):
    """A question in red after a refused submission, with what to mend under its title."""
    unit_errors(page, demo)
    page.locator("#error-summary a[href='#q-ty_le_tham_du']").click()


def scroll_to(page, selector):
    """Scroll the element to the top of the screen, a little space above it."""
    page.evaluate("""selector => window.scrollBy(
        0, document.querySelector(selector).getBoundingClientRect().top - 12)""", selector)


def unit_submitted(page, demo):
    """A submitted report: the read-only copy with the buttons to correct and to print it."""
    page.goto(f"/s/{demo.submitted_cell.token}")


def sign_in(page, demo):
    """The committees' sign-in page."""
    page.goto("/admin/")


def progress(page, demo):
    """The progress page of the province, as its manager sees it after signing in."""
    signed_in(page, demo, "manager")


def missing(page, demo):
    """The list of units that have not submitted, with its filters."""
    signed_in(page, demo, "manager")
    page.goto("/admin/missing")


def call_sheet(page, demo):
    """The missing list on a phone: a unit's contact, its phone to call, and the ready message opened."""
    missing(page, demo)
    page.locator(".call-message summary").first.click()
    scroll_to(page, "ol.call-sheet")


def committee_unit(page, demo):
    """A unit's page on the committees' side: its status and the buttons of a manager."""
    signed_in(page, demo, "manager")
    page.goto(f"/admin/units/{demo.revised.code}")


def committee_versions(page, demo):
    """The same page further down: every saved version, and what changed between two of them."""
    committee_unit(page, demo)
    scroll_to(page, "table.revisions")


def reading(page, demo):
    """The reading page of one outline item, searched for a phrase typed without diacritics."""
    signed_in(page, demo, "manager")
    page.goto("/admin/reading/han_che?q=tu+phe+binh")


def committee_review(page, demo):
    """A submitted report's page, at its review: the buttons to accept it or return it for completion."""
    signed_in(page, demo, "manager")
    page.goto(f"/admin/units/{demo.submitted_cell.code}")
    scroll_to(page, "section.review")


def committee_return(page, demo):
    """Returning a report: the reason, the last day, and a note opened under one answer (not sent)."""
    signed_in(page, demo, "manager")
    page.goto(f"/admin/units/{demo.submitted_cell.code}/return")
    fill_return(page)
    scroll_to(page, "#answer-ty_le_tham_du")


def fill_return(page):
    page.locator("#reason").fill(RETURN_REASON)
    page.locator("#answer-ty_le_tham_du summary").click()
    page.locator("#note-ty_le_tham_du").fill(RETURN_NOTE)


def unit_returned(page, demo):
    """The unit's page once its report is returned: the reason on top, the note beside its question. The
    first language's picture returns the report; the next finds it returned."""
    signed_in(page, demo, "manager")
    page.goto(f"/admin/units/{demo.submitted_cell.code}/return")
    if page.locator("button.primary").count():
        fill_return(page)
        page.locator("button.primary").click()
        page.wait_for_load_state()
    page.goto(f"/s/{demo.submitted_cell.token}")
    scroll_to(page, ".review-returned")


def actions_record(page, demo):
    """The record of what the committees' accounts did."""
    unit_returned(page, demo)
    page.goto("/admin/actions")


def signed_in(page, demo, role):
    username, password = demo.accounts[role]
    page.goto("/admin/")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.locator("button[type=submit]").click()
    page.wait_for_load_state()


#: name -> (the screen's width and height in CSS pixels, what to do before the picture is taken, and the element
#: the picture shows, None for the screen)
SHOTS = {
    "unit-form": (PHONE, unit_form, None),
    "unit-saved": ((360, 520), unit_saved, None),
    "unit-errors": ((360, 600), unit_errors, None),
    "unit-error-field": (PHONE, unit_error_field, "#q-ty_le_tham_du"),
    "unit-submitted": (PHONE, unit_submitted, None),
    "sign-in": ((1366, 480), sign_in, None),
    "progress": ((1366, 900), progress, None),
    "missing": (DESKTOP, missing, None),
    "call-sheet": (PHONE, call_sheet, None),
    "committee-unit": (DESKTOP, committee_unit, None),
    "committee-versions": (DESKTOP, committee_versions, None),
    "reading": (DESKTOP, reading, None),
    # After the others: returning a report changes what the pictures above show of the submitted cell.
    "committee-review": (DESKTOP, committee_review, None),
    "committee-return": (DESKTOP, committee_return, None),
    "unit-returned": (PHONE, unit_returned, None),
    "unit-returned-note": (PHONE, unit_returned, "#q-ty_le_tham_du"),
    "actions": ((1366, 600), actions_record, None),
}


def take_screenshots(out=OUT, names=None, units_csv=DEMO_UNITS, languages=("vi", "en")):
    """Take the named screenshots (all by default) in each language into `out`; return the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="tongket-screenshots-") as folder, \
            served_demo(Path(folder), units_csv) as demo, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=BROWSER_ENVIRONMENT)
        try:
            for name in names or SHOTS:
                for language in languages:
                    path = out / f"{name}.{language}.png"
                    path.write_bytes(take(browser, demo, name, language))
                    written.append(path)
        finally:
            browser.close()
    return written


def take(browser, demo, name, language):
    """Return the PNG of one picture, taken in a fresh browser as a new visitor."""
    (width, height), act, element = SHOTS[name]
    context = browser.new_context(base_url=demo.url, viewport={"width": width, "height": height},
                                  locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    try:
        context.add_cookies([{"name": "lang", "value": language, "url": demo.url}])
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("dialog", lambda dialog: dialog.accept())
        act(page, demo)
        if element:
            return optimised(page.locator(element).screenshot())
        return optimised(page.screenshot(clip=picture_area(page, width, height)))
    finally:
        context.close()


def picture_area(page, width, height):
    """Return the part of the screen to keep: on a phone all of it; on a desktop the page's column below the
    site's bar, without the empty sides."""
    if width <= PHONE_WIDTH:
        return {"x": 0, "y": 0, "width": width, "height": height}
    box = page.locator("main").bounding_box()
    top = max(0, box["y"])
    return {"x": box["x"], "y": top, "width": box["width"], "height": min(height, box["y"] + box["height"]) - top}


def optimised(png):
    """Return the PNG with a palette of COLOURS colours, compressed as far as PNG goes."""
    picture = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=COLOURS, dither=Image.Dither.NONE)
    kept = io.BytesIO()
    picture.save(kept, format="PNG", optimize=True)
    return kept.getvalue()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", choices=[[], *SHOTS], metavar="NAME",
                        help=f"pictures to take (default: all): {', '.join(SHOTS)}")
    parser.add_argument("--out", type=Path, default=OUT, help="folder to write into (default: static/guide)")
    args = parser.parse_args(argv)
    if not shutil.which(CHROMIUM):
        parser.exit(1, f"The screenshots need Chromium at {CHROMIUM} (apt-get install chromium).\n")
    for path in take_screenshots(args.out, args.names or None):
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {path.stat().st_size // 1024} kB")


if __name__ == "__main__":
    main()
