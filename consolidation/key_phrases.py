"""The key phrases of an item: the terms most units used, each with the number of units that used it."""

from collections import Counter

#: A term one unit alone used says nothing about the scope.
MIN_UNITS = 2


def key_phrases(term_sets_by_unit, exclude=frozenset(), limit=20):
    """Return up to limit (term, unit count) pairs, most units first then by term, from (unit key, terms)
    pairs: each unit counted once per term, terms in exclude or used by fewer than MIN_UNITS units left out."""
    counts, seen = Counter(), set()
    for unit, unit_terms in term_sets_by_unit:
        if unit in seen:  # a unit's terms arrive once; a repeated key must not count twice
            continue
        seen.add(unit)
        counts.update(set(unit_terms))
    kept = [(term, count) for term, count in counts.items() if count >= MIN_UNITS and term not in exclude]
    return sorted(kept, key=lambda pair: (-pair[1], pair[0]))[:limit]
