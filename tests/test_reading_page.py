"""The reading page of a narrative item ("Đọc ý kiến"): search, counts, filters, scope, hostile input."""

import html
import re

import pytest
from answers import store, stored_cell_answers, stored_committee_answers
from pages import text_of

#: The item the tests read: asked of every level.
ITEM = "nhan_thuc"
#: What the units of the tests wrote for it.
TEXTS = {
    "KP.EK.01": "Chi bộ duy trì sinh hoạt chuyên đề hằng quý. Đảng viên tham gia đầy đủ.",
    "KP.EK.02": "Sinh hoạt định kỳ được giữ nền nếp. Chuyên đề về chuyển đổi số chưa sâu.",
    "KP.PA.01": "Nhận thức của đảng viên về SINH HOẠT CHUYÊN ĐỀ còn hạn chế.",
    "KP.EK": "Đảng ủy chỉ đạo các chi bộ sinh hoạt chuyên đề theo hướng dẫn.",
    "BMT.TL.01": "Chi bộ tổ dân phố 1 tổ chức sinh hoạt chuyên đề về Bác Hồ, ghi rõ ở phường Tân Lợi.",
}


def reading_url(question_id=ITEM):
    return f"/admin/reading/{question_id}"


def hit_units(page_html):
    """Return the codes of the units the page's hits name, in page order."""
    hits = page_html.split('id="hits"', 1)[-1]
    return re.findall(r'<article class="hit">\s*<h3><a href="/admin/units/([^"]+)">', hits)


def marked(page_html):
    return re.findall(r"<mark>(.*?)</mark>", page_html)


@pytest.fixture
def answered(app, accounts):
    """Submit the reports of TEXTS, each answering ITEM with its text."""
    for code, text in TEXTS.items():
        answers = stored_committee_answers if "." in code and code.count(".") == 1 else stored_cell_answers
        store(app, code, answers(**{ITEM: text}))
    return TEXTS


@pytest.mark.parametrize("query", ["sinh hoat chuyen de", "SINH HOẠT chuyên ĐỀ", "Sinh Hoat Chuyen De"])
def test_a_query_with_or_without_diacritics_in_any_case_finds_the_accented_phrase(client, auth, answered, query):
    auth.sign_in("btc")
    page = client.get(reading_url(), query_string={"q": query})
    assert page.status_code == 200
    assert sorted(hit_units(page.text)) == ["BMT.TL.01", "KP.EK", "KP.EK.01", "KP.PA.01"]
    assert "sinh hoạt chuyên đề" in [text.lower() for text in marked(page.text)]


def test_a_phrase_is_found_only_as_a_phrase(client, auth, answered):
    auth.sign_in("btc")
    # KP.EK.02 has "sinh hoạt" and "chuyên đề", but apart.
    assert "KP.EK.02" not in hit_units(client.get(reading_url(), query_string={"q": "sinh hoạt chuyên đề"}).text)
    words = client.get(reading_url(), query_string={"q": "sinh hoạt, chuyên đề"}).text
    assert "KP.EK.02" in hit_units(words), "two phrases separated by a comma: each found on its own"


def test_a_word_inside_another_word_is_not_found(client, auth, answered):
    auth.sign_in("btc")
    # "ho" is inside "hoạt" and "Hồ" folds to "ho": only the whole word matches.
    assert hit_units(client.get(reading_url(), query_string={"q": "ho"}).text) == ["BMT.TL.01"]
    assert hit_units(client.get(reading_url(), query_string={"q": "uyen"}).text) == []


def test_counts_read_x_of_y_per_level(client, auth, answered):
    auth.sign_in("btc")
    text = text_of(client.get(reading_url(), query_string={"q": "sinh hoat chuyen de"}).text)
    assert "3/4 chi bộ (75%)" in text
    assert "1/1 đảng bộ cơ sở (100%)" in text or "1/1 đảng ủy cơ sở (100%)" in text or "1/1" in text


def test_filters_by_level_group_unit_under_the_scope_and_drafts(app, client, auth, answered):
    store(app, "KP.PA.02", stored_cell_answers(**{ITEM: "Bản nháp: sinh hoạt chuyên đề còn hình thức."}),
          action="save")
    auth.sign_in("btc")
    query = {"q": "sinh hoat chuyen de"}
    assert hit_units(client.get(reading_url(), query_string={**query, "group": "grassroots"}).text) == ["KP.EK"]
    under = hit_units(client.get(reading_url(), query_string={**query, "child": "TU.BMT"}).text)
    assert under == ["BMT.TL.01"]
    assert "KP.PA.02" not in hit_units(client.get(reading_url(), query_string=query).text)
    assert "KP.PA.02" in hit_units(client.get(reading_url(), query_string={**query, "drafts": "1"}).text)


def test_a_committee_never_sees_outside_its_subtree(client, auth, answered):
    auth.sign_in("krongpac")
    page = client.get(reading_url(), query_string={"q": "sinh hoat chuyen de"})
    assert sorted(hit_units(page.text)) == ["KP.EK", "KP.EK.01", "KP.PA.01"]
    assert "Tân Lợi" not in page.text and "tổ dân phố" not in page.text
    other = client.get(reading_url(), query_string={"q": "tan loi", "child": "TU.BMT"})
    assert other.status_code == 200 and hit_units(other.text) == [] and "Tân Lợi" not in other.text
    assert "không trực thuộc" in text_of(other.text)


def test_the_index_counts_answers_and_links_each_item(client, auth, answered):
    auth.sign_in("krongpac")
    page = client.get("/admin/reading")
    assert page.status_code == 200
    assert f'href="{reading_url()}"' in page.text
    # Four of Krông Pắc's eight reporting units (the district itself included) submitted an answer to it.
    assert re.search(r"II\.1\. Nhận thức của chi bộ, đảng viên</a>\s*<span class=\"small\">· 4/8 đơn vị", page.text)
    assert 'href="/admin/reading"' in client.get("/admin/").text
    unit_page = client.get("/admin/units/KP.EK.01").text
    assert f'href="{reading_url()}"' in unit_page and "Đọc ý kiến của các đơn vị về mục này" in unit_page


def test_unknown_item_is_404_and_a_page_past_the_last_shows_the_last(client, auth, answered):
    auth.sign_in("btc")
    assert client.get(reading_url("no_such_item")).status_code == 404
    assert client.get(reading_url("so_dang_vien")).status_code == 404, "a number question is no item to read"
    page = client.get(reading_url(), query_string={"page": "999999999999999999999"})
    assert page.status_code == 200 and len(hit_units(page.text)) == len(TEXTS)


HOSTILE_QUERIES = ['"', '"sinh hoat', "NEAR(sinh hoat)", "*", "sinh*", "OR", "sinh OR hoat", "-sinh", "- -",
                   "<script>alert(1)</script>", "'; DROP TABLE units; --", "%_", "...,,,;;", "a" * 10_000,
                   "sinh hoạt " * 2000, "=HYPERLINK(\"http://x\")", "{}", "^sinh$", "sinh:hoat", "AND NOT", "(", ")",
                   "sinh hoạt" + "\u0301" * 50, "\U0001F600 sinh"]


@pytest.mark.parametrize("query", HOSTILE_QUERIES, ids=range(len(HOSTILE_QUERIES)))
def test_hostile_queries_give_the_page_with_a_message_or_plain_words(client, auth, answered, query):
    auth.sign_in("btc")
    page = client.get(reading_url(), query_string={"q": query})
    assert page.status_code == 200, page.text[:500]
    assert "<script>alert" not in page.text
    has_message = 'class="alert alert-error"' in page.text
    assert has_message or 'id="hits"' in page.text


@pytest.mark.parametrize("query", ["\x01\x02", "sinh\x00", "\u202esinh"], ids=["C0", "NUL", "bidi"])
def test_control_characters_in_a_query_are_refused_before_the_page(client, auth, answered, query):
    auth.sign_in("btc")
    assert client.get(reading_url(), query_string={"q": query}).status_code == 400, "views/addresses.py"


def test_hostile_answers_are_escaped_in_the_page(app, client, auth, accounts):
    hostile = '=HYPERLINK("http://evil") <script>alert(1)</script> <b>đậm</b> \u202esinh hoạt chuyên đề'
    store(app, "KP.EK.01", stored_cell_answers(**{ITEM: hostile}))
    auth.sign_in("btc")
    page = client.get(reading_url(), query_string={"q": "sinh hoat chuyen de"}).text
    assert "<script>alert(1)" not in page and "<b>đậm" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "\u202e" not in page


def test_each_key_phrase_links_to_the_answers_that_use_it(client, auth, answered):
    auth.sign_in("btc")
    page = client.get(reading_url()).text
    links = re.findall(r'<li><a href="([^"]+)#hits">([^<]+)</a> <span class="small">(\d+)/(\d+) ', page)
    assert links, "the texts share phrases: some are shown"
    for url, term, count, answered_in_group in links:
        found = client.get(html.unescape(url))
        assert found.status_code == 200
        assert len(hit_units(found.text)) >= int(count) >= 2 and int(answered_in_group) >= int(count), term
        assert term.lower() in [text.lower() for text in marked(found.text)]


def test_copies_are_grouped_once_and_each_copied_hit_says_so(app, client, auth, answered):
    copied = "Chi bộ thực hiện nghiêm túc nghị quyết. Sinh hoạt đều đặn, đúng quy định của Điều lệ Đảng."
    for code in ("KP.PA.02", "BMT.TL.02", "BMT.TL.03"):
        store(app, code, stored_cell_answers(**{ITEM: copied.replace(" ", "  ") if code == "BMT.TL.03" else copied}))
    auth.sign_in("btc")
    page = client.get(reading_url()).text
    copies = page.split('id="copies"')[1].split('id="hits"')[0]
    assert "3 đơn vị gửi cùng một nội dung" in copies and copies.count("Điều lệ Đảng") == 1
    assert page.split('id="hits"')[1].count("3 đơn vị gửi cùng một nội dung") == 3
