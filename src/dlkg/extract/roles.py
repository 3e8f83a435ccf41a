"""Sentence roles: which sentences of an answer state what the paper did.

Every sentence gets one role: fact, missing (the answer says the information is absent), generic (textbook
knowledge, cited work, or anything after a "missing" statement that does not point at the paper), speculative
("likely", "may have") or meta (framing such as "the provided text focuses on ..."). Later stages read facts only
from fact sentences.
"""
from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from .cues import Cues, load_cues
from .spans import doc_text

FACT, MISSING, GENERIC, SPECULATIVE, META = "fact", "missing", "generic", "speculative", "meta"


def sentence_role(cues: Cues, text: str, after_missing: bool) -> str:
    """Role of one sentence that is not a reference-list entry (`SentenceRoles` tells those apart first);
    `after_missing` is true once the answer said the information is absent."""
    if cues.meta.match(text) and not cues.missing.search(text):
        return META
    if cues.missing.search(text):
        return MISSING
    if cues.speculative.search(text):
        return SPECULATIVE
    if after_missing and not cues.paper_cues.search(text):
        return GENERIC
    if after_missing and cues.generic.search(text) and not cues.paper_verbs.search(text):
        return GENERIC
    if cues.generic_opening.match(text):
        return GENERIC
    main_clause = cues.explaining_split.split(text, maxsplit=1)[0]  # "..., which involves X" explains, not hedges
    if cues.textbook.search(main_clause) and not cues.paper_cues.search(text):
        return GENERIC
    return FACT


@Language.factory("dlkg_sentence_roles", default_config={"ontology_dir": None})
def make_sentence_roles(nlp: Language, name: str, ontology_dir: str | None) -> "SentenceRoles":
    return SentenceRoles(load_cues(Path(ontology_dir) if ontology_dir else None))


class SentenceRoles:
    """Writes `doc.user_data["dlkg_roles"]` (start token, end token, role), the sentence starts, and each sentence's
    character bounds."""

    def __init__(self, cues: Cues) -> None:
        self.cues = cues

    def __call__(self, doc: Doc) -> Doc:
        cues = self.cues
        after_missing = in_generic_list = after_citation = previous_is_reference = anchored_before = False
        roles, chars = [], []
        text_of_doc, previous_text = doc_text(doc), ""
        for sent in doc.sents:
            chars.append((sent.start_char, sent.end_char))
            text = text_of_doc[sent.start_char:sent.end_char]
            # a reference-list entry pasted with the context is cited work, not this paper's pipeline
            is_reference = cues.bibliography.search(text)
            role = GENERIC if is_reference else sentence_role(cues, text, after_missing)
            cites = bool(cues.citation.search(text)) or (after_citation and cues.citation_continued.match(text))
            if cites and role == FACT:
                role = GENERIC  # about cited work ("Srivastava et al. (2014) discuss dropout"), not this paper's pipeline
            after_reference = previous_is_reference or cues.reference_tail.search(previous_text)
            if role == FACT and cues.bare_link.match(text) and after_reference:
                role = GENERIC  # the DOI of the reference-list entry just before
            after_citation = bool(cues.citation_ends.search(text))
            previous_is_reference, previous_text = is_reference, text
            if in_generic_list and role == FACT and not cues.paper_cues.search(text):
                role = GENERIC  # an item of a list a generic sentence introduced ("common criteria include: 1. ...")
            if role == GENERIC and anchored_before and cues.anaphor.match(text) and not cues.citation.search(text):
                role = FACT  # "The context mentions a mask step. This involves thresholding ...": still the paper's step
            anchored_before = role == FACT and bool(cues.paper_cues.search(text) or cues.evidence.search(text))
            roles.append((sent.start, sent.end, role))
            if role == MISSING:
                after_missing = True
            if role in (GENERIC, SPECULATIVE) and cues.opens_list.search(text):
                in_generic_list = True
            elif role == FACT:
                in_generic_list = False
        # an answer that is mostly textbook prose and never points at the paper is a generic overview throughout
        wordy = [(s, e, r) for s, e, r in roles if e - s > 4]
        mostly_generic = len(wordy) >= 3 and sum(r == GENERIC for _, _, r in wordy) * 3 >= len(wordy)
        if mostly_generic and not cues.paper_cues.search(text_of_doc):
            # ...except its opening statement when that is plainly stated (the direct answer before the textbook prose)
            opening = roles[0]
            opening_span = doc[opening[0]:opening[1]]
            opening_text = text_of_doc[opening_span.start_char:opening_span.end_char]
            keep = opening[2] == FACT and not cues.textbook.search(opening_text) and not cues.list_overview.search(opening_text)
            roles = [(s, e, GENERIC if r == FACT and not (keep and i == 0) else r) for i, (s, e, r) in enumerate(roles)]
        doc.user_data["dlkg_roles"] = roles
        doc.user_data["dlkg_sentence_starts"] = [s for s, _, _ in roles]
        doc.user_data["dlkg_sentence_chars"] = chars  # each sentence's first and end character
        return doc
