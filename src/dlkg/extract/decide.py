"""The learned decision: is a candidate a fact of this paper's pipeline?

The rules (`pipeline`) propose every vocabulary name, open-world name, link and setting they see, each mention with
the rule that would turn it down ("negated", "generic", "question_echo", ...). Here each candidate becomes a row of
features (those verdicts, the sentence's cues, the answer's status, the question's concept, how the paper's other
answers speak, and what a word model makes of the sentence's words) and gradient-boosted trees, trained by `dlkg train`
(`dlkg.train`), gives it a probability. Candidates at or above the model's threshold are kept; the probability stays
on the fact as its confidence.

The model is one JSON file (trees, threshold, the word model's weights), so a build needs no learner and stays
deterministic.
"""
from __future__ import annotations

import json
import math
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator, Union

from rdflib import URIRef
from spacy.tokens import Doc

from ..errors import DlkgError
from ..resources import ontology_dir
from ..vocabulary import Vocabulary
from .cues import Cues
from .results import AnswerResult, Candidates, Evidence, Fact, Setting
from .roles import FACT, GENERIC, META, MISSING, SPECULATIVE
from .spans import doc_text

MODEL_VERSION = 3
_WORD = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern
_LIST_LEAD = re.compile(r"(?:such as|including|include[sd]?|namely|like|:|,|\band|\bor)\s*(?:\*\*)?\s*$", re.I)
_BULLET = re.compile(r"\s*(?:[*•-]|\d+\.)\s")
ROLES = (FACT, MISSING, GENERIC, SPECULATIVE, META)
SENTENCE_CUES = ("paper_cues", "evidence", "textbook", "generic", "speculative", "citation", "hedge", "negated_term")
Item = Union[Fact, list[Setting]]  # a fact, or the settings of one hyperparameter with one value
WordDocs = tuple[list[str], list[str]]  # what the word model reads: name tokens, sentence tokens


def model_file(folder: Path | None = None) -> Path:
    return (folder or ontology_dir()) / "language" / "decision-model.json"


def name_tokens(concept: str, label: str, cq: str) -> list[str]:
    """What the word model reads of a candidate's name: its concept, name and question as tokens."""
    name = "_".join(_WORD.findall(label.lower()))
    return [f"C_{concept}", f"L_{name}", f"CL_{concept}_{name}", f"Q_{cq}_{concept}"]


def sentence_tokens(sentence: str) -> list[str]:
    """What the word model reads of a candidate's sentence: its words and word pairs, lower case."""
    words = _WORD.findall(sentence.lower())
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


@dataclass(frozen=True)
class WordModel:
    """Logistic regression over the TF-IDF of `name_tokens` and `sentence_tokens` (scikit-learn's, copied): the one
    part of the decision that reads words, so a sentence's "we trained" or "are commonly used" counts beyond the cue
    lists. Its probability is the trees' feature "words"."""
    name_terms: dict[str, tuple[float, float]]        # token -> (idf, coefficient)
    sentence_terms: dict[str, tuple[float, float]]    # sublinear term frequency, as fitted
    intercept: float

    def probability(self, docs: WordDocs) -> float:
        return self.probabilities([docs])[0]

    def probabilities(self, docs: list[WordDocs]) -> list[float]:
        """`probability` of many candidates; candidates that share a sentence's token list (`Features.rows` gives one
        list per sentence) share its part of the sum, computed once."""
        by_sentence: dict[int, float] = {}
        out = []
        for name, sentence in docs:
            part = by_sentence.get(id(sentence))
            if part is None:
                part = by_sentence[id(sentence)] = _tfidf_dot(sentence, self.sentence_terms, True)
            z = self.intercept + _tfidf_dot(name, self.name_terms, False) + part
            out.append(1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z)))))
        return out

    def to_dict(self) -> dict:
        return {"intercept": self.intercept, "name": {k: list(v) for k, v in sorted(self.name_terms.items())},
                "sentence": {k: list(v) for k, v in sorted(self.sentence_terms.items())}}

    @staticmethod
    def from_dict(data: dict) -> "WordModel":
        terms = lambda d: {str(k): (float(v[0]), float(v[1])) for k, v in d.items()}
        return WordModel(terms(data["name"]), terms(data["sentence"]), float(data["intercept"]))


def _tfidf_dot(tokens: list[str], terms: dict[str, tuple[float, float]], sublinear: bool) -> float:
    """The l2-normalised TF-IDF vector of `tokens` (as scikit-learn's TfidfVectorizer makes it) dotted with the
    coefficients; tokens outside the vocabulary count for nothing, as there."""
    counts: dict[str, int] = {}
    for t in tokens:
        if t in terms:
            counts[t] = counts.get(t, 0) + 1
    weighted = [(((1.0 + math.log(n)) if sublinear else float(n)) * terms[t][0], terms[t][1])
                for t, n in sorted(counts.items())]
    norm = math.sqrt(sum(w * w for w, _ in weighted))
    return sum(w * coef for w, coef in weighted) / norm if norm else 0.0


@dataclass(frozen=True)
class Tree:
    """One regression tree of the boosted model: node arrays as scikit-learn keeps them (left == -1: a leaf)."""
    feature: tuple[int, ...]
    threshold: tuple[float, ...]
    left: tuple[int, ...]
    right: tuple[int, ...]
    value: tuple[float, ...]             # leaf values, already multiplied by the learning rate

    def __call__(self, x: list[float]) -> float:
        node = 0
        while self.left[node] != -1:
            node = self.left[node] if x[self.feature[node]] <= self.threshold[node] else self.right[node]
        return self.value[node]


@dataclass(frozen=True)
class DecisionModel:
    """Gradient-boosted trees over the feature rows -> probability that a candidate is a fact; fitted by
    `dlkg train` (scikit-learn) and kept as JSON, so a build needs only this file and plain Python."""
    features: tuple[str, ...]
    init: float
    trees: tuple[Tree, ...]
    threshold: float
    about: dict
    words: WordModel | None = None      # its probability is the feature "words" (the fact decision only)

    def probability(self, row: dict[str, float]) -> float:
        x = [row.get(f, 0.0) for f in self.features]
        z = self.init
        for tree in self.trees:
            z += tree(x)
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def probabilities(self, rows: list[dict[str, float]]) -> list[float]:
        """`probability` of many rows at once: all trees walk all rows together (numpy) and the leaf values are added
        tree by tree as `probability` adds them, so the numbers are the same; a paper costs milliseconds."""
        import numpy as np

        if not rows:
            return []
        feature, threshold, left, right, value = self._stacked()
        x = np.array([[row.get(f, 0.0) for f in self.features] for row in rows], dtype=float)
        trees = np.arange(len(self.trees))[:, None]
        node = np.zeros((len(self.trees), len(rows)), dtype=int)
        everyone = np.arange(len(rows))[None, :]
        while True:
            inner = left[trees, node] != -1
            if not inner.any():
                break
            go_left = x[everyone, np.where(inner, feature[trees, node], 0)] <= threshold[trees, node]
            node = np.where(inner, np.where(go_left, left[trees, node], right[trees, node]), node)
        leaves = value[trees, node]
        z = np.full(len(rows), self.init)
        for t in range(len(self.trees)):
            z = z + leaves[t]
        return [1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, float(v))))) for v in z]

    def _stacked(self) -> tuple:
        """The trees' node arrays, padded to one width; built once (a frozen dataclass may still cache in __dict__)."""
        import numpy as np

        if "_stacked_arrays" not in self.__dict__:
            width = max(len(t.left) for t in self.trees)

            def pad(values: tuple, fill: float) -> list:
                return list(values) + [fill] * (width - len(values))
            self.__dict__["_stacked_arrays"] = (
                np.array([pad(t.feature, 0) for t in self.trees], dtype=int),
                np.array([pad(t.threshold, 0.0) for t in self.trees], dtype=float),
                np.array([pad(t.left, -1) for t in self.trees], dtype=int),
                np.array([pad(t.right, -1) for t in self.trees], dtype=int),
                np.array([pad(t.value, 0.0) for t in self.trees], dtype=float))
        return self.__dict__["_stacked_arrays"]

    def to_dict(self) -> dict:
        return {"features": list(self.features), "init": self.init, "threshold": self.threshold, "about": self.about,
                "trees": [{"feature": list(t.feature), "threshold": list(t.threshold), "left": list(t.left),
                           "right": list(t.right), "value": list(t.value)} for t in self.trees],
                "words": self.words.to_dict() if self.words else None}

    @staticmethod
    def from_dict(data: dict) -> "DecisionModel":
        n = len(data["features"])
        trees = []
        for t in data["trees"]:
            tree = Tree(tuple(map(int, t["feature"])), tuple(map(float, t["threshold"])), tuple(map(int, t["left"])),
                        tuple(map(int, t["right"])), tuple(map(float, t["value"])))
            sizes = {len(tree.feature), len(tree.threshold), len(tree.left), len(tree.right), len(tree.value)}
            if len(sizes) != 1 or any(f >= n for f, l in zip(tree.feature, tree.left) if l != -1):
                raise ValueError("a tree's node arrays differ in length or name an unknown feature")
            trees.append(tree)
        words = WordModel.from_dict(data["words"]) if data.get("words") else None
        return DecisionModel(tuple(data["features"]), float(data["init"]), tuple(trees), float(data["threshold"]),
                             dict(data.get("about", {})), words)


@dataclass(frozen=True)
class Models:
    """What `dlkg train` writes: the fact decision and the Reported decision (either may be absent: rules then)."""
    facts: DecisionModel | None
    reported: DecisionModel | None

    def to_json(self) -> str:
        """Diff-friendly JSON: one line per tree."""
        parts = []
        for name in ("facts", "reported"):
            model = getattr(self, name)
            if model is None:
                parts.append(f' "{name}": null')
                continue
            data = model.to_dict()
            trees, words = data.pop("trees"), data.pop("words")
            head = json.dumps(data, sort_keys=True)
            body = ",\n".join("  " + json.dumps(t, sort_keys=True, separators=(",", ":")) for t in trees)
            tail = "null"
            if words is not None:
                lines = lambda d: ",\n".join(f"   {json.dumps(k)}: {json.dumps(v)}" for k, v in d.items())
                tail = (f'{{"intercept": {json.dumps(words["intercept"])},\n  "name": {{\n{lines(words["name"])}\n  }},'
                        f'\n  "sentence": {{\n{lines(words["sentence"])}\n  }}}}')
            parts.append(f' "{name}": {head[:-1]}, "trees": [\n{body}\n ], "words": {tail}}}')
        return "{\n" + ",\n".join(parts) + f',\n "version": {MODEL_VERSION}\n}}\n'

    @staticmethod
    def load(path: Path) -> "Models":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("version") != MODEL_VERSION:
                version = data.get("version") if isinstance(data, dict) else None
                raise DlkgError(f"{path}: decision model version {version!r}; this dlkg reads {MODEL_VERSION}"
                                " (retrain it with `dlkg train`)")
            return Models(*(DecisionModel.from_dict(data[k]) if data.get(k) is not None else None
                            for k in ("facts", "reported")))
        except FileNotFoundError:
            raise DlkgError(f"{path}: no decision model (train one with `dlkg train`)") from None
        except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
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
        self.question_words = {cq: frozenset(re.findall(r"[a-z]+", q.lower())) for cq, q in vocabulary.questions.items()}
        self.examples = {cq: frozenset(e.lower() for e in es) for cq, es in vocabulary.example_terms.items()}
        self.term_words = frozenset(t.pref_label.lower() for t in vocabulary.terms.values() if " " not in t.pref_label)

    def items(self, c: Candidates) -> Iterator[Item]:
        yield from c.facts
        groups: dict[tuple[str, str], list[Setting]] = {}
        for s in c.settings:
            groups.setdefault(s.key, []).append(s)
        yield from groups.values()

    def rows(self, c: Candidates) -> list[tuple[Item, dict[str, float], WordDocs]]:
        """Each candidate (in `items` order) with its feature row and what the word model reads of it: `name_tokens`,
        and `sentence_tokens` of its first mention's sentence (one list per sentence, shared by its candidates)."""
        paper = self._paper_features(c)
        context = _Context(c, self.cues)
        out = []
        # how many candidates of each concept the record has, and how many of them the rules keep: a long list of
        # models or datasets is more often an overview than the pipeline's own
        named: dict[str, int] = {}
        kept: dict[str, int] = {}
        for item in self.items(c):
            concept, label, kind, iri, mentions = _described(item)
            first = mentions[0][0] if mentions else None
            docs = (name_tokens(concept, label, first.cq if first else ""), context.sentence_tokens(first))
            row = {**paper, **self._item_features(context, item, concept, label, kind, iri, mentions)}
            out.append((item, row, docs, concept))
            named[concept] = named.get(concept, 0) + 1
            kept[concept] = kept.get(concept, 0) + any(not r for _, r in mentions)
        for _, row, _, concept in out:
            row["concept_candidates"] = math.log1p(named[concept])
            row["concept_kept"] = math.log1p(kept[concept])
        return [(item, row, docs) for item, row, docs, _ in out]

    def answer_rows(self, c: Candidates) -> list[dict[str, float]]:
        """One row per answer (in `c.results` order) for the Reported decision: the rules' call, the sentence roles,
        and what the candidates of that answer are and why the rules turned them down."""
        counts: dict[str, dict[str, float]] = {r.answer.cq: {} for r in c.results}

        def bump(cq: str, key: str) -> None:
            if cq in counts:
                counts[cq][key] = counts[cq].get(key, 0.0) + 1
        for fact in c.facts:
            for e in fact.evidence:
                bump(e.cq, "names_kept")
                if fact.concept in self._asked(e.cq):
                    bump(e.cq, "names_kept_asked")
            for e, why in fact.rejected:
                bump(e.cq, f"names_rejected={why}")
                if fact.concept in self._asked(e.cq):
                    bump(e.cq, "names_rejected_asked")
        for s in c.settings:
            bump(s.evidence.cq, "settings_rejected" if s.rejected else "settings_kept")
        rows = []
        for r in c.results:
            cq, doc = r.answer.cq, c.docs.get(r.answer.cq)
            row = {f"cq={cq}": 1.0, "rules_reported": float(r.reported),
                   **{k: math.log1p(v) for k, v in counts[cq].items()}}
            calls = [p.reported[cq] for p in c.others if cq in p.reported]  # the other LLMs' answers to this CQ
            row["peers"] = float(len(calls))
            row["peers_reported_share"] = sum(calls) / len(calls) if calls else 0.0
            if doc is not None:
                text = doc_text(doc)
                roles = doc.user_data.get("dlkg_roles", [])
                row["length"] = math.log1p(len(text))
                row["dont_know"] = float(bool(self.cues.dont_know.match(text)))
                for role in ROLES:
                    row[f"role={role}"] = sum(x == role for _, _, x in roles) / max(1, len(roles))
                row["first_role_missing"] = float(bool(roles) and roles[0][2] == MISSING)
                row["first_role_fact"] = float(bool(roles) and roles[0][2] == FACT)
                for name in SENTENCE_CUES:
                    row[f"cue={name}"] = float(bool(getattr(self.cues, name).search(text)))
            rows.append(row)
        return rows

    def _paper_features(self, c: Candidates) -> dict[str, float]:
        model_cqs = {r.answer.cq for r in c.results if self.cues.runs("model_answer", self._asked(r.answer.cq))}
        dl_model = any(f.concept == "DeepLearningModel" and any(e.cq in model_cqs for e in f.evidence) for f in c.facts)
        framework = any(f.concept == "Framework" and f.evidence for f in c.facts)
        # not the paper's share of Reported answers: it made the decision hinge on how many questions a record has
        # (a four-answer record lost its plain facts), and out of fold it did not help
        # A record that was never asked the model (or framework) question gives no evidence of a paper without deep
        # learning: it reads as one that names its model, so that its other answers are judged on what they say.
        asked = {r.answer.cq for r in c.results if r.answer.text.strip()}
        framework_asked = any("Framework" in self._asked(cq) for cq in asked)
        if not model_cqs & asked:
            return {"paper_model_answer_reported": 1.0, "paper_dl_model": 1.0,
                    "paper_framework": float(framework or not framework_asked)}
        return {"paper_model_answer_reported": float(any(r.reported for r in c.results if r.answer.cq in model_cqs)),
                "paper_dl_model": float(dl_model), "paper_framework": float(framework or not framework_asked)}

    def _asked(self, cq: str) -> tuple[str, ...]:
        return self.vocabulary.cq_concepts.get(cq, ())

    def _item_features(self, context: "_Context", item: Item, concept: str, label: str, kind: str, iri: URIRef | None,
                       mentions: list[tuple[Evidence, str]]) -> dict[str, float]:
        row: dict[str, float] = {f"concept={concept}": 1.0, f"kind={kind}": 1.0,
                                 "kept_mentions": math.log1p(sum(not r for _, r in mentions)),
                                 "rejected_mentions": math.log1p(sum(bool(r) for _, r in mentions)),
                                 "cqs": math.log1p(len({e.cq for e, _ in mentions})),
                                 "label_words": math.log1p(len(label.split())),
                                 "depth": float(self.depth.get(iri, 0)) if iri is not None else 0.0,
                                 "narrower": math.log1p(self.narrower.get(iri, 0)) if iri is not None else 0.0}
        if kind == "local":  # an open-world name: what it looks like, and its head word
            words = label.split()
            row["name_capitalised"] = float(any(w[:1].isupper() for w in words[1:]) or label.isupper())
            row["name_acronym"] = float(any(len(w) > 1 and w.isupper() for w in words))
            row["name_digit"] = float(any(ch.isdigit() for ch in label))
            own = self.question_words.get(next(iter(e.cq for e, _ in mentions), ""), frozenset())
            row["name_in_question"] = sum(w.lower() in own for w in words) / len(words) if words else 0.0
            row["name_has_term"] = float(any(w.lower() in self.term_words for w in words))
        others = context.c.others  # what the paper's other answering LLMs say of the same thing (or setting)
        same = item.key if isinstance(item, Fact) else item[0].peer_key
        row["other_records"] = float(len(others))
        for name, said in (("keep", sum(same in k.kept for k in others)), ("name", sum(same in k.named for k in others))):
            row[f"others_{name}_it"] = float(said)
            row[f"others_{name}_it_share"] = said / len(others) if others else 0.0
        needle = label.lower()
        row["answers_naming_it"] = math.log1p(sum(needle in t for t in context.lowered))
        if isinstance(item, list):
            row["setting_has_unit"] = float(any(s.unit for s in item))
            row["setting_numeric"] = float(not isinstance(item[0].value, str))
        per = [self._mention(context, e, r, concept, label) for e, r in mentions]
        if len(per) == 1:  # most candidates: one mention, whose values are their own maximum and mean
            for key, value in per[0].items():
                row[f"any:{key}"] = row[f"mean:{key}"] = value
            return row
        for key in {k for m in per for k in m}:
            values = [m.get(key, 0.0) for m in per]
            row[f"any:{key}"] = max(values)
            row[f"mean:{key}"] = sum(values) / len(values)
        return row

    def _mention(self, context: "_Context", ev: Evidence, rejected: str, concept: str, label: str) -> dict[str, float]:
        out = {f"rule={rejected or 'kept'}": 1.0, "asked": float(concept in self._asked(ev.cq)),
               "example": float(label.lower() in self.examples.get(ev.cq, ())),
               "answer_reported": context.reported.get(ev.cq, 0.0)}
        answer = context.answer(ev.cq)
        if answer is None:
            return out
        out.update(answer.flags)
        if answer.starts:
            index = answer.index(ev.start)
            out.update(answer.sentence(index))
            text, sent_start = answer.text, answer.starts[index]
            before = text[max(sent_start, ev.start - 30):ev.start]
            out["example_lead"] = float(bool(self.cues.example_lead.search(before)))
            out["list_lead"] = float(bool(_LIST_LEAD.search(before)))
            out["bold"] = float(text[max(0, ev.start - 2):ev.start] == "**")
        return out


def _described(item: Item) -> tuple[str, str, str, URIRef | None, list[tuple[Evidence, str]]]:
    """A candidate's concept, label, kind, vocabulary entry (if any) and mentions (each with the rule that turned it
    down, "" if none; the kept ones first)."""
    if isinstance(item, Fact):
        kind = "term" if item.term is not None else "link" if item.url else "local"
        iri = item.term.iri if item.term is not None else None
        return item.concept, item.label, kind, iri, [(e, "") for e in item.evidence] + item.rejected
    iri = item[0].name.iri if str(item[0].name.iri) else None
    return ("Hyperparameter", item[0].name.pref_label, "setting" if iri else "open_setting", iri,
            [(s.evidence, s.rejected) for s in item])


class _Answer:
    """What the features need of one parsed answer, computed once: its flags, and each sentence's on first use."""

    def __init__(self, doc: Doc, cues: Cues) -> None:
        self.cues = cues
        self.text = doc_text(doc)
        roles = doc.user_data.get("dlkg_roles", [])
        self.bounds = doc.user_data.get("dlkg_sentence_chars", [])
        self.starts = [s for s, _ in self.bounds]
        self.flags = {"answer_missing": float(any(r == MISSING for _, _, r in roles)),
                      "answer_dont_know": float(bool(cues.dont_know.match(self.text))),
                      "answer_fact_share": sum(r == FACT for _, _, r in roles) / len(roles) if roles else 0.0}
        self.name_starts = sorted(x.start_char for x in doc.spans.get("dlkg_terms", []))
        self._sentences: dict[int, dict[str, float]] = {}

    def index(self, char: int) -> int:
        """The index of the sentence that holds character `char`."""
        return max(0, bisect_right(self.starts, char) - 1)

    def sentence_text(self, char: int) -> str:
        if not self.starts:
            return self.text
        start, end = self.bounds[self.index(char)]
        return self.text[start:end]

    def sentence(self, index: int) -> dict[str, float]:
        if index not in self._sentences:
            start, end = self.bounds[index]
            text = self.text[start:end]
            out = {"first_sentence": float(index == 0), "sentence_position": index / max(1, len(self.bounds) - 1),
                   "names_in_sentence": math.log1p(bisect_left(self.name_starts, end) - bisect_left(self.name_starts, start)),
                   "bullet": float(bool(_BULLET.match(text)))}
            for name in SENTENCE_CUES:
                out[f"cue={name}"] = float(bool(getattr(self.cues, name).search(text)))
            self._sentences[index] = out
        return self._sentences[index]


class _Context:
    """One paper's answers for the features, each prepared once."""

    def __init__(self, c: Candidates, cues: Cues) -> None:
        self.c, self.cues = c, cues
        self.reported = {r.answer.cq: float(r.reported) for r in c.results}
        self.lowered = [doc_text(d).lower() for d in c.docs.values()]
        self._answers: dict[str, _Answer] = {}
        self._tokens: dict[str, list[str]] = {}

    def sentence_tokens(self, ev: Evidence | None) -> list[str]:
        """`sentence_tokens` of the sentence that holds `ev`, one list per sentence text."""
        answer = self.answer(ev.cq) if ev else None
        sentence = answer.sentence_text(ev.start) if answer and ev else ""
        if sentence not in self._tokens:
            self._tokens[sentence] = sentence_tokens(sentence)
        return self._tokens[sentence]

    def answer(self, cq: str) -> _Answer | None:
        doc = self.c.docs.get(cq)
        if doc is None:
            return None
        if cq not in self._answers:
            self._answers[cq] = _Answer(doc, self.cues)
        return self._answers[cq]


class Decision:
    """Keeps the candidates the fact model scores at or above its threshold (default: the model's own), and calls
    an answer Reported when the Reported model gives it at least 0.5; a part without a model keeps the rules' call."""

    def __init__(self, models: Models, features: Features, threshold: float | None = None) -> None:
        self.models = models
        self.features = features
        self.threshold = threshold if threshold is not None else models.facts.threshold if models.facts else 0.5

    def facts(self, c: Candidates) -> tuple[list[Fact], list[Setting]]:
        if self.models.facts is None:
            return c.rules_kept()
        facts: list[Fact] = []
        settings: list[Setting] = []
        rows = self.features.rows(c)
        words = self.models.facts.words
        if words is not None:
            for (_, row, _), p in zip(rows, words.probabilities([docs for _, _, docs in rows])):
                row["words"] = p
        for (item, _, _), probability in zip(rows, self.models.facts.probabilities([row for _, row, _ in rows])):
            p = round(probability, 4)
            if p < self.threshold:
                continue
            if isinstance(item, Fact):  # copies: the candidates stay as the rules left them
                # kept against the rules, its evidence is what they turned down
                facts.append(replace(item, evidence=item.evidence or [e for e, _ in item.rejected], confidence=p))
            else:
                settings.append(replace(min(item, key=lambda s: bool(s.rejected)), confidence=p))
        return facts, settings

    def results(self, c: Candidates) -> list[AnswerResult]:
        if self.models.reported is None:
            return c.results
        rows = self.features.answer_rows(c)
        return [AnswerResult(r.answer, p >= 0.5) if r.answer.text.strip() else r
                for r, p in zip(c.results, self.models.reported.probabilities(rows))]
