"""The narrative analysis of answers, without a database: folding, sentences, terms, key phrases, copies and
representative sentences, on known Vietnamese texts and on hostile ones."""

import re
import unicodedata

import pytest

from consolidation.copies import COPY_THRESHOLD, copy_groups, signature, similarity
from consolidation.key_phrases import key_phrases
from consolidation.representatives import representative_sentences
from consolidation.segmentation import question_words, terms
from consolidation.sentences import sentences
from consolidation.text_analysis import TextAnalysis, analyse
from consolidation.text_folding import collapsed, digest, fold

pytestmark = pytest.mark.once

#: An answer of 8 sentences as a cell writes it.
ANSWER = (
    "Chi bộ duy trì nền nếp sinh hoạt định kỳ vào ngày 05 hằng tháng, bảo đảm đúng thời gian quy định. "
    "Trước mỗi kỳ sinh hoạt, chi ủy họp thống nhất nội dung, dự thảo nghị quyết gửi trước cho đảng viên. "
    "Nội dung sinh hoạt bám sát nhiệm vụ chính trị của địa phương và tình hình thực tế ở khu dân cư. "
    "Việc sinh hoạt chuyên đề được tổ chức mỗi quý một lần với chủ đề về xây dựng nông thôn mới. "
    "Tinh thần tự phê bình và phê bình được phát huy, nhiều đảng viên mạnh dạn đóng góp ý kiến thẳng thắn. "
    "Tỷ lệ đảng viên dự sinh hoạt bình quân đạt trên 95%, không có đảng viên vắng mặt không có lý do. "
    "Bí thư chi bộ điều hành linh hoạt, phát huy dân chủ, kết luận rõ việc, rõ người, rõ thời hạn. "
    "Nghị quyết của chi bộ được triển khai kịp thời và kiểm tra việc thực hiện ở kỳ họp sau."
)
#: Another cell's answer, written from the same stock phrases as everybody's but its own.
SAME_PHRASES_OTHER_ANSWER = (
    "Chi bộ duy trì nền nếp sinh hoạt định kỳ hằng tháng theo đúng Quy định của Ban Bí thư. "
    "Cấp ủy quan tâm công tác chuẩn bị, dự thảo nghị quyết gửi trước cho đảng viên nghiên cứu. "
    "Một số đảng viên lớn tuổi còn ngại phát biểu, tinh thần tự phê bình và phê bình chưa cao. "
    "Việc sinh hoạt chuyên đề có lúc còn hình thức, chưa chọn được chủ đề sát thực tế của thôn. "
    "Đảng viên ở xa, việc đi lại khó khăn ảnh hưởng đến tỷ lệ tham gia sinh hoạt vào mùa mưa. "
    "Chi bộ đã đề nghị Đảng ủy xã hướng dẫn cụ thể hơn về nội dung sinh hoạt chuyên đề. "
    "Bí thư chi bộ chủ động, linh hoạt trong điều hành, phát huy dân chủ trong sinh hoạt. "
    "Cần tăng cường kiểm tra, giám sát việc thực hiện nghị quyết của chi bộ trong thời gian tới."
)
HOSTILE = ["", " \n\t ", "=cmd|' /C calc'!A0", "<script>alert('x')</script>", "\x00\x01\x1f\x7f chi bộ \u202e",
           "😀🎉 đảng viên 👍", "Chi bộ " * 2857, "\ud800 lẻ", "1. 2. 3.", "...!!!???", "- + • a) b)"]


#: Sentences of a cell's report, known texts for the copies and the representatives.
SENTENCES = (
    "Chi bộ duy trì nền nếp sinh hoạt định kỳ vào ngày 05 hằng tháng.",
    "Đa số đảng viên nhận thức rõ ý nghĩa, tầm quan trọng của việc nâng cao chất lượng sinh hoạt chi bộ.",
    "Nội dung sinh hoạt bám sát nhiệm vụ chính trị của địa phương, đơn vị.",
    "Công tác chuẩn bị được cấp ủy quan tâm, dự thảo nghị quyết gửi trước cho đảng viên.",
    "Một số đảng viên còn ngại phát biểu, tinh thần tự phê bình và phê bình chưa cao.",
    "Việc sinh hoạt chuyên đề có lúc còn hình thức, chưa chọn được chủ đề sát thực tế.",
    "Cần tăng cường kiểm tra, giám sát việc thực hiện nghị quyết của chi bộ.",
    "Đề nghị cấp trên hướng dẫn cụ thể hơn về nội dung sinh hoạt chuyên đề.",
    "Đảng viên lớn tuổi, ở xa, việc đi lại khó khăn ảnh hưởng đến tỷ lệ tham gia.",
    "Bí thư chi bộ chủ động, linh hoạt trong điều hành, phát huy dân chủ trong sinh hoạt.",
)


@pytest.mark.parametrize("text, folded", [
    ("Sinh hoạt CHUYÊN ĐỀ", "sinh hoat chuyen de"),
    ("ĐẢNG VIÊN đảng viên", "dang vien dang vien"),
    ("Ưu điểm, nguyên nhân", "uu diem, nguyen nhan"),
    ("Cơ sở ở Thừa Thiên Huế", "co so o thua thien hue"),
    (unicodedata.normalize("NFD", "Tự phê bình"), "tu phe binh"),
    ("  chi\tbộ\n\ntrực   thuộc ", "chi bo truc thuoc"),
    ("ＴＰ．Ｈồ", "tp.ho"),
])
def test_fold_drops_case_diacritics_and_spacing(text, folded):
    assert fold(text) == folded


#: Every character Python counts as white space, and a few it does not (zero-width ones).
SPACES = "".join(chr(code) for code in range(0x3001) if chr(code).isspace()) + "\u200b\u2060\ufeff"


@pytest.mark.parametrize("text", [SPACES, f"a{SPACES}b", f"{SPACES}Chi{SPACES}bộ{SPACES}", "x\u200by"])
def test_spacing_is_collapsed_as_the_regular_expression_would(text):
    """Stored digests were made with re.sub(r"\\s+", " ") and strip(): a text saved again must find its row."""
    assert collapsed(text) == re.sub(r"\s+", " ", text).strip()


def test_combining_and_precomposed_input_are_one_text():
    precomposed = "Nghị quyết của chi bộ"
    combining = unicodedata.normalize("NFD", precomposed)
    assert combining != precomposed
    assert fold(combining) == fold(precomposed)
    assert digest(combining) == digest(precomposed) == digest("  Nghị  quyết của\nchi bộ ")
    assert digest(precomposed) != digest("Nghị quyết của chi ủy")


@pytest.mark.parametrize("text, expected", [
    ("Chi bộ họp. Đảng viên dự đủ! Có ý kiến? Có; không.", ["Chi bộ họp.", "Đảng viên dự đủ!", "Có ý kiến?",
                                                           "Có;", "không."]),
    ("Đoàn công tác tại TP. Hồ Chí Minh và Tp. Huế.", ["Đoàn công tác tại TP. Hồ Chí Minh và Tp. Huế."]),
    ("Tỷ lệ tăng 1,5 lần, đạt 2.500 đảng viên. Hết.", ["Tỷ lệ tăng 1,5 lần, đạt 2.500 đảng viên.", "Hết."]),
    ("Học tập, làm theo v.v. trong chi bộ.", ["Học tập, làm theo v.v. trong chi bộ."]),
    ("Kết quả đạt được:\n- Một là nền nếp.\n+ Hai là nội dung\n• Ba là chất lượng",
     ["Kết quả đạt được:", "Một là nền nếp.", "Hai là nội dung", "Ba là chất lượng"]),
    ("1. Ưu điểm\n2.1. Cấp ủy cơ sở\na) Chi bộ\nII. NỘI DUNG", ["Ưu điểm", "Cấp ủy cơ sở", "Chi bộ", "NỘI DUNG"]),
    ("Nhận thức của đ/c Bí thư. tốt hơn", ["Nhận thức của đ/c Bí thư. tốt hơn"]),
    ("", []),
    ("\n\n - \n...", []),
])
def test_sentences_split_where_a_reader_would(text, expected):
    found = sentences(text)
    assert [s.text for s in found] == expected
    assert all(text[s.start:s.end] == s.text for s in found)


@pytest.mark.parametrize("text, phrase", [
    ("Việc sinh hoạt chuyên đề có lúc còn hình thức.", "sinh hoạt chuyên đề"),
    ("Tinh thần tự phê bình và phê bình chưa cao.", "tự phê bình"),
    ("Đa số đảng viên nhận thức rõ.", "đảng viên"),
    ("Dự thảo nghị quyết gửi trước.", "nghị quyết"),
    ("Công tác chuẩn bị được cấp ủy quan tâm.", "cấp ủy"),
    ("Công tác chuẩn bị được cấp uỷ quan tâm.", "cấp ủy"),
    ("Bí thư chi bộ chủ động.", "chi bộ"),
    ("SINH HOẠT CHUYÊN ĐỀ", "sinh hoạt chuyên đề"),
])
def test_known_phrases_are_terms(text, phrase):
    assert phrase in terms(text)


@pytest.mark.parametrize("text", [
    "Tuy nhiên, bên cạnh đó vẫn còn một số hạn chế của các chi bộ.",
    "Ngoài ra, đồng thời việc đó đã được cho theo về với những người có trong đó.",
])
def test_function_words_and_single_syllables_are_no_terms(text):
    found = terms(text)
    assert not found & {"tuy nhiên", "bên cạnh", "bên cạnh đó", "một số", "ngoài ra", "đồng thời", "của", "các",
                        "và", "được", "đã", "việc", "còn", "có", "cho", "với", "theo", "về", "trong"}
    assert all(" " in term for term in found)


def test_question_words_are_left_out_of_key_phrases():
    own = question_words("Ưu điểm và nguyên nhân")
    assert {"ưu điểm", "nguyên nhân"} <= own
    by_unit = [(unit, terms("Ưu điểm: chi bộ duy trì nền nếp sinh hoạt. Nguyên nhân: cấp ủy quan tâm."))
               for unit in ("a", "b", "c")]
    found = dict(key_phrases(by_unit, exclude=own, limit=50))
    assert "ưu điểm" not in found and "nguyên nhân" not in found
    assert found["nền nếp"] == found["cấp ủy"] == 3


def test_key_phrases_count_units_once_and_need_two():
    by_unit = [("a", terms("Chi bộ tổ chức sinh hoạt chuyên đề. Sinh hoạt chuyên đề hằng quý.")),
               ("b", terms("Sinh hoạt chuyên đề còn hình thức, đảng viên ngại phát biểu.")),
               ("c", terms("Đảng viên tham gia sinh hoạt chuyên đề đầy đủ.")),
               ("c", terms("Đảng viên tham gia sinh hoạt chuyên đề đầy đủ.")),
               ("d", terms("Bí thư chi bộ điều hành linh hoạt."))]
    found = key_phrases(by_unit, limit=3)
    assert found[0] == ("sinh hoạt chuyên đề", 3), "its parts, used by as many units, are left out"
    assert found == sorted(found, key=lambda pair: (-pair[1], pair[0]))
    assert all(count >= 2 for _, count in key_phrases(by_unit, limit=100))
    assert "điều hành" not in dict(key_phrases(by_unit, limit=100))


def test_analysis_goes_to_columns_and_back():
    analysis = analyse(ANSWER)
    columns = analysis.columns()
    assert isinstance(columns["signature"], bytes) and len(columns["signature"]) == 256
    assert TextAnalysis.from_columns(columns) == analysis
    assert len(analysis.sentence_terms) == len(sentences(ANSWER)) == 8
    assert "sinh hoạt chuyên đề" in analysis.terms and "tự phê bình" in analysis.sentence_terms[4]
    assert analyse(f"  {ANSWER.replace('. ', '.  ')}\n").digest == analysis.digest


def test_signature_is_the_same_in_every_process():
    # Stored signatures are compared with new ones: a changed seed or scheme would split every group.
    assert signature(fold("Chi bộ duy trì nền nếp sinh hoạt định kỳ")).hex()[:32] == (
        "aef81b0f1cc9e027313e280eb67de313")


def _copies(*texts):
    return copy_groups((key, signature(fold(text)), digest(text)) for key, text in texts)


def _one_sentence_changed(text):
    cut = sentences(text)[3]
    return text[:cut.start] + "Chi bộ tổ chức sinh hoạt chuyên đề về cải cách hành chính vào tháng 6." + text[cut.end:]


@pytest.mark.parametrize("copy", [
    ANSWER.replace(" ", "  ").replace(". ", ".\n"),
    ANSWER.upper(),
    _one_sentence_changed(ANSWER),
    unicodedata.normalize("NFD", ANSWER),
])
def test_copies_are_grouped(copy):
    groups = _copies(("a", ANSWER), ("other", SAME_PHRASES_OTHER_ANSWER), ("b", copy))
    assert [group.keys for group in groups] == [("a", "b")]
    assert groups[0].representative == "a"


@pytest.mark.parametrize("changed", range(8))
def test_an_answer_of_short_sentences_with_one_changed_is_a_copy(changed):
    # Sentences of some 14 words: one changed leaves a Jaccard of 0.73-0.82 on 3-shingles.
    answer = SENTENCES[:8]
    new = "Chi bộ tổ chức sinh hoạt chuyên đề về cải cách hành chính vào tháng 6."
    copy = (*answer[:changed], new, *answer[changed + 1:])
    groups = _copies(("a", " ".join(answer)), ("b", " ".join(copy)))
    assert [group.keys for group in groups] == [("a", "b")]


def test_answers_of_the_same_stock_phrases_are_not_copies():
    assert similarity(signature(fold(ANSWER)), signature(fold(SAME_PHRASES_OTHER_ANSWER))) < COPY_THRESHOLD / 2
    stock = [(f"cell {i}", " ".join(SENTENCES[i:i + 3] + SENTENCES[i + 5:i + 7])) for i in range(4)]
    assert _copies(*stock) == []


def test_copies_of_copies_are_one_group_and_empty_texts_group_by_digest():
    groups = _copies(("a", ANSWER), ("b", _one_sentence_changed(ANSWER)), ("c", ANSWER), ("e1", ""), ("e2", " "))
    assert [set(group.keys) for group in groups] == [{"a", "b", "c"}, {"e1", "e2"}]


def _units(*texts):
    return [(f"unit {n}", [(s.text, terms(s.text)) for s in sentences(text)]) for n, text in enumerate(texts)]


def test_representatives_pick_what_many_units_wrote():
    shared = "Chi bộ duy trì nền nếp sinh hoạt định kỳ hằng tháng."
    close = "Chi bộ luôn duy trì nền nếp sinh hoạt định kỳ."
    texts = [f"{shared} {SENTENCES[n]}" for n in range(6)] + [f"{close} Đảng viên lớn tuổi ngại đi họp."]
    picks = representative_sentences(_units(*texts), limit=3)
    assert picks[0].text == shared and picks[0].unit_count == 7 and picks[0].unit == "unit 0"
    assert all(pick.text != close for pick in picks), "a pick close to an earlier one is skipped"
    assert all(pick.unit_count == 1 for pick in picks[1:])
    # unit 0's own second sentence is close to the first pick: the next picks are units 1's and 2's
    assert [pick.unit for pick in picks[1:]] == ["unit 1", "unit 2"]


def test_representatives_count_identical_sentences_of_one_unit_once():
    units = [*_units(ANSWER, ANSWER), ("same unit again", _units(ANSWER)[0][1] * 2)]
    picks = representative_sentences(units, limit=8)
    assert len(picks) == 8 and {pick.unit_count for pick in picks} == {3}


def test_representatives_look_past_sentences_of_the_same_terms():
    # 300 units write one sentence with their own number: one set of terms in 300 distinct sentences, all
    # more central than the 50 units' sentence, which must still be the second pick.
    texts = [f"Chi bộ duy trì nền nếp sinh hoạt định kỳ vào ngày {n} hằng tháng." for n in range(300)]
    texts += ["Đảng viên lớn tuổi, ở xa, việc đi lại khó khăn ảnh hưởng đến tỷ lệ tham gia."] * 50
    picks = representative_sentences(_units(*texts), limit=2)
    assert [pick.unit_count for pick in picks] == [300, 50]


def test_representatives_of_nothing():
    assert representative_sentences([], limit=5) == []
    assert representative_sentences(_units("", "Chi bộ.", "Hết."), limit=5) == []


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_analysed_without_fault(text):
    analysis = analyse(text)
    assert TextAnalysis.from_columns(analysis.columns()) == analysis
    assert all(text[s.start:s.end] == s.text for s in sentences(text))
    key_phrases([("a", analysis.terms), ("b", analysis.terms)], limit=5)
    representative_sentences(_units(text, text), limit=3)
    copy_groups([("a", analysis.signature, analysis.digest), ("b", analysis.signature, analysis.digest)])
