"""The learned decision: is a candidate a fact of this paper's pipeline?

The rules (`pipeline`) propose every vocabulary name, open-world name, link and setting they see, each mention with
the rule that would turn it down ("negated", "generic", "question_echo", ...). Here each candidate becomes a row of
features (those verdicts, the sentence's cues, the answer's status, the question's concept, how the paper's other
answers speak) and a logistic model, trained by `dlkg train` (`dlkg.train`), gives it a probability. Candidates at
or above the model's threshold are kept; the probability stays on the fact as its confidence.

The model is a small JSON file (weights, scaling, threshold), so a build needs no learner and stays deterministic.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Union

from rdflib import URIRef

from ..errors import DlkgError
from ..resources import ontology_dir
from ..vocabulary import Vocabulary
from .cues import Cues
from .results import Candidates, Evidence, Fact, Setting
from .roles import FACT, MISSING
from .spans import doc_text

MODEL_VERSION = 1
REASONS = ("", "generic", "speculative", "missing", "meta", "grab_bag", "echo", "explained", "negated", "question_echo")
SENTENCE_CUES = ("paper_cues", "evidence", "textbook", "generic", "speculative", "citation", "hedge", "negated_term")
Item = Union[Fact, list[Setting]]  # a fact, or the settings of one hyperparameter with one value


def model_file(folder: Path | None = None) -> Path:
    return (folder or ontology_dir()) / "language" / "decision-model.json"


@dataclass(frozen=True)
class LinearModel:
    """Standardised features -> logistic probability; what `dlkg train` fits with scikit-learn and writes as JSON."""
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float
    about: dict

    def probability(self, row: dict[str, float]) -> float:
        z = self.intercept + sum(c * (row.get(f, 0.0) - m) / s
                                 for f, m, s, c in zip(self.features, self.mean, self.scale, self.coef))
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def to_json(self) -> str:
        return json.dumps({"version": MODEL_VERSION, "features": list(self.features), "mean": list(self.mean),
                           "scale": list(self.scale), "coef": list(self.coef), "intercept": self.intercept,
                           "threshold": self.threshold, "about": self.about}, indent=1, sort_keys=True) + "\n"

    @staticmethod
    def load(path: Path) -> "LinearModel":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != MODEL_VERSION:
                raise DlkgError(f"{path}: decision model version {data.get('version')!r}; this dlkg reads {MODEL_VERSION}"
                                " (retrain it with `dlkg train`)")
            n = len(data["features"])
            if not all(len(data[k]) == n for k in ("mean", "scale", "coef")):
                raise ValueError("features, mean, scale and coef differ in length")
            return LinearModel(tuple(data["features"]), tuple(map(float, data["mean"])), tuple(map(float, data["scale"])),
                               tuple(map(float, data["coef"])), float(data["intercept"]), float(data["threshold"]),
                               dict(data.get("about", {})))
        except FileNotFoundError:
            raise DlkgError(f"{path}: no decision model (train one with `dlkg train`)") from None
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise DlkgError(f"{path}: not a dlkg decision model ({exc})") from None


class Features:
    """Turns a paper's candidates into feature rows; needs only the language data and the vocabulary."""

    def __init__(self, cues: Cues, vocabulary: Vocabulary) -> None:
        self.cues = cues
        self.vocabulary = vocabulary
        self.depth = {iri: len(vocabulary.ancestors(iri)) for iri in vocabulary.terms}
        narrower: dict[URIRef, int] = {}
        for iri in vocabulary.terms:
            for a in vocabulary.ancestors(iri):
                narrower[a] = narrower.get(a, 0) + 1
        self.narrower = narrower
        self.concepts = tuple(sorted(set(vocabulary.concepts) | {"Hyperparameter"}))

    def items(self, c: Candidates) -> Iterator[Item]:
        yield from c.facts
        groups: dict[tuple[str, str], list[Setting]] = {}
        for s in c.settings:
            groups.setdefault((str(s.name.iri) or s.name.pref_label.lower(), str(s.value)), []).append(s)
        yield from groups.values()

    def rows(self, c: Candidates) -> list[tuple[Item, dict[str, float]]]:
        paper = self._paper_features(c)
        return [(item, {**paper, **self._item_features(c, item)}) for item in self.items(c)]

    def _paper_features(self, c: Candidates) -> dict[str, float]:
        answers = [r for r in c.results if r.answer.text.strip()]
        reported = sum(r.reported for r in answers)
        model_cqs = {r.answer.cq for r in c.results if self.cues.runs("model_answer", self._asked(r.answer.cq))}
        dl_model = any(f.concept == "DeepLearningModel" and any(e.cq in model_cqs for e in f.evidence) for f in c.facts)
        framework = any(f.concept == "Framework" and f.evidence for f in c.facts)
        return {"paper_reported_rate": reported / len(answers) if answers else 0.0,
                "paper_model_answer_reported": float(any(r.reported for r in c.results if r.answer.cq in model_cqs)),
                "paper_dl_model": float(dl_model), "paper_framework": float(framework)}

    def _asked(self, cq: str) -> tuple[str, ...]:
        return self.vocabulary.cq_concepts.get(cq, ())

    def _item_features(self, c: Candidates, item: Item) -> dict[str, float]:
        if isinstance(item, Fact):
            concept, label = item.concept, item.label
            mentions = [(e, "") for e in item.evidence] + item.rejected
            kind = "term" if item.term is not None else "link" if item.url else "local"
            iri = item.term.iri if item.term is not None else None
        else:
            iri = item[0].name.iri if str(item[0].name.iri) else None
            concept, label, kind = "Hyperparameter", item[0].name.pref_label, "setting" if iri else "open_setting"
            mentions = [(s.evidence, s.rejected) for s in item]
        row: dict[str, float] = {f"concept={concept}": 1.0, f"kind={kind}": 1.0,
                                 "kept_mentions": math.log1p(sum(not r for _, r in mentions)),
                                 "rejected_mentions": math.log1p(sum(bool(r) for _, r in mentions)),
                                 "cqs": math.log1p(len({e.cq for e, _ in mentions})),
                                 "label_words": math.log1p(len(label.split())),
                                 "depth": float(self.depth.get(iri, 0)) if iri is not None else 0.0,
                                 "narrower": math.log1p(self.narrower.get(iri, 0)) if iri is not None else 0.0}
        if isinstance(item, list):
            row["setting_has_unit"] = float(any(s.unit for s in item))
            row["setting_numeric"] = float(not isinstance(item[0].value, str))
        per = [self._mention(c, e, r, concept, label) for e, r in mentions]
        for key in sorted({k for m in per for k in m}):
            values = [m.get(key, 0.0) for m in per]
            row[f"any:{key}"] = max(values)
            row[f"mean:{key}"] = sum(values) / len(values)
        return row

    def _mention(self, c: Candidates, ev: Evidence, rejected: str, concept: str, label: str) -> dict[str, float]:
        doc = c.docs.get(ev.cq)
        out = {f"rule={rejected or 'kept'}": 1.0, "asked": float(concept in self._asked(ev.cq)),
               "example": float(label.lower() in (e.lower() for e in self.vocabulary.example_terms.get(ev.cq, ())))}
        result = next((r for r in c.results if r.answer.cq == ev.cq), None)
        out["answer_reported"] = float(bool(result and result.reported))
        if doc is None:
            return out
        roles = doc.user_data.get("dlkg_roles", [])
        text = doc_text(doc)
        out["answer_missing"] = float(any(r == MISSING for _, _, r in roles))
        out["answer_dont_know"] = float(bool(self.cues.dont_know.match(text)))
        out["answer_fact_share"] = sum(r == FACT for _, _, r in roles) / len(roles) if roles else 0.0
        index = next((i for i, (s, e, _) in enumerate(roles) if doc[s:e].start_char <= ev.start < doc[s:e].end_char + 1),
                     len(roles) - 1)
        if roles:
            s, e, _ = roles[max(index, 0)]
            sent = doc[s:e]
            sent_text = text[sent.start_char:sent.end_char]
            out["first_sentence"] = float(index == 0)
            out["sentence_position"] = index / max(1, len(roles) - 1)
            out["names_in_sentence"] = math.log1p(sum(1 for x in doc.spans.get("dlkg_terms", [])
                                                      if sent.start_char <= x.start_char < sent.end_char))
            for name in SENTENCE_CUES:
                out[f"cue={name}"] = float(bool(getattr(self.cues, name).search(sent_text)))
            out["example_lead"] = float(bool(self.cues.example_lead.search(text[max(sent.start_char, ev.start - 30):ev.start])))
        return out


class Decision:
    """Keeps the candidates the model scores at or above its threshold (default: the model's own)."""

    def __init__(self, model: LinearModel, features: Features, threshold: float | None = None) -> None:
        self.model = model
        self.features = features
        self.threshold = model.threshold if threshold is None else threshold

    def decide(self, c: Candidates) -> tuple[list[Fact], list[Setting]]:
        facts: list[Fact] = []
        settings: list[Setting] = []
        for item, row in self.features.rows(c):
            p = round(self.model.probability(row), 4)
            if p < self.threshold:
                continue
            if isinstance(item, Fact):
                if not item.evidence:  # kept against the rules: its evidence is what they turned down
                    item.evidence = [e for e, _ in item.rejected]
                item.confidence = p
                facts.append(item)
            else:
                best = min(item, key=lambda s: bool(s.rejected))
                best.confidence = p
                settings.append(best)
        return facts, settings
