"""What is kept of one distinct answer text: computed once, stored once, never again for the same text.

A row stores `TextAnalysis.columns()` under its digest; `TextAnalysis.from_columns(row)` reads it back.
ANALYSIS_VERSION changes whenever the segmenter, the function words or the signature change, so that
stored rows of an older version are recomputed rather than compared with new ones.
"""

import functools
from dataclasses import dataclass

from consolidation.copies import signature
from consolidation.segmentation import terms
from consolidation.sentences import sentences
from consolidation.text_folding import digest, fold

ANALYSIS_VERSION = 1
#: Sentences whose terms a process keeps (some 20 MB).
SENTENCES_KEPT = 50_000
#: Terms are letters and spaces only (segmentation.terms), so neither separator can occur inside one. Each
#: sentence's terms end with SENTENCE_END, so that no sentence and one sentence without terms differ.
TERM_SEPARATOR, SENTENCE_END = "|", "\n"


@dataclass(frozen=True)
class TextAnalysis:
    """One text's analysis: its digest, folded text, key terms (sorted), MinHash signature, and the key terms
    of each of its sentences in the order of `sentences(text)`."""

    digest: str
    folded: str
    terms: tuple
    signature: bytes
    sentence_terms: tuple
    version: int = ANALYSIS_VERSION

    def columns(self):
        """Return the analysis as plain columns: strings, bytes and an integer."""
        return {"digest": self.digest, "folded": self.folded, "terms": TERM_SEPARATOR.join(self.terms),
                "sentence_terms": "".join(TERM_SEPARATOR.join(t) + SENTENCE_END for t in self.sentence_terms),
                "signature": bytes(self.signature), "version": self.version}

    @classmethod
    def from_columns(cls, row):
        """Return the analysis stored as `columns()` gave it (a mapping with the same names)."""
        return cls(digest=row["digest"], folded=row["folded"], terms=_split_terms(row["terms"]),
                   signature=bytes(row["signature"]), version=row["version"],
                   sentence_terms=stored_sentence_terms(row["sentence_terms"]))


def analyse(text):
    """Return the analysis of one answer text (empty text included)."""
    text = text or ""
    per_sentence = tuple(sentence_terms(s.text) for s in sentences(text))
    folded = fold(text)
    return TextAnalysis(digest=digest(text), folded=folded, signature=signature(folded),
                        terms=tuple(sorted({t for found in per_sentence for t in found})),
                        sentence_terms=per_sentence)


@functools.lru_cache(maxsize=SENTENCES_KEPT)
def sentence_terms(sentence):
    """Return a sentence's key terms, sorted. Kept per process: the same sentence in many answers (a
    template, a copy, a stock phrase) is segmented once."""
    return tuple(sorted(terms(sentence)))


def stored_sentence_terms(column):
    """Return the terms of each sentence from the stored `sentence_terms` column, in sentence order."""
    return tuple(_split_terms(line) for line in column.split(SENTENCE_END)[:-1])


def stored_terms(column):
    """Return a text's terms from the stored `terms` column."""
    return _split_terms(column)


def _split_terms(joined):
    return tuple(joined.split(TERM_SEPARATOR)) if joined else ()
