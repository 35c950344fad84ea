"""Vietnamese word segmenters side by side on our own texts: speed on one core, known phrases, install, memory.

    .venv/bin/python bench/segmenters.py [--seconds 3]

Each segmenter runs in a process of its own (its import time and memory are its own), limited to one thread.
The text is the demo's sentences and the shipped survey's labels and hints. Figures only, no verdict.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEGMENTERS = {"underthesea": ("underthesea", "word_tokenize"), "pyvi": ("pyvi.ViTokenizer", "tokenize")}
KNOWN_PHRASES = ("sinh hoạt chuyên đề", "tự phê bình và phê bình", "đảng viên", "nghị quyết", "cấp ủy", "chi bộ")


def corpus():
    """Return realistic report text: the demo's sentence banks, the survey's labels and hints, the known phrases."""
    sys.path.insert(0, str(ROOT))
    from schema.demo_text import banks
    from schema.loader import load_survey

    survey = load_survey(ROOT / "surveys" / "chi-thi-10.yaml")
    texts = [t.by_language["vi"] for q in survey.outline_questions() for t in (q.label, q.hint) if t]
    phrases = [f"Chi bộ đánh giá {phrase} trong năm." for phrase in KNOWN_PHRASES]
    sentences = [sentence for bank in banks()[0].values() for sentence in bank.sentences]
    return " ".join([*sentences, *texts, *phrases])


def words(name, text):
    """Return the words the segmenter finds in text, syllables joined by a space."""
    module, function = SEGMENTERS[name]
    segment = getattr(__import__(module, fromlist=[function]), function)
    found = segment(text)
    return [w.replace("_", " ") for w in (found.split() if isinstance(found, str) else found)]


def measure(name, seconds):
    """Measure one segmenter in this process and print its figures as JSON."""
    started = time.perf_counter()
    words(name, "Chi bộ.")
    imported = time.perf_counter() - started
    text = corpus()
    found = words(name, text)
    cpu, chars = time.process_time(), 0
    while time.process_time() - cpu < seconds:
        words(name, text)
        chars += len(text)
    print(json.dumps({
        "chars_per_s": chars / (time.process_time() - cpu), "first_call_s": imported,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "phrases": {p: _as_segmented(p, found) for p in KNOWN_PHRASES}}))


def _as_segmented(phrase, found):
    """Return how the phrase came out ("sinh hoạt|chuyên đề"), or "" when a word boundary cut into it."""
    for start, word in enumerate(found):
        if phrase.startswith(word):
            pieces = []
            for piece in found[start:]:
                pieces.append(piece)
                if " ".join(pieces) == phrase:
                    return "|".join(pieces)
                if not phrase.startswith(" ".join(pieces)):
                    break
    return ""


def installed(name):
    """Return the distributions name pulls in (itself included) and their size on disk in MB."""
    seen, todo = {}, [name]
    while todo:
        dist = _distribution(todo.pop())
        if dist is None or dist.metadata["Name"].lower() in seen:
            continue
        seen[dist.metadata["Name"].lower()] = sum((f.size or 0) for f in dist.files or ()) / 1e6
        todo += [r.split(";")[0].split("[")[0].split("<")[0].split(">")[0].split("=")[0].split("~")[0].strip()
                 for r in dist.requires or () if "extra ==" not in r]
    return seen


def _distribution(name):
    try:
        return metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="CPU seconds of segmenting per segmenter")
    parser.add_argument("--measure", choices=SEGMENTERS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return measure(args.measure, args.seconds)
    one_thread = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    print(f"text: {len(corpus()):,} characters")
    for name in SEGMENTERS:
        if _distribution(name) is None:
            print(f"{name}: not installed")
            continue
        run = subprocess.run([sys.executable, __file__, "--measure", name, "--seconds", str(args.seconds)],
                             env=one_thread, capture_output=True, text=True, check=True)
        figures = json.loads(run.stdout.strip().splitlines()[-1])
        pulled = installed(name)
        print(f"{name} {metadata.version(name)}: {figures['chars_per_s']:,.0f} chars/s on one core, "
              f"import + first call {figures['first_call_s']:.2f} s, peak RSS {figures['peak_rss_mb']:.0f} MB")
        print(f"  installs {sum(pulled.values()):.0f} MB in {len(pulled)} distributions: "
              + ", ".join(f"{d} {mb:.0f}" for d, mb in sorted(pulled.items(), key=lambda i: -i[1])))
        print("  known phrases: " + ", ".join(f"{p} -> {cut or 'CUT INSIDE A WORD'}"
                                              for p, cut in figures["phrases"].items()))


if __name__ == "__main__":
    main()
