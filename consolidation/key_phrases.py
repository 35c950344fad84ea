"""The key phrases of an item: the terms most units used, each with the number of units that used it.

A term inside a longer one that exactly as many units used is left out: "chuyên đề" says nothing that
"sinh hoạt chuyên đề" does not say when every unit that wrote one wrote the other.
"""

from collections import Counter, defaultdict

#: A term one unit alone used says nothing about the scope.
MIN_UNITS = 2


def key_phrases(term_sets_by_unit, exclude=frozenset(), limit=20):
    """Return up to limit (term, unit count) pairs, most units first then by term, from (unit key, terms)
    pairs: each unit counted once per term, terms in exclude or used by fewer than MIN_UNITS units left out."""
    return most_used(_units_per_term(term_sets_by_unit), exclude, limit)


def most_used(counts, exclude=frozenset(), limit=20):
    """Return up to limit (term, unit count) pairs from a Counter of units per term, as key_phrases does."""
    by_count = defaultdict(list)
    for term, count in counts.items():
        if count >= MIN_UNITS and term not in exclude:
            by_count[count].append(term)
    found = []
    for count in sorted(by_count, reverse=True):
        found += [(term, count) for term in sorted(by_count[count]) if not _inside_another(term, by_count[count])]
        if len(found) >= limit:
            break
    return found[:limit]


def _units_per_term(term_sets_by_unit):
    counts, seen = Counter(), set()
    for unit, unit_terms in term_sets_by_unit:
        if unit in seen:  # a unit's terms arrive once; a repeated key must not count twice
            continue
        seen.add(unit)
        counts.update(set(unit_terms))
    return counts


def _inside_another(term, terms):
    padded = f" {term} "
    return any(other != term and padded in f" {other} " for other in terms)
