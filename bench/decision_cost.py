"""What the learned decision costs a build: `dlkg build` with the shipped model against `--rules-only`, alternating
runs on the same input (wall time, process start included), and in one process the time of each step (candidates,
fact features with the word model's tokens, the word model, the trees, the Reported call).

    python bench/decision_cost.py [ANSWERS.jsonl] [--runs 3]    # default: ../shared's 64 annotated corpus records
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dlkg.extract import Extractor
from dlkg.ingest import read_papers

SHARED = Path(__file__).resolve().parents[2] / "shared"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("answers", nargs="?", type=Path, default=SHARED / "corpus/corpus-papers-gold-answers.jsonl")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    walls: dict[str, list[float]] = {"rules": [], "learned": []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            for name, extra in (("rules", ["--rules-only"]), ("learned", [])):
                t0 = time.perf_counter()
                subprocess.run([sys.executable, "-m", "dlkg.cli", "build", str(args.answers), "-o", f"{tmp}/kg.nt", "-q",
                                *extra], check=True)
                walls[name].append(time.perf_counter() - t0)
    rules, learned = statistics.median(walls["rules"]), statistics.median(walls["learned"])
    print(f"dlkg build {args.answers.name}, median of {args.runs}: rules-only {rules:.2f} s, learned {learned:.2f} s "
          f"(+{100 * (learned / rules - 1):.0f}%)")

    extractor = Extractor()
    assert extractor.decision is not None and extractor.decision.models.facts is not None
    papers = list(read_papers([args.answers], extractor.vocabulary.questions, lambda e: None))
    t0 = time.perf_counter()
    candidates = [extractor.candidates(p) for p in papers]
    t1 = time.perf_counter()
    rows = [extractor.features.rows(c) for c in candidates]
    t2 = time.perf_counter()
    words = extractor.decision.models.facts.words
    if words is not None:
        for r in rows:
            for (_, row, _), p in zip(r, words.probabilities([docs for _, _, docs in r])):
                row["words"] = p
    t3 = time.perf_counter()
    for r in rows:
        extractor.decision.models.facts.probabilities([row for _, row, _ in r])
    t4 = time.perf_counter()
    for c in candidates:
        extractor.decision.results(c)
    t5 = time.perf_counter()
    print(f"in one process, {len(papers)} records: parsing and candidates {t1 - t0:.2f} s, fact features and the word "
          f"model's tokens {t2 - t1:.2f} s, word model {t3 - t2:.2f} s, trees {t4 - t3:.2f} s, Reported decision {t5 - t4:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
