"""Train the learned decision (`extract.decide`) from annotated papers: gold facts + the answers they annotate.

Labels come from the scorer's own matching rules (`evaluate.item_match`): a candidate is positive when it matches a
gold item of its paper and concept. The learner is scikit-learn's logistic regression on standardised features; the
threshold is the one that maximises F1 at precision >= `min_precision` on out-of-fold probabilities of the training
papers (grouped by paper), so it is not tuned on what the model was fitted to. Everything is deterministic: same
records in, same model file out.
"""
from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from .errors import DlkgError
from .evaluate import item_match, load_gold_records
from .extract import Extractor, Fact, Setting
from .extract.decide import Item, LinearModel
from .extract.results import Candidates
from .ingest import Paper, read_papers

log = logging.getLogger(__name__)
MIN_PRECISION = 0.75


@dataclass
class Example:
    """One candidate of an annotated record: its features, the gold items it matches, and where it comes from."""
    record: tuple[str, str]          # (paper id, answering LLM)
    item: Item
    row: dict[str, float]
    matches: frozenset[int]          # indices into the record's gold items of the candidate's concept
    concept: str


def item_labels(item: Item) -> tuple[str, list[str], str | None]:
    """(concept, names, value) as the scorer reads them from a KG."""
    if isinstance(item, Fact):
        names = list(item.term.labels) if item.term is not None else [item.label] + ([item.url] if item.url else [])
        return item.concept, names, None
    s: Setting = item[0]
    return "Hyperparameter", list(s.name.labels), str(s.value)


def pair_records(gold_files: Sequence[str | Path], answer_files: Sequence[str | Path],
                 extractor: Extractor) -> list[tuple[Candidates, dict]]:
    """Each gold record with the candidates of the answers it annotates (same paper id, and same LLM when given)."""
    papers: dict[tuple[str, str], Paper] = {}
    by_id: dict[str, list[Paper]] = {}
    problems: list = []
    for p in read_papers(list(answer_files), extractor.vocabulary.questions, problems.append):
        papers[p.id, p.source] = p
        by_id.setdefault(p.id, []).append(p)
    out = []
    for path in gold_files:
        for rec in load_gold_records(path):
            paper = papers.get((rec["paper"], rec.get("source", ""))) if rec.get("source") else None
            if paper is None and not rec.get("source") and len(by_id.get(rec["paper"], [])) == 1:
                paper = by_id[rec["paper"]][0]
            if paper is None:
                log.warning("%s: no answers for gold record %s (%s)", path, rec["paper"], rec.get("source", "any LLM"))
                continue
            out.append((extractor.candidates(paper), rec["concepts"]))
    if not out:
        raise DlkgError("no gold record matches a record of the answer files (same paper id and LLM)")
    return out


def examples(pairs: Iterable[tuple[Candidates, dict]], extractor: Extractor) -> tuple[list[Example], dict]:
    """Feature rows and labels of every candidate; also the number of gold items per record and concept."""
    out: list[Example] = []
    gold_counts: dict[tuple[str, str], int] = {}
    for c, gold in pairs:
        record = (c.paper.id, c.paper.source)
        gold_counts[record] = sum(len(v) for v in gold.values())
        for item, row in extractor.features.rows(c):
            concept, names, value = item_labels(item)
            items = gold.get(concept, [])
            matches = frozenset(i for i, g in enumerate(items) if item_match(concept, g, (names, value)))
            out.append(Example(record, item, row, matches, concept))
    return out, gold_counts


def fold_of(paper_id: str, k: int) -> int:
    """A paper's fold, stable across runs and machines (both LLMs' answers of a paper share it)."""
    return zlib.crc32(paper_id.encode("utf-8")) % k


def best_threshold(probabilities: Sequence[float], exs: Sequence[Example], gold_total: int,
                   min_precision: float = MIN_PRECISION) -> float:
    """The threshold with the best F1 among those at precision >= min_precision (else the most precise one), counted
    as the scorer counts: a gold item found by several kept candidates is one true positive."""
    best: tuple[float, float, float] | None = None  # (meets precision, F1 or precision, threshold)
    for t in sorted({round(p, 4) for p in probabilities}):
        kept = [e for p, e in zip(probabilities, exs) if round(p, 4) >= t]
        found = {(e.record, e.concept, i) for e in kept for i in e.matches}
        fp = sum(1 for e in kept if not e.matches)
        tp = len(found)
        precision = tp / (tp + fp) if kept else 0.0
        recall = tp / gold_total if gold_total else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        key = (float(precision >= min_precision), f1 if precision >= min_precision else precision, -t)
        if best is None or key > best:
            best = key
    return -best[2] if best else 0.5


def fit(exs: Sequence[Example], gold_counts: dict, folds: int = 5, min_precision: float = MIN_PRECISION,
        c: float = 0.3) -> LinearModel:
    """Fit the logistic model on `exs`; its threshold comes from out-of-fold probabilities within `exs`."""
    if len({e.record[0] for e in exs}) < 2 or len({bool(e.matches) for e in exs}) < 2:
        raise DlkgError("training needs candidates of at least two papers, both right and wrong ones")
    features = sorted({k for e in exs for k in e.row})
    model = _fit_linear(exs, features, c)
    probabilities = [0.0] * len(exs)
    papers = sorted({e.record[0] for e in exs})
    k = min(folds, len(papers))
    fold = {p: fold_of(p, k) for p in papers}
    for f in range(k):
        train = [e for e in exs if fold[e.record[0]] != f]
        if len({bool(e.matches) for e in train}) < 2:
            continue
        inner = _fit_linear(train, features, c)
        for i, e in enumerate(exs):
            if fold[e.record[0]] == f:
                probabilities[i] = inner.probability(e.row)
    threshold = best_threshold(probabilities, exs, sum(gold_counts.values()), min_precision)
    about = {"records": len(gold_counts), "candidates": len(exs), "positives": sum(bool(e.matches) for e in exs),
             "min_precision": min_precision, "C": c, "learner": "sklearn LogisticRegression (lbfgs, L2)"}
    return LinearModel(model.features, model.mean, model.scale, model.coef, model.intercept, threshold, about)


def _fit_linear(exs: Sequence[Example], features: list[str], c: float) -> LinearModel:
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    x = np.array([[e.row.get(f, 0.0) for f in features] for e in exs])
    y = np.array([int(bool(e.matches)) for e in exs])
    scaler = StandardScaler().fit(x)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    learner = LogisticRegression(C=c, max_iter=2000).fit((x - scaler.mean_) / scale, y)
    return LinearModel(tuple(features), tuple(round(float(v), 6) for v in scaler.mean_),
                       tuple(round(float(v), 6) for v in scale), tuple(round(float(v), 6) for v in learner.coef_[0]),
                       round(float(learner.intercept_[0]), 6), 0.5, {})


def train(gold_files: Sequence[str | Path], answer_files: Sequence[str | Path], folds: int = 5,
          min_precision: float = MIN_PRECISION, ontology_dir: Path | None = None) -> LinearModel:
    """The decision model for these annotated records (`dlkg train`)."""
    extractor = Extractor(ontology_dir, model=False)
    exs, counts = examples(pair_records(gold_files, answer_files, extractor), extractor)
    model = fit(exs, counts, folds, min_precision)
    log.info("trained on %d records, %d candidates; threshold %.4f", len(counts), len(exs), model.threshold)
    return model
