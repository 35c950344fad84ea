"""Answers that are copies of one another: the same text, or nearly (a template pasted, a report copied).

A text's signature is a MinHash of its word 3-shingles over the folded text: 64 permutations of a fixed
seed, each value below 2**32, stored as 256 bytes, the same in every process. Identical texts (same digest)
are one group at once; others join when their estimated Jaccard similarity reaches COPY_THRESHOLD.

Why 0.6: in an answer of 8 sentences, changing one leaves a Jaccard of 0.73-0.82 on 3-shingles (sentences
of 14 to 20 words; changing two, about 0.6), while two answers written from the same stock phrases share
whole sentences only here and there and stay at 0.1-0.3 (tests/test_narrative_text.py measures both on
report texts). 0.8 would miss half the one-sentence changes. With 64 permutations the estimate's spread at
0.75 is about 0.05, so a one-sentence change is grouped some 99.7% of the time, and 0.3 never reads as 0.6.
"""

import re
from array import array
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash, MinHashLSH

PERMUTATIONS = 64
SEED = 20070330  # fixed forever, with the scheme: stored signatures are compared with new ones
SCHEME = "affine32"  # 32-bit values, so that a signature is 4 bytes a permutation
COPY_THRESHOLD = 0.6
SHINGLE = 3
WORD = re.compile(r"\w+")
_PERMUTATIONS = MinHash(num_perm=PERMUTATIONS, seed=SEED, scheme=SCHEME).permutations


@dataclass(frozen=True)
class CopyGroup:
    """Units that sent the same text or nearly: their keys in the order given, the first representing them."""

    keys: tuple

    @property
    def representative(self):
        return self.keys[0]


def signature(folded):
    """Return the MinHash of the folded text's word 3-shingles as 256 bytes (little-endian uint32)."""
    words = WORD.findall(folded)
    shingles = {" ".join(words[i:i + SHINGLE]) for i in range(max(len(words) - SHINGLE + 1, 1))} if words else ()
    minhash = MinHash(num_perm=PERMUTATIONS, seed=SEED, permutations=_PERMUTATIONS, scheme=SCHEME)
    minhash.update_batch([s.encode("utf-8", "surrogatepass") for s in shingles])
    return minhash.hashvalues.astype("<u4").tobytes()


def similarity(first, second):
    """Return the Jaccard similarity two signatures estimate (0 when either text has no word)."""
    a, b = _values(first), _values(second)
    if _is_empty(a) or _is_empty(b):
        return 0.0
    return float(np.count_nonzero(a == b)) / PERMUTATIONS


def copy_groups(items, threshold=COPY_THRESHOLD):
    """Return the groups of copies among items of (key, signature, digest), largest first; a group has
    two keys or more. Memory grows with the items' count alone (one LSH entry per distinct text)."""
    index = _CopyIndex(threshold)
    for key, sig, digest in items:
        index.add(key, sig, digest)
    return index.groups()


class _CopyIndex:
    """Distinct texts in LSH buckets, and the texts joined into groups (a union-find over distinct texts).

    The bands are datasketch's MinHashLSH's choice for the threshold, weighted to miss few copies (16 bands
    of 4 values: a one-sentence change, Jaccard 0.75, shares a band 99.8% of the times, as in the stored
    bands of consolidation.answer_texts); the buckets are kept here, one
    dict of 64-bit keys holding a few texts each, since MinHashLSH keeps a set and a bytes key per bucket
    and per text (some 3 kB a text, and 40 s to group 50,000 texts where this takes a second or two).
    """

    #: A bucket holds this many texts at most: a text joins a group through any of them.
    BUCKET_SIZE = 4

    def __init__(self, threshold):
        lsh = MinHashLSH(threshold=threshold, num_perm=PERMUTATIONS, weights=(0.1, 0.9))
        self.bands, self.rows = lsh.b, lsh.r
        self.least_equal = threshold * PERMUTATIONS
        self.text_of_digest, self.buckets, self.parent, self.keys = {}, {}, array("i"), []
        self.signatures = bytearray()

    def add(self, key, sig, digest):
        text = self.text_of_digest.get(digest)
        if text is None:
            text = self.text_of_digest[digest] = self._new_text(sig)
        self.keys.append((key, text))

    def _new_text(self, sig):
        text, values = len(self.parent), _values(sig)
        self.parent.append(text)
        if not _is_empty(values):
            self._join_close(text, values, self._candidates(text, values))
        self.signatures += values.tobytes()
        return text

    def _candidates(self, text, values):
        """Return the earlier texts sharing a bucket with this one, and put it in its buckets."""
        found, raw, width = set(), values.tobytes(), self.rows * 4
        for band in range(self.bands):
            bucket = self.buckets.setdefault(hash((band, raw[band * width:(band + 1) * width])), [])
            found.update(bucket)
            if len(bucket) < self.BUCKET_SIZE:
                bucket.append(text)
        return found

    def _join_close(self, text, values, candidates):
        """Join the text to every candidate whose signature is close enough, compared all at once."""
        if not candidates:
            return
        others = np.fromiter(candidates, dtype=np.int64, count=len(candidates))
        signatures = np.frombuffer(self.signatures, dtype="<u4").reshape(-1, PERMUTATIONS)
        equal = (signatures[others] == values).sum(axis=1)
        del signatures  # the buffer grows after this: no view of it may outlive the comparison
        for other in others[equal >= self.least_equal]:
            self._join(int(other), text)

    def _root(self, text):
        while self.parent[text] != text:
            self.parent[text] = self.parent[self.parent[text]]
            text = self.parent[text]
        return text

    def _join(self, first, second):
        a, b = self._root(first), self._root(second)
        if a != b:
            self.parent[max(a, b)] = min(a, b)

    def groups(self):
        members = {}
        for key, text in self.keys:
            members.setdefault(self._root(text), []).append(key)
        found = [CopyGroup(tuple(keys)) for keys in members.values() if len(keys) > 1]
        return sorted(found, key=lambda group: -len(group.keys))


def _values(sig):
    return np.frombuffer(sig, dtype="<u4")


def _is_empty(values):
    return bool((values == np.uint32(0xFFFFFFFF)).all())
