"""Extraction: answer texts -> facts, with a spaCy pipeline built from the vocabulary.

Pipeline (`make_nlp`): blank English tokenizer, sentencizer, then two registered components:
- ``dlkg_sentence_roles`` labels every sentence: fact, missing (the answer says the information is absent),
  generic (textbook knowledge, cited work, or anything after a "missing" statement that does not point at the paper),
  speculative ("likely", "may have"), or meta (framing such as "the provided text focuses on ...");
- ``dlkg_vocabulary_matcher`` finds vocabulary names (PhraseMatcher, longest match wins) into ``doc.spans``.
`Extractor` then reads facts only from fact sentences: vocabulary entities, hyperparameter settings with parsed
values, repository links and open-world names ("our BatNet++ model", "a custom dataset of 33,984 images").
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

import re2
import spacy
from rdflib import URIRef
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from .ingest import Answer, Paper
from .namespaces import CQ_CONCEPTS, DLV
from .vocabulary import Term, Vocabulary, load_vocabulary

FACT, MISSING, GENERIC, SPECULATIVE, META = "fact", "missing", "generic", "speculative", "meta"

# ---------------------------------------------------------------- results
@dataclass(frozen=True)
class Evidence:
    cq: str
    start: int
    end: int
    quote: str


@dataclass
class Fact:
    """One extracted component: a vocabulary entity (term) or a paper-local thing (label only)."""
    concept: str
    label: str
    term: Term | None = None
    evidence: list[Evidence] = field(default_factory=list)
    url: str | None = None


@dataclass
class Setting:
    """A hyperparameter setting: name (a vocabulary term) and a value as written and as parsed."""
    name: Term
    value_text: str
    value: Decimal | int | str
    unit: str | None
    evidence: Evidence


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


# ---------------------------------------------------------------- sentence roles
class _TwinPattern:
    r"""A pattern for yes/no searches, compiled for `re` and for RE2 (google-re2). RE2 scans these long keyword lists
    4-15 times faster; on ASCII text both engines mean the same by \b, \w, \d and case, and `_re2_syntax` gives RE2
    Python's \s. Text with other characters (about one sentence in a hundred) goes to `re`."""

    def __init__(self, pattern: str, flags: int = 0):
        self.python = re.compile(pattern, flags)
        options = re2.Options()
        options.case_sensitive = not flags & re.I
        self.re2 = re2.compile(_re2_syntax(pattern), options)

    def search(self, text: str) -> bool:
        return bool((self.re2 if text.isascii() else self.python).search(text))


def _re2_syntax(pattern: str) -> str:
    r"""`pattern` with Python's ASCII \s (which also matches \v and \x1c-\x1f) spelled out for RE2."""
    spaces, out, in_class, i = r"\t-\r\x1c-\x1f ", [], False, 0
    while i < len(pattern):
        if pattern.startswith(r"\s", i):
            out.append(spaces if in_class else f"[{spaces}]")
            i += 2
        elif pattern[i] == "\\":
            out.append(pattern[i:i + 2])
            i += 2
        else:
            in_class = pattern[i] != "]" if in_class else pattern[i] == "["
            out.append(pattern[i])
            i += 1
    return "".join(out)


_MISSING = _TwinPattern(
    r"\b(?:does(?:n't| not)|do(?:n't| not)|did(?:n't| not)|is(?:n't| not)|are(?:n't| not)|was(?:n't| not)|were(?:n't| not)|cannot|can't|could not|couldn't)\b"
    r"[^.;]{0,60}?\b(?:provide|mention|specify|specified|include|state|describe|discuss|give|contain|indicate|detail|report|say|list|"
    r"reveal|explicit|explicitly|clear|available|enough|sufficient|present|address|elaborate|know|determine|find|see|talk|"
    r"delve|offer|go into|touch|cover|share|have access|outline|shed|contain|appear)"
    r"|\b(?:no|(?:is|are)(?:n't| not) any) (?:specific |explicit |direct |clear |further |detailed |additional |relevant )?(?:information|mention|details?|indication|data|evidence|reference)\b"
    r"|\bnot (?:explicitly |specifically |directly |clearly |further |precisely )?(?:mentioned|provided|specified|stated|described|available|given|reported|discussed|included|known|detailed|addressed|defined|outlined|indicated|disclosed)\b"
    r"|\bI (?:do not|don't|cannot|can't) (?:know|find|determine|say|answer|provide)|\bI'm not sure|\bI am not sure|\bI don't have"
    r"|\b(?:unclear|unknown|not possible to (?:determine|say|know|answer)|cannot be (?:determined|inferred|answered))\b"
    r"|\bthere is no (?:mention|information|explicit|specific|indication|discussion|reference)"
    r"|\b(?:there (?:are|is) )?no (?:specific |explicit |particular |direct )?[\w-]+(?: [\w-]+)? (?:are |is |were |was )?(?:explicitly )?(?:mentioned|provided|specified|described|given|reported|discussed|stated|listed)\b"
    r"|\b(?:lacks?|absence of|missing) (?:any )?(?:specific |explicit )?(?:information|details|mention)",
    re.I)
_META = re.compile(
    r"^\s*(?:The|This|That) (?:provided |given |above |retrieved )?(?:text|context|paper|article|passage|document|excerpt|information|discussion|study)s? "
    r"(?:\w+ )?(?:primarily |mainly |mostly |largely |seems to |appears to )?(?:focus|focuses|discuss|discusses|describes|is about|deals|talks|revolves|centers|centres|highlights|covers|is focused|explores)\b", re.I)
_EVIDENCE = _TwinPattern(
    r"\b(?:it is (?:mentioned|stated|noted|described|reported)|is mentioned that|(?:it|the (?:text|context|paper|study|article|authors?)) (?:does |also |only |\w+ly )?"
    r"(?:mentions?|states?|notes?|reports?|describes?|indicates?|refers? to|specif(?:y|ies)|provides?|shows?)|according to|as mentioned|"
    r"is referred to as|mentions the use|we can (?:confirm|see)|it can be inferred|can be inferred that)\b", re.I)
_REPOSITORY_CONCEPTS = {"CodeRepository", "DataRepository", "CodeRepositoryLink", "DataRepositoryLink"}
_DONT_KNOW = re.compile(r"\s*(?:I (?:don't|do not) know|I'm sorry|I am sorry|Unfortunately, I (?:don't|do not|cannot))\b", re.I)
_CITED_VERBS = r"(?:discuss|propos|show|found|develop|use|report|stud|categori[sz]|describ|introduc|present|demonstrat|appl|train|achiev|state|mention|note)\w*"
_CITATION = _TwinPattern(r"\bet al\.?,?\s*\(?\d{4}[a-z]?\)?,?\s*" + _CITED_VERBS + r"|\b(?:the|a) (?:paper|study|article) (?:titled |entitled )?[\"“]"
                       r"|\b(?:study|work|paper|research|article)s? (?:by|of) [A-Z][\w-]+(?: (?:and|&) [A-Z][\w-]+| et al\.?)?,? \(?\d{4}", re.I)
_SPECULATIVE = _TwinPattern(
    r"\b(?:likely|probably|possibly|presumably|perhaps|may have|might have|could have|it is possible|it's possible|"
    r"might be|may be|could be|would be|would have|seems? to|appears? to|it seems|assum(?:e|ed|ing)|"
    r"can be inferred|it can be assumed|suggests? that|implies that|one could|speculat\w*|hypothetical|potentially|"
    r"(?:can|could|may|might) be (?:considered|seen|regarded|viewed|interpreted) (?:as|to be)|"
    r"(?:might|may|could) (?:also )?(?:use|employ|utili[sz]e|involve|apply|rely on|incorporate)|(?:we|one) can infer|"
    r"in (?:future|further) (?:work|studies|research)|future (?:work|studies|research) (?:could|may|might|should|will))\b", re.I)
_GENERIC = _TwinPattern(
    r"\b(?:common(?:ly)?|typical(?:ly)?|general(?:ly)?|usually|often|in practice|in general|various|several techniques|"
    r"such as|for example|for instance|e\.g\.|include|includes|including|can be used|can help|are used to|is used to|"
    r"is a (?:technique|method|type|common)|are (?:techniques|methods)|refers to|involves|helps? (?:to )?(?:prevent|improve|reduce))\b", re.I)
_PAPER_CUES = _TwinPattern(
    r"\b(?:the (?:authors?|paper|study|article|researchers|pipeline|model was|models were|network was)|this (?:study|paper|work|pipeline)|"
    r"they (?:used|use|trained|applied|employed|mention)|their|was (?:used|trained|applied|performed|employed|implemented|set|carried out|done)|"
    r"were (?:used|trained|applied|performed|employed|implemented|set|collected|annotated|split|divided|carried out|done)|"
    r"(?:it|the (?:context|text|paper|study|article)) (?:does |also )?(?:mentions?|states?|says|describes?)|mentions that|states that|according to|in this (?:context|case|work|study|paper)|"
    r"(?:was|were|had been) (?:\w+ly )?\w+(?:ed|en)|the authors|we (?:used|trained|applied|collected))\b", re.I)
_TEXTBOOK = _TwinPattern(
    r"\b(?:can help|helps? (?:to )?(?:\w+ )?(?:prevent|improve|reduce|ensure|make|avoid)|can be used|is a (?:technique|method|process|type|common|popular|widely)|"
    r"are (?:techniques|methods|common)|involves?|typically|commonly|generally|usually|often used|refers? to|aims? to|"
    r"this ensures|ensures? that|is used to|are used to|is designed to|allows? (?:the|for)|by doing so|"
    r"(?:can|could|may|should) be (?:\w+ed|set|done|run|employed|applied|handled)|one (?:can|could|may|approach)|can vary|"
    r"(?:can|may) (?:be an indication|indicate|lead to|result in)|(?:can|may|might|could) (?:also )?(?:include|involve|entail|consist)|"
    r"(?:is|are) (?:another|a|also a)? ?common|have been (?:\w+ly )?(?:used|employed|applied|proposed|developed|adopted))\b", re.I)
# "The strategies employed to handle randomness in the deep learning pipeline include ...": the question turned into
# a statement that opens a list; before textbook prose, it is the overview, not the paper's own account
_LIST_OVERVIEW = re.compile(r"\b(?:in|of|for|during) (?:the |a )?(?:deep learning|DL|machine learning|ML) (?:pipeline|models?|process|training|workflow)s?\b[^.;:]*\binclude\b", re.I)
_BIBLIOGRAPHY = _TwinPattern(
    r"\bpp\.\s*\d|\[CrossRef\]|\bProceedings of\b|\bIEEE (?:Conference|Trans)|\bConference on\b|\bJournal of\b.*\b\d{4}\b"
    r"|(?:\b[A-Z]\.\s*[,;&]\s*){2,}|(?:\b[A-Z][\w'-]+,\s(?:[A-Z]\.\s?){1,3}[,;&]\s*){2,}|\bet al\.\s*\(?\d{4}\)?\.\s+[A-Z]"
    r"|\b\d{4};\s*\d+|\b(?:vol|Vol|no)\.\s*\d+|\b\d{2,4}\s*[–-]\s*\d{2,4}\.\s*<?(?:https?|doi|\[)|\barXiv:\d"
    r"|\b\d{1,4},\s*\d{1,6}\.\s*<?(?:https?://(?:dx\.)?doi\.org/|doi:)")  # "Remote Sens. 10, 115. <https://doi.org/…>"
# a link on its own, as a sentence splitter leaves it after a reference-list entry ("… 684–692. <https://doi.org/…>.")
_REFERENCE_TAIL = re.compile(r"\b\d{1,4},\s*\d{1,6}(?:\s*[–-]\s*\d{1,6})?\.\s*$")  # "… Ecol. Indic. 67, 684–692."
_BARE_LINK = re.compile(r"\s*[(<]?(?:https?://|doi:\s*|www\.)\S+?[)>]?[.,;]?\s*$", re.I)
# what a data or model item names in passing ("cropping parts of the image"); a grab-bag mixes kinds of technique
_NOT_TECHNIQUES = {"Hyperparameter", "DataFormat", "RawData", "Dataset", "DeepLearningModel", "Framework", "HardwareResource",
                   "CodeRepository", "DataRepository", "CodeRepositoryLink", "DataRepositoryLink", "ModelPurpose", "DeploymentPlatform"}
_EXPLAINING = re.compile(r",\s*which\s+(?:\w+\s+)?(?:involves?|means?|refers? to|consists? of|entails?|is defined as)\b", re.I)
_ANAPHOR = re.compile(r"\s*(?:This|These|It|They|Here|In this step|The (?:latter|former|step|process))\b(?! is a (?:technique|method|common))")
_NEGATED_LIST = re.compile(
    r"\b(?:no|not|n't|never|without|neither|nor|none|cannot|rather than|instead of|as opposed to|other than|unlike)\b"
    r"[^.;]*\b(?:such as|like|e\.g\.|including|or|nor|as)\b[^.;]*$|\bwhether\b[^.;]*$", re.I)
_NEGATION_WORDS = r"not|no|never|without|neither|nor|none|n't"
_NEGATED_TERM = re.compile(rf"\b(?:{_NEGATION_WORDS})\b", re.I)
# the same words anywhere, even inside other words: where a window's text lacks them, none of its tokens is one
_NEGATION_LETTERS = re.compile(_NEGATION_WORDS, re.I)


def sentence_role(text: str, after_missing: bool) -> str:
    """Role of one sentence that is not a reference-list entry (`sentence_roles` tells those apart first);
    `after_missing` is true once the answer said the information is absent."""
    if _META.match(text) and not _MISSING.search(text):
        return META
    if _MISSING.search(text):
        return MISSING
    if _SPECULATIVE.search(text):
        return SPECULATIVE
    if after_missing and not _PAPER_CUES.search(text):
        return GENERIC
    if after_missing and _GENERIC.search(text) and not re.search(r"\b(?:mentions?|states?|says|used|applied|employed)\b", text, re.I):
        return GENERIC
    if re.match(r"\s*(?:(?:however|additionally|also|moreover|furthermore|in addition),?\s+)?(?:common|typical|generally|in general|usually|some(?: of the)? (?:common|typical|possible)|other common|possible)\b", text, re.I):
        return GENERIC
    main_clause = re.split(r",\s*(?:which|where)\b", text, maxsplit=1)[0]  # "..., which involves X" explains, not hedges
    if _TEXTBOOK.search(main_clause) and not _PAPER_CUES.search(text):
        return GENERIC
    return FACT


@Language.component("dlkg_sentence_roles")
def sentence_roles(doc: Doc) -> Doc:
    """Label each sentence with its role (fact, missing, generic, speculative, meta): what later stages may read."""
    after_missing = in_generic_list = after_citation = previous_is_reference = anchored_before = False
    roles = []
    doc_text, previous_text = _text(doc), ""
    for sent in doc.sents:
        text = doc_text[sent.start_char:sent.end_char]
        # a reference-list entry pasted with the context is cited work, not this paper's pipeline
        is_reference = _BIBLIOGRAPHY.search(text)
        role = GENERIC if is_reference else sentence_role(text, after_missing)
        cites = bool(_CITATION.search(text)) or (after_citation and re.match(r"\s*\(?\d{4}[a-z]?\)\s*(?:also\s+)?" + _CITED_VERBS, text))
        if cites and role == FACT:
            role = GENERIC  # about cited work ("Srivastava et al. (2014) discuss dropout"), not this paper's pipeline
        if role == FACT and _BARE_LINK.match(text) and (previous_is_reference or _REFERENCE_TAIL.search(previous_text)):
            role = GENERIC  # the DOI of the reference-list entry just before
        after_citation = bool(re.search(r"\bet al\.?\s*\(?\s*$", text))
        previous_is_reference, previous_text = is_reference, text
        if in_generic_list and role == FACT and not _PAPER_CUES.search(text):
            role = GENERIC  # an item of a list a generic sentence introduced ("common criteria include: 1. ...")
        if role == GENERIC and anchored_before and _ANAPHOR.match(text) and not _CITATION.search(text):
            role = FACT  # "The context mentions a mask step. This involves thresholding ...": still the paper's step
        anchored_before = role == FACT and bool(_PAPER_CUES.search(text) or _EVIDENCE.search(text))
        roles.append((sent.start, sent.end, role))
        if role == MISSING:
            after_missing = True
        if role in (GENERIC, SPECULATIVE) and re.search(r":\s*(?:\d+\.|[-*•])?\s*$", text):
            in_generic_list = True
        elif role == FACT:
            in_generic_list = False
    # an answer that is mostly textbook prose and never points at the paper is a generic overview throughout
    wordy = [(s, e, r) for s, e, r in roles if e - s > 4]
    if len(wordy) >= 3 and sum(r == GENERIC for _, _, r in wordy) * 3 >= len(wordy) and not _PAPER_CUES.search(_text(doc)):
        # ...except its opening statement when that is plainly stated (the direct answer before the textbook prose)
        opening = roles[0]
        opening_text = _span_text(doc[opening[0]:opening[1]])
        keep = opening[2] == FACT and not _TEXTBOOK.search(opening_text) and not _LIST_OVERVIEW.search(opening_text)
        roles = [(s, e, GENERIC if r == FACT and not (keep and i == 0) else r) for i, (s, e, r) in enumerate(roles)]
    doc.user_data["dlkg_roles"] = roles
    doc.user_data["dlkg_sentence_starts"] = [s for s, _, _ in roles]
    return doc


# ---------------------------------------------------------------- vocabulary matcher
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
    text = _text(doc)[doc[start].idx + 1: doc[start].idx + 8]
    initial = re.match(r"\.\s*(?:[,;&(]|[A-Z]\.)", text)  # "R. ," "R. (2017)" "R. L. Smith"
    return bool(initial) or single(start - 1) or single(start + 1)


def make_nlp(ontology_dir: Path | None = None) -> Language:
    nlp = spacy.blank("en")
    # a sentence-final period after a capital ("mean IoU.", "CNN.") is punctuation, not an abbreviation's dot
    suffixes = list(nlp.Defaults.suffixes) + [r"(?<=[A-Z0-9+])\.$"]
    nlp.tokenizer.suffix_search = spacy.util.compile_suffix_regex(suffixes).search
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("dlkg_sentence_roles")
    nlp.add_pipe("dlkg_vocabulary_matcher", config={"ontology_dir": str(ontology_dir) if ontology_dir else None})
    return nlp


@lru_cache(maxsize=2)
def _cached_nlp(ontology_dir: Path | None) -> Language:
    return make_nlp(ontology_dir)


# ---------------------------------------------------------------- values
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?(?:e[-+]?\d+)?|\.\d+)"
_SIZE = rf"{_NUMBER}(?:\s?[x×*]\s?{_NUMBER}){{1,2}}(?:\s?pixels?)?"
_VALUE = re.compile(rf"({_SIZE}|{_NUMBER}\s?%|{_NUMBER}/{_NUMBER}|{_NUMBER})", re.I)
_LEAD = re.compile(r"^(?:\s|of|was|were|is|are|set|to|=|:|equal|at|with|a|an|the|value|values|initially|initial|fixed|"
                   r"used|using|by|as|\(|around|approximately|about|~|"
                   r"(?:for|in|of) (?:the |each |every |all )?(?:first|last|second|third|final|hidden|output|input|convolutional|dense|\w+ )?"
                   r"(?:layers?|stage|phase|block|models?|networks?|training|images?|dataset|experiments?)\b)*", re.I)
_LOST_EXPONENT = re.compile(r"^\s?(?:[\^⋅·]|[×x*]\s?10\b)")
_LIST_SEP = re.compile(r"^\s*(?:,\s*(?:and|or)?|and|or|to|-|–)\s*", re.I)


def parse_value(text: str) -> Decimal | int | str:
    """'0.001' -> Decimal, '1e-4' -> Decimal('0.0001'), '200,000' -> 200000; sizes and percentages stay strings."""
    t = text.strip()
    plain = t.replace(",", "") if re.fullmatch(r"\d{1,3}(?:,\d{3})+", t) else t
    if re.fullmatch(r"\d+", plain):
        return int(plain)
    try:
        if re.fullmatch(r"\d*\.?\d+(?:e[-+]?\d+)?", plain, re.I):
            d = Decimal(plain)
            return d if d != d.to_integral_value() or "." in plain or "e" in plain.lower() else int(d)
    except InvalidOperation:
        pass
    return t


def normalise_size(value: str) -> str:
    """'640 × 640 pixels' -> '640x640'; other values unchanged."""
    if re.search(r"\d\s?[x×*]\s?\d", value):
        return re.sub(r"\s?pixels?$", "", re.sub(r"\s?[x×*]\s?", "x", value))
    return value


_PER_VARIANT = re.compile(rf"(?:^|[(,;:]|\band\b)\s*({_SIZE}|{_NUMBER})\s+for\b", re.I)


def per_variant_values(segment: str) -> list[str]:
    """Values given per model or stage: 'varies (48 for Inception-V3, 32 for MobileNet-V2 ...)'."""
    return [normalise_size(m.group(1)) for m in _PER_VARIANT.finditer(segment)]


def values_after(text: str) -> list[str]:
    """The value(s) right after a hyperparameter name: 'of 0.001', '= 32', 'of 0.01, 0.001 and 0.0001'."""
    lead = _LEAD.match(text)
    rest = text[lead.end():] if lead else text
    out = []
    while True:
        m = _VALUE.match(rest)
        if not m or _LOST_EXPONENT.match(rest[m.end():]):
            break  # "10^4", "5 ⋅ 10": the exponent was lost in PDF extraction; no value beats a wrong one
        out.append(normalise_size(m.group(1).strip()))
        rest = rest[m.end():]
        sep = _LIST_SEP.match(rest)
        if not sep or not _VALUE.match(rest[sep.end():]):
            break
        rest = rest[sep.end():]
    return out


_RESIZED_TO = re.compile(rf"\b(?:resized|rescaled|resampled|downsampled|scaled)\s+(?:[\w-]+\s+){{0,4}}?(?:to|into)\s+(?:a\s+|an\s+)?({_SIZE})", re.I)
# "dropout ... with probability 0.5", "L2 regularization ... with a penalty factor of 0.001": the value a few words on
_WITH_VALUE = re.compile(rf"^[^.;:]{{0,60}}?\bwith (?:a |an )?(?:probability|rate|ratio|(?:penalty |decay |regularization )?"
                         rf"(?:factor|coefficient|strength|weight)|lambda|λ)\s*(?:of|=|:)?\s*({_SIZE}|{_NUMBER}\s?%|{_NUMBER})", re.I)
_RATE_LIKE = re.compile(r"\b(?:rate|decay|factor|probability|ratio|penalty|coefficient)\b", re.I)
_VALUE_BEFORE = re.compile(rf"({_SIZE}|{_NUMBER})\s*(?:-\s*)?$", re.I)
_COUNT_NAMES = {"epochs", "iterations", "number of epochs", "training steps", "steps"}


# ---------------------------------------------------------------- links and open-world names
_URL = re.compile(r"(?:https?://|www\.|(?<![\w@])(?:github|gitlab|bitbucket)\.(?:com|org)/|(?<![\w/])doi\.org/|(?<![\w./])10\.\d{4,9}/)[^\s<>\"'\])}]+", re.I)
_CODE_HOSTS = re.compile(r"(?:github|gitlab|bitbucket|sourceforge|codeocean)\.", re.I)


def clean_url(url: str) -> str:
    url = url.rstrip(".,;:!?*_`'\")]}>")
    if url.lower().startswith("www."):
        url = "https://" + url
    elif re.match(r"(?:github|gitlab|bitbucket)\.|doi\.org/", url, re.I):
        url = "https://" + url
    elif re.match(r"10\.\d{4,9}/", url):
        url = "https://doi.org/" + url
    return url


_OWN_DATASET = re.compile(
    r"\b(?:(?:their|our|its) own|own|custom|new|novel|self-collected|in-house|private|original|proprietary)\s+"
    r"((?:[\w-]+\s+){0,4}?)(?:dataset|data set|database|image collection|collection)\b", re.I)
_DATASET_OF = re.compile(r"\b(?:a|the) (?:dataset|data set|collection) (?:of|consisting of|comprising|containing) ([\d,]{2,})", re.I)
_NAMED_DATASET = re.compile(r"\b(?:the )?((?:[A-Z][\w+-]*\d[\w+-]*|[A-Z][a-z]*[A-Z][\w+-]*|[A-Z]{2,}[\w+-]*|[A-Z][a-z]+)(?: [A-Z0-9][\w+-]*){0,3}) (?:dataset|data set|database|corpus)\b")
_NAMED_MODEL = re.compile(r"(?<![\w-])([A-Z][A-Za-z0-9]*(?:Net|NET|Nets)[A-Za-z0-9]*(?:\+\+|\+)?|[A-Z][A-Za-z]*[A-Z0-9][A-Za-z0-9_-]*(?=\s(?:model|architecture|network|classifier|detector)\b))")
_RAW_DATA_HEAD = re.compile(
    r"\b(images|imagery|photographs|photos|recordings|videos|video clips|scans|point clouds|time series|"
    r"occurrence records|records|counts|observations)\b(?:\s+of\s+((?:the\s+)?(?:[\w-]+\s){0,2}[\w-]+))?")
_TASK_HEAD = re.compile(
    r"\b(classification|detection|segmentation|identification|recognition|counting|estimation|prediction|regression|"
    r"mapping|localization|localisation|tracking|delineation|monitoring)\b(?:\s+of\s+((?:the\s+)?(?:[\w-]+\s){0,2}[\w-]+))?")
_NOMINAL = {"classify": "classification", "detect": "detection", "segment": "segmentation", "identify": "identification",
            "recognize": "recognition", "recognise": "recognition", "count": "counting", "estimate": "estimation",
            "predict": "prediction", "map": "mapping", "localize": "localization", "localise": "localisation", "track": "tracking"}
_TASK_VERB = re.compile(r"\b(?:to |and |or )(?:automatically |accurately |automate |)(" + "|".join(_NOMINAL) + r")\s+(?:the |between )?((?:[\w-]+\s?){1,4})", re.I)
_DATA_COUNT = re.compile(
    r"\b\d[\d,.]*\s+(?:[\w-]+\s){0,3}?(?:images|photographs|photos|recordings|audio files|audio clips|videos|scans|"
    r"thumbnails|clips|patches|crops|samples|frames|spectrograms)\b", re.I)
_MEMORY = re.compile(r"\b(\d{1,4})\s?(?:GB|Gb|gigabytes?)\s+(?:of\s+)?(?:DDR\d\s+)?(?:RAM|memory|system memory)\b")
_FIXED_BUDGET = re.compile(r"\b(?:for|after|of|to|over|within)\s+(?:a (?:total|maximum) of\s+|up to\s+)?\d[\d,]*\s+(?:training\s+)?(epochs?|iterations?|steps)\b", re.I)
_SPLIT_SETS = (("train", re.compile(r"\btrain(?:ing)?\b", re.I)), ("validation", re.compile(r"\bvalidat(?:ion|ing)\b", re.I)),
               ("test", re.compile(r"\btest(?:ing)?\b", re.I)))
_SPLIT_VERB = re.compile(r"\b(?:split|divided|partitioned|separated|allocated|assigned|subsets?|sets?|used for)\b", re.I)
_PERCENT = re.compile(r"(\d{1,2}(?:\.\d+)?)\s?%")
_NOT_MODIFIERS = {
    "the", "a", "an", "of", "and", "or", "with", "from", "using", "used", "these", "those", "their", "its", "raw", "input",
    "training", "test", "testing", "validation", "such", "as", "various", "different", "other", "some", "all", "new", "data",
    "format", "formats", "type", "types", "deep", "learning", "pipeline", "specific", "provided", "digital", "high", "large",
    "many", "more", "is", "are", "was", "were", "in", "on", "for", "to", "by", "be", "include", "includes", "including",
    "collected", "consists", "consisting", "this", "that", "which", "it", "they", "uses", "use", "e", "g", "i", "also",
    "both", "two", "three", "several", "individual", "original", "labelled", "labeled", "annotated", "into", "form",
    "through", "via", "collecting", "capturing", "taking", "take", "any", "each", "every", "our", "multiple", "numerous",
    "following", "same", "whole", "full", "entire", "only", "mainly", "primarily", "specifically", "not", "no",
    "took", "takes", "made", "make", "makes", "has", "have", "had", "give", "gives", "provide", "provides",
    "produce", "produces", "contain", "contains", "capture", "captures", "acquire", "acquires", "obtain", "obtains"}
_NOT_NAMES = {"The", "This", "These", "Our", "Their", "A", "An", "It", "CNN", "DNN", "RNN", "GPU", "CPU", "RGB", "ML", "DL", "AI", "UAV",
              "Training", "Train", "Test", "Testing", "Validation", "New", "Original", "Custom", "Public", "Large", "Same",
              "Each", "Every", "Whole", "Entire", "Full", "Final", "Main", "First", "Second", "Third", "Image", "Images",
              "Audio", "Video", "Raw", "Labelled", "Labeled", "Annotated", "Augmented", "Benchmark", "Data", "Dataset", "In", "For",
              "However", "Additionally", "Furthermore", "Moreover", "Also", "Both", "Two", "Three", "Several", "Such", "Another"}


# ---------------------------------------------------------------- extractor
class Extractor:
    """Turns one paper's answers into facts; one instance serves a whole corpus (the matcher is built once)."""

    def __init__(self, ontology_dir: Path | None = None, nlp: Language | None = None):
        self.nlp = nlp or _cached_nlp(ontology_dir)
        self.vocabulary = load_vocabulary(ontology_dir)
        self.setting_keys = self.nlp.get_pipe("dlkg_vocabulary_matcher").setting_keys
        # categorical values (ReLU, Adam, cross-entropy) read near their hyperparameter's name
        self.value_patterns: dict[URIRef, re.Pattern[str]] = {}
        self.value_names: dict[str, str] = {}
        for hyper, pairs in self.vocabulary.setting_values.items():
            by_entry: dict[URIRef, list[str]] = {}
            for label, entry in pairs:
                by_entry.setdefault(entry, []).append(label)
            for entry, labels in by_entry.items():
                display = min((l for l in labels if not l.islower()), key=len, default=labels[0])
                self.value_names.update({l.lower(): display for l in labels})
            alternatives = sorted({l for l, _ in pairs}, key=len, reverse=True)
            self.value_patterns[hyper] = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, alternatives)) + r")(?![\w-])", re.I)
        # the vocabulary entries each question gives as its own examples ("e.g., CNN, RNN, Transformer")
        self.example_keys: dict[str, set[str]] = {}
        for cq, examples in self.vocabulary.example_terms.items():
            for doc in self.nlp.pipe(examples):
                self.example_keys.setdefault(cq, set()).update(x.label_ for x in doc.spans.get("dlkg_terms", []))
        self.metrics_calculation = self.vocabulary.terms.get(DLV["metrics-calculation"])
        self.optimizer = self.vocabulary.terms.get(DLV["optimizer"])
        self.input_size = self.vocabulary.terms.get(DLV["input-size"])
        repositories = self.vocabulary.by_concept("CodeRepository") + self.vocabulary.by_concept("DataRepository")
        self.repo_by_host = {re.sub(r"[^a-z]", "", t.pref_label.lower()): t for t in repositories}

    def extract(self, paper: Paper) -> PaperFacts:
        facts: dict[tuple[str, str], Fact] = {}
        settings: list[Setting] = []
        results: list[AnswerResult] = []
        docs = self.nlp.pipe(((a.text, a) for a in paper.answers), as_tuples=True)
        for doc, answer in docs:
            reported = self._read_answer(doc, answer, facts, settings)
            results.append(AnswerResult(answer, reported))
        kept = self._drop_broader(_drop_generic_heads(list(facts.values()), self.vocabulary))
        kept = _models_only_if_the_model_answer_reports(kept, results)
        return PaperFacts(paper, results, kept, _dedupe_settings(settings))

    def _drop_broader(self, facts: list[Fact]) -> list[Fact]:
        """For concepts marked dlkg:preferSpecific, an entry goes when the paper also names a narrower one."""
        above = {a for f in facts if f.term is not None and f.concept in self.vocabulary.prefer_specific
                 for a in self.vocabulary.ancestors(f.term.iri)}
        return [f for f in facts if f.term is None or f.term.iri not in above or f.concept not in self.vocabulary.prefer_specific]

    # -- one answer
    def _read_answer(self, doc: Doc, answer: Answer, facts: dict, settings: list[Setting]) -> bool:
        roles = doc.user_data.get("dlkg_roles", [])
        fact_sents = [doc[s:e] for s, e, role in roles if role == FACT]
        if not answer.text.strip():
            return False
        examples = tuple(e.lower() for e in self.vocabulary.example_terms.get(answer.cq, ()))
        found_specific = False
        terms_by_sent: dict[int, list[Span]] = {}
        for span in doc.spans.get("dlkg_terms", []):
            sent_start = _sentence_bounds(doc, span.start)[0]
            terms_by_sent.setdefault(sent_start, []).append(span)
        for sent in fact_sents:
            spans, sent_text = terms_by_sent.get(sent.start, []), _span_text(sent)
            if self._grab_bag_overview(sent, sent_text, spans, answer.cq):
                continue
            # a list that goes beyond the question's examples is the paper's list, examples included
            beyond = self._names_beyond_examples(spans, answer.cq)
            echoed = set() if _PAPER_CUES.search(sent_text) or beyond else self._full_echo(spans, answer.cq)
            explained_from = _EXPLAINING.search(sent_text)
            for span in spans:
                if span.label_ in echoed:
                    continue
                if explained_from and span.start_char >= sent.start_char + explained_from.end():
                    continue  # "image segmentation, which involves detecting the pixels of ...": an explanation
                if self._negated(doc, span):
                    continue
                if not beyond and self._echoes_question(doc, span, answer.cq):
                    continue
                for term in self._terms(span.label_):
                    if term.cqs and answer.cq not in term.cqs:
                        continue
                    if term.concept == "Hyperparameter":
                        settings.extend(self._settings(doc, span, term, answer))
                        continue
                    self._add(facts, term.concept, term.pref_label, answer, span.start_char, span.end_char, _text(doc), term)
                    if span.text.lower() not in examples:
                        found_specific = True
            if answer.cq == "CQ21" and self.metrics_calculation is not None and any(
                    t.concept == "PerformanceMetric" for span in terms_by_sent.get(sent.start, [])
                    if not self._negated(doc, span) for t in self._terms(span.label_)):
                # the postprocessing answer that names metrics reports their calculation as a step
                self._add(facts, "PostprocessingStep", self.metrics_calculation.pref_label, answer,
                          sent.start_char, sent.end_char, _text(doc), self.metrics_calculation)
            if self.input_size is not None:
                for m in _RESIZED_TO.finditer(sent_text):
                    start = sent.start_char + m.start()
                    value = normalise_size(m.group(1))
                    settings.append(Setting(self.input_size, value, value, None,
                                            Evidence(answer.cq, start, sent.start_char + m.end(), m.group(0))))
            if answer.cq == "CQ13" and self.optimizer is not None:
                settings.extend(self._optimizer_settings(sent, answer))
            found_specific |= self._links(sent, answer, facts)
            found_specific |= self._open_names(sent, spans, answer, facts, first_statement=sent is fact_sents[0])
        if _DONT_KNOW.match(answer.text):
            return False
        if not any(role == MISSING for _, _, role in roles):
            return found_specific or any(not _echo_only(_span_text(s), examples) for s in fact_sents)
        # after "the context does not say", people still count what the paper does say on the question's topic; a
        # sentence that says the information is missing ("while it mentions X, it does not specify Y") is not that
        return any(self._on_topic(doc[s:e], terms_by_sent.get(s, []), answer.cq) for s, e, role in roles
                   if role == FACT or (role not in (META, MISSING) and _EVIDENCE.search(_span_text(doc[s:e]))))

    def _on_topic(self, sent: Span, spans: list[Span], cq: str) -> bool:
        """Does the sentence (with its vocabulary `spans`) name something of the question's own concept, not negated?"""
        concepts = set(CQ_CONCEPTS.get(cq, ()))
        repository_cq = bool(concepts & _REPOSITORY_CONCEPTS)
        if repository_cq:
            concepts |= _REPOSITORY_CONCEPTS  # code and data often share one host; any of them bears on the question
        for span in spans:
            if not self._negated(sent.doc, span):
                if any(t.concept in concepts and (repository_cq or not t.cqs or cq in t.cqs) for t in self._terms(span.label_)):
                    return True
        return repository_cq and bool(_URL.search(_span_text(sent)))

    def _grab_bag_overview(self, sent: Span, text: str, spans: list[Span], cq: str) -> bool:
        """'The strategies ... in the deep learning pipeline include a fixed seed, cross-validation and dropout': the
        question restated over a list that mixes kinds of things (randomness, evaluation, regularisation) is the
        textbook overview, not the paper's account; a list of one kind ('include scaling, rotation and cropping') is."""
        overview = _LIST_OVERVIEW.search(text)
        if not overview or _PAPER_CUES.search(text) or re.search(r"\d", text):
            return False
        asked = set(CQ_CONCEPTS.get(cq, ()))
        listed: dict[tuple[int, int], set[str]] = {}
        for span in spans:  # the names listed after "include", each position once whatever entries it matched
            if span.start_char >= sent.start_char + overview.end():
                listed.setdefault((span.start, span.end), set()).update(
                    t.concept for t in self._terms(span.label_) if t.concept not in _NOT_TECHNIQUES)
        kinds = set()
        for concepts in listed.values():
            kinds |= (concepts & asked) or concepts  # a name that can be of the asked kind counts as that kind
        return len(kinds) >= 2

    def _names_beyond_examples(self, spans: list[Span], cq: str) -> bool:
        """Does the sentence name something of the question's concept that the question did not give as an example?"""
        examples = self.example_keys.get(cq, set())
        concepts = set(CQ_CONCEPTS.get(cq, ()))
        return bool(examples) and any(s.label_ not in examples and not self._negated(s.doc, s) and
                                      any(t.concept in concepts for t in self._terms(s.label_)) for s in spans)

    def _full_echo(self, spans: list[Span], cq: str) -> set[str]:
        """A sentence that lists every example the question gave ("normalization, scaling and cleaning") repeats
        the question, not the paper: those names are not facts there."""
        examples = self.example_keys.get(cq, set())
        found = {s.label_ for s in spans} & examples
        return found if len(examples) >= 2 and found == examples else set()

    def _echoes_question(self, doc: Doc, span: Span, cq: str) -> bool:
        """'criteria such as validation loss plateau': the question's own example, given back as an example."""
        if span.label_ not in self.example_keys.get(cq, ()):
            return False
        return bool(re.search(r"\b(?:such as|e\.g\.|e\.g|like|for example|for instance|including)\W*$",
                              _text(doc)[max(_sentence(doc, span).start_char, span.start_char - 30): span.start_char], re.I))

    def _terms(self, key: str) -> list[Term]:
        term = self.vocabulary.terms.get(URIRef(key))
        return [term] if term else []

    @staticmethod
    def _negated(doc: Doc, span: Span) -> bool:
        """Negated nearby ("no dropout"), or inside a list a negation governs ("no mention of models such as CNN")."""
        sent_start, sent_end = _sentence_bounds(doc, span.start)
        first, last = doc[max(sent_start, span.start - 3)], doc[min(sent_end, span.end + 3) - 1]
        doc_text = _text(doc)
        window_text = doc_text[first.idx:last.idx + len(last)]
        if _NEGATION_LETTERS.search(window_text) and any(_NEGATED_TERM.fullmatch(t.text) for t in doc[first.i:last.i + 1]) \
                and not re.search(r"\bnot only\b", window_text, re.I):
            return True
        before = doc_text[doc[sent_start].idx: span.start_char]
        return bool(_NEGATED_LIST.search(before))

    @staticmethod
    def _add(facts: dict, concept: str, label: str, answer: Answer, start: int, end: int, text: str,
             term: Term | None = None, url: str | None = None) -> None:
        key = (concept, str(term.iri) if term else (url or label.lower()))
        fact = facts.get(key)
        if fact is None:
            fact = facts[key] = Fact(concept, label, term, url=url)
        fact.evidence.append(Evidence(answer.cq, start, end, text[start:end]))

    def _settings(self, doc: Doc, span: Span, term: Term, answer: Answer) -> list[Setting]:
        sent = _sentence(doc, span)
        sent_end = sent.end_char
        after = _text(doc)[span.end_char: min(sent_end, span.end_char + 80)]
        before = _text(doc)[max(sent.start_char, span.start_char - 25): span.start_char]
        categorical = term.iri in self.value_patterns  # its values are names (ReLU, Adam), never numbers
        values = [] if categorical else values_after(after)
        if not values and not categorical:
            segment = re.split(r"\s-\s|\n|;", _text(doc)[span.end_char: sent_end], maxsplit=1)[0]
            next_name = [x.start_char - span.end_char for x in doc.spans["dlkg_terms"]
                         if x.label in self.setting_keys and x.start_char > span.end_char]
            values = per_variant_values(segment[: min(next_name, default=len(segment))])
        if not values and term.iri in self.value_patterns:
            pattern = self.value_patterns[term.iri]
            near = [(m.start(), m) for m in pattern.finditer(after[:60])] or \
                   [(len(before) - m.end(), m) for m in pattern.finditer(before)]
            if near:
                values = [self.value_names[min(near, key=lambda x: x[0])[1].group(0).lower()]]
        if not values and not categorical and _RATE_LIKE.search(term.pref_label):
            m = _WITH_VALUE.match(after)
            if m and not any(x.label in self.setting_keys and span.end_char < x.start_char < span.end_char + m.start(1)
                             and any(_RATE_LIKE.search(t.pref_label) for t in self._terms(x.label_))
                             for x in doc.spans["dlkg_terms"]):  # another rate named in between takes the value
                values = [m.group(1).strip()]
        if not values and not categorical and (term.pref_label in _COUNT_NAMES or span.text.lower() in _COUNT_NAMES):
            m = _VALUE_BEFORE.search(before)
            if m and not re.search(r"\b(?:every|each|after|last|first|within)\s+$", before[: m.start()], re.I):
                values = [m.group(1)]
        ev = Evidence(answer.cq, span.start_char, span.end_char, span.text)
        out = []
        for v in values:
            unit = "%" if v.endswith("%") else None
            out.append(Setting(term, v, parse_value(v), unit, ev))
        return out

    def _optimizer_settings(self, sent: Span, answer: Answer) -> list[Setting]:
        """An optimiser named in the hyperparameter answer is the value of the 'optimizer' setting."""
        out = []
        text = _span_text(sent)
        for m in self.value_patterns.get(self.optimizer.iri, re.compile("(?!)")).finditer(text):
            window = text[max(0, m.start() - 20): m.start()]
            if _NEGATED_TERM.search(window) or re.search(r"\b(?:either|or)\s*$", window):
                continue
            start = sent.start_char + m.start()
            ev = Evidence(answer.cq, start, start + len(m.group(0)), m.group(0))
            name = self.value_names[m.group(0).lower()]
            out.append(Setting(self.optimizer, name, name, None, ev))
        return out

    def _links(self, sent: Span, answer: Answer, facts: dict) -> bool:
        found = False
        for m in _URL.finditer(_span_text(sent)):
            url = clean_url(m.group(0))
            host = re.sub(r"^https?://", "", url).split("/")[0]
            if len(url) < 12 or "." not in host:
                continue  # "http://services. ..." broken by PDF extraction: no address to keep
            is_code_host = bool(_CODE_HOSTS.search(url))
            if answer.cq in ("CQ10", "CQ8"):
                concept = "CodeRepositoryLink"
            elif answer.cq in ("CQ11", "CQ9"):
                concept = "DataRepositoryLink"
            elif is_code_host:
                concept = "CodeRepositoryLink"
            else:
                continue
            start = sent.start_char + m.start()
            self._add(facts, concept, url, answer, start, start + len(m.group(0)), _text(sent.doc), url=url)
            repo = self.repo_by_host.get(re.sub(r"^www\.", "", host).split(".")[0].lower())
            wanted = "CodeRepository" if concept == "CodeRepositoryLink" else "DataRepository"
            if repo is not None and repo.concept == wanted:
                self._add(facts, wanted, repo.pref_label, answer, start, start + len(m.group(0)), _text(sent.doc), repo)
            found = True
        return found

    def _split(self, sent: Span, answer: Answer, facts: dict) -> bool:
        labels = _split_labels(_span_text(sent))
        for label in labels:
            self._add(facts, "DataSplitCriteria", label, answer, sent.start_char, sent.end_char, _text(sent.doc))
        return bool(labels)

    def _open_names(self, sent: Span, spans: list[Span], answer: Answer, facts: dict, first_statement: bool = False) -> bool:
        """Names not in the vocabulary whose phrasing makes their type clear. `spans`: the vocabulary names starting
        in `sent`. `first_statement`: the answer's first fact sentence, where answers state their point (a purpose
        phrase elsewhere is usually background)."""
        found = False
        text, base, doc_text = _span_text(sent), sent.start_char, _text(sent.doc)
        explained_from = _EXPLAINING.search(text)
        if explained_from:
            text = text[: explained_from.start()]  # what a ", which involves ..." clause explains is not named there

        def add(concept: str, label: str, start: int, end: int) -> None:
            nonlocal found
            self._add(facts, concept, label, answer, base + start, base + end, doc_text)
            found = True

        known = {s.text for s in spans if s.end <= sent.end}
        known_lower = {k.lower() for k in known}
        if answer.cq in ("CQ5", "CQ1", "CQ2"):
            for m in list(_OWN_DATASET.finditer(text)) + list(_DATASET_OF.finditer(text)):
                add("Dataset", "own dataset", m.start(), m.end())
            for m in _NAMED_DATASET.finditer(text):
                name = m.group(1)
                if name.split()[0] in _NOT_NAMES or name in known or any(name in k or k in name for k in known):
                    continue
                add("Dataset", name, m.start(1), m.end(1))
        if answer.cq in ("CQ1", "CQ2"):
            for m in _RAW_DATA_HEAD.finditer(text):
                label = _noun_phrase(text[: m.start()], m.group(1), m.group(2))
                if label:
                    add("RawData", label, m.start(), m.end())
        if answer.cq == "CQ25" and first_statement:
            for m in _TASK_HEAD.finditer(text):
                label = _noun_phrase(text[: m.start()], m.group(1), m.group(2))
                if label and label.lower() not in known_lower and len(label.split()) <= 4:
                    add("ModelPurpose", label, m.start(), m.end())
            for m in _TASK_VERB.finditer(text):
                obj = []
                for w in m.group(2).split():
                    if w.lower() in _NOT_MODIFIERS or not re.fullmatch(r"[A-Za-z][\w-]*", w):
                        break
                    obj.append(w)
                if obj:
                    label = " ".join(obj + [_NOMINAL[m.group(1).lower()]])
                    add("ModelPurpose", label, m.start(), m.end())
        if answer.cq == "CQ5" and not known:
            for m in _DATA_COUNT.finditer(text):
                add("Dataset", "own dataset", m.start(), m.end())
        if answer.cq == "CQ20":
            for m in _MEMORY.finditer(text):
                label = f"{m.group(1)} GB RAM"
                add("HardwareResource", label, m.start(), m.end())
        if answer.cq == "CQ7":
            found |= self._split(sent, answer, facts)
        if answer.cq == "CQ16":
            for m in _FIXED_BUDGET.finditer(text):
                unit = "epochs" if m.group(1).lower().startswith("epoch") else "iterations"
                add("TrainingCompletionCriteria", f"fixed number of {unit}", m.start(), m.end())
        if answer.cq in ("CQ12", "CQ25", "CQ5", "CQ13", "CQ19"):
            for m in _NAMED_MODEL.finditer(text):
                name = m.group(1)
                if name in _NOT_NAMES or name in known or any(name in k for k in known):
                    continue
                if re.fullmatch(r"[A-Z]{2,5}s?", name) and answer.cq != "CQ12":
                    continue
                add("DeepLearningModel", name, m.start(1), m.end(1))
        return found


def _text(doc: Doc) -> str:
    """The doc's text, built once (Doc.text joins every token on each access)."""
    text = doc.user_data.get("dlkg_text")
    if text is None:
        text = doc.user_data["dlkg_text"] = doc.text
    return text


def _span_text(span: Span) -> str:
    """A span's text sliced from the cached doc text (Span.text joins its tokens on each access)."""
    return _text(span.doc)[span.start_char:span.end_char]


def _sentence(doc: Doc, span: Span) -> Span:
    """The sentence holding `span`, from the boundaries the roles component stored (Span.sent rescans the doc)."""
    start, end = _sentence_bounds(doc, span.start)
    return doc[start:end]


def _sentence_bounds(doc: Doc, token: int) -> tuple[int, int]:
    """First and end token of the sentence holding `token`, without building a Span (hot: once per name)."""
    starts = doc.user_data["dlkg_sentence_starts"]
    i = bisect_right(starts, token) - 1
    return starts[i], starts[i + 1] if i + 1 < len(starts) else len(doc)


def _models_only_if_the_model_answer_reports(facts: list[Fact], results: list[AnswerResult]) -> list[Fact]:
    """When the answer to the model question (CQ12) finds no model in the paper, a model named in passing in another
    answer ("CNNs are typically used for images") is background, not the pipeline's: papers without a deep-learning
    pipeline must not sprout models."""
    model_answers = [r for r in results if r.answer.cq == "CQ12"]
    if not model_answers or any(r.reported for r in model_answers):
        return facts
    return [f for f in facts if f.concept != "DeepLearningModel" or any(e.cq == "CQ12" for e in f.evidence)]


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


def _split_labels(text: str) -> list[str]:
    """'80% for training and 20% for validation' -> ['train/validation split', '80/20 split']."""
    if not _SPLIT_VERB.search(text):
        return []
    sets = [name for name, pattern in _SPLIT_SETS if pattern.search(text)]
    labels = [f"{'/'.join(sets)} split"] if len(sets) >= 2 else []
    shares = [float(p) for p in _PERCENT.findall(text)]
    if len(shares) == 1 and shares[0] < 50 and len(sets) >= 1:
        shares = [100 - shares[0], shares[0]]  # "20% of the data for validation": the rest trains
    if 2 <= len(shares) <= 3 and abs(sum(shares) - 100) < 0.6:
        labels.append("/".join(f"{x:g}" for x in shares) + " split")
    return labels


def _noun_phrase(before: str, head: str, of_phrase: str | None) -> str | None:
    """'bird audio recordings', 'images of the sea floor': a head noun with the modifiers that say what it is about."""
    modifiers: list[str] = []
    for word in reversed(before.split()[-3:]):
        w = word.strip(",;:()\"'")
        if not w or w != word or w.lower() in _NOT_MODIFIERS or not re.fullmatch(r"[A-Za-z][\w-]*", w) or re.search(r"(?:ed|ing|ly)$", w.lower()):
            break
        modifiers.insert(0, w)
    tail = []
    if of_phrase:
        for w in of_phrase.split():
            if w.lower() in ("the", "a", "an"):
                continue
            if w.lower() in _NOT_MODIFIERS or not re.fullmatch(r"[A-Za-z][\w-]*", w):
                break
            tail.append(w)
    if not modifiers and not tail:
        return None
    return " ".join(modifiers + [head] + (["of"] + tail if tail else []))


def _echo_only(text: str, examples: tuple[str, ...]) -> bool:
    """A generic sentence that names every example the question gave (like `Extractor._full_echo`) echoes it."""
    return bool(examples) and all(e in text.lower() for e in examples) and bool(_GENERIC.search(text))


def _dedupe_settings(settings: list[Setting]) -> list[Setting]:
    seen, out = set(), []
    for s in settings:
        key = (str(s.name.iri), str(s.value))
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out
