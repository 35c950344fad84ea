"""Text folded for search and for comparing answers: case, diacritics and spacing set aside.

The same fold serves the index and the query, so that "sinh hoat chuyen de" finds "Sinh hoạt CHUYÊN ĐỀ".
"""

import hashlib
import itertools
import unicodedata


def collapsed(text):
    """Return text with every run of whitespace one space, without spaces at either end. (str.split knows
    the same white space as the regular expression \\s, at a fraction of its time on a long answer.)"""
    return " ".join(text.split())


def fold(text):
    """Return text lower-cased, without diacritics (đ as d) and with its whitespace collapsed.

    NFKD rather than NFD, as the unit search does (models.unit.fold_for_search): a full-width digit or a
    ligature typed by an odd keyboard folds to the plain letters a query holds. "đ" has no decomposition,
    so it is replaced by hand.
    """
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    # filterfalse calls the C function for each character, without a Python frame: a save folds every new text.
    return collapsed("".join(itertools.filterfalse(unicodedata.combining, decomposed)).casefold())


def normalised(text):
    """Return text in NFC with its whitespace collapsed: two copies that differ only there are one text."""
    return collapsed(unicodedata.normalize("NFC", text))


def digest(text):
    """Return the SHA-256 (hex) of the normalised text: the key under which its analysis is stored once."""
    return hashlib.sha256(normalised(text).encode("utf-8", "surrogatepass")).hexdigest()
