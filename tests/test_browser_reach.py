"""In a real Chromium, what a person reaches without losing their place: no page wider than a phone, every
Tab stop clear of the save bar, a refused submit announced by the title and the focus, the offer of unsaved
text where the person is after a reload, and an export job's progress updated in place.

The browser fixtures are test_browser.py's (Debian's Chromium at /usr/bin/chromium)."""

import re

import pytest
import sqlalchemy as sa
import test_browser
from answers import store, stored_cell_answers
from playwright.sync_api import expect
from test_browser import BAD_RATE, CELL, DESKTOP, PHONE, keep_screenshot, unit_tab, wait_until_kept

from models import ExportJob, Unit, db
from views.guide import GUIDES

pytestmark = [pytest.mark.browser, pytest.mark.once]
#: The same fixtures as test_browser.py's: its browser, its live server, its tabs.
browser, live_server, open_tab = test_browser.browser, test_browser.live_server, test_browser.open_tab

NARROW = {"width": 320, "height": 640}
LANGUAGES = ("vi", "en")


def page_width(tab):
    """Return how far the page scrolls sideways beyond the screen, in CSS pixels (0 when it fits)."""
    return tab.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("viewport", [NARROW, PHONE], ids=["320px", "360px"])
def test_no_guide_and_no_main_page_scrolls_sideways_on_a_phone(open_tab, units, viewport):
    tab = open_tab(viewport)
    addresses = [f"/guide/{name}" for name in ("", *GUIDES)] + ["/", "/admin/", f"/s/{units[CELL].token}"]
    wider = {}
    for address in addresses:
        for language in LANGUAGES:
            tab.goto(f"{address}?lang={language}")
            if page_width(tab) > 0:
                wider[f"{address}?lang={language}"] = page_width(tab)
    assert wider == {}


#: How much of a field reached by Tab must show above the save bar, at least (all of it, if it is shorter).
SEEN_ABOVE_THE_BAR = 40


def tab_stops_hidden_by_the_bar(tab):
    """Press Tab through the whole page; return the stops outside the bar whose top part lies behind it."""
    hidden = []
    first = None
    for _ in range(300):
        tab.keyboard.press("Tab")
        stop = tab.evaluate("""seen => {
            const element = document.activeElement;
            if (element === document.body) { return null; }
            const field = element.getBoundingClientRect();
            const bar = document.querySelector(".save-bar").getBoundingClientRect();
            return {id: element.id || element.name || element.textContent.trim().slice(0, 30),
                    inBar: element.closest(".save-bar") !== null, top: field.top,
                    shown: Math.min(seen, field.height), barTop: bar.top};
        }""", SEEN_ABOVE_THE_BAR)
        if stop is None or stop["id"] == first:
            break
        first = first or stop["id"]
        if not stop["inBar"] and not (stop["top"] >= 0 and stop["top"] + stop["shown"] <= stop["barTop"] + 0.5):
            hidden.append(stop)
    return hidden


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewport", [NARROW, PHONE, DESKTOP], ids=["320px", "360px", "1366px"])
def test_every_tab_stop_of_the_blank_form_shows_above_the_save_bar(open_tab, units, viewport, language):
    tab = unit_tab(open_tab, viewport)
    tab.goto(f"/s/{units[CELL].token}?lang={language}")
    assert tab_stops_hidden_by_the_bar(tab) == []


@pytest.mark.parametrize(("button", "typed"), [
    ("submit", {}),  # every required answer missing
    ("save", {"so_dang_vien": "25", "ty_le_tham_du": BAD_RATE}),  # a draft with one impossible figure
], ids=["blank-submit", "one-bad-save"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1366px"])
def test_a_refused_form_says_its_errors_in_the_title_and_starts_at_their_summary(open_tab, units, viewport, button,
                                                                                 typed):
    tab = unit_tab(open_tab, viewport)
    tab.goto(f"/s/{units[CELL].token}")
    for key, value in typed.items():
        tab.locator(f"#{key}").fill(value)
    with tab.expect_navigation() as refused:
        tab.locator(f".save-bar button[value={button}]").click()
    assert refused.value.status == 422
    summary = tab.locator("#error-summary")
    expect(summary).to_be_focused()
    count = int(re.match(r"\d+", summary.locator("h2").inner_text()).group())
    assert count == tab.locator(".question.has-error").count() > 0
    assert (count == 1) == bool(typed)
    assert tab.title().startswith(f"Có {count} lỗi – "), tab.title()
    assert tab.evaluate("() => document.activeElement.id") == "error-summary"
    # Tab goes on from the summary to its first link.
    tab.keyboard.press("Tab")
    expect(summary.locator("a").first).to_be_focused()


# --- The offer of unsaved text, where the person is after a reload ---

#: A box near the end of the form, far below the first screen.
FAR_DOWN = "de_xuat_cap_tren"
TYPED_FAR_DOWN = "Đề nghị cấp trên tổ chức tập huấn cho bí thư chi bộ mới."


def assert_pressable(tab, button):
    """The button is wholly on the screen and nothing (the save bar, the header) lies over its middle."""
    expect(button).to_be_in_viewport(ratio=1)
    assert button.evaluate("""button => {
        const box = button.getBoundingClientRect();
        const found = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
        return found === button || button.contains(found);
    }""")


def reload_far_down(tab):
    tab.reload()
    expect(tab.locator(".unit-header h1")).not_to_be_in_viewport()  # back far down the page, as browsers do
    offer = tab.locator("#kept-copy")
    expect(offer).to_be_visible()
    return offer


@pytest.mark.parametrize("viewport", [PHONE, {"width": 740, "height": 360}, DESKTOP],
                         ids=["360px", "phone-landscape", "1366px"])
def test_the_offer_of_unsaved_text_is_where_the_person_typed_after_a_reload(open_tab, units, viewport):
    tab = unit_tab(open_tab, viewport)
    tab.goto(f"/s/{units[CELL].token}")
    box = tab.locator(f"#{FAR_DOWN}")
    box.fill(TYPED_FAR_DOWN)
    wait_until_kept(tab, FAR_DOWN, TYPED_FAR_DOWN)

    offer = reload_far_down(tab)
    expect(box).to_have_value("")
    for button in (offer.locator("[data-kept-restore]"), offer.locator("[data-kept-discard]")):
        assert_pressable(tab, button)

    offer.locator("[data-kept-restore]").click()
    expect(offer).to_be_hidden()
    expect(box).to_have_value(TYPED_FAR_DOWN)
    expect(box).to_be_focused()
    shown, bar = box.bounding_box(), tab.locator(".save-bar").bounding_box()
    assert shown["y"] >= 0 and shown["y"] + min(SEEN_ABOVE_THE_BAR, shown["height"]) <= bar["y"], (shown, bar)


# --- An export job's page: its progress in place, never a reload ---

def add_job(app, **columns):
    """Add an export job of the province's workbook, as a worker's thread leaves it; return its id."""
    with app.app_context():
        scope = db.session.scalar(sa.select(Unit).filter_by(code="TU"))
        job = ExportJob(scope_unit_id=scope.id, language="vi", config_version=app.extensions["survey"].version,
                        **columns)
        db.session.add(job)
        db.session.commit()
        return job.id


def set_job(app, job_id, **columns):
    with app.app_context():
        db.session.execute(sa.update(ExportJob).filter_by(id=job_id).values(**columns))
        db.session.commit()


def signed_in_tab(open_tab, viewport, auth, **options):
    tab = open_tab(viewport, **options)
    tab.goto("/admin/")
    tab.locator("#username").fill("btc")
    tab.locator("#password").fill(auth.password)
    with tab.expect_navigation():
        tab.locator("form.sign-in button[type=submit]").click()
    return tab


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1366px"])
def test_an_export_job_page_shows_its_progress_and_then_its_file_in_place(open_tab, app, accounts, auth, viewport):
    job = add_job(app, state="running", units_done=5, units_total=26)
    tab = signed_in_tab(open_tab, viewport, auth)
    loads = []
    tab.on("load", lambda loaded: loads.append(loaded.url))
    tab.goto(f"/admin/exports/{job}")
    region = tab.locator("#export-job[aria-live=polite]")
    expect(region).to_contain_text("đã ghi 5 trên 26 đơn vị")
    expect(region.get_by_role("link", name="Cập nhật")).to_be_hidden()  # the script updates the page itself

    set_job(app, job, units_done=20)
    expect(region).to_contain_text("đã ghi 20 trên 26 đơn vị", timeout=15_000)
    set_job(app, job, state="done", units_done=26, file_name=f"export-{job}.xlsx")
    link = region.get_by_role("link", name="Tải tệp Excel")
    expect(link).to_be_visible(timeout=15_000)
    expect(link).to_have_attribute("href", f"/admin/exports/{job}.xlsx")
    expect(link).to_be_focused()  # nothing else had the focus
    assert loads == [tab.url], "updated in place: the page was loaded once"
    keep_screenshot(tab, f"export-job-done-{viewport['width']}")


def test_without_script_an_export_job_page_is_updated_when_the_person_asks(open_tab, app, accounts, auth):
    job = add_job(app, state="running", units_done=5, units_total=26)
    tab = signed_in_tab(open_tab, PHONE, auth, java_script_enabled=False)
    tab.goto(f"/admin/exports/{job}")
    set_job(app, job, state="done", units_done=26, file_name=f"export-{job}.xlsx")
    tab.wait_for_timeout(4000)  # longer than the script's delay: nothing changes by itself
    expect(tab.locator("#export-job")).to_contain_text("đã ghi 5 trên 26 đơn vị")
    with tab.expect_navigation():
        tab.get_by_role("link", name="Cập nhật").click()
    expect(tab.locator("#export-job").get_by_role("link", name="Tải tệp Excel")).to_be_visible()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1366px"])
def test_the_read_only_copy_offers_unsaved_text_where_the_person_is_after_a_reload(open_tab, app, units, viewport):
    """Text typed into a correction never saved: the submitted report's read-only copy offers to take it back."""
    store(app, CELL, stored_cell_answers())
    tab = unit_tab(open_tab, viewport)
    token = units[CELL].token
    tab.goto(f"/s/{token}?edit=1")
    tab.locator(f"#{FAR_DOWN}").fill(TYPED_FAR_DOWN)
    wait_until_kept(tab, FAR_DOWN, TYPED_FAR_DOWN)
    tab.goto(f"/s/{token}")
    expect(tab.locator("form.survey")).to_have_count(0)
    tab.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    offer = reload_far_down(tab)
    for button in (offer.get_by_role("link", name="Sửa báo cáo để khôi phục"), offer.locator("[data-kept-discard]")):
        assert_pressable(tab, button)
