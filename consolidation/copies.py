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
    """Return the groups of copies among items of (key, signature, SHA-256 hex digest), largest first; a
    group has two keys or more. Memory grows with the items' count alone (some 200 bytes an item)."""
    index = _CopyIndex(threshold)
    for key, sig, digest in items:
        index.add(key, sig, digest)
    return index.groups()


class _CopyIndex:
    """Every text's signature in one buffer, grouped at the end with numpy (locality-sensitive hashing).

    The bands are datasketch's MinHashLSH's choice for the threshold, weighted to miss few copies (16 bands
    of 4 values: a one-sentence change, Jaccard 0.75, shares a band 99.8% of the times, as in the stored
    bands of consolidation.answer_texts). Texts sharing a band are sorted next to each other; each is
    compared with the first and the previous text of its run, all pairs at once; identical texts (the same
    digest) are joined at once. MinHashLSH itself keeps a set and a bytes key per band and text (some 3 kB a
    text, 40 s for 50,000 texts); this keeps 128 bytes of the signature, 8 of the digest and the key.
    """

    #: Candidate pairs compared at once: each holds both signatures (256 bytes), so 4,096 of them take 1 MB
    #: whatever the number of texts (50,000 took 15 MB at 2,500 answers and 29 MB from some 6,000).
    PAIRS_AT_ONCE = 4_096

    def __init__(self, threshold):
        lsh = MinHashLSH(threshold=threshold, num_perm=PERMUTATIONS, weights=(0.1, 0.9))
        self.bands, self.rows = lsh.b, lsh.r
        self.least_equal = threshold * PERMUTATIONS
        self.keys, self.digests, self.signatures = [], array("Q"), bytearray()
        #: 1 for a text without a word, whose signature resembles every other such text's: never compared.
        self.empty = bytearray()

    def add(self, key, sig, digest):
        values = _values(sig)
        self.keys.append(key)
        self.digests.append(int(digest[:16], 16))  # 64 bits of the hex digest: no collision among a province's
        # The low 16 bits of each value (b-bit minwise hashing): two different values agree there once in
        # 65,536, which moves an estimated similarity by some 0.00002, for half the memory.
        self.signatures += values.astype("<u2").tobytes()
        self.empty.append(_is_empty(values))

    def groups(self):
        signatures = np.frombuffer(self.signatures, dtype="<u2").reshape(-1, PERMUTATIONS)
        parent = array("q", range(len(signatures)))
        for first, second in self._same_digest_pairs():
            _join(parent, first, second)
        for first, second in self._close_pairs(signatures):
            _join(parent, int(first), int(second))
        roots = np.fromiter((_root(parent, text) for text in range(len(parent))), dtype=np.int64, count=len(parent))
        # Only the texts in a group of two or more are gathered: most of a province's texts are in none.
        shared, counts = np.unique(roots, return_counts=True)
        grouped = set(shared[counts > 1].tolist())
        members = {}
        for text in np.flatnonzero(np.isin(roots, list(grouped))).tolist():
            members.setdefault(int(roots[text]), []).append(self.keys[text])
        found = [CopyGroup(tuple(keys)) for keys in members.values()]
        return sorted(found, key=lambda group: -len(group.keys))

    def _same_digest_pairs(self):
        """Yield (first text, text) for every text whose digest an earlier text has."""
        digests = np.frombuffer(self.digests, dtype=np.uint64) if self.digests else np.zeros(0, dtype=np.uint64)
        _unique, first, inverse = np.unique(digests, return_index=True, return_inverse=True)
        for text in np.flatnonzero(first[inverse] != np.arange(len(digests))).tolist():
            yield int(first[inverse[text]]), text

    def _close_pairs(self, signatures):
        """Yield the pairs of texts close enough to be copies, a band at a time: a pair sharing several bands
        is compared once in each, which costs less than holding every band's pairs to drop the repeats (at
        25,000 texts of a province, 400,000 pairs took 60 MB)."""
        for pairs in self._candidate_pairs(signatures):
            for start in range(0, len(pairs), self.PAIRS_AT_ONCE):
                chunk = pairs[start:start + self.PAIRS_AT_ONCE]
                equal = (signatures[chunk[:, 0]] == signatures[chunk[:, 1]]).sum(axis=1)
                yield from chunk[equal >= self.least_equal]

    def _candidate_pairs(self, signatures):
        """Yield, band by band, the pairs of texts sharing it: each with the first and the previous of its run."""
        texts = np.flatnonzero(np.frombuffer(self.empty, dtype=np.uint8) == 0)
        for band in range(self.bands):
            keys = _band_keys(signatures[texts, band * self.rows:(band + 1) * self.rows])
            order = np.argsort(keys, kind="stable")
            ordered, sorted_texts = keys[order], texts[order]
            same = np.flatnonzero(ordered[1:] == ordered[:-1]) + 1
            run_starts = np.maximum.accumulate(np.where(np.r_[True, ordered[1:] != ordered[:-1]],
                                                        np.arange(len(ordered)), 0))
            pairs = np.concatenate([np.stack([sorted_texts[same - 1], sorted_texts[same]], axis=1),
                                    np.stack([sorted_texts[run_starts[same]], sorted_texts[same]], axis=1)])
            yield pairs[pairs[:, 0] != pairs[:, 1]]


def _band_keys(rows):
    """Return one 64-bit key per text for its values in a band (FNV-1a over the values; collisions are
    harmless, every candidate pair is compared)."""
    keys = np.full(len(rows), 0xCBF29CE484222325, dtype=np.uint64)
    for column in rows.T:
        keys = (keys ^ column.astype(np.uint64)) * np.uint64(0x100000001B3)
    return keys


def _root(parent, text):
    while parent[text] != text:
        parent[text] = parent[parent[text]]
        text = parent[text]
    return text


def _join(parent, first, second):
    a, b = _root(parent, first), _root(parent, second)
    if a != b:
        parent[max(a, b)] = min(a, b)


def _values(sig):
    return np.frombuffer(sig, dtype="<u4")


def _is_empty(values):
    return bool((values == np.uint32(0xFFFFFFFF)).all())
