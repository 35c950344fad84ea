"""Narrative analysis of one item at province scale: representative sentences, copies and key phrases.

    .venv/bin/python bench/narrative_analysis.py [--sizes 5000,50000]

Synthetic answers of 8 sentences per unit, each sentence built from fragments of report text so that most
sentences are distinct, with a tenth of the units sending a copy of another's answer (one sentence changed
in half of them). Terms come from segmenting the fragments once (segmenting every text is the job of the
save, not of this step). Prints each step's time, and its tracemalloc peak from a second run; no verdict.
"""

import argparse
import random
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from consolidation.copies import copy_groups, signature
from consolidation.key_phrases import key_phrases
from consolidation.representatives import representative_sentences
from consolidation.segmentation import terms
from consolidation.text_folding import digest, fold

SUBJECTS = ("Chi bộ", "Cấp ủy", "Đảng viên", "Bí thư chi bộ", "Ban chi hành", "Đa số đảng viên", "Chi ủy",
            "Tổ đảng", "Đảng ủy cơ sở", "Các đồng chí đảng viên")
PREDICATES = ("duy trì nền nếp sinh hoạt định kỳ", "chuẩn bị chu đáo nội dung sinh hoạt",
              "thực hiện nghiêm tự phê bình và phê bình", "tổ chức sinh hoạt chuyên đề", "bám sát nhiệm vụ chính trị",
              "phát huy dân chủ trong sinh hoạt", "quán triệt nghị quyết của cấp trên", "tăng cường kiểm tra giám sát",
              "còn ngại phát biểu ý kiến", "chưa chọn được chủ đề sát thực tế", "nâng cao chất lượng sinh hoạt",
              "gửi trước dự thảo nghị quyết", "đánh giá xếp loại đảng viên", "phân công nhiệm vụ cho đảng viên",
              "giữ mối liên hệ với nơi cư trú", "thực hiện quy chế dân chủ ở cơ sở", "học tập và làm theo tư tưởng",
              "giải quyết kiến nghị của nhân dân", "phát triển đảng viên mới", "theo dõi việc thực hiện nghị quyết")
COMPLEMENTS = ("hằng tháng", "theo hướng dẫn của Ban Tổ chức Trung ương", "trong năm qua", "ở địa phương",
               "tại khu dân cư", "một cách thường xuyên", "theo kế hoạch của cấp ủy", "vào ngày 05 hằng tháng",
               "với nhiều hình thức phong phú", "nhưng hiệu quả chưa cao", "gắn với nhiệm vụ chính trị",
               "theo Chỉ thị số 10-CT/TW", "đúng quy định của Điều lệ Đảng", "còn mang tính hình thức",
               "được nhân dân đồng tình", "trong điều kiện khó khăn", "ở nhiều chi bộ", "có chất lượng",
               "bảo đảm thời gian", "theo chuyên đề hằng quý")


def synthetic(units, seed=1):
    """Yield (unit, [(sentence, terms)], text) for units answers, a tenth of them copies of another's."""
    rng = random.Random(seed)
    cache = {f: terms(f) for f in SUBJECTS + PREDICATES + COMPLEMENTS}
    answers = []
    for unit in range(units):
        if answers and rng.random() < 0.1:
            answer = list(rng.choice(answers))
            if rng.random() < 0.5:
                answer[rng.randrange(len(answer))] = _sentence(rng, cache)
        else:
            answer = [_sentence(rng, cache) for _ in range(8)]
        answers.append(answer)
        yield unit, answer, " ".join(text for text, _ in answer)


def _sentence(rng, cache):
    parts = (rng.choice(SUBJECTS), rng.choice(PREDICATES), rng.choice(COMPLEMENTS))
    return f"{' '.join(parts)} ({rng.randrange(1, 30)}).", frozenset().union(*(cache[p] for p in parts))


def measured(label, step, traced=True):
    """Run step, print its time, then run it again under tracemalloc (which slows it) for its peak."""
    started = time.perf_counter()
    result = step()
    seconds, peak = time.perf_counter() - started, 0
    if traced:
        tracemalloc.start()
        step()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    print(f"  {label:<28} {seconds:7.2f} s" + (f"   peak {peak / 1e6:7.1f} MB" if traced else ""))
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,50000", help="numbers of units, comma-separated")
    for units in map(int, parser.parse_args().sizes.split(",")):
        province(list(synthetic(units)))


def province(answers):
    """Measure each step on one province's answers to one item."""
    print(f"{len(answers):,} units, {sum(len(a) for _, a, _ in answers):,} sentences")
    texts = measured("signatures (once per text)", lambda: [(u, signature(fold(t)), digest(t)) for u, _, t in answers],
                     traced=False)
    groups = measured("copy groups", lambda: copy_groups(texts))
    print(f"  {len(groups)} groups holding {sum(len(g.keys) for g in groups):,} units")
    unit_terms = [(u, frozenset().union(*(ts for _, ts in a))) for u, a, _ in answers]
    measured("key phrases", lambda: key_phrases(unit_terms, limit=20))
    picks = measured("representative sentences", lambda: representative_sentences(
        ((u, a) for u, a, _ in answers), limit=5))
    for pick in picks:
        print(f"    {pick.unit_count:>6} units: {pick.text}")


if __name__ == "__main__":
    main()
