"""The extractor: one paper's answers -> facts, with a spaCy pipeline built from the vocabulary.

Pipeline (`make_nlp`): blank English tokenizer, sentencizer, then two registered components:
``dlkg_sentence_roles`` (`roles`: which sentences state the paper's own facts) and ``dlkg_vocabulary_matcher``
(`matcher`: vocabulary names into ``doc.spans``). `Extractor` then reads facts from fact sentences only, through
the stages of this package: negation, question echoes, values and settings, links, open-world names, and the
Reported decision.
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import spacy
from rdflib import URIRef
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span

from ..ingest import Answer, Paper
from ..namespaces import DLV
from ..vocabulary import Term, Vocabulary, load_vocabulary
from . import roles as _roles  # noqa: F401  (registers dlkg_sentence_roles)
from .cues import load_cues
from .decide import Decision, Features, Models, model_file
from .echoes import Echoes
from .links import LinkReader
from .matcher import VocabularyMatcher  # importing it registers dlkg_vocabulary_matcher
from .negation import negated
from .open_names import OpenNames
from .reported import ReportedDecision
from .results import AnswerResult, Candidates, Fact, FactSink, PaperFacts, Setting
from .roles import FACT
from .spans import doc_text, sentence_bounds, span_text
from .values import SettingReader


def make_nlp(ontology_dir: Path | None = None) -> Language:
    nlp = spacy.blank("en")
    # a sentence-final period after a capital ("mean IoU.", "CNN.") is punctuation, not an abbreviation's dot
    suffixes = list(nlp.Defaults.suffixes or ()) + [r"(?<=[A-Z0-9+])\.$"]
    tokenizer: Tokenizer = nlp.tokenizer  # type: ignore[assignment]  # spacy.blank always makes a Tokenizer
    tokenizer.suffix_search = spacy.util.compile_suffix_regex(suffixes).search
    # "epochs=500", "max_depth=10": a name glued to its value by "=" is two words and a sign, so the name is matched
    infixes = list(nlp.Defaults.infixes or ()) + [r"(?<=[\w)\]])=(?=[\w.(\[-])"]
    tokenizer.infix_finditer = spacy.util.compile_infix_regex(infixes).finditer
    nlp.add_pipe("sentencizer")
    folder = str(ontology_dir) if ontology_dir else None
    nlp.add_pipe("dlkg_sentence_roles", config={"ontology_dir": folder})
    nlp.add_pipe("dlkg_vocabulary_matcher", config={"ontology_dir": folder})
    return nlp


@lru_cache(maxsize=2)
def _cached_nlp(ontology_dir: Path | None) -> Language:
    return make_nlp(ontology_dir)


class Extractor:
    """Turns one paper's answers into facts; one instance serves a whole corpus (the matcher is built once)."""

    def __init__(self, ontology_dir: Path | None = None, nlp: Language | None = None,
                 model: Models | Path | None | bool = True, threshold: float | None = None):
        """`model`: the learned decision (True: the shipped one, if the ontology folder has it; False or None: the
        rules alone); `threshold` overrides the model's own."""
        self.nlp = nlp or _cached_nlp(ontology_dir)
        self.vocabulary = load_vocabulary(ontology_dir)
        self.cues = cues = load_cues(ontology_dir)
        self.cq_concepts = self.vocabulary.cq_concepts
        matcher: VocabularyMatcher = self.nlp.get_pipe("dlkg_vocabulary_matcher")  # type: ignore[assignment]
        setting_keys = matcher.setting_keys
        self.values = SettingReader(self.vocabulary, cues, setting_keys, self._terms)
        # the vocabulary entries each question gives as its own examples ("e.g., CNN, RNN, Transformer")
        example_keys: dict[str, set[str]] = {}
        for cq, examples in self.vocabulary.example_terms.items():
            for doc in self.nlp.pipe(examples):
                example_keys.setdefault(cq, set()).update(x.label_ for x in doc.spans.get("dlkg_terms", []))
        self.echoes = Echoes(cues, example_keys, self.vocabulary.example_terms, self.cq_concepts, self._terms, self._negated)
        self.reported = ReportedDecision(cues, self.echoes, self.cq_concepts, self._terms, self._negated)
        self.link_reader = LinkReader(self.vocabulary, cues)
        self.open_names = OpenNames(cues, self._terms)
        self.metrics_calculation = self.vocabulary.terms.get(DLV["metrics-calculation"])
        self.features = Features(cues, self.vocabulary)
        if model is True:
            shipped = model_file(ontology_dir)
            model = Models.load(shipped) if shipped.exists() else None
        elif isinstance(model, Path):
            model = Models.load(model)
        self.decision = Decision(model, self.features, threshold) if isinstance(model, Models) else None

    def extract(self, paper: Paper) -> PaperFacts:
        return self.extract_group([paper])[0]

    def extract_group(self, papers: list[Paper]) -> list[PaperFacts]:
        """Records of one paper from several answering LLMs: each is decided knowing what the others say (a name
        that the other LLMs' answers also give is more likely the paper's)."""
        candidates = [self.candidates(p) for p in papers]
        link_records(candidates)
        return [self.decide(c) for c in candidates]

    def candidates(self, paper: Paper) -> Candidates:
        """Every candidate fact and setting of the paper, with the rules' verdict on each mention, and the docs."""
        facts = FactSink()
        settings: list[Setting] = []
        results: list[AnswerResult] = []
        docs: dict[str, Doc] = {}
        for doc, answer in self.nlp.pipe(((a.text, a) for a in paper.answers), as_tuples=True):
            reported = self._read_answer(doc, answer, facts, settings)
            results.append(AnswerResult(answer, reported))
            docs[answer.cq] = doc
        return Candidates(paper, results, list(facts.facts.values()), settings, docs)

    def decide(self, c: Candidates) -> PaperFacts:
        """The facts kept: by the learned decision when the extractor has one, else by the rules."""
        if self.decision is not None:
            (facts, settings), results = self.decision.facts(c), self.decision.results(c)
        else:
            (facts, settings), results = c.rules_kept(), c.results
        kept = _drop_broader(_drop_generic_heads(facts, self.vocabulary), self.vocabulary)
        kept = self._models_only_if_the_model_answer_reports(kept, results)
        return PaperFacts(c.paper, results, kept, _dedupe_settings(settings))

    def _terms(self, key: str) -> list[Term]:
        term = self.vocabulary.terms.get(URIRef(key))
        return [term] if term else []

    def _negated(self, doc: Doc, span: Span) -> bool:
        return negated(self.cues, doc, span)

    def _read_answer(self, doc: Doc, answer: Answer, facts: FactSink, settings: list[Setting]) -> bool:
        """Adds the answer's facts and settings; returns whether it is Reported."""
        roles = doc.user_data.get("dlkg_roles", [])
        fact_sents = [doc[s:e] for s, e, role in roles if role == FACT]
        role_of = {s: role for s, _, role in roles}
        if not answer.text.strip():
            return False
        asked = self.cq_concepts.get(answer.cq, ())
        cues, echoes = self.cues, self.echoes
        examples = tuple(e.lower() for e in self.vocabulary.example_terms.get(answer.cq, ()))
        found_specific = False
        terms_by_sent: dict[int, list[Span]] = {}
        for span in doc.spans.get("dlkg_terms", []):
            sent_start = sentence_bounds(doc, span.start)[0]
            terms_by_sent.setdefault(sent_start, []).append(span)
        for sent in doc.sents:
            spans, sent_text = terms_by_sent.get(sent.start, []), span_text(sent)
            # every vocabulary name is a candidate; a sentence or rule that turns it down names why
            sent_rejected = "" if role_of.get(sent.start) == FACT else role_of.get(sent.start, "generic")
            grab_bag = not sent_rejected and echoes.grab_bag_overview(sent, sent_text, spans, answer.cq)
            # a list that goes beyond the question's examples is the paper's list, examples included
            beyond = echoes.names_beyond_examples(spans, answer.cq)
            echoed = set() if cues.paper_cues.search(sent_text) or beyond else echoes.full_echo(spans, answer.cq)
            explained_from = cues.explaining.search(sent_text)
            for span in spans:
                rejected = sent_rejected or ("grab_bag" if grab_bag else self._rejects(doc, sent, span, answer.cq, echoed,
                                                                                       explained_from, beyond))
                for term in self._terms(span.label_):
                    if term.cqs and answer.cq not in term.cqs:
                        continue
                    if term.concept == "Hyperparameter":
                        for setting in self.values.settings(doc, span, term, answer):
                            setting.rejected = rejected
                            settings.append(setting)
                        continue
                    facts.add(term.concept, term.pref_label, answer, span.start_char, span.end_char, doc_text(doc), term,
                              rejected=rejected)
                    if not rejected and span.text.lower() not in examples:
                        found_specific = True
            turned_down = sent_rejected or ("grab_bag" if grab_bag else "")
            settings.extend(self.values.sizes(sent, answer, turned_down))
            settings.extend(self.values.counts(sent, answer, turned_down))
            if turned_down:
                # its open-world names stay candidates, with the reason the rules turn them down
                self.open_names.open_names(sent, spans, answer, asked, facts, rejected=turned_down)
                continue
            if cues.runs("metrics_calculation", asked) and self.metrics_calculation is not None and any(
                    t.concept == "PerformanceMetric" for span in terms_by_sent.get(sent.start, [])
                    if not self._negated(doc, span) for t in self._terms(span.label_)):
                # the postprocessing answer that names metrics reports their calculation as a step
                facts.add("PostprocessingStep", self.metrics_calculation.pref_label, answer,
                          sent.start_char, sent.end_char, doc_text(doc), self.metrics_calculation)
            if cues.runs("optimizer_setting", asked):
                settings.extend(self.values.optimizer_settings(sent, answer))
                settings.extend(self.values.open_settings(sent, answer))
            elif cues.runs("optimizer_candidates", asked):  # the optimiser an answer on optimisation names
                settings.extend(replace(s, rejected="not_asked") for s in self.values.optimizer_settings(sent, answer))
            found_specific |= self.link_reader.links(sent, answer, asked, facts)
            first = sent.start == fact_sents[0].start
            found_specific |= self.open_names.open_names(sent, spans, answer, asked, facts, first_statement=first)
        self.open_names.list_headings(doc, answer, asked, facts)
        return self.reported(doc, answer.text, answer.cq, found_specific, fact_sents, terms_by_sent)

    def _rejects(self, doc: Doc, sent: Span, span: Span, cq: str, echoed: set[str], explained_from: re.Match[str] | None,
                 beyond: bool) -> str:
        """The rule that turns down a vocabulary name of a fact sentence, or "" if none does."""
        if span.label_ in echoed:
            return "echo"
        if explained_from and span.start_char >= sent.start_char + explained_from.end():
            return "explained"  # "image segmentation, which involves detecting the pixels of ...": an explanation
        if self._negated(doc, span):
            return "negated"
        if not beyond and self.echoes.echoes_question(doc, span, cq):
            return "question_echo"
        return ""

    def _models_only_if_the_model_answer_reports(self, facts: list[Fact], results: list[AnswerResult]) -> list[Fact]:
        """When the answer to the model question finds no model in the paper, a model named in passing in another
        answer ("CNNs are typically used for images") is background, not the pipeline's: papers without a
        deep-learning pipeline must not sprout models."""
        def model_question(cq: str) -> bool:
            return self.cues.runs("model_answer", self.cq_concepts.get(cq, ()))

        model_answers = [r for r in results if model_question(r.answer.cq)]
        if not model_answers or any(r.reported for r in model_answers):
            return facts
        return [f for f in facts if f.concept != "DeepLearningModel" or any(model_question(e.cq) for e in f.evidence)]


def link_records(candidates: list[Candidates]) -> None:
    """Tell each record of a paper what the paper's other records (other answering LLMs) keep."""
    peers = [c.as_peer() for c in candidates]
    for i, c in enumerate(candidates):
        c.others = [k for j, k in enumerate(peers) if j != i and candidates[j].paper.source != c.paper.source]


def _drop_broader(facts: list[Fact], vocabulary: Vocabulary) -> list[Fact]:
    """For concepts marked dlkg:preferSpecific, an entry goes when the paper also names a narrower one."""
    above = {a for f in facts if f.term is not None and f.concept in vocabulary.prefer_specific
             for a in vocabulary.ancestors(f.term.iri)}
    return [f for f in facts if f.term is None or f.term.iri not in above or f.concept not in vocabulary.prefer_specific]


def _drop_generic_heads(facts: list[Fact], vocabulary: Vocabulary) -> list[Fact]:
    """Specific before generic: a one-word name ("classification") goes when a fact of the same concept names the
    same thing more precisely ("image classification"), unless the vocabulary knows them as two distinct entries
    ("precision" is not a vaguer "mean average precision")."""
    def narrower(o: Fact, f: Fact) -> bool:
        return o.term is None or f.term is None or f.term.iri in vocabulary.ancestors(o.term.iri)

    def head_of_other(f: Fact) -> bool:
        word = f.label.lower()
        return " " not in word and any(o is not f and o.concept == f.concept and o.label.lower().endswith(" " + word)
                                       and narrower(o, f) for o in facts)
    return [f for f in facts if not head_of_other(f)]


def _dedupe_settings(settings: list[Setting]) -> list[Setting]:
    seen, out = set(), []
    for s in settings:
        if s.key not in seen:
            seen.add(s.key)
            out.append(s)
    return out
