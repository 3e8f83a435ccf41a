"""Open-world names: things not in the vocabulary whose phrasing makes their type clear ("our BatNet++ model", "a
custom dataset of 33,984 images", "bird audio recordings"), data splits, memory, fixed training budgets. Which rule
runs on which answer is a table keyed by the question's concepts (`[asked]` in cues.toml)."""
from __future__ import annotations

import re
from typing import Callable

from spacy.tokens import Doc, Span

from ..ingest import Answer
from ..vocabulary import Term
from .cues import Cues
from .results import FactSink
from .spans import doc_text, span_text


class OpenNames:
    def __init__(self, cues: Cues, terms_of: Callable[[str], list[Term]]) -> None:
        self.cues = cues
        self.terms_of = terms_of
        self.not_modifiers = frozenset(cues.words["not_modifiers"])
        self.not_names = frozenset(cues.words["not_names"])
        prefixes = "|".join(cues.words["purpose_prefixes"])
        # "to classify species", "and detect nests": a purpose verb and its object
        self.task_verb = re.compile(r"\b(?:to |and |or )(?:" + prefixes + r")(" + "|".join(cues.purpose_verbs)
                                    + r")\s+(?:the |between )?((?:[\w-]+\s?){1,4})", re.I)

    def split(self, sent: Span, answer: Answer, facts: FactSink, rejected: str = "") -> bool:
        labels = self.split_labels(span_text(sent))
        for label in labels:
            facts.add("DataSplitCriteria", label, answer, sent.start_char, sent.end_char, doc_text(sent.doc),
                      rejected=rejected)
        return bool(labels) and not rejected

    def open_names(self, sent: Span, spans: list[Span], answer: Answer, asked: tuple[str, ...], facts: FactSink,
                   first_statement: bool = False, rejected: str = "") -> bool:
        """Names not in the vocabulary whose phrasing makes their type clear. `spans`: the vocabulary names starting
        in `sent`. `first_statement`: the answer's first fact sentence, where answers state their point (a purpose
        phrase elsewhere is usually background). `rejected`: why the rules turn the sentence down (its names are then
        candidates only, for the learned decision). Returns whether a name was kept."""
        found = False
        cues = self.cues
        text, base, whole = span_text(sent), sent.start_char, doc_text(sent.doc)
        explained_from = cues.explaining.search(text)
        if explained_from:
            text = text[: explained_from.start()]  # what a ", which involves ..." clause explains is not named there

        def add(concept: str, label: str, start: int, end: int, why: str = "") -> None:
            nonlocal found
            facts.add(concept, label, answer, base + start, base + end, whole, rejected=rejected or why)
            found = found or not (rejected or why)

        known = {s.text for s in spans if s.end <= sent.end}
        known_lower = {k.lower() for k in known}
        # a dataset named in the sentence is the data it counts or describes
        named_data = any(t.concept == "Dataset" for s in spans if s.end <= sent.end for t in self.terms_of(s.label_))
        if cues.runs("own_dataset", asked):
            for m in list(cues.own_dataset.finditer(text)) + list(cues.dataset_of.finditer(text)):
                add("Dataset", "own dataset", m.start(), m.end())
            for m in cues.named_dataset.finditer(text):
                name = m.group(1)
                if name.split()[0] in self.not_names or name in known or any(name in k or k in name for k in known):
                    continue
                add("Dataset", name, m.start(1), m.end(1))
        raw_data_elsewhere = "" if cues.runs("raw_data", asked) else "not_asked"  # a candidate in other answers
        if not raw_data_elsewhere or cues.runs("raw_data_candidates", asked):
            heads = [(m, raw_data_elsewhere) for m in cues.raw_data_head.finditer(text)]
            for m, why in heads + [(m, raw_data_elsewhere or "loose_head") for m in cues.raw_data_loose.finditer(text)]:
                label = self.noun_phrase(text[: m.start()], m.group(1), m.group(2))
                if label:
                    add("RawData", label, m.start(), m.end(), why)
        if cues.runs("model_purpose", asked) and first_statement:
            for m in cues.task_head.finditer(text):
                label = self.noun_phrase(text[: m.start()], m.group(1), m.group(2))
                if label and label.lower() not in known_lower and len(label.split()) <= 4:
                    add("ModelPurpose", label, m.start(), m.end())
            for m in self.task_verb.finditer(text):
                obj = []
                for w in m.group(2).split():
                    if w.lower() in self.not_modifiers or not re.fullmatch(r"[A-Za-z][\w-]*", w):
                        break
                    obj.append(w)
                if obj:
                    label = " ".join(obj + [cues.purpose_verbs[m.group(1).lower()]])
                    add("ModelPurpose", label, m.start(), m.end())
        if cues.runs("data_count", asked) and not known:
            for m in cues.data_count.finditer(text):
                add("Dataset", "own dataset", m.start(), m.end())
        if cues.runs("own_data", asked) and not named_data:
            for m in [*cues.own_data.finditer(text), *cues.described_dataset.finditer(text)]:
                add("Dataset", "own dataset", m.start(), m.end(), "own_data")
        if cues.runs("memory", asked):
            for m in cues.memory.finditer(text):
                label = f"{m.group(1)} GB RAM"
                add("HardwareResource", label, m.start(), m.end())
        if cues.runs("split", asked):
            found |= self.split(sent, answer, facts, rejected)
        if cues.runs("fixed_budget", asked):
            for m in cues.fixed_budget.finditer(text):
                unit = "epochs" if m.group(1).lower().startswith("epoch") else "iterations"
                add("TrainingCompletionCriteria", f"fixed number of {unit}", m.start(), m.end())
        if cues.runs("named_model", asked):
            for m in cues.named_model.finditer(text):
                name = m.group(1)
                if name in self.not_names or name in known or any(name in k for k in known):
                    continue
                if re.fullmatch(r"[A-Z]{2,5}s?", name) and not cues.runs("acronym_model", asked):
                    continue
                add("DeepLearningModel", name, m.start(1), m.end(1))
        return found

    def list_headings(self, doc: Doc, answer: Answer, asked: tuple[str, ...], facts: FactSink) -> None:
        """The headings of an answer's list items, as candidates of the one concept its question asks about ("2.
        Tokenization: ...": a PreprocessingStep); a heading that is a vocabulary name is that name's already."""
        if len(asked) != 1 or not self.cues.runs("list_heading", asked):
            return
        text = doc_text(doc)
        names = [(x.start_char, x.end_char) for x in doc.spans.get("dlkg_terms", [])]
        for m in self.cues.list_heading.finditer(text):
            label = re.sub(r"\s*\([^)]*\)?\s*$", "", m.group(1)).strip()  # "PCEN (Per-Channel ...)": the name
            if not label or len(label.split()) > 6 or any(s <= m.start(1) and m.start(1) + len(label) <= e for s, e in names):
                continue
            facts.add(asked[0], label, answer, m.start(1), m.start(1) + len(label), text, rejected="list_heading")

    def split_labels(self, text: str) -> list[str]:
        """'80% for training and 20% for validation' -> ['train/validation split', '80/20 split']."""
        if not self.cues.split_verb.search(text):
            return []
        sets = [name for name, pattern in self.cues.split_sets if pattern.search(text)]
        labels = [f"{'/'.join(sets)} split"] if len(sets) >= 2 else []
        shares = [float(p) for p in self.cues.split_share.findall(text)]
        if len(shares) == 1 and shares[0] < 50 and len(sets) >= 1:
            shares = [100 - shares[0], shares[0]]  # "20% of the data for validation": the rest trains
        if 2 <= len(shares) <= 3 and abs(sum(shares) - 100) < 0.6:
            labels.append("/".join(f"{x:g}" for x in shares) + " split")
        return labels

    def noun_phrase(self, before: str, head: str, of_phrase: str | None) -> str | None:
        """'bird audio recordings', 'images of the sea floor': a head noun with the modifiers that say what it is about."""
        modifiers: list[str] = []
        for word in reversed(before.split()[-3:]):
            w = word.strip(",;:()\"'")
            if not w or w != word or w.lower() in self.not_modifiers or not re.fullmatch(r"[A-Za-z][\w-]*", w) \
                    or re.search(r"(?:ed|ing|ly)$", w.lower()):
                break
            modifiers.insert(0, w)
        tail = []
        if of_phrase:
            for w in of_phrase.split():
                if w.lower() in ("the", "a", "an"):
                    continue
                if w.lower() in self.not_modifiers or not re.fullmatch(r"[A-Za-z][\w-]*", w):
                    break
                tail.append(w)
        if not modifiers and not tail:
            return None
        return " ".join(modifiers + [head] + (["of"] + tail if tail else []))
