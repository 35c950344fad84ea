"""An answer cut into sentences, each with its place in the answer: for keyword in context and excerpts.

Lines are sentences of their own (reports list points one per line), a list marker ("-", "+", "•", "1.",
"2.1.", "a)", "II.") is not part of its sentence, and a sentence ends at ". ! ? ; …" followed by a space.
A full stop does not end one after an abbreviation ("TP. Hồ Chí Minh", "v.v.") nor before a lower-case
letter; numbers ("1,5", "2.500") hold no space after their dot, so they never end one.
"""

import re
from dataclasses import dataclass

LINE = re.compile(r"[^\n\r\u2028\u2029]+")
LIST_MARKER = re.compile(r"\s*(?:[-+•*–]|\d{1,3}(?:\.\d{1,3})*[.)]|[a-zđ][.)]|[IVXLC]{1,6}\.)(?=\s)\s*")
END = re.compile(r"[.!?;…]+[\"”’)\]]*(?=\s|$)")
#: Abbreviations a full stop follows inside a sentence, folded to lower case.
ABBREVIATIONS = frozenset({"tp", "tt", "tx", "q", "p", "h", "x", "ts", "ths", "pgs", "gs", "bs", "ks", "cn",
                           "đ/c", "đ/n", "v.v", "vv", "ubnd", "hđnd", "st", "nxb", "tr", "k/g"})
WORD = re.compile(r"\w")


@dataclass(frozen=True)
class Sentence:
    """A sentence of an answer: its text and where it lies, so that text[start:end] == sentence.text."""

    text: str
    start: int
    end: int


def sentences(text):
    """Return the sentences of text in order, each with its offsets in text; none for empty text."""
    found = []
    for line in LINE.finditer(text or ""):
        marker = LIST_MARKER.match(line.group())
        start = line.start() + (marker.end() if marker else 0)
        found.extend(_sentences_of_line(text, start, line.end()))
    return found


def _sentences_of_line(text, start, stop):
    """Yield the sentences of one line between start and stop."""
    for end in _ends(text, start, stop):
        piece = _stripped(text, start, end)
        if piece:
            yield piece
        start = end


def _ends(text, start, stop):
    """Yield where each sentence of the line ends (after its punctuation), the line's end last."""
    for mark in END.finditer(text, start, stop):
        if _ends_sentence(text, mark, stop):
            yield mark.end()
    yield stop


def _ends_sentence(text, mark, stop):
    """Tell whether this punctuation ends a sentence rather than an abbreviation."""
    if not mark.group().startswith("."):
        return True
    word = text[:mark.start()].rsplit(None, 1)[-1].casefold() if mark.start() else ""
    if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
        return False
    following = text[mark.end():stop].lstrip()[:1]
    return not following.islower()


def _stripped(text, start, end):
    """Return the sentence between start and end without surrounding spaces, or None if it has no word."""
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip())
    piece = piece.strip()
    if not WORD.search(piece):
        return None
    return Sentence(piece, start + lead, start + lead + len(piece))
