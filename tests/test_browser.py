"""End to end in a real Chromium: on a phone-sized screen, a party cell opens its link, fills the whole
survey, saves a draft, submits with a mistake, corrects it and reads the confirmation, and what it types is
kept on the device until it is saved; on a phone and on a desktop screen, a unit types the code of its
printed invitation on the home page, and a committee finds a unit in its list and gives it a new link,
confirmed first, ready to print.

Needs Debian's Chromium at /usr/bin/chromium (Playwright cannot download its own browser here).
Set TONGKET_SCREENSHOT=/some/file.png to keep a screenshot of the confirmation page, and
TONGKET_SCREENSHOTS=/some/folder for the committees' pages at each screen width.
"""

import os
import re
import shutil
import subprocess
import threading
import time
import unicodedata

import pytest
import sqlalchemy as sa
from answers import LONG_TEXT_IDS, cell_report, store, stored_cell_answers
from werkzeug.serving import make_server

from models import Response, Unit, db

CHROMIUM = "/usr/bin/chromium"
if not (os.path.exists(CHROMIUM) and shutil.which(CHROMIUM)):
    pytest.skip(f"end-to-end browser test needs Chromium at {CHROMIUM}", allow_module_level=True)

from playwright.sync_api import Error as PlaywrightError  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.once]

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 768}
CELL = "BMT.TL.01"

#: What the cell types: the shared valid report, with its own words in a few places.
TYPED = cell_report(
    dac_diem_tinh_hinh="Chi bộ có 25 đảng viên, phần lớn là cán bộ hưu trí; đời sống nhân dân ổn định.\n"
                       "Khó khăn: đảng viên trẻ thường đi làm ăn xa, ít dự sinh hoạt.",
    nen_nep="Nền nếp được giữ vững; đảng viên vắng mặt đều báo cáo lý do với bí thư chi bộ.",
    de_xuat_cap_tren="Đề nghị cấp trên sớm ban hành tài liệu hướng dẫn sinh hoạt chuyên đề năm 2027.",
    chuyen_de_hieu_qua="Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    ty_le_tham_du="87,5",
    # The document's details, in the last section.
    so_van_ban="12", ngay_van_ban="2027-04-05", nguoi_ky="Nguyễn Thị Hoa", chuc_vu_nguoi_ky="pho_bi_thu",
    noi_nhan_them="Ban Tổ chức Tỉnh ủy (để biết)",
)
#: Typed key by key rather than pasted, to exercise real keystrokes with Vietnamese diacritics.
KEYSTROKES = ("chuyen_de_hieu_qua",)
CONDITIONAL = "ngay_thao_luan"
BAD_RATE, FIXED_RATE = "150", "92,5"
#: How the read-only copy shows what was typed where it differs (choices are read from the form).
SHOWN = {"ty_le_tham_du": "92,5%", "ngay_thao_luan": "02/04/2027", "ngay_van_ban": "05/04/2027"}


@pytest.fixture
def live_server(app):
    """Serve the test app over real HTTP on a free local port; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def open_tab(browser, live_server):
    """Open tabs on the live server at a screen size; every one is closed before the server stops."""
    contexts = []

    def open_at(viewport, **options):
        context = browser.new_context(base_url=live_server, viewport=viewport, locale="vi-VN",
                                      timezone_id="Asia/Ho_Chi_Minh", **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    try:
        yield open_at
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def page(open_tab):
    """A phone-sized tab on the live server."""
    tab = open_tab(PHONE)
    # The page asks before leaving with unsaved changes; a person would confirm.
    tab.on("dialog", lambda dialog: dialog.accept())
    return tab


def is_choice(page, key):
    return page.locator(f'form.survey input[name="{key}"][type=radio], '
                        f'form.survey input[name="{key}"][type=checkbox]').count() > 0


def answer(page, key, value):
    """Answer one question as a person does: tick the options, or type into the box."""
    if is_choice(page, key):
        for chosen in value if isinstance(value, list) else [value]:
            page.locator(f'form.survey input[name="{key}"][value="{chosen}"]').check()
    elif key in KEYSTROKES:
        box = page.locator(f"#{key}")
        box.click()
        box.press_sequentially(value)
    else:
        page.locator(f"#{key}").fill(value)


def form_values(page):
    """Return what the form would post now: name -> list of values."""
    entries = page.evaluate("""() => {
        const values = {};
        for (const [name, value] of new FormData(document.querySelector("form.survey"))) {
            (values[name] = values[name] || []).push(value);
        }
        return values;
    }""")
    return {name: [value.replace("\r\n", "\n") for value in values] for name, values in entries.items()}


def assert_form_holds(page, typed):
    posted = form_values(page)
    for key, value in typed.items():
        assert posted.get(key) == (value if isinstance(value, list) else [value]), key
    # The choices are also shown as ticked, not only posted.
    for key, value in typed.items():
        if is_choice(page, key):
            for chosen in value if isinstance(value, list) else [value]:
                expect(page.locator(f'form.survey input[name="{key}"][value="{chosen}"]')).to_be_checked()


def question_labels(page, keys):
    """Return each question's label as the form shows it (without the "required" star)."""
    return page.evaluate("""keys => Object.fromEntries(keys.map(key => {
        const heading = document.querySelector(`[name="${key}"]`).closest(".question").querySelector("legend, label");
        return [key, heading.firstChild.textContent.trim()];
    }))""", list(keys))


def chosen_labels(page, key):
    """Return the labels of the ticked options, in page order, as the read-only copy lists them."""
    return page.evaluate("""key => Array.from(
        document.querySelectorAll(`form.survey input[name="${key}"]:checked`),
        input => input.closest("label").textContent.trim()).join("; ")""", key)


def shown_answers(page):
    """Return the read-only copy as question label -> answer text."""
    return page.evaluate("""() => Object.fromEntries(Array.from(
        document.querySelectorAll("section.read-only .answer"),
        block => [block.querySelector("h3").textContent.trim(),
                  block.querySelector(".answer-text").textContent]))""")


def fits_the_screen(page):
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_cell_fills_saves_corrects_and_submits_on_a_phone(page, units):
    assert set(LONG_TEXT_IDS) <= set(TYPED)
    token = units[CELL].token

    page.goto(f"/s/{token}")
    expect(page.locator("form.survey")).to_be_visible()
    assert fits_the_screen(page)

    # 2. Fill the whole survey; the date of the discussion appears only once it took place.
    conditional = page.locator(f".question:has(#{CONDITIONAL})")
    expect(conditional).to_be_hidden()
    for key, value in TYPED.items():
        if key == CONDITIONAL:
            continue
        answer(page, key, value)
        if key == "da_lay_y_kien":
            expect(conditional).to_be_visible()
    answer(page, CONDITIONAL, TYPED[CONDITIONAL])
    assert_form_holds(page, TYPED)

    # 3. Save a draft, reload: everything typed comes back from the server.
    with page.expect_navigation() as saved:
        page.locator("button[name=action][value=save]").click()
    assert saved.value.status == 200
    assert saved.value.request.redirected_from.method == "POST"
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator(".unit-header .status")).to_have_class(re.compile(r"\bstatus-(draft|overdue)\b"))
    page.reload()
    expect(page.locator(".alert-success")).to_have_count(0)
    expect(conditional).to_be_visible()
    assert_form_holds(page, TYPED)

    # 4. Submit with an impossible attendance rate: nothing is lost, the mistake is pointed out.
    page.locator("#ty_le_tham_du").fill(BAD_RATE)
    with page.expect_navigation() as refused:
        page.locator("button[name=action][value=submit]").click()
    assert refused.value.status == 422
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("a")).to_have_count(1)
    link = summary.locator('a[href="#q-ty_le_tham_du"]')
    expect(link).to_be_visible()
    expect(page.locator(".question.has-error")).to_have_count(1)
    message = page.locator("#q-ty_le_tham_du.has-error .error-message")
    expect(message).to_be_visible()
    assert message.inner_text().strip() in link.inner_text()
    expect(conditional).to_be_visible()
    assert_form_holds(page, {**TYPED, "ty_le_tham_du": BAD_RATE})
    assert fits_the_screen(page)
    link.click()
    expect(page).to_have_url(f"/s/{token}#q-ty_le_tham_du")
    expect(page.locator("#q-ty_le_tham_du")).to_be_in_viewport()

    # 5. Correct it with a decimal comma and submit: the read-only copy shows the answers.
    page.locator("#ty_le_tham_du").fill(FIXED_RATE)
    submitted = {**TYPED, "ty_le_tham_du": FIXED_RATE}
    labels = question_labels(page, submitted)
    expected = {}
    for key, value in submitted.items():
        expected[labels[key]] = chosen_labels(page, key) if is_choice(page, key) else SHOWN.get(key, value)
    with page.expect_navigation() as confirmed:
        page.locator("button[name=action][value=submit]").click()
    assert confirmed.value.status == 200
    assert confirmed.value.request.redirected_from.method == "POST"
    expect(page).to_have_url(f"/s/{token}")
    expect(page.locator("form.survey")).to_have_count(0)
    expect(page.locator(".alert-success").first).to_be_visible()
    expect(page.locator(".unit-header .status")).to_have_class(re.compile(r"\bstatus-submitted(_late)?\b"))
    expect(page.locator("section.read-only").first).to_be_visible()
    expect(page.locator(f'a.button[href="/s/{token}?edit=1"]')).to_be_visible()
    assert shown_answers(page) == expected
    expect(page.locator(".answer-text", has_text="92,5%")).to_be_visible()
    assert fits_the_screen(page)

    screenshot = os.environ.get("TONGKET_SCREENSHOT")
    if screenshot:
        page.screenshot(path=screenshot, full_page=True)


# --- Draft safety: what is typed is kept on the device until it is saved ---

DRAFTED = {"nhan_thuc": "Chi bộ quán triệt đầy đủ Chỉ thị 10.\nĐảng viên nắm vững nội dung.",
           "uu_diem": "Sinh hoạt đều đặn, đúng kỳ.", "linh_vuc": "nong_thon"}


def kept_copies(page):
    """Return localStorage as {key: value}."""
    return page.evaluate("() => Object.fromEntries(Object.entries(window.localStorage))")


def wait_until_kept(page, key, value):
    """Wait until the device's copy holds `value` typed for `key` (it is written a moment after typing)."""
    page.wait_for_function("""([key, value]) => Object.values(window.localStorage).some(
        copy => JSON.parse(copy).entries.some(entry => entry[0] === key && entry[1] === value))""", arg=[key, value])


def opened_at(app, unit):
    with app.app_context():
        return db.session.scalar(sa.select(Response.opened_at).filter_by(unit_id=unit.id))


def wait_until_opened(app, unit):
    for _ in range(100):
        if opened_at(app, unit) is not None:
            return
        time.sleep(0.05)
    raise AssertionError("the page never reported the report opened")


def test_typed_text_survives_a_reload_and_a_refused_save_until_it_is_saved(page, app, units):
    unit = units[CELL]
    token = unit.token
    dialogs = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.type))
    page.goto(f"/s/{token}")
    expect(page.locator("#kept-copy")).to_be_hidden()
    assert opened_at(app, unit) is None, "showing the page opens nothing"
    for key, value in DRAFTED.items():
        answer(page, key, value)
    wait_until_opened(app, unit)
    wait_until_kept(page, "nhan_thuc", DRAFTED["nhan_thuc"])
    for key, value in kept_copies(page).items():
        assert token not in key and token not in value, "the link never goes into the device's storage"

    # 1. A reload: the server has nothing, the device offers its copy, Restore puts it back.
    page.reload()
    offer = page.locator("#kept-copy")
    expect(offer).to_be_visible()
    expect(offer.locator("time")).not_to_have_text("")
    assert form_values(page).get("nhan_thuc") == [""], "never restored without asking"
    offer.locator("[data-kept-restore]").click()
    expect(offer).to_be_hidden()
    assert_form_holds(page, DRAFTED)

    # 2. A refused save comes back with the warning before leaving armed, and the copy still kept.
    page.locator("#ty_le_tham_du").fill(BAD_RATE)
    with page.expect_navigation() as refused:
        page.locator("button[name=action][value=save]").click()
    assert refused.value.status == 422
    page.locator("h1").click()  # a browser asks before leaving only a page the person has touched
    dialogs.clear()
    page.goto(f"/s/{token}")  # the link opened again (a reload would post the form again)
    assert dialogs == ["beforeunload"]
    expect(offer).to_be_visible()
    offer.locator("[data-kept-restore]").click()
    assert_form_holds(page, {**DRAFTED, "ty_le_tham_du": BAD_RATE})

    # 3. Saved: the copy is forgotten, nothing is offered, nothing warns.
    page.locator("#ty_le_tham_du").fill(FIXED_RATE)
    with page.expect_navigation() as saved:
        page.locator("button[name=action][value=save]").click()
    assert saved.value.status == 200
    expect(page.locator(".alert-success")).to_be_visible()
    expect(offer).to_be_hidden()
    assert kept_copies(page) == {}
    page.locator("h1").click()
    dialogs.clear()
    page.reload()
    assert dialogs == []
    expect(offer).to_be_hidden()
    assert_form_holds(page, {**DRAFTED, "ty_le_tham_du": FIXED_RATE})


def test_text_typed_before_a_lost_connection_is_offered_back(page, units):
    token = units[CELL].token
    page.goto(f"/s/{token}")
    for key, value in DRAFTED.items():
        answer(page, key, value)
    page.context.set_offline(True)
    with pytest.raises(PlaywrightError), page.expect_navigation():
        page.locator("button[name=action][value=submit]").click()
    page.context.set_offline(False)
    page.goto(f"/s/{token}")
    offer = page.locator("#kept-copy")
    expect(offer).to_be_visible()
    offer.locator("[data-kept-discard]").click()
    expect(offer).to_be_hidden()
    assert kept_copies(page) == {}
    page.reload()
    expect(offer).to_be_hidden()


def printed_invitation_code(open_tab, viewport, auth):
    """Sign in as the committee, open a cell's invitation and return its code as printed."""
    committee = open_tab(viewport)
    committee.goto("/admin/")
    committee.locator("#username").fill("krongpac")
    committee.locator("#password").fill(auth.password)
    committee.locator("form.sign-in button[type=submit]").click()
    committee.goto("/admin/units/KP.EK.01/invitation")
    code = committee.locator(".invitation-code")
    expect(code).to_be_visible()
    assert fits_the_screen(committee)
    return code.inner_text()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1366px"])
def test_a_unit_types_the_code_of_its_printed_invitation(open_tab, accounts, auth, viewport):
    printed = printed_invitation_code(open_tab, viewport, auth)
    assert re.fullmatch(r"([2-9A-HJKMNP-TV-Z]{4}-){6}[2-9A-HJKMNP-TV-Z]{4}", printed), printed
    unit = open_tab(viewport)
    unit.goto("/")
    box = unit.locator("#code")
    # A wrong group first: the page says so, keeps what was typed, and points the reader to the box.
    wrong = printed[:-1] + ("2" if printed[-1] != "2" else "3")
    box.press_sequentially(wrong.lower())
    with unit.expect_navigation() as refused:
        unit.get_by_role("button", name="Mở báo cáo").click()
    assert refused.value.status == 404
    expect(unit.locator("#code-error")).to_be_visible()
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_have_value(wrong.lower())
    assert fits_the_screen(unit)
    # Then the code as read off the paper: lower case, spaces where the dashes are.
    box.fill("")
    box.press_sequentially(printed.replace("-", " ").lower())
    with unit.expect_navigation() as opened:
        unit.get_by_role("button", name="Mở báo cáo").click()
    assert opened.value.status == 200
    assert opened.value.request.redirected_from.method == "POST"
    expect(unit).to_have_url(f"/s/{printed.replace('-', '')}")
    expect(unit.locator(".unit-header .facts")).to_contain_text("Chi bộ thôn 3")
    expect(unit.locator("form.survey")).to_be_visible()


def keep_screenshot(tab, name):
    folder = os.environ.get("TONGKET_SCREENSHOTS")
    if folder:
        tab.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1366px"])
def test_a_committee_finds_a_unit_and_gives_it_a_new_link_confirmed_first(open_tab, accounts, auth, viewport):
    tab = open_tab(viewport)
    width = viewport["width"]
    old = accounts[CELL].token
    tab.goto("/admin/")
    tab.locator("#username").fill("btc")
    tab.locator("#password").fill(auth.password)
    with tab.expect_navigation():
        tab.get_by_role("button", name="Đăng nhập").click()
    expect(tab.locator("table.progress").first).to_be_visible()
    keep_screenshot(tab, f"progress-{width}")
    assert fits_the_screen(tab)

    # Every unit is one click away: the list, searched by the start of a code.
    tab.get_by_role("link", name="Danh sách đơn vị", exact=True).click()
    tab.locator("input[name=search]").fill("BMT.TL")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Lọc").click()
    rows = tab.locator("table.progress tbody tr")
    expect(rows).to_have_count(4)
    keep_screenshot(tab, f"units-{width}")
    assert fits_the_screen(tab)
    rows.get_by_role("link", name=CELL).click()
    expect(tab).to_have_url(f"/admin/units/{CELL}")

    # A new link is asked for, then confirmed: the old one works until then.
    tab.get_by_role("link", name="Cấp đường liên kết mới cho đơn vị").click()
    expect(tab).to_have_url(f"/admin/units/{CELL}/rotate-link")
    expect(tab.locator(".alert-warning")).to_contain_text("giấy báo đã in")
    keep_screenshot(tab, f"confirm-{width}")
    assert fits_the_screen(tab)
    assert tab.request.get(f"/s/{old}").status == 200
    with tab.expect_navigation():
        tab.get_by_role("button", name="Đồng ý, cấp đường liên kết mới").click()

    # The new link, ready to copy and print.
    expect(tab).to_have_url(f"/admin/units/{CELL}/invitation")
    expect(tab.locator(".alert-success")).to_contain_text("đường liên kết cũ không còn dùng được")
    link = tab.locator(".invitation-link").first.inner_text().strip()
    assert link.startswith(tab.url.split("/admin/")[0] + "/s/") and old not in link
    expect(tab.locator("img.qr")).to_be_visible()
    expect(tab.get_by_role("button", name="In các trang này")).to_be_visible()
    keep_screenshot(tab, f"new-link-{width}")
    assert fits_the_screen(tab)
    assert tab.request.get(f"/s/{old}").status == 404
    assert tab.request.get(link).status == 200


def test_printing_a_submitted_report_gives_the_party_document_on_a4(page, app, units, tmp_path):
    """Print to PDF, as a person does from the browser's print dialog: the page's screen copy gives way to
    the document, laid out by the same table as the Word file."""
    details = dict(so_van_ban="7", ngay_van_ban="2027-04-08", nguoi_ky="Trần Văn Bình", chuc_vu_nguoi_ky="bi_thu")
    long_answers = {key: " ".join([f"Ý kiến về “{key}” của chi bộ."] * 30) for key in LONG_TEXT_IDS}
    store(app, CELL, stored_cell_answers(**long_answers, **details))
    page.goto(f"/s/{units[CELL].token}")
    path = tmp_path / "printed.pdf"
    path.write_bytes(page.pdf(prefer_css_page_size=True))
    if os.environ.get("TONGKET_PRINTED"):
        shutil.copy(path, os.environ["TONGKET_PRINTED"])
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"Page size: .* pts \(A4\)", info), info
    first = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", str(path), "-"], check=True,
                           capture_output=True, text=True).stdout
    for text in ("ĐẢNG BỘ PHƯỜNG TÂN LỢI", "CHI BỘ TỔ DÂN PHỐ 1", "ĐẢNG CỘNG SẢN VIỆT NAM", "Số 7-BC/CB",
                 "Tân Lợi, ngày 08 tháng 4 năm 2027", "BÁO CÁO", "I- ĐẶC ĐIỂM, TÌNH HÌNH CHI BỘ, ĐẢNG BỘ"):
        assert text in first, text
    everything = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    assert "Trần Văn Bình" in everything and "T/M CHI BỘ" in everything
    assert "DỰ THẢO" not in everything, "submitted"
    assert "Sửa báo cáo" not in everything and "Hạn chót" not in everything, "the screen copy does not print"


# --- Within reach on any screen: a refused submit, the save bar, the language switch ---

def unit_tab(open_tab, viewport, **options):
    """Open a tab as a unit's member uses it: they confirm leaving a page with unsaved changes."""
    tab = open_tab(viewport, **options)
    tab.on("dialog", lambda dialog: dialog.accept())
    return tab


def fill_report(page, typed):
    """Answer every question of `typed`, the conditional one once the answer that shows it is given."""
    for key, value in typed.items():
        if key != CONDITIONAL:
            answer(page, key, value)
    answer(page, CONDITIONAL, typed[CONDITIONAL])


def bounds(locator):
    return locator.bounding_box()


def assert_clear_of_the_bar(page, field):
    """The field is on the screen and not behind the save bar."""
    bar = bounds(page.locator(".save-bar"))
    shown = bounds(field)
    assert shown["y"] >= -1 and shown["y"] + shown["height"] <= bar["y"] + 1, (shown, bar)


def scroll_behind_the_bar(page, selector):
    """Scroll so that the field lies on the screen but wholly behind the save bar."""
    page.evaluate("""selector => {
        const field = document.querySelector(selector).getBoundingClientRect();
        const bar = document.querySelector(".save-bar").getBoundingClientRect();
        // Stuck, the bar's bottom is the screen's.
        window.scrollBy(0, field.top - (window.innerHeight - (bar.height + field.height) / 2));
    }""", selector)
    field, bar = bounds(page.locator(selector)), bounds(page.locator(".save-bar"))
    assert bar["y"] <= field["y"] and field["y"] + field["height"] <= bar["y"] + bar["height"], (field, bar)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1366px"])
def test_a_refused_submit_keeps_a_draft_and_the_next_submit_builds_on_it(open_tab, app, units, viewport):
    page = unit_tab(open_tab, viewport)
    token = units[CELL].token
    page.goto(f"/s/{token}")
    fill_report(page, {**TYPED, "ty_le_tham_du": BAD_RATE})
    with page.expect_navigation() as refused:
        page.locator(".save-bar button[value=submit]").click()
    assert refused.value.status == 422
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("lưu thành bản nháp (phiên bản 1); bản nháp này chưa được gửi")
    summary.locator('a[href="#q-ty_le_tham_du"]').click()
    rate = page.locator("#ty_le_tham_du")
    expect(rate).to_be_focused()
    expect(rate).to_have_attribute("aria-invalid", "true")
    assert_clear_of_the_bar(page, page.locator("#q-ty_le_tham_du label"))

    # The tab is left without correcting, and the link opened again: the server gives back every answer
    # but the refused one, which the device's copy still holds.
    page.goto(f"/s/{token}")
    expect(page.locator(".unit-header .status")).to_have_class(re.compile(r"\bstatus-draft\b"))
    expect(rate).to_have_value("")
    assert_form_holds(page, {key: value for key, value in TYPED.items() if key != "ty_le_tham_du"})
    offer = page.locator("#kept-copy")
    expect(offer).to_be_visible()
    offer.locator("[data-kept-restore]").click()
    expect(rate).to_have_value(BAD_RATE)

    rate.fill(FIXED_RATE)
    with page.expect_navigation() as submitted:
        page.locator(".save-bar button[value=submit]").click()
    assert submitted.value.status == 200, "no conflict with the draft the refusal kept"
    expect(page.locator(".unit-header .status")).to_have_class(re.compile(r"\bstatus-submitted\b"))
    with app.app_context():
        response = db.session.scalar(sa.select(Response).filter_by(unit_id=units[CELL].id))
        assert (response.current_number, response.submitted_number) == (2, 2)


@pytest.mark.parametrize("script", [True, False], ids=["script", "no-script"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1366px"])
def test_the_save_buttons_stay_within_reach_of_a_long_page(open_tab, units, viewport, script):
    page = unit_tab(open_tab, viewport, java_script_enabled=script)
    page.goto(f"/s/{units[CELL].token}")
    bar = page.get_by_role("group", name="Lưu hoặc gửi báo cáo")
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height > 3 * viewport["height"], "a page long enough to need the bar"
    for share in (0, 0.5, 1):
        page.evaluate("share => window.scrollTo(0, share * document.documentElement.scrollHeight)", share)
        for button in ("Lưu nháp", "Gửi báo cáo"):
            expect(bar.get_by_role("button", name=button)).to_be_in_viewport(ratio=1)
    # At the very end the bar covers nothing: the last question stands above it.
    assert_clear_of_the_bar(page, page.locator("form.survey .question").last)
    # A field reached by the keyboard while it lies behind the bar is brought above it: by Tab from the
    # field before it, or when the browser puts the cursor in it.
    for field, reached in (("#so_dang_vien_mien_sinh_hoat", "Tab"), ("#so_dang_vien", "focus")):
        scroll_behind_the_bar(page, field)
        if reached == "Tab":
            page.locator("#so_dang_vien").evaluate("box => box.focus({preventScroll: true})")
            page.keyboard.press("Tab")
        else:
            page.locator(field).focus()
        expect(page.locator(field)).to_be_focused()
        assert_clear_of_the_bar(page, page.locator(field))
    assert fits_the_screen(page)
    page.emulate_media(media="print")
    expect(bar).to_be_hidden()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1366px"])
def test_the_language_switch_keeps_the_page_both_ways(open_tab, app, units, viewport):
    page = unit_tab(open_tab, viewport)
    store(app, CELL, stored_cell_answers())
    token = units[CELL].token
    page.goto(f"/s/{token}?edit=1")
    submit = page.locator(".save-bar button[value=submit]")
    expect(submit).to_have_text("Gửi báo cáo")
    page.locator(".languages").get_by_role("link", name="English").click()
    expect(page).to_have_url(f"/s/{token}?edit=1&lang=en")
    expect(submit).to_have_text("Submit report")
    expect(page.locator("#so_dang_vien")).to_have_value("25")
    page.locator(".languages").get_by_role("link", name="Tiếng Việt").click()
    expect(page).to_have_url(f"/s/{token}?edit=1&lang=vi")
    expect(submit).to_have_text("Gửi báo cáo")


# --- The printed copy ---

PARAGRAPH = ("Chi bộ đã tổ chức quán triệt, triển khai thực hiện nghiêm túc Chỉ thị số 10-CT/TW; nội dung sinh hoạt "
             "được chuẩn bị chu đáo, đảng viên phát huy tinh thần tự phê bình và phê bình. ")


def folded(text):
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def pdf_pages(pdf):
    """Return the text of each page of a PDF, spaces folded (poppler's pdftotext)."""
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return [folded(page) for page in text.split("\f") if page.strip()]


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="reading the printed pages needs poppler-utils")
def test_the_printable_copy_keeps_each_heading_with_its_text_and_leaves_the_web_out(page, app, units):
    """The printable copy prints as the party document, with its version and the print date after it."""
    token = units[CELL].token
    ended_on_a_heading = []
    # Answers of varied lengths, so that page ends fall after many different headings and texts.
    for variant in range(4):
        texts = {key: PARAGRAPH * (1 + (index * 3 + variant) % 6) for index, key in enumerate(LONG_TEXT_IDS)}
        store(app, CELL, stored_cell_answers(**texts), action="save")
        page.goto(f"/s/{token}/print")
        headings = [folded(text) for text in page.locator(".party-document .heading").all_text_contents()]
        assert len(headings) > 5
        pages = pdf_pages(page.pdf(prefer_css_page_size=True))
        assert len(pages) > 3
        ended_on_a_heading += [(variant, number, heading) for number, text in enumerate(pages[:-1], 1)
                               for heading in headings if text.endswith(heading)]
        whole = " ".join(pages)
        assert f"Phiên bản {variant + 1}, bản nháp lưu lúc" in pages[-1] and "In lúc" in pages[-1]
        assert "BÁO CÁO" in pages[0] and "DỰ THẢO" in pages[0]
        for web_only in ("Ctrl+P", "Quay lại báo cáo", "In báo cáo", "Tiếng Việt", "English", "Đơn vị"):
            assert web_only not in whole, web_only
    assert ended_on_a_heading == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1366px"])
def test_a_returned_report_opens_on_the_reason_with_each_note_beside_its_question(open_tab, app, accounts, auth,
                                                                                 viewport):
    """The committee returns a submitted report with a reason and a note on one answer; the unit's link opens
    on the reason, the note stands beside its question and is read with the field by screen readers."""
    store(app, CELL, stored_cell_answers())
    width = viewport["width"]
    committee = open_tab(viewport)
    committee.goto("/admin/")
    committee.locator("#username").fill("btc")
    committee.locator("#password").fill(auth.password)
    with committee.expect_navigation():
        committee.get_by_role("button", name="Đăng nhập").click()
    committee.goto(f"/admin/units/{CELL}")
    committee.get_by_role("link", name="Trả lại để hoàn chỉnh…").click()
    reason = "Mục II.3: tỷ lệ tham dự chưa nêu căn cứ tính."
    committee.locator("#reason").fill(reason)
    committee.locator("#answer-ty_le_tham_du summary").click()
    committee.locator("#note-ty_le_tham_du").fill("Ghi rõ số buổi và số đảng viên dự từng buổi.")
    keep_screenshot(committee, f"return-{width}")
    assert fits_the_screen(committee)
    with committee.expect_navigation():
        committee.get_by_role("button", name="Trả lại báo cáo").click()
    expect(committee.locator(".alert-success")).to_contain_text("Đã trả lại báo cáo")
    expect(committee.locator("ol.reviews")).to_contain_text(reason)
    keep_screenshot(committee, f"returned-committee-{width}")
    assert fits_the_screen(committee)

    unit = open_tab(viewport)
    unit.goto(f"/s/{accounts[CELL].token}")
    banner = unit.locator(".review-returned")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(reason)
    note = unit.locator("#ty_le_tham_du-review")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Ghi rõ số buổi")
    expect(unit.locator("#ty_le_tham_du")).to_have_accessible_description(re.compile("Ghi rõ số buổi"))
    banner.get_by_role("link").first.click()
    expect(unit.locator("#q-ty_le_tham_du")).to_be_in_viewport()
    keep_screenshot(unit, f"returned-unit-{width}")
    assert fits_the_screen(unit)


@pytest.mark.parametrize("script", [True, False], ids=["script", "no-script"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1366px"])
def test_the_call_sheet_copies_a_units_message_and_reads_without_a_script(open_tab, app, accounts, auth, viewport,
                                                                         script):
    with app.app_context():
        unit = db.session.scalar(sa.select(Unit).filter_by(code=CELL))
        unit.contact_name, unit.contact_phone = "Nguyễn Thị Hoa", "0912 345 678"
        db.session.commit()
    tab = open_tab(viewport, java_script_enabled=script)
    tab.context.grant_permissions(["clipboard-read", "clipboard-write"])
    tab.goto("/admin/")
    tab.locator("#username").fill("btc")
    tab.locator("#password").fill(auth.password)
    with tab.expect_navigation():
        tab.get_by_role("button", name="Đăng nhập").click()
    tab.goto("/admin/missing?search=BMT.TL")
    block = tab.locator("li.call", has=tab.get_by_role("link", name=accounts[CELL].name, exact=True))
    expect(block.locator('a[href="tel:0912345678"]')).to_have_text("Gọi 0912 345 678")
    block.locator("summary").click()
    message = block.locator("textarea")
    expect(message).to_be_visible()
    assert accounts[CELL].token in message.input_value()
    copy = block.get_by_role("button", name="Chép tin nhắn")
    if script:
        copy.click()
        expect(block.get_by_role("status")).to_contain_text("Đã chép")
        assert tab.evaluate("() => navigator.clipboard.readText()") == message.input_value()
    else:
        expect(copy).to_be_hidden()
    keep_screenshot(tab, f"call-sheet-{viewport['width']}-{'script' if script else 'no-script'}")
    assert fits_the_screen(tab)
