"""Train the learned decision (`extract.decide`) from annotated papers: gold facts + the answers they annotate.

Labels come from the scorer's own matching rules (`evaluate.item_match`): a candidate is positive when it matches a
gold item of its paper and concept. The learner is scikit-learn's gradient boosting (shallow trees, since the
features interact: a rule's verdict means more for one concept than for another), copied into a JSON model. The
threshold is the one that maximises F1 at precision >= `min_precision` on out-of-fold probabilities of the training
papers (grouped by paper), so it is not tuned on what the model was fitted to. The trees also read a word model's
probability (scikit-learn's TF-IDF and logistic regression over the candidate's name and sentence, `decide.WordModel`);
for the training rows that feature is out of fold too (inner splits by paper), so the trees learn how far to trust it
on papers it has not seen. Everything is deterministic: same records in, same model file out.
"""
from __future__ import annotations

import csv
import logging
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from .errors import DlkgError, InputError
from .evaluate import item_match, load_gold_records
from .extract import Extractor, Fact, Setting
from .extract.decide import DecisionModel, Item, Models, Tree, WordDocs, WordModel
from .extract.pipeline import link_records
from .extract.results import Candidates
from .ingest import Paper, read_papers

log = logging.getLogger(__name__)
MIN_PRECISION = 0.75
# the word model: its regularisation, the documents a token must be in to count, and the inner splits that give the
# trees its out-of-fold probabilities
WORDS = {"C": 1.0, "name_min_df": 2, "sentence_min_df": 6}
WORD_FOLDS = 7
# trees grown best-first to 15 leaves, at most 4 deep (a build walks every tree once per level), each leaf at least
# 0.15% of the candidates (about 20 of the shipped model's), each tree fitted on a random 80% of them (stochastic
# gradient boosting; out of fold, bench/quality.py, seeds 0, 1 and 2 give F1 0.665, 0.660 and 0.660, all trees on all
# candidates 0.658 with the features of then)
LEARNER = {"n_estimators": 300, "learning_rate": 0.05, "max_depth": 4, "max_leaf_nodes": 15,
           "min_samples_leaf": 0.0015, "subsample": 0.8, "random_state": 0}


@dataclass
class Example:
    """One candidate of an annotated record: its features, the gold items it matches, and where it comes from."""
    record: tuple[str, str]          # (paper id, answering LLM)
    item: Item
    row: dict[str, float]
    matches: frozenset[int]          # indices into the record's gold items of the candidate's concept
    concept: str
    words: WordDocs                  # what the word model reads (`Features.rows`)


def item_labels(item: Item) -> tuple[str, list[str], str | None]:
    """(concept, names, value) as the scorer reads them from a KG."""
    if isinstance(item, Fact):
        names = list(item.term.labels) if item.term is not None else [item.label] + ([item.url] if item.url else [])
        return item.concept, names, None
    s: Setting = item[0]
    return "Hyperparameter", list(s.name.labels), str(s.value)


def pair_records(gold_files: Sequence[str | Path], answer_files: Sequence[str | Path],
                 extractor: Extractor) -> list[tuple[Candidates, dict]]:
    """Each gold record with the candidates of the answers it annotates (same paper id, and same LLM when given).
    The answer files' other records of the same paper (other answering LLMs) are read too, as a build reads a
    paper's adjacent records; a record found twice keeps its first copy."""
    papers, by_id = _records_by_paper(answer_files, extractor)
    matched = []
    for path in gold_files:
        for rec in load_gold_records(path):
            paper = papers.get((rec["paper"], rec.get("source", ""))) if rec.get("source") else None
            if paper is None and not rec.get("source") and len(by_id.get(rec["paper"], [])) == 1:
                paper = by_id[rec["paper"]][0]
            if paper is None:
                log.warning("%s: no answers for gold record %s (%s)", path, rec["paper"], rec.get("source", "any LLM"))
                continue
            matched.append((paper, rec["concepts"]))
    if not matched:
        raise DlkgError("no gold record matches a record of the answer files (same paper id and LLM)")
    candidates: dict[tuple[str, str], Candidates] = {}
    for paper_id in dict.fromkeys(p.id for p, _ in matched):
        group = [extractor.candidates(p) for p in by_id[paper_id]]
        link_records(group)
        candidates.update(((c.paper.id, c.paper.source), c) for c in group)
    return [(candidates[p.id, p.source], concepts) for p, concepts in matched]


def _records_by_paper(answer_files: Sequence[str | Path], extractor: Extractor
                      ) -> tuple[dict[tuple[str, str], Paper], dict[str, list[Paper]]]:
    """The answer files' records by (paper id, LLM), a record found twice keeping its first copy; and by paper."""
    papers: dict[tuple[str, str], Paper] = {}
    for p in read_papers(list(answer_files), extractor.vocabulary.questions, lambda e: log.warning("%s", e)):
        papers.setdefault((p.id, p.source), p)
    by_id: dict[str, list[Paper]] = {}
    for p in papers.values():
        by_id.setdefault(p.id, []).append(p)
    return papers, by_id


def _views(c: Candidates, alone_too: bool) -> Iterator[str]:
    """The record as it is (beside its peers), then, with `alone_too` and peers, as if it stood alone: `c.others`
    is set for each view in turn (and restored), and the view's source ("LLM" or "LLM#alone") is yielded."""
    peers = c.others
    try:
        yield c.paper.source
        if alone_too and peers:
            c.others = []
            yield c.paper.source + "#alone"
    finally:
        c.others = peers


def examples(pairs: Iterable[tuple[Candidates, dict]], extractor: Extractor,
             alone_too: bool = False) -> tuple[list[Example], dict]:
    """Feature rows and labels of every candidate; also the number of gold items per record. `alone_too`: a record
    that has other LLMs' records of its paper is also given as if it stood alone (record source "...#alone"), so the
    model learns to decide both ways: a build's input may hold one LLM's answers only."""
    out: list[Example] = []
    gold_counts: dict[tuple[str, str], int] = {}
    for c, gold in pairs:
        for source in _views(c, alone_too):
            record = (c.paper.id, source)
            gold_counts[record] = sum(len(v) for v in gold.values())
            for item, row, words in extractor.features.rows(c):
                concept, names, value = item_labels(item)
                items = gold.get(concept, [])
                matches = frozenset(i for i, g in enumerate(items) if item_match(concept, g, (names, value)))
                out.append(Example(record, item, row, matches, concept, words))
    return out, gold_counts


def fold_of(paper_id: str, k: int) -> int:
    """A paper's fold, stable across runs and machines (both LLMs' answers of a paper share it)."""
    return zlib.crc32(paper_id.encode("utf-8")) % k


def best_threshold(probabilities: Sequence[float], exs: Sequence[Example], gold_total: int,
                   min_precision: float = MIN_PRECISION) -> float:
    """The threshold with the best F1 among those at precision >= min_precision (else the most precise one), counted
    as the scorer counts: a gold item found by several kept candidates is one true positive."""
    best: tuple[float, float, float] | None = None  # (meets precision, F1 or precision, -threshold)
    by_threshold: dict[float, list[Example]] = {}
    for p, e in zip(probabilities, exs):
        by_threshold.setdefault(round(p, 4), []).append(e)
    found: set[tuple] = set()
    fp = 0
    for t in sorted(by_threshold, reverse=True):  # lowering the bar: each step keeps the candidates at it as well
        for e in by_threshold[t]:
            found.update((e.record, e.concept, i) for i in e.matches)
            fp += not e.matches
        tp = len(found)
        precision = tp / (tp + fp)
        recall = tp / gold_total if gold_total else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        key = (float(precision >= min_precision), f1 if precision >= min_precision else precision, -t)
        if best is None or key > best:
            best = key
    return -best[2] if best else 0.5


def fit(exs: Sequence[Example], gold_counts: dict, folds: int = 5, min_precision: float = MIN_PRECISION,
        seed: int = 0) -> DecisionModel:
    """Fit the model on `exs`; its threshold comes from out-of-fold probabilities within `exs` (grouped by paper).
    `seed` draws the candidates each tree is fitted on: another seed gives another, equally valid model (the quality
    harness trains with several to tell a change from the seed's luck)."""
    if len({e.record[0] for e in exs}) < 2 or len({bool(e.matches) for e in exs}) < 2:
        raise DlkgError("training needs candidates of at least two papers, both right and wrong ones")
    words, rows = _word_feature(exs)
    features = sorted({k for r in rows for k in r})
    learner = {**LEARNER, "random_state": seed}
    model = _fit_trees(rows, [bool(e.matches) for e in exs], features, learner)
    probabilities = [0.0] * len(exs)
    papers = sorted({e.record[0] for e in exs})
    k = min(folds, len(papers))
    for f in range(k):
        train = [i for i, e in enumerate(exs) if fold_of(e.record[0], k) != f]
        if len({bool(exs[i].matches) for i in train}) < 2:
            continue
        inner = _fit_trees([rows[i] for i in train], [bool(exs[i].matches) for i in train], features, learner)
        held = [i for i, e in enumerate(exs) if fold_of(e.record[0], k) == f]
        for i, p in zip(held, inner.probabilities([rows[i] for i in held])):
            probabilities[i] = p
    threshold = best_threshold(probabilities, exs, sum(gold_counts.values()), min_precision)
    records = {(paper, source.removesuffix("#alone")) for paper, source in gold_counts}  # a record, not its views
    about = {"records": len(records), "views": len(gold_counts), "candidates": len(exs),
             "positives": sum(bool(e.matches) for e in exs),
             "min_precision": min_precision, "learner": f"sklearn GradientBoostingClassifier {learner}",
             "words": f"sklearn TfidfVectorizer + LogisticRegression {WORDS}" if words else None}
    return DecisionModel(model.features, model.init, model.trees, threshold, about, words)


def _word_feature(exs: Sequence[Example]) -> tuple[WordModel | None, list[dict[str, float]]]:
    """The word model fitted on all of `exs`, and each example's row with the feature "words": the probability of a
    word model that did not see its paper (inner splits by paper). No word model where the words are too few."""
    words = _fit_words(exs)
    if words is None:
        return None, [e.row for e in exs]
    probability = [0.0] * len(exs)
    for f in range(WORD_FOLDS):
        held = [i for i, e in enumerate(exs) if fold_of(e.record[0], WORD_FOLDS) == f]
        inner = _fit_words([e for e in exs if fold_of(e.record[0], WORD_FOLDS) != f]) if held else None
        for i in held:
            probability[i] = inner.probability(exs[i].words) if inner else 0.0
    return words, [{**e.row, "words": p} for e, p in zip(exs, probability)]


def _fit_words(exs: Sequence[Example]) -> WordModel | None:
    """scikit-learn's TfidfVectorizer (one for the name's tokens, one for the sentence's) and LogisticRegression,
    copied into a WordModel; the copy must give sklearn's own probabilities. None if a vocabulary comes out empty or
    one class is missing."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    ys = [bool(e.matches) for e in exs]
    if len(set(ys)) < 2:
        return None
    tokens = lambda doc: doc  # Features.rows already made the tokens
    name = TfidfVectorizer(analyzer=tokens, min_df=int(WORDS["name_min_df"]))
    sentence = TfidfVectorizer(analyzer=tokens, min_df=int(WORDS["sentence_min_df"]), sublinear_tf=True)
    try:
        x = hstack([name.fit_transform([e.words[0] for e in exs]), sentence.fit_transform([e.words[1] for e in exs])]).tocsr()
    except ValueError:  # no token in enough documents
        return None
    learner = LogisticRegression(C=float(WORDS["C"]), max_iter=5000).fit(x, ys)
    coef, offset = learner.coef_[0], len(name.vocabulary_)
    short = lambda v: float(f"{v:.6g}")  # six digits keep the probabilities to 1e-5 and the model file small
    model = WordModel({t: (short(name.idf_[i]), short(coef[i])) for t, i in name.vocabulary_.items()},
                      {t: (short(sentence.idf_[i]), short(coef[offset + i])) for t, i in sentence.vocabulary_.items()},
                      short(learner.intercept_[0]))
    sample = list(range(0, len(exs), max(1, len(exs) // 200)))
    expected = learner.predict_proba(x[sample])[:, 1]
    if max(abs(a - model.probability(exs[i].words)) for a, i in zip(expected, sample)) > 1e-5:
        raise DlkgError("the copied word model disagrees with scikit-learn's (has TfidfVectorizer changed?)")
    return model


def _fit_trees(rows: Sequence[dict[str, float]], ys: Sequence[bool], features: list[str], settings: dict) -> DecisionModel:
    """scikit-learn's gradient boosting, copied into a DecisionModel; the copy must give sklearn's own probabilities."""
    import numpy as np
    from sklearn.ensemble import GradientBoostingClassifier

    x = np.array([[r.get(f, 0.0) for f in features] for r in rows])
    y = np.array([int(v) for v in ys])
    learner = GradientBoostingClassifier(**settings).fit(x, y)
    rate = learner.learning_rate
    trees = tuple(Tree(tuple(int(v) for v in t.tree_.feature), tuple(float(v) for v in t.tree_.threshold),
                       tuple(int(v) for v in t.tree_.children_left), tuple(int(v) for v in t.tree_.children_right),
                       tuple(float(v) * rate for v in t.tree_.value[:, 0, 0]))
                  for t in learner.estimators_[:, 0])
    raw = learner.decision_function(x[:1])[0]
    init = float(raw - sum(tree(list(map(float, x[0]))) for tree in trees))
    model = DecisionModel(tuple(features), init, trees, 0.5, {})
    sample = range(0, len(rows), max(1, len(rows) // 200))
    expected = learner.predict_proba(x[list(sample)])[:, 1]
    got = [model.probability(rows[i]) for i in sample]
    if max(abs(a - b) for a, b in zip(expected, got)) > 1e-6:
        raise DlkgError("the copied trees disagree with scikit-learn's model (has its tree layout changed?)")
    return model


def presence_examples(label_files: Sequence[str | Path], answer_files: Sequence[str | Path], extractor: Extractor,
                      alone_too: bool = False) -> tuple[list[dict[str, float]], list[bool], list[tuple[str, str]]]:
    """Answer rows, human Reported labels and (paper id, LLM), for each labelled answer of the answer files; a
    paper's records from several LLMs see each other. `alone_too`: each such answer also as if its record stood
    alone (LLM "...#alone"), as `examples` does.
    A label file is CSV with columns paper, source, cq, reported (Yes/No)."""
    labels: dict[tuple[str, str, str], bool] = {}
    for path in label_files:
        with open(path, encoding="utf-8", newline="") as fh:
            for n, rec in enumerate(csv.DictReader(fh), 2):
                try:
                    labels[rec["paper"], rec["source"], rec["cq"]] = {"yes": True, "no": False}[rec["reported"].strip().lower()]
                except (KeyError, AttributeError) as exc:
                    raise InputError(str(path), n, f"a presence label needs paper, source, cq and reported Yes/No ({exc})")
    rows: list[dict[str, float]] = []
    ys: list[bool] = []
    papers: list[tuple[str, str]] = []
    for group in _records_by_paper(answer_files, extractor)[1].values():
        if not any((p.id, p.source, a.cq) in labels for p in group for a in p.answers):
            continue
        candidates = [extractor.candidates(p) for p in group]
        link_records(candidates)  # an answer's Reported call also weighs the other LLMs' calls on the same CQ
        for c in candidates:
            for source in _views(c, alone_too):
                for r, row in zip(c.results, extractor.features.answer_rows(c)):
                    key = (c.paper.id, c.paper.source, r.answer.cq)
                    if key in labels and r.answer.text.strip():
                        rows.append(row)
                        ys.append(labels[key])
                        papers.append((c.paper.id, source))
    if not rows:
        raise DlkgError("no presence label matches an answer of the answer files (same paper id, LLM and CQ)")
    return rows, ys, papers


REPORTED_LEARNER = {"n_estimators": 200, "max_depth": 1, "learning_rate": 0.1, "random_state": 0}


def fit_reported(rows: Sequence[dict[str, float]], ys: Sequence[bool]) -> DecisionModel:
    """The Reported decision: boosted stumps (an additive model: with labels of few papers, deeper trees overfit)."""
    if len(set(ys)) < 2:
        raise DlkgError("training the Reported decision needs both Reported and NotReported labels")
    features = sorted({k for r in rows for k in r})
    model = _fit_trees(list(rows), [bool(y) for y in ys], features, REPORTED_LEARNER)
    about = {"answers": len(rows), "reported": sum(map(bool, ys)),
             "learner": f"sklearn GradientBoostingClassifier {REPORTED_LEARNER}"}
    return DecisionModel(model.features, model.init, model.trees, 0.5, about)


def train(gold_files: Sequence[str | Path], answer_files: Sequence[str | Path],
          presence_files: Sequence[str | Path] = (), folds: int = 5, min_precision: float = MIN_PRECISION,
          ontology_dir: Path | None = None) -> Models:
    """The decision models for these annotated records (`dlkg train`): facts from gold files, the Reported call
    from presence labels; a part without annotations is left to the rules."""
    if not gold_files and not presence_files:
        raise DlkgError("give gold facts (--gold) or presence labels (--presence) to train on")
    extractor = Extractor(ontology_dir, model=False)
    facts = reported = None
    if gold_files:
        exs, counts = examples(pair_records(gold_files, answer_files, extractor), extractor, alone_too=True)
        facts = fit(exs, counts, folds, min_precision)
        log.info("facts: %d records, %d candidates; threshold %.4f", len(counts), len(exs), facts.threshold)
    if presence_files:
        rows, ys, views = presence_examples(presence_files, answer_files, extractor, alone_too=True)
        reported = fit_reported(rows, ys)
        answers = sum(not source.endswith("#alone") for _, source in views)  # labelled answers, not their views
        reported = replace(reported, about={**reported.about, "answers": answers, "views": len(rows)})
        log.info("Reported: %d labelled answers", len(rows))
    return Models(facts, reported)
