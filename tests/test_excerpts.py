"""Chosen excerpts: picked from the reading page and a unit's page, noted, ordered, removed; managers only,
within the committee's subtree, the passage cut from the stored text, kept when the answer changes."""

import threading
import time
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from answers import store, stored_cell_answers
from conftest import PASSWORD
from pages import text_of

from consolidation.excerpts import move
from models import Excerpt, Unit, db

ITEM = "uu_diem"
FIRST = "Chi bộ duy trì sinh hoạt chuyên đề hằng quý."
SECOND = "Đảng viên tham gia đầy đủ, phát biểu sôi nổi."
THIRD = "Nội dung gắn với nhiệm vụ chính trị của thôn."
TEXT = f"{FIRST} {SECOND} {THIRD}"
CHANGED = "Đơn vị đã sửa câu trả lời sau khi trích"
DAN_VAN = "Chi bộ tổ dân phố 1 làm tốt công tác dân vận."
#: A search that finds each sentence (its hit then shows that sentence with its pick button).
KEYWORDS = {FIRST: "hang quy", SECOND: "soi noi", THIRD: "nhiem vu chinh tri", DAN_VAN: "dan van"}


class PostForms(HTMLParser):
    """The POST forms of a page: their action and the values a browser would post (hidden inputs, first
    option of each select unless one is selected)."""

    def __init__(self):
        super().__init__()
        self.forms, self._select = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method") == "post":
            self.forms.append((attrs["action"], {}))
        elif not self.forms:
            return
        elif tag == "input" and attrs.get("name"):
            self.forms[-1][1][attrs["name"]] = attrs.get("value", "")
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select:
            values = self.forms[-1][1]
            if self._select not in values or "selected" in attrs:
                values[self._select] = attrs["value"]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def post_forms(page_html, action_part):
    parser = PostForms()
    parser.feed(page_html)
    return [(action, values) for action, values in parser.forms if action_part in action]


def reading(client, **query):
    return client.get(f"/admin/reading/{ITEM}", query_string=query)


def stored_excerpts(app):
    with app.app_context():
        return [(e.unit.code, e.passage, e.position, e.note) for e in
                db.session.scalars(sa.select(Excerpt).order_by(Excerpt.committee_id, Excerpt.position))]


@pytest.fixture
def written(app, accounts):
    store(app, "KP.EK.01", stored_cell_answers(**{ITEM: TEXT}))
    store(app, "BMT.TL.01", stored_cell_answers(**{ITEM: DAN_VAN}))


@pytest.fixture
def district_manager(runner, accounts):
    """A manager of Krông Pắc (the test accounts' district account is a viewer)."""
    result = runner.invoke(args=["users", "create", "kpmanager", "--scope", "TU.KP", "--role", "manager"],
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    return "kpmanager"


def pick_sentence(client, sentence, unit="KP.EK.01"):
    """Search for the sentence and post its pick button, as a reviewer does on the reading page."""
    page = reading(client, q=KEYWORDS[sentence]).text
    for action, values in post_forms(page, f"/admin/reading/{ITEM}/excerpts"):
        body = {"KP.EK.01": TEXT, "BMT.TL.01": DAN_VAN}[unit]
        if values.get("unit") == unit and body[int(values["start"]):int(values["end"])] == sentence:
            return client.post(action, data=values)
    raise AssertionError(f"no pick form for {sentence!r}")


def test_a_manager_picks_a_sentence_the_whole_answer_and_several_sentences(app, client, auth, written):
    auth.sign_in("btc")
    assert pick_sentence(client, SECOND).status_code == 302
    unit_page = client.get("/admin/units/KP.EK.01").text
    (action, values), = post_forms(unit_page, f"/admin/reading/{ITEM}/excerpts")
    assert values["start"] == "0" and int(values["end"]) == len(TEXT), "from the first to the last sentence"
    client.post(action, data={**values, "end": str(TEXT.index(SECOND) + len(SECOND)), "note": "Hai câu đầu"})
    whole = [(a, v) for a, v in post_forms(reading(client).text, "/excerpts")
             if v.get("start") == "0" and v.get("end") == str(len(TEXT))]
    client.post(whole[0][0], data=whole[0][1])
    assert stored_excerpts(app) == [("KP.EK.01", SECOND, 1, None), ("KP.EK.01", f"{FIRST} {SECOND}", 2, "Hai câu đầu"),
                                    ("KP.EK.01", TEXT, 3, None)]
    page = text_of(reading(client).text)
    assert page.index(SECOND) < page.index("Hai câu đầu"), "shown in their order, with the note"


@pytest.mark.parametrize(("start", "end"), [("-1", "5"), ("0", "0"), ("5", "2"), ("0", str(len(TEXT) + 1)),
                                            ("x", "5"), ("", ""), ("0", "9" * 30), ("٣", "5")])
def test_offsets_outside_the_text_are_refused_and_posted_text_is_never_used(app, client, auth, written, start, end):
    auth.sign_in("btc")
    (action, values), = post_forms(client.get("/admin/units/KP.EK.01").text, f"/admin/reading/{ITEM}/excerpts")
    refused = client.post(action, data={**values, "start": start, "end": end}, follow_redirects=True)
    assert refused.status_code == 200 and "Đoạn trích không nằm trong câu trả lời" in text_of(refused.text)
    client.post(action, data={**values, "passage": "<b>Bịa đặt</b>", "start": "0", "end": "10"})
    assert stored_excerpts(app) == [("KP.EK.01", TEXT[:10].strip(), 1, None)]


def test_a_viewer_sees_the_excerpts_but_cannot_pick_or_change_them(app, client, auth, written):
    auth.sign_in("btc")
    pick_sentence(client, FIRST)
    manager_page = reading(client).text
    picks = post_forms(manager_page, f"/admin/reading/{ITEM}/excerpts")
    changes = post_forms(manager_page, "/admin/excerpts/")
    assert picks and changes
    viewer = app.test_client()
    auth.for_client(viewer).sign_in("krongpac")
    page = reading(viewer).text
    assert FIRST in text_of(page) and "Trích dẫn đã chọn" in page
    assert post_forms(page, "/excerpts") == [], "no form to pick or change"
    token = auth.for_client(viewer).csrf_token()
    for action, values in picks[:1] + changes:
        assert viewer.post(action, data={**values, "csrf_token": token}).status_code == 403, action
    assert stored_excerpts(app) == [("KP.EK.01", FIRST, 1, None)]


def test_a_committee_never_picks_or_changes_outside_its_subtree(app, client, auth, written, district_manager):
    auth.sign_in("btc")
    pick_sentence(client, DAN_VAN, unit="BMT.TL.01")
    outside = [(action, values) for action, values in post_forms(reading(client, q="dan van").text, "/excerpts")
               if values.get("unit", "BMT.TL.01") == "BMT.TL.01"]
    province_excerpt = [action for action, _values in outside if "/admin/excerpts/" in action]
    district = app.test_client()
    auth.for_client(district).sign_in(district_manager)
    token = auth.for_client(district).csrf_token()
    page = reading(district, q="dan van").text
    assert "Tân Lợi" not in page and "tổ dân phố" not in page and "dân vận" not in page
    for action, values in outside:
        answer = district.post(action, data={**values, "csrf_token": token, "note": "x", "position": "1"})
        if "/admin/reading/" in action:
            assert answer.status_code == 404, "a unit of another district: as if it did not exist"
        else:
            assert answer.status_code == 302 and "tổ dân phố" not in district.get(answer.location).text
    assert province_excerpt
    assert stored_excerpts(app) == [("BMT.TL.01", DAN_VAN, 1, None)]
    # Its own unit, with the text id of a unit outside: refused, nothing stored.
    (action, values), = post_forms(district.get("/admin/units/KP.EK.01").text, f"/admin/reading/{ITEM}/excerpts")
    with app.app_context():
        other_text = db.session.scalar(sa.select(Excerpt.text_id))
    refused = district.post(action, data={**values, "text_id": str(other_text), "start": "0", "end": "5"},
                            follow_redirects=True)
    assert "không còn trong các câu trả lời của đơn vị" in text_of(refused.text)
    assert len(stored_excerpts(app)) == 1


def test_an_excerpt_is_kept_as_picked_and_marked_when_the_unit_corrects_its_answer(app, client, auth, written):
    auth.sign_in("btc")
    pick_sentence(client, SECOND)
    assert CHANGED not in reading(client).text
    store(app, "KP.EK.01", stored_cell_answers(**{ITEM: f"{FIRST} {THIRD}"}))
    page = reading(client).text
    excerpts = page.split('id="excerpts"')[1].split("<h2")[0]
    assert SECOND in excerpts and CHANGED in excerpts
    assert stored_excerpts(app) == [("KP.EK.01", SECOND, 1, None)]
    store(app, "KP.EK.01", stored_cell_answers(**{ITEM: TEXT}))
    assert CHANGED not in reading(client).text, "back to the text it was picked from"


def test_excerpts_are_ordered_noted_and_removed(app, client, auth, written):
    auth.sign_in("btc")
    for sentence in (FIRST, SECOND, THIRD):
        pick_sentence(client, sentence)
    forms = post_forms(reading(client).text, "/admin/excerpts/")
    by_kind = {}
    for action, values in forms:
        by_kind.setdefault((action.rsplit("/", 1)[1], values.get("direction")), []).append((action, values))
    action, values = by_kind[("move", "up")][-1]  # THIRD up
    client.post(action, data=values)
    assert [passage for _code, passage, _p, _n in stored_excerpts(app)] == [FIRST, THIRD, SECOND]
    action, values = by_kind[("move", None)][0]  # FIRST to place 3
    client.post(action, data={**values, "position": "3"})
    assert [(passage, position) for _c, passage, position, _n in stored_excerpts(app)] == [
        (THIRD, 1), (SECOND, 2), (FIRST, 3)]
    action, values = by_kind[("note", None)][0]
    client.post(action, data={**values, "note": '=HYPERLINK("http://x") <script>alert(1)</script>\u202e'})
    page = reading(client).text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "\u202e" not in page
    action, values = by_kind[("delete", None)][1]
    client.post(action, data=values)
    assert [(passage, position) for _c, passage, position, _n in stored_excerpts(app)] == [(THIRD, 1), (FIRST, 2)]
    gone = client.post(action, data=values, follow_redirects=True)
    assert gone.status_code == 200 and "đã có người bỏ" in gone.text


def test_two_managers_ordering_at_once_lose_nothing_and_keep_one_excerpt_per_place(app, make_app, client, auth,
                                                                                   written):
    auth.sign_in("btc")
    for sentence in (FIRST, SECOND, THIRD):
        pick_sentence(client, sentence)
    forms = [(action, values) for action, values in post_forms(reading(client).text, "/admin/excerpts/")
             if action.endswith("/move") and "position" in values]
    clients = []
    for _ in range(2):
        other = make_app().test_client()
        auth.for_client(other).sign_in("btc")
        clients.append((other, auth.for_client(other).csrf_token()))

    def reorder(other, token, forms):
        for round_ in range(8):
            for action, values in forms:
                other.post(action, data={**values, "csrf_token": token, "position": str(round_ % 3 + 1)})

    threads = [threading.Thread(target=reorder, args=(other, token, forms[::step]))
               for (other, token), step in zip(clients, (1, -1), strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = stored_excerpts(app)
    assert sorted(passage for _c, passage, _p, _n in stored) == sorted([FIRST, SECOND, THIRD])
    assert [position for _c, _passage, position, _n in stored] == [1, 2, 3]


def test_a_run_of_sentences_is_picked_from_a_hits_whole_answer(app, client, auth, written):
    auth.sign_in("btc")
    page = reading(client, q=KEYWORDS[THIRD]).text
    ranges = [(action, values) for action, values in post_forms(page, f"/admin/reading/{ITEM}/excerpts")
              if values.get("unit") == "KP.EK.01" and "note" in values]
    (action, values), = ranges
    second = TEXT.index(SECOND)
    client.post(action, data={**values, "start": str(second), "note": "Hai câu cuối"})
    assert stored_excerpts(app) == [("KP.EK.01", f"{SECOND} {THIRD}", 1, "Hai câu cuối")]


def test_two_moves_that_read_the_order_at_the_same_moment_take_turns(app, client, auth, written):
    """Hold each move just after it reads the item's order, until the other has read it too (or a second
    has passed), the second started writing last: without the committee's lock both would renumber from
    the same order, and the second would leave two excerpts at one place."""
    auth.sign_in("btc")
    for sentence in (FIRST, SECOND, THIRD):
        pick_sentence(client, sentence)
    with app.app_context():
        ids = {e.passage: e.id for e in db.session.scalars(sa.select(Excerpt))}
    readers = set()

    def hold_after_reading_the_order(conn, cursor, statement, *args):
        if "FROM excerpts" in statement and "ORDER BY excerpts.position" in statement:
            readers.add(threading.current_thread().name)
            # Polled with short sleeps rather than a barrier with a timeout: under faketime's frozen clock a
            # timed wait on a lock never ends, while a sleep does.
            for _ in range(100):
                if len(readers) == 2:
                    break
                time.sleep(0.01)
            if threading.current_thread().name == "second":
                time.sleep(0.3)  # so that the first writes first, whichever the database wakes first

    def move_as_manager(passage, position):
        with app.app_context():
            committee = db.session.scalar(sa.select(Unit).filter_by(code="TU"))
            move(committee, ids[passage], position)

    with app.app_context():
        sa.event.listen(db.engine, "after_cursor_execute", hold_after_reading_the_order)
    try:
        first = threading.Thread(target=move_as_manager, args=(THIRD, 1), name="first")
        second = threading.Thread(target=move_as_manager, args=(SECOND, 3), name="second")
        first.start()
        time.sleep(0.2)
        second.start()
        first.join()
        second.join()
    finally:
        with app.app_context():
            sa.event.remove(db.engine, "after_cursor_execute", hold_after_reading_the_order)
    assert [(passage, position) for _c, passage, position, _n in stored_excerpts(app)] == [
        (THIRD, 1), (FIRST, 2), (SECOND, 3)]
