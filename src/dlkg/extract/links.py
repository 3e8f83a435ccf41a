"""Links: repository and data links in an answer, and the repository host they name (GitHub, Zenodo, ...)."""
from __future__ import annotations

import re

from spacy.tokens import Span

from ..ingest import Answer
from ..vocabulary import Vocabulary
from .cues import Cues
from .results import FactSink
from .spans import doc_text, span_text


def clean_url(url: str) -> str:
    url = url.rstrip(".,;:!?*_`'\")]}>")
    if url.lower().startswith("www."):
        url = "https://" + url
    elif re.match(r"(?:github|gitlab|bitbucket)\.|doi\.org/", url, re.I):
        url = "https://" + url
    elif re.match(r"10\.\d{4,9}/", url):
        url = "https://doi.org/" + url
    return url


class LinkReader:
    def __init__(self, vocabulary: Vocabulary, cues: Cues) -> None:
        self.cues = cues
        repositories = vocabulary.by_concept("CodeRepository") + vocabulary.by_concept("DataRepository")
        self.repo_by_host = {re.sub(r"[^a-z]", "", t.pref_label.lower()): t for t in repositories}

    def links(self, sent: Span, answer: Answer, asked: tuple[str, ...], facts: FactSink) -> bool:
        """Adds each link of `sent` (and its host's repository) as the paper's; a link in an answer that does not
        ask about repositories counts only on a code host."""
        found = False
        for m in self.cues.url.finditer(span_text(sent)):
            url = clean_url(m.group(0))
            host = re.sub(r"^https?://", "", url).split("/")[0]
            if len(url) < 12 or "." not in host:
                continue  # "http://services. ..." broken by PDF extraction: no address to keep
            is_code_host = bool(self.cues.code_hosts.search(url))
            if self.cues.runs("code_links", asked):
                concept = "CodeRepositoryLink"
            elif self.cues.runs("data_links", asked):
                concept = "DataRepositoryLink"
            elif is_code_host:
                concept = "CodeRepositoryLink"
            else:
                continue
            start = sent.start_char + m.start()
            facts.add(concept, url, answer, start, start + len(m.group(0)), doc_text(sent.doc), url=url)
            repo = self.repo_by_host.get(re.sub(r"^www\.", "", host).split(".")[0].lower())
            wanted = "CodeRepository" if concept == "CodeRepositoryLink" else "DataRepository"
            if repo is not None and repo.concept == wanted:
                facts.add(wanted, repo.pref_label, answer, start, start + len(m.group(0)), doc_text(sent.doc), repo)
            found = True
        return found
