"""Out-of-fold extraction quality on every annotated record of ../shared (111 records, five writing styles).

Papers are split into k folds by a hash of their id (a paper's records, whichever LLM answered, share a fold); for
each fold the decision model is trained on the other folds only (its threshold from an inner split of those) and
decides the held-out papers. The held-out KGs are scored with dlkg's scorer (the matching rules of
../shared/tools/score_kg.py, which tests/test_evaluate.py checks it agrees with) per concept, per writing style and
overall; the rules alone (no model) are scored on the same records next to it. "learned" decides each record with
its paper's other answering LLMs' records beside it (as a build of the corpus, where they are adjacent); "alone"
decides the same records one by one (a build of one LLM's answers).

    python bench/quality.py                  # prints the tables; --json FILE keeps them; --kg-dir DIR writes the KGs
    python bench/quality.py --seeds 0,1,2    # also each seed's overall scores (3x the time): the spread is the noise
    python ../shared/tools/score_kg.py --gold ../shared/gold/corpus-papers-gold.jsonl --kg DIR/learned-corpus.nt --kg ontology/

The rules themselves were written by reading records of these files (the seed-study and human-labelled answers, and
since the 64 corpus records' gold was released, some of those): for the rules, every number here is in-sample. The
candidate rules of 2026-12-04 (values as written, own data, list headings, raw-data heads, names in rejected
sentences; then "name=value" tokens, sizes anywhere, the optimisation answer's optimiser; then counts of a network's
parts, each value of a list; in 2026-12-07, a power of ten with its exponent in brackets) were written reading records
of folds 0-2 only; folds 3 and 4 judge them unread (the "folds" table).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

from rdflib import Graph

from dlkg.evaluate import ConceptScore, load_gold_records, micro, predictions, score
from dlkg.extract import Extractor, PaperFacts
from dlkg.extract.decide import Decision, Models
from dlkg.graph import GraphBuilder
from dlkg.train import examples, fit, fit_reported, fold_of, pair_records, presence_examples
from dlkg.vocabulary import ontology_graph

SHARED = Path(__file__).resolve().parents[2] / "shared"
# (name, gold file, answers file) under ../shared
SETS = [
    ("seed", "gold/seed-study-gold.jsonl", "corpus/seed-study-answers.jsonl"),
    ("hl-mixtral", "gold/human-labelled-papers-gold-mixtral_8_22b.jsonl", "corpus/human-labelled/answers-mixtral_8_22b.jsonl"),
    ("hl-llama31", "gold/human-labelled-papers-gold-llama-3.1_70b_groq.jsonl",
     "corpus/human-labelled/answers-llama-3.1_70b_groq.jsonl"),
    ("corpus", "gold/corpus-papers-gold.jsonl", "corpus/corpus-papers-gold-answers.jsonl"),
]
# every record of ../shared, so that a record meets the other answering LLMs' records of its paper (as a build of the
# corpus does, where a paper's five records are adjacent)
ALL_ANSWERS = ["corpus/answers-434-papers-5-llms.jsonl.gz", *(f"corpus/human-labelled/answers-{s}.jsonl" for s in (
    "gemma2-9b-it_groq", "llama-3_70b_groq", "llama-3.1_70b_groq", "mixtral_8_22b", "mixtral_8_7b_groq")),
    "corpus/seed-study-answers.jsonl"]
NOT_ATTRIBUTED = ("DeepLearningModel", "Framework", "Hyperparameter")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--json", type=Path, help="write the scores here")
    ap.add_argument("--kg-dir", type=Path, help="write each set's out-of-fold KG here (N-Triples), for score_kg.py")
    ap.add_argument("--seeds", default="0", help="seeds of the trees' draws of candidates, comma-separated (e.g. 0,1,2): "
                    "the tables are the first seed's; each seed's overall scores are printed, so that a change smaller "
                    "than their spread can be told from the seed's luck")
    args = ap.parse_args()
    extractor = Extractor(model=False)
    records = []  # (set name, candidates, gold record)
    for name, gold_file, answers in SETS:
        gold = {(r["paper"], r.get("source")): r for r in load_gold_records(SHARED / gold_file)}
        others = [SHARED / a for a in ALL_ANSWERS if a != answers]
        for c, _ in pair_records([SHARED / gold_file], [SHARED / answers, *others], extractor):
            records.append((name, c, gold[c.paper.id, c.paper.source]))
    exs, counts = examples([(c, g["concepts"]) for _, c, g in records], extractor, alone_too=True)
    print(f"{len(records)} records, {len(exs)} candidates, {sum(bool(e.matches) for e in exs)} match gold", file=sys.stderr)
    # the most any decision can find: the gold items that some candidate of their record matches
    gold_items = sum(n for (_, source), n in counts.items() if not source.endswith("#alone"))
    reachable = len({(e.record, e.concept, i) for e in exs if not e.record[1].endswith("#alone") for i in e.matches})

    rules = {id(c): extractor.decide(c) for _, c, _ in records}
    seeds = [int(s) for s in args.seeds.split(",")]
    learned, alone, thresholds, decide_seconds = decide_out_of_fold(extractor, records, exs, counts, args.folds, seeds[0])
    results = {"folds": args.folds, "thresholds": thresholds, "decide_seconds": round(decide_seconds, 2),
               "records": len(records), "candidate_recall": round(reachable / gold_items, 3),
               "presence": presence(extractor, args.folds)}
    for method, decided in (("rules", rules), ("learned", learned), ("alone", alone)):
        results[method] = evaluate(records, decided, args.kg_dir and args.kg_dir / method, args.folds)
    results["seeds"] = {seeds[0]: {m: results[m]["overall"] for m in ("learned", "alone")}}
    for seed in seeds[1:]:  # the same decision trained with other draws of each tree's candidates
        learned, alone, _, _ = decide_out_of_fold(extractor, records, exs, counts, args.folds, seed)
        results["seeds"][seed] = {m: evaluate(records, d, None, args.folds)["overall"]
                                  for m, d in (("learned", learned), ("alone", alone))}
    print(render(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


def decide_out_of_fold(extractor: Extractor, records: list, exs: list, counts: dict, folds: int, seed: int
                       ) -> tuple[dict[int, PaperFacts], dict[int, PaperFacts], list[float], float]:
    """Each record decided by a model trained on the other folds (seeded `seed`), beside its peers and alone; the
    folds' thresholds, and the seconds the decisions took."""
    learned: dict[int, PaperFacts] = {}
    alone: dict[int, PaperFacts] = {}  # the same held-out records, each decided without its paper's other records
    thresholds, decide_seconds = [], 0.0
    for f in range(folds):
        train = [e for e in exs if fold_of(e.record[0], folds) != f]
        train_counts = {r: n for r, n in counts.items() if fold_of(r[0], folds) != f}
        model = fit(train, train_counts, folds=folds, seed=seed)
        thresholds.append(model.threshold)
        extractor.decision = Decision(Models(model, None), extractor.features)  # held-out papers meet this fold's model
        for _, c, _ in records:
            if fold_of(c.paper.id, folds) == f:
                t0 = time.perf_counter()
                learned[id(c)] = extractor.decide(c)
                decide_seconds += time.perf_counter() - t0
                others, c.others = c.others, []
                alone[id(c)] = extractor.decide(c)
                c.others = others
    extractor.decision = None
    return learned, alone, thresholds, decide_seconds


def presence(extractor: Extractor, folds: int) -> dict:
    """The Reported call against the human labels, out of fold by paper: rules and learned, overall and per LLM."""
    answers = sorted((SHARED / "corpus/human-labelled").glob("answers-*.jsonl"))
    labels = SHARED / "corpus/human-labelled/presence-labels.csv"
    rows, ys, records = presence_examples([labels], answers, extractor, alone_too=True)
    said = [False] * len(rows)
    for f in range(folds):
        train = [i for i, (p, _) in enumerate(records) if fold_of(p, folds) != f]
        model = fit_reported([rows[i] for i in train], [ys[i] for i in train])
        held = [i for i, (p, _) in enumerate(records) if fold_of(p, folds) == f]
        for i, prob in zip(held, model.probabilities([rows[i] for i in held])):
            said[i] = prob >= 0.5
    rules = [bool(r["rules_reported"]) for r in rows]
    accuracy = lambda calls, which: round(sum(calls[i] == ys[i] for i in which) / len(which), 3)
    beside = [i for i, (_, s) in enumerate(records) if not s.endswith("#alone")]
    alone = [i for i, (_, s) in enumerate(records) if s.endswith("#alone")]
    by_source = {s: [i for i in beside if records[i][1] == s] for s in sorted({records[i][1] for i in beside})}
    return {"n": len(beside), "papers": len({p for p, _ in records}), "rules": accuracy(rules, beside),
            "learned": accuracy(said, beside), "alone": accuracy(said, alone) if alone else None,
            "sources": {s: {"rules": accuracy(rules, i), "learned": accuracy(said, i)} for s, i in by_source.items()}}


def evaluate(records: list, decided: dict[int, PaperFacts], kg_dir: Path | None, folds: int) -> dict:
    """Scores of one method: overall, per set, per fold, per writing style and per concept; and the non-DL check.
    Per fold, so that a rule written while reading some folds' records can be judged on the others."""
    ontology = ontology_graph()
    builder = GraphBuilder(Extractor(model=False).vocabulary)
    by_set: dict[str, dict[str, ConceptScore]] = {}
    by_style: dict[str, dict[str, ConceptScore]] = defaultdict(dict)
    by_fold: dict[str, dict[str, ConceptScore]] = defaultdict(dict)
    non_dl_flags = json.loads((SHARED / "corpus/dl-pipeline-flags.json").read_text())
    non_dl: dict[str, int] = defaultdict(int)
    for name, _, _ in SETS:
        mine = [(c, g) for n, c, g in records if n == name]
        g = Graph()
        for c, _ in mine:
            for t in builder.triples(decided[id(c)]):
                g.add(t)
        if kg_dir:
            kg_dir.mkdir(parents=True, exist_ok=True)
            g.serialize(kg_dir / f"{name}.nt", format="nt", encoding="utf-8")
        preds = predictions(g + ontology)
        by_set[name] = score({c.paper.id: gold["concepts"] for c, gold in mine}, preds)
        for c, gold in mine:
            rows = score({c.paper.id: gold["concepts"]}, preds)
            for group in (by_style[c.paper.source], by_fold[f"fold {fold_of(c.paper.id, folds)}"]):
                for concept, r in rows.items():
                    s = group.setdefault(concept, ConceptScore())
                    s.tp, s.fp, s.fn = s.tp + r.tp, s.fp + r.fp, s.fn + r.fn
            if non_dl_flags.get(c.paper.id) == "No":
                for concept in NOT_ATTRIBUTED:
                    non_dl[concept] += rows[concept].fp
    overall: dict[str, ConceptScore] = {}
    for rows in by_set.values():
        for concept, r in rows.items():
            s = overall.setdefault(concept, ConceptScore())
            s.tp, s.fp, s.fn = s.tp + r.tp, s.fp + r.fp, s.fn + r.fn
    prf = lambda r: {"tp": r.tp, "fp": r.fp, "fn": r.fn, "P": round(r.precision, 3), "R": round(r.recall, 3),
                     "F1": round(r.f1, 3)}
    return {"overall": prf(micro(overall)), "sets": {k: prf(micro(v)) for k, v in by_set.items()},
            "styles": {k: prf(micro(v)) for k, v in sorted(by_style.items())},
            "folds": {k: prf(micro(v)) for k, v in sorted(by_fold.items())},
            "concepts": {k: prf(v) for k, v in overall.items() if v.tp + v.fp + v.fn},
            "non_dl_unattributed": dict(non_dl)}


def render(results: dict) -> str:
    lines = [f"out of fold, {results['folds']} folds by paper, {results['records']} records; thresholds "
             + ", ".join(f"{t:.3f}" for t in results["thresholds"]) + f"; decisions took {results['decide_seconds']} s; "
             f"candidates match {results['candidate_recall']:.3f} of the gold items (the recall no decision can pass)"]
    methods = ("rules", "learned", "alone")
    cell = lambda r: f"{r['P']:.3f} / {r['R']:.3f} / {r['F1']:.3f}" if r else "-"
    for section in ("overall", "sets", "folds", "styles", "concepts"):
        lines.append(f"\n{section:36}  {'rules P / R / F1':22}  {'learned (with peers)':22}  learned, record alone")
        for k in (["micro"] if section == "overall" else list(results["rules"][section])):
            got = [results[m][section] if section == "overall" else results[m][section].get(k) for m in methods]
            lines.append(f"{k:36}  " + "  ".join(f"{cell(r):22}" for r in got).rstrip())
    pr = results["presence"]
    lines.append(f"\npresence (Reported/NotReported) vs {pr['n']} human labels of {pr['papers']} papers, out of fold by paper: "
                 f"rules {pr['rules']:.3f}, learned beside its peers {pr['learned']:.3f}, learned alone {pr['alone']:.3f}")
    for source, acc in pr["sources"].items():
        lines.append(f"  {source:34}  rules {acc['rules']:.3f}   learned {acc['learned']:.3f}")
    if len(results["seeds"]) > 1:
        lines.append("\nseeds (learned beside its peers; alone): " + "; ".join(
            f"{s}: {cell(r['learned'])}, {r['alone']['F1']:.3f}" for s, r in results["seeds"].items()))
        for m in ("learned", "alone"):
            f1 = [r[m]["F1"] for r in results["seeds"].values()]
            lines.append(f"  {m}: F1 mean {sum(f1) / len(f1):.3f}, spread {min(f1):.3f}-{max(f1):.3f}")
    lines.append(f"\nnon-DL papers, unattributed {', '.join(NOT_ATTRIBUTED)} (false positives): rules "
                 f"{results['rules']['non_dl_unattributed']}, learned {results['learned']['non_dl_unattributed']}, "
                 f"alone {results['alone']['non_dl_unattributed']}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
