"""The Reported decision: does an answer report the paper's own information on its question?"""
from __future__ import annotations

from typing import Callable

from spacy.tokens import Doc, Span

from ..vocabulary import Term
from .cues import Cues
from .echoes import Echoes
from .roles import FACT, META, MISSING
from .spans import span_text


class ReportedDecision:
    def __init__(self, cues: Cues, echoes: Echoes, cq_concepts: dict[str, tuple[str, ...]],
                 terms_of: Callable[[str], list[Term]], negated: Callable[[Doc, Span], bool]) -> None:
        self.cues = cues
        self.echoes = echoes
        self.cq_concepts = cq_concepts
        self.terms_of = terms_of
        self.negated = negated

    def __call__(self, doc: Doc, answer_text: str, cq: str, found_specific: bool, fact_sents: list[Span],
                 terms_by_sent: dict[int, list[Span]]) -> bool:
        """`found_specific`: a fact sentence named something beyond the question's own examples."""
        roles = doc.user_data.get("dlkg_roles", [])
        if self.cues.dont_know.match(answer_text):
            return False
        if not any(role == MISSING for _, _, role in roles):
            examples = tuple(e.lower() for e in self.echoes.example_terms.get(cq, ()))
            return found_specific or any(not self.echoes.echo_only(span_text(s), examples) for s in fact_sents)
        # after "the context does not say", people still count what the paper does say on the question's topic; a
        # sentence that says the information is missing ("while it mentions X, it does not specify Y") is not that
        return any(self.on_topic(doc[s:e], terms_by_sent.get(s, []), cq) for s, e, role in roles
                   if role == FACT or (role not in (META, MISSING) and self.cues.evidence.search(span_text(doc[s:e]))))

    def on_topic(self, sent: Span, spans: list[Span], cq: str) -> bool:
        """Does the sentence (with its vocabulary `spans`) name something of the question's own concept, not negated?"""
        concepts = set(self.cq_concepts.get(cq, ()))
        repository = self.cues.concepts["repository"]
        repository_cq = bool(concepts & repository)
        if repository_cq:
            concepts |= repository  # code and data often share one host; any of them bears on the question
        for span in spans:
            if not self.negated(sent.doc, span):
                if any(t.concept in concepts and (repository_cq or not t.cqs or cq in t.cqs) for t in self.terms_of(span.label_)):
                    return True
        return repository_cq and bool(self.cues.url.search(span_text(sent)))
