"""What extraction produces for one paper: facts with their evidence, settings, and each answer's status."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from spacy.tokens import Doc

from ..ingest import Answer, Paper
from ..vocabulary import Term


@dataclass(frozen=True)
class Evidence:
    cq: str
    start: int
    end: int
    quote: str


@dataclass
class Fact:
    """One extracted component: a vocabulary entity (term) or a paper-local thing (label only).

    `evidence`: the mentions the rules accept; `rejected`: mentions a rule turned down, with the rule's name (a
    candidate only: the learned decision, `extract.decide`, weighs them). `confidence`: that decision's probability."""
    concept: str
    label: str
    term: Term | None = None
    evidence: list[Evidence] = field(default_factory=list)
    url: str | None = None
    rejected: list[tuple[Evidence, str]] = field(default_factory=list)
    confidence: float | None = None

    @property
    def key(self) -> tuple[str, str]:
        """What the fact is, whichever record names it: its concept and vocabulary entry (or link, or name)."""
        return self.concept, str(self.term.iri) if self.term else (self.url or self.label.lower())


@dataclass
class Setting:
    """A hyperparameter setting: name (a vocabulary term) and a value as written and as parsed."""
    name: Term
    value_text: str
    value: Decimal | int | str
    unit: str | None
    evidence: Evidence
    rejected: str = ""                  # the rule that turned this candidate down ("" if the rules accept it)
    confidence: float | None = None

    @property
    def key(self) -> tuple[str, str]:
        """What the setting is: its hyperparameter (vocabulary entry, or the paper's own name) and value."""
        return str(self.name.iri) or self.name.pref_label.lower(), str(self.value)

    @property
    def peer_key(self) -> tuple[str, str, str]:
        """`key` marked as a setting's, so that it stands beside `Fact.key`s in one set."""
        return ("Hyperparameter", *self.key)


@dataclass
class AnswerResult:
    answer: Answer
    reported: bool


@dataclass
class PaperFacts:
    paper: Paper
    answers: list[AnswerResult]
    facts: list[Fact]
    settings: list[Setting]


@dataclass
class Candidates:
    """One paper before the decision: every candidate with the rules' verdicts, and each answer's parsed doc."""
    paper: Paper
    results: list[AnswerResult]
    facts: list[Fact]
    settings: list[Setting]
    docs: dict[str, Doc]
    others: list[Peer] = field(default_factory=list)  # what the other LLMs' records of the paper say

    def rules_kept(self) -> tuple[list[Fact], list[Setting]]:
        """The facts and settings the rules keep: those with a mention no rule turns down."""
        return [f for f in self.facts if f.evidence], [s for s in self.settings if not s.rejected]

    def as_peer(self) -> Peer:
        """What this record tells another LLM's record of the paper: the facts and settings the rules keep and all
        its candidates, by `Fact.key` and `Setting.peer_key`, and the rules' Reported call per CQ."""
        facts, settings = self.rules_kept()
        return Peer(frozenset([*(f.key for f in facts), *(s.peer_key for s in settings)]),
                    frozenset([*(f.key for f in self.facts), *(s.peer_key for s in self.settings)]),
                    {r.answer.cq: r.reported for r in self.results})


@dataclass(frozen=True)
class Peer:
    kept: frozenset[tuple[str, ...]]         # what the rules keep
    named: frozenset[tuple[str, ...]]        # every candidate, kept or turned down
    reported: dict[str, bool]


class FactSink:
    """The facts of one paper, keyed so that a name found twice gathers its evidence on one fact."""

    def __init__(self) -> None:
        self.facts: dict[tuple[str, str], Fact] = {}

    def add(self, concept: str, label: str, answer: Answer, start: int, end: int, text: str,
            term: Term | None = None, url: str | None = None, rejected: str = "") -> None:
        """A mention; `rejected` names the rule that turns it down (it stays a candidate)."""
        key = (concept, str(term.iri) if term else (url or label.lower()))  # as Fact.key
        fact = self.facts.get(key)
        if fact is None:
            fact = self.facts[key] = Fact(concept, label, term, url=url)
        evidence = Evidence(answer.cq, start, end, text[start:end])
        if rejected:
            fact.rejected.append((evidence, rejected))
        else:
            fact.evidence.append(evidence)
