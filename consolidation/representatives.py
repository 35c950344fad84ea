"""The representative sentences of an item: sentences close to what many units wrote, found in the texts.

Extractive: nothing is written, a sentence is chosen. Two sentences are close when the Jaccard similarity of
their key terms reaches CLOSE (half their terms in common, as "Chi bộ duy trì nền nếp sinh hoạt định kỳ" and
"Chi bộ duy trì sinh hoạt định kỳ hằng tháng" are). A sentence's score is the number of units that wrote a
sentence close to it.

Counting that for every sentence is quadratic, so it is counted for CANDIDATES_PER_PICK sentences a pick
only (MIN_CANDIDATES at least): those whose terms most units use (the mean of their terms' unit counts).
For each candidate the close sentences are found at once with numpy, over an inverted index (term ->
sentences) held in flat arrays. Identical sentences (same words, any case or spacing) are one sentence
with all their writers. The picks are then taken by score, a pick close to an earlier one skipped, so that
they say different things.
"""

from array import array
from dataclasses import dataclass, replace

import numpy as np

CLOSE = 0.5
#: A sentence of fewer key terms says too little to stand for others ("Chi bộ họp.").
MIN_TERMS = 2
CANDIDATES_PER_PICK, MIN_CANDIDATES = 20, 100
#: The most central sentences looked at per candidate, skipping those of a set of terms already taken.
SAME_TERMS_TRIED = 50


@dataclass(frozen=True)
class Representative:
    """A chosen sentence, the number of units that wrote something close to it, its first writer and its
    key terms."""

    text: str
    unit_count: int
    unit: object
    terms: frozenset


def representative_sentences(units_sentences, limit=5):
    """Return up to limit representative sentences, most units first, from (unit key, [(sentence text,
    terms)]) pairs: one pair per unit (one member per group of copies). A sentence's unit is the first of
    the units given that wrote it."""
    collected = _Sentences.read(units_sentences)
    if not collected.count:
        return []
    index = _Index(collected)
    scored = sorted(((index.close_units(s), -s) for s in index.most_central(limit * CANDIDATES_PER_PICK)),
                    reverse=True)
    return _distinct_picks(collected, index, scored, limit)


def _distinct_picks(collected, index, scored, limit):
    """Return the best-scored sentences, each far enough from the earlier picks."""
    picks = []
    for units, negative in scored:
        sentence = -negative
        if len(picks) == limit:
            break
        if units and all(index.jaccard(sentence, pick) < CLOSE for pick, _ in picks):
            picks.append((sentence, units))
    names = list(collected.term_ids)  # a term's id is its place in the dict
    return [Representative(collected.text(s), units, collected.units[collected.first_unit[s]],
                           frozenset(names[term] for term in index.terms_of(s).tolist())) for s, units in picks]


def units_close_to(picks, units_sentence_terms):
    """Return the picks (Representative) with their unit counts made over every unit: from one tuple of
    sentences' terms per unit, a unit counted once per pick it wrote a sentence close to; most units first."""
    counts = [0] * len(picks)
    for unit_sentences in units_sentence_terms:
        written = [set(terms) for terms in unit_sentences if len(terms) >= MIN_TERMS]
        for number, pick in enumerate(picks):
            if any(_close(pick.terms, terms) for terms in written):
                counts[number] += 1
    counted = [replace(pick, unit_count=count) for pick, count in zip(picks, counts, strict=True)]
    return sorted(counted, key=lambda pick: -pick.unit_count)


def _close(first, second):
    shared = len(first & second)
    return shared >= CLOSE * (len(first) + len(second) - shared)


class _Sentences:
    """Distinct sentences in flat arrays: their UTF-8 texts, term ids, writers (unit numbers), first writer."""

    def __init__(self):
        self.by_digest, self.term_ids, self.units = {}, {}, []
        self.texts, self.text_ends = bytearray(), array("q")
        self.first_unit, self.term_count = array("i"), array("i")
        self.posting_terms, self.posting_sentences = array("i"), array("i")
        self.writer_sentences, self.writer_units = array("i"), array("i")

    @property
    def count(self):
        return len(self.first_unit)

    @classmethod
    def read(cls, units_sentences):
        collected = cls()
        for unit, unit_sentences in units_sentences:
            collected.add_unit(unit, unit_sentences)
        return collected

    def add_unit(self, unit, unit_sentences):
        number, seen = len(self.units), set()
        self.units.append(unit)
        for text, sentence_terms in unit_sentences:
            sentence_terms = set(sentence_terms)
            if len(sentence_terms) < MIN_TERMS:
                continue
            sentence = self._sentence(text, sentence_terms, number)
            if sentence not in seen:
                seen.add(sentence)
                self.writer_sentences.append(sentence)
                self.writer_units.append(number)

    def _sentence(self, text, sentence_terms, unit):
        key = hash(" ".join(text.split()).casefold())  # 64 bits within one call: a collision is negligible
        sentence = self.by_digest.get(key)
        if sentence is None:
            sentence = self.by_digest[key] = self.count
            self.texts += text.encode("utf-8", "surrogatepass")
            self.text_ends.append(len(self.texts))
            self.first_unit.append(unit)
            self.term_count.append(len(sentence_terms))
            self.posting_terms.extend([self._term_id(term) for term in sentence_terms])
            self.posting_sentences.extend([sentence] * len(sentence_terms))
        return sentence

    def _term_id(self, term):
        found = self.term_ids.get(term)
        if found is None:
            found = self.term_ids[term] = len(self.term_ids)
        return found

    def text(self, sentence):
        start = self.text_ends[sentence - 1] if sentence else 0
        return self.texts[start:self.text_ends[sentence]].decode("utf-8", "surrogatepass")


def _grouped(keys, values, size):
    """Return values ordered by key and the offsets where each key's values start (a CSR layout)."""
    order = np.argsort(keys, kind="stable")
    return values[order], np.searchsorted(keys[order], np.arange(size + 1))


class _Index:
    """The sentences' terms and writers as numpy arrays, both ways: sentence -> terms, term -> sentences."""

    def __init__(self, collected):
        terms = np.frombuffer(collected.posting_terms, dtype=np.int32)
        sentences = np.frombuffer(collected.posting_sentences, dtype=np.int32)
        writers = np.frombuffer(collected.writer_sentences, dtype=np.int32)
        units = np.frombuffer(collected.writer_units, dtype=np.int32)
        count, term_count = collected.count, len(collected.term_ids)
        self.term_count = np.frombuffer(collected.term_count, dtype=np.int32)
        self.sentence_terms, self.sentence_offsets = _grouped(sentences, terms, count)
        self.term_sentences, self.term_offsets = _grouped(terms, sentences, term_count)
        self.units_of, self.unit_offsets = _grouped(writers, units, count)
        self.units_per_term = self._units_per_term(terms, sentences, term_count)

    def _units_per_term(self, terms, sentences, term_count):
        """Return for each term the number of units that used it (a unit counted once per term)."""
        writers = np.diff(self.unit_offsets)[sentences]
        pairs = np.repeat(terms.astype(np.int64), writers) * (len(self.unit_offsets) + 1)
        pairs += _rows(self.units_of, self.unit_offsets, sentences)
        return np.bincount(_distinct(pairs) // (len(self.unit_offsets) + 1), minlength=term_count)

    def terms_of(self, sentence):
        return self.sentence_terms[self.sentence_offsets[sentence]:self.sentence_offsets[sentence + 1]]

    def most_central(self, count):
        """Return up to count sentences (MIN_CANDIDATES at least) whose terms the most units use, on average,
        one per set of terms: sentences of the same terms ("... (3)", "... (28)") score alike and would
        crowd out the rest."""
        count = max(count, MIN_CANDIDATES)
        used = np.add.reduceat(self.units_per_term[self.sentence_terms], self.sentence_offsets[:-1])
        order = np.argsort(-(used / self.term_count), kind="stable")[:count * SAME_TERMS_TRIED]
        chosen, seen = [], set()
        for sentence in order.tolist():
            key = np.sort(self.terms_of(sentence)).tobytes()
            if key not in seen:
                seen.add(key)
                chosen.append(sentence)
                if len(chosen) == count:
                    break
        return chosen

    def jaccard(self, first, second):
        shared = np.intersect1d(self.terms_of(first), self.terms_of(second)).size
        return shared / (self.term_count[first] + self.term_count[second] - shared)

    def close_units(self, sentence):
        """Return the number of units that wrote a sentence close to this one (itself included)."""
        own = self.terms_of(sentence)
        others = _rows(self.term_sentences, self.term_offsets, own)
        found, shared = _counted(others)
        close = found[shared >= CLOSE * (len(own) + self.term_count[found] - shared)]
        return int(_distinct(_rows(self.units_of, self.unit_offsets, close)).size)


def _rows(values, offsets, rows):
    """Return the values of the given rows of a CSR layout, one after the other."""
    starts, lengths = offsets[rows], offsets[np.asarray(rows) + 1] - offsets[rows]
    within = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return values[np.repeat(starts, lengths) + within]


def _distinct(values):
    """Return the distinct values, sorted (np.unique hashes, slower here by ten times on millions)."""
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if ordered.size else ordered


def _counted(values):
    """Return the distinct values, sorted, and how many times each occurs."""
    ordered = np.sort(values)
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if ordered.size else np.empty(0, np.int64)
    return ordered[starts], np.diff(np.r_[starts, ordered.size])
