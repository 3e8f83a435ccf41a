"""Score a KG against hand-made gold facts (the gold format of dlkg's annotation guidelines).

Matching is lenient on surface form and strict on meaning: names compare lower-cased with punctuation folded and
a plural "s" dropped; one name may contain the other when the shorter has 2+ words or covers 60% of the longer's
words; gold alternatives are separated by "|"; a predicted name of more than 12 words never matches; links compare
without scheme, "www." and trailing slashes. Hyperparameters need a matching name and value.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from .errors import InputError
from .namespaces import DLKG
from .vocabulary import load_vocabulary

LINKS = {"CodeRepositoryLink", "DataRepositoryLink"}
Prediction = tuple[list[str], "str | None"]


def _words(s: str) -> list[str]:
    return [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
            for w in re.sub(r"[^0-9a-z]+", " ", s.lower()).split()]


def _url_key(s: str) -> str:
    s = re.sub(r"^(https?://)?(www\.)?", "", s.strip().lower().replace(" ", ""))
    return re.sub(r"(\.git)?/*$", "", s)


def name_match(a: str, b: str, link: bool = False) -> bool:
    if link:
        ka, kb = _url_key(a), _url_key(b)
        return bool(ka) and (ka == kb or ka.startswith(kb + "/") or kb.startswith(ka + "/"))
    wa, wb = _words(a), _words(b)
    if not wa or not wb or len(wb) > 12:
        return False
    if wa == wb or "".join(wa) == "".join(wb):
        return True
    short, long_ = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    return set(short) <= set(long_) and (len(short) >= 2 or len(set(short)) / len(set(long_)) >= 0.6)


def value_match(gold: str, pred: str) -> bool:
    gold, pred = str(gold).strip(), str(pred).strip()
    if gold == "":
        return True
    try:
        fg, fp = float(gold.replace(" ", "")), float(pred.replace(" ", ""))
        return abs(fg - fp) <= 1e-9 * max(1.0, abs(fg))
    except ValueError:
        return _words(gold) == _words(pred) or name_match(gold, pred)


def item_match(concept: str, gold, pred: Prediction) -> bool:
    labels, value = pred
    if concept == "Hyperparameter":
        names = gold["name"].split("|")
        gv = str(gold.get("value", ""))
        return any(name_match(x, l) for x in names for l in labels) and (
            (value is None and gv == "") or (value is not None and value_match(gv, value)))
    return any(name_match(x, l, concept in LINKS) for x in gold.split("|") for l in labels)


@dataclass
class ConceptScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_gold_records(path: str | Path) -> list[dict]:
    """The gold file's records ({"paper", "source", "concepts", ...}), one per line."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                if not isinstance(rec["paper"], str) or not isinstance(rec["concepts"], dict):
                    raise TypeError("'paper' must be a string and 'concepts' an object")
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise InputError(str(path), n, f"not a gold record ({exc})") from exc
            out.append(rec)
    return out


def load_gold(path: str | Path) -> dict[str, dict]:
    return {rec["paper"]: rec["concepts"] for rec in load_gold_records(path)}


def predictions(g: Graph) -> dict[str, dict[str, list[Prediction]]]:
    """Per paper and concept, the names (and values) the KG holds. `g` must include the ontology."""
    concept_of = defaultdict(set)
    for c in load_vocabulary().concepts:
        for sub in g.transitive_subjects(RDFS.subClassOf, DLKG[c]):
            concept_of[sub].add(c)
    props = set(g.transitive_subjects(RDFS.subPropertyOf, DLKG.hasComponent))

    def labels(n) -> list[str]:
        found = [str(o) for p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel) for o in g.objects(n, p)]
        return found or ([str(n)] if isinstance(n, URIRef) else [])

    out: dict[str, dict[str, list[Prediction]]] = {}
    for pub in g.subjects(RDF.type, DLKG.Publication):
        per: dict[str, list[Prediction]] = defaultdict(list)
        for pl in g.objects(pub, DLKG.describesPipeline):
            for p, o in g.predicate_objects(pl):
                if p not in props:
                    continue
                for c in set().union(*(concept_of.get(t, set()) for t in g.objects(o, RDF.type))):
                    extra = [str(u) for u in g.objects(o, DLKG.url)] if c in LINKS else []
                    per[c].append((labels(o) + extra, None))
            for s in g.objects(pl, DLKG.hasHyperparameterSetting):
                names = [l for h in g.objects(s, DLKG.hyperparameter) for l in labels(h)]
                values: list[str | None] = [str(v) for v in g.objects(s, DLKG.value)]
                for v in values or [None]:
                    per["Hyperparameter"].append((names, v))
        # in a stable order: matching is greedy, and a graph's iteration order changes with Python's hash seed
        out[str(g.value(pub, DCTERMS.identifier))] = {
            c: sorted(((sorted(n), v) for n, v in items), key=lambda x: (x[0], x[1] or "")) for c, items in per.items()}
    return out


def score(gold: dict[str, dict], preds: dict[str, dict[str, list[Prediction]]]) -> dict[str, ConceptScore]:
    concepts = load_vocabulary().concepts
    rows = {c: ConceptScore() for c in concepts}
    for paper, facts in gold.items():
        pred = preds.get(paper, {})
        for c in concepts:
            g_items, p_items = list(facts.get(c, [])), list(pred.get(c, []))
            used: set[int] = set()
            for gi in g_items:
                hit = next((j for j, pi in enumerate(p_items) if j not in used and item_match(c, gi, pi)), None)
                if hit is None:
                    rows[c].fn += 1
                else:
                    used.add(hit)
                    rows[c].tp += 1
            for j, pi in enumerate(p_items):
                if j not in used and not any(item_match(c, gi, pi) for gi in g_items):
                    rows[c].fp += 1
    return rows


def micro(rows: dict[str, ConceptScore]) -> ConceptScore:
    total = ConceptScore()
    for r in rows.values():
        total.tp, total.fp, total.fn = total.tp + r.tp, total.fp + r.fp, total.fn + r.fn
    return total


def render(rows: dict[str, ConceptScore]) -> str:
    lines = [f"{'concept':36} {'tp':>4} {'fp':>4} {'fn':>4}  {'P':>5} {'R':>5} {'F1':>5}"]
    for c, r in rows.items():
        if r.tp + r.fp + r.fn:
            lines.append(f"{c:36} {r.tp:4} {r.fp:4} {r.fn:4}  {r.precision:.2f} {r.recall:.2f} {r.f1:.2f}")
    m = micro(rows)
    lines.append(f"micro P={m.precision:.3f} R={m.recall:.3f} F1={m.f1:.3f}")
    return "\n".join(lines)
