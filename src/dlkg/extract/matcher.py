"""The vocabulary matcher: every vocabulary name in a doc, into `doc.spans["dlkg_terms"]` (longest match wins)."""
from __future__ import annotations

import re
from pathlib import Path

from rdflib import URIRef
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from ..vocabulary import Term, Vocabulary, load_vocabulary
from .spans import doc_text


def _label_variants(label: str) -> set[str]:
    """Spelling variants a paper may use for one name: hyphen/space/joined, and a plural."""
    out = {label}
    if "-" in label:
        out |= {label.replace("-", " "), label.replace("-", "")}
    if " " in label and len(label) <= 20 and re.search(r"\d", label):
        out.add(label.replace(" ", ""))
        out.add(label.replace(" ", "-"))
    last = label.split()[-1] if label.split() else label
    if last.isalpha() and len(last) > 3 and not last.endswith("s") and last.islower():
        out.add(label + "s")
    return out


def _exact_case(label: str, term: Term) -> bool:
    return term.case_sensitive or (len(label) <= 4 and label.upper() == label and any(c.isalpha() for c in label))


@Language.factory("dlkg_vocabulary_matcher", default_config={"ontology_dir": None})
def make_vocabulary_matcher(nlp: Language, name: str, ontology_dir: str | None) -> "VocabularyMatcher":
    return VocabularyMatcher(nlp, load_vocabulary(Path(ontology_dir) if ontology_dir else None))


class VocabularyMatcher:
    """Finds every vocabulary name in a doc; overlapping names resolve to the longest (ResNet-50 over ResNet)."""

    def __init__(self, nlp: Language, vocabulary: Vocabulary):
        self.vocabulary = vocabulary
        self.keys: dict[str, list[Term]] = {}
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        lower_patterns: dict[str, list[Doc]] = {}
        exact_patterns: dict[str, list[Doc]] = {}
        for term in vocabulary.terms.values():
            key = str(term.iri)
            self.keys.setdefault(key, []).append(term)
            for label in term.labels:
                exact = _exact_case(label, term)
                for variant in (_label_variants(label) if not exact else {label}):
                    (exact_patterns if exact else lower_patterns).setdefault(key, []).append(nlp.make_doc(variant))
        self.setting_keys = {nlp.vocab.strings.add(str(t.iri)) for t in vocabulary.by_concept("Hyperparameter")}
        for key, docs in lower_patterns.items():
            self.lower.add(key, docs)
        for key, docs in exact_patterns.items():
            self.exact.add(key, docs)

    def __call__(self, doc: Doc) -> Doc:
        matches = self.lower(doc) + self.exact(doc)
        spans = sorted({(s, e, k) for k, s, e in matches}, key=lambda m: (m[0], -(m[1] - m[0])))
        kept: list[tuple[int, int, int]] = []
        # per layer (hyperparameter names are a layer of their own): the furthest end kept so far and the start of
        # the first name reaching it; spans come by start, so a kept name containing this one is one reaching its end
        reach: dict[bool, tuple[int, int]] = {}
        for s, e, k in spans:
            layer = k in self.setting_keys
            far_end, far_start = reach.get(layer, (-1, -1))
            if far_end > e or (far_end == e and far_start < s):
                continue  # inside a longer name of the same layer
            kept.append((s, e, k))
            if e > far_end:
                reach[layer] = (e, s)
        by_end: dict[int, list[tuple[int, int, int]]] = {}
        for m in kept:
            by_end.setdefault(m[1], []).append(m)
        kept = [m for m in kept if not self._head_of_previous(m, by_end, doc) and not _initial_letter(doc, m[0], m[1])]
        doc.spans["dlkg_terms"] = [Span(doc, s, e, label=k) for s, e, k in kept]
        return doc


    def _head_of_previous(self, match: tuple[int, int, int], by_end: dict[int, list[tuple[int, int, int]]],
                          doc: Doc) -> bool:
        """A generic name right after a narrower one is its head noun ("Tesla V100 GPU"), not a second thing.
        `by_end`: the kept names by their end token; only one ending at most three tokens before can carry it."""
        s, _, k = match
        for ps, pe, pk in (m for end in range(s - 3, s + 1) for m in by_end.get(end, ())):
            gap = doc[pe:s]
            adjacent = not any(t.is_punct or t.lower_ in ("and", "or", "with") for t in gap) \
                and all(any(c.isdigit() for c in t.text) or t.lower_ in ("ghz", "mhz", "gb", "graphics") for t in gap)
            if adjacent and URIRef(doc.vocab.strings[k]) in self.vocabulary.ancestors(URIRef(doc.vocab.strings[pk])):
                return True
        return False


def _initial_letter(doc: Doc, start: int, end: int) -> bool:
    """A one-letter name ("R") that is an author's initial ("Socher, R. ,") or a letter of a spaced-out heading
    ("R E S U L T S") is not that name."""
    if end - start != 1 or len(doc[start].text) != 1:
        return False
    single = lambda i: 0 <= i < len(doc) and len(doc[i].text) == 1 and doc[i].text.isupper()
    text = doc_text(doc)[doc[start].idx + 1: doc[start].idx + 8]
    initial = re.match(r"\.\s*(?:[,;&(]|[A-Z]\.)", text)  # "R. ," "R. (2017)" "R. L. Smith"
    return bool(initial) or single(start - 1) or single(start + 1)
