"""Negation: a name negated nearby ("no dropout") or inside a list a negation governs ("no mention of models such as
CNN") is not the paper's. Hedging is a sentence role (`roles`)."""
from __future__ import annotations

from spacy.tokens import Doc, Span

from .cues import Cues
from .spans import doc_text, sentence_bounds


def negated(cues: Cues, doc: Doc, span: Span) -> bool:
    sent_start, sent_end = sentence_bounds(doc, span.start)
    first, last = doc[max(sent_start, span.start - 3)], doc[min(sent_end, span.end + 3) - 1]
    text = doc_text(doc)
    window_text = text[first.idx:last.idx + len(last)]
    if cues.negation_letters.search(window_text) and any(cues.negated_term.fullmatch(t.text) for t in doc[first.i:last.i + 1]) \
            and not cues.not_only.search(window_text):
        return True
    before = text[doc[sent_start].idx: span.start_char]
    return bool(cues.negated_list.search(before))
