"""Cheap access to a doc's text and sentences (spaCy's Doc.text and Span.sent rebuild on every access)."""
from __future__ import annotations

from bisect import bisect_right

from spacy.tokens import Doc, Span


def doc_text(doc: Doc) -> str:
    """The doc's text, built once (Doc.text joins every token on each access)."""
    text = doc.user_data.get("dlkg_text")
    if text is None:
        text = doc.user_data["dlkg_text"] = doc.text
    return text


def span_text(span: Span) -> str:
    """A span's text sliced from the cached doc text (Span.text joins its tokens on each access)."""
    return doc_text(span.doc)[span.start_char:span.end_char]


def sentence_of(doc: Doc, span: Span) -> Span:
    """The sentence holding `span`, from the boundaries the roles component stored (Span.sent rescans the doc)."""
    start, end = sentence_bounds(doc, span.start)
    return doc[start:end]


def sentence_bounds(doc: Doc, token: int) -> tuple[int, int]:
    """First and end token of the sentence holding `token`, without building a Span (hot: once per name)."""
    starts = doc.user_data["dlkg_sentence_starts"]
    i = bisect_right(starts, token) - 1
    return starts[i], starts[i + 1] if i + 1 < len(starts) else len(doc)
