"""Question echoes: an answer that gives the question's own examples back ("criteria such as validation loss
plateau"), or restates the question over a textbook list, says nothing about the paper."""
from __future__ import annotations

import re
from typing import Callable

from spacy.tokens import Doc, Span

from ..vocabulary import Term
from .cues import Cues
from .spans import doc_text, sentence_of


class Echoes:
    """Knows each question's own examples, as vocabulary entries (`example_keys`) and as text (`examples`)."""

    def __init__(self, cues: Cues, example_keys: dict[str, set[str]], example_terms: dict[str, tuple[str, ...]],
                 cq_concepts: dict[str, tuple[str, ...]], terms_of: Callable[[str], list[Term]],
                 negated: Callable[[Doc, Span], bool]) -> None:
        self.cues = cues
        self.example_keys = example_keys
        self.example_terms = example_terms
        self.cq_concepts = cq_concepts
        self.terms_of = terms_of
        self.negated = negated

    def grab_bag_overview(self, sent: Span, text: str, spans: list[Span], cq: str) -> bool:
        """'The strategies ... in the deep learning pipeline include a fixed seed, cross-validation and dropout': the
        question restated over a list that mixes kinds of things (randomness, evaluation, regularisation) is the
        textbook overview, not the paper's account; a list of one kind ('include scaling, rotation and cropping') is."""
        overview = self.cues.list_overview.search(text)
        if not overview or self.cues.paper_cues.search(text) or re.search(r"\d", text):
            return False
        asked = set(self.cq_concepts.get(cq, ()))
        not_techniques = self.cues.concepts["not_techniques"]
        listed: dict[tuple[int, int], set[str]] = {}
        for span in spans:  # the names listed after "include", each position once whatever entries it matched
            if span.start_char >= sent.start_char + overview.end():
                listed.setdefault((span.start, span.end), set()).update(
                    t.concept for t in self.terms_of(span.label_) if t.concept not in not_techniques)
        kinds: set[str] = set()
        for concepts in listed.values():
            kinds |= (concepts & asked) or concepts  # a name that can be of the asked kind counts as that kind
        return len(kinds) >= 2

    def names_beyond_examples(self, spans: list[Span], cq: str) -> bool:
        """Does the sentence name something of the question's concept that the question did not give as an example?"""
        examples = self.example_keys.get(cq, set())
        concepts = set(self.cq_concepts.get(cq, ()))
        return bool(examples) and any(s.label_ not in examples and not self.negated(s.doc, s) and
                                      any(t.concept in concepts for t in self.terms_of(s.label_)) for s in spans)

    def full_echo(self, spans: list[Span], cq: str) -> set[str]:
        """A sentence that lists every example the question gave ("normalization, scaling and cleaning") repeats
        the question, not the paper: those names are not facts there."""
        examples = self.example_keys.get(cq, set())
        found = {s.label_ for s in spans} & examples
        return found if len(examples) >= 2 and found == examples else set()

    def echoes_question(self, doc: Doc, span: Span, cq: str) -> bool:
        """'criteria such as validation loss plateau': the question's own example, given back as an example."""
        if span.label_ not in self.example_keys.get(cq, ()):
            return False
        return bool(self.cues.example_lead.search(
            doc_text(doc)[max(sentence_of(doc, span).start_char, span.start_char - 30): span.start_char]))

    def echo_only(self, text: str, examples: tuple[str, ...]) -> bool:
        """A generic sentence that names every example the question gave (like `full_echo`) echoes it."""
        return bool(examples) and all(e in text.lower() for e in examples) and bool(self.cues.generic.search(text))
