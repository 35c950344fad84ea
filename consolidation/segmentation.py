"""Vietnamese words and key terms of a text, from underthesea's word segmentation.

underthesea (bench/segmenters.py) keeps "tự phê bình", "sinh hoạt", "chuyên đề" whole, normalises the old
tone placement ("uỷ" as "ủy") and ships its model in the package; it is the slow part of an analysis
(some 140,000 characters a second on one core), so a text is segmented once, when its analysis is stored.

A key term is a word of two syllables or more, or a pair of adjacent words that the segmenter left apart
but that read as one name: two single syllables ("cấp ủy", "nền nếp") or two compound words ("sinh hoạt
chuyên đề", "chất lượng sinh hoạt"). Function words and numbers are never part of one.
"""

import unicodedata

from underthesea import word_tokenize

from consolidation.function_words import FUNCTION_WORDS
from plain_text import without_xml_unstorable


def words(text):
    """Return the words of text as the segmenter cuts them, lower-cased, syllables joined by a space."""
    # The segmenter encodes its input as UTF-8: a lone surrogate (or a control) would stop it.
    text = unicodedata.normalize("NFC", without_xml_unstorable(text or ""))
    return [word.lower() for word in word_tokenize(text)] if text.strip() else []


def terms(text):
    """Return the distinct key terms of text (a set): compound words and word pairs, no function words."""
    found, previous = set(), None
    for word in words(text):
        if not _content_word(word):
            previous = None
            continue
        if " " in word:
            found.add(word)
        pair = f"{previous} {word}" if previous is not None and (" " in previous) == (" " in word) else None
        if pair and pair not in FUNCTION_WORDS:
            found.add(pair)
        previous = word
    return found


def _content_word(word):
    """Tell whether a word may be part of a key term: made of letters, and not a function word."""
    return word not in FUNCTION_WORDS and all(syllable.isalpha() for syllable in word.split(" "))


def question_words(question_label):
    """Return the question's own terms and words, to be left out of its key phrases."""
    own = words(str(question_label))
    return terms(str(question_label)) | {word for word in own if _content_word(word)}
