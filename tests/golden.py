"""The golden extraction snapshot: what the extractor says about a fixed sample of annotated corpus records.

The sample (`data/golden-records.jsonl`, answers) and its hand-made facts (`data/golden-gold.jsonl`) are copied from
../shared so that a clone without it still runs a real extraction and quality test; `data/golden-extraction.jsonl`
is the extractor's output on the sample, one sorted JSON line per record. Refactors keep it byte-identical;
a change that means to alter extraction regenerates it and says so in its commit:

    python tests/golden.py            # re-copy the sample from ../shared and rewrite the snapshot
    python tests/golden.py --snapshot # rewrite the snapshot only, from the sample in tests/data
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from dlkg.extract import Extractor, PaperFacts
from dlkg.ingest import read_papers
from dlkg.vocabulary import load_vocabulary

from conftest import DATA, SHARED

RECORDS, GOLD, SNAPSHOT = DATA / "golden-records.jsonl", DATA / "golden-gold.jsonl", DATA / "golden-extraction.jsonl"

# (answers file, gold file, which records): every writing style, DL and non-DL papers, dev and unseen records
SAMPLE = [
    ("corpus/seed-study-answers.jsonl", "gold/seed-study-gold.jsonl", slice(0, 27, 9)),
    ("corpus/human-labelled/answers-mixtral_8_22b.jsonl", "gold/human-labelled-papers-gold-mixtral_8_22b.jsonl", slice(0, 1)),
    ("corpus/human-labelled/answers-llama-3.1_70b_groq.jsonl", "gold/human-labelled-papers-gold-llama-3.1_70b_groq.jsonl",
     slice(5, 6)),
    ("corpus/corpus-papers-gold-answers.jsonl", "gold/corpus-papers-gold.jsonl", slice(0, 64, 9)),
]


def copy_sample() -> None:
    """Copy the sample's answers and gold lines from ../shared into tests/data."""
    records, gold = [], []
    for answers_file, gold_file, which in SAMPLE:
        gold_lines = {(g["paper"], g.get("source")): line for line in (SHARED / gold_file).read_text().splitlines()
                      if (g := json.loads(line))}
        for line in (SHARED / answers_file).read_text().splitlines()[which]:
            record = json.loads(line)
            key = (record["id"], record["source"])
            match = gold_lines.get(key) or gold_lines.get((record["id"], None))
            if match is None:
                raise SystemExit(f"{gold_file}: no gold for {key}")
            records.append(line)
            gold.append(match)
    RECORDS.write_text("\n".join(records) + "\n", encoding="utf-8")
    GOLD.write_text("\n".join(gold) + "\n", encoding="utf-8")


def snapshot_line(facts: PaperFacts) -> str:
    """One record's extraction as a sorted JSON line: statuses, facts with evidence, settings."""
    return json.dumps({
        "paper": facts.paper.id, "source": facts.paper.source,
        "reported": sorted(r.answer.cq for r in facts.answers if r.reported),
        "not_reported": sorted(r.answer.cq for r in facts.answers if not r.reported),
        "facts": sorted(([f.concept, f.label, str(f.term.iri) if f.term else None, f.url,
                          [[e.cq, e.start, e.end, e.quote] for e in f.evidence]] for f in facts.facts), key=json.dumps),
        "settings": sorted(([str(s.name.iri), s.value_text, str(s.value), s.unit, s.evidence.cq, s.evidence.start,
                             s.evidence.end] for s in facts.settings), key=json.dumps),
    }, ensure_ascii=False, sort_keys=True)


def snapshot(records: Path = RECORDS) -> str:
    extractor = Extractor()
    problems: list = []
    lines = [snapshot_line(extractor.extract(p)) for p in read_papers([records], load_vocabulary().questions, problems.append)]
    if problems:
        raise SystemExit(f"{records}: {problems}")
    return "".join(line + "\n" for line in lines)


if __name__ == "__main__":
    if "--snapshot" not in sys.argv:
        copy_sample()
    SNAPSHOT.write_text(snapshot(), encoding="utf-8")
    print(f"wrote {SNAPSHOT}")
