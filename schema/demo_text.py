"""The demo's narrative answers: sentences per question from demo/narratives.json, drawn so that units share some.

The bank is data an editor reads and extends (docs of its format in its own "_about" key), so it lives in a JSON
file beside the demo's unit lists, read here once; a question it does not list (an administrator may add one)
draws from its "_default" sentences. Earlier sentences of a question are drawn more often (weights 1/rank^ZIPF),
so that many units write the same sentences and phrases, as real reports do; each answer also holds one "fact", a
sentence full of slots (years, months, places, figures), which keeps two units' answers apart unless one copied
the other (demo.province makes those copies).
"""

import bisect
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

NARRATIVES = Path(__file__).resolve().parent.parent / "demo" / "narratives.json"
#: The bank's sentences for questions it does not name.
DEFAULT = "_default"
#: How steeply the preference falls from a question's first sentences to its last: the r-th weighs 1/r^ZIPF.
ZIPF = 0.8
#: A slot in a sentence, "{noi}": replaced by one of the bank's "_slots" values of that name.
SLOT = re.compile(r"\{(\w+)\}")
#: Between two sentences of an answer: where a copy is cut into its sentences again.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Template:
    """A sentence ready to fill fast (a demo province of 50,000 units fills some two million): its text with a
    "{}" for each slot, and each slot's values."""

    text: str
    slots: tuple

    def filled(self, rng):
        """Return the sentence, each slot replaced by one of its values."""
        if not self.slots:
            return self.text
        return self.text.format(*[values[int(rng.random() * len(values))] for values in self.slots])


@dataclass(frozen=True)
class Bank:
    """One question's sentences and facts as in the bank, their templates, the sentences' cumulative weights,
    and how many sentences make an answer when the bank says."""

    sentences: tuple
    facts: tuple
    templates: tuple
    fact_templates: tuple
    cum_weights: tuple
    count: tuple | None

    def sentence_indices(self, rng, count):
        """Return `count` different indices of sentences (all of them at most), drawn by weight, in order."""
        count, cum_weights, random = min(count, len(self.sentences)), self.cum_weights, rng.random
        picked = set()
        while len(picked) < count:
            picked.add(bisect.bisect(cum_weights, random()))
        return sorted(picked)


@functools.cache
def banks():
    """Return the banks by question id (DEFAULT among them) and the slots' values by name, read once."""
    data = json.loads(NARRATIVES.read_text(encoding="utf-8"))
    slots = {name: slot_values(values) for name, values in data["_slots"].items()}
    default_facts = data[DEFAULT].get("facts", [])
    found = {}
    for question_id, entry in data.items():
        if question_id in ("_about", "_slots"):
            continue
        sentences, facts = tuple(entry["sentences"]), tuple(entry.get("facts", default_facts))
        unknown = {name for sentence in sentences + facts for name in SLOT.findall(sentence)} - set(slots)
        if unknown:
            raise ValueError(f"{NARRATIVES.name}: {question_id} uses unknown slots {sorted(unknown)}")
        found[question_id] = Bank(sentences, facts, templates(sentences, slots), templates(facts, slots),
                                  zipf_cum_weights(len(sentences)), tuple(entry["count"]) if "count" in entry else None)
    return found, slots


def templates(sentences, slots):
    """Return the Template of each of `sentences`."""
    return tuple(Template(SLOT.sub("{}", sentence), tuple(slots[name] for name in SLOT.findall(sentence)))
                 for sentence in sentences)


def slot_values(values):
    """Return a slot's values: those listed, or the whole numbers of {"from": a, "to": b} as text."""
    if isinstance(values, dict):
        return tuple(str(number) for number in range(values["from"], values["to"] + 1))
    return tuple(values)


def zipf_cum_weights(count):
    """Return the cumulative weights of `count` sentences, the r-th weighing 1/r^ZIPF, the last one 1 (so that a
    draw is random() bisected)."""
    weights, total = [], 0.0
    for rank in range(1, count + 1):
        total += 1 / rank ** ZIPF
        weights.append(total)
    return (*(weight / total for weight in weights[:-1]), 1.0)


def bank_for(question_id):
    """Return the question's bank, or the default one."""
    found, _slots = banks()
    return found.get(question_id) or found[DEFAULT]


def narrative_answer(question_id, rng, counts, max_length):
    """Return a demo answer to the question: `counts` (low, high) sentences of its bank unless the bank says how
    many, in the bank's order, one of them a fact at a random place; as many as fit in `max_length` (the first
    one cut if even it does not)."""
    bank = bank_for(question_id)
    low, high = bank.count or counts
    count = low + int(rng.random() * (high - low + 1))
    if not bank.facts:
        return joined_within([bank.templates[i].filled(rng) for i in bank.sentence_indices(rng, count)], max_length)
    sentences = [bank.templates[i].filled(rng) for i in bank.sentence_indices(rng, count - 1)]
    fact = bank.fact_templates[int(rng.random() * len(bank.facts))]
    sentences.insert(int(rng.random() * (len(sentences) + 1)), fact.filled(rng))
    return joined_within(sentences, max_length)


def joined_within(sentences, max_length):
    """Return the first of `sentences` that fit in `max_length` characters, joined by spaces (the first one cut
    to it if even that one is longer)."""
    answer = " ".join(sentences)
    if len(answer) <= max_length:
        return answer
    answer = sentences[0][:max_length]
    for sentence in sentences[1:]:
        if len(answer) + 1 + len(sentence) > max_length:
            break
        answer += " " + sentence
    return answer


def narrative_sentence(question_id, rng):
    """Return one sentence of the question's bank, drawn by weight, its slots filled."""
    bank = bank_for(question_id)
    return bank.templates[bank.sentence_indices(rng, 1)[0]].filled(rng)


def sentences_of(answer):
    """Return the sentences of a demo answer."""
    return SENTENCE_END.split(answer.strip())
